"""The care queue and its workflow against both databases: who is in it, in what order, with what
clock; duplicates collapsed; statuses, tags, notes, presence, history; team metrics moving."""

from __future__ import annotations

from datetime import timedelta

from tests.actors import admin
from tests.factories import new_item
from voc.inbox.queue import care_queue
from voc.inbox.team_metrics import team_metrics
from voc.models import TriageChange
from voc.store.facade import Store


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


def test_another_agent_with_the_item_open_is_reported(store: Store, clock) -> None:
    store.add_items([new_item("a")])
    item_id = int(care_queue(store, now=clock.now)["id"].iloc[0])
    store.touch_viewer(item_id, admin("ana"), clock.now)
    store.touch_viewer(item_id, admin("bo"), clock.now + timedelta(seconds=30))
    assert store.other_viewers(item_id, "bo", clock.now + timedelta(minutes=1)) == ["ana"]
    assert store.other_viewers(item_id, "bo", clock.now + timedelta(minutes=5)) == []  # ana left long ago


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
