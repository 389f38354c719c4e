"""The reply composer in AppTest: a saved reply fills the text with the placeholders, the counter
counts in Mastodon's units, the guard refuses a card number before anything is sent, and Send
posts once to a local stand-in of the network and shows the item answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.actors import admin
from tests.factories import new_item
from tests.reply_networks import ReplyNetworks
from voc.access.roles import Permission
from voc.store.facade import Store
from voc.store.schema import items

BOSS = admin("amir@northwind.example")


@pytest.fixture
def networks(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplyNetworks]:
    with ReplyNetworks() as server:
        monkeypatch.setenv("VOC_MASTODON_INSTANCE", server.url)
        monkeypatch.setenv("MASTODON_REPLY_TOKEN", "mastodon-write-token-0005")
        monkeypatch.setenv("VOC_REPLY_REQUEST_TIMEOUT_S", "5")
        yield server


def customer(store: Store, networks: ReplyNetworks, *, kind: str = "mastodon_hashtag", author: str = "@anna") -> int:
    now = datetime.now(UTC)
    store.ensure_source("fedi", kind, {"instance": networks.url})
    store.add_items(
        [
            new_item(
                "117665562624000001",
                source="fedi",
                channel="mastodon",
                author=author,
                text="My bill is wrong again and nobody answers",
                posted_at=now - timedelta(minutes=30),
                ingested_at=now - timedelta(minutes=29),
                link="https://social.example/@anna/117665562624000001",
            )
        ]
    )
    with store.read() as connection:
        return int(connection.execute(sa.select(items.c.id).where(items.c.source == "fedi")).scalar_one())


def open_item(app: AppTest, item_id: int) -> AppTest:
    app.switch_page("pages/inbox.py")
    app.query_params["item"] = str(item_id)  # the queue's "Open" link: the item's workspace
    return app.run()


def test_a_saved_reply_fills_the_composer_and_send_posts_it_once(
    app: AppTest, empty_store: Store, networks: ReplyNetworks
) -> None:
    item_id = customer(empty_store, networks)
    empty_store.save_saved_reply(
        title="Bill checked", language="en", text="Hi {author}, {agent} from {brand}: we fixed your bill.",
        theme_id=None, actor=BOSS, now=datetime.now(UTC),
    )  # fmt: skip
    at = open_item(app, item_id)
    assert not at.exception
    assert at.selectbox(key=f"reply.saved.{item_id}").options == ["Bill checked (English)"]  # not "(en)"
    at.selectbox(key=f"reply.saved.{item_id}").set_value(at.selectbox(key=f"reply.saved.{item_id}").options[0]).run()
    text = at.text_area(key=f"reply.text.{item_id}").value
    assert text == "Hi @anna, the team from Northwind Mobile: we fixed your bill."
    assert any(f"{len(text)} / 500 characters" in c.value for c in at.caption), [c.value for c in at.caption]

    at.button(key=f"reply.send.{item_id}").click().run()

    assert not at.exception
    assert networks.count("mastodon") == 1
    assert networks.posted["mastodon"][0]["text_posted"] == text
    assert any("Answered on Mastodon" in s.value for s in at.success)
    with empty_store.read() as connection:
        row = connection.execute(
            sa.select(items.c.first_response_at, items.c.triage_status).where(items.c.id == item_id)
        ).one()
    assert row.first_response_at is not None and row.triage_status == "waiting_on_customer"
    [saved] = empty_store.list_saved_replies()
    assert saved.use_count == 1


def test_the_guard_refuses_a_card_number_as_you_type_and_send_stays_off(
    app: AppTest, empty_store: Store, networks: ReplyNetworks
) -> None:
    item_id = customer(empty_store, networks)
    at = open_item(app, item_id)
    at.text_area(key=f"reply.text.{item_id}").set_value("Refunded to card 4111 1111 1111 1111").run()

    assert any("payment card number" in e.value for e in at.error)
    assert at.button(key=f"reply.send.{item_id}").disabled
    assert networks.requests == []


def test_a_refusal_shows_the_networks_words_and_a_retry(
    app: AppTest, empty_store: Store, networks: ReplyNetworks
) -> None:
    item_id = customer(empty_store, networks)
    networks.fail_next("mastodon", 422, {"error": "Validation failed: Text character limit of 500 exceeded"})
    at = open_item(app, item_id)
    at.text_area(key=f"reply.text.{item_id}").set_value("Sorry, fixing it now.").run()
    at.button(key=f"reply.send.{item_id}").click().run()

    assert any("Validation failed" in e.value for e in at.error)
    retry = next(b for b in at.button if b.label == "Retry")
    retry.click().run()
    assert networks.count("mastodon") == 1
    assert any("Answered on Mastodon" in s.value for s in at.success)


def test_a_second_answer_waits_for_the_agent_to_confirm_it(
    app: AppTest, empty_store: Store, networks: ReplyNetworks
) -> None:
    item_id = customer(empty_store, networks)
    empty_store.touch_viewer(item_id, admin("ana@northwind.example"), datetime.now(UTC))
    at = open_item(app, item_id)
    at.text_area(key=f"reply.text.{item_id}").set_value("Sorry, fixing it now.").run()

    second = at.checkbox(key=f"reply.second.{item_id}.0")
    assert "ana@northwind.example also has it open" in second.label.replace("\u2060", "") and not second.value
    assert at.button(key=f"reply.send.{item_id}").disabled  # a colleague may be writing to them
    second.check().run()
    at.button(key=f"reply.send.{item_id}").click().run()
    assert networks.count("mastodon") == 1

    at = open_item(app, item_id)  # answered now: another answer asks again, for that reason too
    at.text_area(key=f"reply.text.{item_id}").set_value("One more thing.").run()
    assert "answered here already" in at.checkbox(key=f"reply.second.{item_id}.1").label
    assert at.button(key=f"reply.send.{item_id}").disabled


def test_a_source_without_a_reply_api_offers_the_original(
    app: AppTest, empty_store: Store, networks: ReplyNetworks
) -> None:
    item_id = customer(empty_store, networks, kind="feed")
    at = open_item(app, item_id)
    assert any("news or web feed" in i.value for i in at.info)
    assert f"reply.text.{item_id}" not in [t.key for t in at.text_area]


def test_an_admin_keeps_saved_replies_and_sets_translation_in_settings(app: AppTest, empty_store: Store) -> None:
    at = app.run().switch_page("pages/settings.py").run()
    assert not at.exception
    assert any("No saved replies yet" in i.value for i in at.info)
    assert any("**Translation:** off" in m.value for m in at.markdown)

    at.text_input(key="settings.saved.new.title").set_value("Refund on its way")
    at.text_area(key="settings.saved.new.text").set_value("Hi {author}, {agnet} here.")
    at.button(key="FormSubmitter:settings.saved.form-Save saved reply").click().run()
    assert any("{agnet}" in e.value for e in at.error)
    assert empty_store.list_saved_replies() == []

    at.text_area(key="settings.saved.new.text").set_value("Hi {author}, {agent} here: your refund is on its way.")
    at.button(key="FormSubmitter:settings.saved.form-Save saved reply").click().run()
    [saved] = empty_store.list_saved_replies()
    assert saved.title == "Refund on its way" and saved.language == "en"
    assert at.selectbox(key="settings.saved.choice").options == ["+ New saved reply", "Refund on its way (English)"]

    at.text_input(key=next(t.key for t in at.text_input if t.label == "LibreTranslate server")).set_value(
        "http://translate.internal:5000"
    )
    at.button(key="FormSubmitter:settings.translation-Save translation settings").click().run()
    assert not at.exception
    assert empty_store.get_setting("translation") == {"url": "http://translate.internal:5000", "agent_language": "en"}


def test_with_a_translation_server_the_agent_reads_the_message_and_sends_the_translated_reply(
    app: AppTest, empty_store: Store, networks: ReplyNetworks
) -> None:
    from tests.integration.test_translation import LibreTranslate

    translator = LibreTranslate()
    try:
        empty_store.put_setting(
            "translation", {"url": translator.url, "agent_language": "en"}, actor=BOSS,
            permission=Permission.CONFIGURE_CARE, now=datetime.now(UTC),
        )  # fmt: skip
        item_id = customer(empty_store, networks)
        with empty_store.write() as connection:
            connection.execute(
                items.update().where(items.c.id == item_id).values(language="fr", text="Ma facture est fausse")
            )
        at = open_item(app, item_id)
        at.button(key=f"reply.tr.in.{item_id}").click().run()
        assert any("My bill is wrong" in m.value for m in at.markdown)

        at.text_area(key=f"reply.text.{item_id}").set_value("We are on it.").run()
        at.button(key=f"reply.tr.out.{item_id}").click().run()
        assert any("Nous nous en occupons." in m.value for m in at.markdown)  # side by side with the agent's words
        at.button(key=f"reply.tr.use.{item_id}").click().run()
        assert at.text_area(key=f"reply.text.{item_id}").value == "Nous nous en occupons."
        at.button(key=f"reply.send.{item_id}").click().run()
        assert networks.posted["mastodon"][0]["text_posted"] == "@anna Nous nous en occupons."
    finally:
        translator.server.shutdown()
