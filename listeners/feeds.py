"""RSS and Atom feeds: Google Alerts, Google News searches, a brand's press page, any feed URL.

Two sources share one listener:

- `feed`: any RSS 0.9x/1.0/2.0 or Atom URL, e.g. a Google Alert delivered "to RSS feed"
  (`https://www.google.com/alerts/feeds/<user>/<alert>`);
- `news_search`: a Google News search feed built from a query, language and country
  (`https://news.google.com/rss/search?q=...&hl=...&gl=...&ceid=...`).

The feed is fetched through the shared `GuardedSession` (a total deadline, a size limit, a
decompression guard, few redirects; feedparser never fetches a URL or opens a file itself), with
`If-None-Match`/`If-Modified-Since` so an unchanged feed costs one empty answer, then parsed by
feedparser from the bytes. Entries are deduplicated by their link (Google's redirect links
unwrapped to the article's own URL), else their id, else a hash of their content (an RSS item may
have neither link nor guid, an Atom entry may lack its id): the cursor keeps the keys of the
entries already stored (a bounded list of short hashes), so a feed re-serving the same entries
stores nothing new and analyses nothing twice. An entry with nothing to read is counted in the
page's `skipped`. HTML in titles and summaries becomes plain text. Every failure leaves as a
`SourceError` from the one classifier. No Streamlit import here.
"""

from __future__ import annotations

import bisect
import calendar
import contextlib
import hashlib
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import parse_qs, quote_plus, urlparse

import feedparser
import requests

from listeners.base import Batch, ErrorKind, ItemKind, RawItem, SourceError
from listeners.errors import classify
from listeners.http import GuardedSession, Limits
from listeners.markup import html_to_text, plain_text
from voc.clock import utcnow
from voc.sources.costs import Usage

log = logging.getLogger(__name__)

USER_AGENT = "voc-listener/0.1 (customer-voice app; feedparser)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)
SEEN_LIMIT = 2000  # entry keys remembered; a feed longer than this may repeat its oldest entries
MAX_ID = 200  # the store's external_id width: longer links are stored as their hash
GOOGLE_NEWS = "https://news.google.com/rss/search"
AUTH_FIX = "Check the feed URL: private feeds need their secret URL (Google Alerts: the feed icon's link)."
EMPTY_ENTRY = "entry with no title or text"
REPEATED_ENTRY = "entry for an article already in the same feed"
UNREADABLE_ENTRY = "entry the feed reader could not read"
UNREAD_MIDDLE = "entry in the middle of a very long feed, not read"
# Entries read from the top and the bottom of a very long feed. Each source polls in its own thread
# (listeners/runner.py), so parsing 10,000 entries (~3 s) delays no other source; past that the
# middle is counted as skipped, never dropped silently.
READ_AT_EACH_END = 5_000
FUTURE_SLACK = timedelta(minutes=10)  # a publisher's clock a little ahead is not a date in the future
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)  # no feed is older: an earlier date is a placeholder (1970, 0001)
NOT_A_FEED = (
    "The address ({host}) answered with {what}, not an RSS or Atom feed. If the address is right, the site may be down or "
    "showing an error or sign-in page: it is tried again with the normal backoff."
)


def news_search_url(query: str, language: str = "en", country: str = "US") -> str:
    """The Google News RSS feed of a search, in one language and country edition."""
    language = (language or "en").strip()
    country = (country or "US").strip().upper()
    return (
        f"{GOOGLE_NEWS}?q={quote_plus(query.strip())}&hl={quote_plus(language)}&gl={quote_plus(country)}"
        f"&ceid={quote_plus(country)}:{quote_plus(language.split('-')[0])}"
    )


def article_url(link: str | None) -> str | None:
    """A Google Alerts or Google redirect link unwrapped to the article it points to."""
    if not link:
        return None
    parsed = urlparse(link)
    if parsed.netloc.endswith("google.com") and parsed.path == "/url":
        target = parse_qs(parsed.query).get("url") or parse_qs(parsed.query).get("q")
        if target and target[0].startswith(("http://", "https://")):
            return target[0]
    return link


