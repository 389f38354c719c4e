"""Adding and editing sources from the Sources page: every kind's form, checked, as stored config.

One mechanism for every kind: a `SourceFamily` (X, Mastodon, Bluesky, Reddit, feeds, app reviews)
lists its kinds and its `FormField`s (which kinds use each field, how it is checked and cleaned).
The page reads widgets into a `SourceForm`, shows `problems()` if there are any, and otherwise
stores `config()`. Nothing here knows about Streamlit or about the listeners. Credentials are never
part of a form or a config: they live only in the environment or `.streamlit/secrets.toml`; the
`*_problem` functions say, in one sentence, what is missing. Domain: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlparse

from voc.models import SourceState
from voc.settings import Settings
from voc.sources.costs import BUDGET_KEY

MISSING_X_TOKEN = "X bearer token missing: set X_BEARER_TOKEN or x_bearer_token in .streamlit/secrets.toml"
MISSING_MASTODON_TOKEN = (
    "Mastodon search needs an access token: set MASTODON_ACCESS_TOKEN and VOC_MASTODON_INSTANCE "
    "(or mastodon_access_token and mastodon_instance in .streamlit/secrets.toml)"
)
MISSING_BLUESKY = (
    "Bluesky credentials missing: set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (or bluesky_handle and "
    "bluesky_app_password in .streamlit/secrets.toml)"
)
MISSING_REDDIT = (
    "Reddit credentials missing: set REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (or reddit_client_id and "
    "reddit_client_secret in .streamlit/secrets.toml)"
)
MISSING_GOOGLE_PLAY = (
    "Google Play credentials missing: set GOOGLE_PLAY_SERVICE_ACCOUNT_FILE (or google_play_service_account_file "
    "in .streamlit/secrets.toml) to a service account's JSON key"
)
MAX_QUERY_LENGTH = 512  # X recent search, self-serve access
X_KINDS = {
    "x_search": "X search: brand or competitor query",
    "x_mentions": "X mentions of the brand account",
}
MIN_POLL_INTERVAL_S = 30.0
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
HANDLE = re.compile(r"^@?[A-Za-z0-9_]{1,15}$")
HASHTAG = re.compile(r"^#?\w{1,100}$")  # \w: hashtags in any script (#ノースウィンド, #نورثويند)
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")
COMMON_KEYS = ("brand", "competitor", BUDGET_KEY)


# ---- fields and families ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    """One input of a family's form, used by some of its kinds."""

    key: str  # the config key, and the widget's key suffix
    label: str
    kinds: tuple[str, ...]
    widget: str = "text"  # text | area
    placeholder: str = ""
    help: str = ""
    default: str = ""
    max_chars: int | None = None
    check: Callable[[str, str], str | None] | None = None  # (value, kind) -> a problem, or None
    clean: Callable[[str], Any] = str.strip  # the value stored; "" or None is left out


@dataclass(frozen=True)
class SourceFamily:
    """Kinds that share a form, a credential and a poll-interval floor."""

    key: str  # widget key prefix: "x" gives "x-add.query", "x-edit.<name>.query"
    title: str
    kinds: Mapping[str, str]  # kind -> label
    fields: tuple[FormField, ...]
    min_poll_s: float = MIN_POLL_INTERVAL_S
    default_poll_s: float = 120.0
    poll_hint: str = ""
    paid: bool = False  # shows a daily budget
    credentials_note: str = ""
    testable: bool = True  # its listeners have a cheap connection test (`check()`)

    def fields_for(self, kind: str) -> tuple[FormField, ...]:
        return tuple(f for f in self.fields if kind in f.kinds)

    def owned_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([f.key for f in self.fields] + list(COMMON_KEYS)))


def _x_query(value: str, kind: str) -> str | None:
    if not value:
        return "Query: say what to search for, e.g. (Northwind OR Northwnd) -is:retweet."
    if len(value) > MAX_QUERY_LENGTH:
        return f"Query: {len(value)} characters; X allows {MAX_QUERY_LENGTH}."
    if value.count("(") != value.count(")"):
        return "Query: the parentheses do not pair up."
    return None


