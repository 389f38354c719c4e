"""Trends: volume and sentiment over time, what spiked and why, this period against the previous one."""

import streamlit as st

from ui import charts, data, widgets
from ui import trends as view

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

filters = view.trend_filters(options, own_brand=data.settings().brand, now=data.utcnow())
report = data.trend_report(filters)
view.headline(report)
if report.summary.items == 0:
    st.info("No items match these filters: widen the range or choose all channels and languages.")
    st.stop()

st.altair_chart(
    charts.volume_chart(report.volume, filters.bucket_label, report.spikes, filters.local_window), width="stretch"
)
if not report.spikes.empty:
    st.caption("Spikes in this range: the hour that stood out, against what its trailing three days predicted.")
    view.spikes_table(report.spikes)
movers_col, sov_col = st.columns(2)
with movers_col:
    st.markdown(f"**Against the previous {view.span_words(filters)}: the themes that moved most**")
    if report.comparison is not None:
        view.movers_table(report.comparison)
with sov_col:
    st.markdown("**Share of voice in this range**")
    if report.share_of_voice.empty:
        st.caption("No brand mentions in this range.")
    else:
        view.share_of_voice_table(report.share_of_voice)
if not report.share_over_time.empty:
    st.altair_chart(
        charts.share_over_time_chart(
            report.share_over_time, report.share_of_voice, filters.share_bucket_label, filters.local_window
        ),
        width="stretch",
    )
    st.caption("Share of voice compares every brand's mentions in this range, whatever the brand filter.")
language_col, channel_col = st.columns(2)
with language_col:
    st.altair_chart(
        charts.breakdown_chart(report.languages, "language", "By language", widgets.language_name), width="stretch"
    )
with channel_col:
    st.altair_chart(
        charts.breakdown_chart(report.channels, "channel", "By channel", widgets.channel_name), width="stretch"
    )
st.caption(f"Times in {filters.tz}; one bar per {filters.bucket_label}.")
