"""Two sources of different kinds in one store, seen in a real browser on the Sources page.

A Google Alerts feed served by a loopback feed host and a Mastodon hashtag timeline served by a
loopback instance are added as sources, built by the registry as `python -m listeners` builds
them, and polled together by the real runner into one SQLite database, twice (the second poll
stores nothing again; the feed repeats an article under a second alert and stores it once). Then
`streamlit run` serves that database and Chromium opens the Sources page: both sources are there
with their kinds, health and item counts, and the add forms offer every kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from listeners.registry import build_listener
from listeners.runner import Runner
from tests.actors import admin
from tests.e2e.conftest import ROOT, streamlit_server
from tests.e2e.test_browser import wait_for_app
from tests.local_sources import FakeMastodon, FeedServer, fixture_bytes, fixture_json
from voc.settings import Settings
from voc.store.facade import Store

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class TwoSourceApp:
    url: str
    counts: dict[str, int]
    total: int


def recent_statuses() -> list[dict[str, object]]:
    """The recorded Mastodon page, re-dated to the last hour (the first poll reaches back a day)."""
    now = datetime.now(UTC)
    statuses = []
    for minutes, status in zip((10, 20, 30), fixture_json("mastodon", "tag_page.json"), strict=True):
        moment = now - timedelta(minutes=minutes)
        ident = str((int(moment.timestamp() * 1000) << 16) + 7)
        statuses.append({**status, "id": ident, "created_at": moment.isoformat().replace("+00:00", "Z")})
    return statuses


def fill(database_url: str, data_dir: Path, feed_url: str, instance: str) -> dict[str, int]:
    """Add both sources as the Sources page would, then run the real runner over them, twice."""
    settings = Settings.load({"VOC_DATABASE_URL": database_url, "VOC_DATA_DIR": str(data_dir), "VOC_DEMO_FEED": "off"})
    store = Store.from_url(database_url)
    try:
        store.add_source(
            "alerts-northwind",
            "feed",
            {"url": feed_url, "competitor": False},
            poll_interval_s=900,
            actor=admin("lead"),
            now=datetime.now(UTC),
        )
        store.add_source(
            "mastodon-northwind",
            "mastodon_hashtag",
            {"instance": instance, "hashtag": "northwind"},
            poll_interval_s=120,
            actor=admin("lead"),
            now=datetime.now(UTC),
        )
        runner = Runner(store, {s.name: build_listener(s, settings) for s in store.sources()}, owner="e2e-two-sources")
        runner.run_once()
        for source in store.sources():
            store.resume_source(
                source.name, actor=admin("lead"), now=datetime.now(UTC)
            )  # due again at once: a second poll must store nothing new
        assert runner.run_once() == 0
        return {source.name: store.count_items(source.name) for source in store.sources()}
    finally:
        store.engine.dispose()


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[TwoSourceApp]:
    folder = tmp_path_factory.mktemp("two-sources")
    database_url = f"sqlite:///{folder}/voc.db"
    with FeedServer(fixture_bytes("feeds", "google_alerts.xml")) as feed, FakeMastodon(recent_statuses()) as mastodon:
        counts = fill(database_url, folder, feed.feed_url, mastodon.url)  # type: ignore[attr-defined]
        assert sum(mastodon.served.values()) == 3  # type: ignore[attr-defined]
    with streamlit_server(folder, database_url, request) as url:
        yield TwoSourceApp(url=url, counts=counts, total=sum(counts.values()))


def test_a_feed_and_a_mastodon_timeline_land_in_one_store_once_each(two_sources: TwoSourceApp) -> None:
    # Two distinct articles (a third entry repeats one, a fourth is empty), three Mastodon posts.
    assert two_sources.counts == {"alerts-northwind": 2, "mastodon-northwind": 3}


def test_both_sources_are_on_the_sources_page_with_their_kind_and_items(page: Page, two_sources: TwoSourceApp) -> None:
    page.goto(f"{two_sources.url}/sources")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    main = page.get_by_test_id("stMain")
    for name, kind in (("alerts-northwind", "RSS or Atom feed"), ("mastodon-northwind", "Mastodon hashtag timeline")):
        blocks = main.get_by_test_id("stVerticalBlock").filter(has_text=f"{name} · {kind}")
        card = blocks.filter(has=page.get_by_test_id("stMetric")).last  # the innermost: the source's card
        expect(card).to_be_visible()
        expect(card.get_by_test_id("stMetric").filter(has_text="Items ingested")).to_contain_text(
            str(two_sources.counts[name])
        )
    # The edit forms exist for both; the add forms offer every family of kinds.
    expect(main.get_by_text("Edit alerts-northwind")).to_be_visible()
    expect(main.get_by_text("Edit mastodon-northwind")).to_be_visible()
    for family in ("X", "Mastodon", "Bluesky", "Reddit", "RSS, Atom and news", "App reviews"):
        expect(main.get_by_text(f"Add {family} source", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.screenshot(path=str(ROOT / "docs" / "screenshot-sources.png"), full_page=True)
