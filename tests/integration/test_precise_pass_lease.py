"""One listener process at a time runs the precise pass (`SentimentWorker.holds_precise_pass`), on
both databases: two workers never score the same items twice, the second takes the pass over when
the first stops (at once) or goes silent (after `PRECISE_STALE`), and a holder that was silent
longer than that hands it over instead of running beside the new holder."""

from __future__ import annotations

import pytest

from tests.factories import new_item
from tests.integration.test_sentiment_training import fake_e5, slang, use_precise_test_model
from tests.unit.test_sentiment_learned import fake_embed
from voc.sentiment import worker as sw
from voc.store.facade import Store

SCORER = "learned-precise-test"


@pytest.fixture
def precise_test_model(monkeypatch: pytest.MonkeyPatch) -> None:
    use_precise_test_model(monkeypatch)


def worker(store: Store, owner: str, clock) -> sw.SentimentWorker:
    return sw.SentimentWorker(
        store, owner, clock=clock, check_every_s=0, precise_batch=4, embed=fake_embed, precise_embed=fake_e5
    )


def precise_done(store: Store) -> int:
    return sw.precise_backlog(store)[1] - sw.precise_backlog(store)[0]


def test_two_listener_processes_take_turns_at_the_precise_pass(store: Store, clock, precise_test_model) -> None:
    store.add_items([new_item(f"p{i}", text=text, language="es") for i, (text, _) in enumerate(slang("es", 24, 5))])
    first, second = worker(store, "runner-1", clock), worker(store, "runner-2", clock)

    first.tick()
    second.tick()  # the first holds the pass: the second scores nothing
    assert precise_done(store) == 4
    assert first.holds_precise_pass() and not second.holds_precise_pass()

    clock.advance(seconds=30)
    first.tick()  # renewed: still the only one
    second.tick()
    assert precise_done(store) == 8

    first.shut_down()  # the first stops: the second takes over at its next step
    second.tick()
    assert precise_done(store) == 12
    assert not first.holds_precise_pass()  # now the second holds it


def test_a_silent_holder_is_taken_over_and_then_hands_the_pass_over(store: Store, clock, precise_test_model) -> None:
    store.add_items([new_item(f"p{i}", text=text, language="es") for i, (text, _) in enumerate(slang("es", 24, 6))])
    first, second = worker(store, "runner-1", clock), worker(store, "runner-2", clock)
    first.tick()
    assert precise_done(store) == 4

    clock.advance(seconds=sw.PRECISE_STALE.total_seconds() + 1)  # the first was suspended meanwhile
    second.tick()
    assert precise_done(store) == 8

    first.tick()  # wakes up: it lost the pass and does not run beside the second
    assert precise_done(store) == 8
    second.tick()
    assert precise_done(store) == 12
    assert [j["lease_owner"] for j in running_passes(store)] == ["runner-2"]


def running_passes(store: Store) -> list[dict]:
    import sqlalchemy as sa

    from voc.store.schema import jobs

    with store.read() as connection:
        rows = connection.execute(
            sa.select(jobs).where(jobs.c.kind == sw.PRECISE_RUN, jobs.c.status == "running")
        ).mappings()
        return [dict(r) for r in rows]
