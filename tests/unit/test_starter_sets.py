"""Industry starter sets: every theme speaks every lexicon language, and its rules catch real wording."""

from __future__ import annotations

import pytest

from voc.sentiment.lexicon import LEXICON_LANGUAGES
from voc.themes.industries import INDUSTRIES
from voc.themes.rules import ANY_LANGUAGE, RuleBook, validate_term
from voc.themes.starter import DEFAULT_SET, starter_sets, starter_themes

LANGUAGES = ("en", *LEXICON_LANGUAGES)  # English and every language the sentiment lexicons cover

# Sample texts written for these tests (not taken from the rules or the examples), per theme and language.
TELECOM_SAMPLES = {
    "network": {
        "en": "Coverage in my street is awful, one bar at best",
        "es": "La cobertura en mi barrio es malísima",
        "fr": "Aucune couverture dans mon village",
        "de": "Im Büro habe ich überhaupt keinen Empfang",
        "pt": "Não tenho rede nenhuma no escritório",
        "it": "In ufficio non c'è campo",
        "nl": "Slecht bereik in de trein",
        "ar": "الشبكة ضعيفة جدا في الحي",
        "hi": "Office mein signal bilkul nahi hai",
    },
    "network.outage": {
        "en": "Is there an outage? Nothing works since noon",
        "es": "¿Hay una caída de red? Estoy sin servicio",
        "fr": "Encore une panne, plus rien ne marche",
        "de": "Schon wieder eine Störung, gar nichts geht",
        "pt": "Mais uma falha, estou sem serviço",
        "it": "Ennesimo guasto, tutto fuori servizio",
        "nl": "Weer een storing, niets werkt",
        "ar": "يوجد انقطاع في الخدمة منذ الظهر",
        "hi": "Aaj phir network down hai",
    },
    "data": {
        "en": "5G speeds dropped to nothing tonight",
        "es": "Los datos móviles no funcionan",
        "fr": "Le débit 4G est ridicule ce soir",
        "de": "Mein Datenvolumen ist schon wieder weg",
        "pt": "A internet está lenta o dia todo",
        "it": "Ho finito i giga a metà mese",
        "nl": "Mobiele data doet het niet",
        "ar": "باقة البيانات انتهت بسرعة",
        "hi": "Data khatam ho gaya itni jaldi",
    },
    "roaming": {
        "en": "Roaming didn't work at all in Spain",
        "es": "El roaming no funcionó en Francia",
        "fr": "Facturé en itinérance sans raison",
        "de": "Im Ausland ging das Handy gar nicht",
        "pt": "No estrangeiro o telemóvel não funcionou",
        "it": "All'estero il telefono non andava",
        "nl": "In het buitenland had ik geen internet",
        "ar": "التجوال لا يعمل في فرنسا",
        "hi": "Roaming pack activate nahi hua",
    },
    "sim": {
        "en": "My replacement SIM still hasn't arrived",
        "es": "La eSIM no se activa",
        "fr": "Ma carte SIM est bloquée, il me faut le code PUK",
        "de": "Die neue SIM-Karte funktioniert nicht",
        "pt": "O cartão SIM novo não funciona",
        "it": "La scheda SIM nuova non funziona",
        "nl": "Mijn simkaart doet het niet meer",
        "ar": "الشريحة الجديدة لا تعمل",
        "hi": "Sim band ho gaya bina bataye",
    },
    "device": {
        "en": "The upgrade I ordered came with a cracked screen",
        "es": "La pantalla rota y la reparación tarda un mes",
        "fr": "La réparation de mon téléphone prend des semaines",
        "de": "Die Reparatur dauert schon drei Wochen",
        "pt": "A reparação do telemóvel demora imenso",
        "it": "La riparazione del telefono dura da settimane",
        "nl": "De reparatie van mijn toestel duurt eeuwig",
        "ar": "تصليح الهاتف يأخذ أسابيع",
        "hi": "Phone repair mein teen hafte lag gaye",
    },
    "porting": {
        "en": "Can I keep my number if I join?",
        "es": "La portabilidad lleva una semana parada",
        "fr": "La portabilité de mon numéro bloque",
        "de": "Die Portierung hängt seit Tagen",
        "pt": "A portabilidade está parada há uma semana",
        "it": "La portabilità è ferma da giorni",
        "nl": "Mijn nummerbehoud is nog steeds niet rond",
        "ar": "طلب نقل الرقم متوقف منذ أسبوع",
        "hi": "MNP request abhi tak pending hai",
    },
}

