"""Theme operations: assign new items, edit the taxonomy, run discovery, decide on proposals.

Each edit is one transaction that changes `themes`, appends a taxonomy version and queues a
re-assignment job (`REASSIGN_JOB`), which the listener process works through in batches with
progress (`ThemeWorker`). Items people put in a theme (promoted or merged proposals) keep it.

Domain module: no Streamlit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import sqlalchemy as sa

from voc.access.roles import Actor, Permission, require
from voc.analysis import embeddings
from voc.store.core import json_list
from voc.store.facade import Store
from voc.store.schema import item_themes, items, theme_assessments, theme_proposals, themes
from voc.store.settings import register_setting, write_setting
from voc.themes import repository as repo
from voc.themes import rollups
from voc.themes.assign import Assigner, ExampleIndex, Method, centroid, example_index
from voc.themes.discovery import discover, proposal_id
from voc.themes.rules import ANY_LANGUAGE, LanguageRule, validate_term
from voc.themes.starter import starter_themes
from voc.themes.taxonomy import Example, Taxonomy, Theme, ThemeOrigin, ThemeStatus, slug
from voc.themes.text import words

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

REASSIGN_JOB: Final = "themes.reassign"
DISCOVERY_SETTING: Final = register_setting(
    "themes.discovery", dict, Permission.EDIT_TAXONOMY, "when discovery last ran, over how many unthemed items"
)
DISCOVERY_DAYS: Final = 14
DISCOVERY_MAX_ITEMS: Final = 30_000
RECENT: Final = timedelta(days=2)
EMERGING_GROWTH: Final = 2.0  # a cluster's recent share at least twice the whole pool's
EMERGING_MIN_RECENT: Final = 5
MIN_MEMBERS_FOR_CENTROID: Final = 5
MIN_POOL: Final = 30
SAME_PROPOSAL_OVERLAP: Final = 0.5  # a re-discovered cluster sharing half its items keeps the old id

Embed = Callable[[Sequence[str]], "NDArray[np.float32]"]


def default_embed(texts: Sequence[str]) -> NDArray[np.float32]:
    return embeddings.embed(texts)


def model_name() -> str:
    return embeddings.model_name()


# ---- vectors ------------------------------------------------------------------------------------


def vectors_for(store: Store, rows: Sequence[dict[str, Any]], embed: Embed | None = None) -> NDArray[np.float32]:
    """One vector per item row: the stored one when there is one, else embedded now and stored."""
    embed = embed or default_embed
    model = model_name()
    ids = [int(row["id"]) for row in rows]
    stored = store.item_embeddings(ids, model=model)
    missing = [row for row in rows if int(row["id"]) not in stored]
    if missing:
        fresh = embed([str(row["text"]) for row in missing])
        blobs = {int(row["id"]): embeddings.to_bytes(vector) for row, vector in zip(missing, fresh, strict=True)}
        store.save_item_embeddings(blobs, model=model, dim=int(fresh.shape[1]))
        stored.update(blobs)
    if not ids:
        return np.zeros((0, embeddings.DIMENSION), dtype=np.float32)
    return np.vstack([np.frombuffer(stored[i], dtype="<f4") for i in ids]).astype(np.float32)


# ---- assignment ---------------------------------------------------------------------------------

_EXAMPLES: dict[str, ExampleIndex] = {}


def _examples_key(taxonomy: Taxonomy) -> str:
    pairs = sorted((t.id, e.text) for t in taxonomy.active() for e in t.examples)
    return hashlib.sha1(json.dumps([model_name(), pairs]).encode()).hexdigest()


def build_assigner(store: Store | None, taxonomy: Taxonomy, embed: Embed | None = None) -> Assigner:
    """An assigner for `taxonomy`: example vectors (cached per example set) and member centroids."""
    embed = embed or default_embed
    key = _examples_key(taxonomy) + getattr(embed, "__name__", "")
    if key not in _EXAMPLES:
        _EXAMPLES.clear()  # one taxonomy at a time per process
        _EXAMPLES[key] = example_index(taxonomy, embed)
    centroids: dict[str, NDArray[np.float32]] = {}
    if store is not None:
        for theme_id, vectors in repo.member_vectors(store, [t.id for t in taxonomy.active()], model_name()).items():
            if len(vectors) >= MIN_MEMBERS_FOR_CENTROID:
                centroids[theme_id] = centroid(vectors)
    return Assigner(taxonomy, _EXAMPLES[key], centroids)


def assign_pending(
    store: Store, assigner: Assigner, now: datetime, *, limit: int = 500, embed: Embed | None = None
) -> int:
    """Assign themes to items not yet assessed (oldest first); returns how many were assessed."""
    rows = repo.pending_items(store, limit)
    if not rows:
        return 0
    vectors = vectors_for(store, rows, embed)
    results = assigner.assign([r["text"] for r in rows], [r["language"] for r in rows], vectors)
    repo.write_assignments(
        store, {int(r["id"]): hits for r, hits in zip(rows, results, strict=True)}, taxonomy=assigner.taxonomy, now=now
    )
    return len(rows)


def reassign_batch(
    store: Store,
    assigner: Assigner,
    job: dict[str, Any],
    now: datetime,
    *,
    batch: int = 500,
    embed: Embed | None = None,
) -> bool:
    """Re-assign the next `batch` items of a re-assignment job; True when the job is finished."""
    after = int(job["params"].get("after_id", 0))
    rows = repo.items_after(store, after, batch)
    if not rows:
        return True
    vectors = vectors_for(store, rows, embed)
    results = assigner.assign([r["text"] for r in rows], [r["language"] for r in rows], vectors)
    repo.write_assignments(
        store,
        {int(r["id"]): hits for r, hits in zip(rows, results, strict=True)},
        taxonomy=assigner.taxonomy,
        now=now,
        replace=True,
    )
    store.advance_job(job["id"], done=len(rows), params={**job["params"], "after_id": int(rows[-1]["id"])})
    return len(rows) < batch


def queue_reassignment(store: Store, version: int, now: datetime) -> int:
    """Queue a background re-assignment of every stored item under taxonomy `version`."""
    return store.enqueue_job(REASSIGN_JOB, {"version": version, "after_id": 0}, total=store.count_items(), now=now)


# ---- taxonomy edits -----------------------------------------------------------------------------


class ThemeEditError(ValueError):
    """An edit the taxonomy cannot take (unknown id, a third level, a bad rule ...)."""


def _edit(
    store: Store,
    now: datetime,
    actor: Actor,
    action: str,
    theme_id: str | None,
    details: dict[str, Any],
    change: Callable[[sa.Connection, Taxonomy], None],
) -> int:
    require(actor, Permission.EDIT_TAXONOMY)
    with store.write() as connection:
        taxonomy = repo._load(connection)
        change(connection, taxonomy)
        version = repo.record_version(connection, now, actor, action, theme_id, details)
    queue_reassignment(store, version, now)
    return version


def _live(taxonomy: Taxonomy, theme_id: str) -> Theme:
    theme = taxonomy.get(theme_id)
    if theme is None or not theme.active:
        raise ThemeEditError(f"no active theme {theme_id!r}")
    return theme


def _check_rules(rules: dict[str, LanguageRule]) -> None:
    for language, rule in rules.items():
        for term in (*rule.any, *rule.all, *rule.none):
            problem = validate_term(term)
            if problem:
                raise ThemeEditError(f"{language}: {problem}")


def _check_parent(taxonomy: Taxonomy, parent_id: str | None, theme_id: str | None = None) -> None:
    if parent_id is None:
        return
    parent = _live(taxonomy, parent_id)
    if parent.parent_id is not None:
        raise ThemeEditError(f"{parent.name!r} is a sub-theme: themes are two levels deep")
    if theme_id is not None and (parent_id == theme_id or taxonomy.children(theme_id)):
        raise ThemeEditError("a theme with sub-themes cannot become a sub-theme")


def apply_starter_set(store: Store, name: str, *, actor: Actor, now: datetime) -> list[str]:
    """Add the starter set `name`'s themes the taxonomy does not have yet (by id; an archived or
    merged one stays as the team left it), record the choice (audited) and re-assign; returns the ids added."""

    chosen = starter_themes(name)  # ValueError for an unknown set, before anything changes
    store.put_setting(repo.STARTER_SET_KEY, {"set": name}, actor=actor, permission=Permission.EDIT_TAXONOMY, now=now)
    if repo.ensure_starter(store, now):  # a workspace without a taxonomy: the set is its first version
        queue_reassignment(store, repo.load_taxonomy(store).version, now)  # items assessed while there was none
        return [theme.id for theme in chosen]
    added: list[str] = []

    def change(connection: sa.Connection, taxonomy: Taxonomy) -> None:
        present = {theme.id for theme in taxonomy.themes}
        for theme in chosen:
            if theme.id not in present:
                repo.save_theme(connection, theme, now)
                added.append(theme.id)

    _edit(store, now, actor, "starter", None, {"set": name}, change)
    return added


def create_theme(
    store: Store,
    *,
    name: str,
    owner: str = "",
    parent_id: str | None = None,
    rules: dict[str, LanguageRule] | None = None,
    examples: Sequence[Example] = (),
    description: str = "",
    actor: Actor,
    now: datetime,
    origin: ThemeOrigin = ThemeOrigin.USER,
) -> str:
    """Add a theme (or sub-theme); returns its new, stable id."""
    if not name.strip():
        raise ThemeEditError("a theme needs a name")
    _check_rules(rules or {})
    created: list[str] = []

    def change(connection: sa.Connection, taxonomy: Taxonomy) -> None:
        _check_parent(taxonomy, parent_id)
        theme_id = slug(name, (t.id for t in taxonomy.themes), parent_id)
        theme = Theme(
            theme_id,
            name.strip(),
            owner.strip(),
            parent_id,
            description,
            tuple(sorted((rules or {}).items())),
            tuple(examples),
            origin=origin,
        )
        repo.save_theme(connection, theme, now)
        created.append(theme_id)

    _edit(store, now, actor, "create", None, {"name": name, "parent_id": parent_id}, change)
    return created[0]


def update_theme(
    store: Store,
    theme_id: str,
    *,
    actor: Actor,
    now: datetime,
    name: str | None = None,
    owner: str | None = None,
    description: str | None = None,
    rules: dict[str, LanguageRule] | None = None,
    examples: Sequence[Example] | None = None,
) -> int:
    """Rename a theme or change its owner, description, rules or examples; returns the new version."""
    if name is not None and not name.strip():
        raise ThemeEditError("a theme needs a name")
    if rules is not None:
        _check_rules(rules)
    changed = {
        k
        for k, v in {
            "name": name,
            "owner": owner,
            "description": description,
            "rules": rules,
            "examples": examples,
        }.items()
        if v is not None
    }

    def change(connection: sa.Connection, taxonomy: Taxonomy) -> None:
        theme = _live(taxonomy, theme_id)
        updated = replace(
            theme,
            name=name.strip() if name is not None else theme.name,
            owner=owner.strip() if owner is not None else theme.owner,
            description=description if description is not None else theme.description,
            rules=tuple(sorted(rules.items())) if rules is not None else theme.rules,
            examples=tuple(examples) if examples is not None else theme.examples,
        )
        repo.save_theme(connection, updated, now)

    action = "rename" if changed == {"name"} else "edit"
    return _edit(store, now, actor, action, theme_id, {"changed": sorted(changed), "name": name}, change)


def merge_themes(store: Store, source_id: str, target_id: str, *, actor: Actor, now: datetime) -> int:
    """Merge `source_id` into `target_id`: the source is archived as an alias, so its id keeps resolving.

    The target takes the source's `any` terms and examples; the source's sub-themes move under the
    target; older ids merged into the source now point at the target (chains stay one step long).
    """
    if source_id == target_id:
        raise ThemeEditError("a theme cannot be merged into itself")

    def change(connection: sa.Connection, taxonomy: Taxonomy) -> None:
        source, target = _live(taxonomy, source_id), _live(taxonomy, target_id)
        children = taxonomy.children(source.id)
        if children and target.parent_id is not None:
            raise ThemeEditError("a theme with sub-themes can only be merged into a top-level theme")
        if target.parent_id == source.id:
            raise ThemeEditError("merge the sub-theme into its parent, not the other way round")
        merged_rules = dict(target.rules)
        for language, rule in source.rules:
            mine = merged_rules.get(language, LanguageRule())
            merged_rules[language] = replace(mine, any=tuple(dict.fromkeys((*mine.any, *rule.any, *rule.all))))
        examples = tuple(dict.fromkeys((*target.examples, *source.examples)))
        repo.save_theme(connection, replace(target, rules=tuple(sorted(merged_rules.items())), examples=examples), now)
        repo.save_theme(connection, replace(source, status=ThemeStatus.ARCHIVED, alias_of=target.id), now)
        for child in children:
            repo.save_theme(connection, replace(child, parent_id=target.id), now)
        connection.execute(
            themes.update().where(themes.c.alias_of == source.id).values(alias_of=target.id, updated_at=now)
        )

    return _edit(store, now, actor, "merge", source_id, {"into": target_id}, change)


def split_theme(
    store: Store,
    theme_id: str,
    *,
    name: str,
    terms: Sequence[str],
    actor: Actor,
    now: datetime,
    owner: str | None = None,
) -> str:
    """Split a sub-theme out of `theme_id`: the words in `terms` (any language) now call for it.

    The new theme sits under `theme_id` (or beside it, when `theme_id` is itself a sub-theme); the
    terms move out of the original theme's rules.
    """
    cleaned = [t.strip() for t in terms if t.strip()]
    if not cleaned:
        raise ThemeEditError("name at least one word or phrase for the new theme")
    _check_rules({ANY_LANGUAGE: LanguageRule(any=tuple(cleaned))})
    created: list[str] = []

    def change(connection: sa.Connection, taxonomy: Taxonomy) -> None:
        theme = _live(taxonomy, theme_id)
        parent = theme.parent_id or theme.id
        new_id = slug(name, (t.id for t in taxonomy.themes), parent)
        moved = {t.casefold() for t in cleaned}
        rules = tuple(
            (lang, replace(rule, any=tuple(t for t in rule.any if t.casefold() not in moved)))
            for lang, rule in theme.rules
        )
        repo.save_theme(connection, replace(theme, rules=rules), now)
        repo.save_theme(
            connection,
            Theme(
                new_id,
                name.strip(),
                owner if owner is not None else theme.owner,
                parent,
                "",
                ((ANY_LANGUAGE, LanguageRule(any=tuple(cleaned))),),
                (),
                origin=ThemeOrigin.SPLIT,
            ),
            now,
        )
        created.append(new_id)

    _edit(store, now, actor, "split", theme_id, {"name": name, "terms": cleaned}, change)
    return created[0]


def move_theme(store: Store, theme_id: str, parent_id: str | None, *, actor: Actor, now: datetime) -> int:
    """Make a theme a sub-theme of `parent_id`, or a top-level theme with None."""

    def change(connection: sa.Connection, taxonomy: Taxonomy) -> None:
        theme = _live(taxonomy, theme_id)
        _check_parent(taxonomy, parent_id, theme_id)
        repo.save_theme(connection, replace(theme, parent_id=parent_id), now)

    return _edit(store, now, actor, "move", theme_id, {"parent_id": parent_id}, change)


def archive_theme(store: Store, theme_id: str, *, actor: Actor, now: datetime) -> int:
    """Retire a theme: no new items go to it; its history stays readable."""

    def change(connection: sa.Connection, taxonomy: Taxonomy) -> None:
        theme = _live(taxonomy, theme_id)
        if taxonomy.children(theme_id):
            raise ThemeEditError("archive or move its sub-themes first")
        repo.save_theme(connection, replace(theme, status=ThemeStatus.ARCHIVED), now)

    return _edit(store, now, actor, "archive", theme_id, {}, change)


# ---- discovery and proposals --------------------------------------------------------------------


def unthemed_pool(
    store: Store, now: datetime, days: int = DISCOVERY_DAYS, limit: int = DISCOVERY_MAX_ITEMS
) -> list[dict[str, Any]]:
    """Assessed items of the last `days` days that no theme covers (newest `limit`, in id order)."""
    query = (
        sa.select(items.c.id, items.c.text, items.c.language, items.c.posted_at, items.c.sentiment_label, items.c.brand)
        .join(theme_assessments, theme_assessments.c.item_id == items.c.id)
        .where(theme_assessments.c.themes == 0, items.c.posted_at >= now - timedelta(days=days))
        .order_by(items.c.id.desc())
        .limit(limit)
    )
    with store.read() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    return rows[::-1]


def run_discovery(
    store: Store,
    now: datetime,
    *,
    days: int = DISCOVERY_DAYS,
    embed: Embed | None = None,
    actor: Actor = repo.SYSTEM_ACTOR,
) -> list[str]:
    """Cluster the unthemed pool into proposals; returns the open proposals' ids, emerging first.

    Deterministic: the same pool gives the same proposals with the same ids. A cluster that shares
    at least half its items with an earlier proposal keeps that proposal's id and decision (a
    dismissed proposal does not come back as new); open proposals not found again are dropped.
    """
    require(actor, Permission.EDIT_TAXONOMY)
    pool = unthemed_pool(store, now, days)
    vectors = vectors_for(store, pool, embed) if pool else np.zeros((0, 1), dtype=np.float32)
    brands = {w for row in pool if row["brand"] for w in words(str(row["brand"]))}
    texts = [" ".join(w for w in words(str(r["text"])) if w not in brands) or str(r["text"]) for r in pool]
    languages = [str(r["language"]) for r in pool]
    means = repo.language_means(store, sorted(set(languages)), model_name(), int(vectors.shape[1])) if pool else None
    clusters = discover(texts, vectors, languages, means=means) if pool else []
    recent_since = now - RECENT
    pool_recent = sum(1 for row in pool if row["posted_at"] >= recent_since)
    pool_rate = (pool_recent + 1) / (len(pool) + 1)
    with store.write() as connection:
        earlier = [
            {**row, "members": set(json_list(row["member_item_ids"]))}
            for row in connection.execute(sa.select(theme_proposals)).mappings()
        ]
        seen: set[str] = set()
        for cluster in clusters:
            members = [int(pool[i]["id"]) for i in cluster.members]
            member_set = set(members)
            match = max(earlier, key=lambda row: _overlap(row["members"], member_set), default=None)
            if (
                match is not None
                and _overlap(match["members"], member_set) >= SAME_PROPOSAL_OVERLAP
                and match["id"] not in seen
            ):
                pid, status = str(match["id"]), str(match["status"])
            else:
                pid, status = proposal_id([str(m) for m in members]), "open"
            if pid in seen:
                continue
            seen.add(pid)
            # Growth relative to the whole pool, so a young workspace (all items recent) or a
            # busy week (every theme up) raises no false alarm.
            recent = sum(1 for i in cluster.members if pool[i]["posted_at"] >= recent_since)
            growth = ((recent + 1) / (len(members) + 1)) / pool_rate
            values = {
                "label": cluster.label[:300],
                "language": cluster.stored_languages,
                "keywords": list(cluster.keywords),
                "representative_item_ids": [int(pool[i]["id"]) for i in cluster.representatives],
                "member_item_ids": members,
                "size": len(members),
                "growth": round(growth, 3),
                "sentiment": dict(Counter(str(pool[i]["sentiment_label"]) for i in cluster.members)),
                "emerging": growth >= EMERGING_GROWTH and recent >= EMERGING_MIN_RECENT,
                "discovered_at": now,
            }
            if any(row["id"] == pid for row in earlier):
                connection.execute(theme_proposals.update().where(theme_proposals.c.id == pid).values(**values))
            else:
                connection.execute(theme_proposals.insert().values(id=pid, status=status, **values))
        stale = [row["id"] for row in earlier if row["status"] == "open" and row["id"] not in seen]
        if stale:
            connection.execute(theme_proposals.delete().where(theme_proposals.c.id.in_(stale)))
        write_setting(  # audited just below, as the discovery run itself
            connection,
            DISCOVERY_SETTING,
            {"at": now.isoformat(), "pool": len(pool), "proposals": len(seen)},
            actor=actor,
            now=now,
            audit=False,
        )
        store.record_audit(
            connection, actor, "theme.discovery", now=now, detail={"pool": len(pool), "proposals": len(seen)}
        )
    return [p["id"] for p in repo.proposals(store)]


def _overlap(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _decide(
    connection: sa.Connection, proposal_id: str, status: str, theme_id: str | None, actor: Actor, now: datetime
) -> None:
    connection.execute(
        theme_proposals.update()
        .where(theme_proposals.c.id == proposal_id)
        .values(status=status, theme_id=theme_id, decided_at=now, decided_by=actor.name)
    )


def _open_proposal(connection: sa.Connection, proposal_id: str) -> dict[str, Any]:
    row = connection.execute(sa.select(theme_proposals).where(theme_proposals.c.id == proposal_id)).mappings().first()
    if row is None or row["status"] != "open":
        raise ThemeEditError(f"no open proposal {proposal_id!r}")
    return repo._proposal(row)


def _representative_examples(connection: sa.Connection, ids: Sequence[int]) -> tuple[Example, ...]:
    rows = connection.execute(
        sa.select(items.c.id, items.c.text, items.c.language).where(items.c.id.in_(list(ids)))
    ).all()
    by_id = {int(r[0]): Example(str(r[1]), str(r[2])) for r in rows}
    return tuple(by_id[i] for i in ids if i in by_id)


def promote_proposal(
    store: Store,
    proposal_id: str,
    *,
    name: str,
    owner: str = "",
    parent_id: str | None = None,
    actor: Actor,
    now: datetime,
) -> str:
    """Turn a proposal into a theme: its items join it now, its representatives become examples."""
    require(actor, Permission.EDIT_TAXONOMY)
    if not name.strip():
        raise ThemeEditError("a theme needs a name")
    created: list[str] = []
    with store.write() as connection:
        found = _open_proposal(connection, proposal_id)
        rollups.lock_items(connection, found["member_item_ids"])  # items before the counts' map, as writers do
        taxonomy = repo._load(connection)
        _check_parent(taxonomy, parent_id)
        theme_id = slug(name, (t.id for t in taxonomy.themes), parent_id)
        examples = _representative_examples(connection, found["representative_item_ids"])
        repo.save_theme(
            connection,
            Theme(
                theme_id,
                name.strip(),
                owner.strip(),
                parent_id,
                f"Promoted from: {found['label']}",
                (),
                examples,
                origin=ThemeOrigin.PROPOSAL,
            ),
            now,
        )
        version = repo.record_version(
            connection, now, actor, "promote", theme_id, {"proposal": proposal_id, "name": name}
        )
        repo.add_items_to_theme(
            connection,
            found["member_item_ids"],
            theme_id,
            reason=f"promoted proposal: {found['label']}",
            method=Method.PROPOSAL,
            version=version,
            now=now,
        )
        _decide(connection, proposal_id, "promoted", theme_id, actor, now)
        created.append(theme_id)
    queue_reassignment(store, version, now)
    return created[0]


def merge_proposal(store: Store, proposal_id: str, theme_id: str, *, actor: Actor, now: datetime) -> int:
    """Put a proposal's items into an existing theme, which also learns its representatives as examples."""
    require(actor, Permission.EDIT_TAXONOMY)
    with store.write() as connection:
        found = _open_proposal(connection, proposal_id)
        rollups.lock_items(connection, found["member_item_ids"])  # items before the counts' map, as writers do
        taxonomy = repo._load(connection)
        target = _live(taxonomy, theme_id)
        examples = tuple(
            dict.fromkeys((*target.examples, *_representative_examples(connection, found["representative_item_ids"])))
        )
        repo.save_theme(connection, replace(target, examples=examples), now)
        version = repo.record_version(connection, now, actor, "merge proposal", target.id, {"proposal": proposal_id})
        repo.add_items_to_theme(
            connection,
            found["member_item_ids"],
            target.id,
            reason=f"merged proposal: {found['label']}",
            method=Method.PROPOSAL,
            version=version,
            now=now,
        )
        _decide(connection, proposal_id, "merged", target.id, actor, now)
    queue_reassignment(store, version, now)
    return version