def entry_key(entry: Mapping[str, Any], shared_links: frozenset[str] = frozenset()) -> str | None:
    """What makes two entries the same: the article's link, else the entry's id, else its content.

    An RSS item needs neither link nor guid (a title and a description is valid) and Atom entries
    in the wild lack ids: such an entry is keyed on a hash of its title, text and publication time,
    so it is stored once and not again when the feed re-serves it. A link in `shared_links` (see
    there) tells entries apart no more than an id equal to it does: such an entry is keyed on its
    id or content instead, or each new item would be taken for the first one and never stored.
    None only for an empty entry.
    """
    link = article_url(entry.get("link"))
    if link and link not in shared_links:
        return link
    ident = str(entry.get("id") or "")
    if ident and ident not in shared_links and article_url(ident) not in shared_links:
        return ident
    parts = [str(entry.get("title") or ""), _summary(entry), str(entry.get("published") or entry.get("updated") or "")]
    if not any(part.strip() for part in parts[:2]):
        return None
    parts.append(link or "")
    return "content:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]


def shared_links(feed: Mapping[str, Any], entries: list[Any]) -> frozenset[str]:
    """Links that name no article: the feed's own home page, and any site's front page.

    Many press pages and small sites link every item to their home page; keyed on that link,
    each new item would be taken for the first one. Entries that share an article's link
    (Google Alerts serves one article under two alerts) are the same article: stored once.
    """
    links = {article_url(entry.get("link")) for entry in entries}
    shared = {link for link in links if link and urlparse(link).path in ("", "/")}
    home = article_url(feed.get("link"))
    if home:
        shared.add(home)
    return frozenset(shared)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class FeedCursor:
    """Conditional-GET validators and the keys (hashed) of entries already stored."""

    etag: str | None = None
    modified: str | None = None
    seen: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> FeedCursor:
        if not text:
            return cls()
        try:
            fields = json.loads(text)
            return cls(etag=fields.get("etag"), modified=fields.get("modified"), seen=tuple(fields.get("seen") or ()))
        except (ValueError, TypeError, AttributeError) as error:
            raise SourceError(
                ErrorKind.BAD_DATA, f"stored feed cursor is unreadable ({error}); clear it to start again"
            ) from None

    def dump(self) -> str:
        fields: dict[str, Any] = {"seen": list(self.seen[-SEEN_LIMIT:])}
        if self.etag:
            fields["etag"] = self.etag
        if self.modified:
            fields["modified"] = self.modified
        return json.dumps(fields)


@dataclass(frozen=True)
class FeedConfig:
    url: str
    brand: str
    competitor: bool = False
    channel: str = "news"

    @classmethod
    def from_mapping(cls, kind: str, config: Mapping[str, Any], default_brand: str) -> FeedConfig:
        if kind == "news_search":
            query = str(config.get("query") or "").strip()
            url = news_search_url(query, str(config.get("language") or "en"), str(config.get("country") or "US"))
            if not query:
                url = ""
        else:
            url = str(config.get("url") or "").strip()
        return cls(
            url=url,
            brand=str(config.get("brand") or default_brand),
            competitor=bool(config.get("competitor", False)),
            channel=str(config.get("channel") or "news"),
        )


