"""Turn a source's `RawItem` into a stored `NewItem`: redact, detect language, score, prioritise.

The raw text goes into `analyse` and only the redacted text comes out; nothing else keeps it.
Every item's text is first cut to `MAX_ITEM_CHARS` with a visible marker (`cap_text`): one
50 MB feed entry or survey cell must not block the listeners or make the Inbox crawl.
Survey items also pass the service-recovery rules (`voc.surveys.recovery`): a very unhappy
respondent gets top priority and a recovery target, whichever way the item came in.
Domain: no Streamlit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime

from voc.analysis import embeddings
from voc.analysis.pipeline import Analysis, analyse, analyse_batch
from voc.inbox.priority import stored_priority
from voc.models import ItemKind, NewItem, RawItem, TriageStatus
from voc.surveys.recovery import RecoveryRules, apply_recovery_rules, urgent_words_in

RESPONDENT_SALT = b"voc-respondent-v1"
# The longest text an item keeps (docs/listeners.md): a long review or complaint is a few thousand
# characters; anything past this is a pasted log, a whole article or an attack, and is cut.
MAX_ITEM_CHARS = 20_000


_CUT_MARKER = re.compile(r" \[… cut: [\d,]+ more characters\]\Z")


def cap_text(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    """`text` cut to `limit` characters, with a marker saying how much was cut, or `text` unchanged.

    Every way in (listeners, survey uploads, the watched folder) passes here through `build_item`;
    the survey importer may also call it on a cell before its own checks.
    """
    if len(text) <= limit or (len(text) <= limit + 64 and _CUT_MARKER.search(text)):
        return text  # within the limit, or cut here already (the survey importer cuts cells first)
    kept = text[:limit]
    # Cut at a space near the limit, so no word (an e-mail address, say) is split into a half that
    # redaction would no longer recognise.
    space = max(kept.rfind(" "), kept.rfind("\n"), kept.rfind("\t"))
    if space >= limit - 200:
        kept = kept[:space]
    return f"{kept} [… cut: {len(text) - len(kept):,} more characters]"


def respondent_key(respondent: str | None) -> str | None:
    """A stable, salted hash of an e-mail or customer id: joins responses without keeping PII."""
    if not respondent or not respondent.strip():
        return None
    digest = hashlib.sha256(RESPONDENT_SALT + respondent.strip().lower().encode("utf-8"))
    return digest.hexdigest()[:32]


def build_item(
    source: str,
    raw: RawItem,
    ingested_at: datetime,
    analysis: Analysis | None = None,
    rules: RecoveryRules | None = None,
) -> NewItem:
    """Analyse `raw` (unless an analysis is given) and return the row to store.

    Survey items are checked against the recovery `rules` (the configured defaults unless given).
    """
    result = analysis or analyse(cap_text(raw.text), language_hint=raw.language_hint)
    sentiment = result.sentiment
    urgent_words = urgent_words_in(result.text, result.language, rules)
    priority = stored_priority(
        label=str(sentiment.label),
        confidence=sentiment.confidence,
        reach=raw.author_reach,
        nps=raw.nps,
        csat=raw.csat,
        urgent_words=urgent_words,
    )
    item = NewItem(
        source=source,
        external_id=raw.external_id,
        kind=str(raw.kind),
        channel=raw.channel,
        brand=raw.brand,
        is_competitor=raw.is_competitor,
        author=raw.author,
        author_reach=raw.author_reach,
        link=raw.link,
        posted_at=raw.posted_at,
        ingested_at=ingested_at,
        text=result.text,
        redactions=list(result.redactions),
        language=result.language,
        sentiment_label=str(sentiment.label),
        sentiment_score=float(sentiment.score),
        sentiment_confidence=float(sentiment.confidence),
        sentiment_reasons=list(sentiment.reasons),
        scorer=sentiment.scorer,
        priority=priority,
        triage_status=str(TriageStatus.NEW),
        survey=raw.survey,
        response_id=raw.response_id,
        respondent_key=respondent_key(raw.respondent),
        nps=raw.nps,
        csat=raw.csat,
        ces=raw.ces,
        survey_field=raw.survey_field,
        urgent_request=bool(urgent_words),
        in_reply_to=raw.in_reply_to,
        conversation_id=raw.conversation_id,
    )
    if raw.kind == ItemKind.SURVEY:
        item = apply_recovery_rules(item, rules)
    return item


def build_items(
    source: str, raws: Iterable[RawItem], ingested_at: datetime, rules: RecoveryRules | None = None
) -> list[NewItem]:
    """`build_item` for a whole batch."""
    return build_items_with_embeddings(source, raws, ingested_at, rules)[0]


def build_items_with_embeddings(
    source: str, raws: Iterable[RawItem], ingested_at: datetime, rules: RecoveryRules | None = None
) -> tuple[list[NewItem], dict[str, tuple[str, int, bytes]]]:
    """`build_item` for a batch analysed at once, with each item's embedding by external id
    (model, dimension, float32 bytes) for `Store.save_batch(..., embeddings=...)`."""
    raws = list(raws)
    analyses = analyse_batch([cap_text(r.text) for r in raws], [r.language_hint for r in raws], with_embeddings=True)
    built = [
        build_item(source, raw, ingested_at, analysis=a, rules=rules) for raw, a in zip(raws, analyses, strict=True)
    ]
    model = embeddings.model_name()
    vectors = {
        raw.external_id: (model, embeddings.DIMENSION, embeddings.to_bytes(a.embedding))
        for raw, a in zip(raws, analyses, strict=True)
        if a.embedding is not None
    }
    return built, vectors
