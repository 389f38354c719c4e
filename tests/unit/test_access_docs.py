"""docs/access.md keeps up with the code: every permission with its least role, every page with its section."""

from __future__ import annotations

import re
from pathlib import Path

from ui.navigation import PAGES, PRIVACY
from voc.access.roles import REQUIRED_ROLE, Permission

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"


def table_rows(text: str, first_header: str) -> list[list[str]]:
    """The cells of the Markdown table whose first header cell is `first_header`."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if re.match(rf"\|\s*{first_header}\s*\|", line))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def test_every_permission_is_listed_with_its_least_role() -> None:
    rows = table_rows(DOC.read_text(), "permission")
    assert {row[0]: row[1] for row in rows} == {p.value: REQUIRED_ROLE[p].value for p in Permission}
    assert [row[0] for row in rows] == [p.value for p in Permission]  # in the code's order


def test_every_page_is_listed_with_its_section_permission_and_role() -> None:
    rows = table_rows(DOC.read_text(), "page")
    assert rows == [[s.title, s.section, s.permission.value, s.role.value] for s in (*PAGES, PRIVACY)]


def test_the_readme_links_the_access_page() -> None:
    assert "docs/access.md" in (DOC.parents[1] / "README.md").read_text()
