"""Mastodon, Bluesky, Reddit, feeds and app reviews behind the real runner and store (SQLite and PostgreSQL).

Each source is built by the registry from its stored row, as `python -m listeners` builds it, and
talks to a loopback stand-in (feeds, Mastodon) or recorded responses through its real client. What
is asserted is what lands in the database: items, cursors, the volume meter, errors on the row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import pytest
import responses
import sqlalchemy as sa

from listeners.bluesky import build_bluesky_listener
from listeners.registry import build_listener
from listeners.runner import Runner
from tests.local_sources import APP_PASSWORD, HANDLE, FakeBluesky, FakeMastodon, FeedServer, fixture_bytes, fixture_json
from voc.settings import Settings
from voc.store.facade import Store
from voc.store.facade import Store as StoreClass
from voc.store.schema import metadata

REDDIT_SECRET = "reddit-secret-for-integration-0123"
SETTINGS = Settings(
    brand="Northwind Mobile",
    reddit_client_id="client-id",
    reddit_client_secret=REDDIT_SECRET,
    bluesky_handle=HANDLE,
    bluesky_app_password=APP_PASSWORD,
    bluesky_service_url="https://pds.example",
    source_request_timeout_s=5.0,
)


def runner(store: Store, clock: Any, owner: str = "r1", settings: Settings = SETTINGS, **built: Any) -> Runner:
    listeners = {s.name: built.get(s.name) or build_listener(s, settings) for s in store.sources()}
    for listener in listeners.values():
        if hasattr(listener, "clock"):  # backfill windows are measured on the test's frozen clock, not today's
            listener.clock = clock
    return Runner(store, listeners, owner=owner, clock=clock)


def stored(store: Store, source: str) -> list[tuple[Any, ...]]:
    with store.read() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT external_id, channel, author, author_reach, language, csat FROM items "
                "WHERE source = :source ORDER BY external_id"
            ),
            {"source": source},
        )
        return [tuple(row) for row in rows]


def everything_stored(store: Store) -> str:
    with store.read() as connection:
        return "\n".join(
            repr(tuple(row)) for table in metadata.sorted_tables for row in connection.execute(sa.select(table))
        )


def crash_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next page is fetched, then the process dies before its transaction commits."""
    original = StoreClass.save_batch

    def die(self: Store, *args: Any, **kwargs: Any) -> int:
        monkeypatch.setattr(StoreClass, "save_batch", original)
        raise KeyboardInterrupt

    monkeypatch.setattr(StoreClass, "save_batch", die)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_feed_from_a_local_server_lands_once_across_polls_and_restarts(store: Store, clock) -> None:
    with FeedServer(fixture_bytes("feeds", "google_alerts.xml")) as server:
        store.ensure_source("alerts", "feed", {"url": server.feed_url}, poll_interval_s=900)  # type: ignore[attr-defined]
        assert runner(store, clock).run_once() == 2
        clock.advance(seconds=901)
        assert runner(store, clock, owner="after-a-restart").run_once() == 0  # a new process, same cursor
        assert server.not_modified == 1  # type: ignore[attr-defined]

    ids = [row[0] for row in stored(store, "alerts")]
    assert ids == ["https://actu.example.fr/northwind-panne", "https://news.example.co.uk/tech/northwind-outage"]
    usage = store.usage_on("alerts", date(2026, 11, 23))
    assert (usage.requests, usage.posts_read, usage.cost_usd) == (2, 4, 0.0)  # volume on the meter, no cost


def test_mastodon_pages_forward_and_a_crash_between_pages_loses_and_repeats_nothing(
    store: Store, clock, monkeypatch
) -> None:
    template = fixture_json("mastodon", "tag_page.json")[0]
    statuses = [{**template, "id": str(117665562624100000 + n)} for n in range(45)]  # a full page and five
    with FakeMastodon(statuses) as fake:
        store.ensure_source(
            "mastodon-tag", "mastodon_hashtag", {"instance": fake.url, "hashtag": "northwind"}, poll_interval_s=120
        )
        assert runner(store, clock).run_once() == 40  # a full page: `more`, so due again at once
        crash_once(monkeypatch)
        with pytest.raises(KeyboardInterrupt):
            runner(store, clock).run_once()
        clock.advance(seconds=120)  # the dead runner's lease expires
        assert runner(store, clock, owner="second").run_once() == 5

    assert len(stored(store, "mastodon-tag")) == 45
    assert fake.served.most_common(1)[0][1] == 2  # the five of the lost page were served twice, stored once
    source = store.source("mastodon-tag")
    assert source is not None and json.loads(source.cursor or "") == {"min_id": "117665562624100044"}
    assert {row[2:5] for row in stored(store, "mastodon-tag")} == {("@lena@social.example", 842, "de")}


