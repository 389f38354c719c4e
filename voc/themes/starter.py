"""The starter taxonomy for customer care: fifteen themes that map to root causes and owner teams.

Every theme has keyword rules and example sentences in English, Spanish, French, German,
Portuguese, Italian and Dutch. Rules catch the unambiguous wording ("charged twice", "remboursement",
"Warteschleife"); the examples teach semantic assignment the rest, in any language the embedding
model knows. Teams rename, merge, split, move and archive these on the Themes page; ids stay.

Domain module: no Streamlit.
"""

from __future__ import annotations

from typing import Any, Final

from voc.themes.industries import INDUSTRIES
from voc.themes.rules import LanguageRule
from voc.themes.taxonomy import Example, Theme, ThemeOrigin

R = dict[str, dict[str, list[str]]]

_THEMES: Final[list[dict[str, Any]]] = [
    {
        "id": "delivery",
        "name": "Delivery and shipping",
        "owner": "Logistics",
        "description": "Parcels, couriers, delivery times and tracking; SIM cards and devices sent by post.",
        "rules": {
            "en": {
                "any": [
                    "deliver*",
                    "~delivery",
                    "shipping",
                    "shipment",
                    "parcel*",
                    "package",
                    "courier",
                    "tracking number",
                    "dispatch*",
                    "postman",
                ]
            },
            "es": {
                "any": [
                    "entrega*",
                    "envio*",
                    "paquete*",
                    "mensajer*",
                    "repartidor*",
                    "pedido no ha llegado",
                    "seguimiento del pedido",
                ]
            },
            "fr": {
                "any": [
                    "livraison*",
                    "livre",
                    "livreur",
                    "colis",
                    "expedition",
                    "expedie*",
                    "suivi de commande",
                    "transporteur",
                ]
            },
            "de": {"any": ["liefer*", "versand*", "paket*", "zusteller*", "sendung*", "kurier*", "sendungsverfolgung"]},
            "pt": {"any": ["entrega*", "encomenda*", "envio*", "transportadora", "correios", "rastreio", "estafeta"]},
            "it": {"any": ["consegn*", "spedizion*", "pacco", "pacchi", "corriere", "tracking"]},
            "nl": {"any": ["bezorg*", "levering*", "pakket*", "verzend*", "koerier", "track en trace", "postbode"]},
        },
        "examples": {
            "en": ["My order still hasn't arrived after two weeks", "The courier left the parcel in the rain"],
            "es": ["Mi pedido todavía no ha llegado", "El repartidor nunca vino a entregar el paquete"],
            "fr": ["Ma commande n'est toujours pas arrivée", "Le livreur a laissé le colis devant la porte"],
            "de": ["Mein Paket ist immer noch nicht angekommen", "Der Zusteller hat nicht mal geklingelt"],
            "pt": ["A minha encomenda ainda não chegou", "O estafeta nunca apareceu"],
            "it": ["Il mio ordine non è ancora arrivato", "Il corriere non ha consegnato il pacco"],
            "nl": ["Mijn bestelling is nog steeds niet aangekomen", "De bezorger heeft het pakket niet afgeleverd"],
        },
    },
    {
        "id": "delivery.late",
        "parent": "delivery",
        "name": "Late or missing delivery",
        "owner": "Logistics",
        "rules": {
            "en": {
                "any": [
                    "late delivery",
                    "delivery delay*",
                    "delayed",
                    "never arrived",
                    "not arrived",
                    "hasn't arrived",
                    "still not delivered",
                    "lost parcel",
                    "lost package",
                ]
            },
            "es": {
                "any": [
                    "no ha llegado",
                    "no llega",
                    "sigue sin llegar",
                    "retraso*",
                    "pedido perdido",
                    "paquete perdido",
                ]
            },
            "fr": {"any": ["pas arrive*", "pas recu", "retard de livraison", "colis perdu", "toujours pas livre"]},
            "de": {
                "any": [
                    "nicht angekommen",
                    "immer noch nicht da",
                    "lieferverzug",
                    "verspatet*",
                    "paket verloren",
                    "immer noch nicht geliefert",
                ]
            },
            "pt": {"any": ["nao chegou", "atraso na entrega", "encomenda perdida"]},
            "it": {"any": ["non e arrivato", "non e ancora arrivato", "ritardo nella consegna", "pacco perso"]},
            "nl": {"any": ["niet aangekomen", "vertraging", "pakket kwijt", "nog steeds niet bezorgd"]},
        },
        "examples": {
            "en": ["Ordered a new phone ten days ago and it never arrived"],
            "es": ["El pedido lleva una semana de retraso"],
            "fr": ["Colis annoncé pour lundi, toujours rien"],
            "de": ["Die Lieferung ist schon eine Woche verspätet"],
        },
    },
    {
        "id": "billing",
        "name": "Billing and charges",
        "owner": "Billing",
        "description": "Bills, invoices, direct debits, unexpected or double charges, payment problems.",
        "rules": {
            "en": {
                "any": [
                    "bill",
                    "bills",
                    "billing",
                    "billed",
                    "invoice*",
                    "overcharg*",
                    "charged",
                    "charge",
                    "charges",
                    "direct debit",
                    "payment",
                    "~statement",
                ]
            },
            "es": {"any": ["factura*", "facturacion", "cobro*", "cobrado*", "cargo*", "recibo*", "domiciliacion"]},
            "fr": {"any": ["facture*", "facturation", "preleve*", "prelevement*", "debit*", "paiement"]},
            "de": {"any": ["rechnung*", "*rechnung", "abbuchung*", "abgebucht", "lastschrift", "zahlung*", "gebuhr*"]},
            "pt": {
                "any": ["fatura*", "faturacao", "cobranca*", "cobrad*", "cobraram", "cobrou", "debito*", "pagamento"]
            },
            "it": {"any": ["fattur*", "bollett*", "addebit*", "pagament*", "addebitato"]},
            "nl": {
                "any": ["factuur", "facturen", "rekening*", "afschrijving*", "incasso", "betaling*", "afgeschreven"]
            },
        },
        "examples": {
            "en": ["I was charged twice this month", "My bill is much higher than it should be"],
            "es": ["Me han cobrado dos veces la factura", "El recibo de este mes es el doble"],
            "fr": ["J'ai été prélevé deux fois ce mois-ci", "Ma facture est bien plus élevée que prévu"],
            "de": ["Mir wurde zweimal abgebucht", "Meine Rechnung ist viel zu hoch"],
            "pt": ["Fui cobrado duas vezes este mês", "A minha fatura veio com um valor errado"],
            "it": ["Mi hanno addebitato due volte", "La bolletta di questo mese è sbagliata"],
            "nl": ["Er is twee keer afgeschreven van mijn rekening", "Mijn factuur klopt niet"],
        },
    },
    {
        "id": "billing.unexpected",
        "parent": "billing",
        "name": "Unexpected or double charge",
        "owner": "Billing",
        "rules": {
            "en": {
                "any": [
                    "charged twice",
                    "double charg*",
                    "twice",
                    "unexpected charge*",
                    "extra charge*",
                    "hidden fee*",
                    "overcharg*",
                ]
            },
            "es": {"any": ["dos veces", "cobro duplicado", "cobro indebido", "cargo extra"]},
            "fr": {"any": ["deux fois", "double prelevement", "frais caches", "prelevement injustifie"]},
            "de": {"any": ["zweimal", "doppelt abgebucht", "versteckte kosten", "zu viel berechnet"]},
            "pt": {"any": ["duas vezes", "cobranca indevida", "cobranca duplicada"]},
            "it": {"any": ["due volte", "addebito doppio", "costi nascosti"]},
            "nl": {"any": ["twee keer", "dubbel afgeschreven", "verborgen kosten"]},
        },
        "examples": {
            "en": ["There is a charge on my bill I never agreed to"],
            "es": ["Me han cobrado un cargo que no reconozco"],
            "fr": ["Un prélèvement que je n'ai jamais autorisé"],
            "de": ["Da ist eine Gebühr auf der Rechnung, die ich nie bestellt habe"],
        },
    },
    {
        "id": "refunds",
        "name": "Refunds and returns",
        "owner": "Returns and refunds",
        "description": "Refunds promised or missing, returns, exchanges, credit notes.",
        "rules": {
            "en": {"any": ["refund*", "~refund", "reimburs*", "money back", "return*", "credit note"]},
            "es": {"any": ["reembols*", "devolucion*", "devolver", "devuelt*", "abono"]},
            "fr": {"any": ["rembours*", "retour*", "avoir"]},
            "de": {"any": ["erstattung*", "ruckerstattung*", "erstattet", "geld zuruck", "rucksendung*", "umtausch*"]},
            "pt": {"any": ["reembols*", "devolucao*", "devolver", "estorno*"]},
            "it": {"any": ["rimbors*", "reso", "resi", "restituzion*"]},
            "nl": {"any": ["terugbetal*", "retour*", "geld terug", "terugstort*"]},
        },
        "examples": {
            "en": ["Still waiting for my refund after three weeks", "I returned the phone but never got my money back"],
            "es": ["Sigo esperando el reembolso", "Devolví el móvil y no me han devuelto el dinero"],
            "fr": ["J'attends toujours mon remboursement", "J'ai renvoyé le téléphone, toujours pas remboursé"],
            "de": ["Ich warte immer noch auf meine Erstattung", "Gerät zurückgeschickt, aber kein Geld zurück"],
            "pt": ["Ainda estou à espera do reembolso", "Devolvi o telemóvel e não me devolveram o dinheiro"],
            "it": ["Sto ancora aspettando il rimborso", "Ho fatto il reso ma niente soldi"],
            "nl": ["Ik wacht nog steeds op mijn terugbetaling", "Toestel teruggestuurd maar geen geld terug"],
        },
    },
    {
        "id": "app",
        "name": "App and login",
        "owner": "Digital product",
        "description": "The mobile app: logging in, passwords, verification codes, crashes, bugs.",
        "rules": {
            "en": {
                "any": [
                    "app",
                    "the app",
                    "~application",
                    "log in",
                    "login",
                    "logging in",
                    "password*",
                    "verification code",
                    "crash*",
                ]
            },
            "es": {"any": ["app", "aplicacion", "contrasena*", "iniciar sesion", "codigo de verificacion"]},
            "fr": {"any": ["app", "appli", "application", "mot de passe", "connexion", "me connecter", "code sms"]},
            "de": {
                "any": [
                    "app",
                    "passwort",
                    "kennwort",
                    "anmeld*",
                    "einloggen",
                    "login",
                    "sms code",
                    "absturz*",
                    "sturzt*",
                ]
            },
            "pt": {"any": ["app", "aplicacao", "aplicativo", "palavra passe", "senha", "login", "iniciar sessao"]},
            "it": {"any": ["app", "applicazione", "password", "accesso", "accedere", "login"]},
            "nl": {"any": ["app", "inloggen", "wachtwoord", "login", "crasht"]},
        },
        "examples": {
            "en": ["The app keeps crashing when I open it", "I can't log in, it says my password is wrong"],
            "es": ["La aplicación se cierra sola al abrirla", "No puedo iniciar sesión en la app"],
            "fr": ["L'appli plante à chaque ouverture", "Impossible de me connecter à l'application"],
            "de": ["Die App stürzt ständig ab", "Ich kann mich nicht in der App anmelden"],
            "pt": ["A aplicação está sempre a falhar", "Não consigo entrar na app"],
            "it": ["L'app si chiude da sola", "Non riesco ad accedere all'app"],
            "nl": ["De app crasht steeds", "Ik kan niet inloggen in de app"],
        },
    },
    {
        "id": "app.login",
        "parent": "app",
        "name": "Login and passwords",
        "owner": "Digital product",
        "rules": {
            "en": {"any": ["log in", "login", "logging in", "sign in", "password*", "verification code", "locked out"]},
            "es": {"any": ["contrasena*", "iniciar sesion", "codigo de verificacion"]},
            "fr": {"any": ["mot de passe", "me connecter", "code sms", "identifiant*"]},
            "de": {"any": ["passwort", "kennwort", "anmeld*", "einloggen", "sms code"]},
            "pt": {"any": ["palavra passe", "senha", "iniciar sessao", "codigo de verificacao"]},
            "it": {"any": ["password", "accedere", "codice di verifica"]},
            "nl": {"any": ["inloggen", "wachtwoord", "verificatiecode"]},
        },
        "examples": {
            "en": ["I never receive the verification code to log in"],
            "fr": ["Je ne reçois pas le code pour me connecter"],
        },
    },
    {
        "id": "website",
        "name": "Website",
        "owner": "Web team",
        "description": "The website and online account: pages, forms, checkout, errors.",
        "rules": {
            "en": {
                "any": ["website", "web site", "webpage", "online account", "checkout", "error page", "page won't load"]
            },
            "es": {"any": ["pagina web", "web", "sitio web", "area de cliente"]},
            "fr": {"any": ["site", "site web", "site internet", "espace client"]},
            "de": {"any": ["webseite", "website", "internetseite", "kundenportal", "online konto"]},
            "pt": {"any": ["site", "sitio", "pagina", "area de cliente"]},
            "it": {"any": ["sito", "sito web", "area clienti"]},
            "nl": {"any": ["website", "site", "webpagina", "mijn omgeving"]},
        },
        "examples": {
            "en": ["The website gives an error when I try to pay", "Your online account page won't load"],
            "es": ["La página web da error al pagar"],
            "fr": ["Le site affiche une erreur au moment de payer"],
            "de": ["Die Webseite zeigt beim Bezahlen einen Fehler"],
            "pt": ["O site dá erro quando tento pagar"],
            "it": ["Il sito dà errore quando provo a pagare"],
            "nl": ["De website geeft een foutmelding bij het betalen"],
        },
    },
    {
        "id": "quality",
        "name": "Product quality and defects",
        "owner": "Product quality",
        "description": "Broken, faulty or poor-quality products and devices.",
        "rules": {
            "en": {
                "any": [
                    "broken",
                    "faulty",
                    "defect*",
                    "stopped working",
                    "doesn't work",
                    "poor quality",
                    "cracked",
                    "battery dies",
                ]
            },
            "es": {"any": ["roto", "rota", "defectuos*", "no funciona", "mala calidad", "averiad*"]},
            "fr": {
                "any": ["casse*", "defectueu*", "ne marche plus", "ne fonctionne plus", "mauvaise qualite", "en panne"]
            },
            "de": {"any": ["kaputt", "defekt*", "funktioniert nicht", "schlechte qualitat", "mangelhaft"]},
            "pt": {"any": ["avariad*", "partid*", "defeito*", "nao funciona", "ma qualidade"]},
            "it": {"any": ["rott*", "difettos*", "non funziona", "guast*", "scarsa qualita"]},
            "nl": {"any": ["kapot", "defect", "werkt niet", "slechte kwaliteit"]},
        },
        "examples": {
            "en": ["The phone stopped working after a week", "The charger arrived broken"],
            "es": ["El router dejó de funcionar a los pocos días"],
            "fr": ["Le téléphone ne fonctionne plus après une semaine"],
            "de": ["Der Router ist nach einer Woche kaputt gegangen"],
            "pt": ["O router deixou de funcionar ao fim de uma semana"],
            "it": ["Il telefono ha smesso di funzionare dopo una settimana"],
            "nl": ["Het toestel werkte na een week al niet meer"],
        },
    },
    {
        "id": "pricing",
        "name": "Pricing",
        "owner": "Commercial",
        "description": "Prices, price rises, plans and tariffs, value for money, offers.",
        "rules": {
            "en": {
                "any": [
                    "price*",
                    "pricing",
                    "expensive",
                    "too much money",
                    "price rise",
                    "price increase",
                    "tariff*",
                    "cheaper",
                ]
            },
            "es": {"any": ["precio*", "caro", "cara", "subida", "tarifa*", "mas barato"]},
            "fr": {"any": ["prix", "cher", "chere", "augmentation", "tarif*", "moins cher"]},
            "de": {"any": ["preis*", "teuer*", "preiserhohung", "tarif*", "gunstiger"]},
            "pt": {"any": ["preco*", "caro", "cara", "aumento", "tarifario*", "mais barato"]},
            "it": {"any": ["prezz*", "caro", "cara", "aumento", "tariff*", "costa troppo"]},
            "nl": {"any": ["prijs", "prijzen", "duur", "prijsverhoging", "tarief", "goedkoper"]},
        },
        "examples": {
            "en": ["Another price rise this year, it's getting too expensive"],
            "es": ["Han vuelto a subir el precio de la tarifa"],
            "fr": ["Encore une augmentation de prix, c'est trop cher"],
            "de": ["Schon wieder eine Preiserhöhung, viel zu teuer"],
            "pt": ["Mais um aumento de preço, está muito caro"],
            "it": ["Ancora un aumento di prezzo, troppo caro"],
            "nl": ["Alweer een prijsverhoging, veel te duur"],
        },
    },
    {
        "id": "staff",
        "name": "Staff attitude",
        "owner": "Customer service",
        "description": "How agents and staff treated the customer: rude, dismissive, or kind and helpful.",
        "rules": {
            "en": {
                "any": [
                    "rude",
                    "unhelpful",
                    "impolite",
                    "arrogant",
                    "condescending",
                    "agent was",
                    "staff were",
                    "hung up on me",
                ]
            },
            "es": {"any": ["maleducad*", "grosero*", "borde", "antipatic*", "me colgo"]},
            "fr": {"any": ["impoli*", "desagreable*", "mal poli*", "arrogant*", "m'a raccroche"]},
            "de": {"any": ["unfreundlich*", "unhoflich*", "arrogant*", "pampig", "aufgelegt"]},
            "pt": {"any": ["mal educad*", "indelicad*", "antipatic*", "desligou"]},
            "it": {"any": ["maleducat*", "scortes*", "sgarbat*", "antipatic*"]},
            "nl": {"any": ["onbeleefd", "onvriendelijk*", "arrogant", "neerbuigend", "opgehangen"]},
        },
        "examples": {
            "en": ["The agent was rude and hung up on me", "Staff were dismissive and didn't care"],
            "es": ["El operador fue muy maleducado conmigo"],
            "fr": ["Le conseiller a été très désagréable"],
            "de": ["Der Mitarbeiter war unglaublich unfreundlich"],
            "pt": ["O assistente foi muito mal educado"],
            "it": ["L'operatore è stato davvero scortese"],
            "nl": ["De medewerker was erg onvriendelijk"],
        },
    },
    {
        "id": "information",
        "name": "Wrong or inconsistent information",
        "owner": "Training",
        "description": "Customers told different or wrong things by different agents or channels: training gaps.",
        "rules": {
            "en": {
                "any": [
                    "wrong information",
                    "misinformed",
                    "told me different*",
                    "contradict*",
                    "every agent says",
                    "different answer*",
                    "lied",
                    "false information",
                ]
            },
            "es": {
                "any": [
                    "informacion erronea",
                    "me dijeron otra cosa",
                    "cada uno dice",
                    "me mintieron",
                    "informacion falsa",
                ]
            },
            "fr": {
                "any": [
                    "mauvaise information",
                    "mal informe*",
                    "chacun dit",
                    "m'ont menti",
                    "informations contradictoires",
                ]
            },
            "de": {"any": ["falsche auskunft", "falsch informiert", "jeder sagt", "widerspruchlich*", "angelogen"]},
            "pt": {"any": ["informacao errada", "mal informad*", "cada um diz", "mentiram"]},
            "it": {"any": ["informazioni sbagliate", "informazioni contrastanti", "ognuno dice", "mi hanno mentito"]},
            "nl": {
                "any": ["verkeerde informatie", "verkeerd geinformeerd", "iedereen zegt iets anders", "tegenstrijdig*"]
            },
        },
        "examples": {
            "en": ["Every agent tells me something different", "I was told the upgrade was free, then got charged"],
            "es": ["Cada operador me dice una cosa distinta"],
            "fr": ["Chaque conseiller me donne une réponse différente"],
            "de": ["Jeder Mitarbeiter erzählt mir etwas anderes"],
            "pt": ["Cada assistente diz uma coisa diferente"],
            "it": ["Ogni operatore mi dice una cosa diversa"],
            "nl": ["Elke medewerker vertelt me iets anders"],
        },
    },
    {
        "id": "waiting",
        "name": "Waiting and hold times",
        "owner": "Contact centre",
        "description": "Time on hold, queues, no answer, slow replies to calls, chats and e-mails.",
        "rules": {
            "en": {
                "any": [
                    "on hold",
                    "hold time*",
                    "waiting time",
                    "wait time",
                    "queue",
                    "nobody answers",
                    "no one answers",
                    "minutes waiting",
                    "hour waiting",
                    "waited",
                ]
            },
            "es": {
                "any": ["en espera", "esperando", "la espera", "tiempo de espera", "nadie contesta", "nadie responde"]
            },
            "fr": {"any": ["en attente", "attente", "attendu", "personne ne repond", "file d'attente"]},
            "de": {"any": ["warteschleife", "wartezeit*", "gewartet", "niemand geht ran", "keiner antwortet"]},
            "pt": {
                "any": ["em espera", "a espera", "esperei", "tempo de espera", "ninguem atende", "ninguem responde"]
            },
            "it": {"any": ["in attesa", "attesa", "aspettato", "nessuno risponde"]},
            "nl": {"any": ["in de wacht", "wachttijd*", "gewacht", "niemand neemt op", "wachtrij"]},
        },
        "examples": {
            "en": ["I've been on hold for an hour", "Nobody answers the phone or my emails"],
            "es": ["Llevo cincuenta minutos esperando al teléfono"],
            "fr": ["Une heure d'attente au téléphone pour rien"],
            "de": ["Seit einer Stunde in der Warteschleife"],
            "pt": ["Estive uma hora em espera ao telefone"],
            "it": ["Sono in attesa da un'ora al telefono"],
            "nl": ["Al een uur in de wacht bij de klantenservice"],
        },
    },
    {
        "id": "ivr",
        "name": "Phone menu (IVR)",
        "owner": "Contact centre",
        "description": "The automated phone menu: options, loops, voice recognition, no way to reach a person.",
        "rules": {
            "en": {
                "any": [
                    "phone menu",
                    "menu",
                    "press 1",
                    "press one",
                    "automated",
                    "robot",
                    "ivr",
                    "voice recognition",
                    "talk to a human",
                    "real person",
                ]
            },
            "es": {"any": ["menu", "pulse", "pulsa", "contestador", "robot", "maquina", "hablar con una persona"]},
            "fr": {"any": ["menu", "tapez", "serveur vocal", "robot", "parler a un humain", "boite vocale"]},
            "de": {
                "any": ["menu", "sprachmenu", "drucken sie", "taste", "roboter", "sprachcomputer", "echten menschen"]
            },
            "pt": {"any": ["menu", "prima", "marque", "robo", "atendimento automatico", "falar com uma pessoa"]},
            "it": {"any": ["menu", "premere", "digitare", "risponditore", "robot", "operatore umano"]},
            "nl": {"any": ["keuzemenu", "menu", "druk op", "spraakcomputer", "robot", "echt mens"]},
        },
        "examples": {
            "en": ["The phone menu loops back to the start every time", "Press 1, press 3, and still no human"],
            "es": ["El menú telefónico no te deja hablar con una persona"],
            "fr": ["Le serveur vocal tourne en boucle"],
            "de": ["Das Sprachmenü schickt mich immer wieder an den Anfang"],
            "pt": ["O menu automático nunca me deixa falar com ninguém"],
            "it": ["Il menu automatico non ti fa mai parlare con un operatore"],
            "nl": ["Het keuzemenu stuurt je steeds terug naar het begin"],
        },
    },
    {
        "id": "transfers",
        "name": "Transfers and routing",
        "owner": "Contact centre",
        "description": "Passed between departments, transferred and cut off, wrong team, repeating the story.",
        "rules": {
            "en": {
                "any": [
                    "transferred",
                    "transfer*",
                    "passed around",
                    "passed from",
                    "another department",
                    "wrong department",
                    "cut off",
                    "call dropped",
                ]
            },
            "es": {"any": ["transferid*", "me pasaron", "otro departamento", "se corto", "me pasan de uno a otro"]},
            "fr": {"any": ["transfere*", "renvoye*", "autre service", "coupe", "ballade d'un service"]},
            "de": {
                "any": [
                    "weitergeleitet",
                    "weiterverbunden",
                    "verbunden",
                    "andere abteilung",
                    "aufgelegt",
                    "abgebrochen",
                ]
            },
            "pt": {"any": ["transferid*", "passaram", "outro departamento", "a chamada caiu"]},
            "it": {"any": ["trasferit*", "passato da", "altro reparto", "caduta la linea"]},
            "nl": {"any": ["doorverbonden", "doorgeschakeld", "andere afdeling", "verbinding verbroken"]},
        },
        "examples": {
            "en": [
                "Transferred four times and had to explain everything again",
                "They passed me to another department and the call dropped",
            ],
            "es": ["Me pasaron de un departamento a otro y se cortó la llamada"],
            "fr": ["Transféré trois fois, et à chaque fois il faut tout réexpliquer"],
            "de": ["Dreimal weiterverbunden und dann aufgelegt"],
            "pt": ["Fui transferido três vezes e a chamada caiu"],
            "it": ["Mi hanno trasferito tre volte e poi è caduta la linea"],
            "nl": ["Drie keer doorverbonden en toen werd de verbinding verbroken"],
        },
    },
    {
        "id": "store",
        "name": "Store experience",
        "owner": "Retail",
        "description": "Shops and branches: staff in store, queues, opening hours, service at the counter.",
        "rules": {
            "en": {"any": ["store", "stores", "shop", "in store", "branch"], "none": ["app store", "play store"]},
            "es": {"any": ["tienda*", "en la tienda"]},
            "fr": {"any": ["boutique*", "magasin*", "agence"]},
            "de": {"any": ["shop", "laden", "filiale*", "geschaft"]},
            "pt": {"any": ["loja*"]},
            "it": {"any": ["negozio", "negozi", "punto vendita"]},
            "nl": {"any": ["winkel*"]},
        },
        "examples": {
            "en": ["Staff at the store were brilliant when my phone broke", "Queued forty minutes in the shop"],
            "es": ["En la tienda me atendieron genial"],
            "fr": ["Boutique au top, ils ont transféré mes photos"],
            "de": ["In der Filiale wurde mir sofort geholfen"],
            "pt": ["Na loja fui muito bem atendido"],
            "it": ["In negozio sono stati gentilissimi"],
            "nl": ["In de winkel werd ik snel geholpen"],
        },
    },
    {
        "id": "cancellation",
        "name": "Cancellation",
        "owner": "Retention",
        "description": "Cancelling a contract or service, notice periods, exit fees, switching away.",
        "rules": {
            "en": {
                "any": [
                    "cancel*",
                    "~cancellation",
                    "terminate my contract",
                    "end my contract",
                    "leaving",
                    "switching to",
                    "exit fee*",
                    "notice period",
                ]
            },
            "es": {
                "any": [
                    "cancelar",
                    "cancelacion",
                    "dar de baja",
                    "darme de baja",
                    "baja",
                    "permanencia",
                    "portabilidad",
                ]
            },
            "fr": {"any": ["resili*", "annuler", "annulation", "preavis", "frais de resiliation"]},
            "de": {"any": ["kundig*", "kuendig*", "storn*", "vertrag beenden", "wechsel*"]},
            "pt": {"any": ["cancelar", "cancelamento", "rescindir", "rescisao", "fidelizacao"]},
            "it": {"any": ["disdett*", "disdire", "recesso", "annullare", "cancellare"]},
            "nl": {"any": ["opzeg*", "annuleren", "stopzetten", "overstappen"]},
        },
        "examples": {
            "en": ["I want to cancel my contract but they keep making it difficult", "Charged an exit fee to leave"],
            "es": ["Quiero darme de baja y no me dejan"],
            "fr": ["Impossible de résilier mon abonnement"],
            "de": ["Ich will meinen Vertrag kündigen, aber es geht nicht online"],
            "pt": ["Quero cancelar o contrato e não me deixam"],
            "it": ["Voglio disdire il contratto ma è impossibile"],
            "nl": ["Ik wil mijn abonnement opzeggen maar dat lukt niet"],
        },
    },
    {
        "id": "praise",
        "name": "Praise",
        "owner": "Customer experience",
        "description": "Thanks and compliments: what customers want kept.",
        "rules": {
            "en": {
                "any": [
                    "thank you",
                    "thanks to",
                    "brilliant",
                    "excellent",
                    "amazing service",
                    "great service",
                    "well done",
                    "kudos",
                    "shout out",
                ]
            },
            "es": {"any": ["gracias a", "genial", "excelente", "muy buena atencion", "de diez", "encantad*"]},
            "fr": {"any": ["merci a", "bravo", "excellent*", "au top", "super service", "ravi*"]},
            "de": {"any": ["danke an", "super service", "toll*", "klasse", "hervorragend*", "respekt", "top service"]},
            "pt": {"any": ["obrigado a", "excelente", "espetacular", "impecavel", "cinco estrelas"]},
            "it": {"any": ["grazie a", "ottimo", "eccellente", "bravissim*", "complimenti"]},
            "nl": {"any": ["dank aan", "top", "uitstekend*", "super geholpen", "complimenten", "netjes"]},
        },
        "examples": {
            "en": ["Thank you to Jonas, problem solved in ten minutes", "Brilliant service, really impressed"],
            "es": ["Gracias a María, me lo resolvió todo en un momento"],
            "fr": ["Merci à l'équipe, service impeccable"],
            "de": ["Danke an das Team, super schnell geholfen"],
            "pt": ["Obrigado à equipa, atendimento impecável"],
            "it": ["Complimenti al servizio clienti, gentilissimi"],
            "nl": ["Complimenten aan de klantenservice, top geholpen"],
        },
    },
]


