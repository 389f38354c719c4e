"""Team metrics on both databases: only the window's items that needed a person count, the VIP
tier and business hours move the SLA as in the queue, and the window is read through the
`posted_at` index (nothing older is read, however long the history)."""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.factories import new_item
from voc.access.roles import Actor, Role
from voc.inbox import care_settings as cs
from voc.inbox.queue import load_sla
from voc.inbox.sla import SlaSettings
from voc.inbox.team_metrics import _TICK, _summed_window, _Sums, _walked_window, team_metrics, window_query
from voc.inbox.vip import VipList
from voc.store.facade import Store
from voc.store.schema import items

ADMIN = Actor("olga@northwind.example", Role.ADMIN)


def answer(store: Store, external_id: str, after: timedelta) -> None:
    """Record the first response `after` the item was posted (as the reply path does)."""
    with store.write() as connection:
        posted = connection.execute(sa.select(items.c.posted_at).where(items.c.external_id == external_id)).scalar_one()
        connection.execute(
            items.update().where(items.c.external_id == external_id).values(first_response_at=posted + after)
        )


def test_only_the_windows_items_that_needed_a_person_count(store: Store, clock) -> None:
    now = clock.now
    store.add_items([
        new_item("quick", text="my bill is wrong again (quick)", posted_at=now - timedelta(hours=3)),
        new_item("late", text="my bill is wrong again (late)", posted_at=now - timedelta(hours=30), source="reviews", language="de"),
        new_item("vip", text="my bill is wrong again (vip)", posted_at=now - timedelta(hours=10), author="@Dan", source="vip-source", language="fr"),
        new_item("waiting", text="my bill is wrong again (waiting)", posted_at=now - timedelta(hours=6)),
        new_item("fresh", text="my bill is wrong again (fresh)", posted_at=now - timedelta(hours=1)),
        new_item("last-month", text="my bill is wrong again (last-month)", posted_at=now - timedelta(days=20)),
        new_item("chatter", posted_at=now - timedelta(hours=6), sentiment_label="neutral", text="nice weather today",
                 sentiment_confidence=0.9),
        new_item("rival", text="my bill is wrong again (rival)", posted_at=now - timedelta(hours=6), is_competitor=True),
        new_item("dismissed", text="my bill is wrong again (dismissed)", posted_at=now - timedelta(hours=6), triage_status="not_actionable"),
    ])  # fmt: skip
    answer(store, "quick", timedelta(minutes=30))  # high tier (4 h): in time
    answer(store, "late", timedelta(hours=5))  # late
    answer(store, "vip", timedelta(hours=2))  # in time for anyone else, late for a gold customer (1 h)
    cs.save_vip_list(store, VipList().with_entry("@dan", "gold"), actor=ADMIN, now=now)

    metrics = team_metrics(store, now=now)

    assert metrics.answered == 3 and metrics.median_first_response_min == 120.0
    assert metrics.answered_within_sla == 1 / 3
    assert metrics.breached_open == 1  # "waiting"; "fresh" is still on track, "last-month" is outside
    breaches = metrics.breaches.set_index(["dimension", "value"])["breaches"].to_dict()
    assert breaches == {
        ("language", "de"): 1, ("language", "en"): 1, ("language", "fr"): 1,
        ("source", "reviews"): 1, ("source", "test-source"): 1, ("source", "vip-source"): 1,
    }  # fmt: skip
    assert metrics.daily["answered"].sum() == 3 and metrics.daily["breaches"].sum() == 3
    assert list(metrics.daily["day"]) == sorted(metrics.daily["day"])


def test_business_hours_are_walked_for_the_due_time(store: Store, clock) -> None:
    morning = clock.now.replace(hour=6)  # before opening at 09:00 UTC
    store.add_items([new_item("early", posted_at=morning)])
    answer(store, "early", timedelta(hours=5))  # 11:00: five hours after posting, two open hours
    assert team_metrics(store, now=clock.now).answered_within_sla == 0.0  # around the clock: 4 h target missed
    hours = cs.team_policy(
        targets_hours={"urgent": 1, "high": 4, "normal": 24}, tz="UTC", days=range(7), opens=clock.now.replace(hour=9).time(),
        closes=clock.now.replace(hour=17).time(),
    )  # fmt: skip
    cs.save_sla_settings(store, cs.with_team(SlaSettings(), "default", hours), actor=ADMIN, now=clock.now)
    assert team_metrics(store, now=clock.now).answered_within_sla == 1.0


