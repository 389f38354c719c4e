"""Sentiment in the Inbox: reasons highlighted, needs review, and corrections that become labels."""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from listeners.runner import Runner
from tests.app.conftest import NEGATIVE, ScriptedListener
from voc.models import RawItem
from voc.store.facade import Store

RUSSIAN = "Сервис сегодня работает как обычно"  # a language the scorers do not read


def open_inbox(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/inbox.py").run()


def save_button(at: AppTest):  # noqa: ANN201 - AppTest's Button type is generic
    return next(button for button in at.button if button.label.startswith("Save"))


def add_unsupported_item(store: Store) -> None:
    store.ensure_source("forum", "scripted", poll_interval_s=60)
    raw = RawItem(
        external_id="ru-1", text=RUSSIAN, posted_at=datetime.now(UTC), channel="forum", brand="Northwind Mobile"
    )
    Runner(store, {"forum": ScriptedListener("forum", [raw])}, owner="test-runner").run_once()


def test_negative_items_show_why_with_the_phrases_highlighted(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)

    assert not at.exception
    queue = at.data_editor[0].value
    assert {"needs_review", "sentiment_label", "sentiment_confidence"} <= set(queue.columns)
    why = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert len(why) == len(queue)
    worst = next(text for text in why if "network ever" in text.replace("\\", ""))
    assert ":red-background[**" in worst  # the reasons, highlighted in the customer's own words


def test_an_item_in_an_unsupported_language_needs_review_instead_of_a_silent_neutral(
    app: AppTest, store_with_items: Store
) -> None:
    add_unsupported_item(store_with_items)
    at = open_inbox(app)

    queue = at.data_editor[0].value
    russian = queue[queue["text"] == RUSSIAN]
    assert len(russian) == 1
    assert bool(russian["needs_review"].iloc[0])
    assert russian["language"].iloc[0] == "ru"
    assert "needs review" in next(m.value for m in at.markdown if RUSSIAN.split()[0] in m.value)


def test_a_sentiment_correction_in_the_grid_is_stored_as_a_label(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)
    queue = at.data_editor[0].value
    first_id = int(queue["id"].iloc[0])

    at.session_state["inbox"] = {
        "edited_rows": {0: {"sentiment_label": "neutral"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert save_button(at).label == "Save 1 change"
    save_button(at).click().run()

    assert not at.exception
    labels = store_with_items.sentiment_labels()
    assert [(r["item_id"], r["label"], r["origin"], r["actor"], r["language"]) for r in labels] == [
        (first_id, "neutral", "correction", "local user", "en")
    ]
    item = store_with_items.item(first_id)
    assert item is not None and (item["sentiment_label"], item["scorer"]) == ("neutral", "correction")
    assert at.toast[0].value.startswith("Corrected 1 item")


def test_several_items_are_corrected_at_once(app: AppTest, store_with_items: Store) -> None:
    at = open_inbox(app)
    ids = [int(i) for i in at.data_editor[0].value["id"]][:2]

    at.multiselect(key="correct.items").set_value(ids)
    at.selectbox(key="correct.label").select("positive")
    next(button for button in at.button if button.label == "Correct sentiment").click().run()

    assert not at.exception
    stored = sorted((r["item_id"], r["label"]) for r in store_with_items.sentiment_labels(["correction"]))
    assert stored == sorted((i, "positive") for i in ids)
    # Corrected to positive: they leave the queue of negative items.
    assert not set(ids) & set(at.data_editor[0].value["id"])
    assert len(NEGATIVE) - 2 == len(at.data_editor[0].value[at.data_editor[0].value["sentiment_label"] == "negative"])
