"""The export's comparison: this period against the previous one, as one table every format writes.

Headline figures (items, negative share, NPS, CSAT, copies left out) side by side, then the
themes that moved most, chosen as the Trends page chooses them (`voc.trends.comparison`). The
XLSX "Comparison" sheet, the `…-comparison.csv` file and the HTML section all read
`comparison_rows`, so the three never disagree. Domain module: no Streamlit.
"""

from __future__ import annotations

from typing import Any, Final

from voc.exports.summary import ExportSummary
from voc.trends.comparison import ThemeCount, theme_moves

COMPARISON_HEADER: Final = ("section", "key", "label", "this_period", "previous_period", "change")
HEADLINE: Final = "headline"
THEME: Final = "theme_moved"

ComparisonRow = tuple[str, str, str, Any, Any, Any]


def _difference(now: float | None, before: float | None, digits: int = 1) -> float | None:
    return None if now is None or before is None else round(now - before, digits)


def _share(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 1)


def comparison_rows(summary: ExportSummary) -> list[ComparisonRow]:
    """Headline figures, then the themes that moved most; `change` is now minus before
    (shares in percentage points)."""
    now, before = summary.totals, summary.previous_totals
    rows: list[ComparisonRow] = [
        (HEADLINE, "items", "Items", now.items, before.items, now.items - before.items),
        (HEADLINE, "negative_share_pct", "Negative share (%)", _share(now.negative_share),
         _share(before.negative_share), _difference(_share(now.negative_share), _share(before.negative_share))),
        (HEADLINE, "nps", "NPS", now.nps, before.nps, _difference(now.nps, before.nps)),
        (HEADLINE, "csat", "CSAT (mean)", now.csat, before.csat, _difference(now.csat, before.csat, 2)),
        (HEADLINE, "duplicates_not_counted", "Duplicates not counted", summary.duplicates,
         summary.previous_duplicates, summary.duplicates - summary.previous_duplicates),
    ]  # fmt: skip
    current = {
        line.theme_id: ThemeCount(line.theme_id, line.name, bool(line.parent), line.mix.items)
        for line in summary.themes
    }
    previous = {
        line.theme_id: ThemeCount(line.theme_id, line.name, bool(line.parent), line.previous) for line in summary.themes
    }
    for move in theme_moves(current, previous):
        rows.append((THEME, move.theme_id, move.label, move.now, move.before, move.change))
    return rows