def test_an_empty_window_has_no_figures(store: Store, clock) -> None:
    store.add_items([new_item("old", posted_at=clock.now - timedelta(days=40))])
    metrics = team_metrics(store, now=clock.now)
    assert (metrics.answered, metrics.median_first_response_min, metrics.breached_open) == (0, None, 0)
    assert metrics.daily.empty and metrics.breaches.empty


def test_the_window_is_read_through_the_posted_at_index(store: Store, clock) -> None:
    store.add_items(
        [
            new_item(str(n), text=f"bill {n} is wrong", posted_at=clock.now - timedelta(hours=n))
            for n in range(0, 2000, 5)
        ]
    )
    query = window_query(store, clock.now - timedelta(days=14))
    with store.read() as connection:
        sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
        if store.dialect == "postgresql":
            # A handful of test rows would be read whole; what matters is that the index can serve the range.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
            assert "ix_items_posted_at" in plan and "Seq Scan" not in plan, plan
        else:
            connection.exec_driver_sql("ANALYZE")
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "USING INDEX ix_items_posted_at (posted_at>?)" in plan, plan


def _random_window(store: Store, now: datetime, seed: int) -> None:
    """Items around a 14-day window: every kind of need and chatter, VIP authors, channels with
    and without a team of their own, answered early, late or not at all, to the microsecond."""
    rng = random.Random(seed)
    made = []
    for n in range(300):
        posted = now - timedelta(seconds=rng.uniform(-3 * 3600, 16 * 86400))
        made.append(
            new_item(
                f"r{n}",
                text=rng.choice(["my bill is wrong", "is my bill right?", "nice phone", "cancel now, fraud!"])
                + f" {n}",
                posted_at=posted,
                channel=rng.choice(["x", "instagram", "reviews", "survey"]),
                source=rng.choice(["s1", "s2", "s3"]),
                language=rng.choice(["en", "de", "hi", "sw"]),
                author=rng.choice(["@dan", "@eve", "@someone", "@other"]),
                author_reach=rng.choice([10, 5000, 2_000_000]),
                sentiment_label=rng.choice(["negative", "neutral", "positive"]),
                sentiment_confidence=rng.uniform(0.1, 1.0),
                very_unhappy=rng.random() < 0.05,
            )
        )
    store.add_items(made)
    with store.write() as connection:
        for item in made[::2]:
            taken = timedelta(seconds=rng.uniform(0, 30 * 3600))
            connection.execute(
                items.update()
                .where(items.c.external_id == item.external_id)
                .values(first_response_at=item.posted_at + taken)
            )
    vips = VipList().with_entry("@dan", "gold").with_entry("@eve", "platinum")
    cs.save_vip_list(store, vips, actor=ADMIN, now=now)


def _around_the_clock() -> SlaSettings:
    odd = cs.team_policy(
        targets_hours={"urgent": 0.61, "high": 3.3, "normal": 19.7}, tz="Asia/Kolkata", days=range(7),
        opens=time(0), closes=None,
    )  # fmt: skip
    quick = cs.team_policy(
        targets_hours={"urgent": 0.25, "high": 1, "normal": 2}, tz="UTC", days=range(7), opens=time(0), closes=None
    )
    return cs.with_team(cs.with_team(SlaSettings(), "default", odd), "social", quick, ["x", "instagram"], new=True)


def _business_hours() -> SlaSettings:
    office = cs.team_policy(
        targets_hours={"urgent": 1, "high": 4, "normal": 24}, tz="Asia/Kolkata", days=range(5), opens=time(9),
        closes=time(17, 30),
    )  # fmt: skip
    return cs.with_team(_around_the_clock(), "office", office, ["reviews"], new=True)


