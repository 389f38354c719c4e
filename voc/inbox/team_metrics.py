"""Team metrics: how fast the care team answers, how often within SLA, where breaches happen,
and whether alerts are acknowledged within target — per day over a period.

Only items that needed a person count (the care queue's rule, `voc.inbox.queue`: negative, very
unhappy, questions, urgent requests, sentiments to review). Times are measured from posting, like
the clocks. Domain: no Streamlit.

Built for a long history (issue #21): one query reads the window through the `posted_at` index,
the care queue's rule and the priority (times the VIP tier) evaluated by the database, and only
the columns a clock needs are used; nothing outside the window is read. The database sums the
window (`_summed_window`): items by the count per day, late or not by their team's clock (around
the clock or business hours), the answered ones' times taken as one array per group for the
medians. Where SQL cannot tell them exactly (a team open while its clock changes, a report zone
whose clock turns back over midnight) Python walks each item's clock (`_walked_window`). Both sum
into `_Sums` and give the same figures (docs/inbox.md, "Team metrics"). The summed statement is
built once for a day's shape (settings, open times, days) and kept; the window's start and now are
bound at each call (`_window_statement`).
"""

from __future__ import annotations

import statistics
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import sqlalchemy as sa

from voc.alerts.service import load_policy
from voc.inbox.priority import HIGH_AT, URGENT_AT, queue_priority, tier_for
from voc.inbox.queue import _needs_a_person, load_sla, load_vip
from voc.inbox.sla import DEFAULT_TEAM, TIERS, BusinessHours, SlaPolicy, SlaSettings
from voc.inbox.vip import VipList
from voc.store.facade import Store
from voc.store.schema import alerts, items

DAILY_COLUMNS: Final = (
    "day",
    "answered",
    "median_first_response_min",
    "within_sla",
    "breaches",
    "alerts",
    "acked_within_target",
)
_TICK: Final = timedelta(microseconds=1)
_PROBE_STEP: Final = timedelta(minutes=15)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TeamMetrics:
    median_first_response_min: float | None
    answered_within_sla: float | None  # share of answered items
    answered: int
    breached_open: int  # unanswered and past due now
    alerts_acked_within_target: float | None
    daily: pd.DataFrame = field(
        repr=False
    )  # day, answered, median_first_response_min, within_sla, breaches, alerts, acked_within_target
    breaches: pd.DataFrame = field(repr=False)  # dimension (source|language), value, breaches


def window_query(store: Store, start: datetime) -> sa.Select[Any]:
    """The items of the window that needed a person: posted, answered, where from, and the
    priority an agent sees (the stored part times the VIP tier), all evaluated by the database."""
    return _window_select(store.dialect, load_vip(store), start)


def _window_select(dialect: str, vip: VipList, start: datetime | sa.BindParameter[Any]) -> sa.Select[Any]:
    score = queue_priority(items.c.priority, items.c.author, items.c.respondent_key, vip)
    posted: sa.ColumnElement[Any] = items.c.posted_at
    answered: sa.ColumnElement[Any] = items.c.first_response_at
    if dialect == "postgresql":
        # psycopg's times are aware already: converting each to UTC in Python (`UTCDateTime`) cost
        # more than the query at 10M items (270k values for 14 days). The same instants either way.
        posted = sa.type_coerce(posted, sa.DateTime(timezone=True)).label("posted_at")
        answered = sa.type_coerce(answered, sa.DateTime(timezone=True)).label("first_response_at")
    return sa.select(
        posted,
        answered,
        items.c.channel,
        items.c.source,
        items.c.language,
        score.label("score"),
    ).where(
        items.c.posted_at >= start,
        items.c.is_competitor.is_(False),
        items.c.duplicate_of.is_(None),
        items.c.triage_status != "not_actionable",
        _needs_a_person(False),
    )


def _due(policy: SlaPolicy, posted: datetime, tier: str) -> datetime:
    target = policy.target(tier)
    # Around the clock (the default), the due time is plain addition; else open hours are walked.
    return posted + target if policy.hours.always_open else policy.hours.add(posted, target)


