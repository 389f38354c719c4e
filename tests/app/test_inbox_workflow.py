"""The Inbox's care workflow in AppTest: a negative mention arrives with its SLA clock and
priority reasons, is assigned, then resolved, and the team metrics move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from listeners.runner import Runner
from tests.actors import admin
from tests.app.conftest import OWN, ScriptedListener
from voc.inbox.queue import QueueFilter, open_queue
from voc.models import RawItem
from voc.store.facade import Store

ANGRY = "Your outage cost me a day of work, I want a refund now"


def arrive(store: Store) -> None:
    now = datetime.now(UTC)
    store.ensure_source("social", "scripted", poll_interval_s=60)
    raw = RawItem(external_id="angry", text=ANGRY, posted_at=now - timedelta(minutes=20), channel="x", brand=OWN,
                  author="famous", author_reach=250_000, link="https://x.com/famous/status/1")  # fmt: skip
    Runner(store, {"social": ScriptedListener("social", [raw])}, owner="test-runner").run_once()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def item_id_of(store: Store) -> int:
    return int(open_queue(store, QueueFilter(), now=datetime.now(UTC)).rows["id"].iloc[0])


def test_an_arriving_mention_is_clocked_assigned_resolved_and_counted(app: AppTest, empty_store: Store) -> None:
    arrive(empty_store)
    at = app.run().switch_page("pages/inbox.py").run()
    assert not at.exception
    shown = "\n".join(c.value for c in at.caption)
    assert "On track" in shown and "min left" in shown and "250k followers" in shown and "urgent" in shown
    assert metric(at, "Answered (14 days)") == "0"

    item_id = item_id_of(empty_store)
    at.button(key=f"inbox.open.{item_id}").click().run()
    at.selectbox(key="inbox.assignee").set_value("local user")
    next(b for b in at.button if b.label == "Assign").click().run()
    assert not at.exception
    stored = empty_store.item(item_id)
    assert stored is not None and (stored["triage_status"], stored["assignee"]) == ("assigned", "local user")

    next(b for b in at.button if b.label == "Resolve").click().run()
    assert not at.exception
    stored = empty_store.item(item_id)
    assert stored is not None and stored["resolved_at"] is not None and stored["first_response_at"] is not None
    assert "item" not in at.query_params  # nothing else waiting: back to the queue
    assert metric(at, "Answered (14 days)") == "1"
    assert metric(at, "Answered within SLA") == "100%"
    assert metric(at, "Median first response") in {"19 min", "20 min", "21 min"}  # posted 20 min before


def test_the_workspace_says_who_else_has_it_open_and_takes_notes(app: AppTest, empty_store: Store) -> None:
    arrive(empty_store)
    item_id = item_id_of(empty_store)
    empty_store.touch_viewer(item_id, admin("ana@example.com"), datetime.now(UTC))
    app.switch_page("pages/inbox.py")
    app.query_params["item"] = str(item_id)
    at = app.run()
    assert not at.exception
    assert "Also open for ana@example.com (since " in at.warning[0].value.replace("\u2060", "")
    at.text_area[0].input("Offered a credit, waiting for reply")
    next(b for b in at.button if b.label == "Add note").click().run()
    assert [n["text"] for n in empty_store.notes(item_id)] == ["Offered a credit, waiting for reply"]


def test_a_link_to_an_item_opens_its_workspace(app: AppTest, empty_store: Store) -> None:
    """/inbox?item=N (an alert's "Open in the app") opens that item: words, reasons, history."""
    arrive(empty_store)
    item_id = item_id_of(empty_store)
    empty_store.add_note(item_id, "Called back, no answer", actor=admin("ana@example.com"), now=datetime.now(UTC))
    app.switch_page("pages/inbox.py")  # as a browser opening the link
    app.query_params["item"] = str(item_id)

    at = app.run()

    assert not at.exception
    assert any("250k" in c.value for c in at.caption)  # its priority reasons
    assert any("Called back, no answer" in t.value.to_string() for t in at.table)  # its history and notes
    assert empty_store.viewers(item_id, besides="someone else", now=datetime.now(UTC))  # opening it marked it


def test_a_link_to_an_item_that_is_gone_says_so(app: AppTest, empty_store: Store) -> None:
    arrive(empty_store)
    app.switch_page("pages/inbox.py")
    app.query_params["item"] = "999999"

    at = app.run()

    assert not at.exception
    assert "Item 999999 is not here any more" in at.info[0].value
    next(b for b in at.button if b.label == "Back to the queue").click().run()
    assert any(b.key and b.key.startswith("inbox.open.") for b in at.button)  # the queue is back
