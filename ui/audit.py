"""The Audit page's pieces: the filter bar, the table and the CSV download.

Streamlit-aware; the domain is `voc.access.audit`, which checks `READ_AUDIT` itself, so this module only
chooses filters and shows what it returns. Times are stored in UTC and shown in the viewer's zone;
the date range is read in that zone too.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, Final
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from ui import data, widgets
from voc.access import audit
from voc.access.audit import AuditFilters, AuditOptions
from voc.access.roles import role_name

ALL: Final = "All"
SHOWN: Final = 500  # rows on the page; the CSV has every matching row
TABLE_COLUMNS: Final[dict[str, Any]] = {
    "at": st.column_config.DatetimeColumn("When", format="D MMM YYYY HH:mm:ss"),
    "actor": "Who",
    "role": "Role",
    "action": "Action",
    "subject": st.column_config.TextColumn("On", width="medium"),
    "detail": st.column_config.TextColumn("Detail", width="large"),
}


def options() -> AuditOptions:
    """Actors, actions and the time span in the log (not cached: the newest write must show)."""
    return audit.audit_options(data.store(), actor=data.current_actor())


def filter_bar(found: AuditOptions, tz: str, now: datetime) -> AuditFilters:
    """Who, what and which days; the date range defaults to the whole log up to today."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    who_col, action_col, days_col = st.columns(3)
    who = who_col.selectbox("Actor", (ALL, *found.actors), key="audit.actor")
    action = action_col.selectbox(
        "Action",
        (ALL, *found.actions),
        key="audit.action",
        format_func=lambda a: a if a == ALL else audit.action_label(a),
    )
    first = found.first.astimezone(zone).date() if found.first else today
    picked = days_col.date_input("Dates", value=(min(first, today), today), format="YYYY-MM-DD", key="audit.dates")
    days = picked if isinstance(picked, tuple) else (picked,)
    since = until = None
    if len(days) == 2 and days[0] and days[1]:
        since, until = audit.day_range(days[0], days[1], tz)
    elif len(days) == 1 and days[0]:  # the second click of the range is still to come
        since, until = audit.day_range(days[0], days[0], tz)
    return AuditFilters(
        actor=None if who == ALL else who, action=None if action == ALL else action, since=since, until=until
    )


def entries(filters: AuditFilters, tz: str) -> tuple[pd.DataFrame, int]:
    """The newest matching rows, times in `tz`, and how many match in all."""
    store, actor = data.store(), data.current_actor()
    frame = audit.audit_frame(store, filters, actor=actor, limit=SHOWN)
    frame["at"] = frame["at"].dt.tz_convert(tz)
    settings = frame["action"].str.startswith("setting.")  # their subject is the setting's key
    frame.loc[settings, "subject"] = frame.loc[settings, "subject"].map(audit.action_label)
    frame["action"] = frame["action"].map(audit.action_label)
    frame["role"] = frame["role"].map(role_name)
    frame["detail"] = frame["detail"].map(lambda text: widgets.detail_words(text, tz))
    return frame, audit.count_entries(store, filters, actor=actor)


def download(filters: AuditFilters, matching: int, now: datetime) -> None:
    """The CSV of every matching row (UTC times, formula-safe text)."""
    st.download_button(
        f"Download CSV ({matching:,} row{'s' if matching != 1 else ''})",
        # Made when the button is pressed, not on every run of the page: the log grows with history.
        data=partial(audit.audit_csv, data.store(), filters, actor=data.current_actor()),
        file_name=f"audit-log-{now:%Y%m%d-%H%M}.csv",
        mime="text/csv",
        icon=":material/download:",
        disabled=matching == 0,
        key="audit.download",
        on_click=audit.record_download,
        args=(data.store(), filters, matching),
        kwargs={"actor": data.current_actor(), "now": now},
    )