class _Sums:
    """The figures being summed: items by the count, and of the answered ones' times taken either
    every one (walked) or only the middle one or two of each day and of the window (summed): a
    median needs no more, `statistics.median` of the middles is the whole list's."""

    def __init__(self) -> None:
        self.answered_count = 0
        self.minutes: list[float] = []
        self.within = 0
        self.breached_open = 0
        self.per_day_answered: Counter[date] = Counter()
        self.per_day_minutes: dict[date, list[float]] = defaultdict(list)
        self.per_day_within: Counter[date] = Counter()
        self.per_day_breaches: Counter[date] = Counter()
        self.by_dimension: dict[str, Counter[str]] = {"source": Counter(), "language": Counter()}

    def answered(
        self, day: date, posted: datetime, answered: datetime, due: datetime, source: str, language: str
    ) -> None:
        taken = (answered - posted).total_seconds() / 60
        self.minutes.append(taken)
        self.per_day_minutes[day].append(taken)
        self.answered_in(answered > due, day, source, language, 1)

    def answered_in(self, late: bool, day: date, source: str, language: str, count: int) -> None:
        """`count` answered items counted (their times taken are added apart)."""
        self.per_day_breaches[day] += 0  # every day with an item that needed a person has a row
        self.answered_count += count
        self.per_day_answered[day] += count
        if late:
            self.breach(day, source, language, count)
        else:
            self.within += count
            self.per_day_within[day] += count

    def open(self, day: date, breached: bool, source: str, language: str, count: int) -> None:
        self.per_day_breaches[day] += 0  # every day with an item that needed a person has a row
        if breached:
            self.breached_open += count
            self.breach(day, source, language, count)

    def breach(self, day: date, source: str, language: str, count: int) -> None:
        self.per_day_breaches[day] += count
        self.by_dimension["source"][source] += count
        self.by_dimension["language"][language] += count


def team_metrics(store: Store, *, now: datetime, days: int = 14, tz: str = "UTC") -> TeamMetrics:
    """Metrics over the last `days` days (days are the team's calendar days in `tz`).

    The database sums the window (`_summed_window`); where it cannot tell a clock exactly Python
    walks each item's (`_walked_window`). The figures are the same either way
    (tests/integration/test_team_metrics.py checks it)."""
    start = now - timedelta(days=days)
    sla = load_sla(store)
    zone = ZoneInfo(tz)
    sums = _summed_window(store, sla, start, now, zone)
    if sums is None:
        sums = _walked_window(store, sla, start, now, zone)
    with store.read() as connection:
        alert_rows = connection.execute(
            sa.select(alerts.c.created_at, alerts.c.acknowledged_at).where(alerts.c.created_at >= start)
        ).all()
    ack_target = load_policy(store).ack_target
    acked = [a is not None and (a - c) <= ack_target for c, a in alert_rows]
    per_day_alerts: dict[date, list[bool]] = defaultdict(list)
    for (created, _), in_time in zip(alert_rows, acked, strict=True):
        per_day_alerts[created.astimezone(zone).date()].append(in_time)
    answered = sums.answered_count
    return TeamMetrics(
        median_first_response_min=round(float(statistics.median(sums.minutes)), 1) if answered else None,
        answered_within_sla=sums.within / answered if answered else None,
        answered=answered,
        breached_open=int(sums.breached_open),
        alerts_acked_within_target=sum(acked) / len(acked) if acked else None,
        daily=_daily(sums, per_day_alerts),
        breaches=_breaches(sums.by_dimension),
    )


def _walked_window(store: Store, sla: SlaSettings, start: datetime, now: datetime, zone: ZoneInfo) -> _Sums:
    """Every item of the window back from the database, its clock worked out in Python."""
    with store.read() as connection:
        rows = connection.execute(window_query(store, start)).all()
    policies: dict[str, SlaPolicy] = {}
    sums = _Sums()
    for posted, answered, channel, source, language, score in rows:
        policy = policies.get(channel)
        if policy is None:
            policy = policies[channel] = sla.policy_for(channel)
        due = _due(policy, posted, tier_for(float(score or 0.0)))
        day = posted.astimezone(zone).date()
        if answered is not None:
            sums.answered(day, posted, answered, due, source, language)
        else:
            sums.open(day, now > due, source, language, 1)
    return sums