def _business_hours_over_a_clock_change() -> SlaSettings:
    """Weekdays 9:00-17:30 in New York, whose clock turns back on Sunday 1 November 2026 (closed),
    for the social channels; the office's in Kolkata for reviews."""
    new_york = cs.team_policy(
        targets_hours={"urgent": 0.5, "high": 3, "normal": 9.25}, tz="America/New_York", days=range(5),
        opens=time(9), closes=time(17, 30),
    )  # fmt: skip
    return cs.with_team(_business_hours(), "new york", new_york, ["x", "instagram"], new=True)


def _open_while_the_clock_turns() -> SlaSettings:
    """Open from midnight to midnight on Sundays in New York: the window of 1 November 2026 holds
    the clock change, where Python's clocks add wall time; only they answer."""
    sundays = cs.team_policy(
        targets_hours={"urgent": 1, "high": 4, "normal": 24}, tz="America/New_York", days=[2, 6], opens=time(0),
        closes=None,
    )  # fmt: skip
    return cs.with_team(SlaSettings(), "default", sundays)


def _sums_as_data(sums: _Sums) -> tuple[Any, ...]:
    """Everything the figures are made from: the counts, and the medians of the times taken (the
    walked path keeps every time taken, the summed one only each day's and the window's middles)."""
    return (
        sums.answered_count,
        statistics.median(sums.minutes) if sums.minutes else None,
        sums.within,
        sums.breached_open,
        dict(sums.per_day_answered),
        {day: statistics.median(taken) for day, taken in sums.per_day_minutes.items() if taken},
        dict(sums.per_day_within),
        dict(sums.per_day_breaches),  # days with items and no breach are kept (a 0), as a dict sees
        {dimension: dict(counts) for dimension, counts in sums.by_dimension.items()},
    )


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/New_York"])
@pytest.mark.parametrize(
    "settings",
    [SlaSettings, _around_the_clock, _business_hours, _business_hours_over_a_clock_change, _open_while_the_clock_turns],
)
def test_the_database_sums_the_same_figures_as_the_walked_clocks(store: Store, tz: str, settings: Any) -> None:
    now = datetime(2026, 11, 5, 12, 0, 7, 123456, tzinfo=UTC)  # the window holds New York's clock change
    _random_window(store, now, seed=len(tz))
    sla = settings()
    if sla != SlaSettings():
        cs.save_sla_settings(store, sla, actor=ADMIN, now=now)
    zone, start = ZoneInfo(tz), now - timedelta(days=14)
    walked = _walked_window(store, load_sla(store), start, now, zone)
    summed = _summed_window(store, load_sla(store), start, now, zone)
    assert walked.breached_open and walked.within and len(walked.minutes) > walked.within  # all kinds are there
    if settings is _open_while_the_clock_turns:
        assert summed is None  # an open window holds the clock change: the Python path answers
        return
    assert summed is not None
    assert _sums_as_data(summed) == _sums_as_data(walked)
    assert len(summed.minutes) <= 2 and all(len(taken) <= 2 for taken in summed.per_day_minutes.values())
    metrics = team_metrics(store, now=now, tz=tz)
    assert metrics.answered == len(walked.minutes) and metrics.breached_open == walked.breached_open


