"""The sign-in gate of team mode: st.login with the configured OpenID Connect provider, then roles.

Local mode (the default) has no gate. Team mode refuses to run any page while `[auth]` is
missing or incomplete, asks for sign-in, and stops a signed-in person who has no role here with
a page saying whom to ask. Roles themselves are checked again by the domain on every write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import streamlit as st

from ui import data, navigation
from voc import users
from voc.access import Actor


def _auth_secrets() -> Mapping[str, Any] | None:
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets.toml at all
        return None
    return section if isinstance(section, Mapping) else None


def _providers(auth: Mapping[str, Any]) -> list[str | None]:
    named: list[str | None] = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return named or [None]  # None: the unnamed provider configured directly in [auth]


def _stop() -> NoReturn:
    """End the run on a gate page, with no page list in the sidebar."""
    navigation.hide_before_sign_in()
    st.stop()


def sign_in_gate() -> Actor:
    """The acting person; in team mode, stops the run until someone with a role is signed in."""
    if data.local_mode():
        return data.current_actor()
    auth = _auth_secrets()
    problems = users.sign_in_problems(auth)
    if problems:
        st.title("Sign-in is not configured")
        st.error(
            "This workspace runs in team mode (VOC_MODE=team), which needs sign-in through an OpenID Connect "
            "provider, so it will not show any customer data until that is configured:\n\n"
            + "\n".join(f"- {problem}" for problem in problems)
            + "\n\nSee docs/deploy.md (Google, Microsoft Entra ID, Okta and Keycloak examples).",
            icon=":material/lock:",
        )
        _stop()
    assert auth is not None
    email = data.signed_in_email()
    if email is None:
        st.title("Customer voice")
        st.write("Sign in with your work account to open the inbox and dashboards.")
        for provider in _providers(auth):
            label = "Sign in" if provider is None else f"Sign in with {provider.title()}"
            if st.button(label, type="primary", icon=":material/login:", key=f"sign_in.{provider or 'default'}"):
                st.login(provider) if provider else st.login()
                st.stop()  # nothing after the redirect: a navigation message could cancel it in the browser
        _stop()
    actor = users.actor_for(data.store(), email, first_admin=data.settings().first_admin)
    if actor is None:
        st.title("No access yet")
        admin = data.settings().first_admin
        st.warning(
            f"You are signed in as {email}, but this workspace has not given you a role. "
            + (
                f"Ask an admin (for example {admin}) to add you on the Users page."
                if admin
                else "Ask an admin to add you on the Users page."
            ),
            icon=":material/person_off:",
        )
        st.button("Sign out", on_click=st.logout, key="sign_out.no_role")
        _stop()
    return actor


def sign_in_setup_problems() -> list[str]:
    """What `[auth]` still lacks for team mode's sign-in (empty: configured)."""
    return users.sign_in_problems(_auth_secrets())


def signed_in_badge(actor: Actor) -> None:
    """Sidebar: who is signed in, with which role, and a sign-out button (team mode)."""
    st.caption(f"Signed in as **{actor.name}** ({actor.role_label})")
    st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out")
