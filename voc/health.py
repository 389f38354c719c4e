"""Listener health: is each source being polled, and is it getting data?

Pure functions over the `SourceState` rows the runner keeps up to date (heartbeats, errors,
failure counts); the sidebar badge and the Sources page only render what these decide.
Domain: no Streamlit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from voc.models import SourceState

# Error kinds that waiting will not fix: a person must change a token, a query or the data.
NEEDS_A_PERSON = frozenset({"auth", "invalid_query", "bad_data"})
# Retryable failures in a row before "backing off" becomes "failing".
FAILING_AFTER = 3


class SourceHealth(StrEnum):
    HEALTHY = "healthy"
    BACKING_OFF = "backing_off"
    PAUSED = "paused"
    STALE = "stale"
    FAILING = "failing"
    DISABLED = "disabled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def color(self) -> str:
        """A Streamlit badge colour: red needs attention now, orange may fix itself."""
        return _COLORS[self]


_COLORS = {
    SourceHealth.HEALTHY: "green",
    SourceHealth.BACKING_OFF: "orange",
    SourceHealth.PAUSED: "orange",
    SourceHealth.STALE: "red",
    SourceHealth.FAILING: "red",
    SourceHealth.DISABLED: "gray",
}


@dataclass(frozen=True)
class Verdict:
    """One source's health and the reason, in words an operator can act on."""

    state: SourceHealth
    reason: str


@dataclass(frozen=True)
class HealthSummary:
    """What the sidebar badge shows: how many enabled listeners are alive."""

    alive: int
    enabled: int
    counts: dict[str, int]
    color: str  # green, orange, red or gray

    @property
    def label(self) -> str:
        if self.enabled == 0:
            return "No listeners running"
        return f"Listeners {self.alive}/{self.enabled} alive"


def age_in_words(seconds: float) -> str:
    """A short relative age: "12 s ago", "5 min ago", "3 h ago", "2 d ago"."""
    if seconds < 0:
        return "just now"
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} d ago"


def since(moment: datetime | None, now: datetime) -> str:
    """`age_in_words` for a timestamp, or "never"."""
    if moment is None:
        return "never"
    return age_in_words((now - moment).total_seconds())


def classify(source: SourceState, now: datetime, stale_after_s: float) -> Verdict:
    """Decide one source's health from its stored heartbeat and error fields.

    Order matters: a disabled source is not polled at all; an old heartbeat means no runner is
    alive, whatever the last error said; a pause (a spent daily budget, say) explains itself;
    then errors that need a person, or keep repeating; then a retryable error being waited out.
    """
    if not source.enabled:
        return Verdict(SourceHealth.DISABLED, "Disabled: not polled until it is enabled again.")
    if source.heartbeat_at is None:
        return Verdict(
            SourceHealth.STALE,
            "No heartbeat yet: start the listeners with `make run` or `python -m listeners`.",
        )
    silent_for = (now - source.heartbeat_at).total_seconds()
    if silent_for > stale_after_s:
        return Verdict(
            SourceHealth.STALE,
            f"Last heartbeat {age_in_words(silent_for)} (more than {int(stale_after_s)} s): "
            "is `python -m listeners` running?",
        )
    if source.paused_until is not None and source.paused_until > now:
        reason = source.pause_reason or "Paused"
        return Verdict(SourceHealth.PAUSED, f"{reason.rstrip('.')}. Resumes {_in_words(source.paused_until, now)}.")
    failures = source.consecutive_failures
    kind = source.error_kind or "unexpected"
    if failures > 0 and (kind in NEEDS_A_PERSON or failures >= FAILING_AFTER):
        return Verdict(
            SourceHealth.FAILING,
            f"{failures} failed poll{'s' if failures != 1 else ''} in a row ({kind}): {source.last_error or 'no message'}",
        )
    if failures > 0:
        retry = "" if source.next_poll_at is None else f"; retrying {_in_words(source.next_poll_at, now)}"
        return Verdict(SourceHealth.BACKING_OFF, f"Last poll failed ({kind}){retry}.")
    return Verdict(SourceHealth.HEALTHY, f"Polled {since(source.last_ok_at, now)}.")


def summary(sources: Iterable[SourceState], now: datetime, stale_after_s: float) -> HealthSummary:
    """Count enabled sources by health; alive means polled recently and not failing (a pause is
    alive: it is the runner choosing to wait)."""
    states = [classify(source, now, stale_after_s).state for source in sources]
    enabled = [state for state in states if state is not SourceHealth.DISABLED]
    counts = Counter(str(state) for state in states)
    alive = sum(state in (SourceHealth.HEALTHY, SourceHealth.BACKING_OFF, SourceHealth.PAUSED) for state in enabled)
    if not enabled:
        color = "gray"
    elif any(state in (SourceHealth.STALE, SourceHealth.FAILING) for state in enabled):
        color = "red"
    elif SourceHealth.BACKING_OFF in enabled or SourceHealth.PAUSED in enabled:
        color = "orange"
    else:
        color = "green"
    return HealthSummary(alive=alive, enabled=len(enabled), counts=dict(counts), color=color)


def _in_words(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    if seconds <= 0:
        return "now"
    return "in " + age_in_words(seconds).removesuffix(" ago")
