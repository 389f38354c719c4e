"""AppTest fixtures: a temporary SQLite database filled through the real runner and pipeline.

Sources are scripted listeners behind the real `Runner`, so items pass through `build_items`
(redaction, language, sentiment, priority) and heartbeats, errors and counts are written the
way the listener process writes them. The app finds the database through VOC_DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from listeners.base import Batch, ErrorKind, SourceError
from listeners.registry import build_listener, register_demo_sources
from listeners.runner import Runner
from tests.conftest import copy_sqlite_template
from voc.access.roles import LOCAL_ACTOR
from voc.models import ItemKind, RawItem
from voc.settings import Settings
from voc.store.facade import Store
from voc.themes.service import apply_starter_set

ROOT = Path(__file__).resolve().parents[2]
OWN = "Northwind Mobile"
RIVAL = "Contoso Telecom"
NEGATIVE = {
    1: "Terrible outage again, worst network ever, awful.",
    2: "Still no signal since this morning, this is horrible and useless.",
    30: "Awful support, I hate waiting an hour on the phone.",
}
POSITIVE = "I love this, great service, thank you!"
NEUTRAL = "The shop opens at nine tomorrow morning."


@dataclass
class ScriptedListener:
    """Hands over its items on the first poll, then nothing: a source with a known history."""

    name: str
    items: list[RawItem]

    def fetch(self, cursor: str | None) -> Batch:
        return Batch([] if cursor else self.items, "done")


@dataclass
class BrokenListener:
    name: str

    def fetch(self, cursor: str | None) -> Batch:
        raise SourceError(ErrorKind.AUTH, "401 Unauthorized: check X_BEARER_TOKEN")


def social_items(now: datetime) -> list[RawItem]:
    """Three negative mentions (1 h, 2 h and 30 h old), praise, a neutral one and a competitor."""
    raws = [
        RawItem(
            external_id=f"neg-{hours}",
            text=text,
            posted_at=now - timedelta(hours=hours),
            channel="x",
            brand=OWN,
            author=f"angry{hours}",
            author_reach=1000 * hours,
            link=f"https://x.com/angry{hours}/status/{hours}",
        )
        for hours, text in NEGATIVE.items()
    ]
    raws += [
        RawItem(external_id="pos-1", text=POSITIVE, posted_at=now - timedelta(hours=3), channel="instagram", brand=OWN),
        RawItem(
            external_id="pos-2",
            text="Great service today, thank you so much!",
            posted_at=now - timedelta(hours=4),
            channel="instagram",
            brand=OWN,
        ),
        RawItem(
            external_id="neu-1",
            text="The shop on the high street opens at nine.",
            posted_at=now - timedelta(hours=5),
            channel="reddit",
            brand=OWN,
        ),
        RawItem(
            external_id="rival-1",
            text="I love this, great service from them, thank you!",
            posted_at=now - timedelta(hours=2),
            channel="x",
            brand=RIVAL,
            is_competitor=True,
        ),
    ]
    return raws


def survey_items(now: datetime) -> list[RawItem]:
    return [
        RawItem(
            external_id=f"nps-{n}",
            text=NEUTRAL,
            posted_at=now - timedelta(hours=6 + n),
            kind=ItemKind.SURVEY,
            channel="survey",
            brand=OWN,
            survey="relationship-nps",
            response_id=f"r{n}",
            nps=score,
        )
        for n, score in enumerate((10, 9, 3))
    ]


@pytest.fixture(autouse=True)
def _navigation_already_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every page inside app.py's frame, as a running server does.

    A server starts in Streamlit's legacy "pages/ directory" mode and leaves it for good the
    first time `st.navigation` runs (pages call `ui.widgets.ensure_frame` for that first view;
    the e2e suite covers it). AppTest resets the mode before *every* run, so without this each
    run of a page other than the default one would be a first view, and the rerun that
    `ensure_frame` asks for would swallow the button click being tested.
    """
    original_init = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _sqlite_template: Path) -> Iterator[Store]:
    """An empty, migrated database that the app is pointed at (a copy of the session's migrated one)."""
    url = f"sqlite:///{tmp_path}/app.db"
    copy_sqlite_template(_sqlite_template, url)
    monkeypatch.setenv("VOC_DATABASE_URL", url)
    monkeypatch.setenv("VOC_DATA_DIR", str(tmp_path / "data"))  # never the checkout's own data/ folder
    monkeypatch.setenv("VOC_HEARTBEAT_STALE_AFTER_S", "60")
    monkeypatch.setenv("VOC_BRAND", OWN)
    opened = Store.from_url(url, upgrade=False)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def store_with_items(empty_store: Store) -> Store:
    """Nine items of our brand and one competitor's, stored by the real runner a moment ago."""
    return fill_with_items(empty_store)


def fill_with_items(store: Store) -> Store:
    """`store_with_items`'s contents, for fixtures that build their database once."""
    now = datetime.now(UTC)
    store.ensure_source("social", "scripted", poll_interval_s=60)
    store.ensure_source("survey", "scripted", poll_interval_s=60)
    listeners = {
        "social": ScriptedListener("social", social_items(now)),
        "survey": ScriptedListener("survey", survey_items(now)),
    }
    apply_starter_set(store, "care", actor=LOCAL_ACTOR, now=now)  # as an admin picks it at first start
    Runner(store, listeners, owner="test-runner").run_once()
    assert store.count_items() == 10
    return store


@pytest.fixture
def store_with_sick_sources(store_with_items: Store) -> Store:
    """Besides the healthy two: a source whose runner died ten minutes ago, and one failing auth."""
    now = datetime.now(UTC)
    store_with_items.ensure_source("forum", "scripted", poll_interval_s=60)
    store_with_items.ensure_source("x-recent", "scripted", poll_interval_s=60)
    Runner(
        store_with_items,
        {"forum": ScriptedListener("forum", [])},
        owner="dead-runner",
        clock=lambda: now - timedelta(minutes=10),
    ).run_once()
    Runner(store_with_items, {"x-recent": BrokenListener("x-recent")}, owner="test-runner").run_once()
    return store_with_items


@pytest.fixture
def store_with_demo_feed(empty_store: Store, tmp_path: Path) -> Store:
    """The bundled demo feed (replay listeners), back-filled by the real runner as `make run` does."""
    settings = Settings.load({"VOC_DEMO_FEED": "on", "VOC_DATA_DIR": str(tmp_path), "VOC_BRAND": OWN})
    register_demo_sources(empty_store, settings)
    listeners = {source.name: build_listener(source, settings) for source in empty_store.sources()}
    runner = Runner(empty_store, listeners, owner="test-runner")
    while runner.run_once():  # each poll stores a page; the back-fill ends with an empty one
        pass
    return empty_store


@pytest.fixture
def team_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Team mode with a first admin (tests/app/team.py signs people in)."""
    from tests.app.team import FIRST_ADMIN

    monkeypatch.setenv("VOC_MODE", "team")
    monkeypatch.setenv("VOC_FIRST_ADMIN", FIRST_ADMIN)


@pytest.fixture
def navigation_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Every `st.navigation` call of the runs that follow, with its pages, as Streamlit received them."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    original = st.navigation

    def spy(pages: Any, **kwargs: Any) -> Any:
        calls.append((pages, kwargs))
        return original(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", spy)
    return calls


@pytest.fixture
def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