def _x_account(value: str, kind: str) -> str | None:
    return None if HANDLE.match(value) else "Account: the brand's X handle, e.g. @NorthwindMobile."


def _required(label: str, example: str, limit: int = 500) -> Callable[[str, str], str | None]:
    def check(value: str, kind: str) -> str | None:
        if not value:
            return f"{label}: say what to listen for, e.g. {example}."
        if len(value) > limit:
            return f"{label}: {len(value)} characters; at most {limit}."
        return None

    return check


def host_url(value: str) -> str:
    """`mastodon.social` or `https://mastodon.social/@someone` as `https://mastodon.social`."""
    value = value.strip()
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    parsed = urlparse(value)
    return f"{parsed.scheme}://{parsed.netloc}".lower() if parsed.netloc else ""


def _instance(value: str, kind: str) -> str | None:
    url = host_url(value)
    host = urlparse(url).hostname or ""
    if not url or not ("." in host or host == "localhost"):
        return "Instance: the Mastodon server's address, e.g. mastodon.social."
    return None


def _hashtag(value: str, kind: str) -> str | None:
    return None if HASHTAG.match(value) else "Hashtag: one tag without spaces, e.g. #northwind."


def subreddit_names(value: str) -> list[str]:
    """`r/Northwind, mobile+android` as ["Northwind", "mobile", "android"]."""
    return [n.strip().removeprefix("/").removeprefix("r/") for n in re.split(r"[,+\s]+", value) if n.strip()]


def _subreddits(value: str, kind: str) -> str | None:
    names = subreddit_names(value)
    if kind == "reddit_comments" and not names:
        return "Subreddits: comments need one or more subreddits, e.g. Northwind, NorthwindMobile."
    bad = [n for n in names if not SUBREDDIT.match(n)]
    return f"Subreddits: {', '.join(bad)} is not a subreddit name." if bad else None


def _language(value: str, kind: str) -> str | None:
    return None if not value or LANGUAGE.match(value.lower()) else "Language: a code such as en, de or pt-BR."


def _country(value: str, kind: str) -> str | None:
    return None if not value or re.fullmatch(r"[A-Za-z]{2}", value) else "Country: a two-letter code such as us or de."


def _url(value: str, kind: str) -> str | None:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return "Feed URL: the full address of an RSS or Atom feed, starting with https://."
    return None


def _app_id(value: str, kind: str) -> str | None:
    digits = value.lower().removeprefix("id")
    return None if digits.isdigit() else "App id: the number in the app's App Store address (…/id284882215)."


def _package(value: str, kind: str) -> str | None:
    return None if PACKAGE.match(value) else "Package: the app's id on Google Play, e.g. com.northwind.mobile."


def _no_hash(value: str) -> str:
    return value.strip().lstrip("#")


def _no_at(value: str) -> str:
    return value.strip().lstrip("@")


