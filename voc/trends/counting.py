"""Counting one customer once: which stored items a count includes.

Ingest marks a repost, retweet or pasted copy of a recent item as `duplicate_of` it
(`voc.inbox.duplicates`: same normalised text within a week). Trends, spikes and exports count
the first one only, and say beside the figure how many copies they left out. Survey responses
are never copies: two customers may answer "Network down all day" word for word, and each
answer is its own response with its own score. Domain: no Streamlit.
"""

from __future__ import annotations

import sqlalchemy as sa

from voc.models import ItemKind
from voc.store.schema import items


def counted_once() -> sa.ColumnElement[bool]:
    """Items a count includes: every original, and every survey response."""
    return sa.or_(items.c.duplicate_of.is_(None), items.c.kind == ItemKind.SURVEY.value)


def left_out_copy() -> sa.ColumnElement[bool]:
    """Items `counted_once` leaves out: mentions that repeat an earlier one."""
    return sa.and_(items.c.duplicate_of.is_not(None), items.c.kind != ItemKind.SURVEY.value)


def copies_note(duplicates: int, *, counted: bool) -> str:
    """ "12 duplicates not counted" (or counted), for beside a figure; "" when there are none."""
    if not duplicates:
        return ""
    noun = "duplicate" if duplicates == 1 else "duplicates"
    return f"{duplicates:,} {noun} {'counted' if counted else 'not counted'}"
