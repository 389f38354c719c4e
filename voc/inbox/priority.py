"""Priority: severity × reach × customer value × time left on the SLA, with the reasons shown.

- severity (0–1): the sentiment and its confidence, a survey score (NPS, CSAT), a very unhappy
  mark, and urgent words in the item's own language (the survey-recovery lists, reused)
- reach: 1× for an unknown author, up to about 4× for a million followers
- customer value: the team's VIP list (handles, or e-mails and customer ids matched through the
  salted `respondent_key` hash: the list never holds a raw address)
- time: 1× with the whole SLA ahead, up to 2× once it is breached

The base (without time) picks the SLA tier: urgent 1 h, high 4 h, normal 24 h by default.
Domain: no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from voc.access.roles import Permission
from voc.inbox.sla import SlaClock, SlaPolicy, SlaState, clock_for, format_duration
from voc.sources.ingest import respondent_key
from voc.store.settings import register_setting
from voc.surveys.recovery import urgent_words_in

VIP_SETTINGS_KEY: Final = register_setting(
    "vip_list", dict, Permission.CONFIGURE_CARE, "VIP handles and hashed customer keys, with their tier"
)
TIER_WEIGHTS: Final = {"platinum": 2.5, "gold": 2.0, "silver": 1.5, "vip": 2.0}
URGENT_AT: Final = 60.0
HIGH_AT: Final = 30.0


@dataclass(frozen=True)
class VipList:
    """Valued customers: handles as typed (case-insensitive, without @), others by hashed key."""

    handles: Mapping[str, str] = field(default_factory=dict)  # handle -> tier
    keys: Mapping[str, str] = field(default_factory=dict)  # respondent_key -> tier

    def with_entry(self, who: str, tier: str = "vip") -> VipList:
        """Add a handle ("@name") or an e-mail / customer id (stored only as its hash)."""
        who = who.strip()
        if not who:
            return self
        if who.startswith("@"):
            return VipList({**self.handles, who[1:].lower(): tier}, self.keys)
        key = respondent_key(who)
        assert key is not None
        return VipList(self.handles, {**self.keys, key: tier})

    def tier_of(self, author: str | None, key: str | None) -> str | None:
        if author and author.lstrip("@").lower() in self.handles:
            return self.handles[author.lstrip("@").lower()]
        if key and key in self.keys:
            return self.keys[key]
        return None

    def to_json(self) -> dict[str, Any]:
        return {"handles": dict(self.handles), "keys": dict(self.keys)}

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> VipList:
        value = value or {}
        return cls(dict(value.get("handles") or {}), dict(value.get("keys") or {}))


@dataclass(frozen=True)
class Priority:
    score: float  # 0–100
    base: float  # without the time factor; decides the tier
    tier: str
    reasons: tuple[str, ...]
    clock: SlaClock | None = None


def severity(
    *,
    label: str,
    confidence: float,
    nps: int | None = None,
    csat: int | None = None,
    very_unhappy: bool = False,
    urgent_words: tuple[str, ...] | list[str] = (),
) -> tuple[float, list[str]]:
    """0–1, and why."""
    reasons: list[str] = []
    value = 0.0
    if label == "negative":
        value = 0.5 + 0.5 * max(0.0, min(confidence, 1.0))
        reasons.append(f"negative ({confidence:.0%} sure)")
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


def time_factor(clock: SlaClock, policy: SlaPolicy) -> float:
    """1× with the whole target ahead, rising to 2× at and beyond the deadline."""
    target = policy.target(clock.tier).total_seconds()
    if target <= 0 or clock.state in (SlaState.MET, SlaState.MISSED):
        return 1.0
    used = 1.0 - clock.left.total_seconds() / target
    return 1.0 + max(0.0, min(used, 1.0))


def tier_for(base: float) -> str:
    return "urgent" if base >= URGENT_AT else "high" if base >= HIGH_AT else "normal"


def prioritise(
    item: Mapping[str, Any], *, now: datetime, policy: SlaPolicy | None = None, vip: VipList | None = None
) -> Priority:
    """The priority of one stored item (a row of `items`) as of `now`, with its reasons and clock."""
    policy = policy or SlaPolicy()
    words = tuple(urgent_words_in(str(item.get("text") or ""), item.get("language")))
    value, reasons = severity(
        label=str(item.get("sentiment_label") or "neutral"),
        confidence=float(item.get("sentiment_confidence") or 0.0),
        nps=_int(item.get("nps")),
        csat=_int(item.get("csat")),
        very_unhappy=bool(item.get("very_unhappy")),
        urgent_words=words,
    )
    reach = _int(item.get("author_reach"))
    reach_x = reach_factor(reach)
    if reach and reach_x >= 1.5:
        reasons.append(f"reach {_compact(reach)} followers (×{reach_x:.1f})")
    tier_name = (vip or VipList()).tier_of(item.get("author"), item.get("respondent_key"))
    value_x = TIER_WEIGHTS.get(tier_name or "", 2.0) if tier_name else 1.0
    if tier_name:
        reasons.append(f"{tier_name} customer (×{value_x:.1f})")
    base = min(100.0, 25.0 * value * reach_x * value_x)
    if item.get("very_unhappy"):
        base = max(base, URGENT_AT)  # the recovery promise: a call back within hours, whatever the reach
    tier = tier_for(base)
    posted = item.get("posted_at")
    clock = None
    score = base
    if isinstance(posted, datetime):
        clock = clock_for(posted, tier, now, policy, first_response_at=_dt(item.get("first_response_at")))
        time_x = time_factor(clock, policy)
        score = min(100.0, base * time_x)
        if clock.state is SlaState.BREACHED:
            reasons.append(f"SLA breached {format_duration(-clock.left)} ago (×{time_x:.1f})")
        elif clock.state is SlaState.DUE_SOON:
            reasons.append(f"SLA due in {format_duration(clock.left)} (×{time_x:.1f})")
    return Priority(score=round(score, 1), base=round(base, 1), tier=tier, reasons=tuple(reasons), clock=clock)


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def _dt(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) and value == value else None  # NaT != NaT


def _compact(n: int) -> str:
    return f"{n / 1_000_000:.1f}M" if n >= 1_000_000 else f"{n / 1000:.0f}k" if n >= 1000 else str(n)
