"""The frame: page config, sign-in gate, the role-based page router and the sidebar (listener health, mode)."""

from pathlib import Path

import streamlit as st

from ui import auth, data, navigation, widgets
from voc.access.roles import AccessDenied

# The icon ships with the app (a material-icon favicon is fetched from fonts.gstatic.com): the
# browser asks no host but the app's own.
st.set_page_config(
    page_title="Customer voice", page_icon=str(Path(__file__).parent / "ui" / "favicon.svg"), layout="wide"
)
actor = auth.sign_in_gate()  # team mode: nothing below runs until someone with a role is signed in

route = navigation.route(actor)  # the sidebar lists what the role may open; others say which role they need


@st.fragment(run_every="15s")
def listener_health() -> None:
    """Re-read heartbeats every 15 s without rerunning the page."""
    widgets.listener_badge(data.sources(), data.utcnow(), data.settings().heartbeat_stale_after_s)


with st.sidebar:
    listener_health()
    if data.local_mode():
        st.badge("Local mode", color="blue", icon=":material/computer:")
        st.caption(f"Single user on this computer, no sign-in: changes are recorded as “{data.LOCAL_USER}”.")
    else:
        auth.signed_in_badge(actor)

try:
    route.run()
except AccessDenied as refused:  # pages hide what a role may not do; a crafted request still gets words, not a trace
    st.error(f"Not allowed: {refused}", icon=":material/block:")
