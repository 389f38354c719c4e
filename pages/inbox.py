"""Inbox: the social-care team's queue of negative items waiting for an answer."""

import streamlit as st

from ui import data, widgets
from voc import triage

widgets.ensure_frame()
st.title("Inbox")
widgets.show_flash()
view = widgets.inbox_filters(data.filter_options())
refresh = st.button("Refresh", icon=":material/refresh:", help="Load items that arrived since you opened the inbox")
editor_key, snapshot = widgets.inbox_snapshot(view, refresh=refresh)
queue = data.inbox(view.statuses, view.channel, view.language, snapshot)

if queue.empty:
    st.info(
        "Nothing waiting here: no negative items match these filters. "
        "New ones appear as the listeners bring them in — press Refresh.",
        icon=":material/inbox:",
    )
    st.stop()

st.caption(f"{len(queue)} negative items, newest first. Edit Status or Assignee, then Save.")
shown = widgets.in_timezone(queue, "posted_at", data.viewer_timezone())
edited = st.data_editor(
    shown,
    key=editor_key,
    column_config=widgets.inbox_columns(),
    column_order=widgets.INBOX_COLUMN_ORDER,
    disabled=triage.READ_ONLY_COLUMNS,
    hide_index=True,
    num_rows="fixed",
)
changes = triage.changes_from_editor(queue, edited)
label = f"Save {len(changes)} change{'s' if len(changes) != 1 else ''}"
if st.button(label, key="inbox.save", type="primary", disabled=not changes, icon=":material/save:"):
    data.save_triage(changes)
    widgets.new_inbox_snapshot()
    st.rerun()

single = widgets.mark_as_form(queue)
if single:
    data.save_triage(single)
    widgets.new_inbox_snapshot()
    st.rerun()
