"""The runner's pure rules: whose lease may be taken over, how long a source may make it wait,
when a connection failure is called an address that does not answer, and the item text cap."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from listeners.base import ErrorKind
from listeners.errors import UNREACHABLE_AFTER, describe_unreachable
from listeners.runner import (
    MAX_RETRY_WAIT_S,
    capped_wait,
    owner_is_gone,
    pid_alive,
)
from voc.sources.ingest import MAX_ITEM_CHARS, cap_text


def test_a_lease_of_a_dead_process_on_this_host_is_free_at_once() -> None:
    assert owner_is_gone("box-1:4242:ab12cd", host="box-1", alive=lambda pid: False)
    assert not owner_is_gone("box-1:4242:ab12cd", host="box-1", alive=lambda pid: True)


def test_a_lease_from_another_host_or_of_an_unknown_form_is_never_judged() -> None:
    dead = lambda pid: False  # noqa: E731 - every pid would look dead

    assert not owner_is_gone("box-2:4242:ab12cd", host="box-1", alive=dead)
    assert not owner_is_gone("r1", host="box-1", alive=dead)
    assert not owner_is_gone("box-1:not-a-pid:ab12cd", host="box-1", alive=dead)


def test_an_earlier_runner_with_this_very_pid_is_gone_unless_it_is_alive_here() -> None:
    """A restarted container's listener is pid 1 again, on the same host name."""
    mine = f"box-1:{os.getpid()}:old123"

    assert owner_is_gone(mine, host="box-1", alive=lambda pid: True)
    assert not owner_is_gone(mine, host="box-1", alive=lambda pid: True, live_here={mine})


def test_pid_alive_tells_a_running_process_from_a_reaped_one() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert pid_alive(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not pid_alive(child.pid)
    assert pid_alive(os.getpid())


@pytest.mark.parametrize(
    ("asked", "waits"),
    [
        (None, None),
        (math.nan, None),
        (math.inf, None),
        (-5.0, None),
        (0.0, 0.0),
        (600.0, 600.0),
        (100_000_000_000.0, MAX_RETRY_WAIT_S),
    ],
)
def test_a_sources_wait_is_capped_and_unusable_numbers_fall_back_to_backoff(
    asked: float | None, waits: float | None
) -> None:
    assert capped_wait(asked) == waits


def test_after_a_few_refused_connections_the_message_says_the_address_does_not_answer() -> None:
    refused = "Could not connect to feeds.example (ConnectionError)."

    assert describe_unreachable(ErrorKind.TRANSIENT, refused, UNREACHABLE_AFTER - 1) == refused  # a blip, maybe
    said = describe_unreachable(ErrorKind.TRANSIENT, refused, UNREACHABLE_AFTER)
    assert said.startswith("The address does not answer (3 tries in a row)")
    assert refused in said
    assert (
        describe_unreachable(ErrorKind.RATE_LIMITED, "X rate limit reached (429)", 10) == "X rate limit reached (429)"
    )


def test_text_over_the_cap_is_cut_with_a_marker_saying_how_much() -> None:
    text = "word " * 1_000_000  # 5,000,000 characters

    capped = cap_text(text)

    assert len(capped) < MAX_ITEM_CHARS + 60
    assert capped.endswith(f" [… cut: {len(text) - capped.index(' [… cut'):,} more characters]")
    assert capped.startswith("word word")


def test_text_within_the_cap_is_left_alone() -> None:
    assert cap_text("x" * MAX_ITEM_CHARS) == "x" * MAX_ITEM_CHARS


def test_a_cut_never_splits_a_word_near_the_limit() -> None:
    text = "a" * (MAX_ITEM_CHARS - 10) + " jo.bloggs@example.com and more"

    capped = cap_text(text)

    assert "jo.bloggs" not in capped
    assert capped.startswith("a" * (MAX_ITEM_CHARS - 10) + " [… cut: ")
