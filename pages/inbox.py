"""Inbox: the social-care team's queue, customers' words first, and one item's workspace."""

import streamlit as st

from ui import inbox, widgets

widgets.ensure_frame()
st.title("Inbox")
widgets.show_flash()
inbox.undo_banner()
chosen = inbox.queue_filter()
opened = inbox.opened_item_id()
if opened is not None:
    inbox.workspace(opened, chosen)  # the queue's Open, Next item, or an alert's link
    st.stop()

page = inbox.queue_page(chosen)
inbox.view_picker(page)
inbox.queue_list(page)
inbox.bulk_actions(page)
inbox.metrics_row()
