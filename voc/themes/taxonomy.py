"""The theme taxonomy: stable ids, two levels, owners, per-language rules, example sentences.

A `Theme` is what trends are reported on. Its id never changes and is never reused: a rename only
changes the name, a merge archives the merged theme with `alias_of` pointing at the survivor, so
every stored assignment, saved link and export that names the old id still resolves. Themes are
two levels deep (theme → sub-theme). `Taxonomy` is one immutable version of the whole set.

Domain module: no Streamlit, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from voc.themes.rules import LanguageRule
from voc.themes.text import normalise

UNTHEMED: Final = "unthemed"  # the bucket of assessed items no theme covers (a filter value, never a theme id)
MAX_ID_LENGTH: Final = 80


class ThemeStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ThemeOrigin(StrEnum):
    STARTER = "starter"
    USER = "user"
    PROPOSAL = "proposal"
    SPLIT = "split"


@dataclass(frozen=True)
class Example:
    """A sentence that belongs to a theme, in its language: semantic assignment compares to it."""

    text: str
    language: str = "und"


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    owner: str = ""
    parent_id: str | None = None
    description: str = ""
    rules: tuple[tuple[str, LanguageRule], ...] = ()
    examples: tuple[Example, ...] = ()
    status: ThemeStatus = ThemeStatus.ACTIVE
    alias_of: str | None = None
    origin: ThemeOrigin = ThemeOrigin.USER

    @property
    def active(self) -> bool:
        return self.status == ThemeStatus.ACTIVE

    def rule(self, language: str) -> LanguageRule:
        return dict(self.rules).get(language, LanguageRule())

    def rules_json(self) -> dict[str, dict[str, list[str]]]:
        return {language: rule.to_json() for language, rule in self.rules if not rule.empty or rule.none}

    def examples_json(self) -> list[dict[str, str]]:
        return [{"text": e.text, "language": e.language} for e in self.examples]

    def to_row(self) -> dict[str, Any]:
        """The theme as a row of the `themes` table (without timestamps)."""
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "name": self.name,
            "owner_team": self.owner,
            "description": self.description,
            "rules": self.rules_json(),
            "examples": self.examples_json(),
            "status": str(self.status),
            "alias_of": self.alias_of,
            "origin": str(self.origin),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Theme:
        return cls(
            id=str(row["id"]),
            name=str(row["name"]),
            owner=str(row.get("owner_team") or ""),
            parent_id=row.get("parent_id"),
            description=str(row.get("description") or ""),
            rules=rules_from_json(row.get("rules") or {}),
            examples=tuple(
                Example(str(e.get("text", "")), str(e.get("language") or "und"))
                for e in (row.get("examples") or [])
                if isinstance(e, Mapping) and e.get("text")
            ),
            status=ThemeStatus(row.get("status") or ThemeStatus.ACTIVE),
            alias_of=row.get("alias_of"),
            origin=ThemeOrigin(row.get("origin") or ThemeOrigin.USER),
        )


def rules_from_json(value: Mapping[str, Any]) -> tuple[tuple[str, LanguageRule], ...]:
    return tuple(
        sorted((str(lang), LanguageRule.from_json(rule)) for lang, rule in value.items() if isinstance(rule, Mapping))
    )


@dataclass(frozen=True)
class Taxonomy:
    """One version of the theme set; lookups resolve merged ids to the theme that absorbed them."""

    version: int
    themes: tuple[Theme, ...]
    _by_id: dict[str, Theme] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {theme.id: theme for theme in self.themes})

    def get(self, theme_id: str) -> Theme | None:
        return self._by_id.get(theme_id)

    def resolve(self, theme_id: str) -> Theme | None:
        """The theme `theme_id` stands for today: itself, or the theme it was merged into."""
        seen: set[str] = set()
        theme = self._by_id.get(theme_id)
        while theme is not None and theme.alias_of and theme.id not in seen:
            seen.add(theme.id)
            theme = self._by_id.get(theme.alias_of)
        return theme

    def active(self) -> list[Theme]:
        return [theme for theme in self.themes if theme.active]

    def top_level(self) -> list[Theme]:
        return [theme for theme in self.active() if theme.parent_id is None]

    def children(self, theme_id: str) -> list[Theme]:
        return [theme for theme in self.active() if theme.parent_id == theme_id]

    def family(self, theme_id: str) -> set[str]:
        """Every stored id that counts towards `theme_id`: itself, its sub-themes, and ids merged into them."""
        resolved = self.resolve(theme_id)
        if resolved is None:
            return set()
        members = {resolved.id} | {child.id for child in self.children(resolved.id)}
        changed = True
        while changed:
            aliases = {t.id for t in self.themes if t.alias_of in members} - members
            changed = bool(aliases)
            members |= aliases
        return members

    def label(self, theme_id: str) -> str:
        """ "Parent › Child" for a sub-theme, the name for a theme, the id when unknown."""
        theme = self.resolve(theme_id)
        if theme is None:
            return theme_id
        parent = self.get(theme.parent_id) if theme.parent_id else None
        return f"{parent.name} › {theme.name}" if parent else theme.name

    def to_json(self) -> list[dict[str, Any]]:
        return [theme.to_row() for theme in self.themes]


def slug(name: str, taken: Iterable[str] = (), parent: str | None = None) -> str:
    """A readable, unused id for a new theme named `name` ("Network outage" -> "network-outage")."""
    base = re.sub(r"[^a-z0-9]+", "-", normalise(name)).strip("-")[:40] or "theme"
    if parent:
        base = f"{parent}.{base}"[: MAX_ID_LENGTH - 4]
    taken_set = set(taken)
    candidate, n = base, 2
    while candidate in taken_set or candidate == UNTHEMED:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
