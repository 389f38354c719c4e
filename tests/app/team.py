"""Simulated team-mode users for AppTest: an `[auth]` section, a signed-in e-mail, one person per role.

AppTest cannot run an OpenID Connect round trip (tests/e2e/test_sign_in.py does); it can set
`st.user` and `st.secrets`, which is all the sign-in gate reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from streamlit.testing.v1 import AppTest

from voc.access import users
from voc.access.roles import Actor, Role
from voc.store.facade import Store

AUTH: Final = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-enough-length",
    "client_id": "voc",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
FIRST_ADMIN: Final = "olga@northwind.example"
PEOPLE: Final = {Role.VIEWER: "vera@northwind.example", Role.AGENT: "ana@northwind.example", Role.ADMIN: FIRST_ADMIN}


def signed_in(app: AppTest, email: str) -> AppTest:
    """`app` as `email` would see it after signing in at the provider."""
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
    return app


def as_role(app: AppTest, store: Store, role: Role) -> AppTest:
    """`app` signed in as the test person with `role` (the first admin for admin, mapped otherwise)."""
    email = PEOPLE[role]
    if email != FIRST_ADMIN:
        users.set_role(store, email, role, actor=Actor.system("test"), now=datetime.now(UTC))
    return signed_in(app, email)
