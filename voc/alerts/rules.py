"""Item alert rules: negative and high reach, urgent words. (Very unhappy survey respondents are
raised by `voc.surveys.recovery`; spikes by `voc.trends.spikes`.) Each alert carries the item's priority
reasons. Domain: no Streamlit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from voc.alerts.service import AlertPolicy, load_policy, raise_alert
from voc.inbox.priority import prioritise
from voc.naming import item_channel_name
from voc.store.facade import Store
from voc.store.schema import items
from voc.surveys.recovery import urgent_words_in

NEGATIVE_HIGH_REACH: Final = "negative_high_reach"
URGENT_WORDS: Final = "urgent_words"


def item_alerts(row: dict[str, Any], policy: AlertPolicy) -> list[tuple[str, str]]:
    """The (rule, title) pairs one item triggers."""
    fired: list[tuple[str, str]] = []
    # Authors are stored as their network shows them ("@dana", "u/dana", a reviewer's name).
    who = row.get("author") or "a customer"
    channel = item_channel_name(row["channel"]) if row.get("channel") else "an unnamed channel"
    if (
        policy.negative_high_reach
        and row["sentiment_label"] == "negative"
        and (row.get("author_reach") or 0) >= policy.reach_at_least
    ):
        fired.append(
            (NEGATIVE_HIGH_REACH, f"Negative post from {who} ({row['author_reach']:,} followers) on {channel}")
        )
    if policy.urgent_words and row["sentiment_label"] != "positive":
        words = urgent_words_in(row["text"] or "", row.get("language"))
        if words:
            fired.append((URGENT_WORDS, f"Urgent words from {who} on {channel}: {', '.join(words)}"))
    return fired


def raise_item_alerts(store: Store, *, now: datetime, since: datetime, policy: AlertPolicy | None = None) -> int:
    """Raise the item rules for own-brand items ingested since `since`; returns how many alerts are new."""
    policy = policy or load_policy(store)
    query = sa.select(items).where(
        items.c.ingested_at >= since,
        items.c.is_competitor.is_(False),
        items.c.duplicate_of.is_(None),
        items.c.kind == "mention",
    )
    with store.read() as connection:
        rows = [dict(r) for r in connection.execute(query.order_by(items.c.id)).mappings()]
    raised = 0
    for row in rows:
        for rule, title in item_alerts(row, policy):
            priority = prioritise(row, now=now)
            alert_id = raise_alert(
                store,
                rule=rule,
                dedupe_key=f"{rule}:{row['id']}",
                title=title,
                details={
                    "priority": priority.score,
                    "priority_reasons": list(priority.reasons),
                    "excerpt": (row["text"] or "")[:280],
                    "link": row["link"],
                },
                now=now,
                subject=f"author:{row['author'] or row['id']}",
                item_id=row["id"],
                cooldown=policy.cooldown,
            )
            raised += alert_id is not None
    return raised
