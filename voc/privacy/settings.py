"""The workspace's privacy settings and how they are read: retention days per source, whether
viewers see author handles, how long survey files are kept (`app_settings`, registered with
`Permission.MANAGE_PRIVACY`). Writing them is `voc.privacy.policy`, which also queues exports for
regeneration; this module knows nothing of exports, so `voc.exports` can read it without a cycle.
Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from voc.access.roles import Permission
from voc.store.facade import Store
from voc.store.settings import register_setting

RETENTION_KEY: Final = register_setting(
    "privacy.retention", dict, Permission.MANAGE_PRIVACY, 'days items are kept per source: {"<source>": days}'
)
HIDE_HANDLES_KEY: Final = register_setting(
    "privacy.hide_handles", dict, Permission.MANAGE_PRIVACY, 'author handles hidden from viewers: {"viewers": true}'
)
SURVEY_FILES_KEY: Final = register_setting(
    "privacy.survey_files",
    dict,
    Permission.MANAGE_PRIVACY,
    'days survey files are kept ({"keep_days": 30}; 0: for ever)',
)
SURVEY_FILES_DAYS: Final = 30
MAX_RETENTION_DAYS: Final = 36_500  # a hundred years: anything longer is a typo, not a policy


@dataclass(frozen=True)
class PrivacySettings:
    """What the privacy controls are set to (hashable, so cached readers can key on it)."""

    retention: tuple[tuple[str, int], ...] = ()  # (source, days), days > 0, sorted by source
    hide_handles_from_viewers: bool = False
    survey_files_days: int | None = SURVEY_FILES_DAYS  # imported exports kept in done/; None: for ever

    def retention_days(self, source: str) -> int | None:
        """Days `source` keeps its items, or None when retention is off for it."""
        return dict(self.retention).get(source)

    def cutoff(self, source: str, now: datetime) -> datetime | None:
        """Items of `source` posted before this moment are expired (None: retention is off)."""
        days = self.retention_days(source)
        return None if days is None else now - timedelta(days=days)


def parse_days(value: Any) -> int | None:
    """Days as an admin typed them: 0, empty or None switch retention off; a negative is refused."""
    if value is None or value == "":
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"retention is a whole number of days, not {value!r}") from None
    if days < 0:
        raise ValueError("retention days cannot be negative (0 switches retention off)")
    if days > MAX_RETENTION_DAYS:
        raise ValueError(f"retention is at most {MAX_RETENTION_DAYS:,} days")
    return days or None


def retention_from_json(raw: Any) -> tuple[tuple[str, int], ...]:
    """The stored mapping as sorted (source, days) pairs, dropping entries that switch it off."""
    if not isinstance(raw, Mapping):
        return ()
    pairs = []
    for source, value in raw.items():
        try:
            days = parse_days(value)
        except ValueError:
            continue  # a hand-edited row cannot switch deletion on by accident
        if days:
            pairs.append((str(source), days))
    return tuple(sorted(pairs))


def load_privacy(store: Store) -> PrivacySettings:
    """The privacy settings as stored (all off in a new workspace)."""
    hide = store.get_setting(HIDE_HANDLES_KEY) or {}
    return PrivacySettings(
        retention=retention_from_json(store.get_setting(RETENTION_KEY)),
        hide_handles_from_viewers=bool(hide.get("viewers")) if isinstance(hide, Mapping) else False,
        survey_files_days=_survey_files_days(store.get_setting(SURVEY_FILES_KEY)),
    )


def _survey_files_days(raw: Any) -> int | None:
    if not isinstance(raw, Mapping) or "keep_days" not in raw:
        return SURVEY_FILES_DAYS
    try:
        return parse_days(raw["keep_days"])
    except ValueError:
        return SURVEY_FILES_DAYS  # a hand-edited row falls back to the default, not to "for ever"
