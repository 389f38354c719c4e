"""Turn a source's `RawItem` into a stored `NewItem`: redact, detect language, score, prioritise.

The raw text goes into `analyse` and only the redacted text comes out; nothing else keeps it.
Domain: no Streamlit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from voc.analysis.pipeline import Analysis, analyse
from voc.models import NewItem, RawItem, TriageStatus
from voc.triage import priority_for

RESPONDENT_SALT = b"voc-respondent-v1"


def respondent_key(respondent: str | None) -> str | None:
    """A stable, salted hash of an e-mail or customer id: joins responses without keeping PII."""
    if not respondent or not respondent.strip():
        return None
    digest = hashlib.sha256(RESPONDENT_SALT + respondent.strip().lower().encode("utf-8"))
    return digest.hexdigest()[:32]


def build_item(source: str, raw: RawItem, ingested_at: datetime, analysis: Analysis | None = None) -> NewItem:
    """Analyse `raw` (unless an analysis is given) and return the row to store."""
    result = analysis or analyse(raw.text, language_hint=raw.language_hint)
    sentiment = result.sentiment
    priority = priority_for(
        label=str(sentiment.label),
        confidence=sentiment.confidence,
        reach=raw.author_reach,
        nps=raw.nps,
        csat=raw.csat,
    )
    return NewItem(
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
    )


def build_items(source: str, raws: Iterable[RawItem], ingested_at: datetime) -> list[NewItem]:
    """`build_item` for a whole batch."""
    return [build_item(source, raw, ingested_at) for raw in raws]
