"""The Sources page when sources are in trouble: entries they could not store, a source added
although its connection test failed, when the next try is, and deleting a source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from listeners.base import Batch, ErrorKind, RawItem, SourceError
from listeners.runner import Runner
from tests.actors import admin
from tests.app.test_sources_page import cards, open_sources
from tests.local_sources import FeedServer, fixture_bytes
from voc.store.facade import Store


class Skipping:
    """A page of one item and four entries the source could not store."""

    name = "forum"

    def fetch(self, cursor: str | None) -> Batch:
        item = RawItem(external_id="f1", text="Coverage is fine in town", posted_at=datetime.now(UTC))
        return Batch([item], "next", skipped={"no text": 3, "no id and no content to key it on": 1})


class Refused:
    name = "blog"

    def fetch(self, cursor: str | None) -> Batch:
        raise SourceError(ErrorKind.TRANSIENT, "Could not connect to blog.example (ConnectionError).")


def click(at: AppTest, key: str) -> AppTest:
    return next(button for button in at.button if button.key == key).click().run()


def captions(at: AppTest) -> str:
    return " ".join(caption.value for caption in at.caption)


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with FeedServer(fixture_bytes("feeds", "google_alerts.xml")) as server:
        yield server  # type: ignore[misc]


def test_entries_a_source_could_not_store_are_counted_on_its_card(app: AppTest, store_with_items: Store) -> None:
    store_with_items.ensure_source("forum", "scripted", poll_interval_s=0)
    runner = Runner(store_with_items, {"forum": Skipping()}, owner="test-runner", workers=[])
    runner.run_once()
    runner.run_once()  # counts add up across pages

    at = open_sources(app)

    assert not at.exception
    shown = captions(at)
    assert "6 entries skipped: no text" in shown
    assert "2 entries skipped: no id and no content to key it on" in shown


def test_a_refused_source_says_when_it_is_tried_next_and_after_three_tries_that_nothing_answers(
    app: AppTest, store_with_items: Store
) -> None:
    store_with_items.ensure_source("blog", "scripted", poll_interval_s=60)
    runner = Runner(store_with_items, {"blog": Refused()}, owner="test-runner", workers=[])
    for _ in range(3):
        store_with_items.resume_source("blog", actor=admin("ops"), now=datetime.now(UTC))  # no waiting in a test
        runner.run_once()

    at = open_sources(app)

    blog = cards(at)["blog"]
    assert "The address does not answer (3 tries in a row)" in blog["errors"]
    assert "Next try in" in captions(at)
    # One bad source among live ones: the badge does not say the listeners are down.
    sidebar = " ".join(m.value for m in at.sidebar.get("markdown"))
    assert ":orange-badge[" in sidebar and "Listeners running" in sidebar and ":red-badge[" not in sidebar
    assert "1 source needs attention: blog" in [c.value for c in at.sidebar.get("caption")]


def test_a_source_added_after_a_failed_connection_test_says_so_on_its_card(
    app: AppTest, empty_store: Store, feed: FeedServer
) -> None:
    at = open_sources(app)
    at.selectbox(key="feeds-add.kind").select("feed")
    at.text_input(key="feeds-add.name").input("press-feed")
    at.text_input(key="feeds-add.url").input(feed.url + "/missing.xml")
    at = click(at, "feeds-add.test")
    assert any("404" in error.value for error in at.error)

    at = click(at, "feeds-add.submit")

    assert not at.exception
    added = empty_store.source("press-feed")
    assert added is not None and added.test_failure is not None and "404" in added.test_failure
    assert "although its connection test failed" in at.toast[0].value
    notes = [w.value for w in at.warning if w.value.startswith("Added although its connection test failed")]
    assert len(notes) == 1 and "404" in notes[0]


def test_a_source_whose_test_passed_or_that_was_never_tested_carries_no_note(
    app: AppTest, empty_store: Store, feed: FeedServer
) -> None:
    at = open_sources(app)
    at.selectbox(key="feeds-add.kind").select("feed")
    at.text_input(key="feeds-add.name").input("alerts")
    at.text_input(key="feeds-add.url").input(feed.url + "/missing.xml")
    at = click(at, "feeds-add.test")  # fails ...
    at.text_input(key="feeds-add.url").input(feed.feed_url)  # ... then the address is corrected
    at = click(at, "feeds-add.submit")  # not tested again: nothing known to be wrong

    added = empty_store.source("alerts")
    assert added is not None and added.test_failure is None
    assert not [w for w in at.warning if "connection test failed" in w.value]


def test_an_admin_deletes_a_source_after_confirming_and_its_items_stay(app: AppTest, store_with_items: Store) -> None:
    at = open_sources(app)
    chooser = at.selectbox(key="delete.source")
    assert chooser.value is None  # nothing preselected
    assert not [b for b in at.button if b.key in ("delete.ask", "delete.confirm")]

    chooser.select("social")
    at = at.run()
    assert not [b for b in at.button if b.key == "delete.confirm"]  # one more step before anything goes
    at = click(at, "delete.ask")
    assert any("Delete social? It is no longer polled. Its 7 items stay." in w.value for w in at.warning)
    at = click(at, "delete.cancel")
    assert store_with_items.source("social") is not None

    at = click(at, "delete.ask")
    at = click(at, "delete.confirm")

    assert not at.exception
    assert store_with_items.source("social") is None
    assert store_with_items.count_items("social") == 7
    assert "Deleted social; its 7 items stay" in at.toast[0].value
    assert at.selectbox(key="delete.source").value is None
    assert "social" not in cards(at)
    audit = store_with_items.audit_entries(action="source.delete")
    assert [(entry["subject"], entry["detail"]) for entry in audit] == [("social", {"items_kept": 7})]
