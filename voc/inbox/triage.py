"""Triage: the statuses an item moves through, the times they stamp, and what agents may change.

Domain: no Streamlit. The queue itself is `voc.inbox.queue`; this module says what may change.
"""

from __future__ import annotations

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


def validate_change(change: TriageChange) -> None:
    """Refuse a change that names an unknown field or status (a crafted request, say)."""
    if change.field not in EDITABLE_COLUMNS:
        raise ValueError(f"{change.field!r} cannot be changed from the inbox")
    if change.field == "triage_status" and change.value not in STATUSES:
        raise ValueError(f"unknown triage status {change.value!r}; expected one of {', '.join(STATUSES)}")
