"""Every write path in `voc/` checks the actor's role itself: called directly, as a crafted request
or a page reached by URL would, a viewer (or an agent, for admin work) is refused and nothing is
stored, while a permitted actor's write lands with its audit-log row."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.factories import new_item, queued_ids
from voc.access import audit, users
from voc.access.roles import REQUIRED_ROLE, AccessDenied, Actor, Permission, Role
from voc.alerts import service as alerts
from voc.alerts.rules import AlertPolicy
from voc.exports import build_export, iso_week
from voc.exports.schedule import ExportSchedule, save_schedule
from voc.inbox import care_settings
from voc.inbox.sla import SlaSettings
from voc.models import TriageChange
from voc.privacy.policy import save_retention
from voc.sentiment.training import import_labels
from voc.store.facade import Store
from voc.store.schema import metadata
from voc.surveys.importer import import_survey
from voc.themes import service as themes

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SURVEY = b"Response ID,NPS,Comment,Submitted\nr1,2,Terrible support,2026-11-20 10:00:00\n"

Write = Callable[[Store, Actor, Path], Any]


def _first_item(store: Store) -> int:
    return queued_ids(store, limit=1)[0]


# Each write path, the permission it needs, and how to call it.
WRITES: dict[str, tuple[Permission, Write]] = {
    "triage": (
        Permission.TRIAGE,
        lambda s, a, _: s.apply_triage([TriageChange(_first_item(s), "triage_status", "assigned")], actor=a, now=NOW),
    ),
    "mark responded": (Permission.TRIAGE, lambda s, a, _: s.mark_responded([_first_item(s)], actor=a, now=NOW)),
    "tags": (Permission.TRIAGE, lambda s, a, _: s.set_tags([_first_item(s)], ["billing"], actor=a, now=NOW)),
    "reply draft": (
        Permission.TRIAGE,
        lambda s, a, _: s.create_reply_draft(
            _first_item(s), network="x", text="On it", language="en", actor=a, now=NOW
        ),
    ),
    "call-back": (
        Permission.TRIAGE,
        lambda s, a, _: s.record_call_back(_first_item(s), outcome="reached", note="", called_at=NOW, actor=a, now=NOW),
    ),
    "saved reply": (
        Permission.CONFIGURE_CARE,
        lambda s, a, _: s.save_saved_reply(
            title="Sorry", language="en", text="Sorry {author}", theme_id=None, actor=a, now=NOW
        ),
    ),
    "note": (Permission.NOTE, lambda s, a, _: s.add_note(_first_item(s), "called back", actor=a, now=NOW)),
    "correct sentiment": (
        Permission.CORRECT_SENTIMENT,
        lambda s, a, _: s.correct_sentiment([_first_item(s)], "positive", actor=a, now=NOW),
    ),
    "import labels": (
        Permission.CORRECT_SENTIMENT,
        lambda s, a, _: import_labels(s, io.StringIO("text,label\nawful,negative\n"), actor=a, now=NOW),
    ),
    "acknowledge alert": (
        Permission.ACKNOWLEDGE_ALERT,
        lambda s, a, _: alerts.acknowledge(s, alerts.history(s)["id"].iloc[0], actor=a, now=NOW),
    ),
    "import survey": (
        Permission.IMPORT_SURVEYS,
        lambda s, a, _: import_survey(s, io.BytesIO(SURVEY), "nps.csv", survey="NPS", actor=a),
    ),
    "add source": (
        Permission.CONFIGURE_SOURCES,
        lambda s, a, _: s.add_source(
            "feed-2", "feed", {"url": "https://x.example/f"}, poll_interval_s=60, actor=a, now=NOW
        ),
    ),
    "edit source": (
        Permission.CONFIGURE_SOURCES,
        lambda s, a, _: s.update_source("test-source", actor=a, now=NOW, enabled=False),
    ),
    "resume source": (Permission.CONFIGURE_SOURCES, lambda s, a, _: s.resume_source("test-source", actor=a, now=NOW)),
    "delete source": (Permission.CONFIGURE_SOURCES, lambda s, a, _: s.delete_source("test-source", actor=a, now=NOW)),
    "alert rules": (
        Permission.CONFIGURE_ALERTS,
        lambda s, a, _: alerts.save_policy(s, AlertPolicy(), actor=a, now=NOW),
    ),
    "alert channels": (Permission.CONFIGURE_ALERTS, lambda s, a, _: alerts.save_channels(s, [], actor=a, now=NOW)),
    "new theme": (Permission.EDIT_TAXONOMY, lambda s, a, _: themes.create_theme(s, name="Roaming", actor=a, now=NOW)),
    "export schedule": (
        Permission.SCHEDULE_EXPORTS,
        lambda s, a, _: save_schedule(s, ExportSchedule(), actor=a, now=NOW),
    ),
    "role mapping": (
        Permission.MANAGE_USERS,
        lambda s, a, _: users.set_role(s, "bo@northwind.example", Role.AGENT, actor=a, now=NOW),
    ),
    "care settings": (
        Permission.CONFIGURE_CARE,
        lambda s, a, _: care_settings.save_sla_settings(s, SlaSettings(), actor=a, now=NOW),
    ),
    "VIP list": (
        Permission.CONFIGURE_CARE,
        lambda s, a, _: care_settings.save_vip_list(
            s, care_settings.parse_vip_rows([("@dan", "gold")]).vip, actor=a, now=NOW
        ),
    ),
    "retention": (Permission.MANAGE_PRIVACY, lambda s, a, _: save_retention(s, {"test-source": 30}, actor=a, now=NOW)),
    "sentiment model": (
        Permission.RETRAIN,
        lambda s, a, _: s.save_sentiment_model(
            version="t1", created_at=NOW, trained_on=1, metrics={}, active_languages=[], blob=b"m", actor=a
        ),
    ),
    "audit download": (
        Permission.READ_AUDIT,
        lambda s, a, _: audit.record_download(s, audit.AuditFilters(), 0, actor=a, now=NOW),
    ),
    "export": (
        Permission.EXPORT,
        lambda s, a, tmp: build_export(s, iso_week("2026-W47", "UTC"), tmp, formats=["csv"], requested_by=a, now=NOW),
    ),
}


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.read() as connection:
        return {t.name: sorted(map(repr, connection.execute(sa.select(t)))) for t in metadata.sorted_tables}


@pytest.fixture
def filled(store: Store) -> Store:
    store.add_items([new_item("m1", text="worst network ever, cancel my contract")])
    store.ensure_source("test-source", "feed", {"url": "https://x.example/a"})
    alerts.raise_alert(store, rule="urgent_words", dedupe_key="m1", title="Urgent: cancel", details={}, now=NOW)
    return store


def test_every_permission_with_a_write_path_is_covered() -> None:
    covered = {permission for permission, _ in WRITES.values()}
    assert covered | {Permission.VIEW} == set(Permission)  # VIEW writes nothing but presence


@pytest.mark.parametrize("name", [n for n, (p, _) in WRITES.items() if REQUIRED_ROLE[p] is not Role.VIEWER])
def test_a_viewer_is_refused_by_the_domain_and_nothing_is_stored(filled: Store, tmp_path: Path, name: str) -> None:
    permission, write = WRITES[name]
    before = snapshot(filled)
    with pytest.raises(AccessDenied, match=permission.value):
        write(filled, Actor("vera@northwind.example", Role.VIEWER), tmp_path)
    assert snapshot(filled) == before


@pytest.mark.parametrize("name", [n for n, (p, _) in WRITES.items() if REQUIRED_ROLE[p] is Role.ADMIN])
def test_an_agent_is_refused_admin_work(filled: Store, tmp_path: Path, name: str) -> None:
    permission, write = WRITES[name]
    before = snapshot(filled)
    with pytest.raises(AccessDenied):
        write(filled, Actor("ana@northwind.example", Role.AGENT), tmp_path)
    assert snapshot(filled) == before


@pytest.mark.parametrize("name", list(WRITES))
def test_the_least_role_that_may_write_is_audited_with_actor_and_time(filled: Store, tmp_path: Path, name: str) -> None:
    permission, write = WRITES[name]
    role = REQUIRED_ROLE[permission]
    write(filled, Actor(f"{role.value}@northwind.example", role), tmp_path)
    entries = filled.audit_entries(actor=f"{role.value}@northwind.example")
    assert entries, f"{name} left no audit row"
    assert all(e["role"] == role.value and e["action"] for e in entries)
    if name != "import survey":  # the import is stamped by its own clock
        assert {as_utc(e["at"]) for e in entries} == {NOW}


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