def test_reddit_pages_survive_a_crash_and_the_cursor_moves_only_after_the_last(
    store: Store, clock, api, monkeypatch
) -> None:
    search = re.compile(r"https://oauth\.reddit\.com/r/Northwind/search")
    api.post("https://www.reddit.com/api/v1/access_token", json=fixture_json("reddit", "access_token.json"))
    api.get(search, json=fixture_json("reddit", "search_page_1.json"))
    api.get(search, json=fixture_json("reddit", "search_page_2.json"))
    store.ensure_source(
        "reddit", "reddit_posts", {"subreddits": "Northwind", "query": "Northwind"}, poll_interval_s=300
    )
    poller = runner(store, clock)
    assert poller.run_once() == 3
    crash_once(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        poller.run_once()
    clock.advance(seconds=120)
    assert runner(store, clock, owner="second").run_once() == 1

    assert [row[0] for row in stored(store, "reddit")] == ["t3_1gx9aa", "t3_1gx9ab", "t3_1gx9ac", "t3_1gx9ad"]
    assert next(r for r in stored(store, "reddit") if r[0] == "t3_1gx9ac")[4] == "ru"  # detected, Reddit gives none
    source = store.source("reddit")
    assert source is not None and json.loads(source.cursor or "") == {"since": "2026-11-23T11:50:00+00:00"}
    after = [c.request.url for c in api.calls if "after=" in c.request.url]
    assert len(after) == 2 and all("after=t3_1gx9ab" in url for url in after)  # the lost page was asked again


def test_bluesky_lands_with_followers_as_reach_and_keeps_one_session(store: Store, clock) -> None:
    bsky = FakeBluesky()
    bsky.add("app.bsky.actor.getProfiles", httpx.Response(200, json=fixture_json("bluesky", "profiles.json")))
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_page_1.json")))
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_page_2.json")))
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_empty.json")))
    store.ensure_source("bluesky", "bluesky_search", {"query": "northwind"}, poll_interval_s=120)
    source = store.source("bluesky")
    assert source is not None
    listener = build_bluesky_listener(
        "bluesky",
        source.config,
        default_brand="Northwind Mobile",
        handle=HANDLE,
        app_password=APP_PASSWORD,
        service_url="https://pds.example",
        transport=httpx.MockTransport(bsky),
        clock=clock,
    )
    poller = runner(store, clock, bluesky=listener)
    assert poller.run_once() + poller.run_once() == 4
    clock.advance(seconds=121)
    assert poller.run_once() == 0
    rows = {row[0].rsplit("/", 1)[-1]: row for row in stored(store, "bluesky")}
    assert rows["3lbnw3aaaa2x2"][2:5] == ("@maria.bsky.social", 1530, "pt")
    assert rows["3lbnw2bbbb2x2"][4] == "ar"
    assert len(bsky.calls("createSession")) == 1
    assert APP_PASSWORD not in everything_stored(store)


def test_app_store_reviews_land_with_their_stars_in_csat(store: Store, clock, api) -> None:
    api.get(
        "https://itunes.apple.com/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json",
        json=fixture_json("reviews", "app_store_page_1.json"),
    )
    store.ensure_source("ios", "app_store_reviews", {"app_id": "1234567890"}, poll_interval_s=3600)
    assert runner(store, clock).run_once() == 3
    assert [(row[1], row[5]) for row in stored(store, "ios")] == [("app_store", 3), ("app_store", 5), ("app_store", 1)]
    with store.read() as connection:
        crash = connection.execute(sa.text("SELECT priority, sentiment_label FROM items WHERE csat = 1")).one()
    assert crash[1] == "negative" and crash[0] > 0.5  # one star weighs like an unhappy survey answer


def test_failures_are_recorded_on_the_source_row_and_no_secret_is_stored(store: Store, clock, api) -> None:
    api.post("https://www.reddit.com/api/v1/access_token", json=fixture_json("reddit", "error_401.json"), status=401)
    store.ensure_source("reddit", "reddit_posts", {"subreddits": "Northwind"}, poll_interval_s=300)
    store.ensure_source("bluesky", "bluesky_search", {"query": "northwind"}, poll_interval_s=120)
    store.ensure_source("broken-feed", "feed", {"url": "not a url"}, poll_interval_s=900)
    no_bluesky = replace(SETTINGS, bluesky_app_password=None)
    runner(store, clock, settings=no_bluesky).run_once()

    reddit, bluesky, feed = (store.source(n) for n in ("reddit", "bluesky", "broken-feed"))
    assert reddit is not None and reddit.error_kind == "auth" and "REDDIT_CLIENT_SECRET" in (reddit.last_error or "")
    assert bluesky is not None and bluesky.error_kind == "auth" and "BLUESKY_APP_PASSWORD" in (bluesky.last_error or "")
    assert feed is not None and feed.error_kind == "invalid_query" and "needs an http" in (feed.last_error or "")
    assert REDDIT_SECRET not in everything_stored(store)


def test_a_rate_limited_source_waits_for_the_reset_it_was_given(store: Store, clock, api) -> None:
    url = "https://itunes.apple.com/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json"
    api.get(url, status=429, headers={"Retry-After": "600"})
    store.ensure_source("ios", "app_store_reviews", {"app_id": "1234567890"}, poll_interval_s=3600)
    runner(store, clock).run_once()
    source = store.source("ios")
    assert source is not None and source.error_kind == "rate_limited"
    assert source.next_poll_at is not None and (source.next_poll_at - clock.now).total_seconds() == pytest.approx(601)
