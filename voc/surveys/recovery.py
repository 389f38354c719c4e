"""Service recovery: spot the very unhappy survey respondent, alert once, and record the call back.

The contact-centre rule: a terrible score with an angry comment reaches a manager at once and the
customer is called within about two hours. A survey item is *very unhappy* when a rule matches
(defaults below, configurable through `VOC_RECOVERY_*` environment variables):

- NPS 0–6 with a negative comment
- CSAT 1–2
- an urgent word (cancel, refund, complaint, lawyer...) in the item's language (en, es, fr, de,
  pt, it, nl; every list when the language is unknown), not right after a negator ("no
  complaints"), and not when the score is satisfied and the comment not negative ("Refund
  processed while I was on the phone. Easy." with CSAT 4 is not a customer about to leave)

`apply_recovery_rules` runs inside `voc.sources.ingest.build_item`, so every path (upload, folder, CLI,
any future survey source) marks items the same way: priority 100 (the top of the inbox), the
reasons, and a recovery target of submitted + 2 h. `raise_recovery_alerts` then writes one row to
`alerts` per *response* (dedupe key: rule, source, survey, response id), so a response fires once
however often it is imported and however many of its comment fields match.
Domain: no Streamlit.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa

from voc.access.roles import Actor, Permission, require
from voc.alerts.service import AlertPolicy, NewAlert, load_policy, raise_alerts
from voc.models import ItemKind, NewItem, TriageStatus
from voc.settings import configuration
from voc.store.core import json_list
from voc.store.facade import Store
from voc.store.schema import alerts, items, triage_events

ALERT_RULE: Final = "very_unhappy"
CLEARLY_POSITIVE: Final = 0.5  # sentiment score above which an unscored comment's urgent word is ignored
TOP_PRIORITY: Final = 100.0
DEDUPE_KEY_MAX: Final = 300

# Word stems, matched at the start of a word on accent-stripped, case-folded text ("annul"
# matches "annulé", "kundig" matches "Kündigung"). Whole phrases may contain spaces.
URGENT_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "cancel",
        "refund",
        "complain",
        "chargeback",
        "lawyer",
        "solicitor",
        "legal action",
        "ombudsman",
        "money back",
        "sue",
        "suing",
        "trading standards",
    ),
    "es": (
        "cancel",
        "dar de baja",
        "darme de baja",
        "reembols",
        "devolucion",
        "reclam",
        "queja",
        "quejar",
        "abogad",
        "denunci",
    ),
    "fr": ("annul", "resili", "rembours", "plainte", "reclamation", "avocat", "mediateur"),
    "de": (
        "kundig",
        "storn",
        "erstatt",
        "ruckerstatt",
        "geld zuruck",
        "beschwer",
        "anwalt",
        "rechtsanwalt",
        "verbraucherzentrale",
        "schlichtung",
    ),
    "pt": ("cancel", "reembols", "devolucao", "dinheiro de volta", "reclam", "queixa", "advogad", "procon"),
    "it": ("annull", "disdir", "disdett", "rimbors", "reclam", "lamentel", "avvocat"),
    "nl": ("opzeg", "annuler", "terugbetal", "geld terug", "klacht", "advocaat", "geschillencommissie"),
}
# Stems this short would match other words ("suede", "sued" is fine): whole words only.
_WHOLE_WORDS: Final = frozenset({"sue"})
# A word right before an urgent one that turns it into praise: "no complaints", "sin quejas".
NEGATORS: Final = frozenset(
    {
        "no", "never", "without", "zero",  # en
        "sin", "ningun", "ninguna",  # es
        "sans", "aucun", "aucune",  # fr
        "kein", "keine", "keinen", "ohne",  # de
        "sem", "nenhum", "nenhuma",  # pt
        "senza", "nessun", "nessuna", "nessuno",  # it
        "geen", "zonder",  # nl
    }
)  # fmt: skip
_LAST_WORD = re.compile(r"(\w+)\W*$")


class RecoveryOutcome(StrEnum):
    RECOVERED = "recovered"
    NOT_RECOVERED = "not_recovered"

    @property
    def label(self) -> str:
        return "Recovered" if self is RecoveryOutcome.RECOVERED else "Not recovered"


@dataclass(frozen=True)
class RecoveryRules:
    """When a survey item counts as very unhappy, and how soon the customer must hear from us."""

    nps_at_most: int | None = 6  # None: the NPS rule is off
    nps_needs_negative_comment: bool = True
    csat_at_most: int | None = 2
    ces_at_most: int | None = None  # off: effort scales differ in direction between surveys
    urgent_words: bool = True
    extra_words: tuple[tuple[str, str], ...] = ()  # (language, stem) added to URGENT_WORDS
    target: timedelta = timedelta(hours=2)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RecoveryRules:
        """Rules from `VOC_RECOVERY_*` settings (by default the environment over the root keys of
        `.streamlit/secrets.toml`, as `voc.settings.configuration` reads them); "off" switches a
        threshold off.

        VOC_RECOVERY_NPS_AT_MOST (6), VOC_RECOVERY_NPS_NEEDS_NEGATIVE_COMMENT (true),
        VOC_RECOVERY_CSAT_AT_MOST (2), VOC_RECOVERY_CES_AT_MOST (off), VOC_RECOVERY_URGENT_WORDS
        (on), VOC_RECOVERY_EXTRA_WORDS ("en:disgusted,fr:honteux"), VOC_RECOVERY_TARGET_HOURS (2).
        """
        env = configuration() if environ is None else environ
        default = cls()

        def threshold(name: str, fallback: int | None) -> int | None:
            raw = env.get(f"VOC_RECOVERY_{name}")
            if raw is None or raw.strip() == "":
                return fallback
            if raw.strip().lower() in ("off", "none", "no"):
                return None
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"VOC_RECOVERY_{name}={raw!r} is not a whole number or 'off'") from None

        def flag(name: str, fallback: bool) -> bool:
            raw = env.get(f"VOC_RECOVERY_{name}")
            return fallback if raw is None or raw.strip() == "" else raw.strip().lower() in ("1", "true", "yes", "on")

        extra = []
        for part in (env.get("VOC_RECOVERY_EXTRA_WORDS") or "").split(","):
            language, _, word = part.strip().partition(":")
            if word.strip():
                extra.append((language.strip().lower(), word.strip()))
        hours = env.get("VOC_RECOVERY_TARGET_HOURS")
        try:
            target = timedelta(hours=float(hours)) if hours else default.target
        except ValueError:
            raise ValueError(f"VOC_RECOVERY_TARGET_HOURS={hours!r} is not a number") from None
        return cls(
            nps_at_most=threshold("NPS_AT_MOST", default.nps_at_most),
            nps_needs_negative_comment=flag("NPS_NEEDS_NEGATIVE_COMMENT", default.nps_needs_negative_comment),
            csat_at_most=threshold("CSAT_AT_MOST", default.csat_at_most),
            ces_at_most=threshold("CES_AT_MOST", default.ces_at_most),
            urgent_words=flag("URGENT_WORDS", default.urgent_words),
            extra_words=tuple(extra),
            target=target,
        )


@functools.cache
def default_rules() -> RecoveryRules:
    """The process's rules, read once from the environment and secrets.toml."""
    return RecoveryRules.from_env()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=64)
