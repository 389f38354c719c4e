"""Listening on Bluesky through atproto: `app.bsky.feed.searchPosts` with an app password.

Built for the real API (the `app.bsky.feed.searchPosts` lexicon, docs.bsky.app):

- one session per listener: `com.atproto.server.createSession` with the account's handle and an
  *app password* (Settings → Privacy and security → App passwords), refreshed by atproto before it
  expires; createSession is limited to 30 per 5 minutes per account, so a session is never made per poll;
- `sort=latest` with `since` (inclusive, on the post's sort time) and the response's `cursor` for
  older pages; the watermark cursor (`listeners.paging`) keeps the first page's newest time pending
  until the poll reaches posts it had already, so a crash between pages loses nothing;
- `lang` narrows the search when a source asks; each post's own `langs` tag is the language hint;
- reach is the author's followers (`app.bsky.actor.getProfiles`, 25 authors a call, remembered
  for a day): search results carry only a basic profile;
- a quoted post that was deleted (`#viewNotFound`) or blocked is noted, not fatal; a post with
  no text left is skipped; one malformed post never blocks the page;
- an httpx client with a timeout on every call; failures become `SourceError`s through the one
  classifier, with the app password scrubbed.

No Streamlit import here.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from atproto import Client, models
from atproto_client.request import Request

from listeners.base import Batch, ErrorKind, ItemKind, RawItem, SourceError
from listeners.errors import classify
from listeners.http import GuardedTransport, Limits
from listeners.paging import DEFAULT_BACKFILL, PageCursor
from voc.clock import utcnow
from voc.sources.costs import Usage
from voc.sources.forms import MISSING_BLUESKY

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # searchPosts allows 1-100
PAGE_CAP = 10
PROFILES_PER_CALL = 25  # getProfiles allows 25 actors
FOLLOWERS_TTL = timedelta(hours=24)
SINCE_MARGIN = timedelta(minutes=2)  # posts are indexed a little after they are written
MISSING_CREDENTIALS = MISSING_BLUESKY
AUTH_FIX = (
    "Create an app password (Bluesky → Settings → Privacy and security → App passwords), put the handle in "
    "BLUESKY_HANDLE and the app password in BLUESKY_APP_PASSWORD, and restart the listeners."
)
# Why a post could not be stored: the reasons the Sources page counts.
MAX_ID = 200  # the store's external_id width
NO_TEXT = "post with no text (a quote, or an image without a description)"
MALFORMED_POST = "malformed post"
GONE_EMBEDS = {
    "app.bsky.embed.record#viewNotFound": "deleted",
    "app.bsky.embed.record#viewBlocked": "blocked",
    "app.bsky.embed.record#viewDetached": "detached",
}


def post_id(uri: str) -> str:
    """The post's AT URI as the stored id, or its hash when longer than the store's 200 characters
    (a `did:web` account on a long domain): PostgreSQL refused the page, on every poll."""
    if len(uri) <= MAX_ID:
        return uri
    return "sha256:" + hashlib.sha256(uri.encode("utf-8")).hexdigest()


def _reply_refs(record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The stored ids of the post a record answers and of its thread's first post
    (`reply.parent.uri`, `reply.root.uri`), or None where the record answers nothing."""
    reply = record.get("reply")
    if not isinstance(reply, Mapping):
        return None, None
    found = []
    for key in ("parent", "root"):
        ref = reply.get(key)
        uri = ref.get("uri") if isinstance(ref, Mapping) else None
        found.append(post_id(uri) if isinstance(uri, str) and uri.startswith("at://") else None)
    return found[0], found[1]


