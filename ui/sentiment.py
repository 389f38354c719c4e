"""Sentiment in the app: reasons highlighted, needs-review flags, corrections, retraining, re-scoring.

Streamlit-aware helpers for the Inbox and Settings pages; the logic lives in `voc.sentiment.review`
and `voc.sentiment.training`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui import data, inert, widgets
from voc.sentiment import accuracy, review
from voc.sentiment import training as sentiment_training
from voc.sentiment import worker as sentiment_worker
from voc.sentiment.learned import LearnedModel

SENTIMENT_LABELS = {"negative": "Negative", "neutral": "Neutral", "positive": "Positive"}


# ---- inbox ------------------------------------------------------------------------------------


def marked(text: str, reasons: list[str]) -> str:
    """Markdown of `text` with the reasons highlighted (everything else escaped)."""
    parts = []
    for segment in review.highlight(text, reasons):
        escaped = inert.escape(segment.text)
        parts.append(f":red-background[**{escaped}**]" if segment.reason and escaped.strip() else escaped)
    return "".join(parts)


def correction_form(queue: pd.DataFrame) -> None:
    """Correct the sentiment of several items at once (saved in the submit's callback, so a
    submit runs the page once)."""
    labels = {int(row.id): " ".join(str(row.text).split())[:80] or "(no words)" for row in queue.itertuples()}
    with st.form("correct-sentiment", border=False, enter_to_submit=False):
        st.markdown("**Correct the sentiment**")
        items_col, label_col = st.columns([3, 1.2])
        items_col.multiselect(
            "Customers",
            list(labels),
            format_func=lambda key: labels[key],
            key="correct.items",
            placeholder="Choose by their words",
        )
        options: list[str] = list(review.SENTIMENTS)
        label_col.selectbox(
            "Sentiment is",
            options,
            format_func=lambda v: SENTIMENT_LABELS.get(str(v), str(v)),
            key="correct.label",
            index=None,
            placeholder="Choose",
        )
        st.form_submit_button("Correct sentiment", on_click=_correct_chosen)


def _correct_chosen() -> None:
    chosen, label = st.session_state.get("correct.items"), st.session_state.get("correct.label")
    if chosen and label is not None:
        save_corrections({str(label): [int(i) for i in chosen]})


def save_corrections(corrections: dict[str, list[int]]) -> int:
    """Store corrections as labels (and the items' new sentiment), then refresh the inbox."""
    store = data.store()
    changed = sum(
        store.correct_sentiment(ids, label, actor=data.current_actor(), now=data.utcnow())
        for label, ids in corrections.items()
    )
    data.forget_reads()
    st.session_state[data.FLASH_KEY] = (
        f"Corrected {changed} item{'s' if changed != 1 else ''}: retrain in Settings to learn from it"
    )
    return changed


# ---- settings ---------------------------------------------------------------------------------


def retrain_with_progress() -> sentiment_training.TrainingResult | None:
    """Retrain from the workspace's labels with a progress bar; errors are shown, not raised."""
    bar = st.progress(0.0, text="Starting")

    def progress(step: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=step)

    try:
        result = sentiment_training.train_workspace(data.store(), progress=progress, actor=data.current_actor())
    except ValueError as error:
        st.error(f"Cannot retrain: {error}", icon=":material/error:")
        return None
    data.forget_reads()
    return result


def activation_caption(model: LearnedModel) -> str:
    """Where the learned model decides, in words."""
    if "*" in model.active_languages:
        return "The learned model scores every language; the rules (VADER, the team's lexicons) supply the reasons."
    languages = ", ".join(widgets.language_name(code) for code in sorted(model.active_languages)) or "no language"
    return f"Learned model switched on for: {languages}. Elsewhere the rules (VADER, the team's lexicons) score."


def real_accuracy_section(model: LearnedModel | None) -> None:
    """Accuracy on real posts (the workspace's held-back labels, else the shipped figures on real
    tweets); never the score on the training examples."""
    measured = accuracy.real_accuracy(model)
    if measured is None:
        st.caption("No accuracy on real posts is recorded for this model yet.")
        return
    overall = measured.overall or {}
    first, second, third = st.columns(3)
    first.metric("Macro-F1 on real posts", f"{overall.get('macro_f1', 0):.1f}")
    second.metric("Negative posts found", f"{overall.get('negative_recall', 0):.0f} %")
    third.metric("Of posts flagged negative, truly negative", f"{overall.get('negative_precision', 0):.0f} %")
    st.caption(f"Measured on {measured.source}.")
    frame = pd.DataFrame(measured.rows)
    if frame.empty:
        return
    frame["language"] = frame["language"].map(widgets.language_name)
    st.dataframe(
        frame[["language", "n", "macro_f1", "negative_recall", "negative_precision"]],
        hide_index=True,
        column_config={
            "language": "Language",
            "n": st.column_config.NumberColumn("Posts", format="%d"),
            "macro_f1": st.column_config.NumberColumn("Macro-F1", format="%.1f"),
            "negative_recall": st.column_config.NumberColumn("Negatives found %", format="%.1f"),
            "negative_precision": st.column_config.NumberColumn("Negative precision %", format="%.1f"),
        },
        key="settings.real_accuracy",
    )


def evaluation_table(metrics: dict[str, Any]) -> None:
    """The per-language evaluation of a model: learned vs rules, and where it is switched on."""
    rows = sentiment_training.evaluation_rows(metrics)
    if not rows:
        st.caption("No evaluation recorded for this model.")
        return
    frame = pd.DataFrame(rows)
    frame["active"] = frame["active"].map({True: "on", False: "off"}).fillna("—")
    method = str(metrics.get("method") or "")
    if method:
        st.caption(f"Evaluated by {method}.")
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "language": "Language",
            "n": st.column_config.NumberColumn("Evaluated on", format="%d"),
            "learned_f1": st.column_config.NumberColumn("Learned macro-F1", format="%.1f"),
            "rules_f1": st.column_config.NumberColumn("Rules macro-F1", format="%.1f"),
            "learned_negative_recall": st.column_config.NumberColumn("Negatives found %", format="%.1f"),
            "learned_negative_precision": st.column_config.NumberColumn("Negative precision %", format="%.1f"),
            "active": "Learned model",
        },
        key="settings.evaluation",
    )


