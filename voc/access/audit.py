"""Reading the audit log: filtered rows newest first, the filter choices, and a CSV export.

Every write in `voc/` leaves a row (`Store.record_audit`, in the writer's transaction); this module
is how admins read and export them. The `READ_AUDIT` check is here, not in the page, so a page
reached by URL or a script calling this module as a viewer gets `AccessDenied`. Detail values
are names and counts, never secrets, and text cells of the CSV are formula-safe. Domain: no
Streamlit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from voc.access.roles import Actor, Permission, require
from voc.exports.safety import neutralise
from voc.store.facade import Store
from voc.store.schema import audit_log

COLUMNS: Final = ("at", "actor", "role", "action", "subject", "detail")
_Query = TypeVar("_Query", bound=sa.Select[Any])


@dataclass(frozen=True)
class AuditFilters:
    """Which rows to read: all of them by default; `until` is exclusive."""

    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditOptions:
    """The actors and actions present in the log, for the filter bar."""

    actors: tuple[str, ...]
    actions: tuple[str, ...]
    first: datetime | None
    last: datetime | None


def day_range(start: date, end: date, tz: str = "UTC") -> tuple[datetime, datetime]:
    """UTC bounds of the calendar days `start`..`end` (both included) in the zone `tz`."""
    if end < start:
        start, end = end, start
    zone = ZoneInfo(tz)
    since = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return since, until


def _where(query: _Query, filters: AuditFilters) -> _Query:
    if filters.actor:
        query = query.where(audit_log.c.actor == filters.actor)
    if filters.action:
        query = query.where(audit_log.c.action == filters.action)
    if filters.since is not None:
        query = query.where(audit_log.c.at >= filters.since)
    if filters.until is not None:
        query = query.where(audit_log.c.at < filters.until)
    return query


def count_entries(store: Store, filters: AuditFilters = AuditFilters(), *, actor: Actor) -> int:
    """How many rows match `filters` (admins only)."""
    require(actor, Permission.READ_AUDIT)
    query = _where(sa.select(sa.func.count()).select_from(audit_log), filters)
    with store.read() as connection:
        return int(connection.execute(query).scalar_one())


def audit_frame(
    store: Store, filters: AuditFilters = AuditFilters(), *, actor: Actor, limit: int | None = None
) -> pd.DataFrame:
    """Matching audit rows newest first (admins only): at, actor, role, action, subject, detail (JSON text)."""
    require(actor, Permission.READ_AUDIT)
    query = _where(sa.select(*(audit_log.c[name] for name in COLUMNS)), filters).order_by(audit_log.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with store.read() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["detail"] = [_detail_text(value) for value in frame["detail"]]
    return frame


def _detail_text(value: object) -> str:
    if value is None or value == {}:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def action_label(action: str) -> str:
    """ "setting.themes.starter_set" -> "Setting · themes · starter set": an action as people read it."""
    words = [part.replace("_", " ") for part in action.split(".") if part]
    return " · ".join(words).capitalize() if words else action


def audit_options(store: Store, *, actor: Actor) -> AuditOptions:
    """The distinct actors and actions in the log and its first and last time (admins only)."""
    require(actor, Permission.READ_AUDIT)
    with store.read() as connection:
        actors = connection.execute(sa.select(audit_log.c.actor).distinct().order_by(audit_log.c.actor)).scalars().all()
        actions = (
            connection.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars().all()
        )
        first, last = connection.execute(sa.select(sa.func.min(audit_log.c.at), sa.func.max(audit_log.c.at))).one()
    return AuditOptions(tuple(actors), tuple(actions), _utc(first), _utc(last))


def _utc(value: datetime | None) -> datetime | None:
    # min()/max() bypass the column type on SQLite, which hands back naive (UTC) values.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def record_download(store: Store, filters: AuditFilters, rows: int, *, actor: Actor, now: datetime) -> None:
    """Audit that `actor` took a copy of the log out of the app (with the filters, not the rows)."""
    require(actor, Permission.READ_AUDIT)
    detail = {
        "rows": rows,
        "actor": filters.actor,
        "action": filters.action,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
    }
    with store.write() as connection:
        store.record_audit(connection, actor, "audit.download", now=now, detail=detail)


def audit_csv(store: Store, filters: AuditFilters = AuditFilters(), *, actor: Actor) -> bytes:
    """Every matching row as UTF-8 CSV, newest first, times in UTC ISO 8601, text formula-safe (admins only)."""
    frame = audit_frame(store, filters, actor=actor)
    frame["at"] = frame["at"].map(lambda at: at.isoformat())
    for column in COLUMNS[1:]:
        frame[column] = frame[column].map(neutralise)
    return frame.to_csv(index=False).encode("utf-8")
