"""Channels and languages by name wherever a person reads them, alert titles included."""

from __future__ import annotations

from voc.alerts.rules import item_alerts
from voc.alerts.service import AlertPolicy
from voc.naming import channel_name, item_channel_name, language_name, languages_name


def test_known_codes_have_names_and_unknown_ones_read_as_words() -> None:
    assert [channel_name(c) for c in ("x", "google_play", "survey", "my_forum")] == [
        "X", "Google Play", "Surveys", "My forum",
    ]  # fmt: skip
    assert [item_channel_name(c) for c in ("survey", "rss", "reddit")] == ["Survey", "Feed", "Reddit"]
    assert [language_name(c) for c in ("fr", "und", "sw-KE")] == ["French", "Undetermined", "sw-KE"]
    assert languages_name("it,de,en,+") == "Italian, German, English and others"  # a theme proposal's
    assert languages_name("en") == "English"


def test_alert_titles_name_the_channel_not_its_code() -> None:
    row = {"author": "@dana", "channel": "google_play", "sentiment_label": "negative", "author_reach": 25_000,
           "text": "I want a refund", "language": "en"}  # fmt: skip
    titles = [title for _, title in item_alerts(row, AlertPolicy())]
    assert titles == [
        "Negative post from @dana (25,000 followers) on Google Play",
        "Urgent words from @dana on Google Play: refund",
    ]
    anonymous = [title for _, title in item_alerts({**row, "author": None, "channel": "survey"}, AlertPolicy())]
    assert anonymous[-1] == "Urgent words from a customer on Survey: refund"
