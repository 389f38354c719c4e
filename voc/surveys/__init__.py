"""Survey voice: import survey exports, mark very unhappy customers, and the Survey view's numbers.

Modules, from the file inwards:

- `formats`   open a CSV/TSV/XLSX export: encoding, delimiter, header rows, vendor recognition
- `mapping`   which column is what (response id, date, scores, comments) and parsing the cells
- `importer`  file to items: per-row problems with line numbers, dedupe, progress, import records
- `recovery`  the service-recovery rules, recovery alerts, and recording the outcome
- `storage`   saved column mappings and the import log
- `analytics` NPS and CSAT over time and by language, comments by score band, disagreements

Nothing is imported eagerly here: `voc.sources.ingest` uses `recovery`, and `importer` uses `voc.sources.ingest`.
Domain: no Streamlit.
"""

from pathlib import Path
from typing import Any

SURVEY_SOURCE = "surveys"  # one source name for upload, folder and CLI, so their imports dedupe
# Where the watched folder files an export once read (listeners/survey_folder.py), with its report
# beside it; voc.privacy looks there too (the 30-day limit, erasure).
DONE = "done"
FAILED = "failed"
REPORT_SUFFIX = ".report.txt"
SURVEY_FOLDER_KIND = "survey_folder"  # the source kind of a watched folder


def watched_folder(config: dict[str, Any], data_dir: Path) -> Path:
    """The folder a watched-folder source reads: its `folder` setting, else `<data dir>/incoming/surveys`."""
    return Path(config.get("folder") or data_dir / "incoming" / "surveys")
