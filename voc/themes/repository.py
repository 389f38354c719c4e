"""Themes in the database: the taxonomy and its versions, assignments, assessments, proposals.

Every taxonomy change is one write transaction that updates `themes` and appends a row to
`taxonomy_versions` (who, when, what, and a snapshot of the whole taxonomy after it), so exports
can name the version they used and the history can be read back. Portable SQL (SQLite and
PostgreSQL alike); upserts are delete-then-insert inside one transaction.

Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import numpy as np
import sqlalchemy as sa

from voc.access.roles import Actor, Permission
from voc.store.core import json_value
from voc.store.facade import Store
from voc.store.schema import (
    item_embeddings,
    item_themes,
    items,
    taxonomy_versions,
    theme_assessments,
    theme_proposals,
    themes,
)
from voc.store.settings import register_setting
from voc.themes import rollups
from voc.themes.assign import STICKY_METHODS, Method, ThemeHit
from voc.themes.discovery import LanguageMeans
from voc.themes.starter import starter_themes
from voc.themes.taxonomy import Taxonomy, Theme

SYSTEM_ACTOR: Actor = Actor.system("themes")
MEMBERS_PER_CENTROID = 200
LANGUAGE_WINDOW = 2_000  # stored items per language behind its mean for discovery's centring


# ---- taxonomy -----------------------------------------------------------------------------------


def current_version(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.max(taxonomy_versions.c.version))).scalar() or 0)


def load_taxonomy(store: Store) -> Taxonomy:
    """The taxonomy as stored now (version 0 and no themes before the starter set is seeded)."""
    with store.read() as connection:
        return _load(connection)


def _load(connection: sa.Connection) -> Taxonomy:
    rows = connection.execute(sa.select(themes).order_by(themes.c.id)).mappings().all()
    loaded = [
        Theme.from_row({**row, "rules": json_value(row["rules"]), "examples": json_value(row["examples"])})
        for row in rows
    ]
    return Taxonomy(current_version(connection), tuple(loaded))


STARTER_SET_KEY = register_setting(
    "themes.starter_set", dict, Permission.EDIT_TAXONOMY, "the industry starter set an admin picked (or the demo's)"
)


def chosen_starter_set(store: Store) -> str | None:
    """The starter set an admin picked (or the demo feed), None until someone has."""
    value = store.get_setting(STARTER_SET_KEY)
    return str(value["set"]) if isinstance(value, dict) and value.get("set") else None


def ensure_starter(store: Store, now: datetime) -> bool:
    """Seed the chosen starter set into a workspace that has never had a taxonomy; True when it did.
    Nothing is seeded before someone picks a set: a starter set changes how every item is counted."""
    with store.read() as connection:
        if current_version(connection) > 0:
            return False
    name = chosen_starter_set(store)
    if name is None:
        return False
    chosen = starter_themes(name)
    with store.write() as connection:
        if current_version(connection) > 0:  # another process seeded it meanwhile
            return False
        for theme in chosen:
            connection.execute(themes.insert().values(**theme.to_row(), created_at=now, updated_at=now))
        record_version(connection, now, SYSTEM_ACTOR, "seed", None, {"themes": len(chosen)})
    return True


def record_version(
    connection: sa.Connection,
    now: datetime,
    actor: Actor,
    action: str,
    theme_id: str | None,
    details: Mapping[str, Any],
) -> int:
    """Append a taxonomy version (with a snapshot of every theme) and its audit-log row; return its number.
    Every taxonomy change passes here, so here the theme counts follow it (`rollups.follow_taxonomy`)."""
    taxonomy = _load(connection)
    snapshot = taxonomy.to_json()
    rollups.follow_taxonomy(connection, taxonomy)
    row = connection.execute(
        taxonomy_versions.insert()
        .values(at=now, actor=actor.name, action=action, theme_id=theme_id, details=dict(details), snapshot=snapshot)
        .returning(taxonomy_versions.c.version)
    ).first()
    assert row is not None
    version = int(row[0])
    Store.record_audit(
        connection,
        actor,
        f"theme.{action.replace(' ', '_')}",
        now=now,
        subject=theme_id,
        detail={**details, "version": version},
    )
    return version


def save_theme(connection: sa.Connection, theme: Theme, now: datetime) -> None:
    """Insert or replace one theme's row."""
    exists = connection.execute(sa.select(themes.c.created_at).where(themes.c.id == theme.id)).first()
    if exists is None:
        connection.execute(themes.insert().values(**theme.to_row(), created_at=now, updated_at=now))
    else:
        connection.execute(themes.update().where(themes.c.id == theme.id).values(**theme.to_row(), updated_at=now))


