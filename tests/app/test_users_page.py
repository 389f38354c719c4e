"""The Users page: the role mapping with the fixed first admin, add/change/remove, validation, audit rows."""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from tests.app.team import FIRST_ADMIN, as_role, signed_in
from voc.access import users
from voc.access.roles import Actor, Role
from voc.store.facade import Store


def open_users(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/users.py").run()


def save_role(at: AppTest, principal: str, role: str) -> AppTest:
    at.text_input(key="users.principal").input(principal)
    at.selectbox(key="users.role").select(role)
    return at.button(key="users.save").click().run()


def table(at: AppTest) -> list[tuple[str, str, str]]:
    frame = at.dataframe[0].value
    return list(zip(frame["principal"], frame["role"], frame["updated_by"], strict=True))


def test_the_first_admin_adds_a_domain_and_the_change_is_audited(
    app: AppTest, empty_store: Store, team_mode: None
) -> None:
    at = open_users(as_role(app, empty_store, Role.ADMIN))
    assert not at.exception and at.title[0].value == "Users"
    assert table(at) == [(FIRST_ADMIN, "Admin", "settings")]
    assert "fixed" in at.dataframe[0].value["note"].iloc[0]

    at = save_role(at, "Northwind.example", "agent")  # a bare domain means the whole domain
    assert not at.exception and not at.error
    assert [(r["principal"], r["role"], r["updated_by"]) for r in users.role_assignments_list(empty_store)] == [
        ("@northwind.example", "agent", FIRST_ADMIN)
    ]
    assert table(at) == [(FIRST_ADMIN, "Admin", "settings"), ("@northwind.example", "Agent", FIRST_ADMIN)]
    entry = empty_store.audit_entries()[0]
    assert (entry["actor"], entry["role"], entry["action"], entry["subject"]) == (
        FIRST_ADMIN,
        "admin",
        "users.set_role",
        "@northwind.example",
    )
    assert entry["detail"] == {"old": None, "new": "agent"}


def test_a_role_is_changed_then_removed(app: AppTest, empty_store: Store, team_mode: None) -> None:
    at = open_users(as_role(app, empty_store, Role.ADMIN))
    at = save_role(at, "ana@northwind.example", "agent")
    at = save_role(at, "ana@northwind.example", "admin")
    assert not at.exception
    assert users.resolve_role(empty_store, "ana@northwind.example") is Role.ADMIN

    at.selectbox(key="users.remove_principal").select("ana@northwind.example")
    at = at.button(key="users.remove_button").click().run()
    assert not at.exception
    assert users.role_assignments_list(empty_store) == []
    assert table(at) == [(FIRST_ADMIN, "Admin", "settings")]
    assert [e["action"] for e in empty_store.audit_entries()] == [
        "users.remove_role",
        "users.set_role",
        "users.set_role",
    ]
    assert empty_store.audit_entries()[1]["detail"] == {"old": "agent", "new": "admin"}


def test_an_invalid_address_is_refused_with_the_reason(app: AppTest, empty_store: Store, team_mode: None) -> None:
    at = save_role(open_users(as_role(app, empty_store, Role.ADMIN)), "not an address", "viewer")
    assert not at.exception
    assert "neither an e-mail address nor a domain" in at.error[0].value
    assert users.role_assignments_list(empty_store) == [] and empty_store.audit_entries() == []


def test_the_first_admin_cannot_be_changed_here(app: AppTest, empty_store: Store, team_mode: None) -> None:
    at = save_role(open_users(as_role(app, empty_store, Role.ADMIN)), FIRST_ADMIN.upper(), "viewer")
    assert "first admin" in at.error[0].value
    assert users.role_assignments_list(empty_store) == []
    assert FIRST_ADMIN not in at.selectbox(key="users.remove_principal").options


def test_the_check_explains_that_an_address_beats_its_domain(app: AppTest, empty_store: Store, team_mode: None) -> None:
    system, now = Actor.system("test"), datetime.now(UTC)
    users.set_role(empty_store, "@northwind.example", "agent", actor=system, now=now)
    users.set_role(empty_store, "vera@northwind.example", "viewer", actor=system, now=now)
    at = open_users(as_role(app, empty_store, Role.ADMIN))
    at.text_input(key="users.check").input("Vera@northwind.example").run()
    assert any("**viewer**" in m.value and "beats @northwind.example (agent)" in m.value for m in at.markdown)
    at.text_input(key="users.check").input("nils@northwind.example").run()
    assert any("**agent**" in m.value and "from the domain" in m.value for m in at.markdown)
    at.text_input(key="users.check").input("eve@elsewhere.example").run()
    assert any("**no role**" in m.value for m in at.markdown)


def test_local_mode_edits_the_mapping_as_the_local_user_and_says_when_it_applies(
    app: AppTest, empty_store: Store
) -> None:
    at = open_users(app)
    assert "Local mode" in at.info[0].value and "Sign-in is not ready yet:\n- no [auth] section" in at.info[0].value
    assert at.info[1].value.startswith("No role given yet") and not at.dataframe  # words, not an empty table
    at = save_role(at, "@northwind.example", "viewer")
    assert not at.exception
    assert empty_store.audit_entries()[0]["actor"] == "local user"
    assert table(at) == [("@northwind.example", "Viewer", "local user")]


ADAM = "adam@northwind.example"


def second_admin(app: AppTest, store: Store) -> AppTest:
    """Signed in as an admin mapped by address (not the first admin, who can never be demoted)."""
    users.set_role(store, ADAM, "admin", actor=Actor.system("test"), now=datetime.now(UTC))
    users.set_role(store, "@northwind.example", "agent", actor=Actor.system("test"), now=datetime.now(UTC))
    return signed_in(app, ADAM)


def test_an_admin_demoting_themselves_is_asked_first_and_can_cancel(
    app: AppTest, empty_store: Store, team_mode: None
) -> None:
    at = save_role(open_users(second_admin(app, empty_store)), ADAM, "viewer")
    assert not at.exception
    assert "takes your own admin role away: you will be a viewer" in at.warning[0].value
    assert users.resolve_role(empty_store, ADAM) is Role.ADMIN  # nothing changed yet

    at = at.button(key="users.cancel_self").click().run()
    assert not at.exception and not at.warning
    assert users.resolve_role(empty_store, ADAM) is Role.ADMIN


def test_an_admin_who_confirms_loses_the_admin_pages_at_once(app: AppTest, empty_store: Store, team_mode: None) -> None:
    at = open_users(second_admin(app, empty_store))
    at.selectbox(key="users.remove_principal").select(ADAM)
    at = at.button(key="users.remove_button").click().run()
    assert "you will be an agent" in at.warning[0].value  # the domain's role is what is left

    at = at.button(key="users.confirm_self").click().run()
    assert not at.exception
    assert users.resolve_role(empty_store, ADAM) is Role.AGENT
    assert any("needs the admin role" in e.value for e in at.error)  # the Users page closes to them


def test_changing_a_rule_that_leaves_the_admin_an_admin_asks_nothing(
    app: AppTest, empty_store: Store, team_mode: None
) -> None:
    at = save_role(open_users(second_admin(app, empty_store)), "@northwind.example", "viewer")
    assert not at.exception and not at.warning
    assert users.resolve_role(empty_store, "zoe@northwind.example") is Role.VIEWER
    assert users.resolve_role(empty_store, ADAM) is Role.ADMIN  # his own address beats the domain
