"""The Sources page's X features: token notice, add and edit forms, cost meter, pauses, coverage gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from listeners.base import Batch, CoverageGap, Usage
from listeners.runner import Runner
from tests.actors import admin
from voc.sources.forms import MISSING_X_TOKEN
from voc.store.facade import Store

TOKEN = "AAAAAAAAAAAAAAAAAAAAAapptest-secret-bearer-0123456789abcdef"
QUERY = '("Northwind Mobile" OR Northwnd) -is:retweet'


class MeteredListener:
    """A paid source's page as the runner sees it: no items, some reads, maybe a coverage gap."""

    def __init__(self, name: str, usage: Usage, gap: CoverageGap | None = None) -> None:
        self.name, self.usage, self.gap = name, usage, gap

    def fetch(self, cursor: str | None) -> Batch:
        return Batch([], "{}", usage=self.usage, gap=self.gap)


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    monkeypatch.delenv("VOC_X_BEARER_TOKEN", raising=False)


@pytest.fixture
def x_store(empty_store: Store) -> Store:
    """Two X sources polled a moment ago by the real runner: one within budget, one over it."""
    empty_store.add_source(
        "x-brand",
        "x_search",
        {"query": QUERY, "daily_budget_usd": 5.0, "post_read_usd": 0.001},
        poll_interval_s=120,
        actor=admin("lead"),
        now=datetime.now(UTC),
    )
    empty_store.add_source(
        "x-rival",
        "x_search",
        {"query": "Contoso", "brand": "Contoso", "competitor": True, "daily_budget_usd": 0.5},
        poll_interval_s=300,
        actor=admin("lead"),
        now=datetime.now(UTC),
    )
    gap = CoverageGap(
        start=datetime.now(UTC) - timedelta(days=9),
        end=datetime.now(UTC) - timedelta(days=7),
        reason="the last post read is older than X's seven-day search window",
    )
    Runner(
        empty_store,
        {
            "x-brand": MeteredListener("x-brand", Usage(requests=3, posts_read=120, users_read=80, cost_usd=1.0), gap),
            "x-rival": MeteredListener("x-rival", Usage(requests=1, posts_read=60, users_read=30, cost_usd=0.6)),
        },
        owner="test-runner",
    ).run_once()
    return empty_store


