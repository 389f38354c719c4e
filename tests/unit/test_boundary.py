"""The domain and the listeners never import Streamlit (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_MODULES = [
    "voc",
    "voc.settings",
    "voc.models",
    "voc.sources.ingest",
    "voc.inbox.triage",
    "voc.trends.queries",
    "voc.sources.health",
    "voc.access.roles",
    "voc.access.users",
    "voc.access.audit",
    "voc.store",
    "voc.analysis.pipeline",
    "voc.inbox.care_settings",
    "voc.__main__",
    "listeners",
    "listeners.base",
    "listeners.runner",
    "listeners.replay",
    "listeners.registry",
    "listeners.__main__",
]


def test_importing_the_domain_and_listeners_does_not_import_streamlit() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {DOMAIN_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(len(leaked)); print(leaked[:5])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "0", result.stdout
