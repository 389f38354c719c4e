"""Sources: is each listener polling, and if not, why; volume and cost; add, edit, test and delete sources."""

import streamlit as st

from ui import data, source_forms, widgets, x_sources

widgets.ensure_frame()
widgets.show_flash()
st.title("Sources")
stale_after_s = data.settings().heartbeat_stale_after_s


@st.fragment(run_every="15s")
def source_health() -> None:
    """Re-read heartbeats every 15 s so "12 s ago" and the states stay current."""
    sources = data.sources()
    if not sources:
        st.info(
            "No sources registered yet. Start the listeners with `make run` or `python -m listeners`: "
            "the demo feed registers itself on first start.",
            icon=":material/sensors_off:",
        )
        return
    now = data.utcnow()
    source_forms.credential_notices(sources)
    st.caption(f"A source is stale when its heartbeat is older than {stale_after_s:.0f} s.")
    widgets.source_cards(sources, now, stale_after_s, data.skipped_entries())
    x_sources.cost_meter(sources)
    x_sources.coverage_gaps()


source_health()
sources = data.sources()
source_forms.edit_forms(sources)
source_forms.add_forms(sources)
source_forms.delete_form(sources)
