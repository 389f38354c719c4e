"""Team mode's gate: no page without sign-in configured, a sign-in page, and roles from the store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from voc import users
from voc.access import Actor
from voc.store import Store

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-enough-length",
    "client_id": "voc",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def team_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOC_MODE", "team")
    monkeypatch.setenv("VOC_FIRST_ADMIN", "olga@northwind.example")


def signed_in(app: AppTest, email: str) -> AppTest:
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
    return app


def test_team_mode_without_sign_in_configured_shows_no_customer_data(app: AppTest, store_with_items: Store, team_mode: None) -> None:
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
    assert at.title[0].value == "Trends"
    assert any("olga@northwind.example" in c.value and "admin" in c.value for c in at.sidebar.caption)


def test_a_domain_mapping_lets_colleagues_in(app: AppTest, store_with_items: Store, team_mode: None) -> None:
    admin = Actor.system("test")
    users.set_role(store_with_items, "northwind.example", "viewer", actor=admin, now=datetime.now(UTC))
    at = signed_in(app, "vera@northwind.example").run()
    assert not at.exception
    assert at.title[0].value == "Trends"
    assert any("(viewer)" in c.value for c in at.sidebar.caption)


def test_local_mode_shows_the_badge_and_no_sign_in(app: AppTest, store_with_items: Store) -> None:
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Trends"
    assert not [b for b in at.button if b.label == "Sign in"]
