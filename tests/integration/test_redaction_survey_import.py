"""A survey export whose comments carry the PII corpus: what the import stores holds none of it."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from tests.actors import admin
from tests.pii_corpus import pii_cases
from voc.store.facade import Store
from voc.store.schema import items, survey_imports
from voc.surveys.importer import import_survey
from voc.surveys.mapping import ColumnMapping


def compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def test_an_imported_export_stores_no_personal_value_from_its_comments(store: Store, clock) -> None:
    cases = pii_cases()
    firsts = {case.form: case for case in reversed(cases)}  # one case per format
    seconds = [case for case in cases if case is not firsts[case.form]][: len(firsts)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["ticket", "created", "customer_id", "satisfaction", "comment", "follow_up comment"])
    rows = list(zip(firsts.values(), seconds, strict=False))
    for i, (first, second) in enumerate(rows):
        writer.writerow([f"T-{i}", "23.11.2026 09:15", f"C-{i}", "2", first.text, second.text])
    mapping = ColumnMapping(
        submitted_at="created",
        response_id="ticket",
        text_fields=("comment", "follow_up comment"),
        csat="satisfaction",
        respondent="customer_id",
        timezone="Europe/Berlin",
        date_order="dmy",
    )
    report = import_survey(
        store, io.BytesIO(buffer.getvalue().encode("utf-8")), "pii.csv", survey="pii", mapping=mapping,
        clock=clock, actor=admin("importer"),
    )  # fmt: skip
    assert report.items_landed == 2 * len(rows)

    with store.read() as connection:
        stored = [dict(row) for row in connection.execute(sa.select(items)).mappings()]
        logged = [dict(row) for row in connection.execute(sa.select(survey_imports)).mappings()]
    columns = [compact(str(value)) for row in stored + logged for value in row.values() if value is not None]
    for first, second in rows:
        for case in (first, second):
            value = compact(case.value)
            assert not any(value in column for column in columns), case.form
    kinds = {kind for row in stored for kind in row["redactions"]}
    assert kinds == {"email", "iban", "card", "phone", "id"}
