"""Listening on X (API v2) through tweepy: brand and competitor search, and the brand's mentions.

Two sources share one polling loop:

- `x_search`: `search_recent_tweets` with a boolean query (names, misspellings, hashtags,
  `-is:retweet`, `lang:`); competitor queries are sources too, tagged `competitor: true`.
- `x_mentions`: the brand account's mentions timeline (`get_users_mentions`).

Built for the real API (see docs/sources.md and the research notes, pitfalls P1-P9):

- tweepy's `Client` with `wait_on_rate_limit=False` (its waiting recurses until it crashes when the
  reset header is missing) and a session that puts a timeout on every call (tweepy sets none);
- the cursor is JSON `{"since_id", "pending_since_id", "next_token", "start_time", "user_id"}`: the
  next `since_id` is the first page's `meta.newest_id`, kept as `pending_since_id` while later pages
  are fetched with the same `since_id` and their `next_token`; the runner saves each page's cursor
  with its items, so a crash resumes mid-way with nothing lost or duplicated. Ids compare as numbers;
- a `since_id` older than recent search's seven days (HTTP 400 naming `since_id`, or known from the
  id's own timestamp) falls back to a `start_time` window and reports a coverage gap;
- `includes.users` is joined page by page (tweepy's `Paginator.flatten()` would drop it);
- every failure leaves as a `SourceError` from the one classifier, with the token scrubbed.

No Streamlit import here.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from listeners.base import Batch, CoverageGap, ErrorKind, ItemKind, RawItem, SourceError
from listeners.errors import classify, install_log_scrubber, names_parameter, scrub
from listeners.http import GuardedSession, Limits
from voc.clock import utcnow
from voc.sources.costs import Rates, Usage, rates_for, usage_of
from voc.sources.forms import MAX_QUERY_LENGTH, MISSING_X_TOKEN

log = logging.getLogger(__name__)

TWEEPY_HOST = "https://api.twitter.com"  # hard-coded in tweepy.client (pitfall P6)
DEFAULT_TIMEOUT_S = (5.0, 30.0)  # connect, read
MISSING_TOKEN = MISSING_X_TOKEN
SEARCH_WINDOW = timedelta(days=7)
WINDOW_MARGIN = timedelta(minutes=5)  # start a fallback window safely inside the seven days
DEFAULT_BACKFILL = timedelta(hours=24)  # how far the first poll reaches back
TWEET_FIELDS = (
    "created_at",
    "lang",
    "public_metrics",
    "conversation_id",
    "referenced_tweets",
    "note_tweet",
    "entities",
    "author_id",
)
USER_FIELDS = ("username", "name", "public_metrics")
EXPANSIONS = ("author_id",)
SNOWFLAKE_EPOCH_MS = 1288834974657
# Why a post could not be stored: the reasons the Sources page counts (never a value from the post).
POST_WITHOUT_ID = "post without an id"
POST_WITHOUT_TEXT = "post without text"
REPOST = "repost (the original post is stored on its own)"
# X's `lang` for text with no language (undetermined, media only, hashtags only ...): no hint.
NO_LANGUAGE = frozenset({"und", "zxx", "qme", "qam", "qct", "qht", "qst", "art"})


# ---- the HTTP session and the client --------------------------------------------------------


class TimeoutSession(GuardedSession):
    """The shared guarded session (total deadline, size limit, few redirects), optionally at another host.

    tweepy calls `session.request(...)` without a timeout, so a hung socket would hang the
    runner for ever (pitfall P2). `base_url` replaces tweepy's hard-coded host, e.g. with
    `https://api.x.com` or a local stand-in for tests.
    """

    def __init__(
        self,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT_S,
        base_url: str = TWEEPY_HOST,
        limits: Limits | None = None,
    ) -> None:
        read = timeout[1] if isinstance(timeout, tuple) else timeout
        super().__init__(limits or Limits.of(read), default_timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        if isinstance(url, str) and self.base_url != TWEEPY_HOST and url.startswith(TWEEPY_HOST):
            url = self.base_url + url[len(TWEEPY_HOST) :]
        return super().request(method, url, *args, **kwargs)


def make_client(
    token: str,
    *,
    base_url: str = TWEEPY_HOST,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT_S,
    limits: Limits | None = None,
) -> tweepy.Client:
    """A tweepy v2 client that never sleeps on rate limits and never waits past its deadline.

    tweepy logs request headers, the bearer token among them, at DEBUG: the process's one log
    scrubber (`listeners.errors.install_log_scrubber`) cleans every record before any handler."""
    install_log_scrubber()
    client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    client.session = TimeoutSession(timeout, base_url, limits)
    return client


# ---- ids and the cursor ----------------------------------------------------------------------


def snowflake_time(post_id: str | int) -> datetime:
    """When an X id was minted: its top bits are milliseconds since X's epoch."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, tz=UTC)