class FeedListener:
    """One RSS or Atom feed, fetched whole each poll; new entries only."""

    def __init__(
        self,
        name: str,
        config: FeedConfig,
        *,
        timeout_s: float = 30.0,
        session: requests.Session | None = None,
        limits: Limits | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not config.url.startswith(("http://", "https://")):
            raise ValueError(f"feed source {name!r} needs an http(s) URL or a news query")
        self.name = name
        self.config = config
        self.timeout = (min(5.0, timeout_s), timeout_s)
        self.session = session or GuardedSession(limits or Limits.of(timeout_s))
        self.clock = clock

    def __repr__(self) -> str:
        return f"FeedListener({self.name!r})"

    def fetch(self, cursor: str | None) -> Batch:
        """The entries not stored yet; an unchanged feed (304) is an empty page."""
        now = self.clock()
        state = FeedCursor.parse(cursor)
        response = self._get(state)
        if response.status_code == 304:
            return Batch([], cursor, usage=Usage(requests=1))
        parsed = self._parse(response)
        seen = set(state.seen)
        items: list[RawItem] = []
        keys: list[str] = []
        skipped: Counter[str] = Counter()
        language = _language(parsed.feed.get("language"))
        shared = shared_links(parsed.feed, parsed.entries)
        if parsed.get("unreadable"):
            skipped[UNREADABLE_ENTRY] += int(parsed["unreadable"])
        if parsed.get("unread"):
            skipped[UNREAD_MIDDLE] += int(parsed["unread"])
        page: set[str] = set()
        for entry in parsed.entries:
            key = entry_key(entry, shared)
            if key is None:
                skipped[EMPTY_ENTRY] += 1  # nothing to key it on and nothing to read
                continue
            digest = _digest(key)
            if digest in page:
                skipped[REPEATED_ENTRY] += 1  # one article twice in one answer (two alerts): stored once
                continue
            page.add(digest)
            if digest in seen:
                continue
            seen.add(digest)
            keys.append(digest)
            item = self._item(entry, key, language, now)
            if item is None:
                skipped[EMPTY_ENTRY] += 1
            else:
                items.append(item)
        next_cursor = FeedCursor(
            etag=response.headers.get("ETag"),
            modified=response.headers.get("Last-Modified"),
            seen=state.seen + tuple(keys),
        )
        usage = Usage(requests=1, posts_read=len(parsed.entries))
        return Batch(items, next_cursor.dump(), usage=usage, skipped=dict(skipped))

    def check(self) -> str:
        """Fetch and parse the feed once and say what it holds (raises SourceError)."""
        parsed = self._parse(self._get(FeedCursor()))
        title = html_to_text(parsed.feed.get("title")) or self.config.url
        times = [t for e in parsed.entries if (t := _entry_time(e)) is not None]
        newest = f", newest {max(times):%Y-%m-%d %H:%M} UTC" if times else ""
        return f"Feed {title!r}: {len(parsed.entries)} entries{newest}."

    def _get(self, state: FeedCursor) -> requests.Response:
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.modified:
            headers["If-Modified-Since"] = state.modified
        try:
            response = self.session.get(self.config.url, headers=headers, timeout=self.timeout)
            if response.status_code != 304:
                response.raise_for_status()
        except Exception as error:
            host = _host(self.config.url)
            raise classify(error, service=host, now=self.clock(), auth_fix=AUTH_FIX) from None
        return response

    def _parse(self, response: requests.Response) -> Any:
        headers = {
            "content-type": response.headers.get("Content-Type", "application/xml"),
            "content-location": self.config.url,
        }
        parsed = parse_feed(response.content, headers)
        problem = parsed.get("bozo_exception")
        if not parsed.entries and not parsed.get("version") and not parsed.get("unreadable"):
            # Often a proxy's error page, a sign-in wall or a site being rebuilt: bad data that heals.
            what = what_came_back(response.content, response.headers.get("Content-Type", ""))
            raise SourceError(ErrorKind.BAD_DATA, NOT_A_FEED.format(host=_host(self.config.url), what=what))
        if parsed.bozo and not parsed.entries and not parsed.get("unreadable"):
            raise SourceError(ErrorKind.BAD_DATA, f"The feed is malformed and has no readable entries: {problem}")
        if parsed.bozo:
            log.warning("%s: the feed is not well-formed (%s); kept the entries it could read", self.name, problem)
        return parsed

    def _item(self, entry: Any, key: str, language: str | None, fetched_at: datetime) -> RawItem | None:
        title = _text(entry, "title")
        summary = html_to_text(_summary(entry))
        if summary and title and summary.startswith(title):
            title = ""  # Google News repeats the headline as the summary
        text = "\n\n".join(part for part in (title, summary) if part)
        if not text:
            return None  # an empty or withdrawn entry: nothing to read
        source = entry.get("source")
        publisher = html_to_text(source.get("title")) if isinstance(source, Mapping) else ""
        author = _author(entry) or publisher
        stated = _entry_time(entry)
        # A date in the future (a wrong time zone, a scheduled post, a typo'd year) or a placeholder
        # from before feeds existed would put the entry outside every trend: it is stored at the
        # time it was fetched, and the extra says so.
        sane = stated is not None and EARLIEST <= stated <= fetched_at + FUTURE_SLACK
        return RawItem(
            external_id=key if len(key) <= MAX_ID else f"sha256:{hashlib.sha256(key.encode()).hexdigest()}",
            text=text,
            posted_at=stated if stated is not None and sane else fetched_at,
            kind=ItemKind.MENTION,
            channel=self.config.channel,
            author=author[:200] if author else None,
            author_reach=None,  # feeds say nothing about an audience
            link=article_url(entry.get("link")),
            brand=self.config.brand,
            is_competitor=self.config.competitor,
            language_hint=_language(entry.get("language")) or language,
            extra={
                "feed": self.config.url,
                "entry_id": entry.get("id"),
                "publisher": publisher or None,
                "fetched_at": fetched_at.isoformat(),
                "posted_at_from": "entry"
                if sane
                else ("fetched_at, the entry's date was not plausible" if stated else "fetched_at"),
            },
        )


def build_feed_listener(
    kind: str,
    name: str,
    config: Mapping[str, Any],
    *,
    default_brand: str,
    timeout_s: float = 30.0,
    session: requests.Session | None = None,
    limits: Limits | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FeedListener:
    """The listener for a stored `feed` or `news_search` source."""
    if kind not in ("feed", "news_search"):
        raise ValueError(f"not a feed source kind: {kind!r}")
    parsed = FeedConfig.from_mapping(kind, config, default_brand)
    return FeedListener(name, parsed, timeout_s=timeout_s, session=session, limits=limits, clock=clock)


def parse_feed(content: bytes, headers: Mapping[str, str]) -> Any:
    """feedparser's reading of a feed's bytes; when feedparser itself crashes, entry by entry.

    feedparser 6.0 raises on some real-world constructs (a character reference past U+10FFFF, a
    stray end tag inside `<image>`, a `<textInput>` inside an item), which lost every entry of the
    feed on every poll. Then each `<item>`/`<entry>` is parsed alone inside the document's own
    root element (its namespaces kept), and one that still cannot be read is counted as
    `unreadable`, which the page reports as skipped.

    feedparser reads about 3,000 entries a second: a 10 MB feed of 40,000 short items took 8-16 s
    of its polling thread after the download (the HTTP deadline does not cover parsing). Of a feed with more than
    2 x READ_AT_EACH_END entries only the first and last READ_AT_EACH_END are read (new entries
    come at the top, or at the bottom of feeds in date order); the rest are counted as `unread`.
    """
    content, unread = _keep_both_ends(_repair_utf8(content, headers.get("content-type", "")))
    parsed = _parse_whole_or_by_entry(content, headers)
    if unread:
        parsed["unread"] = unread
    return parsed


def _repair_utf8(content: bytes, content_type: str) -> bytes:
    """A UTF-8 feed with a few broken bytes, with those bytes replaced (U+FFFD) and the rest kept.

    feedparser reads a body that is not valid UTF-8 as windows-1252 (or iso-8859-2) whatever the
    feed declares, so one character cut in half by a publisher's truncated excerpt turned every
    accent and quote of the feed into mojibake (`rÃ©seau`, `Northwindâ€™s`): kurtmckee/feedparser
    pull request #421, a real feed served as `application/rss+xml; charset=utf-8`. Repaired only
    when the feed says UTF-8 or nothing (UTF-8 is XML's default) and its valid multi-byte
    characters outnumber the broken bytes; a feed really written in windows-1252 has few of
    those and is left to feedparser, which reads it right.
    """
    if _declared_encoding(content, content_type) not in (None, "utf-8", "utf8"):
        return content
    try:
        content.decode("utf-8")
        return content
    except UnicodeDecodeError:
        pass
    text = content.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - content.count("\ufffd".encode())
    readable = len(_NON_ASCII.findall(text)) - text.count("\ufffd")
    return text.encode("utf-8") if readable > broken else content


def _declared_encoding(content: bytes, content_type: str) -> str | None:
    """The charset the HTTP header or else the XML declaration names, lower case; None when neither does."""
    charset = _CHARSET.search(content_type)
    if charset:
        return charset.group(1).strip("\"'").lower()
    declaration = _XML_DECLARATION.match(content.removeprefix(b"\xef\xbb\xbf"))
    named = _DECLARED.search(declaration.group(0)) if declaration else None
    return named.group(1).decode("ascii", "replace").lower() if named else None


def _keep_both_ends(content: bytes) -> tuple[bytes, int]:
    """The feed with the entries between its first and last READ_AT_EACH_END cut out, and how many were."""
    spans = _entry_spans(content)
    if len(spans) <= 2 * READ_AT_EACH_END:
        return content, 0
    cut_from = spans[READ_AT_EACH_END - 1][1]
    cut_to = spans[-READ_AT_EACH_END][0]
    return content[:cut_from] + content[cut_to:], len(spans) - 2 * READ_AT_EACH_END


def _parse_whole_or_by_entry(content: bytes, headers: Mapping[str, str]) -> Any:
    try:
        # A stream, never bytes: feedparser opens bytes that name a local file (a body of
        # "/etc/passwd" would be read from this machine), and fetches a str that looks like a URL.
        return feedparser.parse(io.BytesIO(content), response_headers=dict(headers))
    except Exception as error:  # feedparser's own bugs, not the network's: read what can be read
        first_error = error
    cleaned = _BAD_CHARREF.sub(_replace_charref, content)
    with contextlib.suppress(Exception):
        return feedparser.parse(io.BytesIO(cleaned), response_headers=dict(headers))
    root = _ROOT.search(cleaned[:8192])
    if root is None:
        raise first_error
    name = root.group(1)
    declaration = _XML_DECLARATION.match(cleaned)
    head = (declaration.group(0) if declaration else b"") + root.group(0)
    head += b"<channel>" if name.lower() == b"rss" else b""
    tail = (b"</channel>" if name.lower() == b"rss" else b"") + b"</" + name + b">"
    entries: list[Any] = []
    version = ""
    unreadable = 0
    for start, end in _entry_spans(cleaned):
        try:
            alone = feedparser.parse(io.BytesIO(head + cleaned[start:end] + tail), response_headers=dict(headers))
        except Exception:
            unreadable += 1
            continue
        version = version or alone.get("version", "")
        entries.extend(alone.entries)
    return feedparser.FeedParserDict(
        entries=entries,
        feed=feedparser.FeedParserDict(),
        bozo=True,
        bozo_exception=f"feedparser failed on the whole feed ({type(first_error).__name__}); read entry by entry",
        version=version,
        unreadable=unreadable,
    )


_BAD_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF))\b[^>]*>", re.IGNORECASE)
_OPENS = re.compile(rb"<(?:item|entry)\b", re.IGNORECASE)
_CLOSES = re.compile(rb"</(?:item|entry)\s*>", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"\s*<\?xml[^>]*\?>")
_DECLARED = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*([^;\s]+)", re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FOREIGN_WEEKDAY = re.compile(r"\s*[^\W\d_]{1,12}\.?,\s*(\d{1,2}\s+[^\W\d_]{3,}\.?\s+\d{4}\b.*)", re.DOTALL)


