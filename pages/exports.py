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
    running = ui.latest_build(data.store())
    period, formats, go = ui.period_form(current.tz, data.utcnow().date(), busy=running is not None and running.active)
    if go and period is not None:
        ui.start_build(period, formats)
        st.rerun()  # the button greys out and the progress shows
    ui.build_status()
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
