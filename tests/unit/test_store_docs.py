"""docs/store.md lists every table the schema declares, so the page cannot fall behind it."""

from __future__ import annotations

from tests.package_tree import ROOT
from voc.store.schema import metadata


def test_docs_store_lists_every_table() -> None:
    page = (ROOT / "docs" / "store.md").read_text(encoding="utf-8")
    missing = sorted(name for name in metadata.tables if f"| `{name}` |" not in page)
    assert missing == []
