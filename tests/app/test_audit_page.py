"""The Audit page: the log newest first, filters by actor, action and dates, and a CSV with the same rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.team import FIRST_ADMIN, as_role
from voc.access import users
from voc.access.roles import Actor, Role
from voc.store.facade import Store

ANA = Actor("ana@northwind.example", Role.AGENT)


@pytest.fixture
def audited(empty_store: Store) -> Store:
    """A role change ten days ago by the first admin, and two triage writes by an agent today."""
    now = datetime.now(UTC)
    users.set_role(empty_store, ANA.name, "agent", actor=Actor(FIRST_ADMIN, Role.ADMIN), now=now - timedelta(days=10))
    with empty_store.write() as connection:
        empty_store.record_audit(
            connection, ANA, "triage", now=now - timedelta(minutes=2), subject=7, detail={"changes": 1}
        )
        empty_store.record_audit(connection, ANA, "note", now=now - timedelta(minutes=1), subject=7)
    return empty_store


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bytes each `st.download_button` of the following runs offers (made as a press would make
    them: the page hands over a callable, so the log is read only when someone downloads it)."""
    offered: list[bytes] = []
    original = st.download_button

    def spy(label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        offered.append(data() if callable(data) else data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return offered


def open_audit(app: AppTest, store: Store) -> AppTest:
    return as_role(app, store, Role.ADMIN).run().switch_page("pages/audit.py").run()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_the_log_is_shown_newest_first_and_the_csv_holds_the_same_rows(
    app: AppTest, audited: Store, team_mode: None, downloads: list[bytes]
) -> None:
    at = open_audit(app, audited)
    assert not at.exception and at.title[0].value == "Audit"
    shown = at.dataframe[0].value
    assert list(shown["action"]) == ["Note", "Triage", "Users · set role"]  # the CSV keeps the keys
    assert list(shown["actor"]) == [ANA.name, ANA.name, FIRST_ADMIN]
    assert shown["detail"].iloc[1] == "changes: 1"  # the CSV keeps the JSON
    assert at.download_button[0].label == "Download CSV (3 rows)"
    rows = csv_rows(downloads[-1])
    assert [(r["actor"], r["role"], r["action"], r["subject"]) for r in rows] == [
        (ANA.name, "agent", "note", "7"),
        (ANA.name, "agent", "triage", "7"),
        (FIRST_ADMIN, "admin", "users.set_role", ANA.name),
    ]


def test_filters_narrow_the_table_and_the_download(
    app: AppTest, audited: Store, team_mode: None, downloads: list[bytes]
) -> None:
    at = open_audit(app, audited)
    at.selectbox(key="audit.actor").select(ANA.name).run()
    assert list(at.dataframe[0].value["action"]) == ["Note", "Triage"]
    at.selectbox(key="audit.action").select("triage").run()
    assert list(at.dataframe[0].value["action"]) == ["Triage"]
    assert [r["action"] for r in csv_rows(downloads[-1])] == ["triage"]

    at.selectbox(key="audit.actor").select("All")
    at.selectbox(key="audit.action").select("All")
    today = datetime.now(UTC).date()
    at.date_input(key="audit.dates").set_value((today - timedelta(days=11), today - timedelta(days=9))).run()
    assert list(at.dataframe[0].value["action"]) == ["Users · set role"]
    assert [r["action"] for r in csv_rows(downloads[-1])] == ["users.set_role"]


def test_a_role_change_on_the_users_page_shows_up_in_the_audit_log(
    app: AppTest, empty_store: Store, team_mode: None
) -> None:
    at = as_role(app, empty_store, Role.ADMIN).run().switch_page("pages/users.py").run()
    at.text_input(key="users.principal").input("@northwind.example")
    at.selectbox(key="users.role").select("viewer")
    at.button(key="users.save").click().run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    row = at.dataframe[0].value.iloc[0]
    assert (row["actor"], row["action"], row["subject"]) == (FIRST_ADMIN, "Users · set role", "@northwind.example")


def test_an_empty_log_says_so(app: AppTest, empty_store: Store) -> None:
    at = app.run().switch_page("pages/audit.py").run()
    assert not at.exception
    assert "Nothing recorded yet" in at.info[0].value
    assert not at.get("download_button")


def test_downloading_the_log_is_itself_audited(
    app: AppTest, audited: Store, team_mode: None, downloads: list[bytes]
) -> None:
    at = open_audit(app, audited)
    at.download_button[0].set_value(True).run()
    assert not at.exception
    [entry] = audited.audit_entries(action="audit.download")
    assert entry["actor"] == FIRST_ADMIN and entry["role"] == "admin"
    assert entry["detail"]["rows"] == 3 and entry["detail"]["action"] is None
