"""Role-based navigation: which pages each role sees, where each role lands, and the refusal page.

`PAGES` is the one table of the app's pages with the permission each needs (`voc.access.roles` says the
least role for a permission), so the sidebar, the landing page and docs/access.md cannot drift
apart. A page the role may not use is still registered, hidden, under its own URL: someone who
opens it by URL gets a page saying which role it needs instead of Streamlit's "page not found"
and a silent jump to another page. This only hides; the domain checks the role on every write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from voc.access.roles import REQUIRED_ROLE, Actor, Permission, Role, with_article

ROOT: Final = Path(__file__).resolve().parents[1]
SECTIONS: Final = ("Care", "Insights", "Operations", "Administration")


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: its script, how the sidebar shows it, and what using it needs."""

    script: str
    title: str
    icon: str
    url_path: str
    section: str
    permission: Permission

    @property
    def role(self) -> Role:
        """The least role that may open this page."""
        return REQUIRED_ROLE[self.permission]


INBOX: Final = PageSpec("pages/inbox.py", "Inbox", ":material/inbox:", "inbox", "Care", Permission.TRIAGE)
TRENDS: Final = PageSpec("pages/trends.py", "Trends", ":material/monitoring:", "trends", "Insights", Permission.VIEW)
PAGES: Final[tuple[PageSpec, ...]] = (
    INBOX,
    PageSpec("pages/surveys.py", "Surveys", ":material/poll:", "surveys", "Care", Permission.IMPORT_SURVEYS),
    PageSpec("pages/alerts.py", "Alerts", ":material/notifications:", "alerts", "Care", Permission.ACKNOWLEDGE_ALERT),
    TRENDS,
    PageSpec("pages/themes.py", "Themes", ":material/category:", "themes", "Insights", Permission.VIEW),
    PageSpec("pages/exports.py", "Exports", ":material/download:", "exports", "Insights", Permission.EXPORT),
    PageSpec(
        "pages/sources.py", "Sources", ":material/sensors:", "sources", "Operations", Permission.CONFIGURE_SOURCES
    ),
    # The sentiment model today; care settings (SLA, hours) join it: admins only either way.
    PageSpec("pages/settings.py", "Settings", ":material/settings:", "settings", "Operations", Permission.RETRAIN),
    PageSpec("pages/users.py", "Users", ":material/group:", "users", "Administration", Permission.MANAGE_USERS),
    PageSpec("pages/audit.py", "Audit", ":material/history:", "audit", "Administration", Permission.READ_AUDIT),
)
# Listed once its script exists (it is built on another branch).
PRIVACY: Final = PageSpec(
    "pages/privacy.py", "Privacy", ":material/shield_person:", "privacy", "Administration", Permission.MANAGE_PRIVACY
)
ROOT_URL_PATH: Final = "start"  # the hidden default page's own path; the root URL is what people open
LANDINGS: Final = (INBOX, TRENDS)  # agents and admins start in the queue, viewers on the dashboards


def app_pages(root: Path = ROOT) -> tuple[PageSpec, ...]:
    """Every page whose script is present, in sidebar order."""
    return PAGES + ((PRIVACY,) if (root / PRIVACY.script).exists() else ())


def visible_pages(actor: Actor, pages: tuple[PageSpec, ...] | None = None) -> list[PageSpec]:
    """The pages `actor`'s role may open, in sidebar order."""
    return [spec for spec in (app_pages() if pages is None else pages) if actor.can(spec.permission)]


def landing_page(actor: Actor) -> PageSpec:
    """Where `actor` lands at the app's root: the Inbox for agents and admins, Trends for viewers."""
    return next(spec for spec in LANDINGS if actor.can(spec.permission))


def refusal_text(spec: PageSpec, actor: Actor) -> str:
    """What someone who opened a page beyond their role reads."""
    return (
        f"The {spec.title} page needs the {spec.role.value} role. You are signed in as {actor.name}, "
        f"{with_article(actor.role_label)}. Ask an admin to change your role on the Users page if you need it."
    )


@dataclass(frozen=True)
class Route:
    """The page Streamlit resolved from the URL, and whether the actor may open it."""

    page: StreamlitPage
    spec: PageSpec | None  # None: the root URL, which sends the actor on to their landing page
    actor: Actor

    def run(self) -> None:
        """Run the page, or say which role it needs (its script does not run at all)."""
        if self.spec is None or self.actor.can(self.spec.permission):
            self.page.run()
            return
        st.title(self.spec.title)
        st.error(refusal_text(self.spec, self.actor), icon=":material/lock:")
        home = landing_page(self.actor)
        st.page_link(home.script, label=f"Go to {home.title}", icon=home.icon)


def _page(spec: PageSpec, *, hidden: bool = False) -> StreamlitPage:
    return st.Page(
        spec.script,  # relative to app.py, as Streamlit resolves it
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        visibility="hidden" if hidden else "visible",
    )


def _root(title: str, destination: StreamlitPage | None) -> StreamlitPage:
    """The hidden default page at the root URL: on to `destination` (with the query), or nothing.

    No real page is the default because Streamlit 1.67 serves the default page at the root only:
    opening its own URL (say /inbox, bookmarked or shared) shows "Page not found". With this
    page at the root, every page keeps its URL and the landing page can follow the role.
    """

    def root() -> None:
        if destination is not None:
            st.switch_page(destination, query_params=st.query_params.to_dict())

    return st.Page(root, title=title, url_path=ROOT_URL_PATH, default=True, visibility="hidden")


def route(actor: Actor) -> Route:
    """Register every page (those beyond `actor`'s role hidden) and resolve the URL to one of them."""
    home = landing_page(actor)
    built: list[tuple[PageSpec, StreamlitPage]] = []
    sections: dict[str, list[StreamlitPage]] = {section: [] for section in SECTIONS}
    hidden: list[StreamlitPage] = []
    for spec in app_pages():
        allowed = actor.can(spec.permission)
        page = _page(spec, hidden=not allowed)
        built.append((spec, page))
        (sections[spec.section] if allowed else hidden).append(page)
    listed: dict[str, list[StreamlitPage]] = {section: pages for section, pages in sections.items() if pages}
    root = _root(home.title, next(page for spec, page in built if spec == home))
    listed[""] = [*hidden, root]  # registered, so their URLs resolve, but never drawn
    selected = st.navigation(listed)
    chosen = next((spec for spec, page in built if page is selected), None)
    return Route(selected, chosen, actor)


def hide_before_sign_in() -> str:
    """No page list on the sign-in and no-role pages: every page registered, hidden, none run.

    Without an `st.navigation` call a fresh server stays in Streamlit's legacy pages/-directory
    mode and lists every script in the sidebar; registering them here also spares a visitor who
    opened a URL such as /inbox the "Page not found" dialog on top of the sign-in page.
    Returns the URL path of the page that was opened ("" for the root).
    """
    pages = [_page(spec, hidden=True) for spec in app_pages()]
    root = _root("Customer voice", None)
    selected = st.navigation([*pages, root], position="hidden")
    return "" if selected is root else str(selected.url_path)
