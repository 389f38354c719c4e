"""Adding and editing X sources from the Sources page: the form's values, checked, as stored config.

The page reads widgets into an `XSourceForm`, shows `problems()` if there are any, and otherwise
stores `config()`; nothing here knows about Streamlit. The bearer token is never part of a form or
a config: it lives only in the environment or `.streamlit/secrets.toml`. Domain: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from voc.costs import BUDGET_KEY
from voc.models import SourceState
from voc.settings import Settings

MISSING_X_TOKEN = "X bearer token missing: set X_BEARER_TOKEN or x_bearer_token in .streamlit/secrets.toml"
MAX_QUERY_LENGTH = 512  # X recent search, self-serve access
X_KINDS = {
    "x_search": "X search: brand or competitor query",
    "x_mentions": "X mentions of the brand account",
}
MIN_POLL_INTERVAL_S = 30.0
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
HANDLE = re.compile(r"^@?[A-Za-z0-9_]{1,15}$")
# Keys the form owns; other keys already in a source's config (e.g. prices) are kept on edit.
FORM_KEYS = ("query", "account", "brand", "competitor", BUDGET_KEY)


def x_token_problem(settings: Settings) -> str | None:
    """What the Sources page says when X sources cannot run for want of a token (else None)."""
    return None if settings.x_bearer_token else MISSING_X_TOKEN


@dataclass(frozen=True)
class XSourceForm:
    """One X source as the Sources page edits it."""

    name: str
    kind: str = "x_search"
    query: str = ""
    account: str = ""
    brand: str = ""
    competitor: bool = False
    poll_interval_s: float = 120.0
    daily_budget_usd: float = 0.0
    enabled: bool = True

    @classmethod
    def from_source(cls, source: SourceState) -> XSourceForm:
        """The form filled in from a stored source."""
        config = source.config
        return cls(
            name=source.name,
            kind=source.kind,
            query=str(config.get("query") or ""),
            account=str(config.get("account") or ""),
            brand=str(config.get("brand") or ""),
            competitor=bool(config.get("competitor", False)),
            poll_interval_s=float(source.poll_interval_s),
            daily_budget_usd=float(config.get(BUDGET_KEY) or 0.0),
            enabled=source.enabled,
        )

    def problems(self, taken_names: frozenset[str] = frozenset()) -> list[str]:
        """Everything wrong with the form, in words for the person filling it in."""
        found = []
        if not NAME.match(self.name):
            found.append("Name: lower-case letters, digits, - and _ only (e.g. x-brand).")
        elif self.name in taken_names:
            found.append(f"Name: a source called {self.name!r} already exists.")
        if self.kind not in X_KINDS:
            found.append(f"Kind: one of {', '.join(X_KINDS)}.")
        query = self.query.strip()
        if self.kind == "x_search":
            if not query:
                found.append("Query: say what to search for, e.g. (Northwind OR Northwnd) -is:retweet.")
            elif len(query) > MAX_QUERY_LENGTH:
                found.append(f"Query: {len(query)} characters; X allows {MAX_QUERY_LENGTH}.")
            elif query.count("(") != query.count(")"):
                found.append("Query: the parentheses do not pair up.")
        if self.kind == "x_mentions" and not HANDLE.match(self.account.strip()):
            found.append("Account: the brand's X handle, e.g. @NorthwindMobile.")
        if self.poll_interval_s < MIN_POLL_INTERVAL_S:
            found.append(f"Poll interval: at least {MIN_POLL_INTERVAL_S:.0f} s (X allows 450 requests per 15 min).")
        if self.daily_budget_usd < 0:
            found.append("Daily budget: zero (no budget) or more.")
        return found

    def config(self, previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `config` to store: the form's keys over whatever else the source already had."""
        config = {key: value for key, value in (previous or {}).items() if key not in FORM_KEYS}
        if self.kind == "x_search":
            config["query"] = self.query.strip()
        else:
            config["account"] = self.account.strip().lstrip("@")
        if self.brand.strip():
            config["brand"] = self.brand.strip()
        config["competitor"] = bool(self.competitor)
        if self.daily_budget_usd > 0:
            config[BUDGET_KEY] = round(float(self.daily_budget_usd), 2)
        return config
