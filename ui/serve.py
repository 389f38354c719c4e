"""`python -m ui.serve [Streamlit options]`: `streamlit run app.py` with the app's modules
imported while the server starts, not during the first visitor's page.

Streamlit imports a script's modules only when a browser opens a session, so the first page after
every start waited for pandas, Altair, SQLAlchemy and the domain (about 3 s of a 3.8–5.1 s first
page on a 2-core machine, issue #21). Here a thread imports every `ui` module (and through them
the domain) as soon as Streamlit's runtime exists (Streamlit's caches bind to the runtime's
storage when their functions are decorated, so importing any earlier would give them a private
one), then opens the database as the pages do (its schema check and planner statistics, ~0.4 s at
a million items). The options are `streamlit run`'s own and pass through unchanged.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

APP: Final = Path(__file__).resolve().parent.parent / "app.py"
_RUNTIME_WAIT_S: Final = 120.0
DATABASE_OPENED: Final = "Database opened ahead of the first page"
DATABASE_NOT_OPENED: Final = "the database was not opened ahead of the first page"
WARMED_UP: Final = (DATABASE_OPENED, DATABASE_NOT_OPENED)  # the warm-up's last line, either way

log = logging.getLogger(__name__)


def app_modules() -> list[str]:
    """Every module of the `ui` package but this one: what the app's pages import."""
    package = Path(__file__).resolve().parent
    return sorted(f"ui.{found.name}" for found in pkgutil.iter_modules([str(package)]) if found.name != "serve")


def warm_up(modules: Sequence[str], *, wait_s: float = _RUNTIME_WAIT_S) -> list[str]:
    """Import `modules` once Streamlit's runtime exists (at most `wait_s` later); the ones that
    could not be imported are returned (the page that needs one shows its error as before)."""
    from streamlit import runtime

    deadline = time.monotonic() + wait_s
    while not runtime.exists():
        if time.monotonic() > deadline:
            return list(modules)
        time.sleep(0.05)
    started, failed = time.perf_counter(), []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - a warm-up never stops the server
            log.warning("not imported ahead of the first page: %s (%s)", name, type(error).__name__)
            failed.append(name)
    # Beside Streamlit's own start-up lines: an operator (and the browser tests) can see it happened.
    print(
        f"  App modules imported ahead of the first page: {len(modules) - len(failed)} of {len(modules)} "
        f"in {time.perf_counter() - started:.1f} s.",
        flush=True,
    )
    return failed


def warmed_up(server_log: str) -> bool:
    """Whether a server's log shows the warm-up's last line (the database opened, or not)."""
    return any(line in server_log for line in WARMED_UP)


def open_store() -> bool:
    """Open the configured database as the pages will (`ui.data.store`, cached for the server):
    its schema check and planner statistics then run before the first page, not during it. False
    when it cannot be opened now (the page says why, as before)."""
    started = time.perf_counter()
    try:
        from ui import data

        data.store()
    except Exception as error:  # noqa: BLE001 - a warm-up never stops the server
        log.warning("%s (%s)", DATABASE_NOT_OPENED, type(error).__name__)
        return False
    print(f"  {DATABASE_OPENED} in {time.perf_counter() - started:.1f} s.", flush=True)
    return True


def first_element_check() -> None:
    """Streamlit's once-per-process check before the first element it draws ("is this a REPL?"),
    done now: it walks the drawing thread's whole stack with `inspect`, which maps every loaded
    module to its file the first time (0.2 s in a shallow stack, ~0.8 s of the first page on a
    busy 2-core machine, measured with py-spy). A private function: if Streamlit renames it, the
    first page pays again, nothing breaks."""
    try:
        from streamlit import delta_generator

        delta_generator._maybe_print_use_warning()
    except Exception as error:  # noqa: BLE001 - a warm-up never stops the server
        log.info("Streamlit's first-element check not done ahead (%s)", type(error).__name__)


def _warm_up_all() -> None:
    from streamlit import runtime

    warm_up(app_modules())
    if runtime.exists():  # else the warm-up gave up waiting for it: nothing was imported
        first_element_check()  # after the imports: the runtime exists, so it prints nothing
        open_store()


def main(options: Sequence[str]) -> int:
    from streamlit.web import cli

    threading.Thread(target=_warm_up_all, name="warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *options]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