def _local_days(start: datetime, now: datetime, zone: ZoneInfo) -> tuple[date, list[datetime]] | None:
    """The first local day of the window and the instants its later days begin (through the day
    after `now`'s), or None when the zone's calendar days there are not one after another (a clock
    turned back over midnight): then only Python's own conversion is trusted."""
    first = start.astimezone(zone).date()
    last = now.astimezone(zone).date() + timedelta(days=1)
    bounds = []
    day = first + timedelta(days=1)
    while day <= last:
        bound = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        if bound.astimezone(zone).date() != day or (bound - _TICK).astimezone(zone).date() != day - timedelta(days=1):
            return None
        bounds.append(bound)
        day += timedelta(days=1)
    probe, previous = start, first
    while probe <= bounds[-1]:
        current = probe.astimezone(zone).date()
        if current < previous:
            return None
        probe, previous = probe + _PROBE_STEP, current
    return first, bounds


def _summed_window(store: Store, sla: SlaSettings, start: datetime, now: datetime, zone: ZoneInfo) -> _Sums | None:
    """The window summed by the database in one query that reads it once and groups it once (no
    ranking of the times taken there). An item is late by its team's clock: around the clock,
    answered when its time taken is over the target, open when posted before `now` minus the
    target; in business hours, by the open time before the answer (or now) against the posted
    one's plus the target (`_OpenTime`). Items come back as counts per day, late or not and where
    from, each group's times taken as one array of intervals (PostgreSQL) or list of whole
    microseconds (SQLite); Python sorts them as integers (82,000: milliseconds) and keeps the
    middle ones of each day and of the window, divided as `timedelta.total_seconds()` does, so
    the medians are the walked path's to the last bit.
    None when the zone's days cannot be told apart in SQL, an open window of a team holds a clock
    change, or an instant falls past the open times told: then Python walks the clocks."""
    policies = [sla.policy_for(None), *(sla.policy_for(channel) for channel in sla.routes)]
    policies.extend(sla.teams.values())
    open_times: dict[BusinessHours, _OpenTime] = {}
    for policy in policies:
        if policy.hours.always_open or policy.hours in open_times:
            continue
        if any(policy.target(tier) <= timedelta(0) for tier in TIERS):
            return None  # due at posting whatever the hours: Python's clocks only
        open_time = _OpenTime.around(policy.hours, start, now)
        if open_time is None:
            return None
        open_times[policy.hours] = open_time
    days = _local_days(start, now, zone)
    if days is None:
        return None
    first, bounds = days
    statement = _window_statement(store.dialect, sla, load_vip(store), open_times, tuple(bounds))
    with store.read() as connection:
        if store.dialect == "postgresql":
            # Grouped by hashing, not by sorting 137,559 rows at 10M items (~100 ms): the planner
            # cannot tell how few groups the day and late CASEs make (it guessed 141,000 for 5,300)
            # and sorts. For this statement's transaction only.
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
        rows: Sequence[Any] = connection.execute(statement.query, statement.bound.values(start, now)).all()
    if any(row[1] >= len(bounds) or row[4] is None for row in rows):
        return None  # posted after the day after `now`, or read past the open times told: outside SQL's days
    sums = _Sums()
    taken_by_day: dict[date, list[np.ndarray]] = defaultdict(list)
    for answered, index, source, language, late_flag, count, values in rows:
        local_day = first + timedelta(days=index)
        if not answered:
            sums.open(local_day, bool(late_flag), source, language, count)
            continue
        sums.answered_in(bool(late_flag), local_day, source, language, count)
        # PostgreSQL's list of whole microseconds, or SQLite's text of them
        taken_by_day[local_day].append(np.array(values if isinstance(values, list) else values.split(","), np.int64))
    by_day = {local_day: np.concatenate(parts) for local_day, parts in taken_by_day.items()}
    for local_day, values in by_day.items():
        sums.per_day_minutes[local_day] = _middle_minutes(values)
    if by_day:
        sums.minutes = _middle_minutes(np.concatenate(list(by_day.values())))
    return sums


@dataclass(frozen=True)
class _WindowStatement:
    """The summed window's statement, its instants (`start`, `now` and what follows from them)
    left as named parameters, so that it is built once for a window's shape, not at every call."""

    query: sa.Select[Any]
    bound: _Instants


class _Instants:
    """Named parameters of a statement and how each is worked out from the window's start and now."""

    def __init__(self) -> None:
        self._values: dict[str, Callable[[datetime, datetime], Any]] = {}

    def param(self, name: str, type_: Any, value: Callable[[datetime, datetime], Any]) -> sa.BindParameter[Any]:
        self._values[name] = value
        return sa.bindparam(name, type_=type_)

    def values(self, start: datetime, now: datetime) -> dict[str, Any]:
        return {name: value(start, now) for name, value in self._values.items()}


