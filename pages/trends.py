"""Trends: volume and sentiment over time, by language, channel and brand, for a shareable view."""

import streamlit as st

from ui import charts, data, widgets
from voc.trends import queries as trends

widgets.ensure_frame()
st.title("Trends")
options = data.filter_options()
if not options.channels:
    st.info(
        "No items yet — the listeners are starting; the demo feed fills this within a minute. "
        "If nothing appears, start them with `make run` or `python -m listeners`.",
        icon=":material/hourglass_top:",
    )
    widgets.rerun_when_items_arrive()
    st.stop()

filters = widgets.trend_filters(options, own_brand=data.settings().brand, now=data.utcnow())
report = data.trend_report(filters)
summary = report.summary

items_col, negative_col, nps_col = st.columns(3)
items_col.metric("Items", f"{summary.items:,}", border=True)
negative_col.metric("Negative share", trends.format_share(summary.negative_share), border=True)
nps_col.metric(
    "NPS",
    "—" if summary.nps is None else f"{summary.nps:+.0f}",
    help=f"Net Promoter Score of {summary.survey_responses} survey responses in range",
    border=True,
)
if summary.items == 0:
    st.info("No items match these filters: widen the range or choose all channels and languages.")
    st.stop()

st.altair_chart(charts.volume_chart(report.volume, filters.bucket_label, report.spikes), width="stretch")
if not report.spikes.empty:
    st.caption(
        "Dashed red lines mark detected spikes (volume or negative share); hover for why. Details on the Alerts page."
    )
language_col, channel_col = st.columns(2)
with language_col:
    st.altair_chart(charts.breakdown_chart(report.languages, "language", "By language"), width="stretch")
with channel_col:
    st.altair_chart(charts.breakdown_chart(report.channels, "channel", "By channel"), width="stretch")
if not report.share_of_voice.empty:
    st.altair_chart(charts.share_of_voice_chart(report.share_of_voice), width="stretch")
    st.caption("Share of voice compares every brand's mentions in this range, whatever the brand filter.")
st.caption(f"Times in {filters.tz}; one bar per {filters.bucket_label}.")
