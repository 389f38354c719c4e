"""The bundled demo scenario: the offline feed a newcomer sees on first run.

The scenario is hand-written team content (a fictional brand, Northwind Mobile, and two fictional
competitors). These tests pin down the story it has to tell: a multilingual, realistic feed with an
outage spike, competitor chatter, copy-paste complaints, and personal data the app must redact.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

SCENARIO = Path(__file__).resolve().parents[2] / "listeners" / "demo" / "scenario.jsonl"

BRAND = "Northwind Mobile"
COMPETITORS = {"Bluepeak", "Skyline Telecom"}
OUTAGE_START, OUTAGE_END = 2400, 2700
SCENARIO_END = 4320
WINDOW = 300
MENTION_CHANNELS = {"x", "instagram", "facebook", "reddit"}
SURVEYS = {"Post-contact CSAT": ("csat", 1, 5), "Quarterly NPS": ("nps", 0, 10)}
TONES = {"negative", "neutral", "positive"}
PII_KINDS = {"email", "phone", "card", "iban"}
MAIN_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")

Item = dict[str, Any]

# --------------------------------------------------------------------------- detectors
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}")
CARD_RE = re.compile(r"(?<![\d+])\d(?:[ -]?\d){12,18}(?!\d)")
PHONE_RE = re.compile(r"(?:\+\d{1,3}[ ]?)?(?:\(\d{3}\)[ ]?)?\d[\d \-]{6,14}\d")
IBAN_LENGTHS = {"GB": 22, "DE": 22, "FR": 27, "ES": 24, "NL": 18, "IT": 27, "PT": 25, "BE": 16}


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def iban_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def ibans_in(text: str) -> list[str]:
    """Valid IBANs in the text, compact (a candidate is cut to its country's length)."""
    found = []
    for match in IBAN_RE.finditer(text):
        compact = match.group(0).replace(" ", "")
        length = IBAN_LENGTHS.get(compact[:2])
        if length and len(compact) >= length and iban_ok(compact[:length]):
            found.append(compact[:length])
    return found


def card_candidates(text: str) -> list[str]:
    """13-19 digit runs (spaces or dashes allowed), ignoring IBANs, e-mails and "+country" phone prefixes."""
    text = IBAN_RE.sub(lambda m: " " if ibans_in(m.group(0)) else m.group(0), text)
    text = EMAIL_RE.sub(" ", text)
    return [match.group(0) for match in CARD_RE.finditer(text)]


def cards_in(text: str) -> list[str]:
    return [c for c in card_candidates(text) if luhn_ok(re.sub(r"\D", "", c))]


def normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def items() -> list[Item]:
    with SCENARIO.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def mentions(items: list[Item]) -> list[Item]:
    return [item for item in items if item["kind"] == "mention"]


@pytest.fixture(scope="module")
def surveys(items: list[Item]) -> list[Item]:
    return [item for item in items if item["kind"] == "survey"]


@pytest.fixture(scope="module")
def outage(items: list[Item]) -> list[Item]:
    return [item for item in items if OUTAGE_START <= item["offset_minutes"] <= OUTAGE_END]


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


# --------------------------------------------------------------------------- shape
def test_every_line_is_a_json_object_with_the_common_fields(items: list[Item]) -> None:
    for item in items:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item["offset_minutes"], int)
        assert item["kind"] in {"mention", "survey"}
        assert isinstance(item["language"], str) and len(item["language"]) == 2
        assert isinstance(item["text"], str) and item["text"].strip()
        assert item["brand"] in {BRAND, *COMPETITORS}
        assert item["tone"] in TONES


def test_ids_are_unique_and_offsets_run_in_order_over_three_days(items: list[Item]) -> None:
    ids = [item["id"] for item in items]
    assert len(set(ids)) == len(ids)
    offsets = [item["offset_minutes"] for item in items]
    assert offsets == sorted(offsets)
    assert offsets[0] >= 0 and offsets[-1] <= SCENARIO_END


def test_scenario_is_big_enough_with_mentions_and_survey_comments(
    items: list[Item], mentions: list[Item], surveys: list[Item]
) -> None:
    assert len(items) >= 720
    assert len(mentions) >= 500
    assert len(surveys) >= 150


def test_mentions_carry_channel_author_reach_and_a_matching_link(mentions: list[Item]) -> None:
    links = [m["link"] for m in mentions]
    assert len(set(links)) == len(links)
    for mention in mentions:
        assert mention["channel"] in MENTION_CHANNELS
        assert re.fullmatch(r"@[A-Za-z0-9_]{1,15}", mention["author"]), mention["author"]
        assert isinstance(mention["author_followers"], int) and mention["author_followers"] >= 0
        assert "survey" not in mention and "nps" not in mention and "csat" not in mention
        link = mention["link"]
        if mention["channel"] == "x":
            assert link.startswith(f"https://x.com/{mention['author'][1:]}/status/")
            assert re.fullmatch(r"https://x\.com/\w+/status/\d+", link)
        else:
            assert link.startswith(f"https://www.{mention['channel']}.com/")
    assert {m["channel"] for m in mentions} == MENTION_CHANNELS