def open_sources(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/sources.py").run()


def everything_shown(at: AppTest) -> str:
    """Every element's full content (labels, values, data frames) as text."""
    shown = []

    def visit(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            shown.append(str(proto))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return "\n".join(shown)


def submit(at: AppTest, label: str) -> AppTest:
    return next(button for button in at.button if button.label == label).click().run()


def test_a_missing_token_is_a_clear_message_not_a_stack_trace(app: AppTest, x_store: Store, no_token: None) -> None:
    at = open_sources(app)
    assert not at.exception
    assert any(MISSING_X_TOKEN in error.value for error in at.error)


def test_the_token_is_never_shown_anywhere_on_the_page(app: AppTest, x_store: Store, token: str) -> None:
    at = open_sources(app)
    assert not at.exception
    assert not any(MISSING_X_TOKEN in error.value for error in at.error)
    shown = everything_shown(at)  # collapsed add and edit forms included
    assert "x-brand" in shown and "Northwnd) -is:retweet" in shown  # the walk does see the forms
    assert token not in shown


def test_the_cost_meter_shows_todays_reads_budget_and_a_paused_source_with_its_reason(
    app: AppTest, x_store: Store, token: str
) -> None:
    at = open_sources(app)
    meter = next(frame.value for frame in at.dataframe if "posts_read" in frame.value.columns)
    rows = meter.set_index("source").to_dict("index")
    brand = rows["x-brand"]
    assert (brand["posts_read"], brand["cost_usd"], brand["budget_used"]) == (120, 1.0, 0.2)
    assert rows["x-rival"]["budget_used"] == 1.0 and pd.notna(rows["x-rival"]["paused_until"])
    assert "demo" not in " ".join(rows)
    badges = " ".join(m.value for m in at.markdown if "-badge[" in m.value)
    assert "Paused" in badges
    assert any("Daily budget reached: $0.60 of $0.50" in c.value for c in at.caption)


def test_coverage_gaps_are_listed_with_their_reason(app: AppTest, x_store: Store, token: str) -> None:
    at = open_sources(app)
    gaps = next(frame.value for frame in at.dataframe if "Why" in frame.value.columns)
    assert list(gaps.columns) == ["Source", "From", "To", "Why", "Noticed"]  # not gap_start, detected_at
    assert list(gaps["Source"]) == ["x-brand"]
    assert "seven-day search window" in gaps["Why"][0]
    assert gaps["From"][0].endswith(tuple("0123456789")) and "T" not in gaps["From"][0]  # "28 Nov 14:05", not ISO


def test_a_competitor_search_is_added_with_its_budget(app: AppTest, x_store: Store, token: str) -> None:
    at = open_sources(app)
    at.text_input(key="x-add.name").input("x-fabrikam")
    at.text_area(key="x-add.query").input("Fabrikam OR #fabrikam -is:retweet")
    at.text_input(key="x-add.brand").input("Fabrikam")
    at.checkbox(key="x-add.competitor").check()
    at.number_input(key="x-add.interval").set_value(300.0)
    at.number_input(key="x-add.budget").set_value(2.5)
    at = submit(at, "Add source")

    assert not at.exception
    added = x_store.source("x-fabrikam")
    assert added is not None and added.kind == "x_search" and added.poll_interval_s == 300.0 and added.enabled
    assert added.config == {
        "query": "Fabrikam OR #fabrikam -is:retweet",
        "brand": "Fabrikam",
        "competitor": True,
        "daily_budget_usd": 2.5,
    }
    assert "Added x-fabrikam" in at.toast[0].value


def test_a_mentions_source_is_added_from_the_brands_handle(app: AppTest, x_store: Store, token: str) -> None:
    at = open_sources(app)
    at.selectbox(key="x-add.kind").select("x_mentions")
    at.text_input(key="x-add.name").input("x-mentions")
    at.text_input(key="x-add.account").input("@NorthwindMobile")
    at = submit(at, "Add source")
    added = x_store.source("x-mentions")
    assert added is not None and added.kind == "x_mentions" and added.config["account"] == "NorthwindMobile"


def test_a_form_with_problems_says_what_is_wrong_and_stores_nothing(app: AppTest, x_store: Store, token: str) -> None:
    at = open_sources(app)
    at.text_input(key="x-add.name").input("x-brand")  # taken
    at.text_area(key="x-add.query").input("(Northwind OR Northwnd")
    at = submit(at, "Add source")

    problems = " ".join(error.value for error in at.error)
    assert "already exists" in problems and "parentheses" in problems
    assert len(x_store.sources()) == 2


def test_editing_a_source_saves_query_budget_interval_and_keeps_its_other_settings(
    app: AppTest, x_store: Store, token: str
) -> None:
    at = open_sources(app)
    at.text_area(key="x-edit.x-rival.query").input("Contoso OR Contosso -is:retweet")
    at.number_input(key="x-edit.x-rival.budget").set_value(3.0)
    at.number_input(key="x-edit.x-rival.interval").set_value(600.0)
    at = next(b for b in at.button if b.label == "Save changes" and "x-rival" in b.key).click().run()

    assert not at.exception
    rival = x_store.source("x-rival")
    assert rival is not None and rival.poll_interval_s == 600.0
    assert rival.config == {
        "query": "Contoso OR Contosso -is:retweet",
        "brand": "Contoso",
        "competitor": True,
        "daily_budget_usd": 3.0,
    }
    assert rival.paused_until is None  # a raised budget is tried again at once
    brand = x_store.source("x-brand")
    assert brand is not None and brand.config["post_read_usd"] == 0.001  # untouched
