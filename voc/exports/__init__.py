"""Weekly exports product teams can act on (docs/exports.md): XLSX, CSV, Parquet and an HTML summary.

`build_export` writes one period (an ISO week on the team's wall clock, or any date range) into
`data/exports/<slug>/`; `ExportScheduler` does last week's every Monday from the listener process;
`python -m voc export` and the Exports page call the same function. Domain: no Streamlit.
"""

from voc.exports.periods import ExportPeriod, PeriodError, date_range, iso_week, last_complete_week, week_of
from voc.exports.safety import neutralise
from voc.exports.schedule import ExportSchedule, ExportScheduler, load_schedule, produce_due_export, save_schedule
from voc.exports.service import ALL_FORMATS, WeeklyExport, build_export, export_file, list_exports, parse_formats
from voc.exports.writers import ExportFormat

__all__ = [
    "ALL_FORMATS", "ExportFormat", "ExportPeriod", "ExportSchedule", "ExportScheduler", "PeriodError", "WeeklyExport",
    "build_export", "date_range", "export_file", "iso_week", "last_complete_week", "list_exports", "load_schedule",
    "neutralise", "parse_formats", "produce_due_export", "save_schedule", "week_of",
]  # fmt: skip
