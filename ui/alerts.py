"""The Alerts page's pieces: channel forms with a test-send button, the policy, the history.

Streamlit-aware; the domain is `voc.alerts`. Secrets (webhook URLs, SMTP passwords) are entered
in password fields and shown masked afterwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from ui import data, inert, widgets
from voc.alerts import service
from voc.alerts.channels import Channel, ChannelKind, DeliveryError
from voc.inbox.sla import format_duration

KIND_LABELS = {
    ChannelKind.SLACK: "Slack webhook",
    ChannelKind.TEAMS: "Microsoft Teams webhook",
    ChannelKind.WEBHOOK: "JSON webhook",
    ChannelKind.EMAIL: "E-mail (SMTP)",
}
HISTORY_COLUMNS: dict[str, Any] = {
    "created_at": st.column_config.DatetimeColumn("Raised", format="D MMM HH:mm"),
    "rule": "Rule", "title": st.column_config.TextColumn("Alert", width="large"), "status": "Status",
    "acknowledged_by": "Acknowledged by", "minutes_to_ack": st.column_config.NumberColumn("Minutes to ack", format="%.0f"),
    "acked_within_target": st.column_config.CheckboxColumn("Within target"),
    "escalated_at": st.column_config.DatetimeColumn("Escalated", format="D MMM HH:mm"),
    "deliveries": "Deliveries", "delivery_error": "Last error",
}  # fmt: skip
OPEN_PER_PAGE = 10


def channel_form() -> Channel | None:
    """A form for a new channel; returns it when submitted and valid."""
    choice = st.selectbox(
        "Kind", list(ChannelKind), format_func=lambda k: KIND_LABELS[ChannelKind(k)], key="alerts.kind"
    )
    kind = ChannelKind(choice or ChannelKind.SLACK)
    with st.form("alerts.channel", border=True):
        name = st.text_input("Name", placeholder="care-team-slack")
        values: dict[str, object] = {"name": name, "kind": str(kind)}
        if kind is ChannelKind.EMAIL:
            values["smtp_host"] = st.text_input("SMTP host")
            values["smtp_port"] = st.number_input("SMTP port", min_value=1, max_value=65535, value=587)
            values["smtp_starttls"] = st.checkbox("STARTTLS", value=True)
            values["smtp_username"] = st.text_input("SMTP user")
            values["smtp_password"] = st.text_input("SMTP password", type="password")
            values["mail_from"] = st.text_input("From")
            values["mail_to"] = [a.strip() for a in st.text_input("To (comma-separated)").split(",")]
        else:
            values["url"] = st.text_input(
                "Webhook URL", type="password", help="Stored in the workspace database; shown masked"
            )
        values["escalation"] = st.checkbox("Escalation contact (gets alerts nobody acknowledged in time)")
        values["max_per_hour"] = st.number_input("At most messages per hour", min_value=1, value=30)
        if not st.form_submit_button("Add channel", type="primary"):
            return None
    try:
        return Channel.from_json(values)
    except (ValueError, KeyError) as error:
        st.error(inert.escape(error))
        return None


def channel_list(channels: list[Channel]) -> list[Channel]:
    """Each channel with Test and Remove buttons; returns the channels to keep."""
    keep = list(channels)
    for channel in channels:
        with st.container(border=True):
            left, test_col, remove_col = st.columns([5, 1, 1], vertical_alignment="center")
            role = "escalation" if channel.escalation else "first contact"
            left.markdown(
                f"**{inert.escape(channel.name)}** · {KIND_LABELS[channel.kind]} · {role}  \n{inert.escape(channel.masked)}"
            )
            if test_col.button("Test", key=f"alerts.test.{channel.name}", icon=":material/send:"):
                try:
                    service.send_test_message(channel, app_url=data.alert_policy().app_url)
                    st.toast(f"Test message sent to {inert.escape(channel.name)}")
                except DeliveryError as error:  # it may quote the remote server's answer
                    st.error(f"{inert.escape(channel.name)}: {inert.escape(error)}")
            if remove_col.button("Remove", key=f"alerts.remove.{channel.name}"):
                keep = [c for c in keep if c.name != channel.name]
    return keep


def policy_form(policy: service.AlertPolicy) -> service.AlertPolicy | None:
    with st.form("alerts.policy"):
        left, right = st.columns(2)
        very_unhappy = left.checkbox(
            "Very unhappy customer (survey recovery: NPS 0–6 with a negative comment, CSAT 1–2, urgent words)",
            value=policy.very_unhappy, key="alerts.rule.very_unhappy",
            help="Off: such respondents still top the inbox, but no manager is alerted",
        )  # fmt: skip
        negative = left.checkbox("Negative post from a high-reach author", value=policy.negative_high_reach)
        reach = left.number_input("High reach: followers at least", min_value=0, value=policy.reach_at_least, step=1000)
        urgent = left.checkbox(
            "Urgent words (cancel, refund, lawyer, outage… in the post's language)", value=policy.urgent_words
        )
        spikes = left.checkbox("Volume and negative-share spikes", value=policy.spikes)
        cooldown = right.number_input(
            "Cooldown per rule and author (minutes)", min_value=0, value=int(policy.cooldown.total_seconds() // 60)
        )
        escalate = right.number_input(
            "Escalate when not acknowledged after (minutes)",
            min_value=1,
            value=int(policy.escalate_after.total_seconds() // 60),
        )
        target = right.number_input(
            "Acknowledgement target (minutes)", min_value=1, value=int(policy.ack_target.total_seconds() // 60)
        )
        app_url = right.text_input("App address (for links in alerts)", value=policy.app_url)
        if not st.form_submit_button("Save rules"):
            return None
    return service.AlertPolicy(
        very_unhappy=very_unhappy, negative_high_reach=negative, reach_at_least=int(reach), urgent_words=urgent, spikes=spikes,
        cooldown=timedelta(minutes=cooldown), escalate_after=timedelta(minutes=escalate), ack_target=timedelta(minutes=target), app_url=app_url,
    )  # fmt: skip


def history_table(frame: pd.DataFrame, total: int) -> None:
    """Every alert, newest first; the table scrolls, and says when older alerts are left out."""
    if total > len(frame):
        st.caption(f"The newest {len(frame):,} of {total:,} alerts.")
    st.dataframe(
        frame.assign(rule=frame["rule"].map(widgets.human_label), status=frame["status"].map(widgets.human_label)),
        column_config=HISTORY_COLUMNS,
        column_order=list(HISTORY_COLUMNS),
        hide_index=True,
        key="alerts.history",
        placeholder=widgets.MISSING,
    )


def waiting_for(since: Any, now: datetime) -> str:
    """How long an open alert's customer has waited (`service.waiting_since`): "12 min", "2 h 05 min"."""
    start = pd.Timestamp(since)
    start = start.tz_localize("UTC") if start.tzinfo is None else start
    return format_duration(max(now - start.to_pydatetime(), timedelta(0)))


