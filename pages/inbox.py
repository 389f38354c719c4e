"""Inbox: the social-care team's queue of negative items (and those whose sentiment needs review)."""

import streamlit as st

from ui import data, inbox, widgets
from ui import sentiment as sentiment_ui
from voc.inbox import triage
from voc.sentiment import review

widgets.ensure_frame()
st.title("Inbox")
widgets.show_flash()
view = widgets.inbox_filters(data.filter_options())
include_chatter = inbox.chatter_toggle()
refresh = st.button("Refresh", icon=":material/refresh:", help="Load items that arrived since you opened the inbox")
editor_key, snapshot = widgets.inbox_snapshot(view, refresh=refresh)
queue = data.inbox(view.statuses, view.channel, view.language, snapshot)
queue = inbox.with_workflow(queue, view, snapshot, include_neutral=include_chatter)
inbox.metrics_row()
linked = inbox.linked_item_id()
if linked is not None:
    inbox.item_panel(queue, linked=linked)  # opened from a link (an alert): the item before the queue

if queue.empty:
    st.info(
        "Nothing waiting here: no negative items, questions or urgent requests match these filters. "
        "New ones appear as the listeners bring them in — press Refresh.",
        icon=":material/inbox:",
    )
    st.stop()

flagged = int(queue["needs_review"].sum())
st.caption(
    f"{len(queue)} items, highest priority first (clocks from posting time): negative ones, questions, "
    f"urgent requests, and {flagged} whose sentiment needs review. "
    "Edit Status, Assignee or Sentiment, then Save."
)
shown = widgets.in_timezone(queue, "posted_at", data.viewer_timezone())
edited = st.data_editor(
    shown,
    key=editor_key,
    column_config={**widgets.inbox_columns(), **sentiment_ui.review_columns(), **inbox.column_config()},
    column_order=inbox.column_order(sentiment_ui.column_order(widgets.INBOX_COLUMN_ORDER)),
    disabled=triage.READ_ONLY_COLUMNS + sentiment_ui.REVIEW_READ_ONLY + inbox.WORKFLOW_COLUMNS,
    hide_index=True,
    num_rows="fixed",
)
changes = triage.changes_from_editor(queue, edited)
corrections = review.corrections_from_editor(queue, edited)
count = len(changes) + sum(len(ids) for ids in corrections.values())
label = f"Save {count} change{'s' if count != 1 else ''}"
if st.button(label, key="inbox.save", type="primary", disabled=not count, icon=":material/save:"):
    if changes:
        data.save_triage(changes)
    if corrections:
        sentiment_ui.save_corrections(corrections)
    widgets.new_inbox_snapshot()
    st.rerun()

sentiment_ui.why_panel(queue)
single = widgets.mark_as_form(queue)
if single:
    data.save_triage(single)
    widgets.new_inbox_snapshot()
    st.rerun()
many = sentiment_ui.correction_form(queue)
if many:
    sentiment_ui.save_corrections(many)
    widgets.new_inbox_snapshot()
    st.rerun()
bulk = inbox.bulk_actions(queue)
if bulk:
    data.save_triage(bulk)
    widgets.new_inbox_snapshot()
    st.rerun()
if linked is None:
    inbox.item_panel(queue)
