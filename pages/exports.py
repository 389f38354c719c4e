"""Exports: the weekly files product teams get, past ones to download, any range built on demand."""

import streamlit as st

from ui import data, widgets
from ui import exports as ui
from voc.access.roles import Permission

widgets.ensure_frame()
st.title("Exports")
widgets.show_flash()
current = ui.schedule()
when = f"every {ui.WEEKDAYS[current.weekday]} at {current.at:%H:%M} ({current.tz})" if current.enabled else "off"
st.caption(f"Weekly export: {when}. Files live in `data/exports/`; text is redacted and formula-safe.")

past, build_tab, schedule_tab = st.tabs(["Past exports", "Build", "Schedule"])
with build_tab:
    period, formats, go = ui.period_form(current.tz, data.utcnow().date())
    if go and period is not None:
        export = ui.build(period, formats)
        st.success(
            f"{export.label}: {export.items:,} items, taxonomy version {export.taxonomy_version}. Download it under Past exports."
        )
with past:
    ui.past_exports()
with schedule_tab:
    if data.may(Permission.SCHEDULE_EXPORTS):
        new = ui.schedule_form(current)
        if new is not None:
            ui.save(new)
            st.rerun()
    else:
        widgets.needs_role("the weekly schedule", Permission.SCHEDULE_EXPORTS)
