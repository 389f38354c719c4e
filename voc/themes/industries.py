"""Starter sets by industry: the customer-care starter plus the themes one industry talks about.

The care starter (`voc.themes.starter`) already holds the root-cause families contact-centre practice
names (training gaps: staff attitude, wrong information; IVR and routing: phone menu, transfers,
waiting; workflows and knowledge: information, website; product defects: quality, app; billing).
An industry adds the topics its customers raise that no generic list has: for a mobile network,
signal, coverage, outages, data, roaming, SIM and eSIM, devices and number porting. Each theme has
rules and an example in every language the sentiment lexicons cover (voc/analysis/lexicon.py:
en, es, fr, de, pt, it, nl, ar and romanised Hindi).

Domain module: no Streamlit.
"""

from __future__ import annotations

from typing import Any, Final

TELECOM: Final[list[dict[str, Any]]] = [
    {
        "id": "network",
        "name": "Network and coverage",
        "owner": "Network operations",
        "description": "Signal strength, coverage at home or on the road, dropped calls, dead zones.",
        "rules": {
            "en": {
                "any": ["signal", "coverage", "no bars", "one bar", "dropped call*", "dead zone", "mast", "reception"]
            },
            "es": {"any": ["cobertura", "senal", "sin senal", "llamadas se cortan", "antena"]},
            "fr": {"any": ["reseau", "couverture", "pas de reseau", "zone blanche", "antenne", "appels coupes"]},
            "de": {"any": ["netz", "empfang", "kein netz", "funkloch", "netzabdeckung", "*netz", "mast"]},
            "pt": {"any": ["rede", "cobertura", "sem rede", "sinal", "antena", "chamadas caem"]},
            "it": {"any": ["campo", "copertura", "rete", "niente campo", "segnale", "antenna"]},
            "nl": {"any": ["bereik", "dekking", "geen bereik", "netwerk", "signaal", "zendmast"]},
            "ar": {"any": ["تغطية", "الشبكة", "شبكة", "اشارة", "الاشارة", "لا توجد تغطية"]},
            "hi": {"any": ["network", "signal", "range nahi", "network nahi", "coverage", "call drop"]},
        },
        "examples": {
            "en": ["No signal indoors at home for a week now"],
            "es": ["No tengo cobertura en casa desde hace días"],
            "fr": ["Pas de réseau chez moi depuis des jours"],
            "de": ["Seit Tagen kein Netz in der Wohnung"],
            "pt": ["Sem rede em casa há vários dias"],
            "it": ["Niente campo in casa da giorni"],
            "nl": ["Al dagen geen bereik binnen in huis"],
            "ar": ["لا توجد تغطية في بيتي منذ أيام"],
            "hi": ["Ghar pe network hi nahi aa raha kai din se"],
        },
    },
    {
        "id": "network.outage",
        "parent": "network",
        "name": "Outage",
        "owner": "Network operations",
        "description": "The network or a service is down for many customers at once: no service, SOS only.",
        "rules": {
            "en": {
                "any": [
                    "outage",
                    "died",
                    "is down",
                    "sos only",
                    "no service",
                    "went down",
                    "can't call",
                    "cant call",
                    "can't text",
                    "completely dead",
                    "is dead",
                    "emergency calls only",
                    "offline",
                ]
            },
            "es": {
                "any": [
                    "caida",
                    "caidas",
                    "*caido",
                    "sin servicio",
                    "solo sos",
                    "solo emergencias",
                    "apagon",
                    "no puedo ni llamar",
                    "no puedo llamar",
                ]
            },
            "fr": {
                "any": [
                    "panne",
                    "en panne",
                    "reseau coupe",
                    "sos uniquement",
                    "urgences uniquement",
                    "plus de service",
                    "hors service",
                    "impossible d'appeler",
                ]
            },
            "de": {
                "any": [
                    "storung",
                    "*storung",
                    "ausfall",
                    "netzausfall",
                    "nur notruf*",
                    "komplett weg",
                    "seit stunden tot",
                ]
            },
            "pt": {
                "any": [
                    "falha",
                    "apagao",
                    "em baixo",
                    "so sos",
                    "sem servico",
                    "fora do ar",
                    "caiu",
                    "nao consigo ligar",
                ]
            },
            "it": {
                "any": [
                    "guasto",
                    "disservizio",
                    "down",
                    "solo sos",
                    "fuori servizio",
                    "blackout",
                    "chiamate di emergenza",
                    "niente chiamate",
                    "e morto",
                ]
            },
            "nl": {
                "any": [
                    "storing",
                    "*storing",
                    "uitval",
                    "alleen sos",
                    "alleen noodoproepen",
                    "ligt eruit",
                    "plat",
                    "niemand bellen",
                ]
            },
            "ar": {"any": ["انقطاع", "عطل", "الشبكة معطلة", "طوارئ فقط", "انقطاع الخدمة"]},
            "hi": {"any": ["outage", "network down", "band hai", "sos only", "service band"]},
        },
        "examples": {
            "en": ["Whole network is down, phone says SOS only"],
            "es": ["Caída total de la red, el móvil solo muestra SOS"],
            "fr": ["Panne générale du réseau, mon téléphone affiche SOS uniquement"],
            "de": ["Großflächige Störung, das Handy zeigt nur Notruf"],
            "pt": ["A rede caiu toda, o telemóvel só mostra SOS"],
            "it": ["Guasto alla rete, il telefono mostra solo SOS"],
            "nl": ["Landelijke storing, mijn telefoon toont alleen SOS"],
            "ar": ["انقطاع كامل في الشبكة، الهاتف يعرض طوارئ فقط"],
            "hi": ["Poora network down hai, phone pe sirf SOS dikh raha"],
        },
    },
    {
        "id": "data",
        "name": "Mobile data and speed",
        "owner": "Network operations",
        "description": "Slow or no mobile internet, 4G/5G speeds, data allowances running out.",
        "rules": {
            "en": {"any": ["mobile data", "data", "4g", "5g", "slow internet", "mbps", "speed*", "hotspot"]},
            "es": {"any": ["datos", "datos moviles", "4g", "5g", "internet lento", "velocidad", "megas"]},
            "fr": {"any": ["donnees mobiles", "4g", "5g", "debit", "internet lent", "forfait data", "data"]},
            "de": {
                "any": ["mobile daten", "datenvolumen", "4g", "5g", "lte", "langsam*", "internet", "geschwindigkeit"]
            },
            "pt": {"any": ["dados moveis", "dados", "4g", "5g", "internet", "velocidade", "net"]},
            "it": {"any": ["dati", "giga", "4g", "5g", "internet lento", "velocita", "connessione"]},
            "nl": {"any": ["mobiele data", "data", "4g", "5g", "traag", "snelheid", "internet"]},
            "ar": {"any": ["الانترنت", "الإنترنت", "بيانات", "باقة البيانات", "بطيء", "4g", "5g"]},
            "hi": {"any": ["data", "net slow", "internet", "4g", "5g", "speed"]},
        },
        "examples": {
            "en": ["Mobile data is crawling, full bars and nothing loads"],
            "es": ["Los datos móviles van lentísimos"],
            "fr": ["Les données mobiles rament, rien ne charge"],
            "de": ["Mobile Daten extrem langsam, nichts lädt"],
            "pt": ["Os dados móveis estão lentíssimos"],
            "it": ["I dati sono lentissimi, non carica niente"],
            "nl": ["Mobiele data is super traag vandaag"],
            "ar": ["الإنترنت بطيء جدا ولا شيء يفتح"],
            "hi": ["Net bahut slow hai, kuch load nahi ho raha"],
        },
    },
    {
        "id": "roaming",
        "name": "Roaming",
        "owner": "Commercial",
        "description": "Using the phone abroad: roaming charges, passes, no service in another country.",
        "rules": {
            "en": {"any": ["roaming", "abroad", "travel pass", "overseas"]},
            "es": {"any": ["roaming", "itinerancia", "extranjero"]},
            "fr": {"any": ["itinerance", "roaming", "etranger", "a l'etranger"]},
            "de": {"any": ["roaming", "ausland", "im ausland"]},
            "pt": {"any": ["roaming", "estrangeiro", "no exterior"]},
            "it": {"any": ["roaming", "estero", "all'estero"]},
            "nl": {"any": ["roaming", "buitenland", "in het buitenland"]},
            "ar": {"any": ["تجوال", "التجوال", "خارج البلد", "في الخارج"]},
            "hi": {"any": ["roaming", "abroad", "videsh", "international pack"]},
        },
        "examples": {
            "en": ["Huge roaming charge for one day abroad"],
            "es": ["Me cobraron roaming por un día en el extranjero"],
            "fr": ["Des frais d'itinérance énormes pour un jour à l'étranger"],
            "de": ["Hohe Roaming-Gebühren für einen Tag im Ausland"],
            "pt": ["Cobraram roaming por um dia no estrangeiro"],
            "it": ["Costi di roaming assurdi per un giorno all'estero"],
            "nl": ["Hoge roamingkosten voor één dag in het buitenland"],
            "ar": ["رسوم تجوال كبيرة ليوم واحد في الخارج"],
            "hi": ["Ek din videsh mein aur roaming ka itna bill"],
        },
    },
    {
        "id": "sim",
        "name": "SIM and eSIM",
        "owner": "Digital product",
        "description": "SIM cards and eSIMs: activation, swaps, PUK codes, a SIM that never arrived.",
        "rules": {
            "*": {"any": ["esim", "e-sim", "puk"]},  # not "sim" everywhere: in Portuguese it means "yes"
            "en": {"any": ["sim", "sim card", "sim swap", "activate my sim", "qr code"]},
            "es": {"any": ["sim", "tarjeta sim", "activar la sim", "duplicado de sim"]},
            "fr": {"any": ["sim", "carte sim", "activer ma sim", "code qr"]},
            "de": {"any": ["sim", "sim-karte", "simkarte", "sim karte", "aktivier*"]},
            "pt": {"any": ["cartao sim", "o sim", "ativar o sim", "ativar a esim"]},
            "it": {"any": ["sim", "scheda sim", "attivare la sim", "attivazione"]},
            "nl": {"any": ["sim", "simkaart", "sim kaart", "activeren"]},
            "ar": {"any": ["شريحة", "الشريحة", "تفعيل الشريحة"]},
            "hi": {"any": ["sim card", "sim band", "sim activate"]},
        },
        "examples": {
            "en": ["How do I move my eSIM to a new phone?"],
            "es": ["¿Cómo paso mi eSIM al móvil nuevo?"],
            "fr": ["Comment transférer mon eSIM sur un nouveau téléphone ?"],
            "de": ["Wie übertrage ich meine eSIM auf ein neues Handy?"],
            "pt": ["Como passo a eSIM para o telemóvel novo?"],
            "it": ["Come sposto la eSIM sul telefono nuovo?"],
            "nl": ["Hoe zet ik mijn eSIM over naar een nieuwe telefoon?"],
            "ar": ["كيف أنقل شريحة eSIM إلى هاتف جديد؟"],
            "hi": ["Naye phone mein eSIM kaise transfer karu?"],
        },
    },
    {
        "id": "device",
        "name": "Phones and devices",
        "owner": "Devices",
        "description": "Handsets bought or financed: upgrades, repairs, faults, trade-ins.",
        "rules": {
            "*": {"any": ["iphone*", "galaxy", "pixel"]},
            "en": {"any": ["handset", "upgrade", "repair*", "cracked screen", "battery", "trade-in", "new phone"]},
            "es": {"any": ["movil nuevo", "terminal", "reparacion", "pantalla rota", "bateria", "renove"]},
            "fr": {"any": ["telephone neuf", "nouveau telephone", "reparation", "ecran casse", "batterie"]},
            "de": {
                "any": ["neues handy", "handy kaputt", "reparatur", "display kaputt", "akku", "vertragsverlangerung"]
            },
            "pt": {"any": ["telemovel novo", "celular novo", "reparacao", "ecra partido", "bateria"]},
            "it": {"any": ["telefono nuovo", "riparazione", "schermo rotto", "batteria"]},
            "nl": {"any": ["nieuwe telefoon", "toestel", "reparatie", "scherm kapot", "accu", "batterij"]},
            "ar": {"any": ["الهاتف الجديد", "جهاز", "تصليح", "الشاشة مكسورة", "البطارية"]},
            "hi": {"any": ["naya phone", "phone kharab", "repair", "screen toot", "battery"]},
        },
        "examples": {
            "en": ["My new handset stopped charging after a week"],
            "es": ["El móvil nuevo dejó de cargar a la semana"],
            "fr": ["Mon téléphone neuf ne charge plus après une semaine"],
            "de": ["Das neue Handy lädt nach einer Woche nicht mehr"],
            "pt": ["O telemóvel novo deixou de carregar numa semana"],
            "it": ["Il telefono nuovo non si carica più dopo una settimana"],
            "nl": ["Mijn nieuwe toestel laadt na een week niet meer op"],
            "ar": ["الهاتف الجديد توقف عن الشحن بعد أسبوع"],
            "hi": ["Naya phone ek hafte mein charge hona band ho gaya"],
        },
    },
    {
        "id": "porting",
        "name": "Number porting and switching",
        "owner": "Retention",
        "description": "Keeping a number when joining or leaving: PAC and porting codes, switching networks.",
        "rules": {
            "en": {"any": ["port my number", "porting", "pac code", "keep my number", "switch network*", "stac"]},
            "es": {"any": ["portabilidad", "portar mi numero", "mantener mi numero", "cambiarme de compania"]},
            "fr": {"any": ["portabilite", "code rio", "garder mon numero", "changer d'operateur"]},
            "de": {"any": ["rufnummernmitnahme", "portierung", "nummer mitnehmen", "anbieterwechsel"]},
            "pt": {"any": ["portabilidade", "manter o numero", "mudar de operadora"]},
            "it": {"any": ["portabilita", "portare il numero", "mantenere il numero", "cambiare operatore"]},
            "nl": {"any": ["nummerbehoud", "nummer meenemen", "overstappen", "overstapservice"]},
            "ar": {"any": ["نقل الرقم", "نقل رقمي", "الاحتفاظ برقمي", "تغيير الشركة"]},
            "hi": {"any": ["port", "number port", "mnp", "number wahi rakhna"]},
        },
        "examples": {
            "en": ["How long does it take to port my number?"],
            "es": ["¿Cuánto tarda la portabilidad de mi número?"],
            "fr": ["Combien de temps pour la portabilité de mon numéro ?"],
            "de": ["Wie lange dauert die Rufnummernmitnahme?"],
            "pt": ["Quanto tempo demora a portabilidade do número?"],
            "it": ["Quanto ci vuole per la portabilità del numero?"],
            "nl": ["Hoe lang duurt nummerbehoud bij overstappen?"],
            "ar": ["كم يستغرق نقل رقمي إلى شركة أخرى؟"],
            "hi": ["Number port karne mein kitne din lagte hain?"],
        },
    },
]

# name -> (label shown to the admin, the themes an industry adds to the care starter)
INDUSTRIES: Final[dict[str, tuple[str, list[dict[str, Any]]]]] = {
    "care": ("Customer care (any industry)", []),
    "telecom": ("Telecom: mobile network and broadband", TELECOM),
}
