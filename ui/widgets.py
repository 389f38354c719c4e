"""Widgets the pages share: filter bars bound to the URL, health badges, and the
finishing of every table and long list (`readable` tables, a `pager`).

Filter widgets use `bind="query-params"`, so their key is the URL parameter (`?range=7d&lang=German`)
and a filtered view can be shared as a link. The URL carries the label a widget shows, so
options are shown as their raw values (channel and language codes, brand names) or as short
labels ("Resolved", "All brands") that read well in a link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui import data, inert
from voc import naming
from voc.access.roles import REQUIRED_ROLE, Permission, with_article
from voc.inbox import triage
from voc.models import SourceState
from voc.sources import health
from voc.sources.forms import kind_label
from voc.themes.taxonomy import UNTHEMED

ALL = "all"
OPEN = "open"
STATUS_LABELS = {
    OPEN: "Open",
    ALL: "All",
    **{status: status.replace("_", " ").capitalize() for status in triage.STATUSES},
}


def status_label(value: object) -> str:
    """ "waiting_on_customer" -> "Waiting on customer" (also what a status URL parameter holds)."""
    return STATUS_LABELS.get(str(value), str(value))


def section(sections: Sequence[str]) -> str:
    """Which part of a page to show (the first by default), bound to ?section=: the URL carries labels."""
    chosen = st.segmented_control(
        "Show",
        list(sections),
        default=sections[0],
        required=True,
        key="section",
        bind="query-params",
        label_visibility="collapsed",
    )
    return str(chosen or sections[0])


def choice(
    label: str, options: Sequence[str], key: str, all_label: str, name: Callable[[str], str] = str
) -> str | None:
    """A filter picker bound to ?KEY=: "all" (shown as `all_label`, returned as None) or one option
    (shown as `name(option)`: "fr" as "French"; Streamlit binds the label, so the URL says French)."""
    value = st.selectbox(
        label,
        [ALL, *options],
        key=key,
        bind="query-params",
        format_func=lambda option: all_label if option == ALL else name(option),
    )
    return None if value in (None, ALL) else str(value)


def theme_choice(themes: Sequence[tuple[str, str]], key: str = "theme") -> str | None:
    """A theme picker (all, unthemed, or one theme by its "Parent › Theme" label), bound to ?theme=."""
    labels = {ALL: "All themes", UNTHEMED: "Unthemed", **dict(themes)}
    value = st.selectbox(
        "Theme", list(labels), key=key, bind="query-params", format_func=lambda option: labels.get(option, option)
    )
    return None if value in (None, ALL) else str(value)


# ---- times ------------------------------------------------------------------------------------


def in_timezone(frame: pd.DataFrame, column: str, tz: str) -> pd.DataFrame:
    """`frame` with the UTC timestamps of `column` shown in the viewer's zone."""
    if frame.empty or column not in frame:
        return frame
    shown = frame.copy()
    shown[column] = pd.to_datetime(shown[column], utc=True).dt.tz_convert(tz)
    return shown


# ---- tables and long lists ---------------------------------------------------------------------

MISSING = "—"


# Channels and languages as a person names them: filters, queue lines and tables show these, the
# URL and the database keep the codes.
def channel_name(code: str | None) -> str:
    """ "google_play" -> "Google Play"; an unknown channel in words from its key."""
    return naming.channel_name(code) if code else MISSING


def item_channel_name(code: str | None) -> str:
    """The channel as one item's line names it: "Survey", "Feed", else as `channel_name`."""
    return naming.item_channel_name(code) if code else MISSING


