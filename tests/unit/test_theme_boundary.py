"""The themes package stays domain-only: importing it (and the runner that uses it) loads no Streamlit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.package_tree import modules_under

ROOT = Path(__file__).resolve().parents[2]
MODULES = modules_under(
    "voc.themes", "voc.trends", "listeners.runner"
)  # from the package tree: new modules are covered


def test_importing_the_themes_package_does_not_import_streamlit() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))[:3])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
