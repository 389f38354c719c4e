"""Database schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Migrations in `voc/store/migrations/` create exactly these tables; a test checks the two agree.
Domain: no Streamlit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text, e.g. from an aggregate
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("external_id", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # mention | survey
    sa.Column("channel", sa.String(40), nullable=False),  # x, instagram, survey, ...
    sa.Column("brand", sa.String(100)),
    sa.Column("is_competitor", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("author", sa.String(200)),
    sa.Column("author_reach", sa.Integer),
    sa.Column("link", sa.Text),
    sa.Column("posted_at", UTCDateTime, nullable=False),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # redacted: raw text is never stored
    sa.Column("redactions", sa.JSON, nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("sentiment_label", sa.String(16), nullable=False),
    sa.Column("sentiment_score", sa.Float, nullable=False),
    sa.Column("sentiment_confidence", sa.Float, nullable=False),
    sa.Column("sentiment_reasons", sa.JSON, nullable=False),
    sa.Column("scorer", sa.String(80), nullable=False),
    sa.Column("priority", sa.Float, nullable=False, server_default="0"),
    sa.Column("triage_status", sa.String(30), nullable=False, server_default="new"),
    sa.Column("assignee", sa.String(200)),
    sa.Column("survey", sa.String(200)),
    sa.Column("response_id", sa.String(200)),
    sa.Column("respondent_key", sa.String(64)),  # salted hash, never the address itself
    sa.Column("nps", sa.Integer),
    sa.Column("csat", sa.Integer),
    # Survey voice and service recovery (revision 0003).
    sa.Column("ces", sa.Integer),  # customer effort score
    sa.Column("survey_field", sa.String(200)),  # which free-text column of the response
    sa.Column("very_unhappy", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("very_unhappy_reasons", sa.JSON),
    sa.Column("recovery_due_at", UTCDateTime),
    sa.Column("recovery_outcome", sa.String(30)),  # recovered | not_recovered
    sa.Column("recovery_outcome_at", UTCDateTime),
    sa.Column("recovery_actor", sa.String(200)),
    # Inbox workflow (revision 0006): SLA times an agent marks, tags, duplicates collapsed.
    sa.Column("first_response_at", UTCDateTime),
    sa.Column("resolved_at", UTCDateTime),
    sa.Column("tags", sa.JSON),
    sa.Column("content_hash", sa.String(64)),  # normalised text: retweets and copy-paste share it
    sa.Column("duplicate_of", sa.Integer),  # the item this one repeats (it stays out of the inbox)
    sa.Column("duplicate_count", sa.Integer, nullable=False, server_default="0"),
    # Urgent words in the item's language (voc.surveys.recovery's lists), found at ingest: lets
    # the care queue be one SQL query (voc.inbox.queue.open_queue).
    sa.Column("urgent_request", sa.Boolean, nullable=False, server_default=sa.false()),
    # A question mark in the text (voc.inbox.priority.QUESTION_MARKS), kept by database triggers (revision 0019):
    # the care queue's rule and counts then read `ix_items_open_queue` alone.
    sa.Column("asks_question", sa.Boolean, nullable=False, server_default=sa.false()),
    # The conversation where the source gives it (revision 0013): the parent post's and the
    # thread's first post's external ids, as the source names them (voc.inbox.queue.conversation).
    sa.Column("in_reply_to", sa.String(200)),
    sa.Column("conversation_id", sa.String(200)),
    sa.UniqueConstraint("source", "external_id", name="uq_items_source_external_id"),
)
sa.Index("ix_items_posted_at", items.c.posted_at)
sa.Index("ix_items_inbox", items.c.sentiment_label, items.c.triage_status, items.c.posted_at)
sa.Index("ix_items_content_hash", items.c.content_hash)
# One per filter of the pages, then sentiment, then time (revision 0011): "items per X and
# sentiment in a range" from the index alone, and the filter bars' options (core.distinct_values).
sa.Index("ix_items_channel_sentiment_posted_at", items.c.channel, items.c.sentiment_label, items.c.posted_at)
sa.Index("ix_items_language_sentiment_posted_at", items.c.language, items.c.sentiment_label, items.c.posted_at)
sa.Index("ix_items_brand_sentiment_posted_at", items.c.brand, items.c.sentiment_label, items.c.posted_at)
sa.Index("ix_items_scorer_sentiment_posted_at", items.c.scorer, items.c.sentiment_label, items.c.posted_at)
sa.Index("ix_items_queue", items.c.triage_status, items.c.priority, items.c.posted_at)
sa.Index("ix_items_channel_external_id", items.c.channel, items.c.external_id)  # the post an item answers
sa.Index("ix_items_conversation", items.c.conversation_id, items.c.posted_at)  # the thread's earlier messages
# Survey answers with an NPS by time, and only those (revision 0014): the Trends headline's NPS reads
# a year of answers without walking a year of items.
sa.Index(
    "ix_items_nps_posted_at",
    items.c.posted_at,
    sqlite_where=items.c.nps.is_not(None),
    postgresql_where=items.c.nps.is_not(None),
)

# The very unhappy respondents, by due time (revision 0023): the Surveys page's call-back lists
# (voc.surveys.recovery.recoveries) read these few, not every item.
sa.Index(
    "ix_items_very_unhappy",
    items.c.recovery_due_at,
    items.c.id,
    sqlite_where=sa.text("very_unhappy IS 1"),
    postgresql_where=sa.text("very_unhappy IS true"),
)

# The care queue's items (revision 0016, voc.inbox.queue): open, ours, not a collapsed copy, by stored
# priority down, then the oldest: a page of the queue walks it from the top and stops after twelve.
_OPEN_QUEUE = "triage_status IN ('new', 'assigned', 'waiting_on_customer') AND duplicate_of IS NULL AND "
sa.Index(
    "ix_items_open_queue",
    items.c.priority.desc(),
    items.c.posted_at,
    items.c.id,
    # What the views' counts, "needs a person" and the VIP test read: the counts need no table read.
    items.c.assignee,
    items.c.channel,
    items.c.language,
    items.c.sentiment_label,
    items.c.very_unhappy,
    items.c.urgent_request,
    items.c.scorer,
    items.c.sentiment_confidence,
    items.c.author,
    items.c.respondent_key,
    items.c.asks_question,  # revision 0019, with the WHERE's columns (SQLite reads the index alone then)
    items.c.triage_status,
    items.c.is_competitor,
    items.c.duplicate_of,
    sqlite_where=sa.text(_OPEN_QUEUE + "is_competitor IS 0"),
    postgresql_where=sa.text(_OPEN_QUEUE + "is_competitor IS false"),
)

# Hourly counts of items (revision 0014): long Trends ranges read these, not a year of items.
# Kept by database triggers on `items` in the writing transaction (`voc.store.rollups`); each item
# adds 1 to four rows: facet "all" (value "") and its channel, language and scorer.
item_counts = sa.Table(
    "item_counts",
    metadata,
    sa.Column("facet", sa.String(16), primary_key=True),  # all | channel | language | scorer
    sa.Column("value", sa.String(100), primary_key=True),
    sa.Column("hour", sa.BigInteger, primary_key=True, autoincrement=False),  # hours since 1970, UTC
    sa.Column("brand", sa.String(100), primary_key=True),  # "" for an item without a brand
    sa.Column("is_competitor", sa.Boolean, primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("sentiment", sa.String(16), primary_key=True),
    sa.Column("copy", sa.Boolean, primary_key=True),  # voc.trends.counting.left_out_copy()
    sa.Column("items", sa.BigInteger, nullable=False),
    sqlite_with_rowid=False,
)


def _item_counts_level(name: str, unit: str) -> sa.Table:
    """`item_counts` at another level: the same columns with `unit` (whole UTC days, quarter hours
    or months since 1970) in the place of `hour`, and the unit before the value in the key, so a
    count over every value of a facet reads just its units."""
    counted = ("brand", "is_competitor", "kind", "sentiment", "copy")
    return sa.Table(
        name,
        metadata,
        sa.Column("facet", sa.String(16), nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        sa.Column(unit, sa.BigInteger, nullable=False, autoincrement=False),
        *(sa.Column(c.name, c.type, nullable=False) for c in item_counts.c if c.name in counted),
        sa.Column("items", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("facet", unit, "value", *counted),
        sqlite_with_rowid=False,
    )


# The same per UTC day (revision 0017), kept by the same triggers: long ranges read whole days here.
item_counts_daily = _item_counts_level("item_counts_daily", "day")
# Per UTC quarter hour (revision 0021): the hours a local bin boundary cuts (midnight in Asia/Kolkata
# is 18:30 UTC) are read here as whole quarters, which no zone's boundary or offset change ever cuts.
item_counts_quarters = _item_counts_level("item_counts_quarters", "quarter")
# Per UTC month (revision 0022): a count without bins over a long range (languages, channels, share
# of voice over a year) reads its whole months here.
item_counts_monthly = _item_counts_level("item_counts_monthly", "month")
# Per facet and hour (0017): a count grouped by channel or language (every value) seeks its hours,
# where the key (facet, value, hour, ...) could only read the facet's hours of all time.
sa.Index("ix_item_counts_facet_hour", item_counts.c.facet, item_counts.c.hour)

# Survey responses with an NPS (revision 0020, voc.store.rollups): per response (survey, response_id
# or else external_id), UTC hour and brand, its counted items with an NPS, those scoring 9 or more
# (`high`) and 7 or 8 (`mid`); and per hour and brand its responses, promoters and detractors. Database
# triggers keep them exact; the Trends headline reads the hours for long ranges (docs/trends.md).
nps_responses = sa.Table(
    "nps_responses",
    metadata,
    sa.Column("survey", sa.Text, nullable=False),  # "" for an answer without a survey name
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("hour", sa.BigInteger, nullable=False, autoincrement=False),  # hours since 1970, UTC
    sa.Column("brand", sa.Text, nullable=False),  # "" when the item has none
    sa.Column("items", sa.BigInteger, nullable=False),
    sa.Column("high", sa.BigInteger, nullable=False),
    sa.Column("mid", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("survey", "response", "hour", "brand", name="pk_nps_responses"),
)
# A response left with no item is deleted by the triggers through this (empty, mostly) index.
sa.Index(
    "ix_nps_responses_empty",
    nps_responses.c["items"],
    sqlite_where=nps_responses.c["items"] == 0,
    postgresql_where=nps_responses.c["items"] == 0,
)

# Responses with rows in more than one hour or brand (0020): the importer never stores one (a response's
# items share its time and brand), but where one exists the headline reads it by response, not by hour.
nps_spread = sa.Table(
    "nps_spread",
    metadata,
    sa.Column("survey", sa.Text, nullable=False),
    sa.Column("response", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("survey", "response", name="pk_nps_spread"),
)

nps_counts = sa.Table(
    "nps_counts",
    metadata,
    sa.Column("hour", sa.BigInteger, nullable=False, autoincrement=False),
    sa.Column("brand", sa.Text, nullable=False),
    sa.Column("responses", sa.BigInteger, nullable=False),
    sa.Column("promoters", sa.BigInteger, nullable=False),
    sa.Column("detractors", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("hour", "brand", name="pk_nps_counts"),
    sqlite_with_rowid=False,
)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("poll_interval_s", sa.Float, nullable=False, server_default="60"),
    sa.Column("cursor", sa.Text),
    sa.Column("lease_owner", sa.String(200)),
    sa.Column("lease_expires_at", UTCDateTime),
    sa.Column("heartbeat_at", UTCDateTime),
    sa.Column("last_ok_at", UTCDateTime),
    sa.Column("last_error_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("error_kind", sa.String(40)),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_poll_at", UTCDateTime),
    sa.Column("items_total", sa.Integer, nullable=False, server_default="0"),
    # Pauses that are not failures, e.g. a usage cap or a spent daily budget (revision 0002).
    sa.Column("paused_until", UTCDateTime),
    sa.Column("pause_reason", sa.Text),
    # Added from the Sources page although its connection test failed, and what the test said (0008).
    sa.Column("test_failed_at", UTCDateTime),
    sa.Column("test_failure", sa.Text),
)

# Entries a source sent that could not be stored, a running count per reason (0008): never only a log line.
source_skips = sa.Table(
    "source_skips",
    metadata,
    sa.Column("source", sa.String(100), primary_key=True),
    sa.Column("reason", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_at", UTCDateTime, nullable=False),
    sa.Column("last_at", UTCDateTime, nullable=False),
)

# Reads and estimated cost per source per UTC day: the cost meter and daily budgets (0002).
source_usage = sa.Table(
    "source_usage",
    metadata,
    sa.Column("source", sa.String(100), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("requests", sa.Integer, nullable=False, server_default="0"),
    sa.Column("posts_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("users_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cost_usd", sa.Float, nullable=False, server_default="0"),
)

# Periods a source could not cover (e.g. a cursor older than the API's window) (0002).
coverage_gaps = sa.Table(
    "coverage_gaps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("detected_at", UTCDateTime, nullable=False),
    sa.Column("gap_start", UTCDateTime),
    sa.Column("gap_end", UTCDateTime),
    sa.Column("reason", sa.Text, nullable=False),
)
sa.Index("ix_coverage_gaps_source", coverage_gaps.c.source)

triage_events = sa.Table(
    "triage_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
)
sa.Index("ix_triage_events_item", triage_events.c.item_id)

# Survey imports: the column mapping saved per survey, and what each import landed (0003).
survey_mappings = sa.Table(
    "survey_mappings",
    metadata,
    sa.Column("survey", sa.String(200), primary_key=True),
    sa.Column("vendor", sa.String(40), nullable=False),
    sa.Column("mapping", sa.JSON, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

survey_imports = sa.Table(
    "survey_imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey", sa.String(200), nullable=False),
    sa.Column("filename", sa.String(500), nullable=False),
    sa.Column("vendor", sa.String(40), nullable=False),
    sa.Column("via", sa.String(20), nullable=False),  # upload | folder | cli
    sa.Column("imported_at", UTCDateTime, nullable=False),
    sa.Column("rows_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("items_landed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_refused", sa.Integer, nullable=False, server_default="0"),
    sa.Column("problems", sa.JSON, nullable=False),  # [{"line": n, "reason": "..."}]
)

# Alerts raised for a person (e.g. a very unhappy survey respondent), deduplicated by key (0003).
alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("rule", sa.String(60), nullable=False),
    sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    sa.Column("acknowledged_by", sa.String(200)),
    sa.Column("acknowledged_at", UTCDateTime),
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("delivery_error", sa.Text),
    sa.Column("escalated_at", UTCDateTime),  # sent to the second contact (0006)
    sa.Column("subject", sa.String(300)),  # what the cooldown counts against: an author, a spike metric (0006)
)
sa.Index("ix_alerts_rule_subject", alerts.c.rule, alerts.c.subject)

# Inbox workflow (0006): internal notes, who has an item open, each alert's deliveries per channel.
item_notes = sa.Table(
    "item_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
sa.Index("ix_item_notes_item", item_notes.c.item_id)

item_viewers = sa.Table(
    "item_viewers",
    metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("actor", sa.String(200), primary_key=True),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    sa.Column("opened_at", UTCDateTime),  # since when they have it open ("Ana has it open since 10:02")
)

# One row per alert × channel × level (0: first contact, 1: escalation); the unique key is what
# makes a message go out at most once, whichever process or retry gets there.
alert_deliveries = sa.Table(
    "alert_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("channel", sa.String(100), nullable=False),
    sa.Column("level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),  # pending | sending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("alert_id", "channel", "level", name="uq_alert_deliveries_once"),
)
sa.Index("ix_alert_deliveries_status", alert_deliveries.c.status, alert_deliveries.c.next_attempt_at)

# Sentiment labels (agents' corrections, imported labels, weak labels from survey scores) (0004).
sentiment_labels = sa.Table(
    "sentiment_labels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="SET NULL")),
    sa.Column("text", sa.Text, nullable=False),  # redacted, like every stored text
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("label", sa.String(16), nullable=False),
    sa.Column("origin", sa.String(20), nullable=False),  # correction | import | weak
    sa.Column("actor", sa.String(200)),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
sa.Index("ix_sentiment_labels_item", sentiment_labels.c.item_id)

# Trained scorers, versioned, with their evaluation and the languages they are switched on for (0004).
sentiment_models = sa.Table(
    "sentiment_models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version", sa.String(80), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("trained_on", sa.Integer, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("active_languages", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("blob", sa.LargeBinary, nullable=False),
)

# One embedding per item, computed once and shared by sentiment, themes and duplicates (0004).
item_embeddings = sa.Table(
    "item_embeddings",
    metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("model", sa.String(80), nullable=False),
    sa.Column("dim", sa.Integer, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, little-endian
)

# Workspace settings edited in the app (e.g. alert channels, team time zone) (0004).
app_settings = sa.Table(
    "app_settings",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("updated_by", sa.String(200)),
)

# Long background work (re-scoring, re-assignment) with progress the UI can show (0004).
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # queued | running | done | failed
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("started_at", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("error", sa.Text),
    sa.Column("lease_owner", sa.String(200)),
)

# Themes (0005): a curated, id-stable taxonomy, its versions, item assignments and discovery proposals.
themes = sa.Table(
    "themes",
    metadata,
    sa.Column("id", sa.String(80), primary_key=True),  # stable, never reused
    sa.Column("parent_id", sa.String(80)),  # two levels: theme -> sub-theme
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("owner_team", sa.String(200), nullable=False, server_default=""),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("rules", sa.JSON, nullable=False),  # {language or "*": {"any": [...], "all": [...], "none": [...]}}
    sa.Column("examples", sa.JSON, nullable=False),  # [{"text": ..., "language": ...}]
    sa.Column("status", sa.String(20), nullable=False, server_default="active"),  # active | archived
    sa.Column("alias_of", sa.String(80)),  # merged into this theme: the old id stays resolvable
    sa.Column("origin", sa.String(20), nullable=False, server_default="user"),  # starter | user | proposal | split
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

taxonomy_versions = sa.Table(
    "taxonomy_versions",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),  # seed | create | rename | merge | split | move | archive | ...
    sa.Column("theme_id", sa.String(80)),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("snapshot", sa.JSON, nullable=False),  # the whole taxonomy after the change
)

item_themes = sa.Table(
    "item_themes",
    metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.String(80), primary_key=True),  # as assigned; resolve aliases when reading
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),  # matched words, or the nearest example
    sa.Column("method", sa.String(20), nullable=False),  # rule | example | member | proposal | manual
    sa.Column("taxonomy_version", sa.Integer, nullable=False),
    sa.Column("assigned_at", UTCDateTime, nullable=False),
)
sa.Index("ix_item_themes_theme", item_themes.c.theme_id)

# Which items were assessed against which taxonomy version (themed or not): coverage, the unthemed
# bucket, and what a re-assignment still has to do.
theme_assessments = sa.Table(
    "theme_assessments",
    metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("taxonomy_version", sa.Integer, nullable=False),
    sa.Column("themes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("assessed_at", UTCDateTime, nullable=False),
)
sa.Index("ix_theme_assessments_version", theme_assessments.c.taxonomy_version)

# Hourly counts per counted theme (0015, voc.themes.rollups): which counted themes each stored id
# counts towards, and per counted theme × UTC hour × brand × kind × sentiment × copy flag the items
# counted once per theme with their NPS and CSAT sums. Database triggers keep them exact.
theme_count_map = sa.Table(
    "theme_count_map",
    metadata,
    sa.Column("stored_id", sa.String(80), primary_key=True),
    sa.Column("counted_id", sa.String(80), primary_key=True),
)

theme_counts = sa.Table(
    "theme_counts",
    metadata,
    sa.Column("theme_id", sa.String(80), primary_key=True),
    sa.Column("hour", sa.BigInteger, primary_key=True, autoincrement=False),  # hours since 1970, UTC
    sa.Column("brand", sa.String(100), primary_key=True),  # "" when the item has none
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("sentiment", sa.String(16), primary_key=True),
    sa.Column("is_copy", sa.SmallInteger, primary_key=True, autoincrement=False),  # voc.trends.counting.left_out_copy
    sa.Column("items", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("nps_responses", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("promoters", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("detractors", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("csat_responses", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("csat_sum", sa.BigInteger, nullable=False, server_default="0"),
)
sa.Index("ix_theme_counts_hour", theme_counts.c.hour)

# The same per UTC day, theme, sentiment and copy flag only (0015): at most ~150 rows a day, however
# many items, for long ranges (folded with theme_counts; docs/themes.md).
theme_counts_daily = sa.Table(
    "theme_counts_daily",
    metadata,
    sa.Column("theme_id", sa.String(80), primary_key=True),
    sa.Column("day", sa.BigInteger, primary_key=True, autoincrement=False),  # days since 1970, UTC
    sa.Column("sentiment", sa.String(16), primary_key=True),
    sa.Column("is_copy", sa.SmallInteger, primary_key=True, autoincrement=False),
    *(sa.Column(c.name, c.type, nullable=False, server_default="0") for c in theme_counts.c if not c.primary_key),
)

# The same per brand too (revision 0024), folded with them: a range for one brand (the Trends page's
# default, the own brand) reads its days here, not every hour of the range from `theme_counts`.
theme_counts_brand_daily = sa.Table(
    "theme_counts_brand_daily",
    metadata,
    sa.Column("brand", sa.String(100), primary_key=True),  # "" when the item has none
    sa.Column("day", sa.BigInteger, primary_key=True, autoincrement=False),  # days since 1970, UTC
    sa.Column("theme_id", sa.String(80), primary_key=True),
    sa.Column("sentiment", sa.String(16), primary_key=True),
    sa.Column("is_copy", sa.SmallInteger, primary_key=True, autoincrement=False),
    *(sa.Column(c.name, c.type, nullable=False, server_default="0") for c in theme_counts.c if not c.primary_key),
)

# What the triggers append since the last fold into theme_counts (insert-only: no writer waits on another).
theme_count_changes = sa.Table(
    "theme_count_changes",
    metadata,
    *(sa.Column(c.name, c.type, nullable=False) for c in theme_counts.c if c.primary_key),
    *(sa.Column(c.name, c.type, nullable=False, server_default="0") for c in theme_counts.c if not c.primary_key),
)

# Theme assessments per UTC hour of posted_at (0018, voc.themes.rollups): how many were assessed and
# how many got a theme; triggers append each change to coverage_count_changes, folded now and then.
coverage_counts = sa.Table(
    "coverage_counts",
    metadata,
    sa.Column("hour", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("assessed", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("themed", sa.BigInteger, nullable=False, server_default="0"),
)
coverage_count_changes = sa.Table(
    "coverage_count_changes",
    metadata,
    sa.Column("hour", sa.BigInteger, nullable=False),
    sa.Column("assessed", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("themed", sa.BigInteger, nullable=False, server_default="0"),
)
sa.Index("ix_coverage_count_changes_hour", coverage_count_changes.c.hour)
sa.Index("ix_theme_count_changes_hour", theme_count_changes.c.hour)

theme_proposals = sa.Table(
    "theme_proposals",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),  # deterministic: same items, same id
    sa.Column("label", sa.String(300), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("keywords", sa.JSON, nullable=False),
    sa.Column("representative_item_ids", sa.JSON, nullable=False),
    sa.Column("member_item_ids", sa.JSON, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("growth", sa.Float),  # items in the recent half of the window / the earlier half
    sa.Column("sentiment", sa.JSON, nullable=False),  # {"negative": n, "neutral": n, "positive": n}
    sa.Column("emerging", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),  # open | promoted | merged | dismissed
    sa.Column("theme_id", sa.String(80)),  # the theme it was promoted to or merged into
    sa.Column("discovered_at", UTCDateTime, nullable=False),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("decided_by", sa.String(200)),
)

# Sign-in and audit (0007): who has which role, and every write with its actor and time.
role_assignments = sa.Table(
    "role_assignments",
    metadata,
    sa.Column("principal", sa.String(200), primary_key=True),  # an e-mail address, or "@domain" for a whole domain
    sa.Column("role", sa.String(20), nullable=False),  # viewer | agent | admin
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),  # the actor's role at the time, or "system process"
    sa.Column("action", sa.String(60), nullable=False),  # e.g. triage, erase_author, set_role
    sa.Column("subject", sa.String(300)),  # what was acted on: an item id, a source, an e-mail ...
    sa.Column("detail", sa.JSON),  # never secrets: callers pass names and counts, not values
)
sa.Index("ix_audit_log_at", audit_log.c.at)

# Replies from the app (revision 0009, docs/replies.md): stored before anything is sent, with an
# idempotency key; `status` draft | sending | unknown | failed | posted (| recorded for call-backs).
reply_drafts = sa.Table(
    "reply_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("network", sa.String(20), nullable=False),  # x, mastodon, bluesky, reddit, google_play, call_back
    sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
    sa.Column("network_key", sa.String(64)),  # the network's own key where it takes one (Bluesky's rkey)
    sa.Column("text", sa.Text, nullable=False),  # exactly what is (or was) posted
    sa.Column("language", sa.String(16)),
    sa.Column("saved_reply_id", sa.Integer),
    sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sending_since", UTCDateTime),  # the current attempt began; older than the lease: reconcile
    sa.Column("first_attempt_at", UTCDateTime),  # reconciling looks for replies posted after this
    sa.Column("error", sa.Text),  # the network's own explanation of the last failure
    sa.Column("error_kind", sa.String(40)),
    sa.Column("retry_after", UTCDateTime),
    sa.Column("remote_id", sa.String(300)),
    sa.Column("remote_url", sa.Text),
    sa.Column("posted_at", UTCDateTime),  # the network's time of the reply
    sa.Column("outcome", sa.String(30)),  # call-backs: reached | no_answer | left_message | recovered ...
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("sent_by", sa.String(200)),
)
sa.Index("ix_reply_drafts_item", reply_drafts.c.item_id)
sa.Index("ix_reply_drafts_status", reply_drafts.c.status)

saved_replies = sa.Table(
    "saved_replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("theme_id", sa.String(80)),  # suggested first for items with this theme
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("use_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("title", "language", name="uq_saved_replies_title_language"),
)
