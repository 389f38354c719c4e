"""Altair charts drawn from the domain's frames: trends (volume, breakdowns, share of voice) and
survey scores. The domain returns pandas frames and knows nothing of charts; these functions turn
frames into chart specs and know nothing of Streamlit's widgets (pages pass them to
`st.altair_chart`), so unit tests check the specs directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import altair as alt
import pandas as pd

from voc.trends.queries import SENTIMENTS

SENTIMENT_COLORS: tuple[str, ...] = ("#DC2626", "#9CA3AF", "#16A34A")

# ---- trends ----------------------------------------------------------------------------------

_SENTIMENT_SCALE = alt.Scale(domain=list(SENTIMENTS), range=list(SENTIMENT_COLORS))


# The data keep the labels' codes ("negative", which fix the colours and the order); people read "Negative".
_CAPITALISED = "upper(substring({0}, 0, 1)) + substring({0}, 1)"


def _sentiment_color() -> alt.Color:
    return alt.Color(
        "sentiment:N",
        title="Sentiment",
        scale=_SENTIMENT_SCALE,
        sort=list(SENTIMENTS),
        legend=alt.Legend(labelExpr=_CAPITALISED.format("datum.label")),
    )


TIME_FORMATS = {"hour": "%d %b %H:%M", "day": "%a %d %b", "week": "week of %d %b"}
BUCKET_LENGTHS = {"hour": pd.Timedelta(hours=1), "day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7)}
BAR_FILL = 0.85  # of its bin a bar covers: wide bars for 3 days or 13 weeks alike, with a gap between
SPIKE_COLOR = "#B91C1C"


def _time_axis(frame: pd.DataFrame, bucket_label: str, time_format: str) -> alt.Axis:
    """The time axis: for days and weeks one tick per bar (labels thinned where they would
    overlap), so "Thu 03 Dec" is not printed twice and a week's tick sits on its Monday."""
    if bucket_label == "hour" or frame.empty:
        return alt.Axis(format=time_format)
    # A bin the range covers less than half of is named by its tooltip, not a tick: its label would
    # crowd the next day's off the axis. A partly covered first bin's tick sits where its bar starts.
    shown = frame[frame["covered"] >= 0.5] if (frame["covered"] >= 0.5).any() else frame
    days = sorted({pd.Timestamp(b) for b in shown["bar_start"]})
    ticks = [  # the wall clock, as UTC
        alt.DateTime(year=d.year, month=d.month, date=d.day, hours=d.hour, minutes=d.minute, utc=True) for d in days
    ]
    return alt.Axis(format=time_format, values=ticks, labelOverlap="greedy")


Window = tuple[datetime, datetime]  # the range on the viewer's wall clock (TrendFilters.local_window)


def _with_bar_ends(frame: pd.DataFrame, bucket_label: str, window: Window | None = None) -> pd.DataFrame:
    """`frame` with `bar_start`, `bucket_end`, `covered` and `bucket_text`: each bar runs over most
    of its bin, so a chart of a few days or weeks draws wide bars rather than hairlines on a time
    axis. With the range's `window`, a first or last bin the range only partly covers is drawn
    over that part alone and its tooltip says so ("Fri 04 Dec, from 23:00"): a day of one hour
    would otherwise read as a quiet day, or its share as a whole day's."""
    length = BUCKET_LENGTHS.get(bucket_label, BUCKET_LENGTHS["day"])
    time_format = TIME_FORMATS.get(bucket_label, TIME_FORMATS["day"])
    starts = pd.to_datetime(frame["bucket"])
    ends = starts + length
    if window is None:
        shown_starts, shown_ends = starts, ends
    else:
        shown_starts = starts.clip(lower=pd.Timestamp(window[0]))
        shown_ends = ends.clip(upper=pd.Timestamp(window[1]))
    texts = [
        _bin_text(start, end, shown_start, shown_end, time_format)
        for start, end, shown_start, shown_end in zip(starts, ends, shown_starts, shown_ends, strict=True)
    ]
    return frame.assign(
        bar_start=shown_starts,
        bucket_end=shown_starts + (shown_ends - shown_starts) * BAR_FILL,
        covered=(shown_ends - shown_starts) / length,
        bucket_text=texts,
    )


