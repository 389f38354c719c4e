"""The sign-in gate of team mode: st.login with the configured OpenID Connect provider, then roles.

Local mode (the default) has no gate. Team mode refuses to run any page while `[auth]` is
missing or incomplete, asks for sign-in, and stops a signed-in person who has no role here with
a page saying whom to ask. Roles themselves are checked again by the domain on every write.

A link opened before sign-in (an alert's `/inbox?item=N`) is where the person lands after it:
Streamlit's sign-in callback always returns to the app's root, so the sign-in page remembers the
link in a short-lived cookie and the first signed-in run goes back to it, once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final, NoReturn
from urllib.parse import quote, unquote, urlencode, urlsplit

import streamlit as st

from ui import data, navigation
from voc.access import users
from voc.access.roles import Actor


def _auth_secrets() -> Mapping[str, Any] | None:
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets.toml at all
        return None
    return section if isinstance(section, Mapping) else None


def _providers(auth: Mapping[str, Any]) -> list[str | None]:
    named: list[str | None] = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return named or [None]  # None: the unnamed provider configured directly in [auth]


RETURN_COOKIE: Final = "voc_return_to"
RETURN_COOKIE_MAX_AGE_S: Final = 600  # long enough to sign in, short enough not to surprise later


def requested_link(base_path: str | None, page_path: str, query: Mapping[str, Sequence[str]]) -> str | None:
    """The site-relative link that was opened (`/inbox?item=7`, under `server.baseUrlPath`), else None.

    None for the root without a query: sign-in lands there anyway.
    """
    if not page_path and not query:
        return None
    stripped = (base_path or "").strip("/")
    base = f"/{stripped}" if stripped else ""
    link = f"{base}/{page_path}" + (f"?{urlencode(query, doseq=True)}" if query else "")
    return safe_link(link)


def safe_link(link: str | None) -> str | None:
    """`link` if it is a plain path on this site, else None: a cookie can never send anyone elsewhere."""
    if not link or not link.startswith("/") or link.startswith("//") or "\\" in link:
        return None
    if any(ord(c) < 33 for c in link) or urlsplit(link).netloc or link.split("?")[0].endswith("/oauth2callback"):
        return None
    return link


def _script(body: str) -> None:
    st.html(f"<script>{body}</script>", unsafe_allow_javascript=True)


def _remember_requested_page(page_path: str) -> None:
    """On the sign-in page: remember the link that was opened, or forget an older one."""
    base_path = str(st.get_option("server.baseUrlPath") or "")
    link = requested_link(base_path, page_path, {k: st.query_params.get_all(k) for k in st.query_params})
    value, max_age = (quote(link, safe=""), RETURN_COOKIE_MAX_AGE_S) if link else ("", 0)
    _script(f"document.cookie = '{RETURN_COOKIE}={value}; path=/; max-age={max_age}; samesite=lax';")


def _return_to_requested_page() -> None:
    """After sign-in: go to the link opened before it, once (the run stops when it does)."""
    remembered = st.context.cookies.get(RETURN_COOKIE)
    if not remembered or st.session_state.get("auth.returned"):
        return
    st.session_state["auth.returned"] = True
    link = safe_link(unquote(remembered))
    if link is None:
        return
    target = json.dumps(link).replace("<", "\\u003c")
    _script(
        f"document.cookie = '{RETURN_COOKIE}=; path=/; max-age=0; samesite=lax'; window.location.replace({target});"
    )
    _stop()


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
        opened = navigation.hide_before_sign_in()
        st.title("Customer voice")
        st.write("Sign in with your work account to open the inbox and dashboards.")
        _remember_requested_page(opened)
        for provider in _providers(auth):
            label = "Sign in" if provider is None else f"Sign in with {provider.title()}"
            if st.button(label, type="primary", icon=":material/login:", key=f"sign_in.{provider or 'default'}"):
                st.login(provider) if provider else st.login()
                st.stop()  # nothing after the redirect: a navigation message could cancel it in the browser
        st.stop()
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
    _return_to_requested_page()
    return actor


def sign_in_setup_problems() -> list[str]:
    """What `[auth]` still lacks for team mode's sign-in (empty: configured)."""
    return users.sign_in_problems(_auth_secrets())


def signed_in_badge(actor: Actor) -> None:
    """Sidebar: who is signed in, with which role, and a sign-out button (team mode)."""
    st.caption(f"Signed in as **{actor.name}** ({actor.role_label})")
    st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out")
