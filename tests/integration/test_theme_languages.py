"""Streaming assignment with the real multilingual model: a theme taught in English catches other languages."""

from __future__ import annotations

from datetime import timedelta

from tests.actors import admin
from tests.conftest import FrozenClock
from tests.factories import new_item
from voc.store.facade import Store
from voc.themes import repository as repo
from voc.themes import service
from voc.themes.taxonomy import Example
from voc.themes.worker import ThemeWorker

OUTAGE_EXAMPLES = [
    Example("The mobile network is down in my whole city", "en"),
    Example("No signal at all since this morning, is there an outage?", "en"),
    Example("Network outage again, I can't make any calls", "en"),
]


def test_a_new_item_in_another_language_lands_in_the_theme_taught_in_english(
    sqlite_store: Store, clock: FrozenClock
) -> None:
    service.apply_starter_set(sqlite_store, "care", actor=admin("ana"), now=clock.now)  # an admin picks a set
    worker = ThemeWorker(sqlite_store, "test", clock=clock, every_s=0)
    worker.tick()
    outage = service.create_theme(
        sqlite_store,
        name="Network outage",
        owner="Network operations",
        examples=OUTAGE_EXAMPLES,
        actor=admin("ana"),
        now=clock.now,
    )
    worker.tick()  # (re-)assignment of nothing, and the new taxonomy version is picked up

    sqlite_store.add_items(
        [
            new_item(
                "es-1",
                text="La red móvil está caída en toda mi ciudad, ni una llamada",
                language="es",
                posted_at=clock.now - timedelta(minutes=5),
            ),
            new_item(
                "de-1",
                text="Ich warte seit drei Wochen auf meine Rückerstattung",
                language="de",
                posted_at=clock.now - timedelta(minutes=4),
            ),
        ]
    )
    worker.tick()

    stored = repo.item_themes_of(sqlite_store, [1, 2])
    spanish = {row["theme_id"]: row for row in stored[1]}
    assert outage in spanish
    assert spanish[outage]["method"] == "example"
    assert spanish[outage]["reason"].startswith("like: ")
    assert 0.5 < spanish[outage]["confidence"] <= 1.0
    assert [row["theme_id"] for row in stored[2]] == ["refunds"]  # German rule: Rückerstattung
    assert sqlite_store.item_embeddings([1, 2], model=service.model_name()).keys() == {1, 2}  # embedded once, stored
