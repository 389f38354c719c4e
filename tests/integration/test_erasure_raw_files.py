"""Erasing a survey respondent also deletes the raw exports in the watched folder that name them.

The exports are imported for real (the folder listener through the Runner), so they sit in
done/ with their reports exactly as in a workspace; what is asserted is what stays on disk, in
the database and in the audit log.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from listeners.runner import Runner
from listeners.survey_folder import SurveyFolderListener
from voc.access.roles import Actor, Role
from voc.privacy.erasure import Subject, erase, preview_erasure
from voc.privacy.raw_files import survey_folders
from voc.sources.ingest import respondent_key
from voc.store.facade import Store
from voc.store.schema import audit_log, items
from voc.surveys import SURVEY_SOURCE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
ADMIN = Actor("olga@northwind.example", Role.ADMIN)
TOM = "Tom.Jones@example.com"  # a respondent of the SurveyMonkey export, typed as a person would


@pytest.fixture
def folder(store: Store, tmp_path: Path, clock) -> Path:  # noqa: ANN001 - the FrozenClock fixture
    """The watched folder after importing a SurveyMonkey export (with e-mails) and a Typeform one."""
    inbox = tmp_path / "incoming" / "surveys"
    inbox.mkdir(parents=True)
    shutil.copy(FIXTURES / "surveymonkey_post_contact.csv", inbox / "post_contact.csv")
    shutil.copy(FIXTURES / "typeform_onboarding.csv", inbox / "onboarding.csv")
    store.ensure_source(SURVEY_SOURCE, "survey_folder", {"folder": str(inbox)}, poll_interval_s=30)
    listener = SurveyFolderListener(SURVEY_SOURCE, inbox, store, settle_seconds=0, clock=clock)
    runner = Runner(store, {SURVEY_SOURCE: listener}, owner="r1", clock=clock)
    for _ in range(20):
        runner.run_once()
    assert sorted(p.name for p in (inbox / "done").iterdir() if not p.name.endswith(".report.txt")) == [
        "onboarding.csv",
        "post_contact.csv",
    ]
    return inbox


def count_items(store: Store, email_or_id: str) -> int:
    with store.read() as connection:
        query = sa.select(sa.func.count()).where(items.c.respondent_key == respondent_key(email_or_id))
        return int(connection.execute(query).scalar_one())


def test_the_preview_names_the_raw_export_and_the_erasure_deletes_only_that_file(
    store: Store, folder: Path, tmp_path: Path, clock
) -> None:  # noqa: ANN001
    folders = survey_folders(store, tmp_path)
    assert folders == [folder]  # the folder source's own setting
    assert count_items(store, TOM) >= 1 and count_items(store, "mia.wong@example.com") >= 1

    preview = preview_erasure(store, Subject.respondent(TOM), actor=ADMIN, survey_folders=folders)
    assert preview.raw_files == ("post_contact.csv",)
    assert (folder / "done" / "post_contact.csv").exists()  # a preview changes nothing

    result = erase(store, Subject.respondent(TOM), actor=ADMIN, now=clock(), survey_folders=folders)

    assert result.counts["raw_survey_files"] == 1
    assert not (folder / "done" / "post_contact.csv").exists()
    assert (folder / "done" / "onboarding.csv").exists()  # it does not name them
    report = (folder / "done" / "post_contact.csv.report.txt").read_text(encoding="utf-8")
    assert "it named a respondent whose data was erased on request" in report
    assert count_items(store, TOM) == 0
    assert count_items(store, "mia.wong@example.com") >= 1  # the file's other respondents stay in the database
    with store.read() as connection:
        details = [
            json.dumps(row.detail)
            for row in connection.execute(sa.select(audit_log.c.detail).where(audit_log.c.action == "privacy.erase"))
        ]
    assert any('"raw_survey_files": 1' in d for d in details)
    assert not any("tom.jones" in d.lower() for d in details)  # never the address


def test_an_id_matches_a_whole_cell_not_part_of_one(store: Store, folder: Path) -> None:
    """Customer ids are short: "a1b2" must not take every export whose cells contain those letters."""
    assert preview_erasure(store, Subject.respondent("A1B2C3D4E5"), actor=ADMIN, survey_folders=[folder]).raw_files == (
        "onboarding.csv",
    )
    assert preview_erasure(store, Subject.respondent("a1b2"), actor=ADMIN, survey_folders=[folder]).raw_files == ()


def test_a_refused_file_is_searched_as_text(store: Store, folder: Path) -> None:
    failed = folder / "failed"
    failed.mkdir()
    (failed / "minutes.pdf").write_bytes(b"%PDF-1.4 call back tom.jones@example.com tomorrow")
    found = preview_erasure(store, Subject.respondent(TOM), actor=ADMIN, survey_folders=[folder]).raw_files
    assert sorted(found) == ["minutes.pdf", "post_contact.csv"]


def test_erasing_an_author_leaves_survey_exports_alone(store: Store, folder: Path, clock) -> None:  # noqa: ANN001
    erase(store, Subject.author("@tom.jones@example.com"), actor=ADMIN, now=clock(), survey_folders=[folder])
    assert (folder / "done" / "post_contact.csv").exists()
