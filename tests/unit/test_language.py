"""Language detection: short customer texts, junk, and never raising."""

from __future__ import annotations

from typing import Any

import pytest

from voc.analysis import language
from voc.analysis.language import UNDETERMINED, detect_language


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
    ],
)
def test_short_text_language_is_detected(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_urls_handles_and_emoji_do_not_decide_the_language() -> None:
    text = "@acme_help https://t.co/xyz 😡😡 La livraison est encore en retard #colère"
    assert detect_language(text) == "fr"


@pytest.mark.parametrize(
    "junk",
    ["", "   ", "😂😂😂", "🔥", "https://t.co/abc123", "@user", "12345 678", "ok", "[email] [phone]"],
)
def test_text_without_enough_letters_is_undetermined(junk: str) -> None:
    assert detect_language(junk) == UNDETERMINED


@pytest.mark.parametrize("odd", ["\ud800 broken surrogate text", "\x00\x00", "a" * 100_000, None, 42])
def test_detection_never_raises(odd: Any) -> None:
    assert isinstance(detect_language(odd), str)


def test_detection_is_deterministic() -> None:
    text = "Ciao, il pacco non è ancora arrivato"
    assert {detect_language(text) for _ in range(5)} == {detect_language(text)}


class FakeDetector:
    def __init__(self, lang: str = "en", score: float = 0.9, error: Exception | None = None):
        self.lang, self.score, self.error = lang, score, error
        self.models: list[str] = []

    def detect(self, text: str, *, model: str, k: int) -> list[dict[str, Any]]:
        self.models.append(model)
        if self.error:
            raise self.error
        return [{"lang": self.lang, "score": self.score}]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDetector:
    detector = FakeDetector()
    monkeypatch.setattr(language, "_detector", lambda: detector)
    return detector


def test_only_the_bundled_lite_model_is_ever_asked_for(fake: FakeDetector) -> None:
    detect_language("some words here")
    assert fake.models == ["lite"]


def test_macro_language_codes_map_to_iso_639_1(fake: FakeDetector) -> None:
    fake.lang = "arz"
    assert detect_language("كلام كثير هنا") == "ar"


def test_codes_without_an_iso_639_1_form_are_undetermined(fake: FakeDetector) -> None:
    fake.lang = "ceb"
    assert detect_language("some words here") == UNDETERMINED


def test_low_scoring_guess_is_undetermined(fake: FakeDetector) -> None:
    fake.score = language.MIN_SCORE / 2
    assert detect_language("some words here") == UNDETERMINED


def test_detector_failure_is_undetermined(fake: FakeDetector) -> None:
    fake.error = RuntimeError("model file missing")
    assert detect_language("some words here") == UNDETERMINED
