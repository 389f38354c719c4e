"""This period against the previous one: volume, negative share, NPS, and the themes that moved most.

Pure logic over figures already counted (`voc.trends.queries` counts them in SQL), so the Trends
page and its tests share one definition of "moved most": the largest change in items, either
way, among top-level themes with at least `MIN_ITEMS` in one of the two periods (a move from 1 to
2 items is noise, not news); sub-themes are inside their parent's figures. Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Protocol

MIN_ITEMS: Final = 3
MOVERS: Final = 5


class Headline(Protocol):
    """The figures compared (a `TrendSummary`)."""

    @property
    def items(self) -> int: ...
    @property
    def negative_share(self) -> float | None: ...
    @property
    def nps(self) -> float | None: ...


@dataclass(frozen=True)
class ThemeCount:
    """A theme's items in one period (`label` is "Parent › Theme" for a sub-theme)."""

    theme_id: str
    label: str
    is_sub_theme: bool
    items: int
    negative: int = 0


@dataclass(frozen=True)
class ThemeMove:
    theme_id: str
    label: str
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def relative(self) -> float | None:
        """Relative change, None when the theme had no items before (it is new)."""
        return self.change / self.before if self.before else None


@dataclass(frozen=True)
class Comparison:
    """Two consecutive periods of the same length, side by side."""

    items: int
    previous_items: int
    negative_share: float | None
    previous_negative_share: float | None
    nps: float | None
    previous_nps: float | None
    movers: tuple[ThemeMove, ...] = ()

    @property
    def items_change(self) -> float | None:
        """Relative change in items; None when the previous period had none."""
        return (self.items - self.previous_items) / self.previous_items if self.previous_items else None

    @property
    def negative_share_points(self) -> float | None:
        """Change in negative share, in percentage points."""
        if self.negative_share is None or self.previous_negative_share is None:
            return None
        return 100.0 * (self.negative_share - self.previous_negative_share)

    @property
    def nps_change(self) -> float | None:
        if self.nps is None or self.previous_nps is None:
            return None
        return self.nps - self.previous_nps


def theme_moves(
    now: Mapping[str, ThemeCount], before: Mapping[str, ThemeCount], *, limit: int = MOVERS
) -> tuple[ThemeMove, ...]:
    """Top-level themes whose item count changed most, either way, largest change first."""
    moves = []
    for theme_id in sorted(set(now) | set(before)):
        current, previous = now.get(theme_id), before.get(theme_id)
        reference = current or previous
        if reference is None or reference.is_sub_theme:
            continue
        n, b = (current.items if current else 0), (previous.items if previous else 0)
        if n == b or max(n, b) < MIN_ITEMS:
            continue
        moves.append(ThemeMove(theme_id, reference.label, n, b))
    moves.sort(key=lambda m: (-abs(m.change), -m.now, m.label.casefold()))
    return tuple(moves[:limit])


def compare(
    current: Headline, previous: Headline, themes_now: Mapping[str, ThemeCount], themes_before: Mapping[str, ThemeCount]
) -> Comparison:
    """The comparison of two periods' headline figures and theme counts."""
    return Comparison(
        items=current.items,
        previous_items=previous.items,
        negative_share=current.negative_share,
        previous_negative_share=previous.negative_share,
        nps=current.nps,
        previous_nps=previous.nps,
        movers=theme_moves(themes_now, themes_before),
    )
