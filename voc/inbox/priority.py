"""Priority: severity × reach × customer value, 0–100, with the reasons shown. One formula.

- severity (0–1.2): the sentiment and its confidence, a survey score (NPS, CSAT), and urgent words
  in the item's own language (the survey-recovery lists, reused); a very unhappy respondent is
  always at the top (100: the recovery promise, a call back within hours)
- reach: 1× for an unknown author, up to about 4× for a million followers
- customer value: the tier on the team's VIP list (`voc.inbox.vip`), ×1.5 to ×2.5

`stored_priority` (severity × reach) is computed once, at ingest, and kept in `items.priority`;
the customer value is applied when the queue is read (`queue_priority` in SQL, `prioritise` in
Python, both from `TIER_WEIGHTS`), so editing the VIP list re-orders the queue at once without
rewriting stored rows. Time is *not* a factor: the SLA clock is shown next to the priority and
breaks ties (due first, first), which keeps the order stable while clocks run; a factor that
doubled at the deadline pushed every old item to 100 and made the order meaningless.

The priority picks the SLA tier: urgent ≥ 60, high ≥ 30, else normal. Domain: no Streamlit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from voc.inbox.sla import SlaClock, SlaPolicy, SlaState, clock_for, format_duration
from voc.sentiment.multilingual import likelihood, needs_review
from voc.surveys.recovery import urgent_words_in

if TYPE_CHECKING:
    from voc.inbox.vip import VipList

TIER_WEIGHTS: Final = {"platinum": 2.5, "gold": 2.0, "silver": 1.5, "vip": 2.0}
# A VIP tier as a page names it (the list stores, and an admin may type, the lower-case word).
TIER_NAMES: Final = {"platinum": "Platinum", "gold": "Gold", "silver": "Silver", "vip": "VIP"}


def tier_name(tier: str) -> str:
    """ "gold" -> "Gold"; a tier with no name here stays as typed."""
    return TIER_NAMES.get(tier, tier)


TOP: Final = 100.0
URGENT_AT: Final = 60.0
HIGH_AT: Final = 30.0
QUESTION_MARKS: Final = ("?", "？", "¿")
_QUESTION: Final = re.compile("[" + "".join(QUESTION_MARKS) + "]")


@dataclass(frozen=True)
class Priority:
    score: float  # 0–100
    tier: str  # urgent | high | normal: which SLA target applies
    reasons: tuple[str, ...]
    clock: SlaClock | None = None
    vip_tier: str | None = None


def severity(
    *,
    label: str,
    confidence: float,
    nps: int | None = None,
    csat: int | None = None,
    very_unhappy: bool = False,
    urgent_words: Sequence[str] = (),
    scorer: str | None = None,
) -> tuple[float, list[str]]:
    """0–1.2, and why (a negative label with the figure the workspace shows it with: `likelihood`)."""
    reasons: list[str] = []
    value = 0.0
    if label == "negative":
        value = 0.5 + 0.5 * max(0.0, min(confidence, 1.0))
        reasons.append(f"negative ({likelihood(scorer, confidence)})")
    elif label == "neutral":
        value = 0.15
    if nps is not None and nps <= 6:
        value = max(value, 0.4 + (6 - nps) * 0.1)
        reasons.append(f"NPS {nps}")
    if csat is not None and csat <= 2:
        value = max(value, 0.8 if csat == 1 else 0.6)
        reasons.append(f"CSAT {csat}")
    if urgent_words:
        value = max(value, 0.8) + 0.25
        reasons.append("urgent: " + ", ".join(f"“{w}”" for w in urgent_words))
    if very_unhappy:
        value = max(value, 1.0)
        reasons.append("very unhappy customer")
    return min(value, 1.2), reasons


def reach_factor(reach: int | None) -> float:
    return 1.0 + math.log10(1 + max(reach or 0, 0)) / 2


def stored_priority(
    *,
    label: str,
    confidence: float,
    reach: int | None = None,
    nps: int | None = None,
    csat: int | None = None,
    urgent_words: Sequence[str] = (),
    very_unhappy: bool = False,
) -> float:
    """The part of the priority kept in `items.priority`: severity × reach, 0–100."""
    if very_unhappy:
        return TOP
    value, _ = severity(label=label, confidence=confidence, nps=nps, csat=csat, urgent_words=urgent_words)
    return round(min(TOP, 25.0 * value * reach_factor(reach)), 1)


def stored_priority_of(item: Mapping[str, Any]) -> float:
    """`stored_priority` of a stored row (or a `NewItem` as a dict)."""
    return stored_priority(
        label=str(item.get("sentiment_label") or "neutral"),
        confidence=float(item.get("sentiment_confidence") or 0.0),
        reach=_int(item.get("author_reach")),
        nps=_int(item.get("nps")),
        csat=_int(item.get("csat")),
        urgent_words=urgent_words_in(str(item.get("text") or ""), item.get("language")),
        very_unhappy=bool(item.get("very_unhappy")),
    )


def with_customer_value(stored: float, vip_tier: str | None) -> float:
    """The priority an agent sees: the stored part times the customer's value, capped at 100."""
    return round(min(TOP, stored * TIER_WEIGHTS.get(vip_tier or "", 2.0 if vip_tier else 1.0)), 1)


