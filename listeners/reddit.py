"""Listening on Reddit through praw: keyword searches and subreddit streams, posts and comments.

Two sources share one polling loop:

- `reddit_posts`: posts in some subreddits (or all of Reddit) that match a search query
  (`/r/<subs>/search?sort=new`), or every new post in those subreddits when there is no query
  (`/r/<subs>/new`);
- `reddit_comments`: new comments in some subreddits (`/r/<subs>/comments`), kept when they
  contain one of the keywords (Reddit's search does not search comments).

Built for the real API:

- app-only OAuth (a "script" app's client id and secret, read-only), a User-Agent Reddit accepts,
  and a session that puts a timeout on every call;
- Reddit's rate limits (about 100 queries a minute per OAuth client): prawcore paces requests from
  the `X-Ratelimit-*` headers; when the window is spent the source waits for its reset instead of
  sleeping inside the runner, and a 429 waits `x-ratelimit-reset` seconds;
- listings are newest first and paged with `after`: the watermark cursor (`listeners.paging`)
  follows pages until it meets a post from before the last poll, so a deleted anchor post can
  never stall the stream (Reddit's `before` parameter does);
- reach is the subreddit's subscriber count (a post carries it; for comments it is looked up once
  a day per subreddit), or the author's karma when `author_karma` is on (one extra call per author);
- deleted or removed posts keep their title, deleted or removed comments are skipped, and a
  deleted account leaves no author.

No Streamlit import here.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import praw
from prawcore.exceptions import Forbidden, NotFound, Redirect
from prawcore.sessions import FiniteRetryStrategy

from listeners.base import Batch, ErrorKind, ItemKind, RawItem, SourceError
from listeners.errors import RESET_MARGIN_S, cap_wait, classify
from listeners.http import GuardedSession, Limits
from listeners.paging import DEFAULT_BACKFILL, PageCursor
from voc.clock import utcnow
from voc.sources.costs import Usage
from voc.sources.forms import MISSING_REDDIT, subreddit_names

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the most a Reddit listing returns
PAGE_CAP = 5
MISSING_CREDENTIALS = MISSING_REDDIT
AUTH_FIX = (
    'Create a "script" app at reddit.com/prefs/apps (API access needs Reddit\'s approval under its Responsible '
    "Builder Policy), copy its id and secret into REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET and restart the listeners."
)
GONE = frozenset({"[deleted]", "[removed]", "[ Removed by Reddit ]", "[removed by reddit]"})
SUBSCRIBERS_TTL = timedelta(hours=24)
KARMA_LOOKUPS_PER_PAGE = 25  # author lookups per page: each is a request under the deadline
# Why a listing entry could not be stored: the reasons the Sources page counts.
GONE_COMMENT = "deleted or removed comment"
MALFORMED_THING = "malformed post or comment"
NO_TEXT = "post or comment with no text"


def subreddit_path(subreddits: str) -> str:
    """`r/a, b +c` as `a+b+c`: the multireddit Reddit's listings take (`all` when empty)."""
    return "+".join(dict.fromkeys(subreddit_names(subreddits))) or "all"


class TimeoutSession(GuardedSession):
    """The shared guarded session (total deadline, size limit, few redirects) for prawcore."""

    def __init__(self, timeout_s: float, limits: Limits | None = None) -> None:
        super().__init__(limits or Limits.of(timeout_s), default_timeout=(min(5.0, timeout_s), timeout_s))


@dataclass(frozen=True)
class NoRetries(FiniteRetryStrategy):
    """prawcore retries a refused connection or a 5xx twice, sleeping up to six seconds inside the
    runner; the runner retries itself, with backoff, without holding other sources up."""

    def should_retry_on_failure(self) -> bool:
        return False

    def _sleep_seconds(self) -> float | None:
        return None


