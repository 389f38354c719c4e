"""SQL pieces other modules filter with: the items of a theme (old ids included), the unthemed bucket.

A theme's items are those assigned to it, to its sub-themes, or to any id merged into either;
merges flatten alias chains (`alias_of` always names a live theme), so one level of lookup is
enough and the query stays portable. A filter may name an old, merged id: it is resolved first.

Domain module: no Streamlit.
"""

from __future__ import annotations

import sqlalchemy as sa

from voc.store.facade import Store
from voc.store.schema import item_themes, theme_assessments, themes
from voc.themes.taxonomy import UNTHEMED


def theme_family(theme_id: str) -> sa.Select[tuple[str]]:
    """The stored theme ids that count towards `theme_id` (which may itself be an old, merged id)."""
    resolved = (
        sa.select(sa.func.coalesce(themes.c.alias_of, themes.c.id)).where(themes.c.id == theme_id).scalar_subquery()
    )
    children = sa.select(themes.c.id).where(themes.c.parent_id == resolved)
    return sa.select(themes.c.id).where(
        sa.or_(
            themes.c.id == resolved,
            themes.c.alias_of == resolved,
            themes.c.parent_id == resolved,
            themes.c.alias_of.in_(children),
        )
    )


def items_in_theme(theme_id: str) -> sa.Select[tuple[int]]:
    """Ids of the items in `theme_id` (or, for "unthemed", of the assessed items no theme covers)."""
    if theme_id == UNTHEMED:
        return sa.select(theme_assessments.c.item_id).where(theme_assessments.c.themes == 0)
    return sa.select(item_themes.c.item_id).where(item_themes.c.theme_id.in_(theme_family(theme_id)))


def theme_options(store: Store) -> tuple[tuple[str, str], ...]:
    """(id, "Parent › Theme") of every active theme, parents first, for filter bars."""
    with store.read() as connection:
        rows = connection.execute(
            sa.select(themes.c.id, themes.c.name, themes.c.parent_id).where(themes.c.status == "active")
        ).all()
    names = {str(i): str(n) for i, n, _ in rows}
    labelled = [(str(i), f"{names.get(str(p), p)} › {n}" if p else str(n)) for i, n, p in rows]
    return tuple(sorted(labelled, key=lambda pair: pair[1].casefold()))