def _rules(value: R) -> tuple[tuple[str, LanguageRule], ...]:
    return tuple(sorted((language, LanguageRule.from_json(rule)) for language, rule in value.items()))


DEFAULT_SET: Final = "care"


def starter_sets() -> dict[str, str]:
    """The starter sets an admin picks from: name -> label (voc/themes/industries.py)."""
    return {name: label for name, (label, _) in INDUSTRIES.items()}


def starter_themes(name: str = DEFAULT_SET) -> tuple[Theme, ...]:
    """A starter set as `Theme` values: the care themes plus the industry's (ids stable across releases)."""
    if name not in INDUSTRIES:
        raise ValueError(f"unknown starter set {name!r}; choose one of {', '.join(INDUSTRIES)}")
    themes = []
    for spec in [*_THEMES, *INDUSTRIES[name][1]]:
        examples = tuple(
            Example(text, language) for language, texts in spec.get("examples", {}).items() for text in texts
        )
        themes.append(
            Theme(
                id=spec["id"],
                name=spec["name"],
                owner=spec["owner"],
                parent_id=spec.get("parent"),
                description=spec.get("description", ""),
                rules=_rules(spec["rules"]),
                examples=examples,
                origin=ThemeOrigin.STARTER,
            )
        )
    return tuple(themes)
