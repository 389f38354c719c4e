"""Privacy controls (docs/privacy.md): retention per source, erasure on request, hidden handles.

- `policy`: the workspace's privacy settings (retention days per source, whether viewers see
  author handles), kept in `app_settings` and changed only with `Permission.MANAGE_PRIVACY`;
- `masking`: the one place that decides what author a reader is shown;
- `purge`: deletes a batch of items and everything derived from them in one transaction, the
  single code path behind both retention and erasure;
- `retention`: the sweep (listener process and `python -m voc privacy sweep`);
- `erasure`: one author's or respondent's data, previewed first, then erased;
- `exports`: export folders holding deleted items are queued and regenerated without them.

Domain: no Streamlit.
"""

from voc.privacy.erasure import ErasurePreview, ErasureResult, Subject, erase, preview_erasure
from voc.privacy.masking import HIDDEN_AUTHOR, hides_handles, mask_people, visible_author
from voc.privacy.policy import PrivacySettings, load_privacy, save_retention, save_survey_files_days, set_hide_handles
from voc.privacy.retention import RetentionPreview, RetentionReport, RetentionWorker, preview_retention, sweep

__all__ = [
    "HIDDEN_AUTHOR", "ErasurePreview", "ErasureResult", "PrivacySettings", "RetentionPreview", "RetentionReport",
    "RetentionWorker", "Subject", "erase", "hides_handles", "load_privacy", "mask_people", "preview_erasure",
    "preview_retention", "save_retention", "save_survey_files_days", "set_hide_handles", "sweep", "visible_author",
]  # fmt: skip
