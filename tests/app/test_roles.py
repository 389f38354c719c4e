"""Each role's app: the pages listed in the sidebar, the landing page, and pages refused by URL.

Team-mode people are simulated as tests/app/team.py describes; the sidebar is read off the
`st.navigation` call itself (AppTest does not render the navigation menu).
"""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.team import AUTH, as_role
from ui import navigation
from voc.access.roles import Role
from voc.store.facade import Store

VIEWER_PAGES = ["Trends", "Themes", "Exports"]
AGENT_PAGES = ["Inbox", "Surveys", "Alerts", *VIEWER_PAGES]
ADMIN_PAGES = [*AGENT_PAGES, "Sources", "Settings", "Users", "Audit"] + (
    ["Privacy"] if (navigation.ROOT / navigation.PRIVACY.script).exists() else []
)
Calls = list[tuple[Any, dict[str, Any]]]


def listed(calls: Calls) -> list[str]:
    """The titles the last `st.navigation` call shows in the sidebar, in order."""
    pages, options = calls[-1]
    if options.get("position") == "hidden":
        return []
    groups = pages.values() if isinstance(pages, dict) else [pages]
    return [page.title for group in groups for page in group if page.visibility == "visible"]


def sections(calls: Calls) -> list[str]:
    pages, _ = calls[-1]
    return [name for name, group in pages.items() if any(page.visibility == "visible" for page in group)]


@pytest.mark.parametrize(
    ("role", "pages", "landing"),
    [(Role.VIEWER, VIEWER_PAGES, "Trends"), (Role.AGENT, AGENT_PAGES, "Inbox"), (Role.ADMIN, ADMIN_PAGES, "Inbox")],
)
def test_each_role_sees_its_pages_and_lands_where_its_work_is(
    app: AppTest,
    store_with_items: Store,
    team_mode: None,
    navigation_calls: Calls,
    role: Role,
    pages: list[str],
    landing: str,
) -> None:
    at = as_role(app, store_with_items, role).run()
    assert not at.exception
    assert listed(navigation_calls) == pages
    assert at.title[0].value == landing
    assert any(f"({role.value})" in caption.value for caption in at.sidebar.caption)


def test_local_mode_is_one_admin_who_sees_everything_and_lands_on_the_inbox(
    app: AppTest, store_with_items: Store, navigation_calls: Calls
) -> None:
    at = app.run()
    assert not at.exception
    assert listed(navigation_calls) == ADMIN_PAGES
    assert sections(navigation_calls) == ["Care", "Insights", "Operations", "Administration"]
    assert at.title[0].value == "Inbox"


@pytest.mark.parametrize(
    ("role", "script", "title", "needed"),
    [
        (Role.VIEWER, "pages/inbox.py", "Inbox", "agent"),
        (Role.VIEWER, "pages/alerts.py", "Alerts", "agent"),
        (Role.VIEWER, "pages/users.py", "Users", "admin"),
        (Role.VIEWER, "pages/audit.py", "Audit", "admin"),
        (Role.AGENT, "pages/users.py", "Users", "admin"),
        (Role.AGENT, "pages/audit.py", "Audit", "admin"),
        (Role.AGENT, "pages/sources.py", "Sources", "admin"),
        (Role.AGENT, "pages/settings.py", "Settings", "admin"),
    ],
)
def test_a_page_beyond_the_role_opened_by_url_says_which_role_it_needs(
    app: AppTest, store_with_items: Store, team_mode: None, role: Role, script: str, title: str, needed: str
) -> None:
    at = as_role(app, store_with_items, role).run()
    at.switch_page(script).run()  # as a browser opening /users: the page is registered, hidden
    assert not at.exception
    assert at.title[0].value == title
    assert f"The {title} page needs the {needed} role" in at.error[0].value
    assert f"{'an' if role is Role.AGENT else 'a'} {role.value}." in at.error[0].value
    # The page's own script never ran: no table, no form, no customer data.
    assert not at.dataframe and not at.data_editor and not at.text_input and not at.get("download_button")


def test_an_admin_opens_the_admin_pages_by_url(app: AppTest, store_with_items: Store, team_mode: None) -> None:
    at = as_role(app, store_with_items, Role.ADMIN).run()
    for script, title in (("pages/users.py", "Users"), ("pages/audit.py", "Audit"), ("pages/trends.py", "Trends")):
        at.switch_page(script).run()
        assert not at.exception
        assert at.title[0].value == title
        assert not at.error


def test_the_sign_in_page_lists_no_pages(
    app: AppTest, store_with_items: Store, team_mode: None, navigation_calls: Calls
) -> None:
    app.secrets["auth"] = AUTH
    at = app.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    pages, options = navigation_calls[-1]
    assert options == {"position": "hidden"}
    assert {page.visibility for page in pages} == {"hidden"}
