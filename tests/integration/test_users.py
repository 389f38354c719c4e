"""Role mapping: an address wins over its domain; only admins change it; every change is audited."""

from datetime import UTC, datetime

import pytest

from voc.access import users
from voc.access.roles import AccessDenied, Actor, Role
from voc.store.facade import Store

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ADMIN = Actor("olga@northwind.example", Role.ADMIN)


def test_an_address_wins_over_its_domain_and_the_first_admin_is_always_admin(store: Store) -> None:
    users.set_role(store, "@northwind.example", Role.VIEWER, actor=ADMIN, now=NOW)
    users.set_role(store, "Ana@Northwind.example", Role.AGENT, actor=ADMIN, now=NOW)
    assert users.resolve_role(store, "ana@northwind.example") is Role.AGENT
    assert users.resolve_role(store, "vera@northwind.example") is Role.VIEWER
    assert users.resolve_role(store, "eve@elsewhere.example") is None
    assert users.resolve_role(store, "boss@elsewhere.example", first_admin="Boss@elsewhere.example") is Role.ADMIN
    assert [r["principal"] for r in users.role_assignments_list(store)] == [
        "@northwind.example",
        "ana@northwind.example",
    ]


def test_only_an_admin_changes_roles_and_each_change_is_audited(store: Store) -> None:
    agent = Actor("ana@northwind.example", Role.AGENT)
    with pytest.raises(AccessDenied):
        users.set_role(store, "ana@northwind.example", Role.ADMIN, actor=agent, now=NOW)
    users.set_role(store, "ana@northwind.example", Role.AGENT, actor=ADMIN, now=NOW)
    users.set_role(store, "ana@northwind.example", Role.ADMIN, actor=ADMIN, now=NOW)
    assert users.remove_role(store, "ana@northwind.example", actor=ADMIN, now=NOW)
    assert users.resolve_role(store, "ana@northwind.example") is None
    log = store.audit_entries()
    assert [(r["action"], r["detail"]) for r in log] == [
        ("users.remove_role", None),
        ("users.set_role", {"old": "agent", "new": "admin"}),
        ("users.set_role", {"old": None, "new": "agent"}),
    ]
    assert {r["actor"] for r in log} == {"olga@northwind.example"}


@pytest.mark.parametrize("bad", ["", "ana", "ana@", "@", "two words@x.example"])
def test_a_malformed_principal_is_refused_with_the_reason(store: Store, bad: str) -> None:
    with pytest.raises(ValueError, match="neither an e-mail address nor a domain"):
        users.set_role(store, bad, Role.VIEWER, actor=ADMIN, now=NOW)


def test_sign_in_problems_name_each_missing_setting() -> None:
    assert users.sign_in_problems(None) == ["no [auth] section in .streamlit/secrets.toml"]
    assert users.sign_in_problems(
        {"redirect_uri": "http://h/oauth2callback", "cookie_secret": "s", "google": {"client_id": "x"}}
    ) == [
        "[auth.google] needs client_secret",
        "[auth.google] needs server_metadata_url",
    ]
    assert users.sign_in_problems(
        {
            "redirect_uri": "http://h/login",
            "cookie_secret": "s",
            "client_id": "a",
            "client_secret": "b",
            "server_metadata_url": "u",
        }
    ) == ["[auth] redirect_uri must end with /oauth2callback"]
