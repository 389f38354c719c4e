"""The frame: page config, sidebar (listener health, local-mode badge) and the page router."""

import streamlit as st

from ui import auth, data, widgets

st.set_page_config(page_title="Customer voice", page_icon=":material/forum:", layout="wide")
actor = auth.sign_in_gate()  # team mode: nothing below runs until someone with a role is signed in

pages = st.navigation(
    {
        "Insights": [
            st.Page("pages/trends.py", title="Trends", icon=":material/monitoring:", url_path="trends", default=True),
            st.Page("pages/themes.py", title="Themes", icon=":material/category:", url_path="themes"),
            st.Page("pages/exports.py", title="Exports", icon=":material/download:", url_path="exports"),
        ],
        "Care": [
            st.Page("pages/inbox.py", title="Inbox", icon=":material/inbox:", url_path="inbox"),
            st.Page("pages/surveys.py", title="Surveys", icon=":material/poll:", url_path="surveys"),
            st.Page("pages/alerts.py", title="Alerts", icon=":material/notifications:", url_path="alerts"),
        ],
        "Operations": [
            st.Page("pages/sources.py", title="Sources", icon=":material/sensors:", url_path="sources"),
            st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
        ],
    }
)


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

pages.run()
