"""The Settings page's care sections: SLA targets and business hours per team, and the VIP list.

Streamlit-aware; the domain is `voc.inbox.care_settings` (validation, saving, the hashing of e-mails
and customer ids). Everyone sees the current values; only someone who may configure care (an
admin) gets the forms, and the domain checks the role again on every save.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, timedelta

import pandas as pd
import streamlit as st

from ui import data, inert
from voc.access.roles import AccessDenied, Permission
from voc.inbox import care_settings
from voc.inbox.care_settings import CareSettingsError
from voc.inbox.priority import TIER_WEIGHTS, tier_name
from voc.inbox.sla import DEFAULT_TEAM, TIERS, SlaPolicy, SlaSettings
from voc.inbox.vip import VipList

READ_ONLY = "Read-only: only an admin can change these settings."
NEW_TEAM = "+ New team"
TEAM_KEY = "care.sla.team"
_SELECT_NEXT = "care.sla.select"  # the team to show after a save (a widget's key cannot be set once drawn)
_VIP_VERSION = "care.vip.version"
_VIP_PROBLEMS = "care.vip.problems"


def sla_section() -> None:
    """The teams' targets, zones, hours and channels; an admin edits one team at a time."""
    settings = data.care_sla()
    st.caption(
        "Clocks start when the customer posted and run only in the team's business hours, on its own wall "
        "clock (DST included). Channels not routed to a team are answered by the default team."
    )
    st.table(inert.escape_frame(pd.DataFrame(care_settings.sla_overview(settings)).set_index("Team")))
    if not data.may(Permission.CONFIGURE_CARE):
        st.caption(READ_ONLY)
        return
    if _SELECT_NEXT in st.session_state:
        st.session_state[TEAM_KEY] = st.session_state.pop(_SELECT_NEXT)
    names = sorted(settings.teams, key=lambda n: (n != DEFAULT_TEAM, n.casefold()))
    team = st.selectbox("Team to change", [*names, NEW_TEAM], key=TEAM_KEY) or DEFAULT_TEAM
    _team_form(settings, team)


def _team_form(settings: SlaSettings, team: str) -> None:
    new = team == NEW_TEAM
    policy = SlaPolicy() if new else settings.teams[team]
    hours = policy.hours
    key = f"care.sla.{'+new' if new else team}"  # keys per team: choosing another shows its values
    with st.form("care.sla.form", border=True):
        name = st.text_input("Team name", key=f"{key}.name", placeholder="Night shift") if new else team
        columns = st.columns(3)
        targets = {
            tier: columns[i].number_input(
                f"{tier.capitalize()} target (hours)", min_value=0.0, value=policy.target(tier) / timedelta(hours=1),
                step=0.25, format="%.2f", key=f"{key}.{tier}", help="Business hours to a first response; 0.5 = 30 minutes",
            )
            for i, tier in enumerate(TIERS)
        }  # fmt: skip
        tz = st.text_input(
            "Time zone", value=hours.tz, key=f"{key}.tz",
            help="An IANA name such as Europe/London or America/New_York: the hours below are on its wall clock",
        )  # fmt: skip
        days = st.multiselect(
            "Open weekdays", list(range(7)), default=list(hours.days), key=f"{key}.days",
            format_func=lambda d: care_settings.WEEKDAYS[d],
        )  # fmt: skip
        left, right = st.columns(2)
        opens = left.time_input("Opens", value=hours.start, step=900, key=f"{key}.opens")
        closes = right.time_input(
            "Closes", value=hours.end or time(0), step=900, key=f"{key}.closes", help="00:00: open until midnight"
        )
        channels = _channels_input(settings, team, key) if team != DEFAULT_TEAM else None
        save = st.form_submit_button("Save SLA settings", type="primary", icon=":material/save:")
        remove = (
            not new and team != DEFAULT_TEAM and st.form_submit_button("Remove this team", icon=":material/delete:")
        )
    try:
        if save:
            policy = care_settings.team_policy(
                targets_hours=targets, tz=tz, days=days, opens=opens or time(0), closes=closes
            )
            save_sla_settings(care_settings.with_team(settings, name, policy, channels, new=new))
            st.session_state[_SELECT_NEXT] = name.strip()
            st.rerun()
        if remove:
            save_sla_settings(care_settings.without_team(settings, team))
            st.session_state[_SELECT_NEXT] = DEFAULT_TEAM
            st.rerun()
    except CareSettingsError as error:
        problems("SLA settings not saved", error.problems)
    except AccessDenied as error:
        st.error(str(error), icon=":material/block:")


