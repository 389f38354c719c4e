"""The survey domain and the folder listener never import Streamlit (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.package_tree import modules_under

ROOT = Path(__file__).resolve().parents[2]
MODULES = modules_under("voc.surveys", "listeners.survey_folder")  # from the package tree: new modules are covered


def test_importing_the_survey_modules_does_not_import_streamlit() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))[:5])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
