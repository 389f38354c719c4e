"""The conversation of an item (`voc.inbox.queue.conversation`) on both databases: the stored post
it answers and its thread's earlier messages, from what the listeners keep of the sources' payloads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import responses
import sqlalchemy as sa

from listeners.mastodon import build_mastodon_listener
from tests.factories import BASE_TIME, new_item
from tests.local_sources import fixture_json
from voc.inbox import queue as care_queue
from voc.inbox.queue import ThreadState
from voc.sources.ingest import build_items
from voc.store.facade import Store
from voc.store.schema import items

NOW = BASE_TIME + timedelta(days=1)


def item(store: Store, external_id: str, source: str = "test-source", now: datetime = NOW) -> dict[str, Any]:
    """The item as the workspace has it (an annotated queue row)."""
    query = sa.select(items.c.id).where(items.c.source == source, items.c.external_id == external_id)
    with store.read() as connection:
        item_id = connection.execute(query).scalar_one()
    row = care_queue.item_row(store, int(item_id), now=now)
    assert row is not None
    return row


def test_a_reply_shows_the_post_it_answers_and_the_thread_before_it_oldest_first(store: Store) -> None:
    at = [BASE_TIME + timedelta(minutes=m) for m in range(6)]
    store.add_items([
        new_item("100", author="@brand_fan", text="Anyone else without signal?", posted_at=at[0],
                 conversation_id="100", sentiment_label="neutral"),
        new_item("101", author="@maria", text="Same here since 9", posted_at=at[1], in_reply_to="100",
                 conversation_id="100"),
        new_item("102", author="@maria", text="Still nothing, call me on [PHONE]", posted_at=at[2],
                 in_reply_to="101", conversation_id="100"),
        new_item("103", author="@maria", text="Cancel my contract", posted_at=at[3], in_reply_to="102",
                 conversation_id="100"),
        new_item("104", author="@later", text="Fixed for me", posted_at=at[4], in_reply_to="100",
                 conversation_id="100"),
        # The same ids on another network are another conversation.
        new_item("100", source="other", channel="bluesky", text="Not this one", posted_at=at[0],
                 conversation_id="100"),
    ])  # fmt: skip
    found = care_queue.conversation(store, item(store, "103"))
    assert found.state is ThreadState.FOUND
    assert found.parent is not None
    assert (found.parent["author"], found.parent["text"]) == ("@maria", "Still nothing, call me on [PHONE]")
    assert found.parent["sentiment_label"] == "negative" and found.parent["posted_at"] == at[2]
    # The thread's first post and the messages between, without the parent (shown on its own)
    # and without anything posted after the item.
    assert [(m["external_id"], m["author"]) for m in found.earlier] == [("100", "@brand_fan"), ("101", "@maria")]

    capped = care_queue.conversation(store, item(store, "104"), limit=2)
    assert [m["external_id"] for m in capped.earlier] == ["102", "103"]  # the latest two, oldest first


def test_a_first_post_a_lost_parent_a_survey_and_a_silent_source_each_say_why(store: Store) -> None:
    store.add_items([
        new_item("200", conversation_id="200"),
        new_item("201", in_reply_to="199", conversation_id="199", posted_at=BASE_TIME + timedelta(minutes=1)),
        new_item("feed-1", channel="rss", author=None),
        new_item("r1-q1", kind="survey", channel="survey", survey="nps-q4", response_id="r1", author=None),
    ])  # fmt: skip
    states = {key: care_queue.conversation(store, item(store, key)) for key in ("200", "201", "feed-1", "r1-q1")}
    assert states["200"].state is ThreadState.STARTS
    assert states["201"].state is ThreadState.PARENT_NOT_COLLECTED
    assert states["feed-1"].state is ThreadState.NOT_GIVEN
    assert states["r1-q1"].state is ThreadState.SURVEY
    assert all(c.parent is None and c.earlier == [] for c in states.values())


def test_mastodon_threads_are_the_chain_of_stored_parents_on_the_same_instance(store: Store, clock) -> None:
    """A status names only its parent, and its id is its instance's own: the thread is walked up
    parent by parent, within the source the item came from."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.get("https://mastodon.example/api/v2/instance", json=fixture_json("mastodon", "instance_v2.json"))
        api.get(
            "https://mastodon.example/api/v1/timelines/tag/northwind", json=fixture_json("mastodon", "tag_page.json")
        )
        listener = build_mastodon_listener(
            "mastodon_hashtag", "m-tag", {"instance": "mastodon.example", "hashtag": "#northwind"},
            default_brand="Northwind Mobile", token=None, token_instance="", clock=clock,
        )  # fmt: skip
        raws = listener.fetch(None).items
    store.add_items(build_items("m-tag", raws, ingested_at=clock.now))
    # Another instance happens to use the answered status's id for something else.
    store.add_items([new_item("117665405337600007", source="m-other", channel="mastodon", text="Elsewhere")])

    found = care_queue.conversation(store, item(store, "117665562624000007", "m-tag", clock.now))
    assert found.state is ThreadState.FOUND and found.parent is not None
    assert found.parent["author"] == "@sam@mastodon.example"
    assert "Charged twice" in found.parent["text"]
    assert found.earlier == []  # sam's status answers nothing: the chain ends there

    # A reply to the German post walks up two stored parents, oldest first.
    store.add_items([
        new_item("117665600000000007", source="m-tag", channel="mastodon", in_reply_to="117665562624000007",
                 posted_at=clock.now),
    ])  # fmt: skip
    walked = care_queue.conversation(store, item(store, "117665600000000007", "m-tag", clock.now))
    assert walked.parent is not None and walked.parent["author"] == "@lena@social.example"
    assert [m["author"] for m in walked.earlier] == ["@sam@mastodon.example"]