def test_medians_of_odd_and_even_days_a_single_answer_and_none(store: Store) -> None:
    """Medians summed by the database are the walked ones on each kind of day: one answer, two
    (the middle two averaged), three with a tie, answered on the target to the microsecond and one
    microsecond over it, none answered; posted on a fraction that rounds up to the next second in
    milliseconds, and on a whole second."""
    now = datetime(2026, 11, 5, 12, 0, 7, 123456, tzinfo=UTC)
    minute = timedelta(minutes=1)
    taken_by_day = {
        1: [10 * minute + 400 * _TICK],  # answered on a whole second, posted 400 µs before one
        2: [20 * minute, 45 * minute + _TICK],
        3: [5 * minute, 90 * minute, 5 * minute],
        4: [],
        5: [timedelta(hours=4), timedelta(hours=4) + _TICK],  # the high tier's target: on it, over it
    }
    made = []
    for back, taken in taken_by_day.items():
        for n in range(max(len(taken), 1)):
            posted = (now - timedelta(days=back)).replace(hour=9, second=59, microsecond=(999_600, 0)[n % 2])
            made.append(new_item(f"d{back}-{n}", text=f"my bill is wrong again ({back}, {n})", posted_at=posted))
    store.add_items(made)
    zone, start = ZoneInfo("UTC"), now - timedelta(days=14)
    nothing_answered = _summed_window(store, load_sla(store), start, now, zone)
    assert nothing_answered is not None
    assert _sums_as_data(nothing_answered) == _sums_as_data(_walked_window(store, load_sla(store), start, now, zone))
    assert nothing_answered.answered_count == 0 and nothing_answered.minutes == []
    assert team_metrics(store, now=now).median_first_response_min is None
    for back, taken in taken_by_day.items():
        for n, after in enumerate(taken):
            answer(store, f"d{back}-{n}", after)

    summed = _summed_window(store, load_sla(store), start, now, zone)
    walked = _walked_window(store, load_sla(store), start, now, zone)
    assert summed is not None and _sums_as_data(summed) == _sums_as_data(walked)
    metrics = team_metrics(store, now=now)
    daily = metrics.daily.set_index("day")
    day = {back: (now - timedelta(days=back)).date() for back in taken_by_day}
    assert daily.loc[day[1], "median_first_response_min"] == (10 * 60_000_000 + 400) / 1_000_000 / 60
    assert daily.loc[day[2], "median_first_response_min"] == (20.0 + (45 * 60_000_000 + 1) / 1_000_000 / 60) / 2
    assert daily.loc[day[3], "median_first_response_min"] == 5.0 and daily.loc[day[3], "answered"] == 3
    assert daily.loc[day[5], "median_first_response_min"] == (240.0 + (240 * 60_000_000 + 1) / 1_000_000 / 60) / 2
    assert daily.loc[day[5], "within_sla"] == 0.5  # on the target is within it, a microsecond over is late
    assert math.isnan(daily.loc[day[4], "answered"]) and math.isnan(daily.loc[day[4], "median_first_response_min"])
    assert metrics.answered == 8 and metrics.median_first_response_min == round((20.0 + 45.0) / 2, 1)


def test_business_hours_summed_at_the_closing_and_the_opening(store: Store) -> None:
    """The database's business-hours clocks at their edges, as Python's: due exactly at the
    closing (answered then: in time; a microsecond later, or at the next opening: late), due
    inside open hours after a night (on it and a microsecond over), and open items read at an
    opening (late when due at the closing before, on track when due later)."""
    kolkata = ZoneInfo("Asia/Kolkata")

    def at(day: int, hour: int, minute: int = 0) -> datetime:  # November 2026, Kolkata's wall time
        return datetime(2026, 11, day, hour, minute, tzinfo=kolkata).astimezone(UTC)

    now = at(5, 9)  # Thursday's opening
    made = {
        "at-closing": (at(4, 13, 30), at(4, 17, 30)),  # Wednesday: due at 17:30, the closing
        "after-closing": (at(4, 13, 30), at(4, 17, 30) + _TICK),
        "at-opening": (at(4, 13, 30), at(5, 9)),
        "after-night": (at(3, 20), at(4, 13)),  # Tuesday night: due Wednesday 13:00
        "after-night-late": (at(3, 20), at(4, 13) + _TICK),
        "open-due-at-closing": (at(4, 13, 30), None),
        "open-due-later": (at(5, 5), None),  # due Thursday 13:00
    }
    store.add_items([
        new_item(name, text=f"my bill is wrong again ({name})", posted_at=posted, channel="reviews")
        for name, (posted, _) in made.items()
    ])  # fmt: skip
    for name, (posted, answered) in made.items():
        if answered is not None:
            answer(store, name, answered - posted)
    cs.save_sla_settings(store, _business_hours(), actor=ADMIN, now=now)
    zone, start = ZoneInfo("UTC"), now - timedelta(days=14)
    summed = _summed_window(store, load_sla(store), start, now, zone)
    walked = _walked_window(store, load_sla(store), start, now, zone)
    assert summed is not None and _sums_as_data(summed) == _sums_as_data(walked)
    assert (summed.answered_count, summed.within, summed.breached_open) == (5, 2, 1)