def _bin_text(start: pd.Timestamp, end: pd.Timestamp, shown_start: pd.Timestamp, shown_end: pd.Timestamp,
              time_format: str) -> str:  # fmt: skip
    """A bin as its tooltip names it, with the part the range covers when that is not all of it."""
    text = start.strftime(time_format)
    clock = "%d %b %H:%M" if end - start > pd.Timedelta(days=1) else "%H:%M"
    if shown_start > start and shown_end < end:
        return f"{text}, {shown_start.strftime(clock)} to {shown_end.strftime(clock)}"
    if shown_start > start:
        return f"{text}, from {shown_start.strftime(clock)}"
    if shown_end < end:
        return f"{text}, up to {shown_end.strftime(clock)}"
    return text


def volume_chart(
    volume: pd.DataFrame, bucket_label: str = "hour", spikes: pd.DataFrame | None = None, window: Window | None = None
) -> alt.Chart | alt.LayerChart:
    """Stacked bars: items per time bucket, split by sentiment; each detected spike a dashed rule
    topped by a labelled marker whose tooltip says why (observed vs expected, themes, words).
    A bin the range `window` covers only in part is drawn narrower (`_with_bar_ends`)."""
    time_format = TIME_FORMATS.get(bucket_label, TIME_FORMATS["day"])
    title = f"Volume by sentiment, per {bucket_label}"
    bars = _volume_bars(volume, bucket_label, time_format, window)
    if spikes is None or spikes.empty:
        return bars.properties(title=title)
    peak = int(volume.groupby("bucket")["items"].sum().max()) if not volume.empty else 0
    marks = spikes.assign(
        at=pd.to_datetime(spikes["hour"]) + pd.Timedelta(minutes=30),  # the middle of the hour that spiked
        top=peak,  # every marker on the chart's top line, clear of the bars
        label=[f"{what} spike" for what in spikes["what"]],
        hour_text=[pd.Timestamp(hour).strftime("%a %d %b %H:%M") for hour in spikes["hour"]],
    )
    tooltip = [
        alt.Tooltip("label:N", title="Spike"),
        alt.Tooltip("hour_text:N", title="Hour"),
        alt.Tooltip("summary:N", title="Observed against expected"),
        alt.Tooltip("themes:N", title="Top themes"),
        alt.Tooltip("words:N", title="Top words"),
    ]
    x = alt.X("at:T", scale=alt.Scale(type="utc"))
    base = alt.Chart(marks).encode(x=x, tooltip=tooltip)
    rule = base.mark_rule(color=SPIKE_COLOR, strokeDash=[4, 3], strokeWidth=2)
    marker = base.mark_point(shape="triangle-down", size=140, filled=True, color=SPIKE_COLOR, yOffset=-10).encode(
        y=alt.Y("top:Q")
    )
    label = base.mark_text(color=SPIKE_COLOR, dx=10, dy=-12, align="left", fontWeight="bold", fontSize=11).encode(
        y=alt.Y("top:Q"), text=alt.Text("label:N")
    )
    return alt.LayerChart(layer=[bars, rule, marker, label], title=title)


