"""The X source form: what the Sources page checks before it stores a source."""

from __future__ import annotations

from pathlib import Path

from voc.models import SourceState
from voc.settings import Settings
from voc.sources.forms import MISSING_X_TOKEN, XSourceForm, x_token_problem

QUERY = "(Northwind OR Northwnd OR #northwind) -is:retweet"


def test_a_good_search_form_becomes_its_config() -> None:
    form = XSourceForm(name="x-rival", query=f"  {QUERY} ", brand="Contoso", competitor=True, daily_budget_usd=2.5)
    assert form.problems() == []
    assert form.config() == {"query": QUERY, "brand": "Contoso", "competitor": True, "daily_budget_usd": 2.5}


def test_a_mentions_form_stores_the_handle_without_its_at() -> None:
    form = XSourceForm(name="x-mentions", kind="x_mentions", account="@NorthwindMobile", poll_interval_s=60)
    assert form.problems() == []
    assert form.config() == {"account": "NorthwindMobile", "competitor": False}


def test_every_problem_is_named_in_words() -> None:
    problems = XSourceForm(name="X Brand!", query="(" + "a" * 10, poll_interval_s=5, daily_budget_usd=-1).problems()
    assert any(p.startswith("Name:") for p in problems)
    assert any("parentheses" in p for p in problems)
    assert any(p.startswith("Poll interval:") for p in problems)
    assert any(p.startswith("Daily budget:") for p in problems)
    assert XSourceForm(name="x", query="a" * 513).problems() == ["Query: 513 characters; X allows 512."]
    assert XSourceForm(name="x", query="").problems()[0].startswith("Query:")
    assert XSourceForm(name="m", kind="x_mentions", account="not a handle").problems()[0].startswith("Account:")
    assert XSourceForm(name="x-brand", query=QUERY).problems(frozenset({"x-brand"})) == [
        "Name: a source called 'x-brand' already exists."
    ]


def test_editing_keeps_the_config_keys_the_form_does_not_own() -> None:
    previous = {"query": "old", "post_read_usd": 0.001, "daily_budget_usd": 9.0, "max_results": 50}
    config = XSourceForm(name="x", query=QUERY).config(previous)
    assert config == {"query": QUERY, "competitor": False, "post_read_usd": 0.001, "max_results": 50}


def test_a_stored_source_fills_the_form_back_in() -> None:
    values = dict.fromkeys(SourceState.__dataclass_fields__)
    values.update(name="x-brand", kind="x_search", enabled=False, poll_interval_s=300.0, consecutive_failures=0)
    values.update(items_total=0, config={"query": QUERY, "brand": "Northwind", "daily_budget_usd": 4})
    form = XSourceForm.from_source(SourceState(**values))  # type: ignore[arg-type]
    assert form == XSourceForm(
        name="x-brand", query=QUERY, brand="Northwind", poll_interval_s=300.0, daily_budget_usd=4.0, enabled=False
    )


def test_a_missing_token_is_one_clear_sentence(tmp_path: Path) -> None:
    assert x_token_problem(Settings(x_bearer_token=None)) == MISSING_X_TOKEN
    assert x_token_problem(Settings(x_bearer_token="AAAA")) is None
    loaded = Settings.load(environ={"X_BEARER_TOKEN": "  AAAA-token\n"}, secrets_path=tmp_path / "none.toml")
    assert loaded.x_bearer_token == "AAAA-token"  # a pasted newline would break the header
