"""`python -m ui.serve`: `streamlit run app.py` with the app's modules imported while it starts."""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path

import pytest

from ui import serve


def test_the_app_modules_are_every_ui_module_but_the_launcher() -> None:
    package = Path(serve.__file__).parent
    expected = {f"ui.{path.stem}" for path in package.glob("*.py") if path.stem not in ("__init__", "serve")}
    assert set(serve.app_modules()) == expected and "ui.data" in expected
    assert serve.APP.name == "app.py" and serve.APP.is_file()


def test_without_a_runtime_nothing_is_imported_and_all_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing before Streamlit's runtime exists would bind the caches to a private storage:
    the warm-up waits for the runtime and gives up after its wait, importing nothing."""
    monkeypatch.delitem(sys.modules, "ui.audit", raising=False)
    began = time.monotonic()
    assert serve.warm_up(["ui.audit"], wait_s=0.2) == ["ui.audit"]
    assert 0.2 <= time.monotonic() - began < 5
    assert "ui.audit" not in sys.modules


def test_with_a_runtime_the_modules_are_imported_and_failures_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from streamlit import runtime

    (tmp_path / "warm_module.py").write_text("IMPORTED = True\n")
    (tmp_path / "broken_module.py").write_text("raise RuntimeError('a page module that fails')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(runtime, "exists", lambda: True)
    assert serve.warm_up(["warm_module", "broken_module", "no_such_module"]) == ["broken_module", "no_such_module"]
    assert sys.modules["warm_module"].IMPORTED
    assert "imported ahead of the first page: 1 of 3" in capsys.readouterr().out
    for name in ("warm_module", "broken_module"):
        monkeypatch.delitem(sys.modules, name, raising=False)


def test_the_database_is_opened_as_the_pages_open_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ui import data

    url = f"sqlite:///{tmp_path}/voc.db"
    monkeypatch.setenv("VOC_DATABASE_URL", url)
    assert serve.open_store()
    assert "Database opened ahead of the first page" in capsys.readouterr().out
    assert data.store() is data.store() and (tmp_path / "voc.db").is_file()  # the pages get the same store
    data.store().engine.dispose()


def test_a_database_that_cannot_be_opened_leaves_the_error_to_the_page(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ui import data

    def refuse() -> None:
        raise ConnectionError("postgresql://voc:secret@db.internal/voc is down")

    monkeypatch.setattr(data, "store", refuse)
    assert not serve.open_store()
    assert "ConnectionError" in caplog.text and "secret" not in caplog.text  # the type, never the message


def test_streamlits_first_element_check_is_done_ahead_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit import delta_generator, env_util

    calls = []
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(env_util, "is_repl", lambda: calls.append(1) or False)
    serve.first_element_check()
    serve.first_element_check()
    assert calls == [1] and delta_generator._use_warning_has_been_displayed  # the first page skips it


def test_the_app_watches_none_of_its_files() -> None:
    """Streamlit set up its file watchers for every new browser session on the server's event loop
    (~1 s of a first page's ~3 s); the app's config turns them off (`make run`, the browser tests
    and the benches read it; live reload is `--server.fileWatcherType=auto`)."""
    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False