def page_of_open_alerts(page: slice) -> pd.DataFrame:
    """The open alerts of the page picked: one page on from the page shown goes by key (the alerts
    after its last, or before its first), so acknowledgements and new alerts in between neither
    skip nor repeat one; a jump goes by position."""
    number = page.start // OPEN_PER_PAGE
    shown = st.session_state.get("alerts.shown")  # (page number, first id, last id)
    size = page.stop - page.start
    found = None
    if shown is not None and number == shown[0] + 1:
        found = data.open_alerts(offset=0, limit=size, older_than=shown[2])
    elif shown is not None and number == shown[0] - 1 and number > 0:
        found = data.open_alerts(offset=0, limit=size, newer_than=shown[1])
    if found is None or len(found) < size:  # a jump, or the page's neighbours have left: by position
        found = data.open_alerts(offset=page.start, limit=size)
    if not found.empty:
        st.session_state["alerts.shown"] = (number, int(found["id"].iloc[0]), int(found["id"].iloc[-1]))
    return found


def nobody_told(open_total: int, *, configurable: bool) -> None:
    """Open alerts with no channel reach nobody: said above the list, with who can change it."""
    count = "1 open alert reaches" if open_total == 1 else f"{open_total:,} open alerts reach"
    where = (
        "add Slack, Teams, a webhook or e-mail under Channels below"
        if configurable
        else "ask an admin to add Slack, Teams, a webhook or e-mail"
    )
    st.warning(f"No channel is set up: {count} nobody outside this page. To be told at once, {where}.",
               icon=":material/notifications_off:")  # fmt: skip


def open_alerts(total: int) -> None:
    """The open alerts, newest first and a page at a time, each with how long its customer has
    waited, a link to its item in the Inbox and an Acknowledge button."""
    if total == 0:
        st.caption(":material/notifications_none: No open alert: every alert has been acknowledged.")
        return
    if total <= OPEN_PER_PAGE:
        st.caption(f"{total} open alert{'s' if total != 1 else ''}, newest first")
    page = widgets.pager(total, key="alerts_page", per_page=OPEN_PER_PAGE, noun="open alerts")
    now = data.utcnow()
    for row in page_of_open_alerts(page).itertuples():
        left, middle, right = st.columns([6, 1, 1], vertical_alignment="center")
        left.markdown(
            f":material/notifications_active: {inert.escape(row.title)} :gray[· waiting {waiting_for(row.waiting_since, now)}]"
        )
        if pd.notna(row.item_id):
            middle.page_link(
                "pages/inbox.py",
                label="Open",
                icon=":material/open_in_new:",
                query_params={"item": str(int(row.item_id))},
            )
        if right.button("Acknowledge", key=f"alerts.ack.{row.id}"):
            data.acknowledge_alert(int(row.id))
            st.rerun()
