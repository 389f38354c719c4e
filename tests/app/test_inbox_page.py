"""The Inbox page: a queue that leads with the customers' words, views with counts, paging, the
item workspace, assignment from the team list, nothing preselected, and Undo."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from listeners.runner import Runner
from tests.actors import admin
from tests.app.conftest import NEGATIVE, OWN, ScriptedListener
from ui import widgets
from voc.inbox import queue as care_queue
from voc.inbox.queue import QueueFilter, open_queue
from voc.models import ItemKind, RawItem, TriageChange
from voc.store.facade import Store
from voc.store.schema import items

ME = "local user"


def open_inbox(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/inbox.py").run()


def plain(markdown: str) -> str:
    """What a reader sees of the page's Markdown: escapes, bold and highlight markers gone."""
    text = re.sub(r":[a-z]+-background\[", "", markdown).replace("**", "").replace("\u2060", "")
    return re.sub(r"\\(.)", r"\1", text).replace("]", "")


def page_text(at: AppTest) -> str:
    return "\n".join(plain(m.value) for m in [*at.markdown, *at.caption])


def opened_ids(at: AppTest) -> list[int]:
    """The queue's entries, top first, by their Open buttons."""
    return [int(b.key.rsplit(".", 1)[1]) for b in at.button if b.key and b.key.startswith("inbox.open.")]


def open_top_item(app: AppTest) -> tuple[AppTest, int]:
    """The Inbox with the top of its queue opened in the workspace, and that item's id."""
    at = open_inbox(app)
    top = opened_ids(at)[0]
    at.button(key=f"inbox.open.{top}").click().run()
    return at, top


def button(at: AppTest, label: str):  # noqa: ANN201 - AppTest's Button type is generic
    return next(b for b in at.button if b.label == label)


def item_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The items the workspace reads from now on, one read a run of the page."""
    reads: list[int] = []
    read = care_queue.item_row
    monkeypatch.setattr(care_queue, "item_row", lambda store, i, **k: reads.append(i) or read(store, i, **k))
    return reads


def queue_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The queue pages read from now on, one read a run of the page."""
    reads: list[int] = []
    read = care_queue.open_queue
    monkeypatch.setattr(care_queue, "open_queue", lambda *a, **k: reads.append(k["page"]) or read(*a, **k))
    return reads


def toasts(at: AppTest) -> list[str]:
    return [plain(toast.value) for toast in at.toast]


def top_ids(store: Store, view: str = "all") -> list[int]:
    page = open_queue(store, QueueFilter(agent=ME), now=datetime.now(UTC))
    return [int(i) for i in page.rows["id"]]


def test_the_queue_shows_the_customers_words_first_in_the_order_to_answer(
    app: AppTest, store_with_items: Store
) -> None:
    at = open_inbox(app)

    assert not at.exception
    assert at.title[0].value == "Inbox"
    assert opened_ids(at) == top_ids(store_with_items)  # the domain's order, first on top
    shown = page_text(at)
    for words in NEGATIVE.values():
        assert words in shown  # page text, findable by its content
    assert "angry1" in shown and "Why first:" in shown and "negative (" in shown
    assert any(":red-background[" in m.value for m in at.markdown)  # the sentiment's phrase highlighted
    assert "None" not in shown


def test_views_count_and_filter_mine_unassigned_and_all(app: AppTest, store_with_items: Store) -> None:
    first = top_ids(store_with_items)[0]
    store_with_items.apply_triage([TriageChange(first, "assignee", ME)], actor=admin(ME), now=datetime.now(UTC))
    at = open_inbox(app)
    everyone = len(opened_ids(at))
    views = at.button_group[0]
    labels = list(views.options)
    assert labels == ["Mine · 1", f"Unassigned · {everyone - 1}", f"All open · {everyone}"]

    views.set_value("mine").run()
    assert opened_ids(at) == [first]
    at.button_group[0].set_value("unassigned").run()
    assert first not in opened_ids(at) and len(opened_ids(at)) == everyone - 1


