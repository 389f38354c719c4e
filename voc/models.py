"""Values passed between sources, the pipeline, the store and the UI. Domain: no Streamlit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ItemKind(StrEnum):
    MENTION = "mention"
    SURVEY = "survey"


class TriageStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    NOT_ACTIONABLE = "not_actionable"


@dataclass(frozen=True)
class RawItem:
    """An item as a source delivers it, before redaction and analysis. Never stored as is."""

    external_id: str
    text: str
    posted_at: datetime
    kind: ItemKind = ItemKind.MENTION
    channel: str = "x"
    author: str | None = None
    author_reach: int | None = None
    link: str | None = None
    brand: str | None = None
    is_competitor: bool = False
    language_hint: str | None = None
    survey: str | None = None
    response_id: str | None = None
    respondent: str | None = None  # e-mail or customer id; only its salted hash is stored
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    survey_field: str | None = None  # which free-text column of a survey response
    # The conversation, as the source names it: the external id of the post this one answers,
    # and of the thread's first post (X `conversation_id`, Bluesky `reply.root`, Reddit `link_id`).
    in_reply_to: str | None = None
    conversation_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewItem:
    """An analysed, redacted item ready for the store: exactly the columns of `items`."""

    source: str
    external_id: str
    kind: str
    channel: str
    brand: str | None
    is_competitor: bool
    author: str | None
    author_reach: int | None
    link: str | None
    posted_at: datetime
    ingested_at: datetime
    text: str
    redactions: list[str]
    language: str
    sentiment_label: str
    sentiment_score: float
    sentiment_confidence: float
    sentiment_reasons: list[str]
    scorer: str
    priority: float
    triage_status: str
    survey: str | None
    response_id: str | None
    respondent_key: str | None
    nps: int | None
    csat: int | None
    ces: int | None = None
    survey_field: str | None = None
    very_unhappy: bool = False
    very_unhappy_reasons: list[str] | None = None
    recovery_due_at: datetime | None = None
    urgent_request: bool = False  # urgent words in its language (the inbox's "urgent request")
    in_reply_to: str | None = None  # the parent post's external id, as the source names it
    conversation_id: str | None = None  # the thread's first post's external id


@dataclass(frozen=True)
class TriageChange:
    """One field of one item changed by an agent in the inbox."""

    item_id: int
    field: str  # "triage_status" or "assignee"
    value: str | None


@dataclass(frozen=True)
class SourceState:
    """A source's configuration and health as stored in `sources`."""

    name: str
    kind: str
    config: dict[str, Any]
    enabled: bool
    poll_interval_s: float
    cursor: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    heartbeat_at: datetime | None
    last_ok_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    error_kind: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    items_total: int
    paused_until: datetime | None = None
    pause_reason: str | None = None
    test_failed_at: datetime | None = None  # added although its connection test failed (Sources page)
    test_failure: str | None = None  # ... and what the test said
