"""The demo generator: the same seed gives the same feed, and the feed never says the same thing twice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from listeners.demo.generator import (
    BRAND_WORDS,
    LANGUAGES,
    SITUATIONS,
    Family,
    Generator,
    expected_per_hour,
    families,
    plan_hour,
)

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def test_the_same_window_gives_the_same_items_in_any_process_order() -> None:
    first = Generator("social").between(MONDAY, MONDAY + timedelta(days=2))
    second = Generator("social").between(MONDAY, MONDAY + timedelta(days=2))
    assert first == second
    assert plan_hour(MONDAY + timedelta(hours=12), "survey") == plan_hour(MONDAY + timedelta(hours=12), "survey")


def test_continuing_from_the_counters_is_the_same_as_one_go() -> None:
    whole = Generator("social").between(MONDAY, MONDAY + timedelta(days=1))
    morning = Generator("social")
    part = morning.between(MONDAY, MONDAY + timedelta(hours=9))
    rest = Generator("social", morning.counters).between(MONDAY + timedelta(hours=9), MONDAY + timedelta(days=1))
    assert [e["text"] for e in part + rest] == [e["text"] for e in whole]


def test_a_month_of_items_is_varied_and_never_repeats_a_text() -> None:
    entries = Generator("social").between(MONDAY, MONDAY + timedelta(days=30))
    texts = [e["text"] for e in entries]
    assert len(texts) > 3000 and len(set(texts)) == len(texts)
    assert {e["language"] for e in entries} == set(LANGUAGES)
    assert {e["situation"] for e in entries} == {s.key for s in SITUATIONS}
    assert len({e["author"] for e in entries}) > len(entries) / 4
    assert len({e["link"] for e in entries}) == len(entries)
    tones = Counter(e["tone"] for e in entries)
    assert 0.45 <= tones["negative"] / len(entries) <= 0.75  # ordinary days: complaints lead, not an outage
    assert {e["brand"] for e in entries if "brand" in e} == {"Bluepeak"}


def test_a_family_numbers_every_text_once() -> None:
    family = Family(SITUATIONS[0], "nl", "survey")
    texts = [family.text(n) for n in range(family.size)]
    assert len(set(texts)) == family.size > 1000


def test_social_and_survey_wordings_never_meet() -> None:
    assert not set(BRAND_WORDS["social"]) & set(BRAND_WORDS["survey"])
    social = {e["text"] for e in Generator("social").between(MONDAY, MONDAY + timedelta(days=7))}
    survey = Generator("survey").between(MONDAY, MONDAY + timedelta(days=7))
    assert survey and not social & {e["text"] for e in survey}
    for entry in survey:
        assert entry["kind"] == "survey" and entry["respondent"].endswith("@example.org")
        assert ("nps" in entry) != ("csat" in entry)


def test_days_have_a_rhythm_and_weekends_dip() -> None:
    entries = Generator("social").between(MONDAY, MONDAY + timedelta(days=28))
    by_hour = Counter(e["posted_at"].hour for e in entries)
    assert sum(by_hour[h] for h in range(1, 6)) / 5 < sum(by_hour[h] for h in range(9, 21)) / 12 / 3
    by_day = Counter(e["posted_at"].weekday() for e in entries)
    weekday, weekend = sum(by_day[d] for d in range(5)) / 5, (by_day[5] + by_day[6]) / 2
    assert weekend < 0.8 * weekday
    assert expected_per_hour(MONDAY + timedelta(hours=12), "social") > expected_per_hour(
        MONDAY + timedelta(days=5, hours=12), "social"
    )


def test_a_family_that_used_every_text_hands_over_instead_of_repeating() -> None:
    ring = families("social")
    full = {f.key: f.size for f in ring}
    generator = Generator("social", full)
    assert generator.between(MONDAY, MONDAY + timedelta(days=1)) == []  # all used: silence, not repeats
    del full[ring[1].key]
    generator = Generator("social", full)
    entries = generator.between(MONDAY, MONDAY + timedelta(hours=12))
    assert entries and {e["situation"] for e in entries} == {ring[1].situation.key}
