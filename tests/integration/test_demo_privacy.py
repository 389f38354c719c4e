"""The demo feed's personal data never reaches the database file, in any form the text had."""

from __future__ import annotations

import json
import re
from pathlib import Path

from listeners.registry import DEMO_SOURCES
from listeners.replay import SCENARIO_PATH, ReplayListener
from listeners.runner import Runner
from voc.store.facade import Store

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NUMBER_RUN = re.compile(r"[+(]?\d[\d \-().]{7,}\d")  # phones and card numbers, as written
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")


def personal_data_in_scenario() -> set[str]:
    """Every personal datum in the scenario, as written and with separators removed."""
    found: set[str] = set()
    for line in SCENARIO_PATH.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("respondent"):
            found.add(entry["respondent"])
        if not entry.get("contains_pii"):
            continue
        for pattern in (EMAIL, NUMBER_RUN, IBAN):
            for match in pattern.findall(entry["text"]):
                found.add(match.strip())
                compact = re.sub(r"[\s\-().]", "", match)
                if len(compact) >= 9:
                    found.add(compact)
    return found


def test_no_raw_personal_data_from_the_demo_feed_is_in_the_database_file(tmp_path: Path, clock) -> None:
    database = tmp_path / "demo.db"
    store = Store.from_url(f"sqlite:///{database}")
    listeners = {}
    for name, part in DEMO_SOURCES.items():
        store.ensure_source(name, "replay", {"part": part})
        listeners[name] = ReplayListener(name, part, brand="Northwind Mobile", clock=clock)
    runner = Runner(store, listeners, owner="privacy-test", clock=clock)
    while runner.run_once():
        pass
    assert store.count_items() > sum(
        1 for _ in SCENARIO_PATH.open(encoding="utf-8")
    )  # the scenario and the generated days
    with store.write() as connection:
        connection.exec_driver_sql("SELECT 1")
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.engine.dispose()

    stored_bytes = b"".join(path.read_bytes() for path in tmp_path.glob("demo.db*"))
    secrets = personal_data_in_scenario()
    assert len(secrets) >= 40
    leaked = sorted(secret for secret in secrets if secret.encode("utf-8") in stored_bytes)
    assert leaked == []
