"""Language detection: short customer texts, close pairs, hashtags, junk, and never raising."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from voc.analysis import language
from voc.analysis.language import UNDETERMINED, WORKSPACE_LANGUAGES, clean_for_detection, detect_language
from voc.sentiment.multilingual import SUPPORTED_LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The delivery was late again and nobody answered my email.", "en"),
        ("my app keeps crashing", "en"),
        ("El pedido llegó tarde y nadie me responde.", "es"),
        ("Muy buen servicio, gracias", "es"),
        ("La livraison est encore en retard, personne ne répond.", "fr"),
        ("Merci beaucoup !", "fr"),
        ("Die Lieferung kam wieder zu spät und niemand antwortet.", "de"),
        ("A entrega atrasou de novo e ninguém responde.", "pt"),
        ("Obrigado pela ajuda", "pt"),
        ("La consegna è arrivata in ritardo e nessuno risponde.", "it"),
        ("De app werkt niet meer sinds gisteren", "nl"),
        ("التطبيق لا يعمل منذ أمس", "ar"),
        ("Obrigado", "pt"),
        ("Gracias", "es"),
        ("Grazie mille", "it"),
        ("Danke schön", "de"),
        ("Bedankt voor de hulp", "nl"),
        ("Tout va bien", "fr"),
    ],
)
def test_short_text_language_is_detected(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_urls_handles_and_emoji_do_not_decide_the_language() -> None:
    text = "@acme_help https://t.co/xyz 😡😡 La livraison est encore en retard #colère"
    assert detect_language(text) == "fr"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Ibero- and Italo-Romance: the same sentence in three spellings.
        ("Não funciona", "pt"),
        ("No funciona", "es"),
        ("Non funziona", "it"),
        ("O app não abre desde ontem", "pt"),
        ("La app no abre desde ayer", "es"),
        ("L app non si apre da ieri", "it"),
        ("L appli ne s ouvre plus depuis hier", "fr"),
        # fastText's lite model leans Spanish on these; the second opinion settles them.
        ("fatura errada de novo", "pt"),
        ("Pelo amor de Deus", "pt"),
        ("Por el amor de Dios", "es"),
        # West Germanic.
        ("Funktioniert nicht", "de"),
        ("Werkt niet", "nl"),
        ("Alles gut", "de"),
        ("Alles goed", "nl"),
        ("Top, bedankt", "nl"),
    ],
)
def test_close_languages_are_told_apart(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_workspace_languages_are_the_ones_the_product_scores() -> None:
    assert set(WORKSPACE_LANGUAGES) == set(SUPPORTED_LANGUAGES)


def test_hashtags_are_dropped_when_the_rest_says_enough() -> None:
    text = "Adorei o atendimento de hoje #ServiceWin #CustomerLove"
    assert clean_for_detection(text) == "Adorei o atendimento de hoje"
    assert detect_language("Sem sinal de novo #NorthwindFail #SocialMedia") == "pt"


def test_a_text_of_hashtags_only_keeps_their_words() -> None:
    assert clean_for_detection("#MaisVoce #ServiceFail 😡") == "Mais Voce Service Fail"
    assert clean_for_detection("#fail") == "fail"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Η εφαρμογή δεν λειτουργεί από χθες", "el"),
        ("Приложение не работает со вчерашнего дня", "ru"),
        ("Dziękuję bardzo za szybką pomoc, wszystko działa", "pl"),
        ("Uygulama dünden beri çalışmıyor", "tr"),
    ],
)
def test_a_clear_language_outside_the_workspace_is_kept(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_mixed_scripts_give_one_of_the_languages_present() -> None:
    assert detect_language("الخدمة سيئة جدا Northwind") == "ar"
    assert detect_language("Merci pour le service 👍 شكرا جزيلا على المساعدة") in {"fr", "ar"}


def test_workspace_candidates_limit_an_ambiguous_answer() -> None:
    assert detect_language("fatura errada de novo", candidates=("pt", "en")) == "pt"
    assert detect_language("fatura errada de novo", candidates=("pt",)) == "pt"
    # A workspace without languages still gets clear answers; ambiguous texts then stay unknown.
    assert detect_language("Die Lieferung kam wieder zu spät und niemand antwortet.", candidates=()) == "de"
    assert detect_language("fatura errada de novo", candidates=()) == UNDETERMINED


@pytest.mark.parametrize(
    "junk",
    ["", "   ", "😂😂😂", "🔥", "https://t.co/abc123", "@user", "12345 678", "ok", "[email] [phone]"],
)
def test_text_without_enough_letters_is_undetermined(junk: str) -> None:
    assert detect_language(junk) == UNDETERMINED


@pytest.mark.parametrize(
    "odd",
    [
        "\ud800 broken surrogate text",
        "\udfff\ud800",
        "\x00\x00",
        "\x00\x1b[31m\x7f\x85",
        "a" * 100_000,
        "#" * 1_000_000,
        "@" * 1_000_000,
        "😂" * 1_000_000,
        "#a" * 500_000,
        "\ud800" * 1_000_000,
        None,
        42,
        b"bytes are not text",
    ],
)
def test_detection_never_raises(odd: Any) -> None:
    assert isinstance(detect_language(odd), str)


def test_broken_characters_do_not_hide_the_language() -> None:
    assert detect_language("\ud800 Die Lieferung kam wieder zu spät") == "de"
    assert detect_language("\x00\x01 Obrigado pela ajuda\x7f") == "pt"
    assert detect_language("Die Lieferung kam wieder zu spät. " * 30_000) == "de"  # about 1 MB


AMBIGUOUS = ["Ciao, il pacco non è ancora arrivato", "fatura errada de novo", "Pelo amor de Deus", "Top, bedankt"]


def test_detection_is_deterministic() -> None:
    first = [detect_language(t) for t in AMBIGUOUS]
    assert all([detect_language(t) for t in AMBIGUOUS] == first for _ in range(5))


def test_detection_is_the_same_in_another_process() -> None:
    # Another hash seed changes set and dict orders; the answers must not depend on them.
    script = "import json, sys; from voc.analysis.language import detect_language as d; "
    script += "print(json.dumps([d(t) for t in json.loads(sys.argv[1])]))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(AMBIGUOUS)],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
    )
    assert json.loads(done.stdout) == [detect_language(t) for t in AMBIGUOUS]


def test_the_second_opinion_leaves_the_global_random_generator_and_langdetect_alone() -> None:
    from langdetect import DetectorFactory

    random.seed(7)
    expected = random.random()
    random.seed(7)
    detect_language("fatura errada de novo")
    assert random.random() == expected
    assert DetectorFactory.seed is None  # langdetect's own factory is not reseeded for others


class FakeDetector:
    """fastText's place: answers the given guesses (language, probability), best first."""

    def __init__(self, guesses: list[tuple[str, float]] | None = None, error: Exception | None = None):
        self.guesses = guesses or [("en", 0.9)]
        self.error = error
        self.models: list[str] = []

    def detect(self, text: str, *, model: str, k: int) -> list[dict[str, Any]]:
        self.models.append(model)
        if self.error:
            raise self.error
        return [{"lang": lang, "score": score} for lang, score in self.guesses[:k]]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDetector:
    detector = FakeDetector()
    monkeypatch.setattr(language, "_detector", lambda: detector)
    return detector