@pytest.mark.parametrize("server_zone", ["America/New_York", "Asia/Kolkata"])
def test_day_long_targets_are_elapsed_hours_whatever_the_servers_time_zone(
    store: Store, database_url: str, server_zone: str
) -> None:
    """A 24-hour target is 24 elapsed hours, also on a PostgreSQL server whose default zone's clock
    turns back (New York, 1 November 2026): in such a session an interval sent as `1 day` is added
    as a calendar day (25 hours) and Python subtracts the instants psycopg returns as wall time
    (23 hours). The store's sessions run in UTC and its intervals are microseconds. SQLite has no
    session zone: the same figures."""
    now = datetime(2026, 11, 5, 12, tzinfo=UTC)
    posted = datetime(2026, 10, 31, 12, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    store.add_items([
        new_item(f"dst-{n}", text=f"my bill is wrong again ({n})", posted_at=posted) for n in range(3)
    ])  # fmt: skip
    for n, after in enumerate((timedelta(hours=23.5), timedelta(hours=24.5), timedelta(hours=24, microseconds=1))):
        answer(store, f"dst-{n}", after)
    day_long = cs.team_policy(
        targets_hours={"urgent": 24, "high": 24, "normal": 24}, tz="UTC", days=range(7), opens=time(0), closes=None
    )
    cs.save_sla_settings(store, cs.with_team(SlaSettings(), "default", day_long), actor=ADMIN, now=now)
    opened = store
    if store.dialect == "postgresql":
        zoned = database_url.replace("options=-csearch_path", f"options=-cTimeZone%3D{server_zone}%20-csearch_path")
        opened = Store.from_url(zoned, upgrade=False)
    try:
        if opened.dialect == "postgresql":
            with opened.read() as connection:
                assert connection.exec_driver_sql("SELECT current_setting('TimeZone')").scalar() == "UTC"
                connection.exec_driver_sql("SET LOCAL TIME ZONE DEFAULT")
                assert connection.exec_driver_sql("SELECT current_setting('TimeZone')").scalar() == server_zone
        zone, start = ZoneInfo("UTC"), now - timedelta(days=14)
        summed = _summed_window(opened, load_sla(opened), start, now, zone)
        walked = _walked_window(opened, load_sla(opened), start, now, zone)
        assert summed is not None and _sums_as_data(summed) == _sums_as_data(walked)
        assert (summed.answered_count, summed.within) == (3, 1)  # only the one within 24 elapsed hours
    finally:
        if opened is not store:
            opened.engine.dispose()


@pytest.mark.parametrize("settings", [_around_the_clock, _business_hours])
def test_a_statement_kept_from_an_earlier_call_counts_by_the_later_calls_now(
    store: Store, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summed window's statement is built once for the day's shape and kept; the window's start
    and now (and what follows from them: what is due by now, the open time read now) are bound at
    each call, so hours later the same statement counts the open items that fell due meanwhile."""
    import voc.inbox.team_metrics as module

    built: list[object] = []
    build = module._build_window_statement
    monkeypatch.setattr(module, "_STATEMENTS", [])
    monkeypatch.setattr(module, "_build_window_statement", lambda *args: built.append(args) or build(*args))
    first = datetime(2026, 11, 19, 3, 0, 7, 123456, tzinfo=UTC)
    _random_window(store, first + timedelta(hours=12), seed=7)
    cs.save_sla_settings(store, settings(), actor=ADMIN, now=first)
    zone = ZoneInfo("Asia/Kolkata")
    breached = []
    for later in (timedelta(0), timedelta(hours=1, minutes=17), timedelta(hours=6, seconds=3)):
        now = first + later
        start = now - timedelta(days=14)
        summed = _summed_window(store, load_sla(store), start, now, zone)
        assert summed is not None
        assert _sums_as_data(summed) == _sums_as_data(_walked_window(store, load_sla(store), start, now, zone))
        breached.append(summed.breached_open)

    assert len(built) == 1  # one statement for the three calls
    assert breached[0] < breached[-1]  # open items fell due between the first call and the last
