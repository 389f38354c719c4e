"""Team metrics as they were read before issue #21, frozen for `bench/scale.py`'s comparison.

Every item of the window read whole (all columns), each prioritised in Python with its clock and
its needs, then aggregated in pandas. `voc.inbox.team_metrics` now filters in SQL, reads five
columns and aggregates without pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from voc.alerts.service import load_policy
from voc.inbox.priority import prioritise
from voc.inbox.queue import load_sla, load_vip, needs_for
from voc.inbox.sla import SlaState
from voc.store.facade import Store
from voc.store.schema import alerts, items


@dataclass(frozen=True)
class TeamMetricsBefore21:
    median_first_response_min: float | None
    answered_within_sla: float | None  # share of answered items
    answered: int
    breached_open: int  # unanswered and past due now
    alerts_acked_within_target: float | None
    daily: pd.DataFrame = field(
        repr=False
    )  # day, answered, median_first_response_min, within_sla, breaches, alerts, acked_within_target
    breaches: pd.DataFrame = field(repr=False)  # dimension (source|language), value, breaches


def team_metrics_before_21(store: Store, *, now: datetime, days: int = 14, tz: str = "UTC") -> TeamMetricsBefore21:
    """Metrics over the last `days` days (days are the team's calendar days in `tz`)."""
    start = now - timedelta(days=days)
    sla, vip = load_sla(store), load_vip(store)
    query = sa.select(items).where(
        items.c.posted_at >= start, items.c.is_competitor.is_(False), items.c.duplicate_of.is_(None)
    )
    with store.read() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
        alert_rows = connection.execute(
            sa.select(alerts.c.created_at, alerts.c.acknowledged_at).where(alerts.c.created_at >= start)
        ).all()
    records = []
    for row in rows:
        if not needs_for(row) or row["triage_status"] == "not_actionable":
            continue
        clock = prioritise(row, now=now, policy=sla.policy_for(row["channel"]), vip=vip).clock
        assert clock is not None
        answered = row["first_response_at"]
        records.append({
            "posted_at": row["posted_at"], "answered_at": answered, "source": row["source"], "language": row["language"],
            "minutes": (answered - row["posted_at"]).total_seconds() / 60 if answered else None,
            "within": clock.state is SlaState.MET if answered else None,
            "breach": clock.state in (SlaState.MISSED, SlaState.BREACHED),
            "open_breach": clock.state is SlaState.BREACHED,
        })  # fmt: skip
    frame = pd.DataFrame(
        records,
        columns=["posted_at", "answered_at", "source", "language", "minutes", "within", "breach", "open_breach"],
    )
    answered = frame[frame["answered_at"].notna()]
    policy = load_policy(store)
    acks = pd.DataFrame(alert_rows, columns=["created_at", "acknowledged_at"])
    if not acks.empty:
        acks["within"] = [
            (a is not None and not pd.isna(a) and (a - c) <= policy.ack_target)
            for c, a in zip(acks["created_at"], acks["acknowledged_at"], strict=True)
        ]
    daily = _daily(frame, acks, tz)
    breaches = pd.concat(
        [
            frame[frame["breach"]].groupby(dim).size().rename("breaches").reset_index().rename(columns={dim: "value"}).assign(dimension=dim)
            for dim in ("source", "language")
        ]
        if not frame.empty
        else [],
        ignore_index=True,
    ) if not frame.empty else pd.DataFrame(columns=["dimension", "value", "breaches"])  # fmt: skip
    breaches = breaches.reindex(columns=["dimension", "value", "breaches"])
    return TeamMetricsBefore21(
        median_first_response_min=round(float(answered["minutes"].median()), 1) if len(answered) else None,
        answered_within_sla=float(answered["within"].astype(bool).mean()) if len(answered) else None,
        answered=len(answered),
        breached_open=int(frame["open_breach"].sum()) if not frame.empty else 0,
        alerts_acked_within_target=float(acks["within"].mean()) if not acks.empty else None,
        daily=daily,
        breaches=breaches.sort_values(["dimension", "breaches"], ascending=[True, False]).reset_index(drop=True),
    )


def _daily(frame: pd.DataFrame, acks: pd.DataFrame, tz: str) -> pd.DataFrame:
    columns = [
        "day",
        "answered",
        "median_first_response_min",
        "within_sla",
        "breaches",
        "alerts",
        "acked_within_target",
    ]
    parts = []
    if not frame.empty:
        local = frame.assign(day=pd.to_datetime(frame["posted_at"], utc=True).dt.tz_convert(tz).dt.date)
        answered = local[local["answered_at"].notna()]
        grouped = answered.groupby("day").agg(
            answered=("minutes", "size"),
            median_first_response_min=("minutes", "median"),
            within_sla=("within", lambda s: float(s.astype(bool).mean())),
        )
        parts += [grouped, local.groupby("day")["breach"].sum().rename("breaches")]
    if not acks.empty:
        acks = acks.assign(day=pd.to_datetime(acks["created_at"], utc=True).dt.tz_convert(tz).dt.date)
        parts.append(acks.groupby("day").agg(alerts=("within", "size"), acked_within_target=("within", "mean")))
    if not parts:
        return pd.DataFrame(columns=columns)
    daily = pd.concat(parts, axis=1).reset_index().rename(columns={"index": "day"})
    return daily.reindex(columns=columns).sort_values("day").reset_index(drop=True)
