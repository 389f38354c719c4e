"""Erasure on request: one author's or survey respondent's data, previewed first, then erased.

A person is found the way the store keys them: an author by handle (as the inbox shows it,
with or without the leading "@", case-insensitive: `@lena@social.example`, `@name`, `u/name`),
a survey respondent by the e-mail address or customer id they answered with, which the store
only ever holds as its salted hash (`voc.sources.ingest.respondent_key`), so the hash is what is matched.

Erasing removes their items and everything derived from them (`voc.privacy.purge`), and what
names them elsewhere: their VIP-list entry, their handle in spike explanations kept on alerts,
theme examples copied from their words (with the taxonomy history's snapshots and the "like: …"
reasons other items were themed with), every export whose period held one of their items,
which is regenerated without them (`voc.privacy.exports`), and, for a respondent, the raw survey
exports in the watched folder that name them (`voc.privacy.raw_files`). It works in batches, each one
transaction with its own audit row (`privacy.erase`), so an interrupted erasure is finished by
running it again. The audit row names the person only by a salted hash and a masked hint
(`@l***`), never in clear: the log is read and exported by admins. Domain: no Streamlit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa

from voc.access.roles import Actor, Permission, require
from voc.exports.service import WeeklyExport, list_exports
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.privacy.exports import exports_containing, queue_regeneration, regenerate_queued
from voc.privacy.purge import add_counts, count_matching, count_name, purge_items
from voc.privacy.raw_files import delete_files, files_naming
from voc.sources.ingest import respondent_key
from voc.store.core import json_value
from voc.store.facade import Store
from voc.store.schema import alerts, item_themes, items, taxonomy_versions, themes
from voc.store.settings import read_setting, write_setting
from voc.themes.repository import record_version
from voc.trends.spikes import RULES as SPIKE_RULES

log = logging.getLogger(__name__)

AUDIT_SALT: Final = b"voc-erasure-audit-v1"
BATCH_SIZE: Final = 500
SAMPLE_SIZE: Final = 10
ERASED_EXAMPLE_REASON: Final = "like: an erased example"


class SubjectKind(StrEnum):
    AUTHOR = "author"
    RESPONDENT = "respondent"


@dataclass(frozen=True)
class Subject:
    """The person to erase. `value` is what the admin typed; it is never stored or logged."""

    kind: SubjectKind
    value: str = field(repr=False)

    @classmethod
    def author(cls, handle: str) -> Subject:
        """A social author by handle: "@lena@social.example", "@name", "name" or "u/name"."""
        if not handle or not handle.strip().lstrip("@").strip():
            raise ValueError("give the author's handle, e.g. @name or @name@instance.example")
        return cls(SubjectKind.AUTHOR, handle.strip())

    @classmethod
    def respondent(cls, email_or_id: str) -> Subject:
        """A survey respondent by the e-mail address or customer id they answered with."""
        if not email_or_id or not email_or_id.strip():
            raise ValueError("give the respondent's e-mail address or customer id")
        return cls(SubjectKind.RESPONDENT, email_or_id.strip())

    @property
    def key(self) -> str:
        """How the store knows them: the normalised handle, or the respondent's salted hash."""
        if self.kind is SubjectKind.AUTHOR:
            return self.value.strip().lstrip("@").lower()
        key = respondent_key(self.value)
        assert key is not None
        return key

    @property
    def audit_subject(self) -> str:
        """A salted hash for the audit log: the same person always gives the same value, so an
        admin can check a past request by hashing it again, but the log never names them."""
        digest = hashlib.sha256(AUDIT_SALT + f"{self.kind}:{self.key}".encode()).hexdigest()[:24]
        return f"{self.kind}:{digest}"

    @property
    def masked(self) -> str:
        """A hint a person can read in the audit log: "@l***" or "l***@***"."""
        first = self.key[0] if self.kind is SubjectKind.AUTHOR else self.value.strip()[0]
        if self.kind is SubjectKind.AUTHOR:
            return f"@{first}***"
        return f"{first}***@***" if "@" in self.value else f"{first}***"

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """Which items are theirs."""
        if self.kind is SubjectKind.AUTHOR:
            return [sa.func.lower(sa.func.ltrim(items.c.author, "@")) == self.key]
        return [items.c.respondent_key == self.key]


@dataclass(frozen=True)
class SampleItem:
    id: int
    posted_at: datetime
    source: str
    channel: str
    text: str


@dataclass(frozen=True)
class ErasurePreview:
    """What an erasure would remove: rows per table, a few of the items, the exports to rebuild."""

    masked: str
    counts: Mapping[str, int] = field(default_factory=dict)
    samples: tuple[SampleItem, ...] = ()
    exports: tuple[str, ...] = ()  # labels of the exports that would be regenerated
    raw_files: tuple[str, ...] = ()  # raw survey exports naming them, to be deleted

    @property
    def empty(self) -> bool:
        return not self.counts and not self.exports and not self.raw_files


