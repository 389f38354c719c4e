"""Alerts: raise (deduplicated, with a cooldown), deliver (retried, at most once), escalate, acknowledge.

Every alert is a row of `alerts` (whatever raised it: the recovery rules, the item rules below,
the spike detector); every message is a row of `alert_deliveries`, one per alert × channel ×
level (0: the first contacts, 1: the escalation contacts). A delivery is claimed with a
compare-and-set from *pending* to *sending* before anything goes out, so two listener processes,
or a retry racing a slow send, never send the same message twice; a failure goes back to
*pending* with exponential backoff until `MAX_ATTEMPTS`. Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa

from voc.access.roles import Actor, Permission, require
from voc.alerts.channels import SETTINGS_KEY as CHANNELS_KEY
from voc.alerts.channels import AlertMessage, Channel, DeliveryError, send
from voc.analysis.redaction import redact
from voc.store.core import insert_ignoring
from voc.store.facade import Store
from voc.store.schema import alert_deliveries, alerts, items
from voc.store.settings import register_setting

register_setting(CHANNELS_KEY, list, Permission.CONFIGURE_ALERTS, "where alerts and exports are sent")
POLICY_KEY: Final = register_setting(
    "alerts.policy", dict, Permission.CONFIGURE_ALERTS, "which alert rules are on, cooldowns and escalation"
)
MAX_ATTEMPTS: Final = 5
RETRY_BASE: Final = timedelta(seconds=30)
RETRY_CAP: Final = timedelta(minutes=30)
ENQUEUE_LOOKBACK: Final = timedelta(hours=24)  # alerts older than this are history, not news
Sender = Callable[[Channel, AlertMessage], None]


@dataclass(frozen=True)
class AlertPolicy:
    """Which rules fire, and the team's timings."""

    very_unhappy: bool = True
    negative_high_reach: bool = True
    reach_at_least: int = 10_000
    urgent_words: bool = True
    spikes: bool = True
    cooldown: timedelta = timedelta(minutes=60)  # per rule and subject (an author, a spike metric)
    escalate_after: timedelta = timedelta(minutes=30)
    ack_target: timedelta = timedelta(minutes=15)
    app_url: str = "http://localhost:8501"

    def to_json(self) -> dict[str, Any]:
        return {
            "very_unhappy": self.very_unhappy, "negative_high_reach": self.negative_high_reach,
            "reach_at_least": self.reach_at_least, "urgent_words": self.urgent_words, "spikes": self.spikes,
            "cooldown_minutes": self.cooldown.total_seconds() / 60,
            "escalate_after_minutes": self.escalate_after.total_seconds() / 60,
            "ack_target_minutes": self.ack_target.total_seconds() / 60, "app_url": self.app_url,
        }  # fmt: skip

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> AlertPolicy:
        raw = raw or {}
        d = cls()
        return cls(
            very_unhappy=bool(raw.get("very_unhappy", d.very_unhappy)),
            negative_high_reach=bool(raw.get("negative_high_reach", d.negative_high_reach)),
            reach_at_least=int(raw.get("reach_at_least", d.reach_at_least)),
            urgent_words=bool(raw.get("urgent_words", d.urgent_words)),
            spikes=bool(raw.get("spikes", d.spikes)),
            cooldown=timedelta(minutes=float(raw.get("cooldown_minutes", d.cooldown.total_seconds() / 60))),
            escalate_after=timedelta(
                minutes=float(raw.get("escalate_after_minutes", d.escalate_after.total_seconds() / 60))
            ),
            ack_target=timedelta(minutes=float(raw.get("ack_target_minutes", d.ack_target.total_seconds() / 60))),
            app_url=str(raw.get("app_url") or d.app_url).rstrip("/"),
        )


# ---- configuration ----------------------------------------------------------------------------


def load_policy(store: Store) -> AlertPolicy:
    return AlertPolicy.from_json(store.get_setting(POLICY_KEY))


def save_policy(store: Store, policy: AlertPolicy, *, actor: Actor, now: datetime) -> None:
    store.put_setting(POLICY_KEY, policy.to_json(), actor=actor, permission=Permission.CONFIGURE_ALERTS, now=now)


def load_channels(store: Store) -> list[Channel]:
    return [Channel.from_json(raw) for raw in store.get_setting(CHANNELS_KEY, [])]


def save_channels(store: Store, channels: Sequence[Channel], *, actor: Actor, now: datetime) -> None:
    names = [c.name for c in channels]
    if len(set(names)) != len(names):
        raise ValueError("two channels have the same name")
    for channel in channels:
        channel.validate()
    store.put_setting(
        CHANNELS_KEY, [c.to_json() for c in channels], actor=actor, permission=Permission.CONFIGURE_ALERTS, now=now
    )