X = SourceFamily(
    key="x",
    title="X",
    kinds=X_KINDS,
    fields=(
        FormField(
            "query",
            "Query (X search)",
            ("x_search",),
            widget="area",
            max_chars=MAX_QUERY_LENGTH,
            help=(
                "Names, misspellings, products and hashtags joined with OR, e.g. "
                '("Northwind Mobile" OR Northwnd OR #northwind) -from:NorthwindMobile -is:retweet. '
                "See docs/sources.md for operators and costs."
            ),
            check=_x_query,
        ),
        FormField(
            "account",
            "Account (X mentions)",
            ("x_mentions",),
            placeholder="@NorthwindMobile",
            check=_x_account,
            clean=_no_at,
        ),
    ),
    poll_hint="X allows 450 requests per 15 min",
    paid=True,
    testable=False,  # every X read is billed: no test call
    credentials_note="The bearer token comes from X_BEARER_TOKEN or .streamlit/secrets.toml, never from this page.",
)
MASTODON = SourceFamily(
    key="mastodon",
    title="Mastodon",
    kinds={
        "mastodon_hashtag": "Mastodon hashtag timeline (no token needed)",
        "mastodon_search": "Mastodon full-text search (access token)",
    },
    fields=(
        FormField(
            "instance",
            "Instance",
            ("mastodon_hashtag", "mastodon_search"),
            placeholder="mastodon.social",
            help="Any Mastodon server; a hashtag timeline there includes posts it knows from other servers.",
            check=_instance,
            clean=host_url,
        ),
        FormField(
            "hashtag",
            "Hashtag (Mastodon hashtag)",
            ("mastodon_hashtag",),
            placeholder="#northwind",
            check=_hashtag,
            clean=_no_hash,
        ),
        FormField(
            "query",
            "Query (Mastodon search)",
            ("mastodon_search",),
            placeholder='"Northwind Mobile"',
            check=_required("Query", '"Northwind Mobile"'),
        ),
    ),
    min_poll_s=60.0,
    poll_hint="Mastodon allows 300 requests per 5 min per account or address",
    credentials_note="Search uses MASTODON_ACCESS_TOKEN, sent only to VOC_MASTODON_INSTANCE; hashtags need no token.",
)
BLUESKY = SourceFamily(
    key="bluesky",
    title="Bluesky",
    kinds={"bluesky_search": "Bluesky search (app password)"},
    fields=(
        FormField(
            "query",
            "Query",
            ("bluesky_search",),
            placeholder="northwind OR #northwind",
            help='Bluesky\'s search syntax: words, "phrases", #tags, from:handle, -word.',
            check=_required("Query", "northwind", limit=300),
        ),
        FormField(
            "lang",
            "Language (optional)",
            ("bluesky_search",),
            placeholder="en",
            help="Only posts their authors tagged with this language; leave empty for every language.",
            check=_language,
            clean=lambda v: v.strip().lower(),
        ),
    ),
    poll_hint="searches are rate limited per account",
    credentials_note="Signs in with BLUESKY_HANDLE and BLUESKY_APP_PASSWORD from the environment or secrets.",
)
REDDIT = SourceFamily(
    key="reddit",
    title="Reddit",
    kinds={"reddit_posts": "Reddit posts: a search, or a subreddit's new posts", "reddit_comments": "Reddit comments"},
    fields=(
        FormField(
            "subreddits",
            "Subreddits",
            ("reddit_posts", "reddit_comments"),
            placeholder="Northwind, NorthwindMobile",
            help="Comma-separated, without r/. Leave empty to search all of Reddit (posts only).",
            check=_subreddits,
            clean=lambda v: ", ".join(subreddit_names(v)),
        ),
        FormField(
            "query",
            "Search query (Reddit posts)",
            ("reddit_posts",),
            placeholder='Northwind OR "Northwind Mobile"',
            help="Reddit search syntax; empty means every new post of the subreddits.",
            check=lambda v, k: "Search query: at most 512 characters." if len(v) > 512 else None,
        ),
        FormField(
            "keywords",
            "Keywords (comments, or posts without a query)",
            ("reddit_posts", "reddit_comments"),
            placeholder="northwind, northwnd",
            help="Comma-separated; an item is kept when it contains one. Empty keeps everything.",
        ),
    ),
    min_poll_s=60.0,
    default_poll_s=300.0,
    poll_hint="Reddit allows about 100 requests a minute per app",
    credentials_note="Uses REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (a script app) from the environment or secrets.",
)
FEEDS = SourceFamily(
    key="feeds",
    title="RSS, Atom and news",
    kinds={"feed": "RSS or Atom feed (Google Alerts, a blog, a press page)", "news_search": "Google News search"},
    fields=(
        FormField(
            "url",
            "Feed URL (RSS or Atom feed)",
            ("feed",),
            placeholder="https://www.google.com/alerts/feeds/…",
            help="A Google Alert set to deliver to an RSS feed, or any RSS/Atom address.",
            check=_url,
        ),
        FormField(
            "query",
            "News search (Google News)",
            ("news_search",),
            placeholder='"Northwind Mobile"',
            check=_required("News search", '"Northwind Mobile"'),
        ),
        FormField("language", "Language (Google News)", ("news_search",), default="en", check=_language),
        FormField(
            "country",
            "Country (Google News)",
            ("news_search",),
            default="US",
            check=_country,
            clean=lambda v: v.strip().upper(),
        ),
    ),
    min_poll_s=60.0,
    default_poll_s=900.0,
    poll_hint="feeds change a few times an hour at most",
    credentials_note="Feeds need no credentials.",
)
REVIEWS = SourceFamily(
    key="reviews",
    title="App reviews",
    kinds={
        "app_store_reviews": "App Store reviews (public feed)",
        "google_play_reviews": "Google Play reviews (official API)",
    },
    fields=(
        FormField("app_id", "App id (App Store)", ("app_store_reviews",), placeholder="284882215", check=_app_id),
        FormField(
            "country",
            "Country (App Store)",
            ("app_store_reviews",),
            default="us",
            check=_country,
            clean=lambda v: v.strip().lower(),
        ),
        FormField(
            "package",
            "Package (Google Play)",
            ("google_play_reviews",),
            placeholder="com.northwind.mobile",
            check=_package,
        ),
    ),
    min_poll_s=300.0,
    default_poll_s=3600.0,
    poll_hint="stores add reviews slowly; Google Play's API allows 200 review reads an hour",
    credentials_note="Google Play uses the service account key named by GOOGLE_PLAY_SERVICE_ACCOUNT_FILE.",
)
FAMILIES: tuple[SourceFamily, ...] = (X, MASTODON, BLUESKY, REDDIT, FEEDS, REVIEWS)
FAMILY_OF: dict[str, SourceFamily] = {kind: family for family in FAMILIES for kind in family.kinds}
# Kinds without a form on the Sources page (they are set up by the app itself).
_OTHER_KIND_LABELS: Final = {"replay": "demo feed", "survey_folder": "survey folder"}


