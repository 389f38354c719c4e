"""`python -m voc privacy`: erasure needs --yes after its preview; the sweep can be dry-run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import new_item
from voc.__main__ import main
from voc.access.roles import COMMAND_LINE, Actor
from voc.privacy.policy import save_retention
from voc.store.facade import Store


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("VOC_DATABASE_URL", url)
    monkeypatch.setenv("VOC_DATA_DIR", str(tmp_path / "data"))
    opened = Store.from_url(url)
    opened.add_items([
        new_item("lena-1", author="@lena@social.example", text="my bill is wrong again"),
        new_item("other-1", author="@other", text="no signal since this morning"),
        new_item("old-1", source="forum", author="@old", posted_at=datetime.now(UTC) - timedelta(days=90)),
    ])  # fmt: skip
    yield opened
    opened.engine.dispose()


@pytest.mark.parametrize(
    "argv",
    [
        ["privacy", "erase"],  # whom?
        ["privacy", "erase", "--author", "@a", "--respondent", "jo@example.com"],  # one person at a time
        ["privacy", "erase", "--author", "@a", "--batch-size", "0"],
        ["privacy"],
    ],
)
def test_malformed_commands_are_refused_by_the_parser(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_without_yes_erase_only_previews_and_exits_1(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["privacy", "erase", "--author", "@Lena@social.example"]) == 1
    out, err = capsys.readouterr()
    assert "would erase for author @l***" in out and "Items: 1" in out and "my bill is wrong again" in out
    assert "run again with --yes" in err
    assert store.count_items() == 3 and store.audit_entries(action="privacy.erase") == []


def test_with_yes_erase_removes_them_and_is_audited_as_the_command_line(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["privacy", "erase", "--author", "lena@social.example", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "erased (author:" in out and "Items: 1" in out
    assert store.count_items() == 2
    (row,) = store.audit_entries(action="privacy.erase")
    assert row["actor"] == COMMAND_LINE.name and "lena" not in repr(row)


def test_nobody_to_erase_is_said_plainly_and_is_not_an_error(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["privacy", "erase", "--respondent", "nobody@example.com"]) == 0
    assert "nothing stored for that respondent" in capsys.readouterr().out
    assert main(["privacy", "erase", "--author", "@"]) == 2
    assert "handle" in capsys.readouterr().err


def test_sweep_dry_run_then_sweep(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    save_retention(store, {"forum": 30}, actor=Actor.system("test"), now=datetime.now(UTC))
    assert main(["privacy", "sweep", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "forum: keeps 30 days; would delete Items: 1" in out and "test-source: retention off" in out
    assert store.count_items() == 3

    assert main(["privacy", "sweep"]) == 0
    assert "deleted 1 items" in capsys.readouterr().out
    assert store.count_items("forum") == 0 and store.count_items() == 2
    assert [r["actor"] for r in store.audit_entries(action="privacy.retention")] == ["system:retention"]


def test_a_raw_survey_export_naming_the_respondent_is_previewed_then_deleted(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing in the database, but the watched folder's done/ still holds their row: that is theirs too."""
    done = tmp_path / "data" / "incoming" / "surveys" / "done"
    done.mkdir(parents=True)
    (done / "nps.csv").write_text("email,score,comment\njo@example.com,2,slow\nkim@example.com,9,great\n")
    assert main(["privacy", "erase", "--respondent", "Jo@Example.com"]) == 1
    assert "raw survey exports naming them, deleted: nps.csv" in capsys.readouterr().out
    assert (done / "nps.csv").exists()

    assert main(["privacy", "erase", "--respondent", "jo@example.com", "--yes"]) == 0
    assert "Raw survey exports deleted: 1" in capsys.readouterr().out
    assert not (done / "nps.csv").exists()
