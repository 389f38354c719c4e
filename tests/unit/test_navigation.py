"""The page table: which pages each role sees, where it lands, and Privacy only once its script exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui import navigation
from ui.navigation import PAGES, PRIVACY
from voc.access.roles import LOCAL_ACTOR, REQUIRED_ROLE, Actor, Role

VIEWER, AGENT, ADMIN = (Actor(f"{role}@northwind.example", role) for role in Role)


def titles(actor: Actor) -> list[str]:
    return [spec.title for spec in navigation.visible_pages(actor, PAGES)]


def test_viewers_see_dashboards_and_exports() -> None:
    assert titles(VIEWER) == ["Trends", "Themes", "Exports"]


def test_agents_add_the_care_pages() -> None:
    assert titles(AGENT) == ["Inbox", "Surveys", "Alerts", "Trends", "Themes", "Exports"]


def test_admins_and_the_local_user_see_every_page() -> None:
    every = [spec.title for spec in PAGES]
    assert titles(ADMIN) == titles(LOCAL_ACTOR) == titles(Actor.system("test")) == every
    assert {"Sources", "Settings", "Users", "Audit"} <= set(every)


@pytest.mark.parametrize(
    ("actor", "landing"), [(VIEWER, "Trends"), (AGENT, "Inbox"), (ADMIN, "Inbox"), (LOCAL_ACTOR, "Inbox")]
)
def test_each_role_lands_on_its_work(actor: Actor, landing: str) -> None:
    home = navigation.landing_page(actor)
    assert home.title == landing
    assert home in navigation.visible_pages(actor, PAGES)


def test_every_page_script_exists_and_urls_are_unique() -> None:
    for spec in PAGES:
        assert (navigation.ROOT / spec.script).is_file(), spec.script
        assert spec.section in navigation.SECTIONS
        assert spec.role is REQUIRED_ROLE[spec.permission]
    paths = [spec.url_path for spec in (*PAGES, PRIVACY)]
    assert len(paths) == len(set(paths))


def test_privacy_is_listed_for_admins_only_once_its_script_exists(tmp_path: Path) -> None:
    assert PRIVACY not in navigation.app_pages(tmp_path)
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "privacy.py").write_text('"""Privacy."""\n')
    pages = navigation.app_pages(tmp_path)
    assert pages[-1] == PRIVACY and (PRIVACY.title, PRIVACY.url_path, PRIVACY.icon) == (
        "Privacy",
        "privacy",
        ":material/shield_person:",
    )
    assert PRIVACY in navigation.visible_pages(ADMIN, pages)
    assert PRIVACY not in navigation.visible_pages(AGENT, pages)


def test_the_refusal_names_the_page_the_role_needed_and_the_persons_role() -> None:
    users_page = next(spec for spec in PAGES if spec.title == "Users")
    text = navigation.refusal_text(users_page, AGENT)
    assert text.startswith("The Users page needs the admin role.")
    assert "You are signed in as agent@northwind.example, an agent." in text
    assert "vi@northwind.example, a viewer." in navigation.refusal_text(
        users_page, Actor("vi@northwind.example", Role.VIEWER)
    )