# Statements built lately, the newest first: one per team settings, VIP list, open times and days
# (all of them change at most daily), compared for equality (the settings hold mappings). The
# app's sessions run in threads: the list changes under the lock.
_STATEMENTS: list[tuple[tuple[Any, ...], _WindowStatement]] = []
_STATEMENTS_KEPT: Final = 8
_STATEMENTS_LOCK: Final = threading.Lock()


def _window_statement(
    dialect: str,
    sla: SlaSettings,
    vip: VipList,
    open_times: dict[BusinessHours, _OpenTime],
    bounds: tuple[datetime, ...],
) -> _WindowStatement:
    """The statement for this window's shape, built once (building it cost ~20 ms of SQLAlchemy
    work a call in business hours, a tenth of the call at 1M items on SQLite)."""
    key = (dialect, sla, vip, tuple(open_times.items()), bounds)
    with _STATEMENTS_LOCK:
        for place, (known, statement) in enumerate(_STATEMENTS):
            if known == key:
                _STATEMENTS.insert(0, _STATEMENTS.pop(place))
                return statement
    statement = _build_window_statement(dialect, sla, vip, open_times, list(bounds))  # outside the lock
    with _STATEMENTS_LOCK:
        _STATEMENTS.insert(0, (key, statement))
        del _STATEMENTS[_STATEMENTS_KEPT:]
    return statement


