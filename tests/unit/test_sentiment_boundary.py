"""The sentiment modules are domain code: importing them never imports Streamlit or torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.package_tree import modules_under

ROOT = Path(__file__).resolve().parents[2]
MODULES = modules_under("voc.sentiment") + ["voc.analysis.embeddings"]  # from the package tree: new modules are covered


def test_sentiment_modules_import_neither_streamlit_nor_torch() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'torch', 'transformers')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
