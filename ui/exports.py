"""The Exports page's pieces: past exports with downloads, an on-demand build with progress, the schedule.

Streamlit-aware; the work itself is `voc.exports`. Files are read only for the export picked, so
a long history of large exports costs nothing until someone downloads one. A build runs in the
background (`voc.exports.on_demand`): the page queues it, starts a builder thread and shows the
job's progress, refreshed every second, then its downloads or what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from pathlib import Path

import streamlit as st

from ui import data, inert, widgets
from voc.background import BackgroundStep
from voc.clock import utcnow
from voc.exports import (
    ALL_FORMATS,
    ExportPeriod,
    ExportSchedule,
    PeriodError,
    WeeklyExport,
    date_range,
    export_file,
    last_complete_week,
    list_exports,
    load_schedule,
    save_schedule,
    week_of,
)
from voc.exports.on_demand import (
    ExportBuild,
    builds_waiting,
    built_export,
    latest_build,
    request_export,
    run_requested_exports,
)
from voc.exports.schedule import WEEKDAYS
from voc.privacy.masking import hides_handles
from voc.trends import queries as trends

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "html": "text/html",
}


def exports_dir() -> Path:
    return data.settings().data_dir / "exports"


def schedule() -> ExportSchedule:
    try:
        return load_schedule(data.store())
    except (ValueError, KeyError):
        return ExportSchedule()


def past_exports() -> None:
    """The produced exports, newest first; download buttons for the one picked."""
    found = list_exports(exports_dir())
    if not found:
        st.info(
            "No export yet: the listener process writes last week's every Monday, or build one below.",
            icon=":material/folder_open:",
        )
        return
    tz = data.viewer_timezone()
    st.dataframe(
        [{"Period": e.label, "From": e.first, "To": e.last, "Zone": e.tz, "Items": e.items, "Taxonomy version": e.taxonomy_version,
          "Made by": made_by(e.requested_by), "Made at": widgets.local_time(e.generated_at, tz)} for e in found],
        hide_index=True, width="stretch",
    )  # fmt: skip
    labels = {e.slug: e for e in found}
    picked = st.selectbox("Download", list(labels), format_func=lambda s: labels[s].label, key="export_pick")
    export = labels[picked]
    if export.changes:
        st.markdown("\n".join(f"- {inert.escape(sentence)}" for sentence in export.changes))  # theme names
    download_buttons(export)


def download_buttons(export: WeeklyExport, *, place: str = "past") -> None:
    """One download button per file of `export` (none while its links would name authors to this viewer)."""
    if export.links and hides_handles(data.current_actor(), data.privacy_settings()):
        # Written before handles were hidden: its links name authors (docs/privacy.md).
        st.info("This export still has links that name authors; it is being rebuilt without them. "
                "Ask an admin if it does not become available soon.", icon=":material/shield_person:")  # fmt: skip
        return
    per_row = 3  # six files in one row cut their labels ("Comparison CSV · …")
    columns = [column for _ in range(0, len(export.files), per_row) for column in st.columns(per_row)]
    for column, file in zip(columns, export.files, strict=False):
        path = export_file(exports_dir(), export, file.name)
        with column:
            # The file is read when the button is pressed, not on every run of the page: an
            # export of a year is hundreds of megabytes (issue #21: app memory).
            st.download_button(download_label(file.name, file.bytes), _reader(path),
                               file_name=file.name, mime=MIME.get(file.format, "application/octet-stream"),
                               key=f"dl-{place}-{export.slug}-{file.name}", help=file.name, on_click="ignore")  # fmt: skip


def _reader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def made_by(requested_by: str) -> str:
    """Who built an export, in words: a person's name, or which part of the app ("the weekly schedule")."""
    return {
        "system:export-schedule": "the weekly schedule",
        "system:erasure": "an erasure (rebuilt without a person's items)",
    }.get(requested_by, requested_by.removeprefix("system:").replace("-", " "))


def download_label(name: str, size: int) -> str:
    """ "XLSX · 8 KB", "Themes CSV · 412 B": the format, which table when a format has several, the size."""
    stem, _, suffix = name.rpartition(".")
    table = "Themes " if stem.endswith("-themes") else "Comparison " if stem.endswith("-comparison") else ""
    shown = (
        f"{size:,} B" if size < 1024 else f"{size / 1024:,.0f} KB" if size < 1024**2 else f"{size / 1024**2:,.1f} MB"
    )
    return f"{table}{suffix.upper()} · {shown}"


