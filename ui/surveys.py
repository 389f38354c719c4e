"""The Surveys page's parts: cached survey reads, the recovery list with its outcome buttons, the
survey view (NPS and CSAT, bands, disagreements), and the import flow (upload, mapping preview,
progress bar, summary). The domain work is in `voc.surveys`; this module only reads widgets,
calls it, and renders.
"""

from __future__ import annotations

import io
import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ui import charts, data, inert, widgets
from voc.sources.ingest import cap_text
from voc.surveys import analytics, importer, recovery, storage
from voc.surveys.formats import FormatError, Vendor
from voc.surveys.importer import ImportProgress, ImportReport, Preview
from voc.surveys.mapping import DATE_ORDERS, ColumnMapping
from voc.surveys.recovery import RecoveryOutcome

SECTIONS: Final = ("Recovery", "Scores", "Import")  # also the ?section= values: the URL carries labels
REPORT_KEY: Final = "surveys.last_import"
NONE: Final = "—"
PREVIEW_CELL_CHARS: Final = 1_000
RECOVERIES_PER_PAGE: Final = 5
VIA_LABELS: Final = {"upload": "Upload", "folder": "Watched folder", "cli": "Command line"}
ROLES: Final = (
    ("response_id", "Response id", "Leave empty to derive an id from each row"),
    ("submitted_at", "Submitted at", "Date and time of the response"),
    ("nps", "NPS (0–10)", None),
    ("csat", "CSAT (1–5)", None),
    ("ces", "Effort score", None),
    ("respondent", "E-mail or customer id", "Kept only as a salted hash"),
    ("language", "Language code", None),
)
COMMON_ZONES: Final = ("UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "America/New_York")


# ---- cached reads -----------------------------------------------------------------------------


@st.cache_data(ttl="30s", show_spinner=False)
def _recoveries(url: str, open_only: bool) -> pd.DataFrame:
    return recovery.recoveries(data.store(), open_only=open_only)


@st.cache_data(ttl="30s", show_spinner=False)
def _alerts(url: str) -> pd.DataFrame:
    return recovery.recovery_alerts(data.store(), limit=50)


@st.cache_data(ttl="60s", max_entries=100, show_spinner=False)
def _survey_items(url: str, filters: analytics.SurveyFilters) -> pd.DataFrame:
    return analytics.survey_items(data.store(), filters)


@st.cache_data(ttl="60s", show_spinner=False)
def _options(url: str) -> tuple[list[str], list[str]]:
    store = data.store()
    return storage.survey_names(store), analytics.languages_in(store)


@st.cache_data(ttl="30s", show_spinner=False)
def _imports(url: str) -> pd.DataFrame:
    return storage.recent_imports(data.store())


def forget() -> None:
    """After a write: drop the survey reads and the other pages' reads (new items arrived)."""
    for reader in (_recoveries, _alerts, _survey_items, _options, _imports):
        reader.clear()
    data.forget_reads()


def _url() -> str:
    return data.settings().database_url


# ---- recovery ---------------------------------------------------------------------------------


def recovery_list(now: datetime, tz: str) -> None:
    """Open recoveries, soonest due first, each with Recovered / Not recovered buttons."""
    waiting = _recoveries(_url(), True)
    if waiting.empty:
        st.success("No very unhappy respondent is waiting for a call back.", icon=":material/sentiment_satisfied:")
        return
    overdue = int((pd.to_datetime(waiting["recovery_due_at"], utc=True) < now).sum())
    st.caption(
        f"{len(waiting)} waiting for a call back, {overdue} overdue. Record the outcome once you have spoken to them."
    )
    page = widgets.pager(len(waiting), key="recovery_page", per_page=RECOVERIES_PER_PAGE, noun="respondents")
    for row in waiting.iloc[page].itertuples(index=False):
        _recovery_card(row, now, tz)


def _recovery_card(row: Any, now: datetime, tz: str) -> None:
    due = pd.Timestamp(row.recovery_due_at).tz_convert(tz)
    minutes = int((pd.Timestamp(row.recovery_due_at) - pd.Timestamp(now)).total_seconds() // 60)
    with st.container(border=True):
        head, badge = st.columns([4, 1], vertical_alignment="center")
        # Not a code span for the id: a backtick in it would close the span and break the header.
        head.markdown(
            f"**{inert.escape(row.survey or 'Survey')}** · response {inert.escape(row.response_id)} · due {due:%d %b %H:%M}"
        )
        with badge:
            if minutes < 0:
                st.badge(f"Overdue {_span(-minutes)}", color="red", icon=":material/alarm:")
            else:
                st.badge(f"Due in {_span(minutes)}", color="orange", icon=":material/schedule:")
        st.caption(
            inert.escape(
                " · ".join(row.reasons) + (f" · {widgets.language_name(row.language)}" if row.language else "")
            )
        )
        if row.text:
            st.markdown(inert.quote(row.text, limit=600))
        recovered, not_recovered, _ = st.columns([1, 1, 3])
        for column, outcome, kind in (
            (recovered, RecoveryOutcome.RECOVERED, "primary"),
            (not_recovered, RecoveryOutcome.NOT_RECOVERED, "secondary"),
        ):
            column.button(
                outcome.label,
                key=f"recovery.{row.item_id}.{outcome.value}",
                type=kind,  # type: ignore[arg-type]
                on_click=_record,
                args=(int(row.item_id), outcome),
            )


def _span(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // (24 * 60)} d"


def _record(item_id: int, outcome: RecoveryOutcome) -> None:
    recovery.record_recovery_outcome(data.store(), item_id, outcome, actor=data.current_actor(), now=data.utcnow())
    forget()
    st.session_state[data.FLASH_KEY] = f"Recorded: {outcome.label.lower()}"


def recovery_history(tz: str) -> None:
    """Recorded outcomes and the recovery alerts raised (delivery channels come with alerting)."""
    done = _recoveries(_url(), False)
    if not done.empty:
        st.subheader("Recorded outcomes")
        shown = widgets.in_timezone(done, "recovery_outcome_at", tz).assign(
            recovery_outcome=lambda frame: [RecoveryOutcome(value).label for value in frame["recovery_outcome"]]
        )
        st.dataframe(
            shown[["recovery_outcome_at", "recovery_outcome", "recovery_actor", "survey", "response_id", "reasons"]],
            hide_index=True,
            column_config={
                "recovery_outcome_at": st.column_config.DatetimeColumn("When", format="D MMM HH:mm"),
                "recovery_outcome": "Outcome",
                "recovery_actor": "By",
                "reasons": st.column_config.ListColumn("Why very unhappy"),
                "survey": "Survey",
                "response_id": "Response",
            },
            placeholder=widgets.MISSING,
        )
    raised = _alerts(_url())
    if not raised.empty:
        st.subheader("Recovery alerts")
        st.caption("Raised once per response; the Alerts page sends them to its channels and escalates them.")
        st.dataframe(
            widgets.in_timezone(raised, "created_at", tz)[["created_at", "title", "status", "acknowledged_by"]].assign(
                status=lambda frame: frame["status"].map(widgets.human_label)
            ),
            hide_index=True,
            column_config={
                "created_at": st.column_config.DatetimeColumn("Raised", format="D MMM HH:mm"),
                "title": "Alert",
                "status": "Status",
                "acknowledged_by": "Acknowledged by",
            },
            placeholder=widgets.MISSING,
        )


# ---- scores -----------------------------------------------------------------------------------


def score_filters(now: datetime, tz: str) -> analytics.SurveyFilters:
    """Range, survey and language, bound to ?survey_range=&survey=&survey_lang=."""
    surveys, languages = _options(_url())
    range_col, survey_col, language_col = st.columns([1.3, 1.3, 1], vertical_alignment="bottom")
    with range_col:
        range_key = st.segmented_control(
            "Range",
            list(analytics.RANGES),
            default=analytics.DEFAULT_RANGE,
            required=True,
            key="survey_range",
            bind="query-params",
        )
    with survey_col:
        survey = widgets.choice("Survey", surveys, "survey", "All surveys")
    with language_col:
        language = widgets.choice("Language", languages, "survey_lang", "All languages", widgets.language_name)
    return analytics.SurveyFilters.last(
        str(range_key or analytics.DEFAULT_RANGE), now=now, survey=survey, language=language, tz=tz
    )


def scores(filters: analytics.SurveyFilters) -> None:
    """Headline numbers, NPS and CSAT over time and by language, comments by band, disagreements."""
    frame = _survey_items(_url(), filters)
    per_response = analytics.responses(frame)
    summary = analytics.summarise(per_response)
    if summary.responses == 0:
        st.info("No survey responses in this range: import an export, or widen the range.", icon=":material/poll:")
        return
    cols = st.columns(4)
    cols[0].metric("Responses", f"{summary.responses:,}", border=True)
    cols[1].metric(
        "NPS",
        "—" if summary.nps is None else f"{summary.nps:+.0f}",
        help=f"{summary.nps_responses} scored",
        border=True,
    )
    cols[2].metric(
        "CSAT", "—" if summary.csat is None else f"{summary.csat:.0f} %", help="Share of 4–5 answers", border=True
    )
    cols[3].metric("Very unhappy", summary.very_unhappy, border=True)
    over_time = analytics.scores_over_time(per_response, filters.bucket, filters.tz)
    chart_col, language_col = st.columns([3, 2])
    chart_col.altair_chart(charts.score_chart(over_time, filters.bucket_label), width="stretch")
    language_col.altair_chart(
        charts.language_chart(widgets.with_names(analytics.scores_by_language(per_response))), width="stretch"
    )
    st.subheader("Comments by score band")
    bands = analytics.comments_by_band(frame)
    for band, group in bands.groupby("band", sort=False):
        with st.expander(f"{band} · {importer.plural(len(group), 'comment')}"):
            shown = widgets.in_timezone(group, "posted_at", filters.tz)[
                ["posted_at", "nps", "csat", "language", "text"]
            ]
            st.dataframe(
                widgets.with_names(shown),
                hide_index=True,
                column_config=_comment_columns(),
                placeholder=widgets.MISSING,
            )
    st.subheader("Tone and score disagree")
    found = analytics.disagreements(frame)
    if found.empty:
        st.caption("No comment contradicts its score in this range.")
    else:
        st.caption(
            "A happy comment with a low score, or an angry one with a high score: a misclick, or a score that hides the story."
        )
        st.dataframe(
            widgets.with_names(widgets.in_timezone(found, "posted_at", filters.tz)),
            hide_index=True,
            column_config=_comment_columns(),
            placeholder=widgets.MISSING,
        )


def _comment_columns() -> dict[str, Any]:
    cc = st.column_config
    return {
        "disagreement": "What disagrees",
        "posted_at": cc.DatetimeColumn("Submitted", format="D MMM HH:mm"),
        "survey": "Survey",
        "language": "Language",
        "nps": cc.NumberColumn("NPS", format="%d"),
        "csat": cc.NumberColumn("CSAT", format="%d"),
        "sentiment_score": cc.NumberColumn("Tone", format="%+.2f", help="-1 very negative … +1 very positive"),
        "text": cc.TextColumn("Comment (redacted)", width="large"),
    }


# ---- import -----------------------------------------------------------------------------------


def survey_name(uploaded: UploadedFile) -> str:
    """The survey to import into: an existing one, or a new name (the file's stem by default)."""
    known, _ = _options(_url())
    default = importer.survey_name_for(Path(uploaded.name))
    chosen = st.selectbox(
        "Survey",
        known,
        index=known.index(default) if default in known else None,
        placeholder=f"New survey “{default}” — or choose / type another",
        accept_new_options=True,
        key=f"survey_name.{uploaded.file_id}",
        help="The mapping you choose is saved for this survey and used for its next files",
    )
    return str(chosen or default).strip()


def file_preview(uploaded: UploadedFile, survey: str) -> Preview | None:
    """Vendor, format and the first rows of the upload; an error naming what was expected otherwise."""
    try:
        found = importer.preview(data.store(), io.BytesIO(uploaded.getvalue()), uploaded.name, survey)
    except FormatError as error:
        st.error(f"Cannot import {inert.escape(uploaded.name)}: {inert.escape(error)}", icon=":material/block:")
        return None
    st.markdown(f"Read as **{found.file_format}**")  # the app's own words
    width = len(found.columns)
    rows = [[_cell(cell) for cell in (list(cells) + [None] * width)[:width]] for _, cells in found.rows]
    table = pd.DataFrame(
        rows, columns=list(found.columns), index=pd.Index([line for line, _ in found.rows], name="Line")
    )
    st.dataframe(table, placeholder=widgets.MISSING)
    return found


def _cell(value: Any) -> str:
    """A preview cell, cut as a comment is (a 10 MiB cell would otherwise be sent to the browser whole)."""
    return "" if value is None else cap_text(str(value), PREVIEW_CELL_CHARS)


def mapping_editor(found: Preview, key: str) -> ColumnMapping | None:
    """Which column is what, prefilled from the survey's saved mapping or the vendor's preset."""
    start = found.saved or found.suggested
    columns = list(found.columns)
    with st.expander("Columns", expanded=start is None or found.saved is None):
        if found.saved:
            st.caption("Using the mapping saved for this survey.")
        elif found.suggested is None:
            st.warning("Not a recognised export: choose at least the date column and a comment or score column.")
        elif found.vendor.value == "generic":
            st.caption("Not a vendor export: these columns are a guess from the names and values. Check them once.")
        chosen: dict[str, Any] = {}
        role_cols = st.columns(4)
        for i, (role, label, help_text) in enumerate(ROLES):
            current = getattr(start, role) if start else None
            options = [NONE, *columns]
            chosen[role] = role_cols[i % 4].selectbox(
                label,
                options,
                index=options.index(current) if current in options else 0,
                key=f"{key}.{role}",
                help=help_text,
            )
        chosen["text_fields"] = st.multiselect(
            "Comment columns (each answer becomes an item)",
            columns,
            default=[c for c in (start.text_fields if start else ()) if c in columns],
            key=f"{key}.text_fields",
        )
        zone_col, order_col = st.columns(2)
        zones = [*COMMON_ZONES, *sorted(zoneinfo.available_timezones() - set(COMMON_ZONES))]
        zone = start.timezone if start else "UTC"
        chosen["timezone"] = zone_col.selectbox(
            "Time zone of times without one",
            zones,
            index=zones.index(zone) if zone in zones else 0,
            key=f"{key}.timezone",
        )
        order = start.date_order if start else "auto"
        chosen["date_order"] = order_col.selectbox(
            "Numeric dates are",
            DATE_ORDERS,
            index=DATE_ORDERS.index(order),
            key=f"{key}.date_order",
            format_func={
                "auto": "Guess from the file",
                "ymd": "year/month/day",
                "mdy": "month/day/year",
                "dmy": "day/month/year",
            }.__getitem__,
        )

    def pick(role: str) -> str | None:
        return None if chosen[role] in (None, NONE) else str(chosen[role])

    try:
        return ColumnMapping(
            submitted_at=pick("submitted_at") or "",
            response_id=pick("response_id"),
            text_fields=tuple(chosen["text_fields"]),
            nps=pick("nps"),
            csat=pick("csat"),
            ces=pick("ces"),
            ces_max=start.ces_max if start else 7,
            respondent=pick("respondent"),
            language=pick("language"),
            timezone=str(chosen["timezone"]),
            date_order=str(chosen["date_order"]),
            utc_columns=start.utc_columns if start else (),
        )
    except ValueError as error:
        st.warning(f"Mapping incomplete: {inert.escape(error)}", icon=":material/rule:")
        return None


def read_as(found: Preview, mapping: ColumnMapping) -> None:
    """How the first rows read under the mapping: each response, or the problem with its line."""
    rows: list[dict[str, Any]] = []
    for entry in importer.read_preview(found, mapping)[:10]:
        if isinstance(entry, importer.Problem):
            rows.append({"line": entry.line, "problem": entry.reason})
        else:
            rows.append(
                {
                    "line": entry.line,
                    "response": entry.response_id,
                    "submitted (UTC)": entry.submitted_at,
                    "NPS": entry.nps,
                    "CSAT": entry.csat,
                    "effort": entry.ces,
                    "comments": len(entry.answers),
                }
            )
    columns = ["line", "response", "submitted (UTC)", "NPS", "CSAT", "effort", "comments", "problem"]
    st.caption("How the first rows will be read")
    cc = st.column_config
    st.dataframe(
        pd.DataFrame(rows, columns=columns),
        hide_index=True,
        column_config={
            "line": cc.NumberColumn("Line", format="%d"),
            "response": "Response",
            "submitted (UTC)": cc.DatetimeColumn("Submitted (UTC)", format="D MMM YYYY HH:mm"),
            "effort": "Effort",
            "comments": "Comments",
            "problem": "Problem",
        },
        placeholder=widgets.MISSING,
    )


def run_import(uploaded: UploadedFile, survey: str, mapping: ColumnMapping) -> ImportReport:
    """Import the upload with a progress bar; the mapping is saved for the survey."""
    bar = st.progress(0.0, text=f"Importing {inert.escape(uploaded.name)}…")

    def progress(step: ImportProgress) -> None:
        bar.progress(step.fraction, text=f"{step.rows_read:,} rows read, {step.items_landed:,} items landed")

    report = importer.import_survey(
        data.store(),
        io.BytesIO(uploaded.getvalue()),
        uploaded.name,
        survey=survey,
        via="upload",
        mapping=mapping,
        brand=data.settings().brand,
        progress=progress,
        actor=data.current_actor(),
    )
    bar.empty()
    forget()
    st.session_state[REPORT_KEY] = report
    return report


def import_summary() -> None:
    """What the last import in this session landed and refused, with line numbers."""
    report: ImportReport | None = st.session_state.get(REPORT_KEY)
    if report is None:
        return
    if report.refused_entirely:
        st.error(inert.escape(report.summary()), icon=":material/block:")
    elif report.rows_refused:
        st.warning(inert.escape(report.summary()), icon=":material/warning:")
    else:
        st.success(inert.escape(report.summary()), icon=":material/check_circle:")
    if report.very_unhappy:
        st.info(
            f"{importer.plural(report.very_unhappy, 'very unhappy respondent')}: see Recovery.",
            icon=":material/support_agent:",
        )
    problems = [{"line": p.line, "reason": p.reason} for p in report.problems if p.line is not None]
    if problems:
        st.dataframe(
            pd.DataFrame(problems),
            hide_index=True,
            column_config={"line": st.column_config.NumberColumn("Line", format="%d")},
        )


def import_log(tz: str) -> None:
    """Recent imports by every way in (upload, folder, command line)."""
    log = _imports(_url())
    if log.empty:
        st.caption("No imports yet. Files dropped into data/incoming/surveys/ are imported by the listeners too, "
                   "then kept in done/ for the days the Privacy page sets (30 by default).")  # fmt: skip
        return
    st.subheader("Recent imports")
    shown = log.drop(columns=["id", "problems"]).assign(
        vendor=log["vendor"].map(lambda v: Vendor(v).label if v in tuple(Vendor) else v),
        via=log["via"].map(lambda v: VIA_LABELS.get(v, v)),
    )
    st.dataframe(
        widgets.in_timezone(shown, "imported_at", tz),
        hide_index=True,
        column_config={
            "imported_at": st.column_config.DatetimeColumn("When", format="D MMM HH:mm"),
            "survey": "Survey",
            "filename": "File",
            "vendor": "Format",
            "via": "Way in",
            "rows_total": "Rows",
            "items_landed": "Items landed",
            "duplicates": "Already there",
            "rows_refused": "Rows refused",
        },
        placeholder=widgets.MISSING,
    )
