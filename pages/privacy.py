"""Privacy: how long each source keeps items, erasing one person's data on request, hidden handles."""

import streamlit as st

from ui import privacy as ui
from ui import widgets

widgets.ensure_frame()
st.title("Privacy")
widgets.show_flash()
actor = ui.admin_only()  # the domain checks again on every write

retention_tab, erasure_tab, handles_tab = st.tabs(["Retention", "Erasure", "Author handles"])
with retention_tab:
    st.caption("Delete items older than a number of days, per source (by the customer's posting time), "
               "with everything derived from them: labels, notes, embeddings, alerts, theme data and exports.")  # fmt: skip
    previews = ui.retention_previews(actor)
    days = ui.retention_form(previews)
    if days is not None:
        ui.save_retention(actor, days)
    ui.next_sweep_table(previews)
    if any(p.items for p in previews) and st.button("Sweep now", key="privacy.sweep", icon=":material/auto_delete:"):
        ui.sweep_now(actor)
    ui.survey_files_form(actor)
with erasure_tab:
    st.caption("Erase everything stored about one author or survey respondent: preview it, then confirm.")
    ui.last_result()
    kind, value = ui.erasure_form()
    found = ui.preview(actor, kind, value)
    if found is not None and found.empty:
        st.info("Nothing is stored for them: no items, VIP entry, alert or export names them.", icon=":material/check:")
    elif found is not None:
        ui.preview_tables(found)
        ui.confirm_and_erase(actor, kind, value)
with handles_tab:
    ui.handles_toggle(actor)
