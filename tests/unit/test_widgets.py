"""Channels, languages and scorers as people name them (ui.widgets), and the Trends headline's NPS
change (ui.trends): what filters, queue lines and metrics show."""

from __future__ import annotations

import pandas as pd

from ui.trends import nps_delta
from ui.widgets import MISSING, channel_name, item_channel_name, language_name, scorer_name, with_names
from voc.trends.comparison import Comparison


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


def test_scorers_are_named_by_kind_with_their_version_never_by_their_key() -> None:
    assert [
        scorer_name(s)
        for s in (
            "learned-precise-22ee6f22c9", "learned-ws-precise-1a2b", "learned-builtin-23133008ae", "learned-ws-9f8e",
            "vader-3.3.2", "lexicon-4", "transformer-twitter-xlm", "correction", None, "something-new",
        )
    ] == [
        "Precise model (precise-22ee6f22c9)", "Precise model, retrained here (ws-precise-1a2b)",
        "Fast model (builtin-23133008ae)", "Fast model, retrained here (ws-9f8e)", "VADER rules (3.3.2)",
        "Lexicon rules (4)", "Transformer (twitter-xlm)", "Corrected by a person", MISSING, "something-new",
    ]  # fmt: skip


def test_the_nps_change_reads_in_points_with_a_decimal() -> None:
    """A move of -0.3 read "-0 on previous" under a red arrow; none when a period has no NPS."""

    def versus(nps: float | None, before: float | None) -> Comparison:
        return Comparison(10, 12, 0.3, 0.3, nps, before)

    assert nps_delta(versus(-46.0, -45.7)) == "-0.3 points on previous"
    assert nps_delta(versus(12.0, 2.0)) == "+10.0 points on previous"
    assert nps_delta(versus(None, 2.0)) is None and nps_delta(None) is None


def test_with_names_turns_the_codes_people_read_into_names_and_leaves_the_rest() -> None:
    frame = pd.DataFrame(
        {"language": ["fr", None], "channel": ["survey", "google_play"], "sentiment_label": ["negative", None],
         "text": ["x", "y"]}
    )  # fmt: skip
    named = with_names(frame)
    assert named.iloc[0].to_dict() == {
        "language": "French",
        "channel": "Survey",
        "sentiment_label": "Negative",
        "text": "x",
    }
    assert named.iloc[1]["channel"] == "Google Play"
    assert named.iloc[1][["language", "sentiment_label"]].isna().all()  # the table's placeholder shows "—"
    assert list(with_names(frame[["text"]]).columns) == ["text"]
