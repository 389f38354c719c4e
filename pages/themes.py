"""Themes: coverage and per-theme trends, discovery proposals to promote, and the taxonomy editor."""

import streamlit as st

from ui import data, widgets
from ui import themes as ui
from voc.access.roles import Permission

widgets.ensure_frame()
st.title("Themes")
widgets.show_flash()
section = widgets.section(ui.SECTIONS)
tax = ui.taxonomy()

editable = data.may(Permission.EDIT_TAXONOMY)

if tax.version == 0:
    st.info(
        "No themes yet. Pick the starter set of your industry: you can rename, merge, split and archive "
        "its themes afterwards, and the items stored so far are sorted into them.",
        icon=":material/category:",
    )
    ui.starter_picker(editable=editable, first=True)
    if not editable:
        widgets.needs_role("the taxonomy", Permission.EDIT_TAXONOMY)
    st.stop()

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
        with st.expander("Industry starter sets"):
            ui.starter_picker(editable=editable, first=False)
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
