"""The one claim mechanism for single-runner work (`voc.store.jobs`), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from voc.store.facade import Store
from voc.store.jobs import queue_job

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_a_run_has_one_winner_until_it_ends_or_its_process_is_taken_for_dead(store: Store) -> None:
    first = store.start_run("exports.weekly", "a", NOW, stale_after=timedelta(hours=2))
    assert first is not None
    assert store.start_run("exports.weekly", "b", NOW + timedelta(minutes=5), stale_after=timedelta(hours=2)) is None
    assert store.start_run("other.kind", "b", NOW, stale_after=timedelta(hours=2)) is not None  # kinds are apart
    taken = store.start_run("exports.weekly", "b", NOW + timedelta(hours=3), stale_after=timedelta(hours=2))
    assert taken is not None and taken != first  # a died holding it

    store.finish_job(taken, now=NOW + timedelta(hours=3))
    assert store.start_run("exports.weekly", "c", NOW + timedelta(hours=3), stale_after=timedelta(hours=2))


def test_a_periodic_run_waits_its_period_even_after_a_failure(store: Store) -> None:
    every = timedelta(hours=1)
    run = store.start_run("privacy.retention", "a", NOW, stale_after=every, once_every=every)
    assert run is not None
    store.finish_job(run, now=NOW + timedelta(minutes=1), error="OperationalError")
    assert (
        store.start_run("privacy.retention", "b", NOW + timedelta(minutes=30), stale_after=every, once_every=every)
        is None
    )
    assert store.start_run("privacy.retention", "b", NOW + every, stale_after=every, once_every=every) is not None


def test_concurrent_claimers_of_a_run_have_exactly_one_winner(store: Store) -> None:
    won: list[int | None] = []
    start = threading.Barrier(4)

    def claim(owner: str) -> None:
        start.wait()
        won.append(store.start_run("themes.discovery", owner, NOW, stale_after=timedelta(hours=1)))

    threads = [threading.Thread(target=claim, args=(f"p{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 4 and sum(1 for w in won if w is not None) == 1


def test_a_queued_job_is_claimed_once_and_a_dead_owners_job_is_taken_over(store: Store) -> None:
    with store.write() as connection:
        job = queue_job(connection, "exports.regenerate", {"slug": "2026-W47"}, now=NOW)
    claimed = store.claim_job("exports.regenerate", "a", NOW)
    assert claimed is not None and claimed["id"] == job and claimed["params"] == {"slug": "2026-W47"}
    assert store.claim_job("exports.regenerate", "b", NOW, stale_after=timedelta(minutes=30)) is None
    late = NOW + timedelta(hours=1)
    taken = store.claim_job("exports.regenerate", "b", late, stale_after=timedelta(minutes=30))
    assert taken is not None and taken["id"] == job and taken["lease_owner"] == "b"
    assert store.claim_job("exports.regenerate", "a", late) is None  # no longer a's
