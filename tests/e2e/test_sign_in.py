"""Team mode in a real browser: sign in through a real OpenID Connect provider, land, sign out.

The provider is `oidc-provider-mock` (Authlib behind Flask) served from a thread of this process
on 127.0.0.1, with client registration required: the app's client is registered with its exact
`redirect_uri`, as an administrator would at Google, Entra ID, Okta or Keycloak. Its login form
takes the subject, which the mock also returns as the `email` claim. The app is a real
`streamlit run app.py` in team mode over a database the demo feed filled (so there *is* customer
data that must stay hidden), given an `[auth]` section through `--secrets.files` pointing at a
temporary secrets.toml: the repository's own `.streamlit/secrets.toml` is neither read nor written.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import oidc_provider_mock
import pytest
import werkzeug.serving
from playwright.sync_api import Page, expect

from tests.e2e.conftest import fill_from_demo_feed, free_port, streamlit_server
from tests.e2e.test_browser import wait_for_app
from voc.access import users
from voc.access.roles import Actor, Role
from voc.inbox.queue import QueueFilter, open_queue
from voc.store.facade import Store

pytestmark = pytest.mark.e2e
FIRST_ADMIN = "olga@northwind.example"
VIEWER = "vera@northwind.example"
STRANGER = "mallory@elsewhere.example"


@dataclass(frozen=True)
class TeamApp:
    url: str
    issuer: str
    database_url: str


@contextmanager
def oidc_provider() -> Iterator[str]:
    """A real OpenID Connect provider on a free loopback port; yields its issuer URL."""
    app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def register_client(issuer: str, redirect_uri: str) -> dict[str, str]:
    """Register the app with the provider (RFC 7591), as an administrator does once per deployment."""
    body = json.dumps({"redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_basic"})
    request = urllib.request.Request(
        f"{issuer}/oauth2/clients", data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        registered: dict[str, str] = json.load(response)
    return registered


def auth_secrets(issuer: str, redirect_uri: str, client: dict[str, str]) -> str:
    """The `[auth]` section docs/deploy.md describes, for this provider and client."""
    return (
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{client["client_id"]}"\n'
        f'client_secret = "{client["client_secret"]}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[TeamApp]:
    """The provider, then `streamlit run app.py` in team mode with `[auth]` pointing at it."""
    folder = tmp_path_factory.mktemp("e2e-team")
    database_url = f"sqlite:///{folder}/voc.db"
    assert fill_from_demo_feed(database_url, folder) > 100
    with oidc_provider() as issuer:
        port = free_port()
        redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(auth_secrets(issuer, redirect_uri, register_client(issuer, redirect_uri)))
        secrets_file.chmod(0o600)
        env = {"VOC_MODE": "team", "VOC_FIRST_ADMIN": FIRST_ADMIN, "VOC_DEMO_FEED": "off"}
        with streamlit_server(folder, database_url, request, env=env, secrets_file=secrets_file, port=port) as url:
            yield TeamApp(url=url, issuer=issuer, database_url=database_url)


def sign_in(page: Page, team_app: TeamApp, email: str, link: str = "") -> None:
    """Open `link` (the root by default), sign in through the provider's form, and come back to it."""
    page.goto(team_app.url + link)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Customer voice")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(team_app.issuer) + r"/oauth2/authorize"), timeout=20_000)
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    landing = re.escape(team_app.url + link) if link else re.escape(team_app.url) + r"/?(\?.*)?"
    page.wait_for_url(re.compile(landing + "$"), timeout=20_000)
    wait_for_app(page)


