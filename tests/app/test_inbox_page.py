"""The Inbox page: negative items newest first, and triage edits that persist with an audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from tests.actors import admin
from tests.app.conftest import NEGATIVE
from voc.models import TriageChange
from voc.store.facade import Store


def open_inbox(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/inbox.py").run()


def edit(at: AppTest, key: str, edited_rows: dict[int, dict[str, str]]) -> None:
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}


def save_button(at: AppTest):  # noqa: ANN201 - AppTest's Button type is generic
    return next(button for button in at.button if button.label.startswith("Save"))


def test_the_inbox_lists_negative_items_highest_priority_first(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)

    assert not at.exception
    assert at.title[0].value == "Inbox"
    queue = at.data_editor[0].value
    assert sorted(queue["text"]) == sorted(NEGATIVE.values())
    assert queue["priority"].is_monotonic_decreasing  # the order of docs/inbox.md, clocks included
    assert set(queue["channel"]) == {"x"}
    assert set(queue["author"]) == {"angry1", "angry2", "angry30"}
    assert all(len(reasons) > 0 for reasons in queue["sentiment_reasons"])  # the phrases behind each score
    angry1 = queue[queue["author"] == "angry1"].iloc[0]
    assert angry1["link"] == "https://x.com/angry1/status/1"
    assert (queue["triage_status"] == "new").all()
    assert save_button(at).label == "Save 0 changes"
    assert save_button(at).disabled  # nothing to save before an edit


def test_a_status_edit_is_saved_to_the_store_with_an_audit_event(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)
    newest_id = int(at.data_editor[0].value["id"].iloc[0])

    edit(at, "inbox", {0: {"triage_status": "resolved", "assignee": "sam"}})
    at.run()
    assert save_button(at).label == "Save 2 changes"
    save_button(at).click().run()

    assert not at.exception
    stored = store_with_items.item(newest_id)
    assert stored is not None
    assert (stored["triage_status"], stored["assignee"]) == ("resolved", "sam")
    history = store_with_items.triage_history(newest_id)
    assert [(e["field"], e["old_value"], e["new_value"], e["actor"]) for e in history] == [
        ("triage_status", "new", "resolved", "local user"),
        ("assignee", None, "sam", "local user"),
    ]
    assert at.toast[0].value == "Saved 2 changes"
    # Resolved items leave the open queue, and the fresh grid carries no leftover edits.
    queue = at.data_editor[0].value
    assert newest_id not in set(queue["id"])
    assert save_button(at).label == "Save 0 changes"


def test_the_mark_as_form_updates_one_item_without_the_grid(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)
    oldest_id = int(at.data_editor[0].value["id"].iloc[-1])

    at.selectbox(key="mark.item").select(oldest_id)
    at.selectbox(key="mark.status").select("waiting_on_customer")
    at.text_input(key="mark.assignee").input("kim")
    next(button for button in at.button if button.label == "Update item").click().run()

    stored = store_with_items.item(oldest_id)
    assert stored is not None
    assert (stored["triage_status"], stored["assignee"]) == ("waiting_on_customer", "kim")
    assert at.toast[0].value == "Saved 2 changes"


def test_the_status_filter_in_the_url_shows_resolved_items(app: AppTest, store_with_items: Store) -> None:
    queue = store_with_items.inbox_frame(statuses=["new"])
    first = int(queue["id"].iloc[0])
    store_with_items.apply_triage(
        [TriageChange(first, "triage_status", "resolved")], actor=admin("someone else"), now=datetime.now(UTC)
    )
    app.switch_page("pages/inbox.py")  # as a browser opening /inbox?status=resolved
    app.query_params["status"] = "Resolved"  # the URL carries the label shown

    at = app.run()

    assert at.selectbox(key="status").value == "resolved"
    assert list(at.data_editor[0].value["id"]) == [first]


def test_an_empty_inbox_says_nothing_is_waiting(app: AppTest, empty_store: Store) -> None:
    at = open_inbox(app)

    assert not at.exception
    assert "Nothing waiting here" in at.info[0].value
    assert not at.data_editor
