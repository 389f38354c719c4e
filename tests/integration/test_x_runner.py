"""X sources behind the real runner and store (SQLite and PostgreSQL), over recorded responses.

What is asserted is what lands in the database: items, cursors, the cost meter, pauses, coverage
gaps, and the error shown on the source's row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
import sqlalchemy as sa

from listeners.base import ErrorKind
from listeners.runner import Runner
from listeners.x_recent import MISSING_TOKEN, XCursor, build_x_listener
from tests.actors import admin
from tests.x_api import SEARCH_URL, TOKEN, load
from voc.sources.costs import Rates
from voc.store.facade import Store
from voc.store.facade import Store as StoreClass
from voc.store.schema import metadata

QUERY = "(Northwind OR Northwnd OR @NorthwindMobile) -is:retweet"
SINCE = "2124563560657846272"  # yesterday evening
ALL_FIVE = {
    "2124832834974646272",
    "2124830318392246272",
    "2124827801809846272",
    "2124825285227446272",
    "2124822768645046272",
}


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def add_source(store: Store, name: str = "x-brand", cursor: str | None = SINCE, **config: Any) -> None:
    store.ensure_source(name, "x_search", {"query": QUERY, **config}, poll_interval_s=60)
    if cursor:
        with store.write() as connection:
            connection.exec_driver_sql(
                "UPDATE sources SET cursor = %s WHERE name = %s"
                if store.dialect == "postgresql"
                else "UPDATE sources SET cursor = ? WHERE name = ?",
                (XCursor(since_id=cursor).dump(), name),
            )


def runner(store: Store, clock: Any, owner: str = "r1", token: str | None = TOKEN, name: str = "x-brand") -> Runner:
    source = store.source(name)
    assert source is not None
    listener = build_x_listener(
        "x_search", name, source.config, token=token, default_brand="Northwind Mobile", rates=Rates(), clock=clock
    )
    return Runner(store, {name: listener}, owner=owner, clock=clock)


def sent_query(api: responses.RequestsMock, index: int) -> str:
    return parse_qs(urlparse(api.calls[index].request.url).query)["query"][0]


def stored_ids(store: Store) -> list[str]:
    with store.read() as connection:
        return sorted(row[0] for row in connection.exec_driver_sql("SELECT external_id FROM items"))


def everything_stored(store: Store) -> str:
    """Every row of every table as text: where a leaked secret would show."""
    with store.read() as connection:
        return "\n".join(
            repr(tuple(row)) for table in metadata.sorted_tables for row in connection.execute(sa.select(table))
        )


def test_pages_land_once_with_the_cursor_usage_and_author_reach(store: Store, api, clock) -> None:
    add_source(store)
    api.get(SEARCH_URL, json=load("search_page_1.json"))
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    api.get(SEARCH_URL, json=load("search_empty.json"))
    poller = runner(store, clock)
    assert poller.run_once() == 3  # page 1; more=True polls again at once
    assert poller.run_once() == 2
    clock.advance(seconds=61)
    assert poller.run_once() == 0

    assert set(stored_ids(store)) == ALL_FIVE
    source = store.source("x-brand")
    assert source is not None and json.loads(source.cursor or "") == {"since_id": "2124832834974646272"}
    usage = store.usage_on("x-brand", date(2026, 11, 23))
    assert (usage.requests, usage.posts_read, usage.users_read) == (3, 5, 5)
    assert usage.cost_usd == pytest.approx(5 * 0.005 + 5 * 0.010)
    with store.read() as connection:
        reach = connection.exec_driver_sql(
            "SELECT author, author_reach, link, language FROM items WHERE external_id = '2124830318392246272'"
        ).one()
    assert tuple(reach) == (
        "@camille_exemple",
        40,
        "https://x.com/camille_exemple/status/2124830318392246272",
        "fr",
    )


def test_a_crash_between_pages_resumes_mid_way_with_nothing_lost_or_duplicated(
    store: Store, api, clock, monkeypatch
) -> None:
    add_source(store)
    api.get(SEARCH_URL, json=load("search_page_1.json"))
    api.get(SEARCH_URL, json=load("search_page_2.json"))  # fetched, then the process dies
    api.get(SEARCH_URL, json=load("search_page_2.json"))  # fetched again by the next runner
    runner(store, clock, owner="first").run_once()
    saved = store.source("x-brand")
    assert saved is not None and json.loads(saved.cursor or "")["next_token"] == "b26v89c19zqg8o3fo"

    original = StoreClass.save_batch

    def die(self, *args, **kwargs):  # the process is killed before page 2 is committed
        raise KeyboardInterrupt

    monkeypatch.setattr(StoreClass, "save_batch", die)
    with pytest.raises(KeyboardInterrupt):
        runner(store, clock, owner="first").run_once()
    monkeypatch.setattr(StoreClass, "save_batch", original)

    clock.advance(seconds=120)  # the dead runner's lease expires
    assert runner(store, clock, owner="second").run_once() == 2

    assert set(stored_ids(store)) == ALL_FIVE and len(stored_ids(store)) == 5
    for call in api.calls[1:]:
        assert f"since_id={SINCE}" in call.request.url and "next_token=b26v89c19zqg8o3fo" in call.request.url
    source = store.source("x-brand")
    assert source is not None and json.loads(source.cursor or "") == {"since_id": "2124832834974646272"}
    assert store.usage_on("x-brand", date(2026, 11, 23)).posts_read == 5  # the lost page is not counted


def test_a_503_backs_off_then_the_next_poll_succeeds(store: Store, api, clock) -> None:
    add_source(store)
    api.get(SEARCH_URL, json=load("error_503_unavailable.json"), status=503)
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    poller = runner(store, clock)
    poller.run_once()
    failed = store.source("x-brand")
    assert failed is not None and failed.error_kind == "transient" and failed.consecutive_failures == 1
    assert failed.next_poll_at is not None and timedelta(seconds=2) <= failed.next_poll_at - clock.now <= timedelta(
        seconds=5
    )
    poller.run_once()  # still backing off: no request
    assert len(api.calls) == 1
    clock.advance(seconds=6)
    assert poller.run_once() == 2
    healed = store.source("x-brand")
    assert healed is not None and healed.error_kind is None and healed.consecutive_failures == 0


def test_a_429_waits_for_the_reset_header_or_backs_off_from_a_minute_without_one(store: Store, api, clock) -> None:
    add_source(store)
    reset = int(clock.now.timestamp()) + 240
    api.get(
        SEARCH_URL, json=load("error_429_rate_limited.json"), status=429, headers={"x-rate-limit-reset": str(reset)}
    )
    api.get(SEARCH_URL, json=load("error_429_rate_limited.json"), status=429)
    poller = runner(store, clock)
    poller.run_once()
    source = store.source("x-brand")
    assert source is not None and source.error_kind == "rate_limited"
    assert source.next_poll_at == datetime.fromtimestamp(reset + 1, tz=UTC)

    clock.advance(seconds=241)
    poller.run_once()
    source = store.source("x-brand")
    assert source is not None and source.consecutive_failures == 2
    assert source.next_poll_at is not None
    assert timedelta(seconds=60) <= source.next_poll_at - clock.now <= timedelta(seconds=120)


def test_a_usage_cap_pauses_the_source_until_midnight_and_shows_why(store: Store, api, clock) -> None:
    add_source(store)
    api.get(SEARCH_URL, json=load("error_429_usage_capped.json"), status=429)
    api.get(SEARCH_URL, json=load("search_empty.json"))
    poller = runner(store, clock)
    poller.run_once()
    source = store.source("x-brand")
    assert source is not None and source.error_kind == "usage_cap"
    assert source.paused_until == datetime(2026, 11, 24, tzinfo=UTC)
    assert source.pause_reason is not None and "usage cap reached" in source.pause_reason

    clock.advance(hours=11)
    poller.run_once()
    assert len(api.calls) == 1  # paused: not even asked
    clock.advance(hours=1, seconds=1)
    poller.run_once()
    resumed = store.source("x-brand")
    assert resumed is not None and resumed.paused_until is None and resumed.pause_reason is None


def test_a_spent_daily_budget_pauses_the_source_until_the_next_utc_day(store: Store, api, clock) -> None:
    add_source(store, daily_budget_usd=0.05)  # page 1 costs $0.045, page 2 another $0.03
    api.get(SEARCH_URL, json=load("search_page_1.json"))
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    api.get(SEARCH_URL, json=load("search_empty.json"))
    poller = runner(store, clock)
    poller.run_once()
    assert store.source("x-brand").paused_until is None  # type: ignore[union-attr]
    poller.run_once()
    source = store.source("x-brand")
    assert source is not None and source.paused_until == datetime(2026, 11, 24, tzinfo=UTC)
    assert source.pause_reason is not None and "Daily budget reached: $0.07 of $0.05" in source.pause_reason
    assert source.error_kind is None  # a pause is not a failure

    clock.advance(hours=6)
    poller.run_once()
    assert len(api.calls) == 2  # nothing more is read today
    clock.advance(hours=6)
    poller.run_once()
    assert len(api.calls) == 3
    assert store.usage_on("x-brand", date(2026, 11, 24)).requests == 1
    frame = store.usage_frame(date(2026, 11, 23))
    assert list(frame["day"]) == [date(2026, 11, 24), date(2026, 11, 23)]


def test_a_since_id_too_old_for_search_records_a_coverage_gap(store: Store, api, clock) -> None:
    add_source(store)
    api.get(SEARCH_URL, json=load("error_400_since_id.json"), status=400)
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    assert runner(store, clock).run_once() == 2
    (gap,) = store.coverage_gaps("x-brand")
    assert gap["gap_start"] == datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    assert gap["gap_end"] == clock.now - timedelta(days=7) + timedelta(minutes=5)
    assert "could not be fetched" in gap["reason"]
    source = store.source("x-brand")
    assert source is not None and source.error_kind is None


def test_an_invalid_query_stops_polling_and_shows_the_apis_message(store: Store, api, clock) -> None:
    add_source(store)
    api.get(SEARCH_URL, json=load("error_400_query.json"), status=400)
    runner(store, clock).run_once()
    source = store.source("x-brand")
    assert source is not None and source.error_kind == "invalid_query"
    assert source.last_error is not None and "Missing closing parenthesis" in source.last_error
    assert source.next_poll_at is not None and source.next_poll_at - clock.now >= timedelta(hours=23)


def test_the_token_is_in_neither_the_database_nor_the_logs_after_a_failing_source(
    store: Store, api, clock, caplog
) -> None:
    add_source(store)
    # A proxy that echoes the request's Authorization header back in its error page.
    echo = {"title": "Unauthorized", "detail": f"Bad credentials: Authorization: Bearer {TOKEN}", "type": "about:blank"}
    api.get(SEARCH_URL, json=echo, status=401)
    with caplog.at_level(logging.DEBUG):
        runner(store, clock).run_once()
    source = store.source("x-brand")
    assert source is not None and source.error_kind == "auth"
    assert source.last_error is not None and "X_BEARER_TOKEN" in source.last_error
    assert TOKEN not in everything_stored(store)
    assert TOKEN not in caplog.text
    assert ErrorKind.AUTH in caplog.text


def test_a_missing_token_is_a_clear_message_on_the_source_not_a_stack_trace(store: Store, clock, caplog) -> None:
    add_source(store)
    with caplog.at_level(logging.INFO):
        runner(store, clock, token=None).run_once()
    source = store.source("x-brand")
    assert source is not None and source.error_kind == "auth" and source.last_error == MISSING_TOKEN
    assert "Traceback" not in caplog.text


def test_a_source_added_or_edited_while_running_is_picked_up(store: Store, api, clock) -> None:
    from listeners.registry import build_listener
    from voc.settings import Settings

    settings = Settings(x_bearer_token=TOKEN)
    poller = Runner(store, {}, owner="r1", clock=clock, build=lambda s: build_listener(s, settings), refresh_every_s=0)
    store.add_source("x-brand", "x_search", {"query": QUERY}, poll_interval_s=60, actor=admin("lead"), now=clock.now)
    with pytest.raises(ValueError, match="already exists"):
        store.add_source(
            "x-brand", "x_search", {"query": "other"}, poll_interval_s=60, actor=admin("lead"), now=clock.now
        )
    api.get(SEARCH_URL, json=load("search_empty.json"))
    poller.run_once()
    assert sent_query(api, 0) == QUERY

    store.update_source(
        "x-brand", actor=admin("lead"), now=clock.now, config={"query": "Contoso -is:retweet", "competitor": True}
    )
    store.resume_source("x-brand", actor=admin("lead"), now=clock.now)
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    assert poller.run_once() == 2
    assert sent_query(api, 1) == "Contoso -is:retweet"
    with store.read() as connection:
        flags = connection.exec_driver_sql("SELECT DISTINCT is_competitor FROM items").all()
    assert [bool(f[0]) for f in flags] == [True]


def test_the_meter_reads_every_sources_day(store: Store, api, clock) -> None:
    add_source(store, "x-brand")
    add_source(store, "x-rival", brand="Contoso", competitor=True)
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    api.get(SEARCH_URL, json=load("search_long_post.json"))
    runner(store, clock, name="x-brand").run_once()
    runner(store, clock, name="x-rival").run_once()
    today = store.usage_by_source(date(2026, 11, 23))
    assert {name: (u.posts_read, u.users_read) for name, u in today.items()} == {"x-brand": (2, 2), "x-rival": (1, 1)}
    assert store.usage_by_source(date(2026, 11, 22)) == {}
