"""Settings: the sentiment scorer (what is active, how it scores per language, retrain, re-score),
the care team's SLA targets, business hours and VIP customers, saved replies and translation, one
tab each so the page stays one screen or two."""

import streamlit as st

from ui import care_settings, data, replies, widgets
from ui import sentiment as sentiment_ui
from voc.sentiment import worker as sentiment_worker

widgets.ensure_frame()
st.title("Settings")
widgets.show_flash()

sentiment_tab, care_tab, vip_tab, saved_tab, translation_tab = st.tabs(
    ["Sentiment", "SLA and business hours", "VIP customers", "Saved replies", "Translation"]
)
with sentiment_tab:
    store = data.store()
    model = sentiment_worker.active_model(store)
    # The model whose labels agents read leads (the precise one, with its pass on), the fast one follows.
    shown, fast = sentiment_ui.models_in_use(model)
    labels = store.count_sentiment_labels()
    left, middle, right = st.columns(3)
    left.metric("Labels your items", sentiment_ui.model_kind(shown), help=f"Version {shown.version}" if shown else None)
    middle.metric("Corrections", f"{labels.get('correction', 0):,}")
    right.metric("Imported and survey labels", f"{labels.get('import', 0) + labels.get('weak', 0):,}")
    if fast is None and model is not None:
        st.caption(sentiment_ui.activation_caption(model))
    st.subheader("Accuracy on real posts")
    sentiment_ui.real_accuracy_section(shown)
    if fast is not None:
        sentiment_ui.fast_model_caption(fast)
    sentiment_ui.precise_off_caption(model)

    st.subheader("Retrain")
    st.caption(
        "Trains on the built-in examples plus this workspace's corrections, imported labels "
        "(`python -m voc sentiment import-labels FILE`) and survey scores; a fifth of the labels is held back "
        "to decide, language by language, whether the new model beats the rules. Stored items are then re-scored."
    )
    if st.button("Retrain now", type="primary", icon=":material/model_training:", key="settings.retrain"):
        result = sentiment_ui.retrain_with_progress()
        if result is not None:
            st.session_state[data.FLASH_KEY] = (
                f"Model {result.version} trained on {result.trained_on:,} texts and switched on"
            )
            st.rerun()

    st.subheader("Re-scoring")
    sentiment_ui.rescoring_progress()
    sentiment_ui.precise_backlog()
    counts = store.scorer_counts()
    if counts:
        st.caption(
            "Items by the scorer that labelled them: "
            + "; ".join(
                f"{widgets.scorer_name(name)}: {n:,}" for name, n in sorted(counts.items(), key=lambda kv: -kv[1])
            )
        )

with care_tab:
    care_settings.sla_section()
with vip_tab:
    care_settings.vip_section()
with saved_tab:
    replies.saved_replies_section()
with translation_tab:
    replies.translation_section()
