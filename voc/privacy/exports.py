"""Exports that hold deleted items are regenerated without them (docs/privacy.md, "Exports").

An export folder (`data/exports/<slug>/`) is a copy of the items posted in its period. When
retention or an erasure deletes items, every export whose period contains one of them is queued
for regeneration *in the same transaction as the deletion* (one `app_settings` row per export,
`privacy.regenerate.<slug>`), then rebuilt from what the database still holds, with the same
period, zone and formats. A crash between the two leaves the queue row, and the next sweep (the
listener process, or `python -m voc privacy sweep`) finishes the job: a deleted item never stays
in an export because a process died. If a rebuild fails, the folder is removed instead (privacy
before convenience) and the index rewritten.

Why regenerate rather than delete: an export is the product team's weekly record; one person's
erasure should not take away everyone else's week. Copies already sent (an e-mail attachment, a
downloaded file) are out of reach; the Privacy page says so. Domain: no Streamlit.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from voc.access.roles import Actor
from voc.exports.periods import ExportPeriod
from voc.exports.service import WeeklyExport, build_export, list_exports, parse_formats, write_index
from voc.store.core import json_value, upsert
from voc.store.facade import Store
from voc.store.schema import app_settings

log = logging.getLogger(__name__)

QUEUE_PREFIX: Final = "privacy.regenerate."


def period_of(export: WeeklyExport) -> ExportPeriod:
    """The period an export covers, rebuilt from its manifest."""
    return ExportPeriod(date.fromisoformat(export.first), date.fromisoformat(export.last), export.tz)


def exports_containing(exports: Sequence[WeeklyExport], moments: Iterable[datetime]) -> list[str]:
    """Slugs of the exports whose period [start, end) contains any of `moments` (posting times)."""
    bounds = [(e.slug, datetime.fromisoformat(e.start_utc), datetime.fromisoformat(e.end_utc)) for e in exports]
    hit: set[str] = set()
    for moment in moments:
        for slug, start, end in bounds:
            if start <= moment < end:
                hit.add(slug)
    return sorted(hit)


def queue_regeneration(connection: sa.Connection, slugs: Iterable[str], *, reason: str, now: datetime) -> int:
    """Queue exports for regeneration inside the caller's write transaction; returns how many.

    Each queueing gets a fresh token, so a regeneration that started before this one cannot
    dequeue it (it read the items before this deletion committed).
    """
    queued = 0
    for slug in slugs:
        values = {"reason": reason, "token": uuid.uuid4().hex}
        row = {"key": QUEUE_PREFIX + slug, "value": values, "updated_at": now, "updated_by": "privacy"}
        connection.execute(upsert(connection, app_settings, row, ["key"], {"value": values, "updated_at": now}))
        queued += 1
    return queued


def queued_regenerations(store: Store) -> dict[str, dict[str, str]]:
    """Exports waiting to be regenerated: slug -> {"reason", "token"}."""
    query = sa.select(app_settings.c.key, app_settings.c.value).where(app_settings.c.key.like(QUEUE_PREFIX + "%"))
    with store.read() as connection:
        rows = connection.execute(query).all()
    return {str(key).removeprefix(QUEUE_PREFIX): _mapping(value) for key, value in rows}


def _mapping(value: object) -> dict[str, str]:
    value = json_value(value)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _dequeue(store: Store, slug: str, token: str) -> None:
    """Drop the queue row, unless it was queued again (a new token) while we were rebuilding."""
    key = QUEUE_PREFIX + slug
    with store.write() as connection:
        query = sa.select(app_settings.c.value).where(app_settings.c.key == key)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        current = connection.execute(query).scalar()
        if current is not None and _mapping(current).get("token") == token:
            connection.execute(app_settings.delete().where(app_settings.c.key == key))


def regenerate_queued(store: Store, exports_dir: Path | None, *, now: datetime, actor: Actor) -> list[str]:
    """Rebuild every queued export from what the database holds now; returns the slugs done.

    The rebuilt manifest names `actor` (who erased, or `system:retention`) as its maker, and
    `regenerated` says why. An export that no longer exists is simply dequeued; one whose
    rebuild fails is removed (its files may hold deleted items) and the error logged.
    """
    if exports_dir is None:
        return []  # a caller that knows no exports folder leaves the queue to one that does
    queued = queued_regenerations(store)
    if not queued:
        return []
    found = {e.slug: e for e in list_exports(exports_dir)}
    done: list[str] = []
    for slug, entry in sorted(queued.items()):
        export = found.get(slug)
        if export is not None:
            try:
                build_export(
                    store, period_of(export), exports_dir, formats=parse_formats({f.format for f in export.files}),
                    now=now, requested_by=actor, regenerated=entry.get("reason", "privacy"),
                )  # fmt: skip
            except Exception:
                log.exception("export %s could not be regenerated; removing it, it may hold deleted items", slug)
                shutil.rmtree(exports_dir / slug, ignore_errors=True)
                write_index(exports_dir)
            done.append(slug)
        _dequeue(store, slug, entry.get("token", ""))
    if done:
        log.info("regenerated %d exports without deleted items: %s", len(done), ", ".join(done))
    return done


def exports_with_links(exports_dir: Path | None) -> list[str]:
    """Slugs of exports written with links (before author handles were hidden from viewers)."""
    if exports_dir is None:
        return []
    return [e.slug for e in list_exports(exports_dir) if e.links]