# ---- raising ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAlert:
    """An alert to record: `dedupe_key` makes it once-only; `subject` is what a cooldown counts."""

    rule: str
    dedupe_key: str
    title: str
    details: Mapping[str, Any]
    subject: str | None = None
    item_id: int | None = None

    def row(self, now: datetime) -> dict[str, Any]:
        return {"rule": self.rule, "dedupe_key": self.dedupe_key[:300], "title": self.title[:2000],
                "details": dict(self.details), "created_at": now, "status": "open", "subject": self.subject,
                "item_id": self.item_id}  # fmt: skip


def _insert_alerts(connection: sa.Connection, new: Sequence[NewAlert], now: datetime) -> list[int]:
    """One multi-row statement; a dedupe key already there returns no row, so the ids are of
    alerts this call raised (not ones a concurrent writer raised a moment ago)."""
    if not new:
        return []
    statement = insert_ignoring(connection, alerts, ["dedupe_key"]).returning(alerts.c.id)
    return [int(row[0]) for row in connection.execute(statement, [alert.row(now) for alert in new]).all()]


def raise_alert(
    store: Store,
    *,
    rule: str,
    dedupe_key: str,
    title: str,
    details: Mapping[str, Any],
    now: datetime,
    subject: str | None = None,
    item_id: int | None = None,
    cooldown: timedelta | None = None,
) -> int | None:
    """Record an alert once per `dedupe_key`, and not again for the same rule and `subject`
    within `cooldown`; returns its id, or None when it was a duplicate or cooling down."""
    with store.write() as connection:
        if subject is not None and cooldown:
            recent = connection.execute(
                sa.select(alerts.c.id)
                .where(alerts.c.rule == rule, alerts.c.subject == subject, alerts.c.created_at > now - cooldown)
                .limit(1)
            ).first()
            if recent is not None:
                return None
        raised = _insert_alerts(connection, [NewAlert(rule, dedupe_key, title, details, subject, item_id)], now)
    return raised[0] if raised else None


def raise_alerts(store: Store, new: Sequence[NewAlert], *, now: datetime) -> list[int]:
    """Record many alerts in one statement (a survey import's very unhappy responses), each once
    per dedupe key; returns the ids raised. No cooldown: each is about a different person."""
    with store.write() as connection:
        return _insert_alerts(connection, new, now)


# ---- delivering -------------------------------------------------------------------------------


def enqueue_deliveries(store: Store, channels: Sequence[Channel], *, now: datetime) -> int:
    """Queue a level-0 message per first-contact channel for recent alerts that have none yet."""
    first = [c.name for c in channels if not c.escalation]
    if not first:
        return 0
    queued = sa.select(alert_deliveries.c.alert_id).where(alert_deliveries.c.level == 0)
    with store.read() as connection:
        ids = list(
            connection.execute(
                sa.select(alerts.c.id).where(
                    alerts.c.created_at >= now - ENQUEUE_LOOKBACK, alerts.c.id.not_in(queued), alerts.c.status == "open"
                )
            ).scalars()
        )
    return _enqueue(store, ids, first, level=0, now=now)


