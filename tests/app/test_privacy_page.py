"""The Privacy page: retention saved per source, an erasure previewed then confirmed, and the
hide-handles switch that makes the inbox show viewers "(hidden)" instead of authors.

app.py's navigation is another engineer's (the page is registered there as `pages/privacy.py`),
so the page is opened on its own, as a first visitor's direct link would run it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT
from tests.app.team import signed_in
from voc.access import users
from voc.access.roles import Actor, Role
from voc.exports import build_export, iso_week
from voc.privacy import policy
from voc.privacy.masking import HIDDEN_AUTHOR, mask_people
from voc.privacy.settings import load_privacy
from voc.store.facade import Store

ADMIN_EMAIL = "olga@northwind.example"


def privacy_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "privacy.py"), default_timeout=30)


def button(at: AppTest, label: str):  # noqa: ANN201 - AppTest's Button type is generic
    return next(b for b in at.button if b.label == label)


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The shown table that has `column`."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


@pytest.fixture
def team_with_roles(store_with_items: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("VOC_MODE", "team")
    monkeypatch.setenv("VOC_FIRST_ADMIN", ADMIN_EMAIL)
    now = datetime.now(UTC)
    users.set_role(store_with_items, "vera@northwind.example", "viewer", actor=Actor.system("test"), now=now)
    users.set_role(store_with_items, "ana@northwind.example", "agent", actor=Actor.system("test"), now=now)
    return store_with_items


def test_an_author_is_previewed_then_erased_once_the_confirmation_is_typed(store_with_items: Store) -> None:
    at = privacy_page().run()
    assert not at.exception and at.title[0].value == "Privacy"
    assert button(at, "Preview").disabled  # nothing typed yet

    at.text_input(key="privacy.who").input("@Angry1").run()
    button(at, "Preview").click().run()

    counts = dict(table(at, "Rows").itertuples(index=False))
    assert counts["Items"] == 1 and not [what for what in counts if "_" in what]  # people's names, not tables'
    samples = table(at, "Text")
    assert samples["Text"].tolist() == ["Terrible outage again, worst network ever, awful."]
    assert list(samples.columns) == ["Item", "Posted", "Source", "Channel", "Text"]
    assert button(at, "Erase").disabled
    at.text_input(key="privacy.confirm").input("erase please").run()
    assert button(at, "Erase").disabled  # only the word itself

    at.text_input(key="privacy.confirm").input("ERASE").run()
    button(at, "Erase").click().run()

    assert not at.exception
    assert at.success[0].value.startswith("Erased @a***")
    assert store_with_items.count_items() == 9
    with store_with_items.read() as connection:
        authors = {row[0] for row in connection.exec_driver_sql("SELECT author FROM items")}
    assert "angry1" not in authors and {"angry2", "angry30"} <= authors
    assert at.text_input(key="privacy.who").value == ""  # the form is cleared for the next request
    (audit,) = store_with_items.audit_entries(action="privacy.erase")
    assert audit["actor"] == "local user" and "angry1" not in repr(audit)


def test_a_handle_nobody_has_gets_a_clear_empty_state(store_with_items: Store) -> None:
    at = privacy_page().run()
    at.text_input(key="privacy.who").input("@nobody_here").run()
    button(at, "Preview").click().run()
    assert not at.exception
    assert "Nothing is stored for them" in at.info[0].value
    assert not [b for b in at.button if b.label == "Erase"]


def test_with_many_sources_retention_is_set_for_the_one_chosen_and_the_others_keep_theirs(
    store_with_items: Store,
) -> None:
    for name in ("feed-a", "feed-b", "feed-c", "feed-d"):
        store_with_items.ensure_source(name, "scripted", poll_interval_s=60)
    policy.save_retention(store_with_items, {"survey": 30}, actor=Actor.system("test"), now=datetime.now(UTC))
    at = privacy_page().run()
    assert not [n for n in at.number_input if n.key.startswith("privacy.days.")]  # one input, once chosen
    assert at.selectbox(key="privacy.retention.source").value is None  # nothing preselected

    at.selectbox(key="privacy.retention.source").select("social").run()
    assert [n.key for n in at.number_input if n.key.startswith("privacy.days.")] == ["privacy.days.social"]
    at.number_input(key="privacy.days.social").set_value(2)
    button(at, "Save retention").click().run()

    assert not at.exception
    assert load_privacy(store_with_items).retention == (("social", 2), ("survey", 30))


def test_retention_is_saved_per_source_and_the_next_sweep_is_shown(store_with_items: Store) -> None:
    at = privacy_page().run()
    assert "Retention is off for every source" in " ".join(c.value for c in at.caption)
    assert at.number_input(key="privacy.days.social").label.endswith("(days; 0 keeps them)")  # 0 is not "delete all"

    at.number_input(key="privacy.days.social").set_value(1)
    button(at, "Save retention").click().run()

    assert not at.exception
    assert load_privacy(store_with_items).retention == (("social", 1),)
    upcoming = table(at, "Keeps (days)")
    assert upcoming.to_dict("records")[0]["Source"] == "social"
    assert upcoming.to_dict("records")[0]["Items the next sweep deletes"] == 1  # the 30-hour-old complaint
    assert store_with_items.count_items() == 10  # shown, not deleted: the listener process sweeps
    assert [r["actor"] for r in store_with_items.audit_entries(action="setting.privacy.retention")] == ["local user"]

    button(at, "Sweep now").click().run()
    assert store_with_items.count_items() == 9


def test_how_long_imported_survey_exports_are_kept_is_set_on_the_retention_tab(store_with_items: Store) -> None:
    at = privacy_page().run()
    assert at.number_input(key="privacy.survey_files.days").value == 30  # the default: a month

    at.number_input(key="privacy.survey_files.days").set_value(7)
    next(b for b in at.button if b.label == "Save" and b.key is not None and "survey_files" in b.key).click().run()

    assert not at.exception
    assert load_privacy(store_with_items).survey_files_days == 7
    assert at.number_input(key="privacy.survey_files.days").value == 7
    assert [r["actor"] for r in store_with_items.audit_entries(action="setting.privacy.survey_files")] == ["local user"]


def test_hiding_handles_keeps_authors_from_viewers_and_not_from_agents(
    app: AppTest, team_with_roles: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOC_DATA_DIR", str(tmp_path))
    exports_dir = tmp_path / "exports"
    build_export(team_with_roles, iso_week("2026-W47"), exports_dir, formats=["csv"], requested_by=Actor.system("test"))
    admin = signed_in(privacy_page(), ADMIN_EMAIL).run()
    assert not admin.exception
    admin.toggle(key="privacy.hide_handles").set_value(True).run()
    assert load_privacy(team_with_roles).hide_handles_from_viewers
    assert [r["actor"] for r in team_with_roles.audit_entries(action="setting.privacy.hide_handles")] == [ADMIN_EMAIL]

    # A viewer's one surface with authors' traces is the exports: the old file (its links name
    # authors) is not offered until it is rebuilt, and a new one is written without links.
    viewer = signed_in(app, "vera@northwind.example").run().switch_page("pages/exports.py").run()
    assert not viewer.exception
    assert any("links that name authors" in i.value for i in viewer.info)
    assert not viewer.get("download_button")
    fresh = build_export(
        team_with_roles,
        iso_week("2026-W46"),
        exports_dir,
        formats=["csv"],
        requested_by=Actor("vera@northwind.example", Role.VIEWER),
    )
    assert not fresh.links

    masked = mask_people(
        pd.DataFrame({"author": ["angry1"], "link": ["https://x.com/angry1/status/1"]}),
        Actor("vera@northwind.example", Role.VIEWER),
        load_privacy(team_with_roles),
    )
    assert masked["author"].tolist() == [HIDDEN_AUTHOR] and masked["link"].isna().all()

    agent_app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    agent = signed_in(agent_app, "ana@northwind.example").run().switch_page("pages/inbox.py").run()
    lines = " ".join(c.value for c in agent.caption)
    assert all(f"**{name}**" in lines for name in ("angry1", "angry2", "angry30"))


@pytest.mark.parametrize("email", ["vera@northwind.example", "ana@northwind.example"])
def test_viewers_and_agents_get_no_privacy_controls(team_with_roles: Store, email: str) -> None:
    at = signed_in(privacy_page(), email).run()
    assert not at.exception
    assert "for admins" in at.warning[0].value
    assert not at.toggle and not at.text_input and not at.number_input


def test_the_preview_names_raw_survey_exports_that_the_erasure_deletes(
    store_with_items: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOC_DATA_DIR", str(tmp_path))
    done = tmp_path / "incoming" / "surveys" / "done"
    done.mkdir(parents=True)
    (done / "nps-week47.csv").write_text("email,score,comment\njo@example.com,2,slow\n", encoding="utf-8")
    at = privacy_page().run()
    at.radio(key="privacy.kind").set_value("Survey respondent").run()
    at.text_input(key="privacy.who").input("jo@example.com").run()
    button(at, "Preview").click().run()
    assert not at.exception
    assert any("Raw survey exports that name them" in c.value and "nps-week47.csv" in c.value for c in at.caption)

    at.text_input(key="privacy.confirm").input("ERASE").run()
    button(at, "Erase").click().run()
    assert not at.exception and "Raw survey exports deleted: 1" in at.success[0].value
    assert not (done / "nps-week47.csv").exists()
