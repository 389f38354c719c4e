"""Exports built in the background (`voc.exports.on_demand`) on both databases: progress up to
every row, a build left by a process that stopped is taken over and written once (no row lost or
doubled, one audit row), a live build is left alone, a failure is recorded in words, and the
listener process's export step runs what is queued."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.actors import viewer
from tests.factories import new_item
from voc.access.roles import Actor
from voc.exports import iso_week, list_exports
from voc.exports.on_demand import (
    BUILD_JOB,
    BUILD_STALE,
    builds_waiting,
    latest_build,
    request_export,
    run_requested_exports,
)
from voc.exports.schedule import ExportSchedule, ExportScheduler, save_schedule
from voc.exports.summary import theme_mixes_from_rows
from voc.store.facade import Store
from voc.store.schema import items
from voc.themes import service
from voc.themes.repository import load_taxonomy

ANALYST = viewer("analyst")
WEEK = iso_week("2026-W47")  # Monday 16 to Sunday 22 November 2026, UTC
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def week_of_items(store: Store) -> Store:
    """Thirty items in the week, and one on each side of it."""
    start = datetime(2026, 11, 16, 0, 30, tzinfo=UTC)
    store.add_items(
        [new_item(f"in-{n}", text=f"complaint number {n}", posted_at=start + timedelta(hours=5 * n)) for n in range(30)]
        + [
            new_item("before", text="the week before", posted_at=start - timedelta(hours=2)),
            new_item("after", text="the week after", posted_at=start + timedelta(days=7)),
        ]
    )
    return store


def week_ids(store: Store) -> list[str]:
    with store.read() as connection:
        ids = connection.execute(
            sa.select(items.c.id).where(items.c.external_id.startswith("in-")).order_by(items.c.id)
        ).scalars()
        return [str(i) for i in ids]


def csv_ids(folder: Path) -> list[str]:
    with (folder / WEEK.slug / f"voc-export-{WEEK.slug}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["item_id"] for row in csv.DictReader(handle)]


def test_a_requested_build_writes_the_week_and_reports_every_row(week_of_items: Store, tmp_path: Path) -> None:
    job_id = request_export(week_of_items, WEEK, ["csv"], actor=ANALYST, now=NOW)
    assert latest_build(week_of_items).status == "queued"

    assert run_requested_exports(week_of_items, tmp_path, clock=lambda: NOW) == [job_id]

    build = latest_build(week_of_items)
    assert build is not None and build.status == "done" and (build.done, build.total) == (30, 30)
    assert sorted(csv_ids(tmp_path), key=int) == week_ids(week_of_items)
    [export] = list_exports(tmp_path)
    assert export.requested_by == ANALYST.name and export.items == 30
    assert not builds_waiting(week_of_items, NOW)


def test_a_build_left_by_a_stopped_process_is_written_once_by_the_next(week_of_items: Store, tmp_path: Path) -> None:
    request_export(week_of_items, WEEK, ["csv", "parquet"], actor=ANALYST, now=NOW)
    job = week_of_items.claim_job(BUILD_JOB, "app-that-stopped", NOW)
    assert job is not None
    week_of_items.report_progress(job["id"], done=10, total=30, alive_at=NOW)
    half = tmp_path / f".building-{WEEK.slug}-deadbeef"  # what the stopped process had written
    half.mkdir(parents=True)
    (half / f"voc-export-{WEEK.slug}.csv").write_text("item_id\n1\n", encoding="utf-8")

    # Still reporting a moment ago: alive, left alone.
    assert not builds_waiting(week_of_items, NOW + BUILD_STALE / 2)
    assert run_requested_exports(week_of_items, tmp_path, clock=lambda: NOW + BUILD_STALE / 2) == []
    assert list_exports(tmp_path) == []

    later = NOW + BUILD_STALE + timedelta(minutes=1)
    assert builds_waiting(week_of_items, later)
    assert run_requested_exports(week_of_items, tmp_path, clock=lambda: later) == [job["id"]]

    assert sorted(csv_ids(tmp_path), key=int) == week_ids(week_of_items)  # every row once
    assert [e.slug for e in list_exports(tmp_path)] == [WEEK.slug]  # the half folder is never listed
    assert len(week_of_items.audit_entries(action="export.build")) == 1
    assert latest_build(week_of_items).status == "done"


def test_a_failed_build_is_recorded_in_words(week_of_items: Store, tmp_path: Path) -> None:
    blocked = tmp_path / "exports"
    blocked.write_text("a file where the folder should be")
    request_export(week_of_items, WEEK, ["csv"], actor=ANALYST, now=NOW)

    assert run_requested_exports(week_of_items, blocked, clock=lambda: NOW) == []

    build = latest_build(week_of_items)
    assert build is not None and build.status == "failed"
    assert build.error == "the exports folder could not be written"
    assert week_of_items.audit_entries(action="export.build") == []


def test_the_listener_export_step_runs_a_queued_build(week_of_items: Store, tmp_path: Path) -> None:
    save_schedule(week_of_items, ExportSchedule(enabled=False), actor=Actor.system("test"), now=NOW)
    request_export(week_of_items, WEEK, ["csv"], actor=ANALYST, now=NOW)
    scheduler = ExportScheduler(week_of_items, tmp_path, clock=lambda: NOW, background=False)

    scheduler.tick()

    assert latest_build(week_of_items).status == "done"
    assert len(csv_ids(tmp_path)) == 30


def test_the_summary_reads_the_period_through_the_posted_at_index(week_of_items: Store) -> None:
    """Per theme, the period's items are found by time and their themes by item id: never a
    theme id at a time over the period (what SQLite did with a joined mapping)."""
    store = week_of_items
    parent = service.create_theme(store, name="Billing", actor=Actor.system("test"), now=NOW)
    service.create_theme(store, name="Refunds", parent_id=parent, actor=Actor.system("test"), now=NOW)
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, PLR0913
        statements.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:
        theme_mixes_from_rows(store, load_taxonomy(store), WEEK.start, WEEK.end)  # the path the hours' edges take
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)
    statement, parameters = statements[-1]
    with store.read() as connection:
        if store.dialect == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(r[0]) for r in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            assert "ix_items_posted_at" in plan and "Seq Scan on items" not in plan, plan
        else:
            connection.exec_driver_sql("ANALYZE")
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [str(r[-1]) for r in rows]
            assert any("USING INDEX ix_items_posted_at (posted_at>? AND posted_at<?)" in p for p in plan), plan
            assert all("item_themes" not in p or "(item_id=?)" in p for p in plan), plan
            assert not any(p.startswith("SCAN") and "counted_" not in p for p in plan), plan


def test_the_next_build_removes_the_half_folder_of_a_process_that_stopped(week_of_items: Store, tmp_path: Path) -> None:
    """A build killed mid-way leaves its staging folder; the next build removes it, never a live one."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    host = socket.gethostname()
    dead = staging_folder(tmp_path, "dead", owner=f"{host} {dead_pid}")
    live = staging_folder(tmp_path, "live", owner=f"{host} {os.getpid()}")
    elsewhere = staging_folder(tmp_path, "elsewhere", owner="another-host 1")
    old_elsewhere = staging_folder(tmp_path, "old-elsewhere", owner="another-host 1", age_days=2)
    old_unowned = staging_folder(tmp_path, "old-unowned", owner=None, age_days=2)

    request_export(week_of_items, WEEK, ["csv"], actor=ANALYST, now=NOW)
    run_requested_exports(week_of_items, tmp_path, clock=lambda: NOW)

    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".building-"))
    assert left == sorted([live.name, elsewhere.name])
    assert not dead.exists() and not old_elsewhere.exists() and not old_unowned.exists()
    assert [e.slug for e in list_exports(tmp_path)] == [WEEK.slug]
    assert not any((tmp_path / WEEK.slug).glob(".owner"))  # the finished export carries no owner file


def staging_folder(root: Path, tag: str, *, owner: str | None, age_days: float = 0) -> Path:
    folder = root / f".building-{WEEK.slug}-{tag}"
    folder.mkdir(parents=True)
    (folder / f"voc-export-{WEEK.slug}.csv").write_text("item_id\n1\n", encoding="utf-8")
    if owner is not None:
        (folder / ".owner").write_text(owner, encoding="utf-8")
    if age_days:
        stamp = time.time() - age_days * 86400
        for path in [*folder.iterdir(), folder]:
            os.utime(path, (stamp, stamp))
    return folder
