"""Industry starter sets: every theme speaks every lexicon language, and its rules catch real wording."""

from __future__ import annotations

import pytest

from voc.analysis.lexicon import LEXICON_LANGUAGES
from voc.themes.industries import INDUSTRIES
from voc.themes.rules import ANY_LANGUAGE, RuleBook
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


def test_the_telecom_samples_cover_every_theme_and_language() -> None:
    added = {spec["id"] for spec in INDUSTRIES["telecom"][1]}
    assert set(TELECOM_SAMPLES) == added
    assert all(set(samples) == set(LANGUAGES) for samples in TELECOM_SAMPLES.values())


@pytest.mark.parametrize(
    ("theme", "language", "text"),
    [(theme, language, text) for theme, samples in TELECOM_SAMPLES.items() for language, text in samples.items()],
)
def test_telecom_rules_catch_wording_written_for_the_test(theme: str, language: str, text: str) -> None:
    assert theme in {match.theme_id for match in book("telecom").match(text, language)}


def test_portuguese_yes_is_not_a_sim_card() -> None:
    assert "sim" not in {match.theme_id for match in book("telecom").match("Sim, recomendo a loja", "pt")}