@dataclass(frozen=True)
class RedditConfig:
    """What a stored Reddit source's `config` holds (see docs/sources.md)."""

    brand: str
    subreddits: str = "all"
    query: str = ""  # reddit_posts: a search; empty means every new post
    keywords: tuple[str, ...] = ()  # reddit_comments (and reddit_posts without a query): keep matching ones
    competitor: bool = False
    author_karma: bool = False
    backfill: timedelta = DEFAULT_BACKFILL

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], default_brand: str) -> RedditConfig:
        hours = float(config.get("backfill_hours") or DEFAULT_BACKFILL.total_seconds() / 3600)
        raw_keywords = config.get("keywords") or ""
        if isinstance(raw_keywords, str):
            raw_keywords = raw_keywords.split(",")
        return cls(
            brand=str(config.get("brand") or default_brand),
            subreddits=subreddit_path(str(config.get("subreddits") or "")),
            query=str(config.get("query") or "").strip(),
            keywords=tuple(k.strip().casefold() for k in raw_keywords if str(k).strip()),
            competitor=bool(config.get("competitor", False)),
            author_karma=bool(config.get("author_karma", False)),
            backfill=timedelta(hours=hours),
        )


class RedditListener:
    """Posts or comments of some subreddits, newest first, down to the last poll's watermark."""

    def __init__(
        self,
        name: str,
        kind: str,
        config: RedditConfig,
        *,
        client_id: str | None,
        client_secret: str | None,
        user_agent: str,
        timeout_s: float = 30.0,
        limits: Limits | None = None,
        oauth_url: str = "https://oauth.reddit.com",
        reddit_url: str = "https://www.reddit.com",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if kind not in ("reddit_posts", "reddit_comments"):
            raise ValueError(f"not a Reddit source kind: {kind!r}")
        if kind == "reddit_comments" and config.subreddits == "all":
            raise ValueError(f"Reddit comments source {name!r} needs subreddits (all of Reddit is too much)")
        self.name = name
        self.kind = kind
        self.config = config
        self.clock = clock
        self._secrets = [client_secret]
        self._subscribers: dict[str, tuple[int | None, datetime]] = {}
        self._karma: dict[str, int | None] = {}
        self.reddit: praw.Reddit | None = None
        if client_id and client_secret:
            self.reddit = praw.Reddit(
                client_id=client_id,
                client_secret=client_secret,
                user_agent=user_agent,
                check_for_updates=False,
                check_for_async=False,
                timeout=int(timeout_s),
                oauth_url=oauth_url,
                reddit_url=reddit_url,
                requestor_kwargs={"session": TimeoutSession(timeout_s, limits)},
            )
            for core in (self.reddit._core, self.reddit._read_only_core, self.reddit._authorized_core):
                if core is not None and hasattr(core, "_retry_strategy_class"):
                    core._retry_strategy_class = NoRetries

    def __repr__(self) -> str:  # never the secret
        return f"RedditListener({self.name!r}, {self.config.subreddits!r})"

    def fetch(self, cursor: str | None) -> Batch:
        """One page, newest first, down to the watermark; every failure is a classified `SourceError`."""
        reddit = self._client()
        now = self.clock()
        state = PageCursor.parse(cursor, service="Reddit").started(now, self.config.backfill)
        self._wait_for_window()
        requests_made = 1
        try:
            listing = reddit.get(self._path(), params=self._params(state.page))
            if not hasattr(listing, "children"):
                raise SourceError(ErrorKind.BAD_DATA, f"Reddit answered with {type(listing).__name__}, not a listing")
            children = list(listing.children or [])
            after = getattr(listing, "after", None)
            times, items = [], []
            skipped: Counter[str] = Counter()
            for thing in children:
                moment = _created(thing)
                if moment is not None:
                    times.append(moment)
                    if not state.is_new(moment):
                        continue
                # Without created_utc: stored with the fetch time, and kept out of the watermark.
                item = self._item(thing, moment or now, now, dated=moment is not None)
                if isinstance(item, str):
                    skipped[item] += 1
                elif item is not None:
                    items.append(item)
            requests_made += self._add_reach(items)
        except SourceError:
            raise
        except Exception as error:
            raise classify(
                error, service="Reddit", secrets=self._secrets, now=self.clock(), auth_fix=AUTH_FIX
            ) from None
        cursor_after, more, gap = state.after_page(times, after, page_cap=PAGE_CAP)
        usage = Usage(requests=requests_made, posts_read=len(children))
        return Batch([i for _, i in items], cursor_after.dump(), more=more, usage=usage, gap=gap, skipped=dict(skipped))

    def check(self) -> str:
        """Sign in and read the subreddits' sizes, or the newest matching post (raises SourceError)."""
        reddit = self._client()
        try:
            if self.config.subreddits == "all":
                listing = reddit.get(self._path(), params={**self._params(None), "limit": 1})
                return f"Connected to Reddit; {len(listing.children)} recent match(es) for {self.config.query!r}."
            sizes = []
            for name in self.config.subreddits.split("+"):
                about = vars(reddit.get(f"/r/{name}/about"))
                sizes.append(
                    f"r/{about.get('display_name', name)} ({int(about.get('subscribers') or 0):,} subscribers)"
                )
        except Exception as error:
            raise classify(error, service="Reddit", secrets=self._secrets, auth_fix=AUTH_FIX) from None
        return "Connected to Reddit: " + ", ".join(sizes) + "."

    def _client(self) -> praw.Reddit:
        if self.reddit is None:
            raise SourceError(ErrorKind.AUTH, MISSING_CREDENTIALS)
        return self.reddit

    def _wait_for_window(self) -> None:
        """Wait out a spent rate-limit window as a runner backoff, not a sleep inside prawcore."""
        limiter = getattr(getattr(self.reddit, "_core", None), "_rate_limiter", None)
        remaining = getattr(limiter, "remaining", None)
        next_ns = getattr(limiter, "next_request_timestamp_ns", None)
        if remaining is None or remaining > 0 or next_ns is None:
            return
        wait = (next_ns - time.monotonic_ns()) / 1e9
        if wait > 1:
            capped = cap_wait(wait + RESET_MARGIN_S)
            raise SourceError(
                ErrorKind.RATE_LIMITED,
                f"Reddit's rate-limit window is used up; retrying in {capped or wait:.0f} s.",
                retry_after_s=capped,
            )

    def _path(self) -> str:
        subs = self.config.subreddits
        if self.kind == "reddit_comments":
            return f"/r/{subs}/comments"
        return f"/r/{subs}/search" if self.config.query else f"/r/{subs}/new"

    def _params(self, after: str | None) -> dict[str, str | int]:
        params: dict[str, str | int] = {"limit": PAGE_SIZE, "raw_json": 1}
        if self.kind == "reddit_posts" and self.config.query:
            params.update(q=self.config.query, sort="new", t="week", type="link")
            if self.config.subreddits != "all":
                params["restrict_sr"] = 1
        if after:
            params["after"] = after
        return params

    def _matches(self, text: str) -> bool:
        if not self.config.keywords or (self.kind == "reddit_posts" and self.config.query):
            return True
        folded = text.casefold()
        return any(keyword in folded for keyword in self.config.keywords)

    def _item(
        self, thing: Any, posted_at: datetime, fetched_at: datetime, *, dated: bool = True
    ) -> tuple[Any, RawItem] | str | None:
        """The thing as an item, the reason it cannot be one, or None when it does not match the keywords."""
        # Only what the listing carried: praw fetches the whole object on any attribute it lacks.
        fields = vars(thing)
        comment = self.kind == "reddit_comments"
        try:
            thing_id = str(fields["id"])
            permalink = str(fields.get("permalink") or "")
            subreddit = str(fields.get("subreddit") or "")
            if comment:
                body = str(fields.get("body") or "").strip()
                if body in GONE or not body:
                    return GONE_COMMENT  # it says nothing any more
                text, removed = body, False
            else:
                title = str(fields["title"] or "").strip()  # null on some crossposts: never the word "None"
                body = str(fields.get("selftext") or "").strip()
                removed = body in GONE or bool(fields.get("removed_by_category"))
                text = title if removed or not body else f"{title}\n\n{body}"
        except (KeyError, TypeError) as error:
            log.warning("%s: skipped a malformed Reddit item: %s", self.name, type(error).__name__)
            return MALFORMED_THING
        if not text:
            return NO_TEXT
        if not self._matches(text):
            return None  # not about the brand: the source's keywords leave it out by design
        author = fields.get("author")  # None once the account is deleted
        author_name = getattr(author, "name", None) if author is not None else None
        subscribers = fields.get("subreddit_subscribers")
        item = RawItem(
            external_id=f"t1_{thing_id}" if comment else f"t3_{thing_id}",
            text=text,
            posted_at=posted_at,
            kind=ItemKind.MENTION,
            channel="reddit",
            author=f"u/{author_name}" if author_name else None,
            author_reach=int(subscribers) if isinstance(subscribers, int) else None,
            link=f"https://www.reddit.com{permalink}" if permalink.startswith("/") else permalink or None,
            brand=self.config.brand,
            is_competitor=self.config.competitor,
            language_hint=None,  # Reddit says nothing about a post's language
            # Full names as the external ids are: a comment answers `parent_id` (a comment, t1_, or
            # the post, t3_) in the thread of `link_id`; a post starts its own.
            in_reply_to=_fullname(fields.get("parent_id")) if comment else None,
            conversation_id=_fullname(fields.get("link_id")) if comment else f"t3_{thing_id}",
            extra={
                "subreddit": subreddit,
                "score": fields.get("score"),
                "num_comments": fields.get("num_comments"),
                "link_id": fields.get("link_id"),
                "removed": removed,
                "reach_from": "subreddit_subscribers" if isinstance(subscribers, int) else None,
                "fetched_at": fetched_at.isoformat(),
                "posted_at_from": "created_utc" if dated else "fetched_at",
            },
        )
        return thing, item

    def _add_reach(self, items: list[tuple[Any, RawItem]]) -> int:
        """Fill in reach where the listing did not carry it; returns the extra requests made.

        At most KARMA_LOOKUPS_PER_PAGE authors are looked up per page (each a request under the
        deadline: a hundred of them on a slow Reddit held the runner for minutes); the others keep
        an empty reach until a later page looks them up (the answers are remembered).
        """
        calls = 0
        lookups = 0
        for index, (thing, item) in enumerate(items):
            reach, source = item.author_reach, item.extra.get("reach_from")
            if self.config.author_karma and item.author:
                name = item.author.removeprefix("u/")
                if name not in self._karma and lookups < KARMA_LOOKUPS_PER_PAGE:
                    calls += 1
                    lookups += 1
                    self._karma[name] = _karma(self._client(), name)
                if self._karma.get(name) is not None:
                    reach, source = self._karma[name], "author_karma"
            elif reach is None and item.extra.get("subreddit"):
                subreddit = str(item.extra["subreddit"])
                known = self._subscribers.get(subreddit.lower())
                if known is None or self.clock() - known[1] > SUBSCRIBERS_TTL:
                    calls += 1
                    try:
                        about = vars(self._client().get(f"/r/{subreddit}/about"))
                    except (NotFound, Forbidden, Redirect):  # private or banned since: no size, items kept
                        about = {}
                    known = (int(about.get("subscribers") or 0) or None, self.clock())
                    self._subscribers[subreddit.lower()] = known
                reach, source = known[0], "subreddit_subscribers" if known[0] is not None else None
            if reach != item.author_reach:
                extra = {**item.extra, "reach_from": source}
                items[index] = (thing, _with_reach(item, reach, extra))
        return calls


def build_reddit_listener(
    kind: str,
    name: str,
    config: Mapping[str, Any],
    *,
    default_brand: str,
    client_id: str | None,
    client_secret: str | None,
    user_agent: str,
    timeout_s: float = 30.0,
    limits: Limits | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> RedditListener:
    """The listener for a stored `reddit_posts` or `reddit_comments` source."""
    return RedditListener(
        name,
        kind,
        RedditConfig.from_mapping(config, default_brand),
        client_id=client_id,
        client_secret=client_secret,
        user_agent=user_agent,
        timeout_s=timeout_s,
        limits=limits,
        clock=clock,
    )


def _created(thing: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(vars(thing)["created_utc"]), tz=UTC)
    except (KeyError, TypeError, ValueError):
        return None


def _karma(reddit: praw.Reddit, name: str) -> int | None:
    """An author's karma, or None for an account Reddit no longer shows (shadowbanned: 404,
    suspended: no karma): one such author used to fail the whole page, on every poll."""
    try:
        fields = vars(reddit.get(f"/user/{name}/about"))
    except (NotFound, Forbidden, Redirect):
        return None
    if fields.get("is_suspended"):
        return None
    karma = fields.get("total_karma")
    if karma is None:
        karma = (fields.get("link_karma") or 0) + (fields.get("comment_karma") or 0)
    return int(karma)


def _with_reach(item: RawItem, reach: int | None, extra: dict[str, Any]) -> RawItem:
    return replace(item, author_reach=reach, extra=extra)


def _fullname(value: Any) -> str | None:
    """A comment's `parent_id` or `link_id` ("t1_…" a comment, "t3_…" a post), None when absent."""
    return value if isinstance(value, str) and value[:3] in ("t1_", "t3_") and len(value) > 3 else None
