"""Listening on Mastodon through Mastodon.py: hashtag timelines and full-text search, on any instance.

Two sources share one polling loop:

- `mastodon_hashtag`: `GET /api/v1/timelines/tag/:hashtag` (public on most instances, no token);
- `mastodon_search`: `GET /api/v2/search?type=statuses` (needs an access token on an instance
  that offers full-text search; most index only posts whose authors opted in).

Built for the real API (docs.joinmastodon.org, "Paginating through API responses"):

- the cursor is JSON `{"min_id"}`: asking with `min_id` returns the posts *immediately newer* than
  it, so each page moves forward and the newest id on a page is the next page's `min_id`. A full
  page means more are waiting, so the runner asks again at once. The first poll starts from a
  `min_id` made from a time (`backfill_hours` ago). Ids compare as numbers;
- `ratelimit_method="throw"` (Mastodon.py's default sleeps inside the call, blocking every other
  source) and `request_timeout` on every call; a 429 waits until the instance's `X-RateLimit-Reset`;
- the access token is sent only to the instance it belongs to (`VOC_MASTODON_INSTANCE`); other
  instances are read anonymously;
- boosts are skipped (the original post is what was said), posts with no text left are skipped,
  HTML is turned into plain text, a content warning is kept in front of the text;
- every failure leaves as a `SourceError` from the one classifier, with the token scrubbed.

No Streamlit import here.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import requests
from mastodon import Mastodon, MastodonRatelimitError

from listeners.base import Batch, ErrorKind, ItemKind, RawItem, SourceError
from listeners.errors import RESET_MARGIN_S, cap_wait, classify
from listeners.http import GuardedSession, Limits
from listeners.markup import html_to_text
from voc.clock import utcnow
from voc.sources.costs import Usage
from voc.sources.forms import host_url

log = logging.getLogger(__name__)

PAGE_SIZE = 40  # the most Mastodon returns per page
DEFAULT_BACKFILL = timedelta(hours=24)
USER_AGENT = "voc-listener/0.1 (customer-voice app; Mastodon.py)"
AUTH_FIX = (
    "Create an access token with the read:search scope (Preferences → Development → New application) on "
    "the instance named in VOC_MASTODON_INSTANCE, put it in MASTODON_ACCESS_TOKEN (or mastodon_access_token "
    "in .streamlit/secrets.toml) and restart the listeners."
)
SEARCH_NEEDS_TOKEN = (
    "Mastodon full-text search needs an access token for {instance}: set MASTODON_ACCESS_TOKEN and "
    "VOC_MASTODON_INSTANCE={instance} (or use a hashtag source, which needs none)."
)
# Mastodon.py's answer to "which version is the server" without asking it: no extra request per client.
ASSUMED_VERSION = "4.0.0"
# Why a status could not be stored: the reasons the Sources page counts.
BOOST = "boost (the original post is stored on its own)"
NO_TEXT = "post with no text (emptied, or media without a description)"
MALFORMED_POST = "malformed post"


def newer(a: str | None, b: str | None) -> str | None:
    """The newer of two status ids: numeric where they are (Mastodon's are), else by length and text."""
    present = [x for x in (a, b) if x]
    if not present:
        return None
    return max(present, key=lambda i: (len(i), i))  # equal-width numeric order without int() of odd ids


@dataclass(frozen=True)
class MastodonConfig:
    """What a stored Mastodon source's `config` holds (see docs/sources.md)."""

    instance: str
    brand: str
    hashtag: str = ""  # mastodon_hashtag, without the #
    query: str = ""  # mastodon_search
    competitor: bool = False
    backfill: timedelta = DEFAULT_BACKFILL

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], default_brand: str) -> MastodonConfig:
        hours = float(config.get("backfill_hours") or DEFAULT_BACKFILL.total_seconds() / 3600)
        return cls(
            instance=host_url(str(config.get("instance") or "")),
            brand=str(config.get("brand") or default_brand),
            hashtag=str(config.get("hashtag") or "").strip().lstrip("#"),
            query=str(config.get("query") or "").strip(),
            competitor=bool(config.get("competitor", False)),
            backfill=timedelta(hours=hours),
        )