def _channels_input(settings: SlaSettings, team: str, key: str) -> list[str]:
    if team == NEW_TEAM:
        current: list[str] = []
    else:
        current = care_settings.team_channels(settings, team)
    known = sorted({*data.filter_options().channels, *settings.routes, *current})
    return st.multiselect(
        "Channels this team answers", known, default=current, key=f"{key}.channels", accept_new_options=True,
        help="A channel answers to one team: choosing it here moves it from another team",
    )  # fmt: skip


def vip_section() -> None:
    """The VIP list as a table: an admin edits it in place (add, re-tier, delete rows)."""
    vip = data.care_vip()
    frame = pd.DataFrame(care_settings.vip_rows(vip), columns=["customer", "tier"], dtype="object")
    weights = ", ".join(f"{tier_name(tier)} ×{weight:.1f}" for tier, weight in TIER_WEIGHTS.items())
    st.caption(
        "Handles (@name) as typed; e-mails and customer ids are stored only as a salted hash, shown as "
        f"key:…, so the list never holds an address. Each tier multiplies the priority: {weights}."
    )
    left_out = st.session_state.pop(_VIP_PROBLEMS, None)
    if left_out:
        problems(
            f"{len(left_out)} row{'s were' if len(left_out) != 1 else ' was'} left out: fix and add again", left_out
        )
    columns = {
        "customer": st.column_config.TextColumn(
            "Customer", help="@handle, e-mail address or customer id", max_chars=200
        ),
        "tier": st.column_config.SelectboxColumn(
            "Tier",
            options=list(TIER_WEIGHTS),
            default="vip",
            format_func=lambda tier: tier_name(str(tier)),
        ),
    }
    if not data.may(Permission.CONFIGURE_CARE):
        if frame.empty:
            st.info("No VIP customers yet.", icon=":material/star:")
        else:
            st.dataframe(frame, column_config=columns, hide_index=True, key="care.vip.table")
        st.caption(READ_ONLY)
        return
    version = st.session_state.get(_VIP_VERSION, 0)
    with st.form("care.vip.form", border=True):
        edited = st.data_editor(
            frame, column_config=columns, num_rows="dynamic", hide_index=True, key=f"care.vip.editor-{version}"
        )
        submitted = st.form_submit_button("Save VIP list", type="primary", icon=":material/save:")
    if not submitted:
        return
    parsed = care_settings.parse_vip_rows(edited[["customer", "tier"]].itertuples(index=False, name=None))
    try:
        save_vip_list(parsed.vip)
    except CareSettingsError as error:
        problems("VIP list not saved", error.problems)
        return
    except AccessDenied as error:
        st.error(inert.escape(error), icon=":material/block:")
        return
    st.session_state[_VIP_PROBLEMS] = [str(p) for p in parsed.problems]
    st.session_state[_VIP_VERSION] = version + 1  # a fresh editor, filled from what was stored
    st.rerun()


def problems(title: str, items: Sequence[str]) -> None:
    """One error box: what happened, then each reason on its own line."""
    st.error(f"{title}:\n\n" + "\n".join(f"- {inert.escape(item)}" for item in items), icon=":material/error:")


def save_sla_settings(settings: SlaSettings) -> None:
    """Store the SLA settings as the current person (`CareSettingsError`, `AccessDenied` pass up),
    and queue a toast (the Inbox reads them on its next run: nothing is cached)."""
    care_settings.save_sla_settings(data.store(), settings, actor=data.current_actor(), now=data.utcnow())
    st.session_state[data.FLASH_KEY] = "SLA settings saved: the inbox's clocks use them now"


def save_vip_list(vip: VipList) -> None:
    """Store the VIP list as the current person and queue a toast (the queue re-orders on its next run)."""
    saved = care_settings.save_vip_list(data.store(), vip, actor=data.current_actor(), now=data.utcnow())
    count = len(saved.handles) + len(saved.keys)
    st.session_state[data.FLASH_KEY] = f"VIP list saved: {count} customer{'s' if count != 1 else ''}"
