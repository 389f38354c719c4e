"""Triage inbox: which items wait for an answer, in what order, and how agents change them.

Domain: no Streamlit. The Inbox page reads `inbox_frame` and hands edits to `changes_from_editor`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from voc.models import TriageChange, TriageStatus

STATUSES: tuple[str, ...] = tuple(str(status) for status in TriageStatus)
OPEN_STATUSES: tuple[str, ...] = (
    str(TriageStatus.NEW),
    str(TriageStatus.ASSIGNED),
    str(TriageStatus.WAITING_ON_CUSTOMER),
)
EDITABLE_COLUMNS: tuple[str, ...] = ("triage_status", "assignee")
# The first status change that says an agent answered (or resolved) stamps these times once.
WORKFLOW_TIMES: dict[str, tuple[str, ...]] = {
    "first_response_at": (str(TriageStatus.WAITING_ON_CUSTOMER), str(TriageStatus.RESOLVED)),
    "resolved_at": (str(TriageStatus.RESOLVED), str(TriageStatus.NOT_ACTIONABLE)),
}
INBOX_COLUMNS: tuple[str, ...] = (
    "id",
    "posted_at",
    "priority",
    "source",
    "channel",
    "language",
    "author",
    "author_reach",
    "text",
    "sentiment_score",
    "sentiment_reasons",
    "nps",
    "csat",
    "link",
    "triage_status",
    "assignee",
)
READ_ONLY_COLUMNS: tuple[str, ...] = tuple(c for c in INBOX_COLUMNS if c not in EDITABLE_COLUMNS)


def changes_from_editor(original: pd.DataFrame, edited: pd.DataFrame) -> list[TriageChange]:
    """The triage changes an agent made in the inbox editor, comparing by item id."""
    if original.empty or edited.empty:
        return []
    before = original.set_index("id")
    changes: list[TriageChange] = []
    for row in edited.to_dict("records"):
        item_id = int(row["id"])
        if item_id not in before.index:
            continue
        for column in EDITABLE_COLUMNS:
            old = _clean(before.at[item_id, column])
            new = _clean(row.get(column))
            if old != new:
                changes.append(TriageChange(item_id=item_id, field=column, value=new))
    return changes


def validate_change(change: TriageChange) -> None:
    """Refuse a change that names an unknown field or status (a crafted request, say)."""
    if change.field not in EDITABLE_COLUMNS:
        raise ValueError(f"{change.field!r} cannot be changed from the inbox")
    if change.field == "triage_status" and change.value not in STATUSES:
        raise ValueError(f"unknown triage status {change.value!r}; expected one of {', '.join(STATUSES)}")


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text or None