class MastodonListener:
    """One hashtag timeline or one search on one instance, polled forward with `min_id`."""

    def __init__(
        self,
        name: str,
        kind: str,
        config: MastodonConfig,
        *,
        token: str | None = None,
        timeout_s: float = 30.0,
        session: requests.Session | None = None,
        limits: Limits | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if kind not in ("mastodon_hashtag", "mastodon_search"):
            raise ValueError(f"not a Mastodon source kind: {kind!r}")
        if not config.instance:
            raise ValueError(f"Mastodon source {name!r} needs an instance, e.g. mastodon.social")
        if kind == "mastodon_hashtag" and not config.hashtag:
            raise ValueError(f"Mastodon source {name!r} needs a hashtag")
        if kind == "mastodon_search" and not config.query:
            raise ValueError(f"Mastodon source {name!r} needs a search query")
        self.name = name
        self.kind = kind
        self.config = config
        self.clock = clock
        self._token = token or None
        self.client = Mastodon(
            api_base_url=config.instance,
            access_token=self._token,
            ratelimit_method="throw",
            request_timeout=timeout_s,
            mastodon_version=ASSUMED_VERSION,
            version_check_mode="none",
            session=session or GuardedSession(limits or Limits.of(timeout_s)),
            user_agent=USER_AGENT,
        )

    def __repr__(self) -> str:  # never the token
        return f"MastodonListener({self.name!r}, {self.config.instance!r})"

    def fetch(self, cursor: str | None) -> Batch:
        """The next page of posts after `cursor`; every failure is a classified `SourceError`."""
        now = self.clock()
        min_id = _parse_cursor(cursor)
        try:
            statuses = self._page(min_id or self._start(now))
        except MastodonRatelimitError:
            raise self._rate_limited() from None
        except Exception as error:
            raise classify(
                error, service="Mastodon", secrets=[self._token], now=self.clock(), auth_fix=AUTH_FIX
            ) from None
        if not isinstance(statuses, list):
            raise SourceError(ErrorKind.BAD_DATA, f"Mastodon answered with {type(statuses).__name__}, not a list")
        items: list[RawItem] = []
        skipped: Counter[str] = Counter()
        for status in statuses:
            item = self._item(status, now)
            if isinstance(item, str):
                skipped[item] += 1
            else:
                items.append(item)
        newest = min_id
        for status in statuses:
            if isinstance(status, Mapping) and status.get("id") is not None:
                newest = newer(newest, str(status["id"]))
        # A full page: more posts are waiting after it. Search has no forward order to rely on.
        more = self.kind == "mastodon_hashtag" and len(statuses) >= PAGE_SIZE and newest != min_id
        usage = Usage(requests=1, posts_read=len(statuses))
        next_cursor = json.dumps({"min_id": newest}) if newest else cursor
        return Batch(items, next_cursor, more=more, usage=usage, skipped=dict(skipped))

    def check(self) -> str:
        """One cheap call that says whether this source can work, in words (raises SourceError)."""
        try:
            instance = self.client.instance_v2()
            title = instance.get("title") or self.config.instance
            version = instance.get("version") or "?"
            statuses = self._page(None, limit=1)
        except MastodonRatelimitError:
            raise self._rate_limited() from None
        except SourceError:
            raise
        except Exception as error:
            raise classify(error, service="Mastodon", secrets=[self._token], auth_fix=AUTH_FIX) from None
        what = f"#{self.config.hashtag}" if self.kind == "mastodon_hashtag" else f"search {self.config.query!r}"
        latest = _when(statuses[0].get("created_at")) if statuses else "no posts yet"
        return f"Connected to {title} (Mastodon {version}); {what}: {latest}."

    def _start(self, now: datetime) -> datetime:
        # Mastodon.py turns a datetime into the id minted at that moment: the first poll's min_id.
        return now - self.config.backfill

    def _page(self, min_id: str | datetime | None, limit: int = PAGE_SIZE) -> Any:
        if self.kind == "mastodon_hashtag":
            return self.client.timeline_hashtag(self.config.hashtag, min_id=min_id, limit=limit)
        if self._token is None:
            raise SourceError(ErrorKind.AUTH, SEARCH_NEEDS_TOKEN.format(instance=self.config.instance))
        found = self.client.search_v2(
            self.config.query,
            resolve=False,
            result_type="statuses",
            min_id=None if isinstance(min_id, datetime) else min_id,
            limit=limit,
        )
        statuses = found.get("statuses") if isinstance(found, Mapping) else None
        if not isinstance(statuses, list):
            raise SourceError(ErrorKind.BAD_DATA, "Mastodon answered a search without a statuses list")
        return statuses

    def _rate_limited(self) -> SourceError:
        reset = self.client.ratelimit_reset  # Mastodon.py reads X-RateLimit-Reset off every answer
        try:
            wait = cap_wait(max(float(reset) - time.time(), 0.0) + RESET_MARGIN_S) if reset else None
        except (TypeError, ValueError, OverflowError):
            wait = None
        when = f"retrying in {wait:.0f} s" if wait is not None else "no reset time given, backing off"
        return SourceError(ErrorKind.RATE_LIMITED, f"Mastodon rate limit reached (429); {when}.", retry_after_s=wait)

    def _item(self, status: Any, fetched_at: datetime) -> RawItem | str:
        """The status as an item, or the reason it cannot be one (counted in the page's `skipped`)."""
        try:
            if status.get("reblog"):
                return BOOST  # the original post is what was said, and has its own id
            if status.get("id") in (None, ""):
                return MALFORMED_POST
            status_id = str(status["id"])
            posted_at = _status_time(status.get("created_at"), status_id)
            text = html_to_text(status.get("content"))
            warning = str(status.get("spoiler_text") or "").strip()
            account = status.get("account")
            account = account if isinstance(account, Mapping) else {}  # null once the account is gone
            text_from = "content"
            if not text:
                # A poll or a picture with nothing typed around it still says something: its
                # options, its description (alt text).
                text, text_from = _said_without_words(status)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            log.warning("%s: skipped a malformed post: %s", self.name, type(error).__name__)
            return MALFORMED_POST
        if warning:
            text = f"{warning}\n\n{text}".strip()
        if not text:
            return NO_TEXT  # deleted or emptied by its author, or media nobody described: nothing to read
        followers = account.get("followers_count")
        parent = str(status["in_reply_to_id"]) if status.get("in_reply_to_id") not in (None, "") else None
        acct = _full_acct(account.get("acct"), self.config.instance)
        suspended = bool(account.get("suspended"))
        return RawItem(
            external_id=status_id,
            text=text,
            posted_at=posted_at,
            kind=ItemKind.MENTION,
            channel="mastodon",
            author=None if suspended or not acct else f"@{acct}"[:200],  # the store's width: user@domain can pass it
            author_reach=int(followers) if isinstance(followers, int) and not suspended else None,
            link=status.get("url") or status.get("uri"),
            brand=self.config.brand,
            is_competitor=self.config.competitor,
            language_hint=_language(status.get("language")),
            # A status names its parent, not its thread's first post (the workspace walks up the
            # parents); one that answers nothing starts its own thread.
            in_reply_to=parent,
            conversation_id=None if parent else status_id,
            extra={
                "instance": self.config.instance,
                "uri": status.get("uri"),
                "in_reply_to_id": status.get("in_reply_to_id"),
                "replies_count": status.get("replies_count"),
                "reblogs_count": status.get("reblogs_count"),
                "favourites_count": status.get("favourites_count"),
                "tags": [t.get("name") for t in status.get("tags") or [] if isinstance(t, Mapping)],
                "content_warning": warning or None,
                "text_from": text_from,  # "content", "poll options" or "media descriptions"
                "edited_at": _iso(status.get("edited_at")),
                "fetched_at": fetched_at.isoformat(),
            },
        )


def build_mastodon_listener(
    kind: str,
    name: str,
    config: Mapping[str, Any],
    *,
    default_brand: str,
    token: str | None,
    token_instance: str,
    timeout_s: float = 30.0,
    session: requests.Session | None = None,
    limits: Limits | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> MastodonListener:
    """The listener for a stored Mastodon source; the token only goes to the instance it belongs to."""
    parsed = MastodonConfig.from_mapping(config, default_brand)
    own = bool(token) and host_url(token_instance) == parsed.instance
    return MastodonListener(
        name,
        kind,
        parsed,
        token=token if own else None,
        timeout_s=timeout_s,
        session=session,
        limits=limits,
        clock=clock,
    )


def _said_without_words(status: Mapping[str, Any]) -> tuple[str, str]:
    """The words of a post without text: its poll's options, else its media's descriptions."""
    poll = status.get("poll")
    options = poll.get("options") if isinstance(poll, Mapping) else None
    titles = [str(o.get("title") or "").strip() for o in options or [] if isinstance(o, Mapping)]
    if any(titles):
        return "\n".join(f"- {title}" for title in titles if title), "poll options"
    media = status.get("media_attachments") or []
    described = [html_to_text(str(m.get("description") or "")) for m in media if isinstance(m, Mapping)]
    if any(described):
        return "\n".join(d for d in described if d), "media descriptions"
    return "", "content"


def _full_acct(acct: Any, instance: str) -> str | None:
    """The account's address on the fediverse, `user@domain`: Mastodon gives the bare username for
    the accounts of the instance it answers for (`acct` is "equal to username for local users"),
    which would name someone on every instance at once."""
    if not isinstance(acct, str) or not acct.strip().lstrip("@"):
        return None
    acct = acct.strip().lstrip("@")
    host = urlparse(instance).hostname
    return acct if "@" in acct or not host else f"{acct}@{host}"


def _language(value: Any) -> str | None:
    """The primary language subtag (`zh-Hant-TW` is `zh`): other fediverse servers send any tag."""
    if not value or not isinstance(value, str):
        return None
    return value.split("-")[0].split("_")[0].strip().lower()[:8] or None


def _iso(value: Any) -> str | None:
    if not value:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _parse_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        value = json.loads(cursor).get("min_id")
    except (ValueError, AttributeError) as error:
        raise SourceError(
            ErrorKind.BAD_DATA, f"stored Mastodon cursor is unreadable ({error}); clear it to start again"
        ) from None
    return str(value) if value else None


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _status_time(value: Any, status_id: str) -> datetime:
    """When a status was written: `created_at`, else the time its id was minted (Mastodon's ids
    carry milliseconds in their upper bits, as X's do)."""
    if value:
        try:
            return _datetime(value)
        except (TypeError, ValueError):
            pass
    if not status_id.isdigit():
        raise ValueError("a status without a time and without a numeric id")
    return datetime.fromtimestamp((int(status_id) >> 16) / 1000, tz=UTC)


def _when(value: Any) -> str:
    try:
        return f"newest post {_datetime(value):%Y-%m-%d %H:%M} UTC"
    except (TypeError, ValueError):
        return "posts found"
