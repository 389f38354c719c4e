"""Themes: coverage and per-theme trends, discovery proposals to promote, and the taxonomy editor."""

import streamlit as st

from ui import data, widgets
from ui import themes as ui
from voc.access.roles import Permission

widgets.ensure_frame()
st.title("Themes")
widgets.show_flash()
section = ui.section()
tax = ui.taxonomy()

editable = data.may(Permission.EDIT_TAXONOMY)

if section == "Proposals":
    ui.proposals_section(editable=editable)
    st.stop()

if section == "Taxonomy":
    ui.reassignment_progress()
    ui.taxonomy_table(tax)
    if editable:
        st.subheader("Edit a theme")
        ui.edit_theme(tax)
        st.subheader("Merge, split, move, archive, create")
        ui.structure_forms(tax)
    else:
        widgets.needs_role("the taxonomy", Permission.EDIT_TAXONOMY)
    with st.expander("Version history"):
        ui.version_history()
    st.stop()

filters = ui.range_filters(data.utcnow())
summary = ui.coverage_metrics(filters)
if filters.theme:
    ui.theme_detail(filters)
else:
    ui.summary_table(summary)
    st.caption(
        "Pick a theme (or Unthemed) above for its volume, sentiment, NPS and CSAT over time, its items and an export."
    )