def _volume_bars(volume: pd.DataFrame, bucket_label: str, time_format: str, window: Window | None) -> alt.Chart:
    bars = _with_bar_ends(volume, bucket_label, window)
    return (
        alt.Chart(bars)
        .mark_bar()
        .encode(
            # Buckets are already the viewer's wall clock: the utc scale shows them unshifted.
            x=alt.X(
                "bar_start:T",
                title=None,
                scale=alt.Scale(type="utc"),
                axis=_time_axis(bars, bucket_label, time_format),
            ),
            x2="bucket_end:T",
            y=alt.Y("sum(items):Q", title="Items", stack="zero"),
            color=_sentiment_color(),
            order=alt.Order("sentiment_order:Q"),
            tooltip=[
                alt.Tooltip("bucket_text:N", title=bucket_label.capitalize()),
                alt.Tooltip("sentiment_name:N", title="Sentiment"),
                alt.Tooltip("items:Q", title="Items"),
            ],
        )
        .transform_calculate(
            sentiment_order=f"indexof({list(SENTIMENTS)!r}, datum.sentiment)",
            sentiment_name=_CAPITALISED.format("datum.sentiment"),
        )
    )


def breakdown_chart(frame: pd.DataFrame, column: str, title: str, name: Callable[[str], str] = str) -> alt.Chart:
    """Horizontal stacked bars: items per `column` value (largest first), split by sentiment; each
    value shown as `name` gives it ("de" as "German", "x" as "X")."""
    frame = frame.assign(**{column: frame[column].map(name)})
    order = list(dict.fromkeys(frame[column]))
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y(f"{column}:N", title=None, sort=order),
            x=alt.X("sum(items):Q", title="Items", stack="zero"),
            color=_sentiment_color(),
            order=alt.Order("sentiment_order:Q"),
            tooltip=[
                alt.Tooltip(f"{column}:N", title=column.capitalize()),
                alt.Tooltip("sentiment_name:N", title="Sentiment"),
                alt.Tooltip("items:Q", title="Items"),
                alt.Tooltip("share:Q", title="Share of all items", format=".1%"),
            ],
        )
        .transform_calculate(
            sentiment_order=f"indexof({list(SENTIMENTS)!r}, datum.sentiment)",
            sentiment_name=_CAPITALISED.format("datum.sentiment"),
        )
    )


OWN_BRAND_COLOR = "#0F766E"  # the theme's primary colour
COMPETITOR_COLORS = ("#64748B", "#D97706", "#7C3AED", "#94A3B8", "#0284C7", "#A16207")


def _brand_colors(brands: list[str], competitor: list[bool]) -> list[str]:
    rivals = iter(COMPETITOR_COLORS * (1 + len(brands) // len(COMPETITOR_COLORS)))
    return [OWN_BRAND_COLOR if not rival else next(rivals) for rival in competitor]


LABELLED_BARS_UP_TO = 31  # beyond this many bars the share labels would overlap


def share_over_time_chart(
    over_time: pd.DataFrame, totals: pd.DataFrame, bucket_label: str, window: Window | None = None
) -> alt.Chart | alt.LayerChart:
    """100 % stacked bars: each brand's share of mentions per bucket, ours at the bottom with its
    share written on each bar (when the bars are few enough to read, and not on a bin the range
    `window` covers less than half of: its bar is narrow, `_with_bar_ends`).

    The stack is computed here (share_start, share_end), not by Vega-Lite: its normalised stack
    does not combine with ranged (x, x2) bars."""
    brands = list(totals["brand"]) if not totals.empty else []
    colors = _brand_colors(brands, list(totals.get("is_competitor", [])))
    time_format = TIME_FORMATS.get(bucket_label, TIME_FORMATS["day"])
    frame = _with_bar_ends(over_time, bucket_label, window).assign(
        brand_order=[brands.index(b) if b in brands else len(brands) for b in over_time["brand"]],
    )
    frame = frame.sort_values(["bucket", "brand_order"], kind="stable")
    frame["share_end"] = frame.groupby("bucket")["share"].cumsum()
    frame["share_start"] = frame["share_end"] - frame["share"]
    frame["mid"] = frame["bar_start"] + (frame["bucket_end"] - frame["bar_start"]) / 2
    title = f"Share of voice, per {bucket_label}"
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "bar_start:T",
                title=None,
                scale=alt.Scale(type="utc"),
                axis=_time_axis(frame, bucket_label, time_format),
            ),
            x2="bucket_end:T",
            y=alt.Y(
                "share_start:Q", title="Share of mentions", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            y2="share_end:Q",
            color=alt.Color("brand:N", title="Brand", sort=brands, scale=alt.Scale(domain=brands, range=colors)),
            tooltip=[
                alt.Tooltip("bucket_text:N", title=bucket_label.capitalize()),
                alt.Tooltip("brand:N", title="Brand"),
                alt.Tooltip("items:Q", title="Mentions"),
                alt.Tooltip("share:Q", title="Share of voice", format=".0%"),
            ],
        )
    )
    own = frame[~frame["is_competitor"].astype(bool) & (frame["covered"] >= 0.5)]
    if own.empty or frame["bucket"].nunique() > LABELLED_BARS_UP_TO:
        return bars.properties(title=title)
    labels = (
        alt.Chart(own)
        .mark_text(color="white", fontSize=11, fontWeight="bold", dy=6, baseline="top")
        .encode(x=alt.X("mid:T"), y=alt.Y("share_end:Q"), text=alt.Text("share:Q", format=".0%"))
    )
    return alt.LayerChart(layer=[bars, labels], title=title)


