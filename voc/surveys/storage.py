"""Survey tables in the store: column mappings saved per survey, the import log, dedupe look-ups.

Portable SQLAlchemy Core over `survey_mappings`, `survey_imports` and `items`, the same on SQLite
and PostgreSQL. Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

import pandas as pd
import sqlalchemy as sa

from voc.access.roles import Actor
from voc.store.core import json_dict, json_list
from voc.store.facade import Store
from voc.store.schema import items, survey_imports, survey_mappings
from voc.surveys.mapping import ColumnMapping

# An import with thousands of broken rows keeps the first ones in the log (all are in the report).
MAX_LOGGED_PROBLEMS: Final = 1000
IMPORT_LOG_COLUMNS: Final = (
    "id",
    "imported_at",
    "survey",
    "filename",
    "vendor",
    "via",
    "rows_total",
    "items_landed",
    "duplicates",
    "rows_refused",
    "problems",
)


def load_mapping(store: Store, survey: str) -> tuple[str, ColumnMapping] | None:
    """The vendor and mapping saved for `survey`, or None (also when the saved one no longer parses)."""
    with store.read() as connection:
        row = connection.execute(
            sa.select(survey_mappings.c.vendor, survey_mappings.c.mapping).where(survey_mappings.c.survey == survey)
        ).first()
    if row is None:
        return None
    data = json_dict(row.mapping)
    try:
        return str(row.vendor), ColumnMapping.from_json(data)
    except (TypeError, ValueError):
        return None


def save_mapping(store: Store, survey: str, vendor: str, mapping: ColumnMapping, *, now: datetime) -> None:
    """Remember `mapping` for `survey` (replacing an earlier one) so the next file needs no choices."""
    values = {"vendor": vendor, "mapping": mapping.to_json(), "updated_at": now}
    with store.write() as connection:
        updated = connection.execute(
            survey_mappings.update().where(survey_mappings.c.survey == survey).values(**values)
        ).rowcount
        if not updated:
            connection.execute(survey_mappings.insert().values(survey=survey, **values))


def record_import(
    store: Store,
    *,
    survey: str,
    filename: str,
    vendor: str,
    via: str,
    imported_at: datetime,
    rows_total: int,
    items_landed: int,
    duplicates: int,
    rows_refused: int,
    problems: Iterable[tuple[int | None, str]],
    actor: Actor,
) -> int:
    """Add one import to the log (idempotent for the same file, survey, channel and start time),
    with its audit-log row in the same transaction."""
    listed = [{"line": line, "reason": reason} for line, reason in problems]
    if len(listed) > MAX_LOGGED_PROBLEMS:
        more = len(listed) - MAX_LOGGED_PROBLEMS
        listed = listed[:MAX_LOGGED_PROBLEMS] + [{"line": None, "reason": f"… and {more} more (see the report)"}]
    same = (
        survey_imports.c.survey == survey[:200],
        survey_imports.c.filename == filename[:500],
        survey_imports.c.via == via,
        survey_imports.c.imported_at == imported_at,
    )
    with store.write() as connection:
        existing = connection.execute(sa.select(survey_imports.c.id).where(*same)).scalar_one_or_none()
        if existing is not None:
            return int(existing)
        result = connection.execute(
            survey_imports.insert()
            .values(
                survey=survey[:200],
                filename=filename[:500],
                vendor=vendor,
                via=via,
                imported_at=imported_at,
                rows_total=rows_total,
                items_landed=items_landed,
                duplicates=duplicates,
                rows_refused=rows_refused,
                problems=listed,
            )
            .returning(survey_imports.c.id)
        )
        import_id = int(result.scalar_one())
        store.record_audit(
            connection, actor, "survey.import", now=imported_at, subject=survey[:200],
            detail={"import": import_id, "via": via, "rows": rows_total, "landed": items_landed, "refused": rows_refused},
        )  # fmt: skip
        return import_id


def recent_imports(store: Store, *, limit: int = 20) -> pd.DataFrame:
    """The import log, newest first."""
    query = sa.select(*(survey_imports.c[name] for name in IMPORT_LOG_COLUMNS)).order_by(
        survey_imports.c.imported_at.desc(), survey_imports.c.id.desc()
    )
    with store.read() as connection:
        rows = [dict(row) for row in connection.execute(query.limit(limit)).mappings()]
    frame = pd.DataFrame(rows, columns=list(IMPORT_LOG_COLUMNS))
    frame["problems"] = frame["problems"].map(json_list)
    return frame


def existing_external_ids(store: Store, source: str, external_ids: Iterable[str]) -> set[str]:
    """Which of `external_ids` are already stored for `source` (uses the (source, external_id) index)."""
    wanted = list(dict.fromkeys(external_ids))
    found: set[str] = set()
    with store.read() as connection:
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            found.update(
                connection.execute(
                    sa.select(items.c.external_id).where(items.c.source == source, items.c.external_id.in_(part))
                ).scalars()
            )
    return found


def survey_names(store: Store) -> list[str]:
    """Surveys with stored items or a saved mapping, by name."""
    with store.read() as connection:
        stored = connection.execute(sa.select(items.c.survey).where(items.c.survey.is_not(None)).distinct()).scalars()
        mapped = connection.execute(sa.select(survey_mappings.c.survey)).scalars()
        return sorted({str(name) for name in [*stored, *mapped]})