def unescape_text(text: str) -> str:
    """A post's text as written: X escapes `&`, `<` and `>` in `text` (and only those) as HTML entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _created_at(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) if moment else None


def newest(*ids: str | None) -> str | None:
    """The newest of some X ids, compared as numbers (string order is wrong for ids)."""
    present = [i for i in ids if i]
    return max(present, key=int) if present else None


@dataclass(frozen=True)
class XCursor:
    """Where an X source resumes; stored as JSON with each page's items."""

    since_id: str | None = None  # newest post stored by a finished poll
    pending_since_id: str | None = None  # the first page's newest_id while later pages are fetched
    next_token: str | None = None  # the next page of the poll in progress
    start_time: str | None = None  # ISO time the poll in progress started from (no since_id)
    user_id: str | None = None  # mentions: the account's id, resolved once

    @classmethod
    def parse(cls, text: str | None) -> XCursor:
        if not text:
            return cls()
        try:
            fields = json.loads(text)
            return cls(**{key: (str(value) if value is not None else None) for key, value in fields.items()})
        except (ValueError, TypeError, AttributeError) as error:
            raise SourceError(
                ErrorKind.BAD_DATA, f"stored X cursor is unreadable ({error}); clear it to start again"
            ) from None

    def dump(self) -> str:
        return json.dumps({key: value for key, value in asdict(self).items() if value is not None}, sort_keys=True)


# ---- the listeners ---------------------------------------------------------------------------


@dataclass(frozen=True)
class XConfig:
    """What a stored X source's `config` holds (see docs/sources.md)."""

    brand: str
    competitor: bool = False
    query: str = ""  # x_search
    account: str = ""  # x_mentions: the brand's @handle ...
    user_id: str = ""  # ... or its numeric id
    max_results: int = 100
    backfill: timedelta = DEFAULT_BACKFILL

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], default_brand: str) -> XConfig:
        backfill_hours = float(config.get("backfill_hours") or DEFAULT_BACKFILL.total_seconds() / 3600)
        return cls(
            brand=str(config.get("brand") or default_brand),
            competitor=bool(config.get("competitor", False)),
            query=str(config.get("query") or "").strip(),
            account=str(config.get("account") or "").strip().lstrip("@"),
            user_id=str(config.get("user_id") or "").strip(),
            max_results=int(config.get("max_results") or 100),
            backfill=min(timedelta(hours=backfill_hours), SEARCH_WINDOW - WINDOW_MARGIN),
        )


