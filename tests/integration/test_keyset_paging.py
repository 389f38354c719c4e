"""Paging by key on both databases: the care queue's Next and Previous continue from the entries
shown, so items that arrive at the top or leave the queue between two pages neither skip nor
repeat an entry (by position, both would)."""

from __future__ import annotations

from datetime import timedelta

from tests.actors import admin
from tests.factories import new_item
from voc.inbox.queue import QueueFilter, open_queue
from voc.models import TriageChange
from voc.store.facade import Store

EVERYONE = QueueFilter()


def ids(page) -> list[int]:  # noqa: ANN001 - a QueuePage
    return [int(i) for i in page.rows["id"]]


def test_next_pages_neither_skip_nor_repeat_while_the_queue_moves(store: Store, clock) -> None:
    store.add_items([
        new_item(f"n{i}", text=f"Broken again, case {i}", posted_at=clock.now - timedelta(minutes=100 - i))
        for i in range(30)
    ])  # fmt: skip
    whole = ids(open_queue(store, EVERYONE, now=clock.now, page_size=500))
    first = open_queue(store, EVERYONE, now=clock.now)
    assert ids(first) == whole[:12]

    # Between two pages: three urgent items arrive at the top, and a colleague resolves one shown.
    store.add_items([
        new_item(f"new{i}", text=f"Everything is down, awful, case {i}", very_unhappy=True, posted_at=clock.now)
        for i in range(3)
    ])  # fmt: skip
    store.apply_triage([TriageChange(whole[5], "triage_status", "resolved")], actor=admin("lead"), now=clock.now)
    by_position = ids(open_queue(store, EVERYONE, now=clock.now, page=2))
    assert by_position[:2] == whole[10:12]  # by position: two entries shown again (three in, one out)

    second = open_queue(store, EVERYONE, now=clock.now, page=2, after=first.last_key)
    assert ids(second) == whole[12:24]
    store.apply_triage([TriageChange(whole[13], "triage_status", "resolved")], actor=admin("lead"), now=clock.now)
    third = open_queue(store, EVERYONE, now=clock.now, page=3, after=second.last_key)
    assert ids(third) == whole[24:30]

    seen = ids(first) + ids(second) + ids(third)
    assert seen == whole and len(set(seen)) == len(seen)


def test_previous_goes_back_to_the_entries_before_the_first_shown(store: Store, clock) -> None:
    store.add_items([
        new_item(f"n{i}", text=f"Broken again, case {i}", posted_at=clock.now - timedelta(minutes=100 - i))
        for i in range(30)
    ])  # fmt: skip
    whole = ids(open_queue(store, EVERYONE, now=clock.now, page_size=500))
    second = open_queue(
        store, EVERYONE, now=clock.now, page=2, after=open_queue(store, EVERYONE, now=clock.now).last_key
    )
    third = open_queue(store, EVERYONE, now=clock.now, page=3, after=second.last_key)

    back = open_queue(store, EVERYONE, now=clock.now, page=2, before=third.first_key)
    assert ids(back) == whole[12:24] and back.page == 2
    top = open_queue(store, EVERYONE, now=clock.now, page=1, before=back.first_key)
    assert ids(top) == whole[:12] and top.page == 1


def test_a_key_whose_neighbours_all_left_shows_the_top(store: Store, clock) -> None:
    store.add_items([new_item(f"n{i}", text=f"Broken again, case {i}") for i in range(14)])
    first = open_queue(store, EVERYONE, now=clock.now)
    rest = [i for i in ids(open_queue(store, EVERYONE, now=clock.now, page_size=500)) if i not in ids(first)]
    store.apply_triage([TriageChange(i, "triage_status", "resolved") for i in rest], actor=admin("lead"), now=clock.now)
    after = open_queue(store, EVERYONE, now=clock.now, page=2, after=first.last_key)
    assert after.page == 1 and ids(after) == ids(first)
