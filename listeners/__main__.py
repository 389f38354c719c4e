"""`python -m listeners`: run every enabled source until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from listeners.base import Listener
from listeners.registry import build_listener, register_demo_sources
from listeners.runner import Runner, default_owner, standard_workers, utcnow
from voc.exports import ExportScheduler
from voc.inbox.replies.senders import senders_from_settings
from voc.inbox.replies.service import ReconcileWorker
from voc.privacy.raw_files import SurveyFilePruner
from voc.privacy.retention import RetentionWorker
from voc.settings import Settings
from voc.store.facade import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m listeners", description=__doc__)
    parser.add_argument("--once", action="store_true", help="poll each source once and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("listeners")

    settings = Settings.load()
    store = Store.from_url(settings.database_url)
    register_demo_sources(store, settings)
    listeners: dict[str, Listener] = {}
    for source in store.sources():
        if not source.enabled:
            continue
        try:
            listeners[source.name] = build_listener(source, settings)
        except ValueError as error:
            log.error("%s", error)
    if not listeners:
        log.error("no enabled sources: add one on the Sources page, or set VOC_DEMO_FEED=on")
        return 1
    # `build` lets the runner pick up sources added or edited on the Sources page while it runs.
    # Last week's export into data/exports every Monday (schedule on the Exports page).
    exports = ExportScheduler(store, settings.data_dir / "exports", clock=utcnow, background=not args.once)
    # Retention per source (off unless set on the Privacy page): an hourly sweep, exports kept in step.
    retention = RetentionWorker(store, settings.data_dir / "exports", clock=utcnow, background=not args.once)
    # Imported survey exports in done/ kept only as long as the Privacy page says (hourly check).
    survey_files = SurveyFilePruner(store, settings.data_dir, clock=utcnow)
    # Reply attempts whose outcome was never recorded (a crash): settled against the network (docs/replies.md).
    replies = ReconcileWorker(store, senders_from_settings(settings), clock=utcnow, background=not args.once)
    owner = default_owner()
    runner = Runner(
        store,
        listeners,
        owner=owner,
        build=lambda source: build_listener(source, settings),
        workers=[
            *standard_workers(
                store, owner, utcnow, data_dir=settings.data_dir, precise_batch=settings.precise_pass_batch
            ),
            exports,
            retention,
            survey_files,
            replies,
        ],
        max_polls=settings.runner_max_polls,
        chunk_items=settings.runner_chunk_items,
    )
    if args.once:
        runner.run_once()
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    # Polls run in daemon threads: after the grace the process ends without waiting for a slow one.
    runner.run_forever(stop, settings.runner_tick_seconds, grace_s=settings.runner_stop_grace_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
