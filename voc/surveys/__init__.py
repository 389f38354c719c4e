"""Survey voice: import survey exports, mark very unhappy customers, and the Survey view's numbers.

Modules, from the file inwards:

- `formats`   open a CSV/TSV/XLSX export: encoding, delimiter, header rows, vendor recognition
- `mapping`   which column is what (response id, date, scores, comments) and parsing the cells
- `importer`  file to items: per-row problems with line numbers, dedupe, progress, import records
- `recovery`  the service-recovery rules, recovery alerts, and recording the outcome
- `storage`   saved column mappings and the import log
- `analytics` NPS and CSAT over time and by language, comments by score band, disagreements

Nothing is imported eagerly here: `voc.ingest` uses `recovery`, and `importer` uses `voc.ingest`.
Domain: no Streamlit.
"""

SURVEY_SOURCE = "surveys"  # one source name for upload, folder and CLI, so their imports dedupe
# Where the watched folder files an export once read (listeners/survey_folder.py), with its report
# beside it; voc.privacy looks there too (the 30-day limit, erasure).
DONE = "done"
FAILED = "failed"
REPORT_SUFFIX = ".report.txt"
