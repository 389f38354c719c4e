"""The Surveys page: upload with a mapping preview and a summary, recovery call-backs, and scores.

Uploads go through AppTest's `file_uploader(...).set_value`, the same path a browser upload takes
into `st.file_uploader`.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.actors import admin
from voc.store.facade import Store
from voc.store.schema import alerts, items, survey_imports
from voc.surveys.importer import import_path, import_survey
from voc.surveys.storage import load_mapping

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"


def open_surveys(app: AppTest, section: str) -> AppTest:
    at = app.run().switch_page("pages/surveys.py")
    at.query_params["section"] = section
    return at.run()


def upload(at: AppTest, name: str, content: bytes | None = None) -> AppTest:
    data = content if content is not None else (FIXTURES / name).read_bytes()
    at.file_uploader(key="survey_upload").set_value((name, data, "text/csv"))
    return at.run()


def import_button(at: AppTest) -> Any:
    return next(button for button in at.button if button.label == "Import")


def rows(store: Store, *conditions: Any) -> list[dict[str, Any]]:
    with store.read() as connection:
        return [dict(r) for r in connection.execute(sa.select(items).where(*conditions)).mappings()]


def test_an_upload_is_previewed_then_imported_with_a_summary(app: AppTest, empty_store: Store) -> None:
    at = upload(open_surveys(app, "Import"), "typeform_onboarding.csv")
    assert not at.exception
    assert any("Read as **Typeform, CSV, utf-8" in md.value for md in at.markdown)
    preview = at.dataframe[0].value
    assert list(preview.index) == [2, 3, 4] and preview.index.name == "Line"  # the file's own line numbers
    read_as = at.dataframe[1].value
    assert list(read_as["response"])[0] == "k5jx9m2h1q3v4p7r8s9t0u1v2w3x4y5z" and list(read_as["NPS"]) == [1, 9, 7]

    import_button(at).click().run()

    assert not at.exception
    assert "4 items landed from 3 responses" in at.success[0].value
    assert len(rows(empty_store, items.c.survey == "typeform_onboarding")) == 4
    with empty_store.read() as connection:
        assert connection.execute(sa.select(survey_imports.c.via)).scalars().all() == ["upload"]
    assert any("1 very unhappy respondent: see Recovery" in info.value for info in at.info)


def test_refused_rows_are_listed_with_their_line_numbers(app: AppTest, empty_store: Store) -> None:
    at = upload(open_surveys(app, "Import"), "broken_rows.csv")
    import_button(at).click().run()
    assert not at.exception
    assert "4 rows refused" in at.warning[0].value
    problems = at.dataframe[-2].value  # above the import log
    assert list(problems["line"]) == [3, 4, 5, 7]
    assert problems["reason"].iloc[0].startswith("NPS 11 out of range 0–10")


def test_a_title_above_the_header_is_said_in_the_preview_and_the_summary(app: AppTest, empty_store: Store) -> None:
    titled = "Customer survey — November 2026\n\n".encode() + (FIXTURES / "broken_rows.csv").read_bytes()
    at = upload(open_surveys(app, "Import"), "titled.csv", titled)
    assert not at.exception
    skipped = "2 lines above the header were skipped: a title and a blank line"
    assert any(skipped in md.value for md in at.markdown)  # the "Read as" line, before importing
    import_button(at).click().run()
    assert not at.exception
    assert at.warning[0].value.endswith(skipped)
    assert list(at.dataframe[-2].value["line"]) == [5, 6, 7, 9]  # the file's own lines, the title counted


def test_a_wrong_format_is_refused_naming_what_was_expected(app: AppTest, empty_store: Store) -> None:
    at = upload(open_surveys(app, "Import"), "results.csv", b"%PDF-1.4 not a table")
    assert not at.exception
    assert "expected a survey export" in at.error[0].value
    assert not [b for b in at.button if b.label == "Import"]


def test_a_generic_table_is_mapped_once_and_the_mapping_is_reused(app: AppTest, empty_store: Store) -> None:
    at = upload(open_surveys(app, "Import"), "generic_callcentre.csv")
    assert not at.exception
    submitted = next(box for box in at.selectbox if box.label == "Submitted at")
    assert submitted.value == "created"  # guessed from the names and values, shown for the user to check
    import_button(at).click().run()
    assert "4 items landed" in at.success[0].value
    saved = load_mapping(empty_store, "generic_callcentre")
    assert saved is not None and saved[1].response_id == "ticket" and saved[1].date_order == "dmy"

    at = upload(open_surveys(app, "Import"), "generic_callcentre.csv")
    assert any("Using the mapping saved for this survey" in caption.value for caption in at.caption)


def test_a_very_unhappy_respondent_is_listed_and_the_outcome_recorded(app: AppTest, empty_store: Store) -> None:
    import_path(empty_store, FIXTURES / "google_forms_store_visit.csv", survey="Store visit", actor=admin("lead"))
    at = open_surveys(app, "Recovery")
    assert not at.exception
    assert any("Overdue" in md.value for md in at.markdown)  # submitted in November 2026, due two hours later
    recovered = next(b for b in at.button if b.label == "Recovered")
    recovered.click().run()

    assert not at.exception
    unhappy = rows(empty_store, items.c.very_unhappy.is_(True))
    assert [(r["recovery_outcome"], r["recovery_actor"]) for r in unhappy] == [("recovered", "local user")]
    with empty_store.read() as connection:
        assert connection.execute(sa.select(alerts.c.status)).scalars().all() == ["acknowledged"]
    assert "No very unhappy respondent is waiting" in at.success[0].value
    assert at.dataframe[0].value["recovery_outcome"].tolist() == ["Recovered"]  # the store says "recovered"


def test_recovery_alerts_read_their_status_as_words(app: AppTest, empty_store: Store) -> None:
    import_path(empty_store, FIXTURES / "google_forms_store_visit.csv", survey="Store visit", actor=admin("lead"))
    at = open_surveys(app, "Recovery")
    assert not at.exception
    assert at.dataframe[0].value["status"].tolist() == ["Open"]  # the store says "open"


def test_languages_are_named_as_in_the_inbox_not_coded(app: AppTest, empty_store: Store) -> None:
    import_path(empty_store, FIXTURES / "google_forms_store_visit.csv", survey="Store visit", actor=admin("lead"))
    at = open_surveys(app, "Recovery")
    assert "NPS 2 with a negative comment · CSAT 1 · English" in [caption.value for caption in at.caption]


def recent_export(now: datetime) -> bytes:
    """A Typeform export of the last few days: two promoters, a passive, two detractors."""
    answers = [
        (10, "Love the new plan, great value"),
        (9, "Works well"),
        (7, ""),
        (2, "Awful coverage, I want to cancel"),
        (3, "Great, thanks!"),  # happy words, low score: a disagreement
    ]
    lines = [
        "#,How likely are you to recommend us?,Why?,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags"
    ]
    for n, (score, why) in enumerate(answers):
        when = (now - timedelta(days=n + 1)).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f'tok{n},{score},"{why}",completed,{when},{when},{when},n{n},')
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_the_scores_view_shows_nps_bands_and_disagreements(app: AppTest, empty_store: Store) -> None:
    import_survey(
        empty_store, io.BytesIO(recent_export(datetime.now(UTC))), "pulse.csv", survey="Pulse", actor=admin("lead")
    )
    at = open_surveys(app, "Scores")
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    assert (metrics["Responses"], metrics["NPS"], metrics["CSAT"]) == ("5", "+0", "—")
    assert [expander.label for expander in at.expander] == [
        "Detractor (0–6) · 2 comments",
        "Promoter (9–10) · 2 comments",
    ]
    disagreements = at.dataframe[-1].value
    assert list(disagreements["text"]) == ["Great, thanks!"]
    assert list(disagreements["language"]) == ["English"]
    assert set(at.dataframe[0].value["language"]) == {"English"}
    assert next(box for box in at.selectbox if box.label == "Language").options == [
        "All languages",
        "English",
        "Undetermined",
    ]


def test_a_quote_left_open_is_shown_then_listed_by_its_line_and_the_rows_after_it_land(
    app: AppTest, empty_store: Store
) -> None:
    export = (
        b"#,How likely are you to recommend us?,Why?,Submit Date (UTC)\r\n"
        b"a1,9,Fine,2026-11-20 10:00\r\n"
        b'a2,3,"Rude staff, I want a refund,2026-11-20 10:05\r\n'  # the quote is never closed
        b"a3,7,Okay,2026-11-20 10:10\r\n"
        b"a4,10,Great,2026-11-20 10:15\r\n"
    )
    at = upload(open_surveys(app, "Import"), "onboarding.csv", export)
    read_as = at.dataframe[1].value  # how the first rows will be read: the same reason as the import's
    assert read_as["problem"].iloc[1].startswith("a quote opened on this line is not closed")
    import_button(at).click().run()
    assert not at.exception
    assert "3 items landed from 3 responses" in at.warning[0].value and "1 row refused" in at.warning[0].value
    problems = at.dataframe[-2].value  # above the import log
    assert list(problems["line"]) == [3]
    assert problems["reason"].iloc[0].startswith("a quote opened on this line is not closed")
    assert "refund" not in problems["reason"].iloc[0]
    assert sorted(r["response_id"] for r in rows(empty_store, items.c.survey == "onboarding")) == ["a1", "a3", "a4"]


def test_the_preview_cuts_a_huge_cell_with_its_marker(app: AppTest, empty_store: Store) -> None:
    pasted = "stack trace line " * 30_000  # 510,000 characters in one comment
    export = f'#,How likely are you to recommend us?,Why?,Submit Date (UTC)\nt1,9,"{pasted}",2026-11-20 10:00\n'
    at = upload(open_surveys(app, "Import"), "onboarding.csv", export.encode())
    assert not at.exception
    shown = at.dataframe[0].value["Why?"].iloc[0]
    assert len(shown) < 1_100 and shown.endswith("more characters]")