def test_survey_comments_carry_a_score_on_their_survey_scale(surveys: list[Item]) -> None:
    response_ids = [s["response_id"] for s in surveys]
    assert len(set(response_ids)) == len(response_ids)
    for survey in surveys:
        assert survey["channel"] == "survey"
        assert re.fullmatch(r"R_\d{4}", survey["response_id"])
        assert EMAIL_RE.fullmatch(survey["respondent"])
        field, low, high = SURVEYS[survey["survey"]]
        other = "nps" if field == "csat" else "csat"
        assert isinstance(survey[field], int) and low <= survey[field] <= high
        assert other not in survey
        assert "author" not in survey and "link" not in survey
    assert Counter(s["survey"] for s in surveys).keys() == SURVEYS.keys()


# --------------------------------------------------------------------------- languages and tone
def test_scenario_covers_seven_languages_without_english_dominating(items: list[Item]) -> None:
    languages = Counter(item["language"] for item in items)
    assert set(MAIN_LANGUAGES) <= languages.keys()
    assert share(languages["en"], len(items)) <= 0.45
    for language in ("es", "fr", "de", "pt", "it"):
        assert languages[language] >= 40, language
    assert languages["nl"] >= 20


def test_tone_mix_looks_like_a_real_feed(items: list[Item]) -> None:
    tones = Counter(item["tone"] for item in items)
    assert 0.35 <= share(tones["negative"], len(items)) <= 0.45
    assert 0.25 <= share(tones["neutral"], len(items)) <= 0.35
    assert 0.25 <= share(tones["positive"], len(items)) <= 0.35


def test_feed_includes_questions_in_several_languages(items: list[Item]) -> None:
    questions = [item for item in items if item["tone"] == "neutral" and "?" in item["text"]]
    assert len(questions) >= 40
    assert len({item["language"] for item in questions}) >= 6
    assert any("port my number" in item["text"] for item in questions)


def test_care_team_themes_are_all_present(items: list[Item]) -> None:
    english = " ".join(item["text"].lower() for item in items if item["language"] == "en")
    themes = {
        "billing": ("bill", "charged"),
        "refunds": ("refund",),
        "app login": ("log in", "login", "logs me out"),
        "website": ("website",),
        "delivery": ("delivered", "arrive", "sim was never"),
        "coverage": ("coverage", "signal", "bars"),
        "roaming": ("roaming",),
        "staff attitude": ("rude", "patient", "agent"),
        "hold times": ("on hold", "hold music", "in the queue"),
        "phone menu": ("phone menu", "press 1", "automated line"),
        "store visits": ("store",),
        "pricing": ("price",),
        "cancellation": ("cancel",),
        "praise": ("brilliant", "thank you", "fair play"),
    }
    for theme, words in themes.items():
        assert sum(english.count(word) for word in words) >= 3, theme


# --------------------------------------------------------------------------- the outage
def test_scenario_has_a_negative_spike_during_the_outage(outage: list[Item]) -> None:
    assert len(outage) >= 120
    negative = sum(item["tone"] == "negative" for item in outage)
    assert share(negative, len(outage)) >= 0.75


