"""The Trends page's own widgets: its filter bar, the headline against the previous period, the
spikes table, the themes that moved and share of voice with its numbers.

Filters are bound to the URL (`?range=7d&lang=German&copies=true`) so a view can be shared. The
range control has a row of its own, so its five options are never clipped, and the five pickers
share the row below at equal widths, wide enough for "All languages". Charts come from
`ui/charts.py`; figures from `voc.trends`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from ui import data, widgets
from voc.trends import queries as trends
from voc.trends.comparison import Comparison
from voc.trends.counting import copies_note
from voc.trends.queries import FilterOptions, TrendFilters, TrendReport

ALL = widgets.ALL


def trend_filters(options: FilterOptions, *, own_brand: str, now: datetime) -> TrendFilters:
    """Range and the duplicates toggle on one row; channel, language, brand, theme, scorer on the next.
    Bound to ?range=&copies=&channel=&lang=&brand=&theme=&scorer=."""
    range_col, copies_col = st.columns([3, 2], vertical_alignment="bottom")
    with range_col:
        range_key = st.segmented_control(
            "Range",
            list(trends.RANGES),
            default=trends.DEFAULT_RANGE,
            required=True,
            key="range",
            bind="query-params",
            help="; ".join(f"{key}: {label}" for key, (label, _) in trends.RANGES.items()),
        )
    with copies_col:
        count_duplicates = st.toggle(
            "Count duplicates",
            value=False,
            key="copies",
            bind="query-params",
            help="Off: a repost or pasted copy of an earlier post counts once. Survey responses always count.",
        )
    channel_col, language_col, brand_col, theme_col, scorer_col = st.columns(5)
    with channel_col:
        channel = widgets.choice("Channel", options.channels, "channel", "All channels", widgets.channel_name)
    with language_col:
        language = widgets.choice("Language", options.languages, "lang", "All languages", widgets.language_name)
    with brand_col:
        brands = [own_brand, *(b for b in options.brands if b != own_brand)]
        brand = st.selectbox(
            "Brand",
            [*brands, ALL],
            key="brand",
            bind="query-params",
            format_func=lambda option: "All brands" if option == ALL else option,
            help="All brands includes competitors; share of voice always compares every brand",
        )
    with theme_col:
        theme = widgets.theme_choice(options.themes)
    with scorer_col:
        scorer = widgets.choice("Scored by", options.scorers, "scorer", "All scorers", widgets.scorer_name)
    return TrendFilters.last(
        str(range_key or trends.DEFAULT_RANGE),
        now=now,
        channel=channel,
        language=language,
        brand=None if brand == ALL else brand,
        tz=data.viewer_timezone(),
        theme=theme,
        scorer=scorer,
        count_duplicates=bool(count_duplicates),
    )


def span_words(filters: TrendFilters) -> str:
    """ "3 days", "24 hours": the length of the range, for "compared with the 3 days before"."""
    hours = round((filters.end - filters.start).total_seconds() / 3600)
    return f"{hours} hours" if hours < 48 else f"{round(hours / 24)} days"


def headline(report: TrendReport) -> None:
    """Items, negative share and NPS, each with its change on the previous period of equal length."""
    summary, versus = report.summary, report.comparison
    items_col, negative_col, nps_col = st.columns(3)
    previous = f"the {span_words(report.filters)} before"
    note = copies_note(summary.duplicates, counted=report.filters.count_duplicates)
    if versus is not None and not versus.previous_items:
        versus = None  # nothing stored before this range: "+1,331 on previous" would be no news
        previous += " (nothing stored then to compare with)"
    items_col.metric(
        "Items",
        f"{summary.items:,}",
        delta=None if versus is None else f"{versus.items - versus.previous_items:+,} on previous",
        delta_color="off",
        help=f"Compared with {previous}." + (f" {note}." if note else ""),
        border=True,
    )
    negative_col.metric(
        "Negative share",
        trends.format_share(summary.negative_share),
        delta=None if versus is None else _points(versus),
        delta_color="inverse",
        help=f"Compared with {previous}.",
        border=True,
    )
    nps_col.metric(
        "NPS",
        "—" if summary.nps is None else f"{summary.nps:+.0f}",
        delta=nps_delta(versus),
        help=f"Net Promoter Score of {summary.survey_responses} survey responses in range, compared with {previous}",
        border=True,
    )
    if note:
        st.caption(
            f"{note.capitalize()}: reposts and pasted copies of an earlier post"
            + (
                " are counted."
                if report.filters.count_duplicates
                else " count once. Turn on “Count duplicates” to include them."
            )
        )


def nps_delta(versus: Comparison | None) -> str | None:
    """NPS's change in points with a decimal: a move of -0.3 read "-0 on previous" under a red arrow."""
    change = None if versus is None else versus.nps_change
    return None if change is None else f"{change:+.1f} points on previous"


def _points(versus: Comparison) -> str | None:
    points = versus.negative_share_points
    return None if points is None else f"{points:+.1f} points on previous"


def spikes_table(spikes: pd.DataFrame) -> None:
    """Each spike in range with why: observed against expected and what drove it."""
    shown = pd.DataFrame(
        {
            "When": spikes["hour"],
            "Spike": spikes["what"],
            "Observed against expected": spikes["summary"],
            "Top themes": spikes["themes"].replace("", "—"),
            "Top words": spikes["words"].replace("", "—"),
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 220),
        column_config={  # pixel widths that add up to the page's width: no sideways scrolling
            "When": st.column_config.DatetimeColumn("When", format="ddd D MMM HH:mm", width=120),
            "Spike": st.column_config.TextColumn("Spike", width=70),
            "Observed against expected": st.column_config.TextColumn("Observed against expected", width=260),
            "Top themes": st.column_config.TextColumn("Top themes", width=300),
            "Top words": st.column_config.TextColumn("Top words", width=210),
        },
    )


def movers_table(versus: Comparison) -> None:
    """The themes whose item count changed most against the previous period."""
    if not versus.previous_items:
        st.caption("Nothing was stored in the previous period, so there is nothing to compare with yet.")
        return
    if not versus.movers:
        st.caption("No theme moved by more than a couple of items against the previous period.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Theme": [m.label for m in versus.movers],
                "This period": [m.now for m in versus.movers],
                "Previous": [m.before for m in versus.movers],
                "Change": [f"{m.change:+,}" for m in versus.movers],
                "Change %": [("new" if m.relative is None else f"{m.relative:+.0%}") for m in versus.movers],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def share_of_voice_table(frame: pd.DataFrame) -> None:
    """Each brand's mentions, share and negative mentions in range, numbers in plain sight."""
    st.dataframe(
        pd.DataFrame(
            {
                "Brand": frame["brand"],
                "Mentions": frame["items"],
                "Share of voice": [trends.format_share(v) for v in frame["share"]],
                "Negative": [
                    trends.format_share(n / i if i else None)
                    for n, i in zip(frame["negative"], frame["items"], strict=True)
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