def _entry_spans(content: bytes) -> list[tuple[int, int]]:
    """Where each `<item>`/`<entry>` starts and ends, in one pass over openers and closers.

    An entry ends at the first closer after it, or where the next one opens if it is never closed
    (feedparser reads those too). A lazy `<item>.*?</item>` regex would rescan to the end of the
    body for every unclosed opener.
    """
    opens = [match.start() for match in _OPENS.finditer(content)]
    closes = [match.end() for match in _CLOSES.finditer(content)]
    spans = []
    for index, start in enumerate(opens):
        limit = opens[index + 1] if index + 1 < len(opens) else len(content)
        at = bisect.bisect_right(closes, start)  # a closer ending where this opens is the last one's
        spans.append((start, closes[at] if at < len(closes) and closes[at] <= limit else limit))
    return spans


def _replace_charref(match: re.Match[bytes]) -> bytes:
    """A numeric character reference outside Unicode (or a lone surrogate) becomes U+FFFD."""
    hexa, decimal = match.group(1), match.group(2)
    try:
        code = int(hexa, 16) if hexa else int(decimal)
    except ValueError:
        return b"&#xFFFD;"
    return b"&#xFFFD;" if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF else match.group(0)


def _host(url: str) -> str:
    """The feed's host and port for messages: never the user:password@ a private feed's URL may carry."""
    parsed = urlparse(url)
    try:
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:
        port = ""
    return f"{parsed.hostname}{port}" if parsed.hostname else "The feed's host"