def _enqueue(store: Store, alert_ids: Sequence[int], names: Sequence[str], *, level: int, now: datetime) -> int:
    if not alert_ids or not names:
        return 0
    rows = [
        {"alert_id": a, "channel": n, "level": level, "status": "pending", "attempts": 0, "next_attempt_at": now}
        for a in alert_ids
        for n in names
    ]
    statement = insert_ignoring(store.dialect, alert_deliveries, ["alert_id", "channel", "level"]).returning(
        alert_deliveries.c.id
    )
    with store.write() as connection:
        return len(connection.execute(statement, rows).all())


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at 30 min."""
    return min(RETRY_CAP, RETRY_BASE * 2 ** max(attempts - 1, 0))


def deliver_due(store: Store, *, now: datetime, sender: Sender = send, limit: int = 50) -> dict[str, int]:
    """Send the messages that are due; returns counts of sent, retrying, failed and deferred."""
    channels = {c.name: c for c in load_channels(store)}
    policy = load_policy(store)
    counts = {"sent": 0, "retrying": 0, "failed": 0, "deferred": 0}
    with store.read() as connection:
        due = connection.execute(
            sa.select(
                alert_deliveries.c.id,
                alert_deliveries.c.alert_id,
                alert_deliveries.c.channel,
                alert_deliveries.c.level,
                alert_deliveries.c.attempts,
            )
            .where(alert_deliveries.c.status == "pending", alert_deliveries.c.next_attempt_at <= now)
            .order_by(alert_deliveries.c.id)
            .limit(limit)
        ).all()
    for delivery in due:
        channel = channels.get(delivery.channel)
        if channel is None:  # removed since: nothing to send it to
            _finish(store, delivery.id, status="failed", error="channel no longer configured", now=now)
            counts["failed"] += 1
            continue
        if _sent_last_hour(store, channel.name, now) >= channel.max_per_hour:
            _reschedule(store, delivery.id, now + timedelta(minutes=5), attempts=delivery.attempts, error=None)
            counts["deferred"] += 1
            continue
        if not _claim(store, delivery.id):
            continue  # another process took it
        message = _message(store, delivery.alert_id, escalation=delivery.level > 0, app_url=policy.app_url)
        try:
            sender(channel, message)
        except DeliveryError as failure:
            # The receiving server's answer may quote the message (and so a customer): redacted.
            error = redact(str(failure)).text
            attempts = delivery.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                _finish(store, delivery.id, status="failed", error=error, now=now, attempts=attempts)
                counts["failed"] += 1
            else:
                _reschedule(store, delivery.id, now + retry_delay(attempts), attempts=attempts, error=error)
                counts["retrying"] += 1
            with store.write() as connection:
                connection.execute(
                    alerts.update().where(alerts.c.id == delivery.alert_id).values(delivery_error=error[:2000])
                )
            continue
        _finish(store, delivery.id, status="sent", error=None, now=now, attempts=delivery.attempts + 1)
        with store.write() as connection:
            connection.execute(
                alerts.update()
                .where(alerts.c.id == delivery.alert_id, alerts.c.delivered_at.is_(None))
                .values(delivered_at=now, delivery_error=None)
            )
        counts["sent"] += 1
    return counts


def _sent_last_hour(store: Store, channel: str, now: datetime) -> int:
    with store.read() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).where(
                    alert_deliveries.c.channel == channel,
                    alert_deliveries.c.status == "sent",
                    alert_deliveries.c.sent_at > now - timedelta(hours=1),
                )
            ).scalar_one()
        )


def _claim(store: Store, delivery_id: int) -> bool:
    with store.write() as connection:
        claimed = connection.execute(
            alert_deliveries.update()
            .where(alert_deliveries.c.id == delivery_id, alert_deliveries.c.status == "pending")
            .values(status="sending")
        )
        return claimed.rowcount == 1


def _reschedule(store: Store, delivery_id: int, when: datetime, *, attempts: int, error: str | None) -> None:
    with store.write() as connection:
        connection.execute(
            alert_deliveries.update()
            .where(alert_deliveries.c.id == delivery_id)
            .values(status="pending", next_attempt_at=when, attempts=attempts, error=error[:2000] if error else None)
        )


def _finish(
    store: Store, delivery_id: int, *, status: str, error: str | None, now: datetime, attempts: int | None = None
) -> None:
    values: dict[str, Any] = {"status": status, "error": error[:2000] if error else None}
    if status == "sent":
        values["sent_at"] = now
    if attempts is not None:
        values["attempts"] = attempts
    with store.write() as connection:
        connection.execute(alert_deliveries.update().where(alert_deliveries.c.id == delivery_id).values(**values))


def _message(store: Store, alert_id: int, *, escalation: bool, app_url: str) -> AlertMessage:
    with store.read() as connection:
        alert = connection.execute(sa.select(alerts).where(alerts.c.id == alert_id)).mappings().one()
        item = None
        if alert["item_id"] is not None:
            item = (
                connection.execute(sa.select(items.c.text, items.c.link).where(items.c.id == alert["item_id"]))
                .mappings()
                .first()
            )
    details = dict(alert["details"] or {})
    reasons = details.get("priority_reasons") or details.get("reasons") or details.get("explanation") or []
    text = (item["text"] if item else None) or details.get("excerpt") or details.get("summary") or ""
    app_link = (
        f"{app_url}/inbox?item={alert['item_id']}"
        if alert["item_id"] is not None
        else f"{app_url}/{details.get('page', 'alerts')}"
    )
    return AlertMessage(
        alert_id=alert_id, rule=alert["rule"], title=alert["title"], text=text, reasons=tuple(str(r) for r in reasons),
        link=item["link"] if item else None, app_link=app_link, escalation=escalation,
    )  # fmt: skip


def send_test_message(channel: Channel, *, sender: Sender = send, app_url: str = "http://localhost:8501") -> None:
    """Send a harmless test message through `channel` now (the Alerts page's button); raises DeliveryError."""
    channel.validate()
    sender(channel, AlertMessage(alert_id=0, rule="test", title="Test alert from the customer-voice app",
                                 text="If you can read this, alerts reach this channel.", app_link=f"{app_url}/alerts"))  # fmt: skip


# ---- escalating and acknowledging ----------------------------------------------------------------


def escalate_overdue(store: Store, *, now: datetime, policy: AlertPolicy | None = None) -> int:
    """Send alerts still open `escalate_after` their creation to the escalation contacts, once."""
    policy = policy or load_policy(store)
    second = [c.name for c in load_channels(store) if c.escalation]
    if not second:
        return 0
    with store.write() as connection:
        ids = list(
            connection.execute(
                sa.select(alerts.c.id).where(
                    alerts.c.status == "open", alerts.c.escalated_at.is_(None),
                    alerts.c.created_at <= now - policy.escalate_after, alerts.c.created_at >= now - ENQUEUE_LOOKBACK,
                )
            ).scalars()
        )  # fmt: skip
        if ids:
            connection.execute(
                alerts.update().where(alerts.c.id.in_(ids), alerts.c.escalated_at.is_(None)).values(escalated_at=now)
            )
    _enqueue(store, ids, second, level=1, now=now)
    return len(ids)


def acknowledge(store: Store, alert_id: int, *, actor: Actor, now: datetime) -> bool:
    """Mark an open alert acknowledged (stops escalation and pending retries); False if it was not open."""
    require(actor, Permission.ACKNOWLEDGE_ALERT)
    alert_id = int(alert_id)  # a numpy integer from a DataFrame would match nothing in SQLite
    with store.write() as connection:
        done = connection.execute(
            alerts.update()
            .where(alerts.c.id == alert_id, alerts.c.status == "open")
            .values(status="acknowledged", acknowledged_by=actor.name, acknowledged_at=now)
        )
        if done.rowcount != 1:
            return False
        connection.execute(
            alert_deliveries.update()
            .where(alert_deliveries.c.alert_id == alert_id, alert_deliveries.c.status == "pending")
            .values(status="cancelled")
        )
        store.record_audit(connection, actor, "alert.acknowledge", now=now, subject=alert_id)
    return True


HISTORY_COLUMNS: Final = (
    "id", "created_at", "rule", "title", "status", "acknowledged_by", "acknowledged_at", "minutes_to_ack",
    "acked_within_target", "escalated_at", "delivered_at", "deliveries", "delivery_error", "item_id",
    "waiting_since",
)  # fmt: skip


def count_alerts(store: Store, *, open_only: bool = False) -> int:
    """How many alerts there are (open ones only, when asked): the total a paged list shows."""
    query = sa.select(sa.func.count()).select_from(alerts)
    if open_only:
        query = query.where(alerts.c.status == "open")
    with store.read() as connection:
        return int(connection.execute(query).scalar_one())


def waiting_since(created_at: datetime, posted_at: datetime | None) -> datetime:
    """When the person behind an alert started waiting: its post's time when the alert is about an
    older post (an alert raised today about a post from Monday has waited since Monday), else
    when it was raised."""
    return min(created_at, posted_at) if posted_at is not None else created_at


def history(
    store: Store,
    *,
    policy: AlertPolicy | None = None,
    limit: int = 200,
    offset: int = 0,
    open_only: bool = False,
    older_than: int | None = None,
    newer_than: int | None = None,
) -> pd.DataFrame:
    """Alerts newest first, with who acknowledged, how fast, what went where, and since when the
    person behind each has waited (`waiting_since`).

    A page follows the one shown by key (issue #21): `older_than` the last alert id shown (the
    next page), `newer_than` the first (the previous page, still newest first); alerts raised or
    acknowledged in between then neither skip nor repeat one. `offset` is for a jump."""
    policy = policy or load_policy(store)
    query = sa.select(alerts, items.c.posted_at).outerjoin(items, items.c.id == alerts.c.item_id).limit(limit)
    if older_than is not None:
        query = query.where(alerts.c.id < older_than).order_by(alerts.c.id.desc())
    elif newer_than is not None:
        query = query.where(alerts.c.id > newer_than).order_by(alerts.c.id.asc())
    else:
        query = query.order_by(alerts.c.id.desc()).offset(offset)
    if open_only:
        query = query.where(alerts.c.status == "open")
    with store.read() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
        if newer_than is not None:
            rows.reverse()
        ids = [r["id"] for r in rows]
        sent: dict[int, list[str]] = {}
        if ids:
            for d in connection.execute(
                sa.select(
                    alert_deliveries.c.alert_id,
                    alert_deliveries.c.channel,
                    alert_deliveries.c.level,
                    alert_deliveries.c.status,
                ).where(alert_deliveries.c.alert_id.in_(ids))
            ):
                sent.setdefault(d.alert_id, []).append(f"{d.channel}{' (escalation)' if d.level else ''}: {d.status}")
    for row in rows:
        acked = row["acknowledged_at"]
        minutes = (acked - row["created_at"]).total_seconds() / 60 if acked else None
        row["minutes_to_ack"] = round(minutes, 1) if minutes is not None else None
        row["acked_within_target"] = None if minutes is None else minutes <= policy.ack_target.total_seconds() / 60
        row["deliveries"] = "; ".join(sent.get(row["id"], []))
        row["waiting_since"] = waiting_since(row["created_at"], row.pop("posted_at"))
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
