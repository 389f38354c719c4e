"""The weekly export on schedule: last week's files every Monday at a local time, once per week.

The listener process calls `ExportScheduler.tick()` on every loop. The week last produced is kept
in the database (`app_settings["exports.last_week"]`), so a restart neither repeats a week nor
skips one: a process that was down on Monday produces the export when it comes back. Several
listener processes may run; a run claimed in the `jobs` table (`Store.start_run`, the one claim
mechanism) lets exactly one of them build it, and a run left by a process that died is taken
over after `CLAIM_TTL`. The same step runs the builds asked for on the Exports page
(`voc.exports.on_demand`) that no app process is running. Delivery reuses the alert channels (`voc.alerts.channels`): e-mail channels get the
HTML summary with the XLSX attached, webhook/Slack/Teams channels a short message.
Domain module: no Streamlit.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa

from voc.access.roles import Actor, Permission
from voc.alerts.channels import AlertMessage, Channel, ChannelKind, DeliveryError, send
from voc.alerts.service import load_channels
from voc.background import BackgroundStep
from voc.exports.on_demand import builds_waiting, run_requested_exports
from voc.exports.periods import ExportPeriod, last_complete_week, week_of, zone
from voc.exports.service import ALL_FORMATS, WeeklyExport, build_export, export_file, parse_formats
from voc.exports.writers import ExportFormat
from voc.store.facade import Store
from voc.store.schema import items
from voc.store.settings import register_setting

log = logging.getLogger(__name__)

SCHEDULE_KEY: Final = register_setting(
    "exports.schedule", dict, Permission.SCHEDULE_EXPORTS, "the weekly export: day, time, zone, formats, recipients"
)
LAST_WEEK_KEY: Final = register_setting(
    "exports.last_week", dict, Permission.SCHEDULE_EXPORTS, "the last week the schedule produced, and when"
)
RUN_KIND: Final = "exports.weekly"  # the `jobs` rows that claim a week's production
CLAIM_TTL: Final = timedelta(hours=2)
RETRY_AFTER: Final = timedelta(minutes=15)
SETTLE: Final = timedelta(minutes=10)  # a week's items quiet this long: its back-fill and themes are done
ATTACH_LIMIT_BYTES: Final = 15 * 1024 * 1024  # most mail servers refuse more
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ExportSchedule:
    """When and how the weekly export is produced; edited on the Exports page."""

    enabled: bool = True
    weekday: int = 0  # 0 = Monday
    at: time = time(7, 0)  # local time in `tz`
    tz: str = "UTC"  # the team's zone: weeks run Monday–Sunday on its wall clock
    formats: tuple[ExportFormat, ...] = ALL_FORMATS
    deliver_to: tuple[str, ...] = ()  # names of alert channels

    def to_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "weekday": self.weekday, "at": self.at.strftime("%H:%M"), "tz": self.tz,
                "formats": [str(f) for f in self.formats], "deliver_to": list(self.deliver_to)}  # fmt: skip

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> ExportSchedule:
        raw = raw or {}
        schedule = cls(
            enabled=bool(raw.get("enabled", True)),
            weekday=int(raw.get("weekday", 0)),
            at=time.fromisoformat(str(raw.get("at") or "07:00")),
            tz=str(raw.get("tz") or "UTC"),
            formats=parse_formats(raw.get("formats") or [str(f) for f in ALL_FORMATS]),
            deliver_to=tuple(str(n) for n in raw.get("deliver_to") or ()),
        )
        schedule.validate()
        return schedule

    def validate(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("the weekday is 0 (Monday) to 6 (Sunday)")
        zone(self.tz)

    def due_at(self, now: datetime) -> datetime:
        """This week's moment of producing last week's export (UTC)."""
        local_today = now.astimezone(zone(self.tz)).date()
        monday = local_today - timedelta(days=local_today.weekday())
        return datetime.combine(monday + timedelta(days=self.weekday), self.at, tzinfo=zone(self.tz)).astimezone(UTC)


def load_schedule(store: Store) -> ExportSchedule:
    return ExportSchedule.from_json(store.get_setting(SCHEDULE_KEY))


def save_schedule(store: Store, schedule: ExportSchedule, *, actor: Actor, now: datetime) -> None:
    schedule.validate()
    store.put_setting(SCHEDULE_KEY, schedule.to_json(), actor=actor, permission=Permission.SCHEDULE_EXPORTS, now=now)


def last_produced_week(store: Store) -> str | None:
    value = store.get_setting(LAST_WEEK_KEY)
    return str(value["week"]) if isinstance(value, dict) and value.get("week") else None


def week_items(store: Store, period: ExportPeriod) -> tuple[int, datetime | None]:
    """How many items the period holds, and when the last of them was stored."""
    query = sa.select(sa.func.count(), sa.func.max(items.c.ingested_at)).where(
        items.c.posted_at >= period.start, items.c.posted_at < period.end
    )
    with store.read() as connection:
        count, latest = connection.execute(query).one()
    return int(count), latest


def latest_week_with_items(store: Store, before: datetime, tz: str) -> ExportPeriod | None:
    """The most recent Monday–Sunday week ending by `before` that holds an item."""
    with store.read() as connection:
        newest = connection.execute(
            sa.select(sa.func.max(items.c.posted_at)).where(items.c.posted_at < before)
        ).scalar()
    return None if newest is None else week_of(newest.astimezone(zone(tz)).date(), tz)


def week_due(schedule: ExportSchedule, store: Store, now: datetime) -> ExportPeriod | None:
    """Last week, when the schedule says it is time and it has not been produced yet.

    The first export of a workspace is the most recent week that has items (a fresh install gets
    a report on day one, not an empty file); a week with no items is never exported; and a week
    whose items are still arriving (a back-fill, the demo's first minutes) waits until they have
    been quiet for `SETTLE`, so its themes are assigned before the report is written.
    """
    if not schedule.enabled or now < schedule.due_at(now):
        return None
    week = last_complete_week(now, schedule.tz)
    produced = last_produced_week(store)
    if produced == week.label:
        return None
    if produced is None:
        first = latest_week_with_items(store, week.end, schedule.tz)
        if first is None:
            return None
        week = first
    count, latest = week_items(store, week)
    if count == 0 or (latest is not None and now - SETTLE < latest <= now):
        return None
    return week


def claim_week(store: Store, week: str, owner: str, now: datetime) -> int | None:
    """Claim the production of `week` for `owner` (its run's job id), or None while another
    process is at it; a run left by a process that died is taken over after `CLAIM_TTL`."""
    return store.start_run(RUN_KIND, owner, now, stale_after=CLAIM_TTL, params={"week": week})


def produce_due_export(
    store: Store,
    exports_dir: Path,
    now: datetime,
    *,
    owner: str = "scheduler",
    sender: Callable[..., None] | None = None,
) -> WeeklyExport | None:
    """Produce last week's export if it is due and this process wins the claim; else None."""
    schedule = load_schedule(store)
    week = week_due(schedule, store, now)
    if week is None:
        return None
    run = claim_week(store, week.label, owner, now)
    if run is None:
        return None
    try:
        export = build_export(
            store, week, exports_dir, formats=schedule.formats, now=now, requested_by=Actor.system("export-schedule")
        )
        store.put_setting(
            LAST_WEEK_KEY,
            {"week": week.label, "at": now.isoformat()},
            actor=Actor.system(owner),
            permission=Permission.SCHEDULE_EXPORTS,
            now=now,
        )
    except Exception as error:
        store.finish_job(run, now=now, error=type(error).__name__)  # a failed run leaves the week to the next try
        raise
    store.finish_job(run, now=now)
    log.info("weekly export %s: %d items, %s", export.label, export.items, ", ".join(f.name for f in export.files))
    deliver(store, export, exports_dir, schedule.deliver_to, sender=sender)
    return export


# ---- delivery ---------------------------------------------------------------------------------------


def export_email(channel: Channel, export: WeeklyExport, exports_dir: Path) -> EmailMessage:
    """The HTML summary as the body, the XLSX (if small enough) attached."""
    mail = EmailMessage()
    mail["Subject"] = f"Customer voice export {export.label}: {export.items} items"
    mail["From"] = channel.mail_from
    mail["To"] = ", ".join(channel.mail_to)
    mail.set_content(
        "\n".join(
            [
                f"Customer voice export {export.label} ({export.first} to {export.last}, {export.tz})",
                "",
                *export.changes,
            ]
        )
    )
    html = next((f for f in export.files if f.format == "html"), None)
    if html is not None:
        mail.add_alternative(export_file(exports_dir, export, html.name).read_text(encoding="utf-8"), subtype="html")
    for file in export.files:
        if file.format == "xlsx" and file.bytes <= ATTACH_LIMIT_BYTES:
            mail.add_attachment(export_file(exports_dir, export, file.name).read_bytes(), maintype="application",
                                subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=file.name)  # fmt: skip
    return mail


def send_export(channel: Channel, export: WeeklyExport, exports_dir: Path) -> None:
    """Deliver one export through one channel; raises DeliveryError."""
    if channel.kind is ChannelKind.EMAIL:
        try:
            with smtplib.SMTP(channel.smtp_host, channel.smtp_port, timeout=30) as smtp:
                if channel.smtp_starttls:
                    smtp.starttls()
                if channel.smtp_username:
                    smtp.login(channel.smtp_username, channel.smtp_password)
                smtp.send_message(export_email(channel, export, exports_dir))
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"SMTP {channel.smtp_host}:{channel.smtp_port}: {type(error).__name__}: {error}"
            ) from None
        return
    message = AlertMessage(alert_id=0, rule="weekly_export", title=f"Customer voice export {export.label} is ready ({export.items} items)",
                           text=" ".join(export.changes), reasons=tuple(f.name for f in export.files))  # fmt: skip
    send(channel, message)


def deliver(
    store: Store,
    export: WeeklyExport,
    exports_dir: Path,
    names: Sequence[str],
    *,
    sender: Callable[..., None] | None = None,
) -> dict[str, str]:
    """Send the export to the named alert channels; returns each one's outcome ("sent" or the error)."""
    if not names:
        return {}
    channels = {c.name: c for c in load_channels(store)}
    outcome: dict[str, str] = {}
    for name in names:
        channel = channels.get(name)
        if channel is None:
            outcome[name] = "no such channel"
            log.warning("weekly export: no alert channel called %r", name)
            continue
        try:
            (sender or send_export)(channel, export, exports_dir)
            outcome[name] = "sent"
        except DeliveryError as error:  # the files are on disk; the page shows them either way
            outcome[name] = str(error)
            log.warning("weekly export to %s failed: %s", name, error)
    return outcome


class ExportScheduler:
    """The listener process's export step: cheap when nothing is due; builds in a background thread."""

    def __init__(self, store: Store, exports_dir: Path, *, clock: Callable[[], datetime], owner: str = "scheduler",
                 background: bool = True) -> None:  # fmt: skip
        self.store = store
        self.exports_dir = exports_dir
        self.clock = clock
        self.owner = owner
        self._step = BackgroundStep(self._run, name="weekly-export", background=background)
        self._failed_at: datetime | None = None
        self._weekly = False  # whether this run produces the weekly export (else only requested builds)

    def tick(self) -> None:
        if self._step.busy:
            return
        now = self.clock()
        retrying = self._failed_at is not None and now - self._failed_at < RETRY_AFTER
        self._weekly = not retrying and week_due(load_schedule(self.store), self.store, now) is not None
        # Builds asked for on the Exports page: queued, or left by an app process that stopped.
        if self._weekly or builds_waiting(self.store, now):
            self._step.start(now)  # a week of a million items takes minutes: sources keep being polled

    def _run(self, now: datetime) -> None:
        if self._weekly:
            try:
                produce_due_export(self.store, self.exports_dir, now, owner=self.owner)
                self._failed_at = None
            except Exception:
                self._failed_at = now
                log.exception("weekly export failed; retrying in %s", RETRY_AFTER)
        run_requested_exports(self.store, self.exports_dir, clock=self.clock)

    def join(self, timeout: float | None = None) -> None:
        self._step.join(timeout)