def what_came_back(content: bytes, content_type: str) -> str:
    """What an answer that is not a feed was, in words: an HTML page, JSON, an empty body ..."""
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    kind = content_type.split(";")[0].strip().lower()
    if not head:
        return "an empty body"
    if "json" in kind or head[:1] in (b"{", b"["):
        return "JSON data"
    if "html" in kind or head.startswith(b"<!doctype html") or b"<html" in head:
        return "an HTML page"
    return f"something else ({kind or 'no content type'})"


def _summary(entry: Any) -> str:
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0], Mapping) and content[0].get("value"):
        return str(content[0]["value"])
    return str(entry.get("summary") or "")


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        in_named_zone = _date_in_named_zone(entry.get(key.removesuffix("_parsed")))
        if in_named_zone is not None:
            return in_named_zone
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # feedparser gives UTC struct_time
            except (OverflowError, ValueError, OSError, TypeError):
                continue  # a year past 9999 or a broken tuple: try the next date, else none
    for key in ("published", "updated", "created"):
        moment = _date_with_foreign_weekday(entry.get(key))
        if moment is not None:
            return moment
    return None


# Zone names feedparser does not know (it knows the US ones, UT and GMT) and reads as UTC: those a
# feed in the product's languages writes, and only unambiguous ones ("IST" is India, Ireland or Israel).
ZONE_OFFSETS: Final = {
    "CET": 1, "MEZ": 1, "CEST": 2, "MESZ": 2, "WET": 0, "WEZ": 0, "WEST": 1, "WESZ": 1, "EET": 2, "OEZ": 2,
    "EEST": 3, "OESZ": 3, "BST": 1, "MSK": 3, "BRT": -3, "BRST": -2, "ART": -3, "JST": 9, "KST": 9,
    "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12, "NZDT": 13,
}  # fmt: skip
_NAMED_ZONE = re.compile(r"(.*\d{1,2}:\d{2}(?::\d{2})?)\s*\(?([A-Za-z]{3,4})\)?\s*\Z", re.DOTALL)


