"""An agent opens the customer's item, starts from a saved reply, posts it to a local stand-in of
Mastodon, and the item shows as answered at Mastodon's time of the reply. Real browser, real server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.actors import admin
from tests.e2e.conftest import streamlit_server
from tests.e2e.test_browser import choose, wait_for_app
from tests.factories import new_item
from tests.reply_networks import ReplyNetworks
from voc.store.facade import Store
from voc.store.schema import items

pytestmark = pytest.mark.e2e
WORDS = "Charged twice for November and the chat bot keeps looping, please help"
SAVED = "Hi {author}, {agent} from {brand} here: the double charge is refunded today."


@pytest.fixture
def networks() -> Iterator[ReplyNetworks]:
    with ReplyNetworks() as server:
        yield server


@pytest.fixture
def app_url(tmp_path: Path, networks: ReplyNetworks, request: pytest.FixtureRequest) -> Iterator[tuple[str, str, int]]:
    database_url = f"sqlite:///{tmp_path}/voc.db"
    store = Store.from_url(database_url)
    now = datetime.now(UTC)
    store.ensure_source("fediverse", "mastodon_hashtag", {"instance": networks.url, "hashtag": "northwind"})
    store.add_items(
        [
            new_item(
                "117665562624000001",
                source="fediverse",
                channel="mastodon",
                author="@anna",
                text=WORDS,
                posted_at=now - timedelta(minutes=25),
                ingested_at=now - timedelta(minutes=24),
                link="https://social.example/@anna/117665562624000001",
                priority=80.0,
            )
        ]
    )
    store.save_saved_reply(
        title="Double charge refunded", language="en", text=SAVED, theme_id=None, actor=admin("amir"), now=now
    )
    with store.read() as connection:
        item_id = int(connection.execute(sa.select(items.c.id)).scalar_one())
    store.engine.dispose()
    env = {
        "VOC_MASTODON_INSTANCE": networks.url,
        "MASTODON_REPLY_TOKEN": "mastodon-write-token-0005",
        "VOC_DEMO_FEED": "off",
        "VOC_BRAND": "Northwind Mobile",
    }
    with streamlit_server(tmp_path, database_url, request, env=env, secrets_file=tmp_path / "none.toml") as url:
        yield url, database_url, item_id


def test_an_agent_answers_the_customer_from_the_app_and_it_counts_as_the_first_response(
    page: Page, app_url: tuple[str, str, int], networks: ReplyNetworks
) -> None:
    url, database_url, item_id = app_url
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{url}/inbox?item={item_id}")
    wait_for_app(page)
    expect(page.get_by_text(WORDS).first).to_be_visible()  # the item's workspace, the customer's words first

    choose(page, "Start from a saved reply", "Double charge refunded (English)")
    wait_for_app(page)
    reply = page.get_by_role("textbox", name="Reply on Mastodon")
    expected = "Hi @anna, the team from Northwind Mobile here: the double charge is refunded today."
    expect(reply).to_have_value(expected)
    expect(page.get_by_text(f"{len(expected)} / 500 characters")).to_be_visible()
    page.screenshot(path=str(Path(database_url.removeprefix("sqlite:///")).parent / "composer.png"), full_page=False)

    page.get_by_role("button", name="Send on Mastodon").click()
    wait_for_app(page)

    expect(page.get_by_text("Answered on Mastodon at").first).to_be_visible()
    assert networks.count("mastodon") == 1
    posted = networks.posted["mastodon"][0]
    assert posted["text_posted"] == expected and posted["in_reply_to_id"] == "117665562624000001"
    store = Store.from_url(database_url)
    try:
        stored = store.item(item_id)
        assert stored is not None and stored["triage_status"] == "waiting_on_customer"
        network_time = datetime.fromisoformat(posted["created_at"].replace("Z", "+00:00"))
        assert stored["first_response_at"] == network_time
    finally:
        store.engine.dispose()
