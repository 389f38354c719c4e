"""Which link the sign-in page remembers, and which remembered links may be followed after sign-in."""

from __future__ import annotations

import pytest

from ui.auth import requested_link, safe_link


def test_a_page_with_its_query_is_remembered() -> None:
    assert requested_link("", "inbox", {"item": ["7"]}) == "/inbox?item=7"
    assert requested_link(None, "trends", {"range": ["7d"], "lang": ["de"]}) == "/trends?range=7d&lang=de"
    assert requested_link("/", "audit", {}) == "/audit"


def test_the_base_path_of_a_deployment_behind_a_proxy_is_kept() -> None:
    assert requested_link("care", "inbox", {"item": ["7"]}) == "/care/inbox?item=7"
    assert requested_link("/care/", "inbox", {}) == "/care/inbox"


def test_the_root_without_a_query_is_not_remembered() -> None:
    """Sign-in lands there anyway; remembering it would only cost a reload."""
    assert requested_link("", "", {}) is None


def test_query_values_are_encoded() -> None:
    assert requested_link(None, "trends", {"brand": ["Acme & Co"]}) == "/trends?brand=Acme+%26+Co"


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/inbox",
        "//evil.example/inbox",
        "/\\evil.example",
        "javascript:alert(1)",
        "/inbox\n?item=1",
        "/oauth2callback?code=x",
        "",
        None,
    ],
)
def test_anything_but_a_plain_path_on_this_site_is_refused(link: str | None) -> None:
    """A remembered link is read back from a cookie: it must never send anyone to another site."""
    assert safe_link(link) is None


def test_plain_paths_are_followed() -> None:
    assert safe_link("/inbox?item=7") == "/inbox?item=7"
    assert safe_link("/care/trends") == "/care/trends"
