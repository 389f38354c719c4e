"""Alerts: where alerts go (Slack, Teams, webhook, e-mail), the rules, and who acknowledged what."""

import streamlit as st

from ui import alerts, data, widgets
from voc.access.roles import Permission

widgets.ensure_frame()
st.title("Alerts")
widgets.show_flash()
open_total, total = data.alert_counts()
configurable = data.may(Permission.CONFIGURE_ALERTS)
channels = data.alert_channels()
if open_total and not channels:  # said first: a manager reading the list would think someone was told
    alerts.nobody_told(open_total, configurable=configurable)
if data.may(Permission.ACKNOWLEDGE_ALERT):
    alerts.open_alerts(open_total)

channels_tab, rules_tab, history_tab = st.tabs(["Channels", "Rules", "History"])
with channels_tab:
    if configurable:
        if not channels:
            st.info(
                "No channel yet: alerts are recorded but reach nobody. Add Slack, Teams, a webhook or e-mail.",
                icon=":material/notifications_off:",
            )
        kept = alerts.channel_list(channels)
        added = alerts.channel_form()
        if added is not None or len(kept) != len(channels):
            data.save_alert_channels(kept + ([added] if added else []))
            st.rerun()
    else:
        widgets.needs_role("where alerts go", Permission.CONFIGURE_ALERTS)
with rules_tab:
    if configurable:
        policy = alerts.policy_form(data.alert_policy())
        if policy is not None:
            data.save_alert_policy(policy)
            st.rerun()
    else:
        widgets.needs_role("the alert rules", Permission.CONFIGURE_ALERTS)
with history_tab:
    alerts.history_table(data.alert_history(), total)
