"""Reading and exporting the audit log: admins only, filters, newest first, a formula-safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from voc.access import audit, users
from voc.access.audit import AuditFilters
from voc.access.roles import AccessDenied, Actor, Role
from voc.store.facade import Store

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ADMIN = Actor("olga@northwind.example", Role.ADMIN)
AGENT = Actor("ana@northwind.example", Role.AGENT)


@pytest.fixture
def audited(store: Store) -> Store:
    """Three writes on two days by two people, one with a subject a spreadsheet would run."""
    users.set_role(store, "ana@northwind.example", "agent", actor=ADMIN, now=NOW - timedelta(days=1))
    with store.write() as connection:
        store.record_audit(connection, AGENT, "triage", now=NOW, subject=17, detail={"changes": 2})
        store.record_audit(connection, AGENT, "themes.rename", now=NOW + timedelta(minutes=5), subject="=HYPERLINK(1)")
    return store


def test_an_admin_reads_the_log_newest_first_with_detail_as_text(audited: Store) -> None:
    frame = audit.audit_frame(audited, actor=ADMIN)
    assert list(frame.columns) == list(audit.COLUMNS)
    assert list(frame["action"]) == ["themes.rename", "triage", "users.set_role"]
    assert frame["at"].iloc[1] == NOW
    assert frame["detail"].iloc[1] == '{"changes": 2}'
    assert frame["detail"].iloc[0] == ""
    assert frame["detail"].iloc[2] == '{"new": "agent", "old": null}'


def test_filters_narrow_by_actor_action_and_time(audited: Store) -> None:
    by_agent = audit.audit_frame(audited, AuditFilters(actor=AGENT.name), actor=ADMIN)
    assert list(by_agent["action"]) == ["themes.rename", "triage"]
    assert list(audit.audit_frame(audited, AuditFilters(action="triage"), actor=ADMIN)["subject"]) == ["17"]
    since, until = audit.day_range(NOW.date() - timedelta(days=1), NOW.date() - timedelta(days=1))
    yesterday = audit.audit_frame(audited, AuditFilters(since=since, until=until), actor=ADMIN)
    assert list(yesterday["action"]) == ["users.set_role"]
    assert audit.count_entries(audited, AuditFilters(since=NOW), actor=ADMIN) == 2
    assert len(audit.audit_frame(audited, actor=ADMIN, limit=1)) == 1


def test_the_filter_choices_come_from_the_log(audited: Store) -> None:
    options = audit.audit_options(audited, actor=ADMIN)
    assert options.actors == ("ana@northwind.example", "olga@northwind.example")
    assert options.actions == ("themes.rename", "triage", "users.set_role")
    assert options.first == NOW - timedelta(days=1)
    assert options.last == NOW + timedelta(minutes=5)


def test_the_csv_holds_every_matching_row_and_no_formula(audited: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(audit.audit_csv(audited, actor=ADMIN).decode("utf-8"))))
    assert [row["action"] for row in rows] == ["themes.rename", "triage", "users.set_role"]
    assert rows[0]["subject"] == "'=HYPERLINK(1)"
    assert rows[1] == {
        "at": NOW.isoformat(),
        "actor": "ana@northwind.example",
        "role": "agent",
        "action": "triage",
        "subject": "17",
        "detail": '{"changes": 2}',
    }


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
def test_only_admins_read_or_export_the_log(audited: Store, role: Role) -> None:
    reader = Actor(f"{role.value}@northwind.example", role)
    for read in (audit.audit_frame, audit.audit_csv, audit.audit_options, audit.count_entries):
        with pytest.raises(AccessDenied, match="needs the admin role"):
            read(audited, actor=reader)


def test_an_empty_log_reads_as_an_empty_frame(store: Store) -> None:
    assert audit.audit_frame(store, actor=ADMIN).empty
    assert audit.audit_options(store, actor=ADMIN) == audit.AuditOptions((), (), None, None)
    assert audit.audit_csv(store, actor=ADMIN).decode().strip() == ",".join(audit.COLUMNS)