def models_in_use(active: LearnedModel | None) -> tuple[LearnedModel | None, LearnedModel | None]:
    """(the model whose labels the Inbox shows, the fast model that labels an item until then).

    With the precise pass on (the default), every item is re-scored by the precise model shortly
    after it arrives, so its labels are the ones agents read: it leads, the fast model follows.
    Otherwise, or when the active model is the precise one, the active model alone."""
    precise = sentiment_worker.precise_model_for(active)
    if data.settings().precise_pass_batch <= 0 or precise is None or precise is active:
        return active, None
    return precise, active


def model_kind(model: LearnedModel | None) -> str:
    """ "Precise model", "Fast model", "Fast model, retrained here"…, or "Rules only"."""
    found = widgets.scorer_kind(f"learned-{model.version}") if model is not None else None
    return found[0] if found else "Rules only"


def fast_model_caption(fast: LearnedModel) -> None:
    """The fast model's figures on real posts, when it labels items only until the precise pass comes."""
    measured = accuracy.real_accuracy(fast)
    figures = ""
    if measured is not None and measured.overall:
        overall = measured.overall
        figures = (
            f": macro-F1 {overall['macro_f1']:.1f}, {overall['negative_recall']:.0f} % of negative posts found, "
            f"{overall['negative_precision']:.0f} % of its negatives truly negative, on {measured.source}"
        )
    st.caption(
        f"The {model_kind(fast).lower()} ({fast.version}) labels each item the moment it arrives, until the "
        f"precise model re-scores it (Re-scoring, below, shows how far behind it is){figures}. "
        + activation_caption(fast)
    )


def precise_off_caption(active: LearnedModel | None) -> None:
    """Where the precise model still works when the listener's pass is switched off."""
    if data.settings().precise_pass_batch > 0 or sentiment_worker.precise_model_for(active) is None:
        return
    st.caption(
        "The precise model is used by `python -m voc analyse`; re-scoring in the listener is off "
        "(VOC_PRECISE_PASS_BATCH)."
    )


def precise_backlog() -> None:
    """How far the background precise pass is behind ingest."""
    if data.settings().precise_pass_batch <= 0:
        return  # the pass is off: nothing is waiting for it
    waiting, total = sentiment_worker.precise_backlog(data.store())
    if not total:
        return
    if waiting:
        st.progress(
            (total - waiting) / total,
            text=f"Precise model: {total - waiting:,} of {total:,} items scored, {waiting:,} waiting (the listener works through them in arrival order)",
        )
    else:
        st.caption(f"Precise model: all {total:,} items scored (corrections by people kept as they are).")


@st.fragment(run_every="2s")
def rescoring_progress() -> None:
    """The latest re-scoring job, refreshed every two seconds while the listeners work on it."""
    job = data.store().latest_job(sentiment_training.RESCORE_JOB)
    if job is None:
        st.caption("No re-scoring has run yet.")
        return
    total = max(int(job["total"]), 1)
    done = min(int(job["done"]), total)
    status = str(job["status"])
    if status in ("queued", "running"):
        st.progress(done / total, text=f"Re-scoring stored items: {done:,} of {total:,} ({status})")
        if status == "queued":
            st.caption("Waiting for the listener process (`make run` starts it) to pick the job up.")
    elif status == "done":
        st.success(
            f"Re-scoring done: {done:,} items re-scored with model {job['params'].get('version', '?')}.",
            icon=":material/check:",
        )
    else:
        st.warning(f"Re-scoring stopped: {inert.escape(job.get('error') or status)}", icon=":material/warning:")