def sign_out(page: Page, team_app: TeamApp, button: str = "Sign out") -> None:
    """Streamlit clears its cookie and sends the browser to the provider's end-session page, then back."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(re.escape(team_app.issuer) + r"/oauth2/end_session"), timeout=20_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(team_app.url) + r"/?(\?.*)?$"), timeout=20_000)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_the_sign_in_page_lists_no_pages(page: Page, team_app: TeamApp) -> None:
    """Before sign-in the sidebar offers nothing to navigate to (first in the module: needs the fresh server)."""
    page.goto(team_app.url)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0, timeout=2_000)


def test_the_sign_in_page_shows_no_customer_data(page: Page, team_app: TeamApp) -> None:
    """Before sign-in: a Sign in button and no tables, charts or counts; /inbox by URL is gated too."""
    for path in ("", "/inbox", "/trends"):
        page.goto(team_app.url + path)
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Customer voice")).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        for element in ("stDataFrame", "stDataFrameGlideDataEditor", "stVegaLiteChart", "stMetric", "stTable"):
            expect(page.get_by_test_id(element)).to_have_count(0)
        expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_the_first_admin_signs_in_sees_their_email_and_signs_out(page: Page, team_app: TeamApp) -> None:
    """Sign in at the provider, come back signed in as admin with the e-mail in the sidebar, sign out."""
    sign_in(page, team_app, FIRST_ADMIN)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Signed in as {FIRST_ADMIN} (admin)")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Inbox")).to_be_visible()
    sign_out(page, team_app)
    expect(page.get_by_test_id("stSidebar").get_by_text(FIRST_ADMIN)).to_have_count(0)
    page.reload()  # the session cookie is gone, not just this page's state
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_admin_lands_on_the_inbox_after_sign_in(page: Page, team_app: TeamApp) -> None:
    """Agents and admins start their day in the Inbox (the default page for those roles)."""
    sign_in(page, team_app, FIRST_ADMIN)
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="Open").first).to_be_visible()  # the queue's entries
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Inbox", "Trends", "Sources", "Users", "Audit"):
        expect(nav.get_by_role("link", name=title, exact=True)).to_be_visible()
    nav.get_by_role("link", name="Users", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    expect(page.get_by_text("an exact address beats its domain")).to_be_visible()
    sign_out(page, team_app)


def test_a_viewer_lands_on_trends_and_is_told_what_the_admin_pages_need(page: Page, team_app: TeamApp) -> None:
    """A viewer mapped by the admin: dashboards only in the sidebar, and /users by URL names the role it needs."""
    store = Store.from_url(team_app.database_url)
    try:
        users.set_role(store, VIEWER, "viewer", actor=Actor(FIRST_ADMIN, Role.ADMIN), now=datetime.now(UTC))
    finally:
        store.engine.dispose()
    sign_in(page, team_app, VIEWER)
    expect(page.get_by_role("heading", name="Trends", exact=True)).to_be_visible(timeout=15_000)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link")).to_have_count(3)
    for title in ("Trends", "Themes", "Exports"):
        expect(nav.get_by_role("link", name=title, exact=True)).to_be_visible()
    page.goto(f"{team_app.url}/users")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    expect(page.get_by_text("The Users page needs the admin role")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    sign_out(page, team_app)


def test_an_alert_link_opened_before_sign_in_is_where_sign_in_lands(page: Page, team_app: TeamApp) -> None:
    """A manager opens an alert's "Open in the app" link while signed out: after the provider's
    round trip (which always returns to the root) they are on that item, not on the bare Inbox."""
    store = Store.from_url(team_app.database_url)
    try:
        item_id = int(open_queue(store, QueueFilter(), now=datetime.now(UTC)).rows["id"].iloc[0])
    finally:
        store.engine.dispose()
    sign_in(page, team_app, FIRST_ADMIN, link=f"/inbox?item={item_id}")
    expect(page.get_by_role("button", name="Next item")).to_be_visible(timeout=15_000)  # the item's workspace
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    page.goto(team_app.url)  # the link was followed once: the root is the Inbox again, not the item
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="Next item")).to_have_count(0)
    sign_out(page, team_app)


def test_someone_without_a_role_is_told_whom_to_ask(page: Page, team_app: TeamApp) -> None:
    """A real sign-in with an e-mail nobody mapped: "No access yet", the first admin named, no data."""
    sign_in(page, team_app, STRANGER)
    expect(page.get_by_role("heading", name="No access yet")).to_be_visible()
    expect(page.get_by_text(f"You are signed in as {STRANGER}")).to_be_visible()
    expect(page.get_by_text(FIRST_ADMIN)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    sign_out(page, team_app)


def test_a_second_agent_on_the_same_item_sees_who_is_on_it(page: Page, team_app: TeamApp) -> None:
    """Two agents in two browsers: the first opens the top customer, the second opening the same item
    is told who has it open and since when, before anyone answers twice."""
    second_agent = "ana@northwind.example"
    store = Store.from_url(team_app.database_url)
    try:
        users.set_role(store, second_agent, "agent", actor=Actor(FIRST_ADMIN, Role.ADMIN), now=datetime.now(UTC))
        item_id = int(open_queue(store, QueueFilter(), now=datetime.now(UTC)).rows["id"].iloc[0])
    finally:
        store.engine.dispose()
    sign_in(page, team_app, FIRST_ADMIN, link=f"/inbox?item={item_id}")
    expect(page.get_by_role("button", name="Next item")).to_be_visible(timeout=15_000)

    assert page.context.browser is not None
    other = page.context.browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        colleague = other.new_page()
        sign_in(colleague, team_app, second_agent, link=f"/inbox?item={item_id}")
        expect(colleague.get_by_role("button", name="Next item")).to_be_visible(timeout=15_000)
        expect(
            colleague.get_by_text(re.compile(rf"Also open for {re.escape(FIRST_ADMIN[:4])}.*since \d\d:\d\d"))
        ).to_be_visible()
        sign_out(colleague, team_app)
    finally:
        other.close()
    sign_out(page, team_app)
