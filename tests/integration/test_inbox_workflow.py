"""The care queue and its workflow against both databases: who is in it, in what order, with what
clock; views and paging; next item; the team with open counts; duplicates collapsed; statuses,
tags, notes, presence since when, undo, history; team metrics moving."""

from __future__ import annotations

from datetime import timedelta

from tests.actors import admin
from tests.factories import new_item
from voc.inbox.care_settings import save_vip_list
from voc.inbox.queue import QueueFilter, View, next_item_id, open_queue, team
from voc.inbox.team_metrics import team_metrics
from voc.inbox.vip import VipList
from voc.models import TriageChange
from voc.store.facade import Store


def care_queue(store: Store, *, now, include_neutral: bool = False):  # noqa: ANN001, ANN201 - a frame
    """The whole open queue (first page of 500), as the page reads it."""
    return open_queue(store, QueueFilter(include_chatter=include_neutral), now=now, page_size=500).rows


def test_the_queue_holds_what_needs_a_person_highest_priority_first(store: Store, clock) -> None:
    now = clock.now
    store.add_items([
        new_item("neg", text="The app crashes every time I open it", posted_at=now - timedelta(minutes=10), ingested_at=now - timedelta(minutes=2)),
        new_item("refund", text="Please cancel my contract and refund me", sentiment_label="neutral", posted_at=now - timedelta(minutes=5)),
        new_item("question", text="Does the new plan include roaming in Spain?", sentiment_label="neutral", posted_at=now - timedelta(minutes=3)),
        new_item("chatter", text="Watching the match tonight with friends", sentiment_label="neutral"),
        new_item("praise", text="Lovely staff in the Leeds shop today", sentiment_label="positive"),
        new_item("rival", text="Their network is down again for everyone", is_competitor=True),
    ])  # fmt: skip
    queue = care_queue(store, now=now)
    assert list(queue["text"].str[:12]) == ["Please cance", "The app cras", "Does the new"]
    assert list(queue["needs"]) == ["urgent request", "negative", "question"]
    crash = queue.iloc[1]
    assert crash["sla_state"] == "On track" and crash["source_latency"] == "8 min"
    assert crash["due_at"] == now - timedelta(minutes=10) + timedelta(hours=24 if crash["tier"] == "normal" else 4)
    assert any("urgent" in r for r in queue.iloc[0]["priority_reasons"])
    with_chatter = care_queue(store, now=now, include_neutral=True)
    assert "Watching the match tonight with friends" in set(with_chatter["text"])
    assert "Lovely staff in the Leeds shop today" not in set(with_chatter["text"])


def test_retweets_and_copies_collapse_into_one_item_with_a_count(store: Store, clock) -> None:
    text = "No signal in Leeds since 6am, what is going on? https://t.co/a"
    store.add_items([
        new_item("orig", text=text, posted_at=clock.now - timedelta(hours=1)),
        new_item("rt", text=f"RT @dan: {text}", posted_at=clock.now - timedelta(minutes=50)),
        new_item("copy", text="no signal in LEEDS since 6am... what is going on??", posted_at=clock.now - timedelta(minutes=40)),
        new_item("other", text="No signal in Bristol since 6am, what is going on?", posted_at=clock.now - timedelta(minutes=30)),
    ])  # fmt: skip
    queue = care_queue(store, now=clock.now)
    assert len(queue) == 2
    leeds = queue[queue["text"] == text].iloc[0]
    assert leeds["duplicate_count"] == 2
    assert store.count_items() == 4  # nothing is thrown away: the copies are kept, pointing at the original


def test_statuses_stamp_response_and_resolution_times_and_history_is_complete(store: Store, clock) -> None:
    store.add_items(
        [new_item("a", text="My bill doubled this month, why?"), new_item("b", text="Roaming does not work in Paris")]
    )
    a, b = (int(i) for i in care_queue(store, now=clock.now).sort_values("id")["id"])
    # Bulk: both assigned to ana at once.
    bulk = [TriageChange(i, f, v) for i in (a, b) for f, v in (("assignee", "ana"), ("triage_status", "assigned"))]
    assert store.apply_triage(bulk, actor=admin("lead"), now=clock.now) == 4
    store.set_tags([a, b], ["billing", "Roaming "], actor=admin("lead"), now=clock.now)
    store.add_note(
        a, "Called back, waiting for the invoice number", actor=admin("ana"), now=clock.now + timedelta(minutes=20)
    )
    store.apply_triage(
        [TriageChange(a, "triage_status", "waiting_on_customer")],
        actor=admin("ana"),
        now=clock.now + timedelta(minutes=20),
    )
    store.apply_triage(
        [TriageChange(a, "triage_status", "resolved")], actor=admin("ana"), now=clock.now + timedelta(hours=2)
    )
    item = store.item(a)
    assert item is not None
    assert item["first_response_at"] == clock.now + timedelta(minutes=20)  # not moved by the later resolution
    assert item["resolved_at"] == clock.now + timedelta(hours=2) and item["tags"] == ["billing", "roaming"]
    fields = [(e["field"], e["new_value"], e["actor"]) for e in store.triage_history(a)]
    assert fields[:2] == [("assignee", "ana", "lead"), ("triage_status", "assigned", "lead")]
    assert ("tags", "billing, roaming", "lead") in fields and (
        "note",
        "Called back, waiting for the invoice number",
        "ana",
    ) in fields
    assert fields[-1] == ("triage_status", "resolved", "ana")
    assert [n["text"] for n in store.notes(a)] == ["Called back, waiting for the invoice number"]
    assert (
        store.mark_responded([a, b], actor=admin("bo"), now=clock.now + timedelta(hours=3)) == 1
    )  # a was answered already