@dataclass(frozen=True)
class ErasureResult:
    masked: str
    audit_subject: str
    counts: Mapping[str, int] = field(default_factory=dict)
    exports_regenerated: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = [f"{count_name(name)}: {n}" for name, n in self.counts.items()] or ["nothing found to erase"]
        if self.exports_regenerated:
            out.append("exports regenerated: " + ", ".join(self.exports_regenerated))
        return out


# ---- what names them outside their items ---------------------------------------------------------


def _vip_without(connection: sa.Connection, subject: Subject) -> VipList | None:
    """The VIP list without them, or None when it does not name them."""
    raw = read_setting(connection, VIP_SETTINGS_KEY)
    if raw is None:
        return None
    vip = VipList.from_json(raw)
    if subject.kind is SubjectKind.AUTHOR and subject.key in vip.handles:
        return VipList({h: t for h, t in vip.handles.items() if h != subject.key}, vip.keys)
    if subject.kind is SubjectKind.RESPONDENT and subject.key in vip.keys:
        return VipList(vip.handles, {k: t for k, t in vip.keys.items() if k != subject.key})
    return None


def _author_of(entry: str) -> str:
    """ "@lena@social.example (3)" -> "lena@social.example" (spike drivers' shape)."""
    return entry.rsplit(" (", 1)[0].strip().lstrip("@").lower()


def _spike_alerts_naming(connection: sa.Connection, subject: Subject) -> list[tuple[int, dict[str, Any]]]:
    """Spike alerts whose explanation names the author, each with its details rewritten."""
    if subject.kind is not SubjectKind.AUTHOR:
        return []
    rewritten = []
    for alert_id, raw in connection.execute(
        sa.select(alerts.c.id, alerts.c.details).where(alerts.c.rule.in_(list(SPIKE_RULES)))
    ):
        details = dict(json_value(raw) or {})
        drivers = dict(details.get("drivers") or {})
        authors = [str(a) for a in drivers.get("authors") or []]
        kept = [a for a in authors if _author_of(a) != subject.key]
        if len(kept) == len(authors):
            continue
        drivers["authors"] = kept
        details["drivers"] = drivers
        lines = [str(line) for line in details.get("explanation") or [] if not str(line).startswith("top authors:")]
        if kept:
            lines.append(f"top authors: {', '.join(kept)}")
        details["explanation"] = lines
        rewritten.append((int(alert_id), details))
    return rewritten


def _without_texts(examples: Any, texts: set[str]) -> tuple[list[Any], int]:
    listed = list(json_value(examples) or [])
    kept = [e for e in listed if not (isinstance(e, Mapping) and e.get("text") in texts)]
    return kept, len(listed) - len(kept)


def _examples_matching(connection: sa.Connection, texts: set[str]) -> int:
    if not texts:
        return 0
    return sum(_without_texts(raw, texts)[1] for raw in connection.execute(sa.select(themes.c.examples)).scalars())


def _scrub_examples(connection: sa.Connection, texts: set[str], actor: Actor, now: datetime) -> dict[str, int]:
    """Theme examples copied from these texts go, from the taxonomy and from its history."""
    if not texts:
        return {}
    removed = 0
    for theme_id, raw in connection.execute(sa.select(themes.c.id, themes.c.examples)).all():
        kept, n = _without_texts(raw, texts)
        if n:
            removed += n
            connection.execute(themes.update().where(themes.c.id == theme_id).values(examples=kept, updated_at=now))
    snapshots = 0
    for version, raw in connection.execute(sa.select(taxonomy_versions.c.version, taxonomy_versions.c.snapshot)).all():
        snapshot = list(json_value(raw) or [])
        changed = False
        for theme in snapshot:
            if isinstance(theme, dict) and theme.get("examples"):
                kept, n = _without_texts(theme["examples"], texts)
                if n:
                    theme["examples"], changed = kept, True
        if changed:
            snapshots += 1
            connection.execute(
                taxonomy_versions.update().where(taxonomy_versions.c.version == version).values(snapshot=snapshot)
            )
    reasons = 0
    wanted = sorted(f"like: {text}" for text in texts)
    for start in range(0, len(wanted), 200):
        reasons += connection.execute(
            item_themes.update()
            .where(item_themes.c.reason.in_(wanted[start : start + 200]))
            .values(reason=ERASED_EXAMPLE_REASON)
        ).rowcount
    if removed:  # a new version, so assigners rebuild without those examples
        record_version(connection, now, actor, "privacy erasure", None, {"examples_removed": removed})
    return add_counts({}, {"theme_examples": removed, "taxonomy_snapshots": snapshots, "theme_reasons": reasons})


def _scrub_mentions(connection: sa.Connection, subject: Subject, actor: Actor, now: datetime) -> dict[str, int]:
    """The VIP list and spike explanations, rewritten without them."""
    counts: dict[str, int] = {}
    vip = _vip_without(connection, subject)
    if vip is not None:
        # The erasure (MANAGE_PRIVACY, checked by the caller) rewrites the list and audits itself.
        write_setting(
            connection, VIP_SETTINGS_KEY, vip.to_json(), actor=actor, now=now, permission=Permission.MANAGE_PRIVACY,
            audit=False,
        )  # fmt: skip
        counts["vip_list"] = 1
    spikes = _spike_alerts_naming(connection, subject)
    for alert_id, details in spikes:
        connection.execute(alerts.update().where(alerts.c.id == alert_id).values(details=details))
    if spikes:
        counts["spike_alerts"] = len(spikes)
    return counts


