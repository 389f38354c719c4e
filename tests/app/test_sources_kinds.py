"""The Sources page for the other kinds: add, edit and test-connection forms, and credential notices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from tests.actors import admin
from tests.app.test_sources_x import everything_shown, open_sources
from tests.local_sources import FeedServer, fixture_bytes
from voc.sources.forms import MISSING_BLUESKY
from voc.store.facade import Store

APP_PASSWORD = "zyxw-vuts-rqpo-nmlk"


def click(at: AppTest, key: str) -> AppTest:
    return next(button for button in at.button if button.key == key).click().run()


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with FeedServer(fixture_bytes("feeds", "google_alerts.xml")) as server:
        yield server  # type: ignore[misc]


def test_a_mastodon_hashtag_source_is_added_from_its_form(app: AppTest, empty_store: Store) -> None:
    at = open_sources(app)
    at.text_input(key="mastodon-add.name").input("mastodon-northwind")
    at.text_input(key="mastodon-add.instance").input("Mastodon.Social/@someone")
    at.text_input(key="mastodon-add.hashtag").input("#ノースウィンド")
    at = click(at, "mastodon-add.submit")

    assert not at.exception
    added = empty_store.source("mastodon-northwind")
    assert added is not None and added.kind == "mastodon_hashtag" and added.poll_interval_s == 120.0
    assert added.config == {
        "instance": "https://mastodon.social",
        "hashtag": "ノースウィンド",
        "brand": "Northwind Mobile",
        "competitor": False,
    }
    assert "Added mastodon-northwind" in at.toast[0].value


def test_a_reddit_form_with_problems_says_what_is_wrong_and_stores_nothing(app: AppTest, empty_store: Store) -> None:
    at = open_sources(app)
    at.selectbox(key="reddit-add.kind").select("reddit_comments")
    at.text_input(key="reddit-add.name").input("reddit-comments")
    at.text_input(key="reddit-add.subreddits").input("")
    at = click(at, "reddit-add.submit")
    problems = " ".join(error.value for error in at.error)
    assert "comments need one or more subreddits" in problems
    assert empty_store.sources() == []


def test_test_connection_reads_the_feed_once_without_saving(app: AppTest, empty_store: Store, feed: FeedServer) -> None:
    at = open_sources(app)
    at.selectbox(key="feeds-add.kind").select("feed")
    at.text_input(key="feeds-add.url").input(feed.feed_url)
    at = click(at, "feeds-add.test")

    assert not at.exception
    assert [s.value for s in at.success] == [
        "Feed 'Google Alert - Northwind Mobile': 4 entries, newest 2026-11-23 11:30 UTC."
    ]
    assert empty_store.sources() == []  # a test saves nothing
    assert feed.hits["/feed.xml"] == 1


def test_a_failed_connection_test_says_why(app: AppTest, empty_store: Store, feed: FeedServer) -> None:
    at = open_sources(app)
    at.text_input(key="feeds-add.url").input(feed.url + "/missing.xml")
    at = click(at, "feeds-add.test")
    assert any("404" in error.value and "Edit the source" in error.value for error in at.error)


def test_editing_a_feed_keeps_its_cursor_and_other_keys(app: AppTest, empty_store: Store) -> None:
    empty_store.add_source(
        "alerts",
        "feed",
        {"url": "https://feeds.example/a.xml", "channel": "press"},
        poll_interval_s=900,
        actor=admin("lead"),
        now=datetime.now(UTC),
    )
    at = open_sources(app)
    at.text_input(key="feeds-edit.alerts.url").input("https://feeds.example/b.xml")
    at.checkbox(key="feeds-edit.alerts.competitor").check()
    at = click(at, "feeds-edit.alerts.submit")
    source = empty_store.source("alerts")
    assert source is not None
    assert source.config == {"url": "https://feeds.example/b.xml", "channel": "press", "competitor": True}


def test_missing_bluesky_credentials_are_named_and_never_shown(
    app: AppTest, empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_store.add_source(
        "bluesky",
        "bluesky_search",
        {"query": "northwind"},
        poll_interval_s=120,
        actor=admin("lead"),
        now=datetime.now(UTC),
    )
    for name in ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    at = open_sources(app)
    assert any(MISSING_BLUESKY in error.value for error in at.error)

    monkeypatch.setenv("BLUESKY_HANDLE", "northwind.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", APP_PASSWORD)
    at = open_sources(app)
    assert not any(MISSING_BLUESKY in error.value for error in at.error)
    assert APP_PASSWORD not in everything_shown(at)