def _pattern(language: str | None, extra: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    if language in URGENT_WORDS:
        stems = [*URGENT_WORDS[language], *(word for lang, word in extra if lang in (language, "*", ""))]
    else:  # unknown or unlisted language: every list
        stems = [*(stem for words in URGENT_WORDS.values() for stem in words), *(word for _, word in extra)]
    parts = sorted({_fold(stem) for stem in stems}, key=len, reverse=True)
    alternatives = "|".join(re.escape(p) + (r"\b" if p in _WHOLE_WORDS else r"\w*") for p in parts)
    return re.compile(rf"(?<!\w)(?:{alternatives})")


def urgent_words_in(text: str, language: str | None, rules: RecoveryRules | None = None) -> list[str]:
    """The urgent words in `text` for its language (all languages' lists when unknown), first three;
    a word right after a negator ("no complaints", "keine Beschwerden") does not count."""
    rules = rules or default_rules()
    folded = _fold(text)
    found: list[str] = []
    for match in _pattern(language, rules.extra_words).finditer(folded):
        before = _LAST_WORD.search(folded, max(0, match.start() - 20), match.start())
        if before and before.group(1) in NEGATORS:
            continue
        word = match.group(0)
        if word not in found:
            found.append(word)
        if len(found) == 3:
            break
    return found


def assess(item: NewItem, rules: RecoveryRules | None = None) -> list[str]:
    """Why this survey item is very unhappy (empty: it is not), in words a manager reads."""
    rules = rules or default_rules()
    if item.kind != ItemKind.SURVEY:
        return []
    reasons: list[str] = []
    negative = item.sentiment_label == "negative"
    if rules.nps_at_most is not None and item.nps is not None and item.nps <= rules.nps_at_most:
        if not rules.nps_needs_negative_comment:
            reasons.append(f"NPS {item.nps}")
        elif negative:
            reasons.append(f"NPS {item.nps} with a negative comment")
    if rules.csat_at_most is not None and item.csat is not None and item.csat <= rules.csat_at_most:
        reasons.append(f"CSAT {item.csat}")
    if rules.ces_at_most is not None and item.ces is not None and item.ces <= rules.ces_at_most:
        reasons.append(f"effort score {item.ces}")
    if rules.urgent_words and item.text and _urgent_words_apply(item):
        for word in urgent_words_in(item.text, item.language, rules):
            reasons.append(f"urgent word “{word}”")
    return reasons


def _urgent_words_apply(item: NewItem) -> bool:
    """Whether an urgent word should count for this item: the score speaks first, the tone second.

    A low score (NPS 0–6, CSAT 1–2): always, even when the lexicon reads "I want a refund" as
    positive. A satisfied score (NPS 7+, CSAT 4–5): only with a negative comment ("Refund processed
    while I was on the phone. Easy." with CSAT 4 is not a customer about to leave). No score:
    unless the comment reads clearly positive (lexicons weigh "want"/"quiero" as positive).
    """
    if (item.nps is not None and item.nps <= 6) or (item.csat is not None and item.csat <= 2):
        return True
    if (item.nps is not None and item.nps >= 7) or (item.csat is not None and item.csat >= 4):
        return item.sentiment_label == "negative"
    return not (item.sentiment_label == "positive" and item.sentiment_score >= CLEARLY_POSITIVE)


def apply_recovery_rules(item: NewItem, rules: RecoveryRules | None = None) -> NewItem:
    """`item` marked very unhappy (top priority, reasons, recovery due time) when a rule matches."""
    rules = rules or default_rules()
    reasons = assess(item, rules)
    if not reasons:
        return item
    return replace(
        item,
        very_unhappy=True,
        very_unhappy_reasons=reasons,
        priority=TOP_PRIORITY,
        recovery_due_at=item.posted_at + rules.target,
    )


# ---- alerts ----------------------------------------------------------------------------------


def alert_key(source: str, survey: str | None, response_id: str | None, external_id: str) -> str:
    """The alert's dedupe key: one per response (per item when there is no response id)."""
    key = f"{ALERT_RULE}:{source}:{survey or ''}:{response_id or external_id}"
    if len(key) <= DEDUPE_KEY_MAX:
        return key
    return f"{ALERT_RULE}:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


_ALERT_COLUMNS = (
    items.c.id,
    items.c.source,
    items.c.external_id,
    items.c.survey,
    items.c.response_id,
    items.c.survey_field,
    items.c.posted_at,
    items.c.recovery_due_at,
    items.c.very_unhappy_reasons,
    items.c.nps,
    items.c.csat,
    items.c.ces,
    items.c.language,
    items.c.text,
)


def raise_recovery_alerts(
    store: Store,
    *,
    now: datetime,
    source: str | None = None,
    external_ids: Sequence[str] | None = None,
    since: datetime | None = None,
    policy: AlertPolicy | None = None,
) -> int:
    """Write one recovery alert per very unhappy response not alerted yet; returns how many are new.

    Narrow it to `external_ids` of `source` (an import's chunk) or to items ingested `since` (a sweep).
    Only unique indexes are used: (source, external_id) on items, dedupe_key on alerts.

    Nothing is raised while the *very unhappy* rule is switched off in the alert `policy` (the
    stored one unless given): this is the one place recovery alerts are written, so the import,
    the folder listener and the runner all honour the switch. The items stay marked very unhappy
    (top of the inbox); only the alert to a manager is skipped, and is not sent later either.
    """
    if policy is None:
        policy = load_policy(store)
    if not policy.very_unhappy:
        return 0
    conditions: list[Any] = [items.c.very_unhappy.is_(True)]
    if source is not None:
        conditions.append(items.c.source == source)
    if since is not None:
        conditions.append(items.c.ingested_at >= since)
    query = sa.select(*_ALERT_COLUMNS).where(*conditions).order_by(items.c.id)
    candidates: dict[str, Any] = {}
    with store.read() as connection:
        if external_ids is None:
            batches = [connection.execute(query).mappings().all()]
        else:
            batches = [
                connection.execute(query.where(items.c.external_id.in_(list(external_ids[i : i + 500]))))
                .mappings()
                .all()
                for i in range(0, len(external_ids), 500)
            ]
        for row in (row for batch in batches for row in batch):
            candidates.setdefault(alert_key(row["source"], row["survey"], row["response_id"], row["external_id"]), row)
        keys = list(candidates)
        for i in range(0, len(keys), 500):
            present = connection.execute(
                sa.select(alerts.c.dedupe_key).where(alerts.c.dedupe_key.in_(keys[i : i + 500]))
            )
            for key in present.scalars():
                candidates.pop(key, None)
    if not candidates:
        return 0
    # Through the alert service (one statement for the lot): a response a concurrent import
    # alerted a moment ago is not counted, so the count is of alerts this call raised.
    return len(raise_alerts(store, [_new_alert(row, key) for key, row in candidates.items()], now=now))


def _new_alert(row: Mapping[str, Any], key: str) -> NewAlert:
    reasons = json_list(row["very_unhappy_reasons"])
    survey = row["survey"] or row["source"]
    who = f"response {row['response_id']}" if row["response_id"] else f"item {row['external_id']}"
    due = row["recovery_due_at"]
    return NewAlert(
        rule=ALERT_RULE,
        dedupe_key=key,
        item_id=row["id"],
        title=f"Very unhappy customer — {survey}, {who}: {', '.join(reasons)}",
        details={
            "source": row["source"],
            "survey": row["survey"],
            "response_id": row["response_id"],
            "field": row["survey_field"],
            "reasons": reasons,
            "nps": row["nps"],
            "csat": row["csat"],
            "ces": row["ces"],
            "language": row["language"],
            "submitted_at": row["posted_at"].isoformat() if row["posted_at"] else None,
            "recovery_due_at": due.isoformat() if due else None,
            "excerpt": (row["text"] or "")[:280],  # already redacted: raw text is never stored
        },
    )


@dataclass(frozen=True)
class ImportRecovery:
    """What an import brought for the recovery team: responses newly very unhappy, alerts raised."""

    very_unhappy: int
    alerts_raised: int


def import_recovery(store: Store, *, source: str, survey: str, since: datetime) -> ImportRecovery:
    """The very unhappy responses of `survey` that `source` stored since `since` (an import's
    start), and the recovery alerts raised for them: the counts an import report gives."""
    mine = (items.c.source == source, items.c.survey == survey, items.c.ingested_at >= since)
    respondents = sa.select(sa.func.count(sa.distinct(sa.func.coalesce(items.c.response_id, items.c.external_id))))
    raised = (
        sa.select(sa.func.count())
        .select_from(alerts.join(items, alerts.c.item_id == items.c.id))
        .where(alerts.c.rule == ALERT_RULE, *mine)
    )
    with store.read() as connection:
        very_unhappy = connection.execute(respondents.where(items.c.very_unhappy.is_(True), *mine)).scalar_one()
        return ImportRecovery(int(very_unhappy), int(connection.execute(raised).scalar_one()))


def recovery_alerts(store: Store, *, limit: int = 200) -> pd.DataFrame:
    """Recovery alerts, newest first: id, created_at, title, status, item_id, delivered_at."""
    query = (
        sa.select(
            alerts.c.id,
            alerts.c.created_at,
            alerts.c.title,
            alerts.c.status,
            alerts.c.item_id,
            alerts.c.acknowledged_by,
            alerts.c.delivered_at,
        )
        .where(alerts.c.rule == ALERT_RULE)
        .order_by(alerts.c.id.desc())
        .limit(limit)
    )
    with store.read() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    return pd.DataFrame(
        rows, columns=["id", "created_at", "title", "status", "item_id", "acknowledged_by", "delivered_at"]
    )


# ---- outcomes --------------------------------------------------------------------------------


def record_recovery_outcome(
    store: Store, item_id: int, outcome: RecoveryOutcome | str, *, actor: Actor, now: datetime
) -> int:
    """Record whether the customer behind `item_id` was recovered, for every very unhappy item of
    that response; resolves them in the inbox, acknowledges the alert, and audits each change.

    Returns how many items changed.
    """
    require(actor, Permission.TRIAGE)
    outcome = RecoveryOutcome(outcome)
    with store.write() as connection:
        item = connection.execute(
            sa.select(items.c.source, items.c.survey, items.c.response_id, items.c.external_id).where(
                items.c.id == item_id
            )
        ).first()
        if item is None:
            raise ValueError(f"no item {item_id}")
        same_response = (
            [items.c.source == item.source, items.c.survey == item.survey, items.c.response_id == item.response_id]
            if item.response_id
            else [items.c.id == item_id]
        )
        targets = connection.execute(
            sa.select(items.c.id, items.c.recovery_outcome, items.c.triage_status).where(
                *same_response, items.c.very_unhappy.is_(True)
            )
        ).all()
        changed = 0
        for target in targets:
            if target.recovery_outcome == outcome.value:
                continue
            connection.execute(
                items.update()
                .where(items.c.id == target.id)
                .values(
                    recovery_outcome=outcome.value,
                    recovery_outcome_at=now,
                    recovery_actor=actor.name,
                    triage_status=str(TriageStatus.RESOLVED),
                )
            )
            events = [("recovery_outcome", target.recovery_outcome, outcome.value)]
            if target.triage_status != TriageStatus.RESOLVED:
                events.append(("triage_status", target.triage_status, str(TriageStatus.RESOLVED)))
            for field, old, new in events:
                connection.execute(
                    triage_events.insert().values(
                        item_id=target.id, actor=actor.name, at=now, field=field, old_value=old, new_value=new
                    )
                )
            changed += 1
        key = alert_key(item.source, item.survey, item.response_id, item.external_id)
        connection.execute(
            alerts.update()
            .where(alerts.c.dedupe_key == key, alerts.c.status == "open")
            .values(status="acknowledged", acknowledged_by=actor.name, acknowledged_at=now)
        )
        if changed:
            store.record_audit(
                connection,
                actor,
                "survey.recovery_outcome",
                now=now,
                subject=item_id,
                detail={"outcome": outcome.value, "count": changed},
            )
    return changed


RECOVERY_COLUMNS: Final = (
    "item_id",
    "survey",
    "response_id",
    "posted_at",
    "recovery_due_at",
    "reasons",
    "text",
    "language",
    "nps",
    "csat",
    "recovery_outcome",
    "recovery_outcome_at",
    "recovery_actor",
)


def recovery_query(*, open_only: bool, limit: int) -> sa.Select[Any]:
    """The rows of `recoveries`, read from `ix_items_very_unhappy` (revision 0023), not every item."""
    query = sa.select(
        items.c.id,
        items.c.source,
        items.c.survey,
        items.c.response_id,
        items.c.external_id,
        items.c.posted_at,
        items.c.recovery_due_at,
        items.c.very_unhappy_reasons,
        items.c.text,
        items.c.language,
        items.c.nps,
        items.c.csat,
        items.c.recovery_outcome,
        items.c.recovery_outcome_at,
        items.c.recovery_actor,
    ).where(items.c.very_unhappy.is_(True))
    if open_only:
        query = query.where(items.c.recovery_outcome.is_(None)).order_by(items.c.recovery_due_at, items.c.id)
    else:
        query = query.where(items.c.recovery_outcome.is_not(None)).order_by(
            items.c.recovery_outcome_at.desc(), items.c.id
        )
    return query.limit(limit)


def recoveries(store: Store, *, open_only: bool = True, limit: int = 200) -> pd.DataFrame:
    """Very unhappy responses, one row each: open ones by due time, or (all) recorded ones newest first."""
    with store.read() as connection:
        rows = connection.execute(recovery_query(open_only=open_only, limit=limit * 4)).mappings().all()
    grouped: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["source"], row["survey"], row["response_id"] or row["external_id"])
        entry = grouped.get(key)
        if entry is None:
            if len(grouped) >= limit:
                continue
            grouped[key] = {
                "item_id": row["id"],
                "survey": row["survey"],
                "response_id": row["response_id"],
                "posted_at": row["posted_at"],
                "recovery_due_at": row["recovery_due_at"],
                "reasons": list(json_list(row["very_unhappy_reasons"])),
                "text": row["text"] or "",
                "language": row["language"],
                "nps": row["nps"],
                "csat": row["csat"],
                "recovery_outcome": row["recovery_outcome"],
                "recovery_outcome_at": row["recovery_outcome_at"],
                "recovery_actor": row["recovery_actor"],
            }
            continue
        for reason in json_list(row["very_unhappy_reasons"]):
            if reason not in entry["reasons"]:
                entry["reasons"].append(reason)
        if row["text"] and row["text"] not in entry["text"]:
            entry["text"] = f"{entry['text']} ¶ {row['text']}" if entry["text"] else row["text"]
    return pd.DataFrame(list(grouped.values()), columns=list(RECOVERY_COLUMNS))