def _build_window_statement(
    dialect: str,
    sla: SlaSettings,
    vip: VipList,
    open_times: dict[BusinessHours, _OpenTime],
    bounds: list[datetime],
) -> _WindowStatement:
    """One query that reads the window once and groups it once (`_summed_window` says what it counts)."""
    posted_type = items.c.posted_at.type
    bound = _Instants()
    window = _window_select(dialect, vip, bound.param("window_start", posted_type, lambda start, now: start)).subquery()

    def per_tier(policy: SlaPolicy, value: Callable[[timedelta], Any]) -> sa.ColumnElement[Any]:
        """`value` of the policy's target for the item's tier (`tier_for`: no score is normal)."""
        return sa.case(
            (window.c.score >= URGENT_AT, value(policy.target("urgent"))),
            (window.c.score >= HIGH_AT, value(policy.target("high"))),
            else_=value(policy.target("normal")),
        )

    unrouted = sla.teams.get(DEFAULT_TEAM) or SlaPolicy()
    routed: list[tuple[SlaPolicy, list[str]]] = []  # each policy other than the unrouted one, its channels
    for channel in sorted(sla.routes):
        policy = sla.policy_for(channel)
        if policy != unrouted:
            channels = next((listed for known, listed in routed if known == policy), None)
            if channels is None:
                routed.append((policy, channels := []))
            channels.append(channel)

    def by_policy(value: Callable[[SlaPolicy], sa.ColumnElement[Any]]) -> sa.ColumnElement[Any]:
        """`value` for the item's team, by its channel (each policy written once)."""
        whens = [(window.c.channel.in_(channels), value(policy)) for policy, channels in routed]
        if sla.policy_for(None) != unrouted:
            whens.append((window.c.channel.is_(None), value(sla.policy_for(None))))
        return sa.case(*whens, else_=value(unrouted)) if whens else value(unrouted)

    def microseconds(target: timedelta) -> sa.ColumnElement[Any]:
        return sa.literal(target // _TICK, sa.BigInteger)

    def posted_before(target: timedelta) -> sa.BindParameter[Any]:
        """Now minus the target: an open item posted before it is late (around the clock)."""
        return bound.param(f"posted_before_{target // _TICK}", posted_type, lambda start, now: now - target)

    is_answered = window.c.first_response_at.is_not(None)
    # The time taken: an interval on PostgreSQL (exact; its `numeric` epoch cost a microsecond a
    # row), whole microseconds on SQLite.
    if dialect == "postgresql":
        taken = window.c.first_response_at - window.c.posted_at

        def over(policy: SlaPolicy) -> sa.ColumnElement[bool]:
            return window.c.first_response_at > window.c.posted_at + per_tier(policy, _interval)
    else:
        taken = _sqlite_microseconds(window.c.first_response_at) - _sqlite_microseconds(window.c.posted_at)

        def over(policy: SlaPolicy) -> sa.ColumnElement[bool]:
            return taken > per_tier(policy, microseconds)

    def late_for(policy: SlaPolicy) -> sa.ColumnElement[Any]:
        """1 when the item is late by its team's clock, else 0 (None: an instant past the open
        times told, so Python's clocks answer)."""
        if policy.hours.always_open:  # answered over the target, or still open and posted before now minus it
            return sa.case(
                (is_answered, sa.case((over(policy), 1), else_=0)),
                else_=sa.case((window.c.posted_at < per_tier(policy, posted_before), 1), else_=0),
            )
        open_time = open_times[policy.hours]
        which = list(open_times).index(policy.hours)
        if dialect == "postgresql":
            # Open times as instants (1970 plus the open time): an interval added, no conversion
            # to microseconds (`extract`'s numeric cost ~0.5 µs a value: half the query at 10M).
            # One three-way comparison; a tie is late when read in a closed stretch after a closing.
            due_at = open_time.instant(window.c.posted_at, posted_type) + per_tier(policy, _interval)
            read_at = sa.case(
                (is_answered, open_time.instant(window.c.first_response_at, posted_type)),
                else_=bound.param(f"open_time_now_{which}", posted_type, lambda start, now: open_time.read_at(now)),
            )
            mark = sa.case(
                (is_answered, open_time.closed_mark(window.c.first_response_at, posted_type)),
                else_=bound.param(f"closed_mark_now_{which}", sa.Integer(), lambda start, now: open_time.mark(now)),
            )
            return sa.case({1: 1, -1: 0, 0: mark}, value=sa.func.timestamptz_cmp(read_at, due_at))
        due = open_time.sqlite_sql(window.c.posted_at, posted_type) * 2 + per_tier(policy, microseconds) * 2
        read = sa.case(
            (is_answered, open_time.sqlite_sql(window.c.first_response_at, posted_type, closed_marks=True)),
            else_=bound.param(f"marked_now_{which}", sa.BigInteger(), lambda start, now: open_time.marked(now)),
        )
        # One comparison, so each side is worked out once a row; NULL when either is (past the end).
        return sa.cast(read > due, sa.Integer)

    # The local day's index: the first bound after the instant (`_bisected` takes "not before").
    day = _bisected(
        window.c.posted_at,
        posted_type,
        [(day_bound - _TICK, sa.literal(index)) for index, day_bound in enumerate(bounds)],
        sa.literal(len(bounds)),
    ).label("day")
    late = by_policy(late_for)
    if dialect == "postgresql":
        # Whole microseconds, not intervals: 82,000 intervals cost 30 ms more to turn into
        # timedeltas and back. `date_part` on an interval is a double of its seconds, exact to the
        # microsecond for anything under a century once rounded (`extract` is numeric and slower).
        taken_us = sa.func.round(sa.func.date_part("epoch", taken) * sa.literal_column("1000000"))
        # Read as psycopg gives it (a list of ints): SQLAlchemy's ARRAY processing walked every
        # value again (~75 ms for 82,000 at 10M items).
        taken_values: sa.ColumnElement[Any] = sa.type_coerce(
            sa.func.array_agg(sa.cast(taken_us, sa.BigInteger)).filter(is_answered), sa.types.NullType()
        )
    else:
        taken_values = sa.func.group_concat(taken).filter(is_answered)
    keys = [is_answered.label("answered"), day, window.c.source, window.c.language, late.label("late")]
    # One pass, one grouping; the times taken come back per group as one value, ranked in Python.
    # Grouped by the keys' places: written out again, each would be worked out again per row
    # (SQLite's parameters are numbered apart, so it cannot tell the two `late`s are one).
    ordinals: list[sa.ColumnElement[Any]] = [sa.literal_column(str(place)) for place in range(1, len(keys) + 1)]
    query = sa.select(*keys, sa.func.count().label("n"), taken_values.label("taken")).group_by(*ordinals)
    return _WindowStatement(query, bound)


def _middle_minutes(taken: np.ndarray) -> list[float]:
    """The middle one (odd count) or two (even) of times taken in whole microseconds (in any
    order: selected, not sorted, ~1 ms for 82,000), as minutes divided as
    `timedelta.total_seconds()` divides (µs / 10⁶, then / 60, on Python integers): the very floats
    of the walked path, so `statistics.median` of them is that of every time taken."""
    half = len(taken) // 2
    places = [half - 1, half] if len(taken) % 2 == 0 else [half]
    return [int(value) / 1_000_000 / 60 for value in np.partition(taken, places)[places]]


@dataclass(frozen=True)
class _OpenTime:
    """A team's open hours around a window, for clocks the database reads. The open time before an
    instant (in microseconds since the first window told) stands still while the team is closed;
    `BusinessHours.add(posted, target)` is the first instant at which it has grown by the target.
    So an item is late when the open time read at its answer (or now) is over the posted one's
    plus the target, or equal to it with the reading in a closed stretch after a closing (the due
    time was that closing): read twice the open time, plus one in such a stretch, against twice
    the due open time, all in whole numbers. Exact where no window holds a clock change (Python's
    own arithmetic adds wall time there); `around` gives None then."""

    windows: tuple[tuple[datetime, datetime], ...]  # open intervals in UTC, in order
    end: datetime  # instants after it are not told

    @classmethod
    def around(cls, hours: BusinessHours, start: datetime, now: datetime) -> _OpenTime | None:
        """The windows from the day before the window's first local day through a week after now's
        (answers recorded later than now are told too; an instant past the days told reads NULL)."""
        zone = ZoneInfo(hours.tz)
        day, last = start.astimezone(zone).date() - timedelta(days=1), now.astimezone(zone).date() + timedelta(days=7)
        windows = []
        while day <= last:
            window = hours.window(day)
            if window is not None:
                if window[0].utcoffset() != window[1].utcoffset():
                    return None  # a clock change while open
                windows.append((window[0].astimezone(UTC), window[1].astimezone(UTC)))
            day += timedelta(days=1)
        if not windows:
            return None  # never open: Python's clocks say so
        return cls(tuple(windows), datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC))

    def reading(self, instant: datetime) -> tuple[int, int] | None:
        """The open time before `instant` in microseconds, and 1 in a closed stretch after a
        closing (else 0); None past the end."""
        base, closed = 0, None
        for opens, closes in self.windows:
            if instant <= opens:
                return base, int(closed is not None)
            if instant <= closes:
                return base + (instant - opens) // _TICK, 0
            base += (closes - opens) // _TICK
            closed = closes
        return (base, 1) if instant <= self.end else None

    def read_at(self, instant: datetime) -> datetime | None:
        """PostgreSQL: `reading`'s open time as the instant that long after 1970; None past the end."""
        reading = self.reading(instant)
        return None if reading is None else _EPOCH + reading[0] * _TICK

    def mark(self, instant: datetime) -> int | None:
        """`reading`'s closed mark: 1 in a closed stretch after a closing, else 0; None past the end."""
        reading = self.reading(instant)
        return None if reading is None else reading[1]

    def marked(self, instant: datetime) -> int | None:
        """Twice the open time before `instant`, plus one in a closed stretch after a closing."""
        reading = self.reading(instant)
        return None if reading is None else 2 * reading[0] + reading[1]

    def instant(self, instant: sa.ColumnElement[Any], type_: Any) -> sa.ColumnElement[Any]:
        """PostgreSQL: the open time before `instant` as the instant that long after 1970 (a
        constant while closed, the instant moved back by a constant while open); NULL past the end."""
        steps: list[tuple[datetime, sa.ColumnElement[Any]]] = []
        base = 0
        for opens, closes in self.windows:
            steps.append((opens, sa.literal(_EPOCH + base * _TICK, type_)))
            steps.append((closes, instant + _interval(base * _TICK - (opens - _EPOCH))))
            base += (closes - opens) // _TICK
        steps.append((self.end, sa.literal(_EPOCH + base * _TICK, type_)))
        return _bisected(instant, type_, steps, None)

    def closed_mark(self, instant: sa.ColumnElement[Any], type_: Any) -> sa.ColumnElement[Any]:
        """`reading`'s mark as SQL: 1 in a closed stretch after a closing, else 0; NULL past the end."""
        steps: list[tuple[datetime, sa.ColumnElement[Any]]] = []
        for index, (opens, closes) in enumerate(self.windows):
            steps.extend([(opens, sa.literal(int(index > 0))), (closes, sa.literal(0))])
        steps.append((self.end, sa.literal(1)))
        return _bisected(instant, type_, steps, None)

    def sqlite_sql(
        self, instant: sa.ColumnElement[Any], type_: Any, *, closed_marks: bool = False
    ) -> sa.ColumnElement[Any]:
        """SQLite: the open time before `instant` in whole microseconds (twice it, plus the closed
        mark, with `closed_marks`, as `marked`); NULL past the end. (PostgreSQL reads `instant`.)"""
        scale = 2 if closed_marks else 1
        # Up to each instant (the first one not before it): a constant while closed (the open time
        # stands still), a constant plus the scaled instant's microseconds while open. One tree of
        # comparisons reaches the leaf, and only that leaf's arithmetic is done (two trees, the
        # constant's and the factor's, cost twice the comparisons at 10M items).
        microseconds = _sqlite_microseconds(instant)
        steps: list[tuple[datetime, sa.ColumnElement[Any]]] = []
        base, after_closing = 0, 0
        for opens, closes in self.windows:
            steps.append((opens, sa.literal(scale * base + after_closing, sa.BigInteger)))
            start_value = sa.literal(scale * (base - (opens - _EPOCH) // _TICK), sa.BigInteger)
            steps.append((closes, start_value + sa.literal(scale, sa.BigInteger) * microseconds))
            base += (closes - opens) // _TICK
            after_closing = 1 if closed_marks else 0
        steps.append((self.end, sa.literal(scale * base + after_closing, sa.BigInteger)))
        return _bisected(instant, type_, steps, None)


def _bisected(
    instant: sa.ColumnElement[Any], type_: Any, steps: Sequence[tuple[datetime, Any]], past: Any
) -> sa.ColumnElement[Any]:
    """The value of the first step whose instant is not before `instant` (`past` after the last),
    as a CASE split in halves: a handful of comparisons a row for two weeks' steps, not one per step."""
    if len(steps) <= 4:
        return sa.case(*((instant <= sa.literal(up_to, type_), value) for up_to, value in steps), else_=past)
    middle = len(steps) // 2
    return sa.case(
        (instant <= sa.literal(steps[middle - 1][0], type_), _bisected(instant, type_, steps[:middle], None)),
        else_=_bisected(instant, type_, steps[middle:], past),
    )


def _interval(span: timedelta) -> sa.ColumnElement[Any]:
    """A PostgreSQL interval of whole microseconds. psycopg would send `timedelta(hours=24)` as
    `1 day`, which an instant adds as a calendar day of the session's time zone (23 or 25 hours
    over a clock change where the server's zone is not UTC); microseconds are always elapsed time."""
    return sa.literal_column(f"INTERVAL '{span // _TICK:d} microseconds'", sa.Interval())


def _sqlite_microseconds(instant: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A stored SQLite instant (`YYYY-MM-DD HH:MM:SS.ffffff`) in microseconds since 1970: its whole
    seconds (`strftime('%s')` would round a fraction to milliseconds, so it is given none) and its
    fraction's digits."""
    text = sa.type_coerce(instant, sa.String)
    seconds = sa.cast(sa.func.strftime("%s", sa.func.substr(text, 1, 19)), sa.BigInteger)
    fraction = sa.cast(sa.func.substr(sa.func.substr(text, 21) + "000000", 1, 6), sa.BigInteger)
    return seconds * 1_000_000 + fraction


def _daily(sums: _Sums, alert_days: dict[date, list[bool]]) -> pd.DataFrame:
    """One row per day that had an item needing a person or an alert (a day without answers has
    no answer figures, a day without alerts no alert figures)."""
    missing = float("nan")
    rows = []
    for day in sorted(set(sums.per_day_breaches) | set(alert_days)):
        answered, acks = sums.per_day_answered[day], alert_days.get(day, [])
        rows.append(
            (
                day,
                answered if answered else missing,
                statistics.median(sums.per_day_minutes[day]) if answered else missing,
                sums.per_day_within[day] / answered if answered else missing,
                sums.per_day_breaches.get(day, missing),
                len(acks) if acks else missing,
                sum(acks) / len(acks) if acks else missing,
            )
        )
    return pd.DataFrame(rows, columns=list(DAILY_COLUMNS))


def _breaches(by_dimension: dict[str, Counter[str]]) -> pd.DataFrame:
    rows: Sequence[tuple[str, str, int]] = [
        (dimension, value, count)
        for dimension in sorted(by_dimension)
        for value, count in sorted(by_dimension[dimension].items(), key=lambda kv: (-kv[1], str(kv[0])))
    ]
    return pd.DataFrame(list(rows), columns=["dimension", "value", "breaches"])