def test_windows_outside_the_outage_are_much_quieter(items: list[Item], outage: list[Item]) -> None:
    windows = Counter(item["offset_minutes"] // WINDOW for item in items)
    outage_window = OUTAGE_START // WINDOW
    others = [count for window, count in windows.items() if window != outage_window]
    full_others = [windows[w] for w in range(SCENARIO_END // WINDOW) if w != outage_window]
    assert max(others) <= len(outage) / 2
    assert sum(full_others) / len(full_others) <= 55


def test_offsets_follow_a_daily_rhythm(items: list[Item]) -> None:
    calm = [i for i in items if not OUTAGE_START <= i["offset_minutes"] <= OUTAGE_END]
    hour = Counter((i["offset_minutes"] % 1440) // 60 for i in calm)
    night_rate = sum(hour[h] for h in range(1, 6)) / 5
    day_rate = sum(hour[h] for h in range(9, 21)) / 12
    assert night_rate < day_rate / 2
    assert {i["offset_minutes"] // 1440 for i in calm} == {0, 1, 2}


def test_outage_is_reported_in_several_languages(outage: list[Item]) -> None:
    languages = Counter(item["language"] for item in outage if item["tone"] == "negative")
    assert sum(count >= 5 for count in languages.values()) >= 6


def test_outage_includes_high_reach_complaints_and_churn_threats(outage: list[Item]) -> None:
    loud = [
        i for i in outage if i["kind"] == "mention" and i["tone"] == "negative" and i["author_followers"] >= 300_000
    ]
    assert len(loud) >= 2
    churn_words = (
        "cancel",
        "refund",
        "switching to bluepeak",
        "me doy de baja",
        "me voy a bluepeak",
        "devuelvan",
        "résilie",
        "remboursement",
        "kündige",
        "geld für diesen monat zurück",
        "vou cancelar",
        "reembolso",
        "disdico",
        "rimborso",
        "zeg op",
        "geld terug",
    )
    churn = [i for i in outage if any(word in i["text"].lower() for word in churn_words)]
    assert len(churn) >= 12
    assert len({i["language"] for i in churn}) >= 6
    assert any(i["brand"] == "Bluepeak" for i in outage)
    assert sum("bluepeak" in i["text"].lower() for i in outage) >= 8


# --------------------------------------------------------------------------- competitors
def test_competitor_mentions_are_plentiful_and_multilingual(items: list[Item]) -> None:
    competitor = [item for item in items if item["brand"] in COMPETITORS]
    assert len(competitor) >= 80
    assert len({item["language"] for item in competitor}) >= 6
    brands = Counter(item["brand"] for item in competitor)
    assert brands["Bluepeak"] >= 20 and brands["Skyline Telecom"] >= 20
    assert {item["tone"] for item in competitor} == TONES


# --------------------------------------------------------------------------- near-duplicates
def test_near_duplicate_groups_point_at_an_earlier_original(items: list[Item]) -> None:
    by_id = {item["id"]: item for item in items}
    copies = [item for item in items if "duplicate_of" in item]
    groups = Counter(item["duplicate_of"] for item in copies)
    assert len(groups) >= 15
    for copy in copies:
        original = by_id[copy["duplicate_of"]]
        assert "duplicate_of" not in original
        assert original["offset_minutes"] <= copy["offset_minutes"]
        assert (original["language"], original["brand"], original["tone"]) == (
            copy["language"],
            copy["brand"],
            copy["tone"],
        )
        assert copy.get("author") != original.get("author")


def test_near_duplicates_are_small_variations_of_their_original(items: list[Item]) -> None:
    by_id = {item["id"]: item for item in items}
    for copy in (item for item in items if "duplicate_of" in item):
        original = by_id[copy["duplicate_of"]]["text"]
        assert copy["text"] != original
        assert difflib.SequenceMatcher(None, normalised(copy["text"]), normalised(original)).ratio() >= 0.75


def test_texts_are_unique(items: list[Item]) -> None:
    texts = Counter(item["text"] for item in items)
    assert [text for text, count in texts.items() if count > 1] == []


def test_unrelated_items_are_not_accidental_near_duplicates(items: list[Item]) -> None:
    group = {item["id"]: item.get("duplicate_of", item["id"]) for item in items}
    texts = [(group[item["id"]], normalised(item["text"])) for item in items]
    words = [set(text.split()) for _, text in texts]
    clashes = []
    for i, (group_a, text_a) in enumerate(texts):
        for j in range(i + 1, len(texts)):
            group_b, text_b = texts[j]
            if group_a == group_b or len(words[i] & words[j]) < 0.5 * max(len(words[i]), len(words[j])):
                continue  # different groups sharing under half their words cannot be near-identical
            if difflib.SequenceMatcher(None, text_a, text_b).ratio() > 0.8:
                clashes.append((text_a, text_b))
    assert clashes == []


# --------------------------------------------------------------------------- personal data
def test_personal_data_items_declare_their_kinds(items: list[Item]) -> None:
    marked = [item for item in items if "contains_pii" in item]
    assert len(marked) >= 40
    kinds = Counter()
    for item in marked:
        assert item["contains_pii"] and set(item["contains_pii"]) <= PII_KINDS
        assert len(set(item["contains_pii"])) == len(item["contains_pii"])
        kinds.update(item["contains_pii"])
    assert all(kinds[kind] >= 5 for kind in PII_KINDS), kinds
    assert {item["kind"] for item in marked} == {"mention", "survey"}
    assert len({item["language"] for item in marked}) >= 7


def test_declared_personal_data_is_really_in_the_text(items: list[Item]) -> None:
    for item in (i for i in items if "contains_pii" in i):
        declared, text = set(item["contains_pii"]), item["text"]
        assert bool(EMAIL_RE.search(text)) == ("email" in declared), text
        assert bool(cards_in(text)) == ("card" in declared), text
        assert bool(ibans_in(text)) == ("iban" in declared), text
        if "phone" in declared:
            assert PHONE_RE.search(text), text


def test_card_numbers_pass_luhn_in_several_formats(items: list[Item]) -> None:
    cards = [card for item in items if "card" in item.get("contains_pii", []) for card in cards_in(item["text"])]
    assert len(cards) >= 5
    assert all(luhn_ok(re.sub(r"\D", "", card)) for card in cards)
    assert any(" " in card for card in cards)
    assert any("-" in card for card in cards)
    assert any(card.isdigit() for card in cards)
    texts = " ".join(item["text"] for item in items)
    for example in ("4111 1111 1111 1111", "5555-5555-5555-4444", "4012888888881881"):
        assert example in texts


def test_ibans_have_valid_checksums_and_cover_the_examples(items: list[Item]) -> None:
    ibans = {iban for item in items if "iban" in item.get("contains_pii", []) for iban in ibans_in(item["text"])}
    assert all(iban_ok(iban) for iban in ibans)
    examples = (
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "ES91 2100 0418 4502 0005 1332",
        "NL91ABNA0417164300",
    )
    for example in examples:
        assert example.replace(" ", "") in ibans, example
    texts = " ".join(item["text"] for item in items)
    assert "GB82 WEST 1234 5698 7654 32" in texts and "GB82WEST12345698765432" in texts  # spaced and compact


def test_phone_numbers_appear_in_national_and_international_formats(items: list[Item]) -> None:
    texts = " ".join(item["text"] for item in items if "phone" in item.get("contains_pii", []))
    for example in ("+44 7700 900123", "06 12 34 56 78", "+49 151 23456789", "(555) 010-4477"):
        assert example in texts, example


def test_unmarked_items_hold_no_cards_ibans_or_emails(items: list[Item]) -> None:
    for item in (i for i in items if "contains_pii" not in i):
        assert not EMAIL_RE.search(item["text"]), item["text"]
        assert not cards_in(item["text"]), item["text"]
        assert not ibans_in(item["text"]), item["text"]


def test_order_numbers_and_luhn_failing_numbers_are_left_unmarked(items: list[Item]) -> None:
    unmarked = [item["text"] for item in items if "contains_pii" not in item]
    assert any(re.search(r"order #\d{8}", text) for text in unmarked)
    failing_16 = [
        c
        for text in unmarked
        for c in card_candidates(text)
        if len(re.sub(r"\D", "", c)) == 16 and not luhn_ok(re.sub(r"\D", "", c))
    ]
    assert failing_16


# --------------------------------------------------------------------------- surveys
ANGRY_WORDS = {
    "en": ("cancel", "refund", "complaint"),
    "es": ("baja", "reembolso", "reclamación"),
    "fr": ("résilier", "rembours", "réclamation"),
    "de": ("kündige", "erstattung", "beschwerde"),
    "pt": ("cancelar", "reembolso", "reclamação"),
    "it": ("disdico", "disdetta", "rimborso", "reclamo"),
    "nl": ("opzeg", "zeg op", "terugbetaling", "klacht"),
}


def test_surveys_include_very_unhappy_respondents_in_several_languages(surveys: list[Item]) -> None:
    angry = [
        s
        for s in surveys
        if s.get("nps") is not None
        and s["nps"] <= 3
        and s["tone"] == "negative"
        and any(word in s["text"].lower() for word in ANGRY_WORDS.get(s["language"], ()))
    ]
    assert len(angry) >= 10
    assert {s["language"] for s in angry} >= set(MAIN_LANGUAGES)


def test_surveys_include_scores_that_disagree_with_the_comment(surveys: list[Item]) -> None:
    assert any(s["tone"] == "positive" and s.get("csat") is not None and s["csat"] <= 2 for s in surveys)
    assert any(s["tone"] == "negative" and s.get("nps") is not None and s["nps"] >= 9 for s in surveys)


def test_survey_scores_mostly_agree_with_the_comment(surveys: list[Item]) -> None:
    def agrees(survey: Item) -> bool:
        if "nps" in survey:
            expected = {"negative": range(0, 7), "neutral": range(5, 9), "positive": range(7, 11)}
            return survey["nps"] in expected[survey["tone"]]
        expected = {"negative": range(1, 3), "neutral": range(3, 4), "positive": range(4, 6)}
        return survey["csat"] in expected[survey["tone"]]

    assert share(sum(agrees(s) for s in surveys), len(surveys)) >= 0.9
    assert {s["tone"] for s in surveys} == TONES


# --------------------------------------------------------------------------- reach
def test_follower_counts_have_a_realistic_spread(mentions: list[Item]) -> None:
    reach = sorted(m["author_followers"] for m in mentions)
    typical = sum(20 <= r <= 2000 for r in reach)
    assert share(typical, len(reach)) >= 0.75
    assert 50 <= reach[len(reach) // 2] <= 2000
    influencers = {m["author"] for m in mentions if 50_000 <= m["author_followers"] <= 900_000}
    assert len(influencers) >= 4
    assert reach[-1] <= 900_000