@pytest.fixture
def second_opinions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Texts the second detector (langdetect) was asked about; it still answers for real."""
    asked: list[str] = []
    real = language._langdetect_scores

    def counting(cleaned: str, allowed: frozenset[str]) -> dict[str, float]:
        asked.append(cleaned)
        return real(cleaned, allowed)

    monkeypatch.setattr(language, "_langdetect_scores", counting)
    return asked


def test_only_the_bundled_lite_model_is_ever_asked_for(fake: FakeDetector) -> None:
    detect_language("some words here")
    assert fake.models == ["lite"]


def test_macro_language_codes_map_to_iso_639_1(fake: FakeDetector) -> None:
    fake.guesses = [("arz", 0.9)]
    assert detect_language("كلام كثير هنا") == "ar"


def test_codes_without_an_iso_639_1_form_are_undetermined(fake: FakeDetector) -> None:
    fake.guesses = [("ceb", 0.9)]
    assert detect_language("some words here") == UNDETERMINED


def test_a_clear_answer_needs_no_second_opinion(fake: FakeDetector, second_opinions: list[str]) -> None:
    fake.guesses = [("de", 0.95), ("nl", 0.02)]
    assert detect_language("Die App geht nicht") == "de"
    fake.guesses = [("es", 0.6), ("en", 0.35)]  # English is no close relative of Spanish
    assert detect_language("Die App geht nicht") == "es"
    assert second_opinions == []


def test_a_close_relative_near_the_best_guess_asks_for_a_second_opinion(
    fake: FakeDetector, second_opinions: list[str]
) -> None:
    fake.guesses = [("es", 0.55), ("pt", 0.4)]
    assert detect_language("Muito obrigada pelo atendimento, não esperava") == "pt"
    assert second_opinions == ["Muito obrigada pelo atendimento, não esperava"]


def test_a_low_scoring_guess_is_settled_by_the_second_opinion(fake: FakeDetector, second_opinions: list[str]) -> None:
    fake.guesses = [("es", 0.3), ("pt", 0.25), ("ca", 0.1)]
    assert detect_language("Muito obrigada pelo atendimento, não esperava") == "pt"
    assert len(second_opinions) == 1


def test_a_weak_foreign_guess_is_settled_among_the_workspace_languages(fake: FakeDetector) -> None:
    fake.guesses = [("gl", 0.45), ("pt", 0.3), ("es", 0.1)]  # Galician is not a workspace language
    assert detect_language("Obrigado pela ajuda, resolveu tudo") == "pt"
    fake.guesses = [("es", 0.4), ("pt", 0.35)]
    assert detect_language("Obrigado pela ajuda", candidates=("pt", "en")) == "pt"


def test_a_strong_foreign_guess_is_kept(fake: FakeDetector, second_opinions: list[str]) -> None:
    fake.guesses = [("pl", 0.9), ("cs", 0.05)]
    assert detect_language("some words here") == "pl"
    assert second_opinions == []


def test_nothing_known_from_either_detector_is_undetermined(
    fake: FakeDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.guesses = [("ceb", 0.3), ("war", 0.2)]  # no ISO 639-1 code, not strong
    monkeypatch.setattr(language, "_langdetect_scores", lambda cleaned, allowed: {})
    assert detect_language("some words here") == UNDETERMINED


def test_detector_failure_is_undetermined(fake: FakeDetector) -> None:
    fake.error = RuntimeError("model file missing")
    assert detect_language("some words here") == UNDETERMINED


def test_second_detector_failure_is_undetermined(fake: FakeDetector, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.guesses = [("es", 0.3), ("pt", 0.25)]

    def broken(cleaned: str, allowed: frozenset[str]) -> dict[str, float]:
        raise OSError("profile unreadable")

    monkeypatch.setattr(language, "_langdetect_scores", broken)
    assert detect_language("some words here") == UNDETERMINED
