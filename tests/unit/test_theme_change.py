"""The Themes overview's "Change" column (voc.themes.reports.change_share): a per-cent change only
where the previous period had enough items for it to mean something."""

from __future__ import annotations

import pytest

from voc.themes.reports import MIN_ITEMS_FOR_CHANGE, change_share


def test_a_change_over_a_real_base_is_shown() -> None:
    assert change_share(150, 100) == pytest.approx(0.5)
    assert change_share(5, MIN_ITEMS_FOR_CHANGE) == pytest.approx(-0.5)


def test_a_change_over_a_handful_of_items_is_not() -> None:
    assert change_share(278, 2) is None  # "+13,800 %" said nothing
    assert change_share(3, 0) is None
    assert change_share(40, MIN_ITEMS_FOR_CHANGE - 1) is None
