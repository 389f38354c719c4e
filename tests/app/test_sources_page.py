"""The Sources page and the sidebar badge: listener health as the runner recorded it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.actors import admin
from voc.store.facade import Store
from voc.store.schema import sources


def open_sources(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/sources.py").run()


def cards(at: AppTest) -> dict[str, dict[str, str]]:
    """Per source card: its badge text and metric values, keyed by source name."""
    found: dict[str, dict[str, str]] = {}

    def visit(block: Any) -> None:
        if not hasattr(block, "children"):  # a leaf element
            return
        markdown = [m.value for m in block.get("markdown")]
        titles = [text for text in markdown if text.startswith("**")]
        if len(titles) == 1 and block.get("metric"):  # one source's bordered container
            name = titles[0].split("**")[1]
            found[name] = {
                "badge": next(text for text in markdown if "-badge[" in text),
                **{m.label: m.value for m in block.get("metric")},
                "errors": " ".join(e.value for e in block.get("error")),
            }
            return
        for child in block.children.values():
            visit(child)

    visit(at.main)
    return found


def test_each_source_shows_its_health_heartbeat_errors_and_items(app: AppTest, store_with_sick_sources: Store) -> None:
    at = open_sources(app)

    assert not at.exception
    shown = cards(at)
    assert sorted(shown) == ["forum", "social", "survey", "x-recent"]
    social = shown["social"]
    assert ":green-badge[" in social["badge"] and "Healthy" in social["badge"]
    assert social["Items ingested"] == "7"
    assert social["Last heartbeat"].endswith("s ago")
    assert social["Failures in a row"] == "0"
    assert shown["survey"]["Items ingested"] == "3"


def test_a_source_whose_heartbeat_is_old_is_shown_stale_in_red(app: AppTest, store_with_sick_sources: Store) -> None:
    forum = cards(open_sources(app))["forum"]

    assert ":red-badge[" in forum["badge"] and "Stale" in forum["badge"]
    assert forum["Last heartbeat"] == "10 min ago"
    assert "is `python -m listeners` running?" in forum["errors"]


def test_a_failing_source_shows_its_error_kind_and_text(app: AppTest, store_with_sick_sources: Store) -> None:
    broken = cards(open_sources(app))["x-recent"]

    assert ":red-badge[" in broken["badge"] and "Failing" in broken["badge"]
    assert broken["Error kind"] == "Sign-in"  # the store says "auth"
    assert broken["Failures in a row"] == "1"
    assert "401 Unauthorized: check X_BEARER_TOKEN" in broken["errors"]


def test_sick_sources_among_live_ones_need_attention_without_saying_the_listeners_are_down(
    app: AppTest, store_with_sick_sources: Store
) -> None:
    at = app.run()

    sidebar = [m.value for m in at.sidebar.get("markdown")]
    assert any(":orange-badge[" in text and "Listeners running" in text for text in sidebar)
    assert [c.value for c in at.sidebar.get("caption")][0] == "2 sources need attention: forum, x-recent"
    assert any("Local mode" in text for text in sidebar)


def test_the_sidebar_badge_turns_red_when_no_source_has_a_fresh_heartbeat(
    app: AppTest, store_with_items: Store
) -> None:
    with store_with_items.write() as connection:  # the listener process died ten minutes ago
        connection.execute(sources.update().values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=10)))
    at = app.run()

    sidebar = [m.value for m in at.sidebar.get("markdown")]
    assert any(":red-badge[" in text and "Listeners not running" in text for text in sidebar)


def test_the_sidebar_badge_is_green_when_all_listeners_are_alive(app: AppTest, store_with_items: Store) -> None:
    at = app.run()

    sidebar = [m.value for m in at.sidebar.get("markdown")]
    assert any(":green-badge[" in text and "Listeners 2/2 alive" in text for text in sidebar)


def test_without_sources_the_page_says_how_to_start_the_listeners(app: AppTest, empty_store: Store) -> None:
    at = open_sources(app)

    assert not at.exception
    assert "Start the listeners with `make run` or `python -m listeners`" in at.info[0].value
    sidebar = [m.value for m in at.sidebar.get("markdown")]
    assert any(":gray-badge[" in text and "No listeners running" in text for text in sidebar)


def test_resume_lifts_a_failing_sources_wait(app: AppTest, store_with_sick_sources: Store) -> None:
    assert store_with_sick_sources.source("x-recent").next_poll_at is not None  # waiting a day after a 401
    at = open_sources(app)
    assert [button.key for button in at.button if button.key.startswith("resume.")] == ["resume.x-recent"]

    at.button(key="resume.x-recent").click().run()

    assert store_with_sick_sources.source("x-recent").next_poll_at is None
    assert "x-recent will be polled" in at.toast[0].value


def test_a_source_card_names_its_kind_in_words(app: AppTest, empty_store: Store) -> None:
    empty_store.ensure_source("fedi", "mastodon_hashtag", {"instance": "https://social.example", "hashtag": "nw"})
    empty_store.ensure_source("demo", "replay", {})
    at = open_sources(app)
    titles = " ".join(m.value for m in at.markdown)
    assert "**fedi** · Mastodon hashtag timeline" in titles and "**demo** · demo feed" in titles
    assert "mastodon_hashtag" not in titles and "replay" not in titles


@pytest.fixture
def store_with_many_sources(store_with_sick_sources: Store) -> Store:
    """The four sources above and five feeds, as a team with many sources has."""
    for name in ("feed-a", "feed-b", "feed-c", "feed-d", "feed-e"):
        store_with_sick_sources.add_source(
            name,
            "feed",
            {"url": f"https://feeds.example/{name}.xml"},
            poll_interval_s=900,
            actor=admin("lead"),
            now=datetime.now(UTC),
        )
    return store_with_sick_sources


def test_a_few_sources_get_a_card_each_those_needing_a_person_first(
    app: AppTest, store_with_sick_sources: Store
) -> None:
    at = open_sources(app)

    assert list(cards(at)) == ["x-recent", "forum", "social", "survey"]  # failing, stale, healthy
    assert not at.dataframe


def test_many_sources_get_one_table_and_the_card_of_the_one_most_in_need(
    app: AppTest, store_with_many_sources: Store
) -> None:
    at = open_sources(app)

    assert not at.exception
    table = at.dataframe[0].value
    # failing, then stale (the new feeds have no heartbeat yet), then healthy
    assert list(table["State"]) == ["Failing"] + ["Stale"] * 6 + ["Healthy"] * 2
    assert list(table["Source"])[0] == "x-recent"
    assert set(table["Source"]) == {
        "x-recent",
        "forum",
        "social",
        "survey",
        "feed-a",
        "feed-b",
        "feed-c",
        "feed-d",
        "feed-e",
    }
    assert list(table.columns) == [
        "Source",
        "State",
        "Why",
        "Heartbeat",
        "Items",
        "Failures",
        "Skipped",
        "Kind",
    ]
    assert table.set_index("Source").loc["social", "Items"] == 7
    assert "401 Unauthorized" in table.set_index("Source").loc["x-recent", "Why"]
    assert list(cards(at)) == ["x-recent"]  # one card: the failing source's, with its Resume button
    assert at.selectbox(key="sources.details").value == "x-recent"

    at.selectbox(key="sources.details").select("social").run()

    assert list(cards(at)) == ["social"]
    assert cards(at)["social"]["Items ingested"] == "7"


def test_many_sources_are_edited_from_one_form_where_nothing_is_chosen_first(
    app: AppTest, store_with_many_sources: Store
) -> None:
    at = open_sources(app)
    assert [e.label for e in at.expander if e.label.startswith("Edit")] == ["Edit a source"]
    assert at.selectbox(key="edit.source").value is None
    assert not [t for t in at.text_input if t.key.startswith("feeds-edit.")]

    at.selectbox(key="edit.source").select("feed-c").run()
    at.text_input(key="feeds-edit.feed-c.url").input("https://feeds.example/moved.xml")
    next(button for button in at.button if button.key == "feeds-edit.feed-c.submit").click().run()

    source = store_with_many_sources.source("feed-c")
    assert source is not None and source.config["url"] == "https://feeds.example/moved.xml"
