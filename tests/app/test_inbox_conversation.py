"""The workspace's Conversation tab in AppTest: the post a mention answers and the thread's
earlier messages, as the listeners stored them, or a plain sentence saying why there are none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from listeners.runner import Runner
from tests.app.conftest import OWN, ScriptedListener
from voc.models import RawItem
from voc.store.facade import Store
from voc.store.schema import items

ROOT_WORDS = "Is anyone else without signal in Leeds today?"
EARLIER_WORDS = "Same here, nothing since 9. Write to maria.silva@example.com"
PARENT_WORDS = "Support says it is fixed. It is not fixed."
ANGRY = "Your outage cost me a day of work, I want a refund now"


def thread(store: Store) -> None:
    now = datetime.now(UTC)
    store.ensure_source("social", "scripted", poll_interval_s=60)
    said = [
        ("1", "@leeds_local", ROOT_WORDS, None, 50),
        ("2", "@famous", EARLIER_WORDS, "1", 40),
        ("3", "@neighbour", PARENT_WORDS, "1", 30),
        ("4", "@famous", ANGRY, "3", 20),
    ]
    raws = [
        RawItem(external_id=post_id, text=text, posted_at=now - timedelta(minutes=ago), channel="x", brand=OWN,
                author=author, author_reach=250_000, link=f"https://x.com/i/web/status/{post_id}",
                in_reply_to=parent, conversation_id="1")
        for post_id, author, text, parent, ago in said
    ]  # fmt: skip
    Runner(store, {"social": ScriptedListener("social", raws)}, owner="test-runner").run_once()


def item_id(store: Store, external_id: str) -> int:
    with store.read() as connection:
        return int(connection.execute(sa.select(items.c.id).where(items.c.external_id == external_id)).scalar_one())


def workspace(app: AppTest, store: Store, external_id: str) -> AppTest:
    app.switch_page("pages/inbox.py")
    app.query_params["item"] = str(item_id(store, external_id))
    at = app.run()
    assert not at.exception
    return at


def page_text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]).replace("\u2060", "")


def test_a_reply_shows_the_post_it_answers_and_the_earlier_messages_of_its_thread(
    app: AppTest, empty_store: Store
) -> None:
    thread(empty_store)
    shown = page_text(workspace(app, empty_store, "4"))
    assert "**The post it answers**" in shown and "Support says it is fixed" in shown
    assert "**Earlier in this thread** (2, oldest first)" in shown
    root, earlier = shown.index("Is anyone else without signal"), shown.index("Same here, nothing since 9")
    assert root < earlier  # oldest first
    assert "maria.silva" not in shown  # the words as stored: redacted at ingest
    assert "None" not in shown and "in_reply_to" not in shown and "conversation_id" not in shown


def test_a_post_that_answers_nothing_says_it_starts_its_conversation(app: AppTest, empty_store: Store) -> None:
    thread(empty_store)
    shown = page_text(workspace(app, empty_store, "1"))
    assert "This post starts its conversation: it answers no other post." in shown
    assert "The post it answers" not in shown and "Earlier in this thread" not in shown