# ---- surveys ---------------------------------------------------------------------------------


def score_chart(over_time: pd.DataFrame, bucket_label: str) -> alt.LayerChart | alt.Chart:
    """NPS (−100..100) and CSAT (% satisfied) per bucket, one line each, with counts in the tooltip."""
    long = over_time.melt(
        id_vars=["bucket"], value_vars=["nps", "csat"], var_name="measure", value_name="score"
    ).dropna(subset=["score"])
    long["measure"] = long["measure"].map({"nps": "NPS", "csat": "CSAT %"})
    base = alt.Chart(long).encode(
        x=alt.X("bucket:T", title=bucket_label.capitalize()),
        y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[-100, 100])),
        color=alt.Color(
            "measure:N", title=None, scale=alt.Scale(domain=["NPS", "CSAT %"], range=["#2563EB", "#16A34A"])
        ),
        tooltip=[
            alt.Tooltip("bucket:T", title=bucket_label.capitalize()),
            alt.Tooltip("measure:N"),
            alt.Tooltip("score:Q", format=".1f"),
        ],
    )
    return (base.mark_line(point=True) + base.mark_rule(opacity=0)).properties(
        title="NPS and CSAT over time", height=260
    )


def language_chart(by_language: pd.DataFrame) -> alt.LayerChart:
    """NPS and CSAT by language as grouped bars, each with its value written at its end (a score of 0
    draws no bar; its "0" still says it is there)."""
    long = by_language.melt(
        id_vars=["language", "responses"], value_vars=["nps", "csat"], var_name="measure", value_name="score"
    ).dropna(subset=["score"])
    long["measure"] = long["measure"].map({"nps": "NPS", "csat": "CSAT %"})
    base = alt.Chart(long).encode(
        y=alt.Y("language:N", title="Language", sort="-x"),
        x=alt.X("score:Q", title="Score", scale=alt.Scale(domain=[-100, 100])),
        yOffset="measure:N",
        tooltip=["language:N", "measure:N", alt.Tooltip("score:Q", format=".1f"), "responses:Q"],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "measure:N", title=None, scale=alt.Scale(domain=["NPS", "CSAT %"], range=["#2563EB", "#16A34A"])
        )
    )
    # Each value just past its bar's end: right of a positive bar, left of a negative one.
    text = {"text": alt.Text("score:Q", format=".0f")}
    right = base.transform_filter(alt.datum.score >= 0).mark_text(align="left", dx=3, fontSize=10, color="#475569")
    left = base.transform_filter(alt.datum.score < 0).mark_text(align="right", dx=-3, fontSize=10, color="#475569")
    return alt.LayerChart(
        layer=[bars, right.encode(**text), left.encode(**text)], title="By language", height=alt.Step(14)
    )