def kind_label(kind: str) -> str:
    """A source kind as a person reads it on a card: "Mastodon hashtag timeline", not `mastodon_hashtag`."""
    family = FAMILY_OF.get(kind)
    if family is None:
        return _OTHER_KIND_LABELS.get(kind, kind.replace("_", " "))
    return family.kinds[kind].split(" (")[0].split(":")[0]


FORM_KEYS = X.owned_keys()  # the X form's keys; other keys already in a config are kept on edit


# ---- the form ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceForm:
    """One source of any kind as the Sources page edits it."""

    name: str
    kind: str
    values: Mapping[str, str] = field(default_factory=dict)  # the family's fields, as typed
    brand: str = ""
    competitor: bool = False
    poll_interval_s: float = 120.0
    daily_budget_usd: float = 0.0
    enabled: bool = True

    @property
    def family(self) -> SourceFamily | None:
        return FAMILY_OF.get(self.kind)

    @classmethod
    def from_source(cls, source: SourceState) -> SourceForm:
        """The form filled in from a stored source."""
        config = source.config
        family = FAMILY_OF.get(source.kind)
        fields = family.fields if family else ()
        return cls(
            name=source.name,
            kind=source.kind,
            values={f.key: _as_text(config.get(f.key, "")) for f in fields},
            brand=str(config.get("brand") or ""),
            competitor=bool(config.get("competitor", False)),
            poll_interval_s=float(source.poll_interval_s),
            daily_budget_usd=float(config.get(BUDGET_KEY) or 0.0),
            enabled=source.enabled,
        )

    def value(self, key: str) -> str:
        return str(self.values.get(key) or "").strip()

    def problems(self, taken_names: frozenset[str] = frozenset()) -> list[str]:
        """Everything wrong with the form, in words for the person filling it in."""
        found = []
        if not NAME.match(self.name):
            found.append(f"Name: lower-case letters, digits, - and _ only (e.g. {self._example_name()}).")
        elif self.name in taken_names:
            found.append(f"Name: a source called {self.name!r} already exists.")
        family = self.family
        if family is None:
            found.append(f"Kind: one of {', '.join(FAMILY_OF)}.")
            return found
        for form_field in family.fields_for(self.kind):
            problem = form_field.check(self.value(form_field.key), self.kind) if form_field.check else None
            if problem:
                found.append(problem)
        if self.kind == "reddit_posts" and not self.value("subreddits") and not self.value("query"):
            found.append("Search query: give a query, or some subreddits to follow, not all of Reddit.")
        if self.poll_interval_s < family.min_poll_s:
            found.append(f"Poll interval: at least {family.min_poll_s:.0f} s ({family.poll_hint}).")
        if self.daily_budget_usd < 0:
            found.append("Daily budget: zero (no budget) or more.")
        return found

    def config(self, previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `config` to store: the form's keys over whatever else the source already had."""
        family = self.family
        owned = family.owned_keys() if family else COMMON_KEYS
        config = {key: value for key, value in (previous or {}).items() if key not in owned}
        for form_field in family.fields_for(self.kind) if family else ():
            cleaned = form_field.clean(self.value(form_field.key) or form_field.default)
            if cleaned not in ("", None):
                config[form_field.key] = cleaned
        if self.brand.strip():
            config["brand"] = self.brand.strip()
        config["competitor"] = bool(self.competitor)
        if self.daily_budget_usd > 0:
            config[BUDGET_KEY] = round(float(self.daily_budget_usd), 2)
        return config

    def _example_name(self) -> str:
        family = self.family
        return f"{family.key}-brand" if family else "x-brand"


@dataclass(frozen=True)
class XSourceForm:
    """An X source's form by its X names (query, account): the same checks as any `SourceForm`."""

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
        form = SourceForm.from_source(source)
        return cls(
            name=form.name,
            kind=form.kind,
            query=form.value("query"),
            account=form.value("account"),
            brand=form.brand,
            competitor=form.competitor,
            poll_interval_s=form.poll_interval_s,
            daily_budget_usd=form.daily_budget_usd,
            enabled=form.enabled,
        )

    def as_form(self) -> SourceForm:
        return SourceForm(
            name=self.name,
            kind=self.kind,
            values={"query": self.query, "account": self.account},
            brand=self.brand,
            competitor=self.competitor,
            poll_interval_s=self.poll_interval_s,
            daily_budget_usd=self.daily_budget_usd,
            enabled=self.enabled,
        )

    def problems(self, taken_names: frozenset[str] = frozenset()) -> list[str]:
        return self.as_form().problems(taken_names)

    def config(self, previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.as_form().config(previous)


# ---- credentials --------------------------------------------------------------------------------


def x_token_problem(settings: Settings) -> str | None:
    """What the Sources page says when X sources cannot run for want of a token (else None)."""
    return None if settings.x_bearer_token else MISSING_X_TOKEN


def credential_problems(settings: Settings, kinds: set[str]) -> list[str]:
    """One sentence per credential that sources of these kinds need and do not have."""
    found = []
    if kinds & set(X_KINDS) and not settings.x_bearer_token:
        found.append(MISSING_X_TOKEN)
    if "mastodon_search" in kinds and not (settings.mastodon_access_token and settings.mastodon_instance):
        found.append(MISSING_MASTODON_TOKEN)
    if "bluesky_search" in kinds and not (settings.bluesky_handle and settings.bluesky_app_password):
        found.append(MISSING_BLUESKY)
    if kinds & {"reddit_posts", "reddit_comments"} and not (
        settings.reddit_client_id and settings.reddit_client_secret
    ):
        found.append(MISSING_REDDIT)
    if "google_play_reviews" in kinds and not settings.google_play_service_account_file:
        found.append(MISSING_GOOGLE_PLAY)
    return found


def _as_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
