"""One piece of the listener loop's slow work at a time, in a thread beside the polling.

The weekly export and the retention sweep can each take minutes; the runner's loop must keep
polling sources meanwhile, so each runs in a daemon thread, never two at once. With
`background=False` (tests) the work runs inline. Domain: no Streamlit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime


class BackgroundStep:
    """Runs `work(now)` in a named thread, or inline; `busy` while the last run is going."""

    def __init__(self, work: Callable[[datetime], object], *, name: str, background: bool = True) -> None:
        self._work = work
        self._name = name
        self.background = background
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, now: datetime) -> None:
        if not self.background:
            self._work(now)
            return
        self._thread = threading.Thread(target=self._work, args=(now,), name=self._name, daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
