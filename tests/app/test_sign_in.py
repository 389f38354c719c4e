"""Team mode's gate: no page without sign-in configured, a sign-in page, and roles from the store."""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from tests.app.team import AUTH, signed_in
from voc.access import users
from voc.access.roles import Actor
from voc.store.facade import Store


def test_team_mode_without_sign_in_configured_shows_no_customer_data(
    app: AppTest, store_with_items: Store, team_mode: None
) -> None:
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Sign-in is not configured"
    assert "no [auth] section" in at.error[0].value
    assert not at.dataframe and not at.data_editor  # nothing of the customers' data


def test_team_mode_asks_for_sign_in(app: AppTest, store_with_items: Store, team_mode: None) -> None:
    app.secrets["auth"] = AUTH
    at = app.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.data_editor


def test_a_signed_in_stranger_is_told_whom_to_ask(app: AppTest, store_with_items: Store, team_mode: None) -> None:
    at = signed_in(app, "mallory@elsewhere.example").run()
    assert not at.exception
    assert at.title[0].value == "No access yet"
    assert "olga@northwind.example" in at.warning[0].value


def test_the_first_admin_gets_in_and_sees_who_they_are(app: AppTest, store_with_items: Store, team_mode: None) -> None:
    at = signed_in(app, "Olga@Northwind.example").run()
    assert not at.exception
    assert at.title[0].value == "Inbox"  # admins and agents land on the queue
    assert any("olga@northwind.example" in c.value and "admin" in c.value for c in at.sidebar.caption)


def test_a_domain_mapping_lets_colleagues_in(app: AppTest, store_with_items: Store, team_mode: None) -> None:
    admin = Actor.system("test")
    users.set_role(store_with_items, "northwind.example", "viewer", actor=admin, now=datetime.now(UTC))
    at = signed_in(app, "vera@northwind.example").run()
    assert not at.exception
    assert at.title[0].value == "Trends"  # viewers land on the dashboards
    assert any("(viewer)" in c.value for c in at.sidebar.caption)


def test_local_mode_shows_the_badge_and_no_sign_in(app: AppTest, store_with_items: Store) -> None:
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Inbox"  # the one local user is an admin
    assert any("Local mode" in m.value for m in at.sidebar.markdown)
    assert not [b for b in at.button if b.label == "Sign in"]


def _cookie_scripts(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.get("html") if "voc_return_to" in e.proto.body]


def test_the_sign_in_page_remembers_the_link_that_was_opened(
    app: AppTest, store_with_items: Store, team_mode: None
) -> None:
    """An alert's /inbox?item=N opened while signed out: the link waits in a short-lived cookie."""
    app.secrets["auth"] = AUTH
    app.switch_page("pages/inbox.py")
    app.query_params["item"] = "7"
    at = app.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    (script,) = _cookie_scripts(at)
    assert "voc_return_to=%2Finbox%3Fitem%3D7;" in script and "max-age=600" in script


def test_the_sign_in_page_at_the_root_forgets_an_older_link(
    app: AppTest, store_with_items: Store, team_mode: None
) -> None:
    app.secrets["auth"] = AUTH
    at = app.run()
    (script,) = _cookie_scripts(at)
    assert "voc_return_to=;" in script and "max-age=0" in script
