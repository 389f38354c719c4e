"""What a role change would do to one address, asked before an admin changes a rule that covers them."""

from __future__ import annotations

from voc.access.roles import Role
from voc.access.users import role_after_change

RULES = [{"principal": "adam@northwind.example", "role": "admin"}, {"principal": "@northwind.example", "role": "agent"}]


def test_removing_ones_own_address_leaves_the_domains_role() -> None:
    after = role_after_change(RULES, "Adam@Northwind.example", principal="adam@northwind.example", role=None)
    assert after is Role.AGENT


def test_an_address_beats_a_changed_domain() -> None:
    assert role_after_change(RULES, "adam@northwind.example", principal="@northwind.example", role=Role.VIEWER) is (
        Role.ADMIN
    )


def test_the_first_admin_stays_an_admin_whatever_the_rules() -> None:
    first = "olga@northwind.example"
    assert role_after_change(RULES, first, first_admin=first, principal=first, role=Role.VIEWER) is Role.ADMIN


def test_no_rule_left_means_no_role() -> None:
    only = [{"principal": "adam@northwind.example", "role": "admin"}]
    assert role_after_change(only, "adam@northwind.example", principal="adam@northwind.example", role=None) is None