class XListener:
    """The polling loop both X sources share; subclasses say which endpoint a page comes from."""

    token_parameter = "next_token"

    def __init__(
        self,
        name: str,
        config: XConfig,
        *,
        token: str | None,
        rates: Rates | None = None,
        base_url: str = TWEEPY_HOST,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT_S,
        limits: Limits | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.name = name
        self.config = config
        self.rates = rates or Rates()
        self.clock = clock
        self._token = token or None
        self.client = (
            make_client(self._token, base_url=base_url, timeout=timeout, limits=limits) if self._token else None
        )

    def __repr__(self) -> str:  # never the token
        return f"{type(self).__name__}({self.name!r})"

    def fetch(self, cursor: str | None) -> Batch:
        """One page of posts after `cursor`; every failure is a classified `SourceError`."""
        if self.client is None:
            raise SourceError(ErrorKind.AUTH, MISSING_TOKEN)
        now = self.clock()
        state = XCursor.parse(cursor)
        usage = Usage()
        try:
            state, usage = self._prepare(state, usage)
            state, gap = self._window(state, now)
            try:
                page = self._page(state)
            except tweepy.BadRequest as error:
                if not (state.since_id and names_parameter(error, "since_id")):
                    raise
                state, gap = self._fall_back(state, now, "X refused to resume from the last post read (HTTP 400)")
                page = self._page(state)
        except Exception as error:
            raise classify(error, secrets=[self._token], now=self.clock()) from None
        return self._batch(state, page, gap, usage, now)

    # Subclasses: resolve what the endpoint needs once, and fetch one page.
    def _prepare(self, state: XCursor, usage: Usage) -> tuple[XCursor, Usage]:
        return state, usage

    def _call(self, state: XCursor, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _window_applies(self) -> bool:
        return True

    def _page(self, state: XCursor) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_results": self.config.max_results,
            "tweet_fields": list(TWEET_FIELDS),
            "expansions": list(EXPANSIONS),
            "user_fields": list(USER_FIELDS),
        }
        # X refuses since_id together with start_time: a poll uses one or the other.
        if state.since_id:
            params["since_id"] = state.since_id
        elif state.start_time:
            params["start_time"] = datetime.fromisoformat(state.start_time)
        if state.next_token:
            params[self.token_parameter] = state.next_token
        page = self._call(state, params)
        if not isinstance(page, dict):
            raise SourceError(ErrorKind.BAD_DATA, f"X answered with {type(page).__name__}, not a JSON object")
        return page

    def _window(self, state: XCursor, now: datetime) -> tuple[XCursor, CoverageGap | None]:
        """Where this poll starts: the cursor, a fallback window, or the first poll's backfill."""
        if state.since_id:
            if self._window_applies() and now - snowflake_time(state.since_id) > SEARCH_WINDOW - WINDOW_MARGIN:
                return self._fall_back(state, now, "the last post read is older than X's seven-day search window")
            return state, None
        if state.start_time is None:
            start = now - self.config.backfill
            return replace(state, start_time=start.isoformat()), None
        return state, None

    def _fall_back(self, state: XCursor, now: datetime, why: str) -> tuple[XCursor, CoverageGap]:
        """Restart from the oldest moment recent search still covers, and report what is lost."""
        start = now - SEARCH_WINDOW + WINDOW_MARGIN
        lost_from = snowflake_time(state.since_id) if state.since_id else None
        reason = (
            f"{why}: posts from {_when(lost_from)} to {_when(start)} could not be fetched; "
            f"listening resumed from {_when(start)}."
        )
        log.warning("%s: coverage gap: %s", self.name, reason)
        fresh = XCursor(start_time=start.isoformat(), user_id=state.user_id)
        return fresh, CoverageGap(start=lost_from, end=start, reason=reason)

    def _batch(
        self, state: XCursor, page: dict[str, Any], gap: CoverageGap | None, usage: Usage, now: datetime
    ) -> Batch:
        data = page.get("data") or []
        users_list = (page.get("includes") or {}).get("users") or []
        meta = page.get("meta") or {}
        if not isinstance(data, list) or not isinstance(users_list, list) or not isinstance(meta, dict):
            raise SourceError(ErrorKind.BAD_DATA, "X answered with a page whose data, includes or meta is malformed")
        if page.get("errors"):
            # A 200 may carry partial errors (a deleted author, a withheld post): log, keep the page.
            log.warning(
                "%s: X reported %d partial errors: %s",
                self.name,
                len(page["errors"]) if isinstance(page["errors"], list) else 1,
                scrub(partial_errors(page["errors"]), [self._token])[:500],
            )
        users = {str(user.get("id")): user for user in users_list if isinstance(user, dict)}
        items = []
        skipped: Counter[str] = Counter()
        for post in data:
            item = self._item(post, users, now)
            if isinstance(item, RawItem):
                items.append(item)
            else:
                skipped[item] += 1
        first_page = state.next_token is None
        pending = state.pending_since_id
        if first_page and data:
            pending = newest(
                meta.get("newest_id"), *(str(p.get("id")) for p in data if isinstance(p, dict) and p.get("id"))
            )
        next_token = meta.get("next_token")
        if next_token:
            cursor = replace(state, pending_since_id=pending, next_token=str(next_token))
        else:
            cursor = XCursor(since_id=newest(state.since_id, pending), user_id=state.user_id)
        page_usage = usage + usage_of(requests=1, posts_read=len(data), users_read=len(users), rates=self.rates)
        return Batch(items, cursor.dump(), more=bool(next_token), usage=page_usage, gap=gap, skipped=dict(skipped))

    def _item(self, post: Any, users: Mapping[str, Any], fetched_at: datetime) -> RawItem | str:
        """The post as an item, or the reason it cannot be one (counted in the page's `skipped`)."""
        if not isinstance(post, Mapping) or not str(post.get("id") or "").isdigit():
            log.warning("%s: skipped a post without a usable id", self.name)
            return POST_WITHOUT_ID
        post_id = str(post["id"])
        if any(
            isinstance(reference, Mapping) and reference.get("type") == "retweeted"
            for reference in post.get("referenced_tweets") or []
        ):
            # "RT @writer: ..." cut at 140 characters under the reposter's name: the mentions timeline
            # has no `-is:retweet`, and every repost of one complaint counted as another complaint.
            return REPOST
        text = (
            (post.get("note_tweet") or {}).get("text") if isinstance(post.get("note_tweet"), Mapping) else None
        ) or (post.get("text"))
        if not isinstance(text, str) or not text.strip():
            return POST_WITHOUT_TEXT
        posted_at = _created_at(post.get("created_at")) or snowflake_time(post_id)
        user = users.get(str(post.get("author_id"))) or {}
        username = user.get("username")
        followers = (user.get("public_metrics") or {}).get("followers_count")
        lang = post.get("lang")
        return RawItem(
            external_id=post_id,
            text=unescape_text(text),
            posted_at=posted_at,
            kind=ItemKind.MENTION,
            channel="x",
            author=f"@{username}" if username else None,
            author_reach=int(followers) if followers is not None else None,
            link=f"https://x.com/{username}/status/{post_id}" if username else f"https://x.com/i/web/status/{post_id}",
            brand=self.config.brand,
            is_competitor=self.config.competitor,
            language_hint=None if not lang or lang in NO_LANGUAGE else str(lang),
            in_reply_to=replied_to(post),
            conversation_id=_id_or_none(post.get("conversation_id")),
            extra={
                "author_id": post.get("author_id"),
                "author_name": user.get("name"),
                "conversation_id": post.get("conversation_id"),
                "referenced_tweets": post.get("referenced_tweets"),
                "public_metrics": post.get("public_metrics"),  # engagement as of fetched_at
                "entities": post.get("entities"),
                "long_post": bool(post.get("note_tweet")),
                "fetched_at": fetched_at.isoformat(),
            },
        )


def partial_errors(errors: Any) -> str:
    """What a page's partial errors were, by X's own title and the field they concern: never their
    `detail` or `value`, which quote the user behind them (`...username: [jo_smith]`, a user id)."""
    counts: Counter[str] = Counter()
    for error in errors if isinstance(errors, list) else [errors]:
        if not isinstance(error, Mapping):
            counts["malformed error"] += 1
            continue
        title = _api_word(error.get("title")) or "error"
        field = _api_word(error.get("parameter"))
        counts[f"{title} ({field})" if field else title] += 1
    return "; ".join(f"{what} x{count}" for what, count in counts.items())


def _api_word(value: Any) -> str:
    """A title or parameter name as X spells them (`Not Found Error`, `referenced_tweets.id`), else nothing."""
    text = str(value or "")
    return text if len(text) <= 60 and re.fullmatch(r"[A-Za-z][A-Za-z0-9 ._-]*", text) else ""


def replied_to(post: Mapping[str, Any]) -> str | None:
    """The id of the post this one answers: its `referenced_tweets` entry of type `replied_to`."""
    for reference in post.get("referenced_tweets") or []:
        if isinstance(reference, Mapping) and reference.get("type") == "replied_to":
            return _id_or_none(reference.get("id"))
    return None


def _id_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value).isdigit() else None


