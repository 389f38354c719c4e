"""Listener health: is each source being polled, and is it getting data?

Pure functions over the `SourceState` rows the runner keeps up to date (heartbeats, errors,
failure counts); the sidebar badge and the Sources page only render what these decide.
Domain: no Streamlit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from voc.models import SourceState

# Error kinds that waiting will not fix: a person must change a token, a query or the data.
NEEDS_A_PERSON = frozenset({"auth", "invalid_query", "bad_data"})
# Retryable failures in a row before "backing off" becomes "failing".
FAILING_AFTER = 3
# Each error kind (listeners.base.ErrorKind) as the Sources page names it, short enough for the
# card's metric (its last error says the rest): the codes are for logs.
ERROR_KIND_NAMES = {
    "rate_limited": "Rate limit",
    "usage_cap": "Usage cap",
    "auth": "Sign-in",
    "invalid_query": "Bad query",
    "transient": "Network",
    "bad_data": "Bad data",
    "unexpected": "Unexpected",
}


def error_kind_name(kind: str | None) -> str | None:
    """ "transient" -> "Network"; None stays None."""
    return ERROR_KIND_NAMES.get(kind, kind.replace("_", " ").capitalize()) if kind else None


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
    """What the sidebar badge shows: is the listener process running, and do sources need a person.

    The badge speaks of the process: with one stale or failing source among live ones it says
    "Listeners running" and a line under it "1 source needs attention: NAME", never "the listeners
    are down"; that is said only when no enabled source has a fresh heartbeat (the runner beats
    every source it holds, failing or not).
    """

    alive: int
    enabled: int
    counts: dict[str, int]
    color: str  # green, orange, red or gray
    running: bool = True  # some enabled source has a fresh heartbeat: the listener process is up
    needing_attention: tuple[str, ...] = ()  # enabled sources stale or failing while the process runs

    @property
    def label(self) -> str:
        """The badge: about the listener process only."""
        if self.enabled == 0:
            return "No listeners running"
        if not self.running:
            return "Listeners not running"
        if self.needing_attention:
            return "Listeners running"
        return f"Listeners {self.alive}/{self.enabled} alive"

    @property
    def attention(self) -> str | None:
        """Under the badge: "1 source needs attention: blog", naming up to three; None when none does."""
        names = self.needing_attention
        if not names:
            return None
        needs = "source needs" if len(names) == 1 else "sources need"
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return f"{len(names)} {needs} attention: {shown}"


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
    named = (error_kind_name(kind) or kind).lower()  # kind is never empty here
    if failures > 0 and (kind in NEEDS_A_PERSON or failures >= FAILING_AFTER):
        return Verdict(
            SourceHealth.FAILING,
            f"{failures} failed poll{'s' if failures != 1 else ''} in a row ({named}): {source.last_error or 'no message'}",
        )
    if failures > 0:
        retry = "" if source.next_poll_at is None else f"; retrying {_in_words(source.next_poll_at, now)}"
        return Verdict(SourceHealth.BACKING_OFF, f"Last poll failed ({named}){retry}.")
    return Verdict(SourceHealth.HEALTHY, f"Polled {since(source.last_ok_at, now)}.")


def summary(sources: Iterable[SourceState], now: datetime, stale_after_s: float) -> HealthSummary:
    """Count enabled sources by health; alive means polled recently and not failing (a pause is
    alive: it is the runner choosing to wait). Red only when the listener process is not running."""
    sources = list(sources)
    states = [classify(source, now, stale_after_s).state for source in sources]
    sick = tuple(
        source.name
        for source, state in zip(sources, states, strict=True)
        if state in (SourceHealth.STALE, SourceHealth.FAILING)
    )
    enabled = [state for state in states if state is not SourceHealth.DISABLED]
    counts = Counter(str(state) for state in states)
    alive = sum(state in (SourceHealth.HEALTHY, SourceHealth.BACKING_OFF, SourceHealth.PAUSED) for state in enabled)
    running = any(
        source.enabled
        and source.heartbeat_at is not None
        and (now - source.heartbeat_at).total_seconds() <= stale_after_s
        for source in sources
    )
    attention = sick if running else ()
    if not enabled:
        color = "gray"
    elif not running:
        color = "red"
    elif attention or SourceHealth.BACKING_OFF in enabled or SourceHealth.PAUSED in enabled:
        color = "orange"
    else:
        color = "green"
    return HealthSummary(
        alive=alive,
        enabled=len(enabled),
        counts=dict(counts),
        color=color,
        running=running,
        needing_attention=attention,
    )


# The Sources page lists what a person must act on first: broken, then silent, then waiting.
_ATTENTION_ORDER = {
    SourceHealth.FAILING: 0,
    SourceHealth.STALE: 1,
    SourceHealth.BACKING_OFF: 2,
    SourceHealth.PAUSED: 3,
    SourceHealth.HEALTHY: 4,
    SourceHealth.DISABLED: 5,
}


def attention_first(
    sources: Iterable[SourceState],
    now: datetime,
    stale_after_s: float,
    skipped: Mapping[str, Mapping[str, int]] | None = None,
) -> list[tuple[SourceState, Verdict]]:
    """Each source with its verdict, those a person must act on first: failing, stale, backing off,
    paused; among the same state, one with a note (entries skipped, added despite a failed
    connection test) before one without; then by name."""
    skipped = skipped or {}

    def noted(source: SourceState) -> bool:
        return any(count > 0 for count in (skipped.get(source.name) or {}).values()) or (
            connection_test_note(source) is not None
        )

    judged = [(source, classify(source, now, stale_after_s)) for source in sources]
    return sorted(judged, key=lambda pair: (_ATTENTION_ORDER[pair[1].state], not noted(pair[0]), pair[0].name))


def next_try(
    source: SourceState, now: datetime, clock: Callable[[datetime], str] = lambda moment: f"{moment:%Y-%m-%d %H:%M} UTC"
) -> str | None:
    """When a failed or paused source is tried again ("Next try in 5 min (2026-11-23 14:05 UTC)"),
    or None; `clock` writes the moment (the app: in the viewer's zone, "23 Nov 15:05")."""
    moment = source.paused_until if source.paused_until is not None and source.paused_until > now else None
    if moment is None and source.consecutive_failures > 0:
        moment = source.next_poll_at
    if moment is None or not source.enabled:
        return None
    return f"Next try {_in_words(moment, now)} ({clock(moment)})."


def skipped_lines(skipped: Mapping[str, int]) -> list[str]:
    """The entries a source sent but could not store, one line per reason: "3 entries skipped: no text"."""
    return [
        f"{count:,} {'entry' if count == 1 else 'entries'} skipped: {reason}"
        for reason, count in sorted(skipped.items(), key=lambda pair: (-pair[1], pair[0]))
        if count > 0
    ]


def connection_test_note(source: SourceState) -> str | None:
    """Said on the card of a source added although its connection test failed, until it polls fine."""
    if source.test_failed_at is None:
        return None
    if source.last_ok_at is not None and source.last_ok_at >= source.test_failed_at:
        return None
    return f"Added although its connection test failed: {source.test_failure or 'no message'}"


def _in_words(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    if seconds <= 0:
        return "now"
    return "in " + age_in_words(seconds).removesuffix(" ago")