def with_names(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the codes of its language, channel and sentiment columns (where it has them) as
    people read them: "French", "Survey", "Negative"."""
    names: dict[str, Callable[[Any], str]] = {
        "language": language_name,
        "channel": item_channel_name,
        "sentiment_label": lambda label: str(label).capitalize() if isinstance(label, str) else label,
    }
    return frame.assign(**{column: frame[column].map(name) for column, name in names.items() if column in frame})


# How each kind of scorer is named where a person reads it; the version stays in brackets so a
# retrained model can be told from the one before it.
SCORER_KINDS: tuple[tuple[str, str], ...] = (
    ("learned-ws-precise-", "Precise model, retrained here"),
    ("learned-precise-", "Precise model"),
    ("learned-builtin-", "Fast model"),
    ("learned-", "Fast model, retrained here"),
    ("transformer-", "Transformer"),
    ("vader-", "VADER rules"),
    ("lexicon-", "Lexicon rules"),
    ("multilingual-", "Rules"),
)


def scorer_kind(scorer: str) -> tuple[str, str] | None:
    """(the kind of scorer, its version): "learned-precise-22ee6f22c9" -> ("Precise model",
    "precise-22ee6f22c9"); None for a scorer not named here."""
    for prefix, kind in SCORER_KINDS:
        if scorer.startswith(prefix):
            return kind, scorer.removeprefix("learned-" if prefix.startswith("learned-") else prefix)
    return None


def scorer_name(scorer: str | None) -> str:
    """ "learned-precise-22ee6f22c9" -> "Precise model (precise-22ee6f22c9)"; "correction" ->
    "Corrected by a person"; an unknown scorer stays as it is."""
    if not scorer:
        return MISSING
    if scorer == "correction":
        return "Corrected by a person"
    found = scorer_kind(scorer)
    if found is None:
        return scorer
    kind, version = found
    return f"{kind} ({version})" if version else kind


def language_name(code: str | None) -> str:
    """ "de" -> "German"; a code with no name here stays as it is ("sw-KE")."""
    return naming.language_name(code) if code else MISSING


def languages_name(codes: str | None) -> str:
    """Several languages stored together ("it,de,en,+") by name, or MISSING."""
    return naming.languages_name(codes) if codes else MISSING


"""What an empty cell shows: never "None", "nan" or "NaT"."""


def local_time(value: Any, tz: str) -> str:
    """A UTC instant as the viewer reads it: "6 Dec 14:05" this year, "6 Dec 2025 14:05" before."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return MISSING
    stamp = pd.Timestamp(value)
    stamp = (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).tz_convert(tz)
    now = pd.Timestamp.now(tz=tz)
    return f"{stamp.day} {stamp:%b}{'' if stamp.year == now.year else f' {stamp.year}'} {stamp:%H:%M}"


def human_label(key: str) -> str:
    """ "acknowledged_by" -> "Acknowledged by": the fallback for a column no page named."""
    return key.replace("_", " ").strip().capitalize()


def readable(
    frame: pd.DataFrame, *, tz: str, labels: Mapping[str, str] | None = None, times: Sequence[str] = ()
) -> pd.DataFrame:
    """`frame` as a person reads it: columns renamed to `labels` (or "Like this" from their keys),
    timestamps in the viewer's zone ("6 Dec 14:05"), lists joined, yes/no for flags, and "—" in
    every empty cell. Only the columns `labels` names are kept, in its order, when it is given.

    Times are recognised by their dtype; `times` names object columns that hold them too (a
    column of UTC instants read back from JSON, say).
    """
    shown = frame[[c for c in labels if c in frame]] if labels else frame
    out = pd.DataFrame(index=shown.index)
    for key in shown.columns:
        column = shown[key]
        if key in times or pd.api.types.is_datetime64_any_dtype(column):
            values = column.map(lambda v: local_time(v, tz))
        elif pd.api.types.is_bool_dtype(column):
            values = column.map({True: "Yes", False: "No"})
        elif column.dtype == object or column.isna().any():
            values = column.map(lambda v: _cell_text(v, tz))
        else:
            values = column
        out[(labels or {}).get(key) or human_label(str(key))] = values
    return out


def _cell_text(value: Any, tz: str) -> Any:
    if isinstance(value, list | tuple | set):
        return ", ".join(str(_cell_text(v, tz)) for v in value) or MISSING
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT or value is pd.NA:
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping):
        return "; ".join(f"{str(k).replace('_', ' ')}: {_cell_text(v, tz)}" for k, v in value.items()) or MISSING
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, datetime):
        return local_time(value, tz)
    return value if value != "" else MISSING