RETAIL_SAMPLES = {
    "stock": {
        "en": "The trainers I wanted are out of stock in every size",
        "es": "Las zapatillas están agotadas en todas las tallas",
        "fr": "Les baskets sont en rupture de stock partout",
        "de": "Die Schuhe sind in allen Größen ausverkauft",
        "pt": "Os ténis estão esgotados em todos os tamanhos",
        "it": "Le scarpe sono esaurite in tutte le taglie",
        "nl": "De schoenen zijn in elke maat uitverkocht",
        "ar": "الحذاء غير متوفر بأي مقاس",
        "hi": "Shoes har size mein out of stock hain",
    },
    "orders": {
        "en": "Got the wrong size in my order and no return label",
        "es": "Mi pedido trae una talla equivocada",
        "fr": "Ma commande est arrivée dans la mauvaise taille",
        "de": "Meine Bestellung kam in der falschen Größe",
        "pt": "O meu pedido veio no tamanho errado",
        "it": "Il mio ordine è arrivato nella taglia sbagliata",
        "nl": "Mijn bestelling kwam in de verkeerde maat",
        "ar": "طلبي وصل بالمقاس خاطئ",
        "hi": "Mera order galat size mein aaya",
    },
    "loyalty": {
        "en": "My loyalty points vanished after the app update",
        "es": "Han desaparecido mis puntos de la tarjeta",
        "fr": "Mes points fidélité ont disparu",
        "de": "Meine Punkte sind nach dem Einkauf nicht gutgeschrieben",
        "pt": "Os meus pontos desapareceram do cartão cliente",
        "it": "I miei punti sono spariti dalla carta fedeltà",
        "nl": "Mijn spaarpunten zijn verdwenen",
        "ar": "اختفت نقاطي من الحساب",
        "hi": "Mere points gayab ho gaye",
    },
}
BANKING_SAMPLES = {
    "cards": {
        "en": "Why is my card blocked again? I'm abroad",
        "es": "La tarjeta bloqueada otra vez estando de viaje",
        "fr": "Carte bloquée encore une fois en voyage",
        "de": "Karte gesperrt, mitten im Urlaub",
        "pt": "Cartão bloqueado outra vez em viagem",
        "it": "Carta bloccata di nuovo mentre sono in viaggio",
        "nl": "Mijn pas is weer geblokkeerd op vakantie",
        "ar": "البطاقة محظورة مرة أخرى وأنا مسافر",
        "hi": "Travel ke time card block ho gaya",
    },
    "payments": {
        "en": "Salary transfer still not in my account",
        "es": "La transferencia de la nómina no ha llegado",
        "fr": "Le virement de mon salaire n'est pas arrivé",
        "de": "Die Überweisung vom Gehalt ist nicht angekommen",
        "pt": "A transferência do salário ainda não chegou",
        "it": "Il bonifico dello stipendio non è arrivato",
        "nl": "De overboeking van mijn salaris is er nog niet",
        "ar": "تحويل الراتب لم يصل بعد",
        "hi": "Salary ka transfer abhi tak nahi aaya",
    },
    "fraud": {
        "en": "Got a scam text pretending to be you and lost £300",
        "es": "Me llegó un SMS de estafa haciéndose pasar por el banco",
        "fr": "J'ai reçu un SMS d'arnaque au nom de la banque",
        "de": "Ich bin auf eine Phishing-SMS reingefallen",
        "pt": "Caí num golpe por SMS em nome do banco",
        "it": "Ho ricevuto un SMS truffa a nome della banca",
        "nl": "Ik ben slachtoffer van oplichting via sms",
        "ar": "وصلتني رسالة احتيال باسم البنك",
        "hi": "Bank ke naam pe scam message aaya",
    },
}
TRAVEL_SAMPLES = {
    "delays": {
        "en": "Two hour delay and we're still on the tarmac",
        "es": "Dos horas de retraso y seguimos en la pista",
        "fr": "Deux heures de retard et on est toujours sur le tarmac",
        "de": "Zwei Stunden Verspätung und wir stehen noch auf dem Vorfeld",
        "pt": "Duas horas de atraso e ainda na pista",
        "it": "Due ore di ritardo e siamo ancora in pista",
        "nl": "Twee uur vertraging en we staan nog op het platform",
        "ar": "تأخير ساعتين وما زلنا على المدرج",
        "hi": "Do ghante ka delay aur abhi bhi runway pe",
    },
    "baggage": {
        "en": "My suitcase came out of the carousel smashed",
        "es": "Mi maleta salió rota de la cinta",
        "fr": "Ma valise est arrivée cassée",
        "de": "Mein Koffer kam kaputt aus dem Gepäckband",
        "pt": "A minha mala chegou partida",
        "it": "La mia valigia è arrivata rotta",
        "nl": "Mijn koffer kwam kapot van de band",
        "ar": "حقيبتي وصلت مكسورة",
        "hi": "Mera suitcase toota hua mila",
    },
    "booking": {
        "en": "Can't pick a seat unless I pay extra",
        "es": "No puedo elegir asiento sin pagar más",
        "fr": "Impossible de choisir un siège sans payer",
        "de": "Sitzplatzwahl nur gegen Aufpreis",
        "pt": "Não consigo fazer o check-in online",
        "it": "Non riesco a fare il check-in online",
        "nl": "Ik kan geen stoel kiezen zonder bij te betalen",
        "ar": "لا أستطيع اختيار المقعد بدون دفع إضافي",
        "hi": "Seat choose karne ke liye extra paisa",
    },
}
SOFTWARE_SAMPLES = {
    "bugs": {
        "en": "Found a bug: the export button does nothing",
        "es": "Hay un fallo: el botón de exportar no hace nada",
        "fr": "Encore un bug, le bouton exporter ne marche pas",
        "de": "Fehler beim Export, der Knopf tut nichts",
        "pt": "O programa trava quando exporto",
        "it": "Errore quando esporto, il pulsante non fa nulla",
        "nl": "Foutmelding bij het exporteren",
        "ar": "يظهر خطأ عند التصدير",
        "hi": "Export karte hi error aata hai",
    },
    "performance": {
        "en": "The dashboard is so slow since Monday",
        "es": "El panel va lento desde el lunes",
        "fr": "Le tableau de bord est lent depuis lundi",
        "de": "Das Dashboard ist seit Montag langsam",
        "pt": "O painel está lento desde segunda",
        "it": "La dashboard è lenta da lunedì",
        "nl": "Het dashboard is traag sinds maandag",
        "ar": "لوحة التحكم بطيئة منذ الاثنين",
        "hi": "Dashboard Monday se slow hai",
    },
    "subscription": {
        "en": "How do I cancel the auto-renewal before the free trial ends?",
        "es": "¿Cómo quito la renovación antes de que acabe la prueba gratis?",
        "fr": "Comment arrêter le renouvellement avant la fin de l'essai gratuit ?",
        "de": "Wie stoppe ich die Verlängerung vor Ende der Testphase?",
        "pt": "Como paro a renovação antes do fim do teste grátis?",
        "it": "Come blocco il rinnovo prima della fine della prova gratuita?",
        "nl": "Hoe stop ik de verlenging voor het einde van de proefperiode?",
        "ar": "كيف أوقف التجديد قبل نهاية الفترة التجريبية؟",
        "hi": "Free trial khatam hone se pehle renewal kaise band karu?",
    },
}
SAMPLES = {
    "telecom": TELECOM_SAMPLES,
    "retail": RETAIL_SAMPLES,
    "banking": BANKING_SAMPLES,
    "travel": TRAVEL_SAMPLES,
    "software": SOFTWARE_SAMPLES,
}


