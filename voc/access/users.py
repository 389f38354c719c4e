"""Team mode's users: which signed-in e-mail gets which role, and whether sign-in is configured.

Roles come from `role_assignments`: an exact e-mail address wins over its domain (`@example.com`),
and the first admin named in settings (`VOC_FIRST_ADMIN`) is always an admin, so a new team
deployment is never locked out. Someone who matches nothing gets no role and sees a page saying
whom to ask. Domain: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from voc.access.roles import Actor, Permission, Role, require
from voc.store.facade import Store
from voc.store.schema import role_assignments

MODES: Final = ("local", "team")
# What st.login needs in `[auth]` (one unnamed provider) or in each `[auth.<provider>]` section.
AUTH_SHARED_KEYS: Final = ("redirect_uri", "cookie_secret")
AUTH_PROVIDER_KEYS: Final = ("client_id", "client_secret", "server_metadata_url")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN: Final = re.compile(r"^@[^@\s]+\.[^@\s]+$")


def normalise_principal(principal: str) -> str:
    """An e-mail address or `@domain`, lower-cased; raises ValueError with the reason otherwise."""
    value = principal.strip().lower()
    if value and "@" not in value and "." in value:
        value = "@" + value  # "example.com" means the whole domain
    if not (_EMAIL.match(value) or _DOMAIN.match(value)):
        raise ValueError(f"“{principal.strip()}” is neither an e-mail address nor a domain such as @example.com")
    return value


def sign_in_problems(auth: Mapping[str, Any] | None) -> list[str]:
    """What is missing from the `[auth]` secrets for st.login (empty: sign-in can work)."""
    if not auth:
        return ["no [auth] section in .streamlit/secrets.toml"]
    problems = [f"[auth] needs {key}" for key in AUTH_SHARED_KEYS if not auth.get(key)]
    providers = {name: section for name, section in auth.items() if isinstance(section, Mapping)}
    if providers:
        for name, section in providers.items():
            problems += [f"[auth.{name}] needs {key}" for key in AUTH_PROVIDER_KEYS if not section.get(key)]
    else:
        problems += [f"[auth] needs {key}" for key in AUTH_PROVIDER_KEYS if not auth.get(key)]
    redirect = str(auth.get("redirect_uri") or "")
    if redirect and not redirect.rstrip("/").endswith("/oauth2callback"):
        problems.append("[auth] redirect_uri must end with /oauth2callback")
    return problems


def resolve_role(store: Store, email: str | None, *, first_admin: str | None = None) -> Role | None:
    """The role of a signed-in e-mail: its own entry, else its domain's, else none."""
    if not email:
        return None
    address = email.strip().lower()
    domain = "@" + address.rsplit("@", 1)[-1]
    with store.read() as connection:
        found = dict(
            connection.execute(
                sa.select(role_assignments.c.principal, role_assignments.c.role).where(
                    role_assignments.c.principal.in_([address, domain])
                )
            ).all()
        )
    return role_from_mapping(found, address, first_admin=first_admin)


def role_from_mapping(mapped: Mapping[str, str], email: str, *, first_admin: str | None = None) -> Role | None:
    """`resolve_role` over a given principal → role mapping: the first admin, else the address's
    own entry, else its domain's."""
    address = email.strip().lower()
    if first_admin and address == first_admin.strip().lower():
        return Role.ADMIN
    role = mapped.get(address) or mapped.get("@" + address.rsplit("@", 1)[-1])
    return Role(role) if role else None


def role_after_change(
    assignments: Iterable[Mapping[str, Any]],
    email: str,
    *,
    first_admin: str | None = None,
    principal: str,
    role: Role | None,
) -> Role | None:
    """The role `email` would have if `principal` were mapped to `role` (None: removed).

    The Users page asks this before an admin changes a rule that covers themselves."""
    mapped = {str(row["principal"]): str(row["role"]) for row in assignments}
    if role is None:
        mapped.pop(principal, None)
    else:
        mapped[principal] = role.value
    return role_from_mapping(mapped, email, first_admin=first_admin)


def actor_for(store: Store, email: str | None, *, first_admin: str | None = None) -> Actor | None:
    """The signed-in person as an `Actor`, or None when they have no role here."""
    role = resolve_role(store, email, first_admin=first_admin)
    return None if role is None or not email else Actor(email.strip().lower(), role)


def role_assignments_list(store: Store) -> list[dict[str, Any]]:
    """Every mapping, addresses and domains, alphabetically."""
    with store.read() as connection:
        rows = connection.execute(sa.select(role_assignments).order_by(role_assignments.c.principal)).mappings()
        return [dict(row) for row in rows]


def set_role(store: Store, principal: str, role: Role | str, *, actor: Actor, now: datetime) -> str:
    """Give an e-mail address or a domain a role (admins only); returns the normalised principal."""
    require(actor, Permission.MANAGE_USERS)
    who, new_role = normalise_principal(principal), Role(role)
    with store.write() as connection:
        old = connection.execute(
            sa.select(role_assignments.c.role).where(role_assignments.c.principal == who)
        ).scalar_one_or_none()
        connection.execute(role_assignments.delete().where(role_assignments.c.principal == who))
        connection.execute(
            role_assignments.insert().values(principal=who, role=new_role.value, updated_at=now, updated_by=actor.name)
        )
        store.record_audit(
            connection, actor, "users.set_role", now=now, subject=who, detail={"old": old, "new": new_role.value}
        )
    return who


def remove_role(store: Store, principal: str, *, actor: Actor, now: datetime) -> bool:
    """Take an address's or domain's role away (admins only); True when there was one."""
    require(actor, Permission.MANAGE_USERS)
    who = normalise_principal(principal)
    with store.write() as connection:
        removed = connection.execute(role_assignments.delete().where(role_assignments.c.principal == who)).rowcount
        if removed:
            store.record_audit(connection, actor, "users.remove_role", now=now, subject=who)
    return bool(removed)