def detail_words(text: str, tz: str) -> str:
    """A JSON detail ('{"items_kept": 3, "outcome": "not_recovered"}', as the audit log stores it)
    as "items kept: 3; outcome: not recovered": keys, and values that are stored codes, in words."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return text
    if not isinstance(value, Mapping):
        return text or MISSING
    return str(_cell_text({key: _code_words(v) for key, v in value.items()}, tz))


_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")


def _code_words(value: Any) -> Any:
    """ "triage_status" -> "triage status", in a list too; any other value as it is."""
    if isinstance(value, list):
        return [_code_words(v) for v in value]
    return value.replace("_", " ") if isinstance(value, str) and _CODE.fullmatch(value) else value


def pager(total: int, *, key: str, per_page: int = 10, noun: str = "items") -> slice:
    """Which rows of a long list to show: the whole list when it fits one page; otherwise
    "Showing 11–20 of 188 alerts" with a page picker (bound to ?KEY=, so a page can be linked),
    and the slice of the chosen page. Call it before drawing the list."""
    if total <= per_page:
        return slice(0, total)
    pages = -(-total // per_page)
    count_col, pick_col = st.columns([2, 3], vertical_alignment="center")
    with pick_col:
        page = st.pagination(pages, key=key, bind="query-params", max_visible_pages=7)
    first = (int(page or 1) - 1) * per_page
    last = min(first + per_page, total)
    count_col.caption(f"Showing {first + 1:,}–{last:,} of {total:,} {noun}")
    return slice(first, last)


def needs_role(what: str, permission: Permission) -> None:
    """Say, instead of showing a form, which role may change `what` (the domain refuses it anyway)."""
    st.caption(f":material/lock: Only {with_article(REQUIRED_ROLE[permission].value)} can change {what}.")


def show_flash() -> None:
    """The toast a write queued before its rerun (`data.save_triage`)."""
    message = st.session_state.pop(data.FLASH_KEY, None)
    if message:
        st.toast(inert.escape(message), icon=":material/check_circle:")  # flashes name themes, sources, people


# ---- health -----------------------------------------------------------------------------------


def listener_badge(sources: list[SourceState], now: datetime, stale_after_s: float) -> None:
    """The sidebar badge: "Listeners 2/2 alive" in green; "Listeners running" in orange with
    "1 source needs attention: NAME" under it when one is stale or failing; red only when the
    listener process itself is not running."""
    result = health.summary(sources, now, stale_after_s)
    icon = {"green": ":material/sensors:", "orange": ":material/hourglass_top:"}.get(
        result.color, ":material/sensors_off:"
    )
    st.badge(result.label, color=result.color, icon=icon)  # type: ignore[arg-type]
    if result.attention:
        st.caption(inert.escape(result.attention))  # it names sources, which users type


def source_card(
    source: SourceState, now: datetime, stale_after_s: float, skipped: Mapping[str, int] | None = None
) -> None:
    """One listener's health: state, heartbeat, last error, failures, items ingested, the next try,
    the entries it could not store, and a failed connection test it was added despite."""
    # The last error quotes a remote server (or a post it echoed): shown as written, never as Markdown.
    quoted = replace(source, last_error=inert.escape(source.last_error) if source.last_error else source.last_error)
    verdict = health.classify(quoted, now, stale_after_s)
    with st.container(border=True):
        title, badge = st.columns([3, 1], vertical_alignment="center")
        title.markdown(f"**{inert.escape(source.name)}** · {kind_label(source.kind)}")
        with badge:
            st.badge(verdict.state.label, color=verdict.state.color)  # type: ignore[arg-type]
        beat, ingested, failures, error_kind = st.columns(4)
        beat.metric("Last heartbeat", health.since(source.heartbeat_at, now))
        ingested.metric("Items ingested", f"{source.items_total:,}")
        failures.metric("Failures in a row", source.consecutive_failures)
        error_kind.metric("Error kind", health.error_kind_name(source.error_kind) or "—")
        if verdict.state in (health.SourceHealth.STALE, health.SourceHealth.FAILING):
            st.error(verdict.reason, icon=":material/error:")
        elif verdict.state is health.SourceHealth.BACKING_OFF:
            st.warning(verdict.reason, icon=":material/hourglass_top:")
        else:
            st.caption(verdict.reason)
        if quoted.last_error and quoted.last_error not in verdict.reason:  # a failing verdict quotes it
            st.caption(f"Last error {health.since(source.last_error_at, now)}: {quoted.last_error}")
        tz = data.viewer_timezone()
        next_try = health.next_try(source, now, lambda moment: local_time(moment, tz))
        if next_try and verdict.state is health.SourceHealth.FAILING:  # the other states' reasons say it
            st.caption(next_try)
        untested = health.connection_test_note(source)  # quotes what the remote server answered
        if untested:
            st.warning(inert.escape(untested), icon=":material/network_check:")
        for line in health.skipped_lines(skipped or {}):
            st.caption(f":material/filter_alt_off: {inert.escape(line)}")
        if verdict.state in (health.SourceHealth.PAUSED, health.SourceHealth.FAILING, health.SourceHealth.BACKING_OFF):
            st.button(
                "Resume now",
                key=f"resume.{source.name}",
                icon=":material/play_arrow:",
                help="Lift the pause or the wait: the listeners poll this source on their next tick",
                on_click=_resume,
                args=(source.name,),
            )


# Up to this many sources, each gets its card; past it, one table and the card of the chosen one,
# so that a team with twenty sources does not scroll through twenty cards (5,571 px at 1440x900).
SOURCE_CARDS_AT_MOST = 4
_OVERVIEW_ROWS_SHOWN = 10


def source_cards(
    sources: Sequence[SourceState], now: datetime, stale_after_s: float, skipped: Mapping[str, Mapping[str, int]]
) -> None:
    """A card per source, those needing a person first; past `SOURCE_CARDS_AT_MOST`, one table of
    all and the card of the one chosen (at first the one most in need)."""
    judged = health.attention_first(sources, now, stale_after_s, skipped)
    if len(judged) <= SOURCE_CARDS_AT_MOST:
        for source, _verdict in judged:
            source_card(source, now, stale_after_s, skipped.get(source.name))
        return
    st.caption(f"{len(judged)} sources, those needing a person first. Choose one below for its details.")
    sources_overview(judged, now, skipped)
    by_name = {source.name: source for source, _verdict in judged}
    names = sorted(by_name)  # a steady list: the choice stays put while states change
    first = names.index(judged[0][0].name)
    chosen = by_name[st.selectbox("Details of", names, index=first, key="sources.details")]
    source_card(chosen, now, stale_after_s, skipped.get(chosen.name))


def sources_overview(
    judged: Sequence[tuple[SourceState, health.Verdict]], now: datetime, skipped: Mapping[str, Mapping[str, int]]
) -> None:
    """Every source in one row, those needing a person first: state, heartbeat, items, failures, why."""
    rows = [
        {
            "Source": source.name,
            "State": verdict.state.label,
            "Why": verdict.reason.replace("`", ""),  # Markdown on the cards, plain text in a table
            "Heartbeat": health.since(source.heartbeat_at, now),
            "Items": source.items_total,
            "Failures": source.consecutive_failures,
            "Skipped": sum((skipped.get(source.name) or {}).values()),
            "Kind": kind_label(source.kind),
        }
        for source, verdict in judged
    ]
    shown = min(len(rows), _OVERVIEW_ROWS_SHOWN)
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        height=38 + 35 * shown,  # the header and up to ten rows; more scroll inside the table
        column_config={
            "Why": st.column_config.TextColumn(width="large"),
            "Heartbeat": st.column_config.TextColumn(help="When the listeners last reported this source"),
            "Items": st.column_config.NumberColumn(format="localized", help="Items ingested"),
            "Failures": st.column_config.NumberColumn(help="Failed polls in a row"),
            "Skipped": st.column_config.NumberColumn(
                format="localized", help="Entries the source sent that could not be stored (reasons on its card)"
            ),
        },
    )


def _resume(name: str) -> None:
    data.resume_source(name)
    st.toast(f"{inert.escape(name)} will be polled on the listeners' next tick", icon=":material/play_arrow:")


# ---- empty states -----------------------------------------------------------------------------


@st.fragment(run_every="5s")
def rerun_when_items_arrive() -> None:
    """While the store is empty, look every 5 s and reload the page once the first items land."""
    if data.item_count() > 0:
        data.forget_reads()
        st.rerun()


# ---- frame ------------------------------------------------------------------------------------


def ensure_frame() -> None:
    """Make sure a page runs inside `app.py` (navigation, sidebar badge, page config).

    Streamlit 1.67 starts every server in its legacy "pages/ directory" mode and leaves it only
    once some session has run `st.navigation`; until then, a first visitor who opens /inbox
    directly gets pages/inbox.py run on its own, without the frame. Ending that mode and
    rerunning sends the run through app.py, which routes to the same page (page ids derive
    from the url_path, and ours match the file names).
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