def post_link(uri: str, handle: str | None) -> str | None:
    """`at://did/app.bsky.feed.post/rkey` as the bsky.app address people open."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"


@dataclass(frozen=True)
class BlueskyConfig:
    """What a stored Bluesky source's `config` holds (see docs/sources.md)."""

    query: str
    brand: str
    lang: str = ""  # only posts tagged with this language (optional)
    competitor: bool = False
    backfill: timedelta = DEFAULT_BACKFILL

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], default_brand: str) -> BlueskyConfig:
        hours = float(config.get("backfill_hours") or DEFAULT_BACKFILL.total_seconds() / 3600)
        return cls(
            query=str(config.get("query") or "").strip(),
            brand=str(config.get("brand") or default_brand),
            lang=str(config.get("lang") or "").strip().lower(),
            competitor=bool(config.get("competitor", False)),
            backfill=timedelta(hours=hours),
        )


class BlueskyListener:
    """One Bluesky search, newest first, down to the last poll's watermark."""

    def __init__(
        self,
        name: str,
        config: BlueskyConfig,
        *,
        handle: str | None,
        app_password: str | None,
        service_url: str = "https://bsky.social",
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        limits: Limits | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not config.query:
            raise ValueError(f"Bluesky source {name!r} needs a search query")
        self.name = name
        self.config = config
        self.clock = clock
        self._handle = handle or None
        self._password = app_password or None
        timeout = httpx.Timeout(timeout_s, connect=min(5.0, timeout_s))
        limits = limits or Limits.of(timeout_s)
        guarded = GuardedTransport(limits, transport)  # a total deadline and a size limit, as for requests
        request = Request(timeout=timeout, transport=guarded, max_redirects=limits.max_redirects)
        self.client = Client(base_url=service_url, request=request)
        self._signed_in = False
        self._followers: dict[str, tuple[int | None, datetime]] = {}

    def __repr__(self) -> str:  # never the password
        return f"BlueskyListener({self.name!r})"

    def fetch(self, cursor: str | None) -> Batch:
        """One page of posts, newest first; every failure is a classified `SourceError`."""
        now = self.clock()
        state = PageCursor.parse(cursor, service="Bluesky").started(now, self.config.backfill)
        calls = 0
        try:
            calls += self._sign_in()
            page = self._search(state)
            calls += 1
            posts = page.get("posts")
            if not isinstance(posts, list):
                raise SourceError(ErrorKind.BAD_DATA, "Bluesky answered a search without a posts list")
            times: list[datetime] = []
            parsed: list[tuple[dict[str, Any], datetime]] = []
            skipped: Counter[str] = Counter()
            for post in posts:
                if not isinstance(post, dict) or not post.get("uri"):
                    skipped[MALFORMED_POST] += 1
                    continue
                moment = _sort_time(post)
                if moment is not None:
                    times.append(moment)
                    if not state.is_new(moment):
                        continue
                if not _has_text(post):
                    skipped[NO_TEXT] += 1
                    continue
                # Without a readable time: stored with the fetch time, kept out of the watermark.
                parsed.append((post, moment or now))
            calls += self._learn_followers([str(_author(p).get("did")) for p, _ in parsed])
        except SourceError:
            raise
        except Exception as error:
            raise classify(
                error, service="Bluesky", secrets=[self._password], now=self.clock(), auth_fix=AUTH_FIX
            ) from None
        items = []
        for post, moment in parsed:
            item = self._item(post, moment, now)
            if item is None:
                skipped[MALFORMED_POST] += 1
            else:
                items.append(item)
        next_cursor, more, gap = state.after_page(times, page.get("cursor"), page_cap=PAGE_CAP)
        if not more and next_cursor.since and next_cursor.since != state.since:
            # Posts are indexed a little after they are written: step back a little (the store dedupes).
            stepped = datetime.fromisoformat(next_cursor.since) - SINCE_MARGIN
            old = state.since_time
            next_cursor = PageCursor(since=(max(stepped, old) if old else stepped).isoformat())
        usage = Usage(requests=calls, posts_read=len(posts))
        return Batch(items, next_cursor.dump(), more=more, usage=usage, gap=gap, skipped=dict(skipped))

    def check(self) -> str:
        """Sign in and run the search for one post (raises SourceError)."""
        try:
            self._sign_in()
            page = self._search(PageCursor(), limit=1)
        except SourceError:
            raise
        except Exception as error:
            raise classify(error, service="Bluesky", secrets=[self._password], auth_fix=AUTH_FIX) from None
        posts = page.get("posts") or []
        latest = _sort_time(posts[0]) if posts else None
        found = f"newest match {latest:%Y-%m-%d %H:%M} UTC" if latest else "no matches yet"
        return f"Signed in to Bluesky as {self._handle}; {self.config.query!r}: {found}."

    def _sign_in(self) -> int:
        if self._signed_in:
            return 0
        if not (self._handle and self._password):
            raise SourceError(ErrorKind.AUTH, MISSING_CREDENTIALS)
        self.client.login(self._handle, self._password, fetch_bsky_profile=False)
        self._signed_in = True
        return 1

    def _search(self, state: PageCursor, limit: int = PAGE_SIZE) -> dict[str, Any]:
        params = models.AppBskyFeedSearchPosts.Params(
            q=self.config.query,
            sort="latest",
            since=state.since_time.isoformat().replace("+00:00", "Z") if state.since_time else None,
            lang=self.config.lang or None,
            limit=limit,
            cursor=state.page,
        )
        # The raw answer, not atproto's strict response model: one odd post must not fail the page.
        response = self.client.invoke_query("app.bsky.feed.searchPosts", params=params)
        if not isinstance(response.content, dict):
            raise SourceError(ErrorKind.BAD_DATA, "Bluesky answered a search with something other than JSON")
        return response.content

    def _learn_followers(self, dids: list[str]) -> int:
        now = self.clock()
        wanted = sorted(
            {
                d
                for d in dids
                if d and d != "None" and (d not in self._followers or now - self._followers[d][1] > FOLLOWERS_TTL)
            }
        )
        calls = 0
        for start in range(0, len(wanted), PROFILES_PER_CALL):
            chunk = wanted[start : start + PROFILES_PER_CALL]
            response = self.client.invoke_query(
                "app.bsky.actor.getProfiles", params=models.AppBskyActorGetProfiles.Params(actors=chunk)
            )
            calls += 1
            profiles = response.content.get("profiles") if isinstance(response.content, dict) else None
            found = {p.get("did"): p.get("followersCount") for p in profiles or [] if isinstance(p, dict)}
            for did in chunk:  # an account deleted since it posted has no profile: no reach
                count = found.get(did)
                self._followers[did] = (int(count) if isinstance(count, int) else None, now)
        return calls

    def _item(self, post: dict[str, Any], posted_at: datetime, fetched_at: datetime) -> RawItem | None:
        try:
            uri = str(post["uri"])
            record = post.get("record") or {}
            author = _author(post)
            text, text_from = post_text(post)
        except (KeyError, TypeError, AttributeError) as error:
            log.warning("%s: skipped a malformed post: %s", self.name, error)
            return None
        quoted = _quoted(post.get("embed"))
        quoted_state = GONE_EMBEDS.get(str(quoted.get("$type"))) if quoted else None
        if not text:
            return None  # an image or a quote with nothing said: nothing to read
        handle = author.get("handle")
        parent, root = _reply_refs(record)
        langs = record.get("langs") if isinstance(record.get("langs"), list) else []
        reach = self._followers.get(str(author.get("did")), (None, fetched_at))[0]
        return RawItem(
            external_id=post_id(uri),
            text=text,
            posted_at=posted_at,
            kind=ItemKind.MENTION,
            channel="bluesky",
            author=f"@{handle}"[:200] if handle and handle != "handle.invalid" else None,  # handles reach 253
            author_reach=reach,
            link=post_link(uri, handle),
            brand=self.config.brand,
            is_competitor=self.config.competitor,
            language_hint=str(langs[0]).split("-")[0].lower() if langs else None,
            in_reply_to=parent,
            conversation_id=root if record.get("reply") else post_id(uri),  # a post answering nothing starts one
            extra={
                "uri": uri,
                "cid": post.get("cid"),
                "author_did": author.get("did"),
                "author_name": author.get("displayName"),
                "reply": bool(record.get("reply")),
                "reply_count": post.get("replyCount"),
                "repost_count": post.get("repostCount"),
                "like_count": post.get("likeCount"),
                "quote_count": post.get("quoteCount"),
                "quoted_post": quoted_state,  # "deleted", "blocked", "detached" or None
                "langs": langs,
                "text_from": text_from,  # "text", "image descriptions" or "link card"
                "fetched_at": fetched_at.isoformat(),
            },
        )


def build_bluesky_listener(
    name: str,
    config: Mapping[str, Any],
    *,
    default_brand: str,
    handle: str | None,
    app_password: str | None,
    service_url: str = "https://bsky.social",
    timeout_s: float = 30.0,
    transport: httpx.BaseTransport | None = None,
    limits: Limits | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> BlueskyListener:
    """The listener for a stored `bluesky_search` source."""
    return BlueskyListener(
        name,
        BlueskyConfig.from_mapping(config, default_brand),
        handle=handle,
        app_password=app_password,
        service_url=service_url,
        timeout_s=timeout_s,
        transport=transport,
        limits=limits,
        clock=clock,
    )


def _has_text(post: dict[str, Any]) -> bool:
    return bool(post_text(post)[0])


def post_text(post: Mapping[str, Any]) -> tuple[str, str]:
    """What a post says, and where it was read from.

    The record's text; for a post with none (pictures, a shared link), the descriptions its author
    gave the images or video (alt text), else the title and description of the link card: the
    `app.bsky.embed.*` shapes of the lexicon, also inside `recordWithMedia`.
    """
    record = post.get("record")
    if not isinstance(record, Mapping):
        return "", "text"
    text = str(record.get("text") or "").strip()
    if text:
        return text, "text"
    embed = record.get("embed")
    if isinstance(embed, Mapping) and isinstance(embed.get("media"), Mapping):
        embed = embed["media"]  # app.bsky.embed.recordWithMedia: a quote plus pictures
    if not isinstance(embed, Mapping):
        return "", "text"
    images = embed.get("images")
    alts = (
        [str(i.get("alt") or "").strip() for i in images if isinstance(i, Mapping)] if isinstance(images, list) else []
    )
    alts.append(str(embed.get("alt") or "").strip())  # app.bsky.embed.video
    if any(alts):
        return "\n".join(a for a in alts if a), "image descriptions"
    card = embed.get("external")
    if isinstance(card, Mapping):
        said = "\n\n".join(p for p in (str(card.get(k) or "").strip() for k in ("title", "description")) if p)
        if said:
            return said, "link card"
    return "", "text"


def _quoted(embed: Any) -> Mapping[str, Any] | None:
    """The view of the post a post quotes: `embed.record`, or `embed.record.record` when the quote comes
    with pictures (`app.bsky.embed.recordWithMedia#view` wraps an `app.bsky.embed.record#view`)."""
    if not isinstance(embed, Mapping):
        return None
    quoted = embed.get("record")
    if str(embed.get("$type")).startswith("app.bsky.embed.recordWithMedia") and isinstance(quoted, Mapping):
        quoted = quoted.get("record")
    return quoted if isinstance(quoted, Mapping) else None


def _author(post: Mapping[str, Any]) -> Mapping[str, Any]:
    author = post.get("author")
    return author if isinstance(author, Mapping) else {}


def _sort_time(post: Any) -> datetime | None:
    """The time Bluesky sorts and filters a post by: the earlier of written and indexed."""
    if not isinstance(post, dict):
        return None
    record = post.get("record")
    if not isinstance(record, dict):
        record = {}
    moments = []
    for value in (record.get("createdAt"), post.get("indexedAt")):
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            continue
        moments.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return min(moments).astimezone(UTC) if moments else None