def period_form(tz: str, today: date, *, busy: bool = False) -> tuple[ExportPeriod | None, list[str], bool]:
    """What to build: a week (any day in it) or a date range, the formats, and whether to go
    (not while another build is being written: `busy`)."""
    kind = st.segmented_control("Period", ["Week", "Date range"], default="Week", key="export_kind")
    period: ExportPeriod | None = None
    try:
        if kind == "Date range":
            picked = st.date_input("From – to (both included)", (today - timedelta(days=13), today), key="export_range")
            if isinstance(picked, tuple) and len(picked) == 2:
                period = date_range(picked[0], picked[1], tz)
        else:
            default = last_complete_week(data.utcnow(), tz).first
            day = st.date_input("Any day of the week", default, key="export_week")
            period = week_of(day, tz) if isinstance(day, date) else None
    except PeriodError as error:
        st.error(str(error))
    if period is not None:
        st.caption(f"{period.label}: {period.first:%a %d %b} to {period.last:%a %d %b %Y}, {tz} wall clock.")
    formats = st.multiselect(
        "Formats", [str(f) for f in ALL_FORMATS], default=[str(f) for f in ALL_FORMATS], key="export_formats"
    )
    go = st.button(
        "Build export", type="primary", disabled=busy or period is None or not formats, key="export_build",
        help="An export is being written; the next can start when it is done." if busy else None,
    )  # fmt: skip
    return period, formats, go


def start_build(period: ExportPeriod, formats: list[str]) -> None:
    """Queue the build and start a builder thread in this process (the listener process's export
    step would take it too; the job's claim lets only one of them write it)."""
    request_export(data.store(), period, formats, actor=data.current_actor(), now=data.utcnow())
    _start_builder()


def _start_builder() -> None:
    store, folder = data.store(), exports_dir()
    builder = BackgroundStep(lambda _now: run_requested_exports(store, folder, clock=utcnow), name="export-build")
    builder.start(data.utcnow())


def build_status() -> None:
    """The latest build: its progress while it runs (refreshed every second), then its downloads or its error."""
    build = latest_build(data.store())
    if build is None:
        return
    if build.active:
        if builds_waiting(data.store(), data.utcnow()):
            _start_builder()  # queued when an app process stopped, or left by one: no listener needed
        st.fragment(_live_progress, run_every=timedelta(seconds=1))()
    elif build.status == "failed":
        st.error(f"The export of {build.period.label} failed: {build.error or 'no reason was recorded'}. "
                 "Nothing was written; build it again.", icon=":material/error:")  # fmt: skip
    else:
        export = built_export(exports_dir(), build)
        if export is None:
            return
        st.success(f"{export.label}: {export.items:,} items written, taxonomy version {export.taxonomy_version}.",
                   icon=":material/task_alt:")  # fmt: skip
        download_buttons(export, place="built")


def progress_text(build: ExportBuild) -> str:
    """ "2026-W47: writing rows 40,000 of 120,000" (or what comes before the rows)."""
    if build.status == "queued":
        return f"{build.period.label}: waiting to start…"
    if not build.total and not build.done:
        return f"{build.period.label}: counting the items and writing the summary…"
    return f"{build.period.label}: writing rows {build.done:,} of {build.total:,}"


def _live_progress() -> None:
    build = latest_build(data.store())
    if build is None or not build.active:
        st.rerun()  # done or failed: the whole page shows the outcome and the new export
        return
    st.progress(build.share, text=progress_text(build))


def schedule_form(current: ExportSchedule) -> ExportSchedule | None:
    """The weekly schedule (the listener process reads it); a new schedule when saved."""
    channels = [c.name for c in data.alert_channels()]
    with st.form("export_schedule"):
        enabled = st.toggle("Produce last week's export automatically", current.enabled)
        left, middle, right = st.columns(3)
        weekday = left.selectbox("Day", range(7), index=current.weekday, format_func=lambda d: WEEKDAYS[d])
        at = middle.time_input("Local time", current.at, step=timedelta(minutes=15))
        tz = right.text_input("Team time zone (IANA)", current.tz, help="Weeks run Monday–Sunday on this wall clock.")
        formats = st.multiselect("Formats", [str(f) for f in ALL_FORMATS], default=[str(f) for f in current.formats])
        deliver = st.multiselect("Send to (alert channels)", channels, default=[n for n in current.deliver_to if n in channels],
                                 help="E-mail channels get the HTML summary with the XLSX attached; webhooks a short note.")  # fmt: skip
        if not st.form_submit_button("Save schedule"):
            return None
    if trends.valid_timezone(tz) != tz and tz != "UTC":
        st.error(f"{tz!r} is not a time zone; use an IANA name such as Europe/Berlin.")
        return None
    if not formats:
        st.error("Choose at least one format.")
        return None
    return ExportSchedule(enabled, int(weekday), at if isinstance(at, time) else current.at, tz,
                          tuple(ExportSchedule.from_json({"formats": formats}).formats), tuple(deliver))  # fmt: skip


def save(new: ExportSchedule) -> None:
    save_schedule(data.store(), new, actor=data.current_actor(), now=data.utcnow())
    st.session_state[data.FLASH_KEY] = "Schedule saved"
