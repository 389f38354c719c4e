"""Sources: is each listener polling, and if not, why."""

import streamlit as st

from ui import data, widgets

widgets.ensure_frame()
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
    st.caption(f"A source is stale when its heartbeat is older than {stale_after_s:.0f} s.")
    for source in sources:
        widgets.source_card(source, now, stale_after_s)


source_health()
