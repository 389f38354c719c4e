"""The Sources page's metering sections: the cost and volume meter, and coverage gaps.

They began with X (the paid source) and now cover every source: free sources show their requests
and items read at no cost. Add and edit forms for every kind live in `ui.source_forms`.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from ui import data, widgets
from voc.models import SourceState
from voc.sources import costs


def cost_meter(sources: list[SourceState]) -> None:
    """Today's reads, estimated cost and budget per paid source, and the last seven days."""
    frame = costs.meter_frame(sources, data.usage_today())
    if frame.empty:
        return
    st.subheader("Volume, cost and quota today (UTC)")
    settings = data.settings()
    st.caption(
        f"X estimates at ${settings.x_post_read_usd:.3f} per post and ${settings.x_user_read_usd:.3f} per user read; "
        "X counts a resource once per UTC day, so the real bill can be lower. The X Developer Console is the bill. "
        "The other sources are free: their rows show requests and items read."
    )
    st.dataframe(
        frame.drop(columns=["pause_reason"]),
        hide_index=True,
        column_config={
            "source": "Source",
            "requests": st.column_config.NumberColumn("Requests"),
            "posts_read": st.column_config.NumberColumn("Posts read"),
            "users_read": st.column_config.NumberColumn("Users read"),
            "cost_usd": st.column_config.NumberColumn("Cost", format="$%.2f"),
            "budget_usd": st.column_config.NumberColumn("Daily budget", format="$%.2f"),
            "budget_used": st.column_config.ProgressColumn(
                "Budget used", min_value=0.0, max_value=1.0, format="percent"
            ),
            "paused_until": st.column_config.DatetimeColumn("Paused until", format="YYYY-MM-DD HH:mm z"),
        },
        placeholder=widgets.MISSING,
        key="cost-meter",
    )
    history = data.usage_history()
    if len(history) > len(frame):
        with st.expander("Reads per day, last 7 days"):
            st.dataframe(
                widgets.readable(history, tz=data.viewer_timezone()),
                hide_index=True,
                placeholder=widgets.MISSING,
            )


GAP_COLUMNS: Final = {
    "source": "Source",
    "gap_start": "From",
    "gap_end": "To",
    "reason": "Why",
    "detected_at": "Noticed",
}
GAP_TIMES: Final = ("gap_start", "gap_end", "detected_at")


def coverage_gaps() -> None:
    """Periods a source could not fetch (e.g. a cursor older than X's seven days)."""
    gaps = data.coverage_gaps()
    if not gaps:
        return
    st.subheader("Coverage gaps")
    st.caption("Posts from these periods could not be fetched; counts on Trends are low there.")
    st.dataframe(
        widgets.readable(pd.DataFrame(gaps), tz=data.viewer_timezone(), labels=GAP_COLUMNS, times=GAP_TIMES),
        hide_index=True,
        key="coverage-gaps",
    )