def _date_in_named_zone(value: Any) -> datetime | None:
    """An RFC 822 date ending in a zone name feedparser does not know (`... 10:00:00 MEZ`, a German
    site's feed; `CEST`, `BRT`), which it reads as UTC, an hour or more off: read with its offset."""
    match = _NAMED_ZONE.match(value.strip()) if isinstance(value, str) else None
    if match is None or match.group(2).upper() not in ZONE_OFFSETS:
        return None
    hours = ZONE_OFFSETS[match.group(2).upper()]
    offset = f"{'+' if hours >= 0 else '-'}{int(abs(hours)):02d}{int(abs(hours) % 1 * 60):02d}"
    stamp = f"{match.group(1)} {offset}"
    moment = _date_with_foreign_weekday(stamp)  # the weekday may be foreign too
    if moment is None:
        try:
            moment = parsedate_to_datetime(stamp)
        except (TypeError, ValueError, IndexError):
            return None
    return moment.astimezone(UTC)


def _date_with_foreign_weekday(value: Any) -> datetime | None:
    """An RFC 822 date whose weekday is not English (`Mo, 25 Jun 2018 11:41:36`, `dom, 13 may 2018
    01:22:40 +0100`), which feedparser gives up on (kurtmckee/feedparser#135, a German site's feed):
    the weekday says nothing the date does not, so it is dropped and the rest read. A month in
    another language still leaves no date (the entry then takes the time it was fetched)."""
    match = _FOREIGN_WEEKDAY.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        moment = parsedate_to_datetime(match.group(1))
    except (TypeError, ValueError, IndexError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(entry: Any, field: str) -> str:
    """A title as plain text: HTML only when the feed says it is HTML (a plain `a<b` stays whole)."""
    value = entry.get(field)
    detail = entry.get(f"{field}_detail")
    kind = detail.get("type") if isinstance(detail, Mapping) else None
    if kind == "text/plain":
        return plain_text(str(value or ""))
    return html_to_text(str(value) if value else "")


def _author(entry: Any) -> str:
    """The author's name; never an e-mail address (RSS's `<author>` is one by the standard).

    Read from the raw value: feedparser's own split of `jo@site.online (Jo)` cuts e-mail domains
    longer than four letters and hands back a fragment (`ine (Jo`) as the name.
    """
    detail = entry.get("author_detail")
    raw = entry.get("author") or (detail.get("name") if isinstance(detail, Mapping) else None)
    text = html_to_text(str(raw or ""))
    if "@" not in text:
        return text
    return _EMAIL.sub("", text.replace("mailto:", "")).strip(" ()<>,;") or ""


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _language(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    return value.split("-")[0].split("_")[0].lower() or None
