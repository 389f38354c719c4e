"""Two real runner processes share one PostgreSQL and three X sources served by a local X stand-in.

Each process is `python -m listeners`, pointed at the stand-in through VOC_X_API_BASE_URL. Leases
must keep them from polling a source at the same time: every post is stored exactly once, and the
stand-in served every post exactly once (no double reads, so no double billing) - including after
one runner stops mid-way and the other takes its sources over.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import _drop_postgres_schema, _fresh_postgres_schema
from tests.x_api import TOKEN, FakeX, load
from voc.store.facade import Store

ROOT = Path(__file__).resolve().parents[2]
BRAND, RIVAL = "Northwind OR Northwnd -is:retweet", "Contoso -is:retweet"


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    schema, url = _fresh_postgres_schema(postgres_url)
    try:
        yield url
    finally:
        _drop_postgres_schema(postgres_url, schema)


def wait_until(condition: Callable[[], bool], seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the runners")


def start_runner(url: str, fake: FakeX, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VOC_DATABASE_URL": url,
        "VOC_DATA_DIR": str(log.parent),  # the default sources (e.g. a watched folder) look here
        "VOC_DEMO_FEED": "off",
        "VOC_PRECISE_PASS_BATCH": "0",  # the precise pass is not what these tests are about
        "VOC_RUNNER_TICK_SECONDS": "0.1",
        "VOC_X_API_BASE_URL": fake.base_url,
        "X_BEARER_TOKEN": TOKEN,
    }
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "listeners"], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def stored(store: Store) -> list[tuple[str, str]]:
    with store.read() as connection:
        return sorted(tuple(row) for row in connection.exec_driver_sql("SELECT source, external_id FROM items"))


@pytest.mark.postgres
def test_two_runner_processes_store_every_post_exactly_once(pg_url: str, tmp_path: Path) -> None:
    store = Store.from_url(pg_url)
    now = datetime.now(UTC)
    with FakeX() as fake:
        for user_id, name, followers in (("11", "sam_example", 1520), ("12", "camille_exemple", 40)):
            fake.add_user(user_id, name, followers)
        fake.add_user("900", "NorthwindMobile", 50000)
        expected = {
            "x-brand": fake.add_posts(
                f"search:{BRAND}", [f"Northwind outage {n}" for n in range(23)], author_id="11", at=now
            ),
            "x-rival": fake.add_posts(
                f"search:{RIVAL}", [f"Contoso is fine {n}" for n in range(11)], author_id="12", at=now
            ),
            "x-mentions": fake.add_posts(
                "mentions:900", [f"@NorthwindMobile help {n}" for n in range(9)], author_id="11", at=now
            ),
        }
        # The real API's bad moments, once each: a 503 and a rate limit with a reset a second away.
        fake.fail_next(f"search:{RIVAL}", 503, load("error_503_unavailable.json"))
        reset = str(int(time.time()) + 1)
        fake.fail_next("mentions:900", 429, load("error_429_rate_limited.json"), {"x-rate-limit-reset": reset})

        config = {"max_results": 10}
        store.ensure_source("x-brand", "x_search", {"query": BRAND, **config}, poll_interval_s=0.5)
        store.ensure_source(
            "x-rival",
            "x_search",
            {"query": RIVAL, "brand": "Contoso", "competitor": True, **config},
            poll_interval_s=0.5,
        )
        store.ensure_source(
            "x-mentions", "x_mentions", {"account": "NorthwindMobile", "max_results": 5}, poll_interval_s=0.5
        )

        def all_of(wanted: dict[str, list[str]]) -> Callable[[], bool]:
            pairs = {(source, post) for source, posts in wanted.items() for post in posts}
            return lambda: pairs <= set(stored(store))

        def held_by(process: subprocess.Popen[bytes]) -> Callable[[], bool]:
            owner = f":{process.pid}:"
            return lambda: all(owner in (s.lease_owner or "") for s in store.sources() if s.kind.startswith("x_"))

        first = start_runner(pg_url, fake, tmp_path / "first.log")
        second: subprocess.Popen[bytes] | None = None
        try:
            wait_until(held_by(first))
            second = start_runner(pg_url, fake, tmp_path / "second.log")  # competes for the same leases
            wait_until(all_of(expected))
            assert held_by(first)()
            # Live arrivals (ids keep growing with time, as X's do), then the runner holding every
            # source stops, possibly mid-pagination: the other takes them over.
            later = datetime.now(UTC) + timedelta(seconds=15)
            expected["x-brand"] += fake.add_posts(
                f"search:{BRAND}", [f"still down {n}" for n in range(14)], author_id="12", at=later
            )
            expected["x-mentions"] += fake.add_posts(
                "mentions:900", ["@NorthwindMobile fixed, thanks"], author_id="12", at=later
            )
            stop(first)
            wait_until(all_of(expected))
            wait_until(held_by(second))
        finally:
            stop(first)
            if second is not None:
                stop(second)

    rows = stored(store)
    assert len(rows) == len(set(rows)) == sum(len(posts) for posts in expected.values())
    assert set(rows) == {(source, post) for source, posts in expected.items() for post in posts}
    assert all(count == 1 for count in fake.served.values()), fake.served.most_common(3)
    with store.read() as connection:
        posts_read = connection.exec_driver_sql("SELECT SUM(posts_read) FROM source_usage").scalar_one()
        rival = connection.exec_driver_sql(
            "SELECT DISTINCT brand, is_competitor FROM items WHERE source = 'x-rival'"
        ).all()
    assert posts_read == len(rows)  # the meter counted each read once
    assert [tuple(r) for r in rival] == [("Contoso", True)]
    logs = [(tmp_path / name).read_text() for name in ("first.log", "second.log")]
    assert all("stopped cleanly" in log and "new items" in log for log in logs)  # both did work
    assert sum("transient" in log for log in logs) == 1 and sum("rate_limited" in log for log in logs) == 1
    assert not any(TOKEN in log for log in logs)
    assert all(s.lease_owner is None for s in store.sources())
    store.engine.dispose()
