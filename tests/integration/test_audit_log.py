"""The audit log: a row per write, in the writer's transaction, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest

from voc.access.roles import Actor, Role
from voc.store.facade import Store

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_an_audited_write_is_listed_newest_first_with_actor_and_role(store: Store) -> None:
    agent = Actor("ana@northwind.example", Role.AGENT)
    with store.write() as connection:
        store.record_audit(connection, agent, "triage", now=NOW, subject=17, detail={"changes": 2})
        store.record_audit(connection, Actor.system("listener"), "retention", now=NOW + timedelta(minutes=1))
    rows = store.audit_entries()
    assert [(r["actor"], r["role"], r["action"]) for r in rows] == [
        ("system:listener", "system process", "retention"),
        ("ana@northwind.example", "agent", "triage"),
    ]
    assert rows[1]["subject"] == "17" and rows[1]["detail"] == {"changes": 2}
    assert rows[1]["at"] == NOW
    assert [r["action"] for r in store.audit_entries(actor="ana@northwind.example")] == ["triage"]


def test_a_rolled_back_write_leaves_no_audit_row(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as connection:
        store.record_audit(connection, Actor("ana@northwind.example", Role.AGENT), "triage", now=NOW)
        raise RuntimeError("crash mid-write")
    assert store.audit_entries() == []
