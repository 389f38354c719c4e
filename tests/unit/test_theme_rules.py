"""Keyword rules per language: any / all / none, wildcards, phrases, misspellings, accents."""

from __future__ import annotations

import pytest

from voc.themes.rules import LanguageRule, RuleBook, validate_term
from voc.themes.starter import starter_themes
from voc.themes.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def starter_rules() -> RuleBook:
    return RuleBook({theme.id: dict(theme.rules) for theme in starter_themes()})


def themes_of(book: RuleBook, text: str, language: str) -> set[str]:
    return {match.theme_id for match in book.match(text, language)}


@pytest.mark.parametrize(
    ("language", "text", "theme"),
    [
        ("en", "I was charged twice for the same month", "billing.unexpected"),
        ("es", "Me han cobrado la factura dos veces", "billing"),
        ("fr", "J'attends toujours mon remboursement", "refunds"),
        ("de", "Seit einer Stunde in der Warteschleife", "waiting"),
        ("pt", "A minha encomenda ainda não chegou", "delivery"),
        ("it", "Il corriere non ha consegnato il pacco", "delivery"),
        ("nl", "Ik wil mijn abonnement opzeggen", "cancellation"),
        ("de", "Die Handyrechnung ist falsch", "billing"),  # *rechnung: a suffix wildcard
        ("fr", "Le SERVEUR VOCAL tourne en boucle", "ivr"),  # case folded
        ("es", "Sigo esperando el reembolsó", "refunds"),  # accents folded
    ],
)
def test_the_starter_rules_match_customer_wording_in_each_language(
    starter_rules: RuleBook, language: str, text: str, theme: str
) -> None:
    assert theme in themes_of(starter_rules, text, language)


def test_a_match_says_which_words_did_it(starter_rules: RuleBook) -> None:
    (match,) = [m for m in starter_rules.match("Still waiting for my refund", "en") if m.theme_id == "refunds"]
    assert match.words == ("refund",)
    assert match.reason == "matched: refund"
    assert match.confidence == 1.0


def test_a_misspelling_one_slip_away_matches_with_less_confidence() -> None:
    book = RuleBook({"delivery": {"en": LanguageRule(any=("~delivery",))}})
    (match,) = book.match("the delivry was late again", "en")
    assert match.words == ("delivry",) and match.fuzzy and match.confidence < 1.0
    assert book.match("the elivery was late", "en") == []  # the first letter must be right
    assert book.match("the discovery channel", "en") == []


def test_all_requires_every_term_and_none_vetoes() -> None:
    book = RuleBook({"store": {"en": LanguageRule(any=("store",), all=("staff",), none=("app store",))}})
    assert themes_of(book, "the staff in the store were lovely", "en") == {"store"}
    assert themes_of(book, "the store was closed", "en") == set()
    assert themes_of(book, "staff said to download it from the app store", "en") == set()


def test_phrases_match_words_in_a_row_and_wildcards_inside_words() -> None:
    book = RuleBook({"t": {"en": LanguageRule(any=("charged twice", "re*und"))}})
    assert themes_of(book, "They CHARGED me... no: charged, twice!", "en") == {"t"}  # punctuation between is fine
    assert themes_of(book, "twice charged", "en") == set()
    assert themes_of(book, "a rebound", "en") == {"t"}


def test_rules_of_the_texts_language_apply_and_star_rules_apply_everywhere() -> None:
    book = RuleBook(
        {
            "a": {"fr": LanguageRule(any=("colis",))},
            "b": {"*": LanguageRule(any=("5g",))},
            "c": {"en": LanguageRule(any=("parcel",))},
        }
    )
    assert themes_of(book, "colis perdu, pas de 5G", "fr") == {"a", "b"}
    assert themes_of(book, "colis", "de") == {"a"}  # a language without rules: every language's rules
    assert themes_of(book, "parcel colis", "und") == {"a", "c"}


def test_a_term_that_would_match_everything_is_refused() -> None:
    assert validate_term("*") is not None
    assert validate_term("  ") is not None
    assert validate_term("refund*") is None


def test_the_starter_taxonomy_has_the_issues_themes_with_owners_in_seven_languages() -> None:
    taxonomy = Taxonomy(1, starter_themes())
    top = {theme.id for theme in taxonomy.top_level()}
    assert {
        "delivery",
        "billing",
        "refunds",
        "app",
        "website",
        "quality",
        "pricing",
        "staff",
        "information",
        "waiting",
        "ivr",
        "transfers",
        "store",
        "cancellation",
        "praise",
    } <= top
    for theme in taxonomy.top_level():
        assert theme.owner
        assert {"en", "es", "fr", "de", "pt", "it", "nl"} <= {
            language for language, rule in theme.rules if not rule.empty
        }
        assert {"en", "es", "fr", "de", "pt", "it", "nl"} <= {example.language for example in theme.examples}
    assert all(taxonomy.get(t.parent_id) is not None for t in taxonomy.themes if t.parent_id)
