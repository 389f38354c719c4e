"""Paging by key on both databases: the care queue's Next and Previous, and the open alerts' next
and previous page, continue from the entries shown, so entries that arrive at the top or leave
the list between two pages neither skip nor repeat one (by position, both would)."""

from __future__ import annotations

from datetime import timedelta

from tests.actors import admin
from tests.factories import new_item
from voc.alerts.service import acknowledge, history, raise_alert
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


def raise_some(store: Store, clock, names) -> list[int]:  # noqa: ANN001
    return [
        raise_alert(store, rule="urgent_words", dedupe_key=name, title=f"Alert {name}", details={}, now=clock.now)
        for name in names
    ]


def alert_ids(frame) -> list[int]:  # noqa: ANN001 - a data frame
    return [int(i) for i in frame["id"]]


def test_open_alerts_page_by_key_while_alerts_are_raised_and_acknowledged(store: Store, clock) -> None:
    raise_some(store, clock, [f"a{n}" for n in range(25)])
    whole = alert_ids(history(store, open_only=True))  # newest first
    first = alert_ids(history(store, open_only=True, limit=10))
    assert first == whole[:10]

    new = raise_some(store, clock, ["new1", "new2", "new3"])[::-1]  # newest first
    for alert_id in first[2:4]:
        acknowledge(store, alert_id, actor=admin("lead"), now=clock.now)
    second = alert_ids(history(store, open_only=True, limit=10, older_than=first[-1]))
    assert second == whole[10:20]  # by position: three new, two gone, one shown again
    assert alert_ids(history(store, open_only=True, limit=10, offset=10))[0] == whole[9]

    back = alert_ids(history(store, open_only=True, limit=10, newer_than=second[0]))
    still_open = [i for i in whole[:10] if i not in first[2:4]]
    assert back == [*new[1:], *still_open]  # the ten just before, newest first
