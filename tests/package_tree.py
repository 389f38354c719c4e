"""The modules of a package, read from the folder tree, so boundary tests cover new modules by
themselves instead of a hand-kept list."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Alembic's revision scripts run inside Alembic, not as importable modules.
NOT_MODULES = ("voc/store/migrations",)


def modules_under(*packages: str) -> list[str]:
    """Every importable module below each dotted package (the package itself included), sorted."""
    found: set[str] = set()
    for package in packages:
        folder = ROOT / package.replace(".", "/")
        if not folder.is_dir():  # a plain module
            found.add(package)
            continue
        for path in folder.rglob("*.py"):
            relative = path.relative_to(ROOT)
            if any(relative.as_posix().startswith(skip) for skip in NOT_MODULES):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found.add(".".join(parts))
    return sorted(found)


def packages_under(package: str) -> list[Path]:
    """The `__init__.py` of every package below `package` (itself included)."""
    folder = ROOT / package.replace(".", "/")
    return sorted(p for p in folder.rglob("__init__.py") if not p.relative_to(ROOT).as_posix().startswith(NOT_MODULES))