def book(name: str) -> RuleBook:
    return RuleBook({theme.id: dict(theme.rules) for theme in starter_themes(name)})


def test_the_sets_offered_are_care_and_the_industries() -> None:
    assert set(starter_sets()) == set(INDUSTRIES) and DEFAULT_SET in starter_sets()
    care = {theme.id for theme in starter_themes(DEFAULT_SET)}
    for name in INDUSTRIES:
        ids = [theme.id for theme in starter_themes(name)]
        assert len(ids) == len(set(ids)) and care <= set(ids)  # the root-cause families are in every set
    with pytest.raises(ValueError, match="unknown starter set"):
        starter_themes("bakery")


@pytest.mark.parametrize("name", [name for name in INDUSTRIES if INDUSTRIES[name][1]])
def test_every_industry_theme_has_rules_and_an_example_in_every_language(name: str) -> None:
    added = {spec["id"] for spec in INDUSTRIES[name][1]}
    for theme in starter_themes(name):
        if theme.id not in added:
            continue
        ruled = {language for language, rule in theme.rules if not rule.empty}
        assert ruled >= set(LANGUAGES) or ANY_LANGUAGE in ruled, (theme.id, set(LANGUAGES) - ruled)
        assert {example.language for example in theme.examples} >= set(LANGUAGES), theme.id


def test_the_samples_cover_every_industry_theme_and_language() -> None:
    assert set(SAMPLES) == {name for name, (_, added) in INDUSTRIES.items() if added}
    for name, samples in SAMPLES.items():
        assert set(samples) == {spec["id"] for spec in INDUSTRIES[name][1]}, name
        assert all(set(texts) == set(LANGUAGES) for texts in samples.values()), name


@pytest.mark.parametrize(
    ("name", "theme", "language", "text"),
    [
        (name, theme, language, text)
        for name, samples in SAMPLES.items()
        for theme, texts in samples.items()
        for language, text in texts.items()
    ],
)
def test_industry_rules_catch_wording_written_for_the_test(name: str, theme: str, language: str, text: str) -> None:
    assert theme in {match.theme_id for match in book(name).match(text, language)}


def test_portuguese_yes_is_not_a_sim_card() -> None:
    assert "sim" not in {match.theme_id for match in book("telecom").match("Sim, recomendo a loja", "pt")}


@pytest.mark.parametrize("name", list(INDUSTRIES))
def test_every_term_of_every_set_is_a_valid_rule_term(name: str) -> None:
    for theme in starter_themes(name):
        for _, rule in theme.rules:
            assert all(validate_term(term) is None for term in (*rule.any, *rule.all, *rule.none)), theme.id
