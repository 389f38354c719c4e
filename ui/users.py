"""The Users page's pieces: the role mapping table, the add/change and remove forms, a role check.

Streamlit-aware; the domain is `voc.access.users`, which checks `MANAGE_USERS` and writes the audit row
in the same transaction. The first admin comes from settings (`VOC_FIRST_ADMIN`), is always an
admin and is shown here as fixed: it cannot be removed or demoted from this page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd
import streamlit as st

from ui import auth, data
from voc.access import users
from voc.access.roles import AccessDenied, Role, role_name, with_article

ROLE_HELP: Final = {
    Role.VIEWER: "viewer — dashboards and exports",
    Role.AGENT: "agent — also triage, notes, sentiment corrections, alerts",
    Role.ADMIN: "admin — also sources, alert channels, taxonomy, users, privacy, audit",
}
TABLE_COLUMNS: Final[dict[str, Any]] = {
    "principal": st.column_config.TextColumn("Address or domain", width="medium"),
    "kind": "Kind",
    "role": "Role",
    "updated_at": st.column_config.DatetimeColumn("Updated", format="D MMM YYYY HH:mm"),
    "updated_by": "Updated by",
    "note": st.column_config.TextColumn("Note", width="large"),
}
PENDING_KEY: Final = "users.pending_self_demotion"
FIXED_NOTE: Final = "first admin, from settings (VOC_FIRST_ADMIN): fixed, cannot be removed here"


def assignments() -> list[dict[str, Any]]:
    """Every stored mapping, alphabetically (not cached: a change must show at once)."""
    return users.role_assignments_list(data.store())


def mode_notes(first_admin: str | None) -> None:
    """Local mode: the roles wait for team mode (and what sign-in still needs); team mode: a missing first admin."""
    if data.local_mode():
        problems = auth.sign_in_setup_problems()
        needs = ("\n\nSign-in is not ready yet:\n" + "\n".join(f"- {p}" for p in problems)) if problems else ""
        st.info(
            "Local mode: nobody signs in on this computer, so these roles take effect once the workspace "
            "runs in team mode (VOC_MODE=team, see docs/deploy.md)." + needs,
            icon=":material/computer:",
        )
    elif not first_admin:
        st.warning(
            "No first admin is set (VOC_FIRST_ADMIN): keep at least one admin mapped here.", icon=":material/warning:"
        )


def role_frame(assignments: list[Mapping[str, Any]], first_admin: str | None, tz: str) -> pd.DataFrame:
    """The mapping as shown: the fixed first admin on top, then addresses and domains alphabetically."""
    rows = [
        {
            "principal": row["principal"],
            "kind": "domain" if str(row["principal"]).startswith("@") else "address",
            "role": role_name(row["role"]),
            "updated_at": row["updated_at"],
            "updated_by": row["updated_by"],
            "note": "ignored: the first admin is always an admin"
            if _is_first_admin(row["principal"], first_admin)
            else "",
        }
        for row in assignments
    ]
    if first_admin:
        fixed = {"principal": first_admin.strip().lower(), "kind": "address", "role": role_name(Role.ADMIN)}
        rows.insert(0, {**fixed, "updated_at": None, "updated_by": "settings", "note": FIXED_NOTE})
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True).dt.tz_convert(tz)
    return frame


def _is_first_admin(principal: str, first_admin: str | None) -> bool:
    return bool(first_admin) and principal == (first_admin or "").strip().lower()


def role_form(first_admin: str | None) -> tuple[str, Role] | None:
    """Add or change one mapping; returns the normalised principal and role when valid."""
    with st.form("users.set", border=True):
        st.markdown("**Add or change a role**")
        principal = st.text_input(
            "E-mail address or domain",
            placeholder="ana@northwind.example or @northwind.example",
            help="A domain gives everyone signing in with an address there this role.",
            key="users.principal",
        )
        role = st.selectbox("Role", list(Role), format_func=lambda r: ROLE_HELP[Role(r)], key="users.role")
        if not st.form_submit_button("Save role", type="primary", key="users.save"):
            return None
    try:
        who = users.normalise_principal(principal)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        return None
    if _is_first_admin(who, first_admin):
        st.error(f"{who} is the first admin (VOC_FIRST_ADMIN) and always an admin: change the setting instead.")
        return None
    return who, Role(role or Role.VIEWER)


def remove_form(assignments: list[Mapping[str, Any]]) -> str | None:
    """Pick one stored mapping to remove; returns its principal when confirmed."""
    principals = [str(row["principal"]) for row in assignments]
    with st.form("users.remove", border=True):
        st.markdown("**Remove a role**")
        chosen = st.selectbox(
            "Address or domain", principals, index=None, placeholder="Choose…", key="users.remove_principal"
        )
        submitted = st.form_submit_button("Remove role", key="users.remove_button", disabled=not principals)
    return chosen if submitted and chosen else None


def asks_before_demoting_myself(
    change: tuple[str, Role | None], assignments: list[Mapping[str, Any]], first_admin: str | None
) -> bool:
    """True when `change` would take the signed-in admin's own admin role away: it waits for
    `confirm_own_demotion` instead of being applied."""
    me = data.current_actor()
    if data.local_mode():
        return False  # the one local user is always an admin
    principal, role = change
    after = users.role_after_change(assignments, me.name, first_admin=first_admin, principal=principal, role=role)
    if after is Role.ADMIN:
        return False
    st.session_state[PENDING_KEY] = (principal, role.value if role else None)
    return True


def confirm_own_demotion(
    assignments: list[Mapping[str, Any]], first_admin: str | None
) -> tuple[str, Role | None] | None:
    """A waiting change that demotes the signed-in admin: say what it does; the change once confirmed."""
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return None
    principal, raw_role = pending
    role = Role(raw_role) if raw_role else None
    me = data.current_actor()
    after = users.role_after_change(assignments, me.name, first_admin=first_admin, principal=principal, role=role)
    what = f"set {principal} to {role.value}" if role else f"remove the role of {principal}"
    then = f"you will be {with_article(after.value)}" if after else "you will have no role"
    back = f"the first admin ({first_admin}) or another admin" if first_admin else "another admin"
    st.warning(
        f"To {what} takes your own admin role away: {then}, and the Users, Audit, Privacy, Sources and "
        f"Settings pages close to you at once. Only {back} can give it back.",
        icon=":material/warning:",
    )
    yes, no = st.columns(2)
    if yes.button("Yes, change my own role", type="primary", key="users.confirm_self"):
        del st.session_state[PENDING_KEY]
        return principal, role
    if no.button("Cancel", key="users.cancel_self"):
        del st.session_state[PENDING_KEY]
        st.rerun()
    return None


def save_role(principal: str, role: Role) -> None:
    """Store the mapping as the signed-in admin (audited by the domain) and queue a toast."""
    try:
        users.set_role(data.store(), principal, role, actor=data.current_actor(), now=data.utcnow())
    except (AccessDenied, ValueError) as error:
        st.error(str(error), icon=":material/block:")
        return
    st.session_state[data.FLASH_KEY] = f"{principal} is now {role.value}"
    st.rerun()


def remove_role(principal: str) -> None:
    """Remove the mapping as the signed-in admin (audited by the domain) and queue a toast."""
    try:
        removed = users.remove_role(data.store(), principal, actor=data.current_actor(), now=data.utcnow())
    except (AccessDenied, ValueError) as error:
        st.error(str(error), icon=":material/block:")
        return
    st.session_state[data.FLASH_KEY] = f"Removed the role of {principal}" if removed else f"{principal} had no role"
    st.rerun()


def explain_role(email: str, assignments: list[Mapping[str, Any]], first_admin: str | None) -> str:
    """Which role `email` gets at sign-in, and which rule gives it (address beats domain)."""
    address = email.strip().lower()
    if _is_first_admin(address, first_admin):
        return f"{address} is **admin**: the first admin named in settings."
    mapped = {str(row["principal"]): str(row["role"]) for row in assignments}
    domain = "@" + address.rsplit("@", 1)[-1]
    if address in mapped:
        overrides = f", which beats {domain} ({mapped[domain]})" if domain in mapped else ""
        return f"{address} is **{mapped[address]}**: from their own address{overrides}."
    if domain in mapped:
        return f"{address} is **{mapped[domain]}**: from the domain {domain}."
    return f"{address} has **no role**: they can sign in but see only a page saying whom to ask."


def role_check(assignments: list[Mapping[str, Any]], first_admin: str | None) -> None:
    """A text box: type an address, read which role it would get and why."""
    email = st.text_input("Check an address", placeholder="someone@northwind.example", key="users.check")
    if not email.strip():
        return
    try:
        users.normalise_principal(email)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        return
    if email.strip().startswith("@") or "@" not in email:
        st.error("Type one person's address to check; a domain's role is in the table above.")
        return
    st.markdown(explain_role(email, assignments, first_admin))