# ---- preview and erase ---------------------------------------------------------------------------


def _affected_exports(exports: Sequence[WeeklyExport], moments: Iterable[datetime]) -> tuple[str, ...]:
    by_slug = {e.slug: e.label for e in exports}
    return tuple(by_slug[slug] for slug in exports_containing(exports, moments))


def _raw_files(subject: Subject, survey_folders: Sequence[Path]) -> list[Path]:
    """Raw survey exports naming a respondent (an author's posts are never in a survey export)."""
    if subject.kind is not SubjectKind.RESPONDENT or not survey_folders:
        return []
    return files_naming(survey_folders, subject.value)


def preview_erasure(
    store: Store,
    subject: Subject,
    *,
    actor: Actor,
    exports_dir: Path | None = None,
    survey_folders: Sequence[Path] = (),
) -> ErasurePreview:
    """What `erase` would remove, without removing anything (admins only: it shows their items)."""
    require(actor, Permission.MANAGE_PRIVACY)
    conditions = subject.conditions()
    with store.read() as connection:
        counts = count_matching(connection, conditions)
        rows = connection.execute(
            sa.select(items.c.id, items.c.posted_at, items.c.source, items.c.channel, items.c.text)
            .where(*conditions)
            .order_by(items.c.posted_at.desc())
        ).all()
        texts = {str(r.text) for r in rows if r.text}
        extra = {
            "theme_examples": _examples_matching(connection, texts),
            "vip_list": int(_vip_without(connection, subject) is not None),
            "spike_alerts": len(_spike_alerts_naming(connection, subject)),
        }
    exports = (
        _affected_exports(list_exports(exports_dir), (r.posted_at for r in rows)) if exports_dir is not None else ()
    )
    samples = tuple(
        SampleItem(int(r.id), r.posted_at, str(r.source), str(r.channel), str(r.text)[:200]) for r in rows[:SAMPLE_SIZE]
    )
    raw = tuple(path.name for path in _raw_files(subject, survey_folders))
    return ErasurePreview(subject.masked, add_counts(counts, extra), samples, exports, raw)


def erase(
    store: Store,
    subject: Subject,
    *,
    actor: Actor,
    now: datetime,
    exports_dir: Path | None = None,
    survey_folders: Sequence[Path] = (),
    batch_size: int = BATCH_SIZE,
) -> ErasureResult:
    """Erase everything the workspace holds of `subject` (see the module docstring); admins only.

    Each batch of their items is one transaction with its audit row; the last one also rewrites
    the VIP list and spike explanations. Running it again after a crash finishes the job.
    """
    require(actor, Permission.MANAGE_PRIVACY)
    if batch_size < 1:
        raise ValueError("the batch size is at least 1")
    exports = list_exports(exports_dir) if exports_dir is not None else []
    totals: dict[str, int] = {}
    batch = 0
    while True:
        with store.write() as connection:
            ids = list(
                connection.execute(
                    sa.select(items.c.id).where(*subject.conditions()).order_by(items.c.id).limit(batch_size)
                ).scalars()
            )
            counts, gone = purge_items(connection, ids)
            counts = add_counts(counts, _scrub_examples(connection, {g.text for g in gone if g.text}, actor, now))
            last = len(ids) < batch_size
            if last:
                counts = add_counts(counts, _scrub_mentions(connection, subject, actor, now))
            slugs = exports_containing(exports, (g.posted_at for g in gone))
            queue_regeneration(connection, slugs, reason="erasure", now=now)
            store.record_audit(
                connection, actor, "privacy.erase", now=now, subject=subject.audit_subject,
                detail={"kind": str(subject.kind), "masked": subject.masked, "batch": batch, "counts": counts,
                        "exports_queued": len(slugs)},
            )  # fmt: skip
        totals = add_counts(totals, counts)
        if last:
            break
        batch += 1
    raw = _raw_files(subject, survey_folders)
    if raw:
        deleted = delete_files(raw, now=now)
        totals = add_counts(totals, {"raw_survey_files": deleted})
        with store.write() as connection:
            store.record_audit(
                connection, actor, "privacy.erase", now=now, subject=subject.audit_subject,
                detail={"kind": str(subject.kind), "masked": subject.masked, "raw_survey_files": deleted},
            )  # fmt: skip
    regenerated = regenerate_queued(store, exports_dir, now=now, actor=actor)
    log.info(
        "erased %s: %s",
        subject.audit_subject,
        ", ".join(f"{n} {name}" for name, n in totals.items()) or "nothing found",
    )
    return ErasureResult(subject.masked, subject.audit_subject, totals, tuple(regenerated))
