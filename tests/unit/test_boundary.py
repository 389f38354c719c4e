"""The domain and the listeners never import Streamlit, nor the UI (checked in a fresh interpreter).

The modules come from the package tree (`tests.package_tree`), not from a hand-kept list: a new
module under `voc/` or `listeners/` is covered the day it is added.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.package_tree import ROOT, modules_under, packages_under

DOMAIN_MODULES = modules_under("voc", "listeners")


def test_importing_the_domain_and_listeners_does_not_import_streamlit() -> None:
    assert "voc.store.core" in DOMAIN_MODULES and "listeners.runner" in DOMAIN_MODULES
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


def test_no_domain_module_imports_the_ui_or_the_pages() -> None:
    offenders = []
    for name in DOMAIN_MODULES:
        path = ROOT / name.replace(".", "/")
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            offenders += [f"{name} imports {t}" for t in targets if t.split(".")[0] in ("ui", "pages", "streamlit")]
    assert offenders == []


def test_every_domain_package_says_what_it_owns() -> None:
    """Each package's `__init__` docstring says what it owns and what it must not know."""
    missing = []
    for init in packages_under("voc") + packages_under("listeners"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if len(doc) < 40:
            missing.append(init.relative_to(ROOT).as_posix())
    assert missing == []
