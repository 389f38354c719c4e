"""The team's PII corpus (`tests/pii_corpus.py`) through the redactor: every listed format vanishes
exactly, and ordinary texts full of harmless numbers keep them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.pii_corpus import LANGUAGES, PiiCase, ordinary_texts, pii_cases
from voc.analysis.redaction import KINDS, redact

CASES = pii_cases()
ORDINARY = ordinary_texts()
FORMS = sorted({case.form for case in CASES})


def expected(case: PiiCase) -> str:
    return case.text[: case.start] + f"[{case.kind}]" + case.text[case.end :]


def test_the_corpus_covers_every_kind_and_language_and_enough_ordinary_texts() -> None:
    assert {case.kind for case in CASES} == set(KINDS)
    assert {case.language for case in CASES} == set(LANGUAGES)
    assert len(FORMS) >= 80
    assert len(ORDINARY) >= 1000
    assert {text.language for text in ORDINARY} == set(LANGUAGES)
    assert len({text.text for text in ORDINARY}) >= 990  # the generator varies them, it does not repeat one


@pytest.mark.parametrize("form", FORMS)
def test_each_listed_format_is_replaced_exactly_in_every_language(form: str) -> None:
    cases = [case for case in CASES if case.form == form]
    wrong = [
        (case.language, case.text, redact(case.text).text) for case in cases if redact(case.text).text != expected(case)
    ]
    assert wrong == []
    for case in cases:
        result = redact(case.text)
        assert case.kind in result.found
        assert [f.kind for f in result.findings] == [case.kind]
        assert (result.findings[0].start, result.findings[0].end) == (case.start, case.end)


def test_ordinary_texts_keep_their_numbers_with_under_one_percent_false_redactions() -> None:
    changed = [(text.form, text.text, redact(text.text).text) for text in ORDINARY if redact(text.text).findings]
    assert len(changed) < 0.01 * len(ORDINARY), changed
    # Whatever was redacted was ambiguous and says so in its rule (a "?" ending).
    for _, text, _ in changed:
        assert all(rule.endswith("?") for rule in redact(text).rules)


@pytest.mark.parametrize("form", ["imei", "iccid", "tracking code", "date or time", "price", "version or model"])
def test_device_and_sim_numbers_tracking_codes_dates_prices_and_versions_are_never_redacted(form: str) -> None:
    texts = [text for text in ORDINARY if text.form == form]
    assert len(texts) >= 100
    assert [t.text for t in texts if redact(t.text).text != t.text] == []


def test_false_redactions_are_spread_over_no_single_kind_of_number() -> None:
    changed = Counter(text.form for text in ORDINARY if redact(text.text).findings)
    sizes = Counter(text.form for text in ORDINARY)
    assert all(changed[form] <= 0.02 * sizes[form] for form in sizes), changed


HANDWRITTEN = Path(__file__).resolve().parents[1] / "fixtures" / "pii" / "handwritten.jsonl"


def handwritten() -> list[dict]:
    return [json.loads(line) for line in HANDWRITTEN.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("entry", handwritten(), ids=lambda e: e["language"] + ":" + e["text"][:24])
def test_handwritten_messages_with_several_values_lose_exactly_those(entry: dict) -> None:
    want = entry["text"]
    for kind, value in entry["values"]:
        assert value in want
        want = want.replace(value, f"[{kind}]", 1)
    result = redact(entry["text"])
    assert result.text == want
    assert sorted(f.kind for f in result.findings) == sorted(kind for kind, _ in entry["values"])
