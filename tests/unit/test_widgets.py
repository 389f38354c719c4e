"""Channels and languages as people name them (ui.widgets): what filters and queue lines show."""

from __future__ import annotations

from ui.widgets import MISSING, channel_name, item_channel_name, language_name


def test_every_channel_the_listeners_store_has_a_name() -> None:
    assert [channel_name(c) for c in ("x", "google_play", "survey", "rss", "bluesky")] == [
        "X", "Google Play", "Surveys", "Feeds", "Bluesky",
    ]  # fmt: skip


def test_one_items_line_names_its_channel_in_the_singular() -> None:
    assert [item_channel_name(c) for c in ("survey", "rss", "x", "google_play", None)] == [
        "Survey", "Feed", "X", "Google Play", MISSING,
    ]  # fmt: skip


def test_an_unknown_channel_is_written_in_words_from_its_key() -> None:
    assert channel_name("trust_pilot") == "Trust pilot"


def test_languages_by_name_and_an_unknown_code_kept() -> None:
    assert [language_name(c) for c in ("de", "hi", "und", "sw-KE")] == [
        "German", "Hindi (Latin script)", "Undetermined", "sw-KE",
    ]  # fmt: skip


def test_nothing_is_a_dash_not_none() -> None:
    assert channel_name(None) == language_name("") == MISSING
