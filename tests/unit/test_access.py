"""Roles include each other; a system process may do everything; refusals say what was needed."""

import pytest

from voc.access.roles import REQUIRED_ROLE, AccessDenied, Actor, Permission, Role, require


def test_each_role_includes_the_one_before() -> None:
    viewer, agent, admin = (Actor(f"{r}@northwind.example", r) for r in (Role.VIEWER, Role.AGENT, Role.ADMIN))
    for permission, needed in REQUIRED_ROLE.items():
        assert admin.can(permission)
        assert agent.can(permission) == (needed in (Role.VIEWER, Role.AGENT))
        assert viewer.can(permission) == (needed is Role.VIEWER)


def test_a_system_process_may_do_everything() -> None:
    listener = Actor.system("listener")
    assert listener.name == "system:listener"
    assert all(listener.can(p) for p in Permission)


def test_a_refusal_names_the_actor_and_the_role_needed() -> None:
    viewer = Actor("vera@northwind.example", Role.VIEWER)
    with pytest.raises(AccessDenied, match="vera@northwind.example is a viewer; “triage” needs the agent role"):
        require(viewer, Permission.TRIAGE)


def test_a_bare_name_is_not_an_actor() -> None:
    with pytest.raises(TypeError, match="needs an Actor"):
        require("admin@northwind.example", Permission.TRIAGE)  # type: ignore[arg-type]
