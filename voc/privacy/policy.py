"""The workspace's privacy settings: retention days per source, how long the watched survey
folder keeps imported exports, and whether viewers see handles.

They live in `app_settings` (`privacy.retention`, `privacy.survey_files`, `privacy.hide_handles`)
and are written only through `Store.put_setting(..., permission=Permission.MANAGE_PRIVACY)`, which
checks the actor and audits the change in the same transaction. Retention is off unless an admin
sets it: a source without an entry (or with 0 days) keeps its items for ever. Imported survey
exports are different: they are the vendor's file with addresses in clear, a copy of what the
database already holds redacted, so `done/` keeps them 30 days unless an admin says otherwise
(0: for ever). Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from voc.access.roles import Actor, Permission
from voc.privacy.exports import exports_with_links, queue_regeneration
from voc.privacy.settings import (
    HIDE_HANDLES_KEY,
    RETENTION_KEY,
    SURVEY_FILES_KEY,
    PrivacySettings,
    load_privacy,
    parse_days,
)
from voc.store.facade import Store


def save_survey_files_days(store: Store, days: Any, *, actor: Actor, now: datetime) -> PrivacySettings:
    """How many days the watched folder keeps imported exports in done/ (0: for ever); admins only, audited."""
    store.put_setting(
        SURVEY_FILES_KEY,
        {"keep_days": parse_days(days) or 0},
        actor=actor,
        permission=Permission.MANAGE_PRIVACY,
        now=now,
    )
    return load_privacy(store)


def save_retention(store: Store, days_by_source: Mapping[str, Any], *, actor: Actor, now: datetime) -> PrivacySettings:
    """Replace the retention policy (0 or empty days switch a source off); admins only, audited."""
    validated = {str(source): parse_days(value) for source, value in days_by_source.items()}
    stored = {source: days for source, days in sorted(validated.items()) if days}
    store.put_setting(RETENTION_KEY, stored, actor=actor, permission=Permission.MANAGE_PRIVACY, now=now)
    return load_privacy(store)


def set_hide_handles(
    store: Store, hide: bool, *, actor: Actor, now: datetime, exports_dir: Path | None = None
) -> PrivacySettings:
    """Switch hiding author handles from viewers on or off; admins only, audited.

    Switching it on also queues every export in `exports_dir` still holding links for
    regeneration without them (a link names its author on X, Mastodon and Bluesky); the next
    sweep rebuilds them, and until then viewers cannot download those files.
    """

    store.put_setting(
        HIDE_HANDLES_KEY, {"viewers": bool(hide)}, actor=actor, permission=Permission.MANAGE_PRIVACY, now=now
    )
    with_links = exports_with_links(exports_dir) if hide else []
    if with_links:
        with store.write() as connection:
            queue_regeneration(connection, with_links, reason="author handles hidden", now=now)
    return load_privacy(store)