# Each taxonomy version's change (its `action`) as the version history names it.
CHANGE_NAMES: Final = {
    "seed": "Starter set", "starter": "Starter set chosen", "create": "Created", "rename": "Renamed",
    "edit": "Edited", "merge": "Merged", "split": "Split", "move": "Moved", "archive": "Archived",
    "promote": "Proposal promoted", "merge proposal": "Proposal merged in",
}  # fmt: skip
# Details that hold a theme's key: the history names the theme.
THEME_DETAILS: Final = ("into", "parent_id")


def versions(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """Taxonomy versions, newest first, without their snapshots."""
    columns = [c for c in taxonomy_versions.c if c.name != "snapshot"]
    query = sa.select(*columns).order_by(taxonomy_versions.c.version.desc()).limit(limit)
    with store.read() as connection:
        return [{**row, "details": json_value(row["details"])} for row in connection.execute(query).mappings()]


# ---- assignments --------------------------------------------------------------------------------


def pending_items(store: Store, limit: int) -> list[dict[str, Any]]:
    """Items never assessed against any taxonomy, oldest first."""
    query = (
        sa.select(items.c.id, items.c.text, items.c.language)
        .outerjoin(theme_assessments, theme_assessments.c.item_id == items.c.id)
        .where(theme_assessments.c.item_id.is_(None))
        .order_by(items.c.id)
        .limit(limit)
    )
    with store.read() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def items_after(store: Store, after_id: int, limit: int) -> list[dict[str, Any]]:
    """The next items by id (for a re-assignment pass)."""
    query = (
        sa.select(items.c.id, items.c.text, items.c.language)
        .where(items.c.id > after_id)
        .order_by(items.c.id)
        .limit(limit)
    )
    with store.read() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def write_assignments(
    store: Store,
    results: Mapping[int, Sequence[ThemeHit]],
    *,
    taxonomy: Taxonomy,
    now: datetime,
    replace: bool = False,
) -> None:
    """Store each item's themes and its assessment, in one transaction.

    With `replace`, an item's earlier automatic themes are dropped first; themes people chose
    (promoted or merged proposals, manual) stay, moved to the theme their id resolves to today,
    or dropped when that theme was archived.
    """
    if not results:
        return
    ids = list(results)
    with store.write() as connection:
        rollups.lock_items(connection, ids)
        kept: dict[int, set[str]] = {item_id: set() for item_id in ids}
        if replace:
            sticky = (
                connection.execute(
                    sa.select(item_themes).where(
                        item_themes.c.item_id.in_(ids), item_themes.c.method.in_([str(m) for m in STICKY_METHODS])
                    )
                )
                .mappings()
                .all()
            )
            connection.execute(item_themes.delete().where(item_themes.c.item_id.in_(ids)))
            for row in sticky:
                theme = taxonomy.resolve(row["theme_id"])
                if theme is None or not theme.active or theme.id in kept[row["item_id"]]:
                    continue
                kept[row["item_id"]].add(theme.id)
                connection.execute(item_themes.insert().values({**row, "theme_id": theme.id}))
        else:
            for item_id, theme_id in connection.execute(
                sa.select(item_themes.c.item_id, item_themes.c.theme_id).where(item_themes.c.item_id.in_(ids))
            ):
                kept[int(item_id)].add(str(theme_id))
        rows = [
            {
                "item_id": item_id,
                "theme_id": hit.theme_id,
                "confidence": float(hit.confidence),
                "reason": hit.reason[:2000],
                "method": str(hit.method),
                "taxonomy_version": taxonomy.version,
                "assigned_at": now,
            }
            for item_id, hits in results.items()
            for hit in hits
            if hit.theme_id not in kept[item_id]
        ]
        if rows:
            connection.execute(item_themes.insert(), rows)
        _refresh_assessments(connection, ids, taxonomy.version, now)


def _refresh_assessments(connection: sa.Connection, item_ids: Sequence[int], version: int, now: datetime) -> None:
    counts: dict[int, int] = dict(
        connection.execute(
            sa.select(item_themes.c.item_id, sa.func.count())
            .where(item_themes.c.item_id.in_(list(item_ids)))
            .group_by(item_themes.c.item_id)
        ).all()
    )
    connection.execute(theme_assessments.delete().where(theme_assessments.c.item_id.in_(list(item_ids))))
    connection.execute(
        theme_assessments.insert(),
        [
            {"item_id": item_id, "taxonomy_version": version, "themes": int(counts.get(item_id, 0)), "assessed_at": now}
            for item_id in item_ids
        ],
    )


def add_items_to_theme(
    connection: sa.Connection,
    item_ids: Iterable[int],
    theme_id: str,
    *,
    reason: str,
    method: Method,
    version: int,
    now: datetime,
) -> int:
    """Put items into a theme by a person's decision (kept through re-assignment)."""
    ids = sorted(set(item_ids))
    rollups.lock_items(connection, ids)
    existing = {
        int(i)
        for i in connection.execute(
            sa.select(item_themes.c.item_id).where(item_themes.c.item_id.in_(ids), item_themes.c.theme_id == theme_id)
        ).scalars()
    }
    present = {int(i) for i in connection.execute(sa.select(items.c.id).where(items.c.id.in_(ids))).scalars()}
    rows = [
        {
            "item_id": i,
            "theme_id": theme_id,
            "confidence": 1.0,
            "reason": reason[:2000],
            "method": str(method),
            "taxonomy_version": version,
            "assigned_at": now,
        }
        for i in ids
        if i not in existing and i in present
    ]
    if rows:
        connection.execute(item_themes.insert(), rows)
    if present:
        _refresh_assessments(connection, sorted(present), version, now)
    return len(rows)


def item_themes_of(store: Store, item_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Stored themes per item (as assigned; resolve ids through the taxonomy to show them)."""
    if not item_ids:
        return {}
    query = (
        sa.select(item_themes)
        .where(item_themes.c.item_id.in_(list(item_ids)))
        .order_by(item_themes.c.confidence.desc())
    )
    found: dict[int, list[dict[str, Any]]] = {}
    with store.read() as connection:
        for row in connection.execute(query).mappings():
            found.setdefault(int(row["item_id"]), []).append(dict(row))
    return found


def member_vectors(store: Store, theme_ids: Iterable[str], model: str) -> dict[str, np.ndarray]:
    """Stored embeddings of up to `MEMBERS_PER_CENTROID` recent rule- or person-assigned items per theme."""
    methods = [str(Method.RULE), *(str(m) for m in STICKY_METHODS)]
    out: dict[str, np.ndarray] = {}
    with store.read() as connection:
        for theme_id in theme_ids:
            query = (
                sa.select(item_embeddings.c.vector)
                .join(item_themes, item_themes.c.item_id == item_embeddings.c.item_id)
                .where(
                    item_themes.c.theme_id == theme_id,
                    item_themes.c.method.in_(methods),
                    item_embeddings.c.model == model,
                )
                .order_by(item_themes.c.item_id.desc())
                .limit(MEMBERS_PER_CENTROID)
            )
            blobs = [bytes(blob) for blob in connection.execute(query).scalars()]
            if blobs:
                out[theme_id] = np.vstack([np.frombuffer(b, dtype="<f4") for b in blobs]).astype(np.float32)
    return out


def language_means(store: Store, languages: Iterable[str], model: str, dim: int) -> LanguageMeans:
    """Each language's vector sum and count over its `LANGUAGE_WINDOW` latest stored items, themed or not.

    Discovery centres a language on this mean rather than on the unthemed pool's, which can be a
    handful of posts about one topic (docs/themes.md, "Which mean to centre on").
    """
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    with store.read() as connection:
        for language in languages:
            query = (
                sa.select(item_embeddings.c.vector)
                .join(items, items.c.id == item_embeddings.c.item_id)
                .where(items.c.language == language, item_embeddings.c.model == model, item_embeddings.c.dim == dim)
                .order_by(items.c.id.desc())
                .limit(LANGUAGE_WINDOW)
            )
            blobs = [bytes(blob) for blob in connection.execute(query).scalars()]
            if blobs:
                vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dim)
                sums[language] = vectors.sum(axis=0, dtype=np.float64).astype(np.float32)
                counts[language] = len(blobs)
    return LanguageMeans(sums, counts)


# ---- proposals ----------------------------------------------------------------------------------


def proposals(store: Store, status: str | None = "open") -> list[dict[str, Any]]:
    """Proposals (open ones by default), emerging first, then largest."""
    query = sa.select(theme_proposals).order_by(
        theme_proposals.c.emerging.desc(), theme_proposals.c.size.desc(), theme_proposals.c.id
    )
    if status is not None:
        query = query.where(theme_proposals.c.status == status)
    with store.read() as connection:
        rows = connection.execute(query).mappings().all()
    return [_proposal(row) for row in rows]


def proposal(store: Store, proposal_id: str) -> dict[str, Any] | None:
    with store.read() as connection:
        row = (
            connection.execute(sa.select(theme_proposals).where(theme_proposals.c.id == proposal_id)).mappings().first()
        )
    return _proposal(row) if row else None


def _proposal(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in ("keywords", "representative_item_ids", "member_item_ids", "sentiment"):
        out[key] = json_value(out[key])
    return out