def test_a_long_queue_pages_twelve_at_a_time(app: AppTest, empty_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    empty_store.ensure_source("social", "scripted", poll_interval_s=60)
    raws = [
        RawItem(external_id=f"q{i}", text=f"Awful service number {i}, terrible and useless.", channel="x",
                posted_at=now - timedelta(minutes=i + 1), brand=OWN, author=f"user{i}")
        for i in range(15)
    ]  # fmt: skip
    Runner(empty_store, {"social": ScriptedListener("social", raws)}, owner="test-runner").run_once()
    at = open_inbox(app)
    assert len(opened_ids(at)) == 12 and "1–12 of 15" in at.caption[0].value
    pages_read = queue_reads(monkeypatch)
    button(at, "Next page").click().run()
    assert len(opened_ids(at)) == 3 and any("Page 2 of 2" in c.value for c in at.caption)
    button(at, "Previous").click().run()
    assert len(opened_ids(at)) == 12
    assert pages_read == [2, 1]  # one run of the page a click (a rerun after the click read each twice)


def test_opening_an_item_shows_the_workspace_with_nothing_preselected(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_inbox(app)
    top = opened_ids(at)[0]
    item = store_with_items.item(top)
    assert item is not None
    pages_read = queue_reads(monkeypatch)

    at.button(key=f"inbox.open.{top}").click().run()

    assert not at.exception
    assert pages_read == []  # one run, the workspace's (run inline, the click drew the queue again first)
    assert at.query_params["item"] == [str(top)] or at.query_params["item"] == str(top)
    assert item["text"] in page_text(at)
    named = f" · {widgets.item_channel_name(item['channel'])} · {widgets.language_name(item['language'])} · posted"
    assert named in page_text(at) and item["language"] not in widgets.language_name(
        item["language"]
    )  # "English", not "en"
    assert any(b.label == "Open the original" for b in at.get("link_button"))
    assert at.selectbox(key="inbox.assignee").value is None  # nobody chosen for the agent
    assert "Assign to me" in [b.label for b in at.button]
    assert store_with_items.item(top)["triage_status"] == "new"  # opening changed nothing


def test_resolving_moves_on_and_offers_undo_that_restores_the_item(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_inbox(app)
    top, second = opened_ids(at)[:2]
    at.button(key=f"inbox.open.{top}").click().run()
    items_read = item_reads(monkeypatch)

    button(at, "Resolve").click().run()

    assert not at.exception
    assert items_read == [second]  # one run, the next item's (inline, the click drew the resolved one first)
    stored = store_with_items.item(top)
    assert stored is not None and stored["triage_status"] == "resolved" and stored["resolved_at"] is not None
    assert str(second) in str(at.query_params["item"])  # on to the next customer
    assert "Resolved" in at.success[0].value
    assert [toast.value for toast in at.toast] == ["Resolved"]
    button(at, "Undo").click().run()
    stored = store_with_items.item(top)
    assert stored is not None and stored["triage_status"] == "new" and stored["resolved_at"] is None
    assert [e["field"] for e in store_with_items.triage_history(top)] == ["triage_status", "undo"]


def test_assign_to_me_and_from_the_team_list_with_open_counts(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_inbox(app)
    top, other = opened_ids(at)[:2]
    store_with_items.apply_triage(
        [TriageChange(other, "assignee", "kim@example.com")], actor=admin(ME), now=datetime.now(UTC)
    )
    at.button(key=f"inbox.open.{top}").click().run()

    button(at, "Assign to me").click().run()
    stored = store_with_items.item(top)
    assert stored is not None and (stored["assignee"], stored["triage_status"]) == (ME, "assigned")

    picker = at.selectbox(key="inbox.assignee")
    assert "kim@example.com · 1 open" in picker.options and f"{ME} (you) · 1 open" in picker.options
    picker.set_value("kim@example.com")
    items_read = item_reads(monkeypatch)
    button(at, "Assign").click().run()
    stored = store_with_items.item(top)
    assert stored is not None and stored["assignee"] == "kim@example.com"
    assert items_read == [top]  # the form's submit runs the page once (inline, it wrote, then reran)
    assert toasts(at) == ["Assigned to kim@example.com"]


def test_a_note_is_added_in_one_run_and_a_blank_one_adds_nothing(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at, top = open_top_item(app)
    items_read = item_reads(monkeypatch)

    at.text_area(key="inbox.note_text").input("Called, no answer")
    button(at, "Add note").click().run()

    assert not at.exception
    assert items_read == [top]
    assert [n["text"] for n in store_with_items.notes(top)] == ["Called, no answer"]
    assert toasts(at) == ["Note added"]
    at.text_area(key="inbox.note_text").input("   ")
    button(at, "Add note").click().run()
    assert not at.exception
    assert len(store_with_items.notes(top)) == 1 and not at.toast


def test_tags_are_saved_in_one_run_and_shown_as_stored(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at, top = open_top_item(app)
    items_read = item_reads(monkeypatch)

    next(t for t in at.text_input if t.label == "Tags (comma-separated)").input("Billing, Outage ,")
    button(at, "Save tags").click().run()

    assert not at.exception
    assert items_read == [top]
    stored = store_with_items.item(top)
    assert stored is not None and stored["tags"] == ["billing", "outage"]
    assert toasts(at) == ["Tags saved"]
    assert next(t for t in at.text_input if t.label == "Tags (comma-separated)").value == "billing, outage"


def test_next_item_is_one_action(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)
    first, second = opened_ids(at)[:2]
    at.button(key=f"inbox.open.{first}").click().run()
    button(at, "Next item").click().run()
    assert str(second) in str(at.query_params["item"])


def test_resolving_the_last_waiting_customer_goes_back_to_the_queue_and_says_so(
    app: AppTest, store_with_items: Store
) -> None:
    at = open_inbox(app)
    waiting = opened_ids(at)
    store_with_items.apply_triage(
        [TriageChange(i, "triage_status", "resolved") for i in waiting[1:]], actor=admin(ME), now=datetime.now(UTC)
    )
    at.button(key=f"inbox.open.{waiting[0]}").click().run()

    button(at, "Resolve").click().run()

    assert not at.exception
    assert "item" not in at.query_params  # back to the queue
    assert [toast.value for toast in at.toast] == ["Nothing else is waiting in this view"]


def test_bulk_actions_list_the_customers_words(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_inbox(app)
    ids = opened_ids(at)[:2]
    chooser = at.multiselect(key="bulk.items")
    assert any(NEGATIVE[1][:40] in option for option in chooser.options)  # words, not "#10"
    assert at.selectbox(key="bulk.status").value is None and at.selectbox(key="bulk.assignee").value is None
    chooser.set_value(ids)
    at.selectbox(key="bulk.assignee").set_value(ME)
    at.text_input(key="bulk.tag").input("outage")
    pages_read = queue_reads(monkeypatch)
    button(at, "Apply to the chosen customers").click().run()
    assert not at.exception
    assert pages_read == [1]  # the form's submit runs the page once (inline, it wrote, then reran)
    for item_id in ids:
        stored = store_with_items.item(item_id)
        assert stored is not None and stored["assignee"] == ME and stored["tags"] == ["outage"]
    assert toasts(at) == ["Updated 2 customers"]


def test_bulk_resolving_offers_undo_and_nobody_chosen_is_said(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)
    ids = opened_ids(at)[:2]

    button(at, "Apply to the chosen customers").click().run()
    assert not at.exception
    assert "Choose at least one customer first." in [w.value for w in at.warning]
    assert not at.toast

    at.multiselect(key="bulk.items").set_value(ids)
    at.selectbox(key="bulk.status").set_value("resolved")
    button(at, "Apply to the chosen customers").click().run()
    assert not at.exception
    assert not at.warning  # said once, for the submit with nobody chosen
    assert all(store_with_items.item(i)["triage_status"] == "resolved" for i in ids)
    assert "Resolved: 2 customers" in at.success[0].value
    button(at, "Undo").click().run()
    assert all(store_with_items.item(i)["triage_status"] == "new" for i in ids)


def test_an_empty_inbox_says_nothing_is_waiting(app: AppTest, empty_store: Store) -> None:
    at = open_inbox(app)

    assert not at.exception
    assert "Nothing waiting here" in at.info[0].value
    assert not opened_ids(at)


def test_a_survey_item_shows_its_response_and_the_customers_earlier_items(app: AppTest, empty_store: Store) -> None:
    now = datetime.now(UTC)
    empty_store.ensure_source("survey", "scripted", poll_interval_s=60)
    answers = [
        RawItem(external_id="r1-why", text="Two weeks without a working line, I am leaving", posted_at=now,
                kind=ItemKind.SURVEY, channel="survey", brand=OWN, survey="relationship-nps", response_id="r1",
                nps=2, survey_field="Why this score?", respondent="lena@example.com"),
        RawItem(external_id="r1-better", text="Answer the phone", posted_at=now, kind=ItemKind.SURVEY,
                channel="survey", brand=OWN, survey="relationship-nps", response_id="r1", nps=2,
                survey_field="What should we do better?", respondent="lena@example.com"),
        RawItem(external_id="r0-why", text="Slow support again", posted_at=now - timedelta(days=30),
                kind=ItemKind.SURVEY, channel="survey", brand=OWN, survey="relationship-nps", response_id="r0",
                nps=5, survey_field="Why this score?", respondent="lena@example.com"),
    ]  # fmt: skip
    Runner(empty_store, {"survey": ScriptedListener("survey", answers)}, owner="test-runner").run_once()
    with empty_store.read() as connection:
        item_id = int(connection.execute(sa.select(items.c.id).where(items.c.external_id == "r1-why")).scalar_one())
    app.switch_page("pages/inbox.py")
    app.query_params["item"] = str(item_id)

    at = app.run()

    assert not at.exception
    shown = page_text(at)
    assert "Survey relationship-nps, response r1 · NPS 2 · answer to “Why this score?”" in shown
    tables = "\n".join(t.value.to_string() for t in at.table)
    assert "Answer the phone" in tables and "What should we do better?" in tables  # the same response
    assert "Slow support again" in tables  # the customer's earlier item here (same hashed respondent)
    assert "lena@example.com" not in shown + tables  # the address is never shown, only its hash joins