def test_another_agent_with_the_item_open_is_reported_with_since_when(store: Store, clock) -> None:
    store.add_items([new_item("a")])
    item_id = int(care_queue(store, now=clock.now)["id"].iloc[0])
    store.touch_viewer(item_id, admin("ana"), clock.now)
    store.touch_viewer(item_id, admin("ana"), clock.now + timedelta(seconds=50))  # still on it: since stays
    store.touch_viewer(item_id, admin("bo"), clock.now + timedelta(seconds=30))
    assert store.viewers(item_id, besides="bo", now=clock.now + timedelta(minutes=1)) == [("ana", clock.now)]
    assert store.viewers(item_id, besides="bo", now=clock.now + timedelta(minutes=5)) == []  # ana left long ago
    store.touch_viewer(item_id, admin("ana"), clock.now + timedelta(minutes=10))  # back again: a new since
    assert store.viewers(item_id, besides="bo", now=clock.now + timedelta(minutes=10)) == [
        ("ana", clock.now + timedelta(minutes=10))
    ]


def test_views_count_mine_unassigned_and_all_and_pages_hold_twelve(store: Store, clock) -> None:
    store.add_items(
        [
            new_item(f"n{i}", text=f"Broken again, case {i}", posted_at=clock.now - timedelta(minutes=i))
            for i in range(14)
        ]
    )
    ids = [int(i) for i in care_queue(store, now=clock.now)["id"]]
    store.apply_triage([TriageChange(ids[3], "assignee", "ana")], actor=admin("lead"), now=clock.now)
    first = open_queue(store, QueueFilter(View.ALL, "ana"), now=clock.now)
    assert first.counts == {View.ALL: 14, View.MINE: 1, View.UNASSIGNED: 13}
    assert (first.page, first.pages, len(first.rows)) == (1, 2, 12)
    second = open_queue(store, QueueFilter(View.ALL, "ana"), now=clock.now, page=2)
    assert [int(i) for i in [*first.rows["id"], *second.rows["id"]]] == ids  # no gap, no repeat
    assert open_queue(store, QueueFilter(View.ALL, "ana"), now=clock.now, page=9).page == 2  # clamped
    mine = open_queue(store, QueueFilter(View.MINE, "ana"), now=clock.now)
    assert [int(i) for i in mine.rows["id"]] == [ids[3]] and mine.total == 1
    unassigned = open_queue(store, QueueFilter(View.UNASSIGNED, "ana"), now=clock.now, page_size=500)
    assert ids[3] not in set(unassigned.rows["id"]) and len(unassigned.rows) == 13


def test_the_order_is_priority_then_the_oldest_and_a_vip_moves_up_at_once(store: Store, clock) -> None:
    store.add_items([
        new_item("old", text="Slow app", posted_at=clock.now - timedelta(hours=3), author="@plain"),
        new_item("new", text="Slow app", posted_at=clock.now - timedelta(hours=1), author="@boss"),
        new_item("famous", text="Slow app", posted_at=clock.now, author="@star", author_reach=1_000_000),
    ])  # fmt: skip
    authors = lambda: list(care_queue(store, now=clock.now)["author"])  # noqa: E731
    assert authors() == ["@star", "@plain", "@boss"]  # equal priority: the one waiting longest first
    save_vip_list(store, VipList().with_entry("@Boss", "platinum"), actor=admin("lead"), now=clock.now)
    assert authors() == ["@boss", "@star", "@plain"]  # ×2.5 lifts a plain complaint past a star's
    boss = care_queue(store, now=clock.now).iloc[0]
    assert boss["vip_tier"] == "platinum" and "Platinum customer (×2.5)" in boss["priority_reasons"]


