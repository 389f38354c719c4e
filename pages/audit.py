"""Audit: every write with who, when and what, newest first; filter it and download it (admins only)."""

import streamlit as st

from ui import audit as ui
from ui import data, widgets

widgets.ensure_frame()
st.title("Audit")
st.caption(
    "One row per change anyone made (triage, notes, corrections, sources, alert channels, themes, roles, "
    "privacy) and per background job, written in the same transaction as the change itself. "
    "Details hold names and counts, never secrets."
)
tz, now = data.viewer_timezone(), data.utcnow()
found = ui.options()
if not found.actions:
    st.info("Nothing recorded yet: the log fills as people and processes change things.", icon=":material/history:")
    st.stop()

filters = ui.filter_bar(found, tz, now)
rows, matching = ui.entries(filters, tz)
shown = f"showing the newest {len(rows):,}" if matching > len(rows) else "newest first"
st.caption(f"{matching:,} entr{'ies' if matching != 1 else 'y'} match ({shown}); times in {tz}.")
st.dataframe(rows, column_config=ui.TABLE_COLUMNS, hide_index=True, placeholder=widgets.MISSING)
ui.download(filters, matching, now)