class XSearchListener(XListener):
    """Brand (or competitor) talk beyond @-mentions: recent search with a boolean query."""

    token_parameter = "next_token"

    def __init__(self, name: str, config: XConfig, **kwargs: Any) -> None:
        if not config.query:
            raise ValueError(f"X search source {name!r} has no query")
        if len(config.query) > MAX_QUERY_LENGTH:
            raise ValueError(
                f"X search source {name!r}: query is {len(config.query)} characters, X allows {MAX_QUERY_LENGTH}"
            )
        super().__init__(name, config, **kwargs)

    def _call(self, state: XCursor, params: dict[str, Any]) -> Any:
        assert self.client is not None
        return self.client.search_recent_tweets(self.config.query, sort_order="recency", **params)


class XMentionsListener(XListener):
    """The brand account's mentions timeline (X keeps the latest 800: poll often enough)."""

    token_parameter = "pagination_token"

    def __init__(self, name: str, config: XConfig, **kwargs: Any) -> None:
        if not (config.account or config.user_id):
            raise ValueError(f"X mentions source {name!r} needs the brand's account (@handle) or user_id")
        super().__init__(name, config, **kwargs)

    def _window_applies(self) -> bool:
        return False  # the timeline is bounded by count (800), not by seven days

    def _prepare(self, state: XCursor, usage: Usage) -> tuple[XCursor, Usage]:
        if state.user_id:
            return state, usage
        if self.config.user_id:
            return replace(state, user_id=self.config.user_id), usage
        assert self.client is not None
        answer = self.client.get_user(username=self.config.account)
        user = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(user, dict) or not user.get("id"):
            said = "; ".join(
                str(e.get("detail") or e.get("message"))
                for e in (answer or {}).get("errors", [])
                if isinstance(e, dict)
            )
            raise SourceError(
                ErrorKind.INVALID_QUERY,
                f"X account @{self.config.account} not found{': ' + said if said else ''}. Edit the source.",
            )
        looked_up = usage_of(requests=1, posts_read=0, users_read=1, rates=self.rates)
        return replace(state, user_id=str(user["id"])), usage + looked_up

    def _call(self, state: XCursor, params: dict[str, Any]) -> Any:
        assert self.client is not None
        return self.client.get_users_mentions(state.user_id, **params)


def build_x_listener(
    kind: str,
    name: str,
    config: Mapping[str, Any],
    *,
    token: str | None,
    default_brand: str,
    rates: Rates,
    base_url: str = TWEEPY_HOST,
    timeout_s: float = DEFAULT_TIMEOUT_S[1],
    limits: Limits | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> XListener:
    """The listener for a stored X source (`x_search` or `x_mentions`)."""
    parsed = XConfig.from_mapping(config, default_brand)
    kwargs: dict[str, Any] = {
        "token": token,
        "rates": rates_for(config, rates),
        "base_url": base_url,
        "timeout": (min(DEFAULT_TIMEOUT_S[0], timeout_s), timeout_s),
        "limits": limits,
        "clock": clock,
    }
    if kind == "x_search":
        return XSearchListener(name, parsed, **kwargs)
    if kind == "x_mentions":
        return XMentionsListener(name, parsed, **kwargs)
    raise ValueError(f"not an X source kind: {kind!r}")


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "the last stored post"
