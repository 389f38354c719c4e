"""The UI and the listener process write the same SQLite file side by side without locking errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.actors import admin
from tests.factories import new_item, queued_ids
from voc.models import TriageChange
from voc.store.facade import Store

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from tests.factories import new_item
from voc.store.facade import Store
store = Store.from_url(sys.argv[1])
for n in range(300):
    with store.read() as connection:   # read first, then write: the pattern that deadlocks
        connection.exec_driver_sql("SELECT count(*) FROM items").scalar()  # in deferred mode
    store.add_items([new_item(f"bg-{n}", source="background")])
print("done")
"""


def test_two_processes_write_side_by_side_without_database_is_locked(tmp_path: Path, clock) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    store = Store.from_url(url)
    store.add_items([new_item(f"fg-{n}") for n in range(50)])
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    ids = queued_ids(store, limit=50)
    for round_number in range(6):
        status = "assigned" if round_number % 2 == 0 else "new"
        store.apply_triage(
            [TriageChange(int(i), "triage_status", status) for i in ids], actor=admin("agent"), now=clock.now
        )
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "locked" not in err
    assert store.count_items(source="background") == 300
    with store.read() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