def queue_priority(priority: sa.ColumnElement[Any], author: Any, key: Any, vip: VipList) -> sa.ColumnElement[Any]:
    """`with_customer_value` as SQL, for ordering the queue in the database: the VIP list is
    small (a team's list), so it becomes one CASE over the author's handle and hashed key."""
    handle = sa.func.lower(sa.func.ltrim(author, "@"))
    whens: list[tuple[Any, float]] = []
    for name, tier in vip.handles.items():
        whens.append((handle == name, TIER_WEIGHTS.get(tier, 2.0)))
    for hashed, tier in vip.keys.items():
        whens.append((key == hashed, TIER_WEIGHTS.get(tier, 2.0)))
    if not whens:
        return priority
    weighted = priority * sa.case(*whens, else_=1.0)
    return sa.case((weighted > TOP, TOP), else_=weighted)


def tier_for(score: float) -> str:
    return "urgent" if score >= URGENT_AT else "high" if score >= HIGH_AT else "normal"


def needs_for(item: Mapping[str, Any]) -> list[str]:
    """Why an item needs a person (empty: it is chatter)."""
    needs = []
    if item.get("very_unhappy"):
        needs.append("very unhappy")
    if item.get("sentiment_label") == "negative":
        needs.append("negative")
    text = str(item.get("text") or "")
    if _QUESTION.search(text):
        needs.append("question")
    if is_urgent_request(item):
        needs.append("urgent request")
    if sentiment_to_review(item):
        needs.append("sentiment to review")
    return needs


def sentiment_to_review(item: Mapping[str, Any]) -> bool:
    """A weak or unreadable score a person should check (not one a person already corrected):
    a "neutral" in a language the scorers do not read must not pass silently."""
    if item.get("scorer") == "correction":
        return False
    return needs_review(
        str(item.get("language") or ""), float(item.get("sentiment_confidence") or 0.0), item.get("scorer")
    )


def is_urgent_request(item: Mapping[str, Any]) -> bool:
    """Urgent words in the item's language, unless it reads positive ("refund was quick, thanks")."""
    if item.get("sentiment_label") == "positive" and not item.get("very_unhappy"):
        return False
    return bool(urgent_words_in(str(item.get("text") or ""), item.get("language")))


def prioritise(
    item: Mapping[str, Any], *, now: datetime, policy: SlaPolicy | None = None, vip: VipList | None = None
) -> Priority:
    """The priority of one stored item (a row of `items`) as of `now`, with its reasons and clock."""
    policy = policy or SlaPolicy()
    words = tuple(urgent_words_in(str(item.get("text") or ""), item.get("language")))
    very_unhappy = bool(item.get("very_unhappy"))
    _, reasons = severity(
        label=str(item.get("sentiment_label") or "neutral"),
        confidence=float(item.get("sentiment_confidence") or 0.0),
        nps=_int(item.get("nps")),
        csat=_int(item.get("csat")),
        very_unhappy=very_unhappy,
        urgent_words=words,
        scorer=item.get("scorer"),
    )
    reach = _int(item.get("author_reach"))
    reach_x = reach_factor(reach)
    if reach and reach_x >= 1.5:
        reasons.append(f"reach {compact(reach)} followers (×{reach_x:.1f})")
    vip_tier = vip.tier_of(item.get("author"), item.get("respondent_key")) if vip else None
    if vip_tier:
        reasons.append(f"{tier_name(vip_tier)} customer (×{TIER_WEIGHTS.get(vip_tier, 2.0):.1f})")
    stored = stored_priority_of(item)
    score = with_customer_value(stored, vip_tier)
    tier = tier_for(score)
    posted = item.get("posted_at")
    clock = None
    if isinstance(posted, datetime):
        clock = clock_for(posted, tier, now, policy, first_response_at=_dt(item.get("first_response_at")))
        if clock.state is SlaState.BREACHED:
            reasons.append(f"SLA breached {format_duration(-clock.left)} ago")
        elif clock.state is SlaState.DUE_SOON:
            reasons.append(f"SLA due in {format_duration(clock.left)}")
    return Priority(score=score, tier=tier, reasons=tuple(reasons), clock=clock, vip_tier=vip_tier)


def compact(n: int) -> str:
    """12,345 → "12k"; 2,500,000 → "2.5M"."""
    return f"{n / 1_000_000:.1f}M" if n >= 1_000_000 else f"{n / 1000:.0f}k" if n >= 1000 else str(n)


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def _dt(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) and value == value else None  # NaT != NaT