def test_next_item_follows_the_queue_and_wraps_round(store: Store, clock) -> None:
    store.add_items(
        [new_item(f"n{i}", text=f"Broken {i}", posted_at=clock.now - timedelta(minutes=10 - i)) for i in range(3)]
    )
    a, b, c = (int(i) for i in care_queue(store, now=clock.now)["id"])
    everyone = QueueFilter()
    assert next_item_id(store, a, everyone) == b and next_item_id(store, b, everyone) == c
    assert next_item_id(store, c, everyone) == a  # the end wraps round to the top
    store.apply_triage([TriageChange(b, "triage_status", "resolved")], actor=admin("ana"), now=clock.now)
    assert next_item_id(store, b, everyone) == c  # resolved: the one after it, as it stood
    assert next_item_id(store, None, everyone) == a
    store.apply_triage(
        [TriageChange(i, "triage_status", "resolved") for i in (a, c)], actor=admin("ana"), now=clock.now
    )
    assert next_item_id(store, c, everyone) is None


def test_the_team_lists_care_roles_and_holders_with_open_counts(store: Store, clock) -> None:
    store.add_items([new_item(f"n{i}", text=f"Wrong bill number {i}") for i in range(3)])
    ids = [int(i) for i in care_queue(store, now=clock.now)["id"]]
    store.apply_triage([TriageChange(i, "assignee", "kim") for i in ids[:2]], actor=admin("lead"), now=clock.now)
    members = {m.name: m.open_items for m in team(store, "me")}
    assert members == {"me": 0, "kim": 2}
    assert team(store, "me")[0].name == "me"  # oneself first


def test_undo_puts_the_status_and_stamped_times_back(store: Store, clock) -> None:
    store.add_items([new_item("a")])
    item_id = int(care_queue(store, now=clock.now)["id"].iloc[0])
    store.apply_triage([TriageChange(item_id, "triage_status", "resolved")], actor=admin("ana"), now=clock.now)
    assert care_queue(store, now=clock.now).empty
    store.undo_status(
        item_id, status="new", first_response_at=None, resolved_at=None, actor=admin("ana"), now=clock.now
    )
    item = store.item(item_id)
    assert item is not None and (item["triage_status"], item["first_response_at"], item["resolved_at"]) == (
        "new",
        None,
        None,
    )
    assert [int(i) for i in care_queue(store, now=clock.now)["id"]] == [item_id]
    assert [e["field"] for e in store.triage_history(item_id)] == ["triage_status", "undo"]


def test_team_metrics_move_when_agents_answer(store: Store, clock) -> None:
    store.add_items([
        new_item("fast", text="Is the outage in Leeds fixed yet?", posted_at=clock.now - timedelta(hours=3)),
        new_item("slow", text="Nobody has answered my complaint for days", posted_at=clock.now - timedelta(hours=30), source="reviews", language="de"),
    ])  # fmt: skip
    before = team_metrics(store, now=clock.now)
    assert before.answered == 0 and before.median_first_response_min is None and before.breached_open == 1
    ids = {row["text"][:5]: int(row["id"]) for _, row in care_queue(store, now=clock.now).iterrows()}
    store.apply_triage([TriageChange(ids["Is th"], "triage_status", "resolved")], actor=admin("ana"), now=clock.now)
    store.apply_triage(
        [TriageChange(ids["Nobod"], "triage_status", "waiting_on_customer")], actor=admin("ana"), now=clock.now
    )
    after = team_metrics(store, now=clock.now + timedelta(minutes=1))
    assert after.answered == 2 and after.median_first_response_min == (180 + 1800) / 2
    assert after.answered_within_sla == 0.5
    breaches = after.breaches.set_index(["dimension", "value"])["breaches"].to_dict()
    assert breaches == {("language", "de"): 1, ("source", "reviews"): 1}
    assert after.daily["answered"].sum() == 2


def test_a_neutral_label_needs_review_by_its_own_scorer_threshold(store: Store, clock) -> None:
    """A calibrated precise 0.27 (p = 0.51: right more often than wrong) is trusted; a fast 0.27 is not."""
    now = clock.now
    store.add_items([
        new_item("fast-weak", text="Saw the new plans page today", sentiment_label="neutral", sentiment_confidence=0.27, scorer="learned-builtin-x"),
        new_item("precise-ok", text="Read the new plans page today", sentiment_label="neutral", sentiment_confidence=0.27, scorer="learned-precise-x"),
        new_item("precise-weak", text="Looked at the plans page today", sentiment_label="neutral", sentiment_confidence=0.2, scorer="learned-ws-precise-x"),
    ])  # fmt: skip
    queue = care_queue(store, now=now)
    assert set(queue["text"]) == {"Saw the new plans page today", "Looked at the plans page today"}
    assert set(queue["needs"]) == {"sentiment to review"} and queue["needs_review"].all()
    everything = care_queue(store, now=now, include_neutral=True).set_index("text")
    assert not everything.loc["Read the new plans page today", "needs_review"]
