"""Inside a page, each person sees the actions their role allows: forms the domain would refuse
are replaced by a line saying who may change them (the domain refuses them anyway)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.team import FIRST_ADMIN, signed_in
from voc.access import users
from voc.access.roles import Actor
from voc.store.facade import Store

ADMIN = FIRST_ADMIN


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch, store_with_items: Store) -> Store:
    monkeypatch.setenv("VOC_MODE", "team")
    monkeypatch.setenv("VOC_FIRST_ADMIN", ADMIN)
    setup = Actor.system("test")
    users.set_role(store_with_items, "vera@northwind.example", "viewer", actor=setup, now=datetime.now(UTC))
    users.set_role(store_with_items, "ana@northwind.example", "agent", actor=setup, now=datetime.now(UTC))
    return store_with_items


def open_as(app: AppTest, email: str, page: str, section: str | None = None) -> AppTest:
    if section:
        app.query_params["section"] = section
    at = signed_in(app, email).run().switch_page(page).run()
    assert not at.exception
    return at


def locks(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if "Only a" in c.value]


def test_a_viewer_reads_the_taxonomy_but_gets_no_editing_forms(app: AppTest, team: Store) -> None:
    at = open_as(app, "vera@northwind.example", "pages/themes.py", section="Taxonomy")
    assert at.dataframe  # the taxonomy table is there to read
    assert not [b for b in at.button if b.label in ("Save theme", "Merge", "Split", "Move", "Archive", "Create")]
    assert any("admin can change the taxonomy" in text for text in locks(at))


def test_an_admin_gets_the_taxonomy_forms(app: AppTest, team: Store) -> None:
    at = open_as(app, ADMIN, "pages/themes.py", section="Taxonomy")
    assert {"Save theme", "Merge", "Create"} <= {b.label for b in at.button}
    assert not locks(at)


def test_a_viewer_builds_exports_but_cannot_change_the_schedule(app: AppTest, team: Store) -> None:
    at = open_as(app, "vera@northwind.example", "pages/exports.py")
    assert "Save schedule" not in [b.label for b in at.button]
    assert any("weekly schedule" in text for text in locks(at))
    assert "Build export" in [b.label for b in at.button]


def test_an_agent_acknowledges_alerts_but_cannot_change_channels_or_rules(app: AppTest, team: Store) -> None:
    at = open_as(app, "ana@northwind.example", "pages/alerts.py")
    texts = locks(at)
    assert any("where alerts go" in t for t in texts) and any("alert rules" in t for t in texts)
    assert not [b for b in at.button if "Add channel" in b.label or "Save rules" in b.label]
