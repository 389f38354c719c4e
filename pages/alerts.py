"""Alerts: where alerts go (Slack, Teams, webhook, e-mail), the rules, and who acknowledged what."""

import streamlit as st

from ui import alerts, data, widgets

widgets.ensure_frame()
st.title("Alerts")
widgets.show_flash()
history = data.alert_history()
alerts.acknowledge_buttons(history)

channels_tab, rules_tab, history_tab = st.tabs(["Channels", "Rules", "History"])
with channels_tab:
    channels = data.alert_channels()
    if not channels:
        st.info("No channel yet: alerts are recorded but reach nobody. Add Slack, Teams, a webhook or e-mail.", icon=":material/notifications_off:")
    kept = alerts.channel_list(channels)
    added = alerts.channel_form()
    if added is not None or len(kept) != len(channels):
        data.save_alert_channels(kept + ([added] if added else []))
        st.rerun()
with rules_tab:
    policy = alerts.policy_form(data.alert_policy())
    if policy is not None:
        data.save_alert_policy(policy)
        st.rerun()
with history_tab:
    alerts.history_table(history)