def dismiss_proposal(store: Store, proposal_id: str, *, actor: Actor, now: datetime) -> None:
    """Set a proposal aside; re-discovering the same group keeps it dismissed."""
    require(actor, Permission.EDIT_TAXONOMY)
    with store.write() as connection:
        _open_proposal(connection, proposal_id)
        _decide(connection, proposal_id, "dismissed", None, actor, now)
        store.record_audit(connection, actor, "theme.dismiss_proposal", now=now, subject=proposal_id)


def discovery_due(store: Store, now: datetime, every: timedelta) -> bool:
    """True when discovery last ran `every` ago or more, or the unthemed pool grew by half since."""
    with store.read() as connection:
        pool = int(
            connection.execute(
                sa.select(sa.func.count()).select_from(theme_assessments).where(theme_assessments.c.themes == 0)
            ).scalar_one()
        )
    if pool < MIN_POOL:
        return False  # too few unthemed items to find anything worth a person's time
    last = dict(store.get_setting(DISCOVERY_SETTING) or {})
    if not last.get("at") or now - datetime.fromisoformat(str(last["at"])) >= every:
        return True
    before = int(last.get("pool", 0))
    return pool >= max(MIN_POOL, math.ceil(before * 1.5))


def has_themes(store: Store) -> bool:
    with store.read() as connection:
        return connection.execute(sa.select(item_themes.c.item_id).limit(1)).first() is not None
