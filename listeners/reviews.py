"""App-store reviews of the brand's own apps, with the star rating kept as a score.

Two sources share the watermark cursor (`listeners.paging`):

- `app_store_reviews`: Apple's public customer-reviews feed of one app in one country
  (`https://itunes.apple.com/<country>/rss/customerreviews/page=<n>/id=<app id>/sortby=mostrecent/json`),
  newest first, 50 reviews a page, 10 pages at most. No credentials. Apple documents the feed only
  through its RSS generator and may change it; the official alternative, the App Store Connect API
  (`GET /v1/apps/{id}/customerReviews`), needs an API key and is not built yet;
- `google_play_reviews`: the official Google Play Developer API (`androidpublisher` v3,
  `reviews.list`) through google-api-python-client, with a service account that the Play Console
  has granted access to the app. Google returns only reviews created or changed in the last
  week, in no promised order, so each poll reads every page and keeps what is newer than the watermark.

Stars become the item's `csat` (1-5, the scale surveys use), so a one-star review is prioritised
like an unhappy survey answer; channel is `app_store` or `google_play`. A review's reviewer name is
its author; stores publish no audience size, so reach stays empty. Both go through the guarded
session (`listeners.http`: total deadline, size limit, decompression guard); failures
become `SourceError`s through the one classifier. No Streamlit import here.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from listeners.base import Batch, ErrorKind, ItemKind, RawItem, SourceError
from listeners.errors import classify
from listeners.http import GuardedHttp, GuardedSession, Limits
from listeners.paging import PageCursor
from voc.clock import utcnow
from voc.sources.costs import Usage
from voc.sources.forms import MISSING_GOOGLE_PLAY

log = logging.getLogger(__name__)

APP_STORE_HOST = "https://itunes.apple.com"
APP_STORE_PAGES = 10  # the feed serves at most ten pages of fifty
APP_STORE_BACKFILL = timedelta(days=30)
PLAY_BACKFILL = timedelta(days=7)  # all reviews.list can return
PLAY_PAGE_CAP = 20
PLAY_SCOPE = "https://www.googleapis.com/auth/androidpublisher"
USER_AGENT = "voc-listener/0.1 (customer-voice app)"
MISSING_PLAY_CREDENTIALS = MISSING_GOOGLE_PLAY
PLAY_AUTH_FIX = (
    "In Google Cloud, create a service account with a JSON key and enable the Google Play Android Developer "
    "API; in the Play Console (Users and permissions) invite its e-mail with access to this app; point "
    "GOOGLE_PLAY_SERVICE_ACCOUNT_FILE at the key and restart the listeners."
)
APP_STORE_FIX = "Check the app id (the number in the app's App Store address) and the country code."
# Why a review could not be stored: the reasons the Sources page counts (never a value from the review).
REVIEW_WITHOUT_ID = "review without an id"
REVIEW_WITHOUT_WORDS = "review with a rating but no words"
MALFORMED_REVIEW = "malformed review"
MAX_ID = 200  # the store's external_id width


def stars(value: Any) -> int | None:
    """A 1-5 star rating, or None for anything else."""
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return rating if 1 <= rating <= 5 else None


@dataclass(frozen=True)
class ReviewConfig:
    """What a stored review source's `config` holds (see docs/sources.md)."""

    brand: str
    app_id: str = ""  # App Store: the numeric id
    country: str = "us"  # App Store: the storefront's two-letter code
    package: str = ""  # Google Play: the application id, e.g. com.example.app

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], default_brand: str) -> ReviewConfig:
        return cls(
            brand=str(config.get("brand") or default_brand),
            app_id=str(config.get("app_id") or "").strip().lower().removeprefix("id"),
            country=str(config.get("country") or "us").strip().lower(),
            package=str(config.get("package") or "").strip(),
        )


# ---- App Store ---------------------------------------------------------------------------------


class AppStoreReviewsListener:
    """One app's reviews in one App Store country, from the public customer-reviews feed."""

    def __init__(
        self,
        name: str,
        config: ReviewConfig,
        *,
        timeout_s: float = 30.0,
        session: requests.Session | None = None,
        limits: Limits | None = None,
        host: str = APP_STORE_HOST,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not config.app_id.isdigit():
            raise ValueError(f"App Store source {name!r} needs the app's numeric id")
        if len(config.country) != 2:
            raise ValueError(f"App Store source {name!r} needs a two-letter country code")
        self.name = name
        self.config = config
        self.session = session or GuardedSession(limits or Limits.of(timeout_s))
        self.timeout = (min(5.0, timeout_s), timeout_s)
        self.host = host.rstrip("/")
        self.clock = clock

    def fetch(self, cursor: str | None) -> Batch:
        """One page of reviews, newest first, down to the watermark."""
        now = self.clock()
        state = PageCursor.parse(cursor, service="App Store").started(now, APP_STORE_BACKFILL)
        page = int(state.page or 1)
        entries = self._entries(page)
        times, items = [], []
        skipped: Counter[str] = Counter()
        for entry in entries:
            item = self._item(entry, now)
            if item is None:
                continue  # the app's own summary entry, not a review
            if isinstance(item, str):
                skipped[item] += 1
                continue
            if item.extra.get("posted_at_from") == "fetched_at":
                items.append(item)  # no date of its own: stored, but it says nothing about the watermark
                continue
            times.append(item.posted_at)
            if state.is_new(item.posted_at):
                items.append(item)
        next_page = str(page + 1) if len(entries) >= 50 and page < APP_STORE_PAGES else None
        next_cursor, more, gap = state.after_page(times, next_page, page_cap=APP_STORE_PAGES)
        usage = Usage(requests=1, posts_read=len(entries))
        return Batch(items, next_cursor.dump(), more=more, usage=usage, gap=gap, skipped=dict(skipped))

    def check(self) -> str:
        """Read the first page and say what it holds (raises SourceError)."""
        entries = self._entries(1)
        reviews = [i for e in entries if isinstance(i := self._item(e, self.clock()), RawItem)]
        if not reviews:
            return (
                f"Connected to the App Store feed for app {self.config.app_id} ({self.config.country}): no reviews yet."
            )
        newest = max(r.posted_at for r in reviews)
        return (
            f"Connected to the App Store feed for app {self.config.app_id} ({self.config.country.upper()}): "
            f"{len(reviews)} recent reviews, newest {newest:%Y-%m-%d %H:%M} UTC."
        )

    def url(self, page: int) -> str:
        return (
            f"{self.host}/{self.config.country}/rss/customerreviews/page={page}/"
            f"id={self.config.app_id}/sortby=mostrecent/json"
        )

    def _entries(self, page: int) -> list[Any]:
        try:
            response = self.session.get(self.url(page), headers={"User-Agent": USER_AGENT}, timeout=self.timeout)
            response.raise_for_status()
            body = response.json()
        except Exception as error:
            raise classify(error, service="App Store", now=self.clock(), auth_fix=APP_STORE_FIX) from None
        feed = body.get("feed") if isinstance(body, Mapping) else None
        if not isinstance(feed, Mapping):
            raise SourceError(ErrorKind.BAD_DATA, "The App Store answered without a feed object")
        entries = feed.get("entry") or []
        if isinstance(entries, Mapping):  # a feed with one entry gives it bare, not in a list
            entries = [entries]
        if not isinstance(entries, list):
            raise SourceError(ErrorKind.BAD_DATA, "The App Store feed's entries are malformed")
        return entries

    def _item(self, entry: Any, fetched_at: datetime) -> RawItem | str | None:
        """The review as an item, the reason it cannot be one, or None for the app's summary entry.

        A review without `updated` (a whole page of them was once lost so) is stored with the time
        it was fetched, marked `posted_at_from: fetched_at`; one without stars keeps an empty csat.
        """
        if not isinstance(entry, Mapping):
            return MALFORMED_REVIEW
        if "im:name" in entry and "content" not in entry and "author" not in entry:
            return None  # the app's own summary entry (older feeds start with it), not a review
        try:
            rating = stars(_label(entry.get("im:rating")))
            review_id = str(_label(entry.get("id")) or "").strip()
            title = str(_label(entry.get("title")) or "").strip()
            body = str(_label(entry.get("content")) or "").strip()
            author_node = entry.get("author")
            author = _label(author_node.get("name")) if isinstance(author_node, Mapping) else None
        except (TypeError, ValueError, AttributeError) as error:
            log.warning("%s: skipped a malformed review: %s", self.name, type(error).__name__)
            return MALFORMED_REVIEW
        if not review_id:
            return REVIEW_WITHOUT_ID
        text = "\n\n".join(part for part in (title, body) if part)
        if not text:
            return REVIEW_WITHOUT_WORDS
        posted_at = _review_time(entry.get("updated"))
        posted_at_from = "updated" if posted_at is not None else "fetched_at"
        return RawItem(
            external_id=review_id,
            text=text,
            posted_at=posted_at or fetched_at,
            kind=ItemKind.MENTION,
            channel="app_store",
            author=str(author)[:200] if author else None,
            link=f"https://apps.apple.com/{self.config.country}/app/id{self.config.app_id}?see-all=reviews",
            brand=self.config.brand,
            csat=rating,
            extra={
                "stars": rating,
                "country": self.config.country,
                "app_version": _label(entry.get("im:version")),
                "vote_sum": _label(entry.get("im:voteSum")),
                "fetched_at": fetched_at.isoformat(),
                "posted_at_from": posted_at_from,
            },
        )


def _review_time(node: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(_label(node)).strip().replace("Z", "+00:00")) if _label(node) else None
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC) if moment else None


def _label(node: Any) -> Any:
    """Apple's feed wraps every value as {"label": value}."""
    return node.get("label") if isinstance(node, Mapping) else node


# ---- Google Play ---------------------------------------------------------------------------------


def play_service(credentials_file: str, limits: Limits, http: Any = None, api_url: str | None = None) -> Any:
    """The androidpublisher v3 service, authorised by a service account (discovery document bundled).

    Both the token request and the API calls go through `GuardedHttp`: the same total deadline,
    size limit and decompression guard as every other source (httplib2 alone bounds each read only).
    """
    import google_auth_httplib2
    from google.oauth2 import service_account
    from googleapiclient.discovery import build

    credentials = service_account.Credentials.from_service_account_file(credentials_file, scopes=[PLAY_SCOPE])
    authorised = google_auth_httplib2.AuthorizedHttp(credentials, http=http or GuardedHttp(limits))
    options = {"api_endpoint": api_url} if api_url else None
    return build(
        "androidpublisher", "v3", http=authorised, cache_discovery=False, static_discovery=True, client_options=options
    )


class GooglePlayReviewsListener:
    """One app's Google Play reviews from the last week, through the official Developer API."""

    def __init__(
        self,
        name: str,
        config: ReviewConfig,
        *,
        credentials_file: str | None,
        timeout_s: float = 30.0,
        limits: Limits | None = None,
        http: Any = None,
        api_url: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not config.package or "." not in config.package:
            raise ValueError(f"Google Play source {name!r} needs the app's package name, e.g. com.example.app")
        self.name = name
        self.config = config
        self.clock = clock
        self._credentials_file = credentials_file or None
        self.limits = limits or Limits.of(timeout_s)  # the deadline and size limit of every call
        self._http = http
        self._api_url = api_url  # tests point it at a loopback server; Google's by default
        self._service: Any = None

    def fetch(self, cursor: str | None) -> Batch:
        """One page of the week's reviews; the watermark moves once every page is read."""
        now = self.clock()
        state = PageCursor.parse(cursor, service="Google Play").started(now, PLAY_BACKFILL)
        answer = self._list(state.page)
        reviews = answer.get("reviews") or []
        if not isinstance(reviews, list):
            raise SourceError(ErrorKind.BAD_DATA, "Google Play answered with malformed reviews")
        times, items = [], []
        skipped: Counter[str] = Counter()
        for review in reviews:
            item = self._item(review, now)
            if isinstance(item, str):
                skipped[item] += 1
                continue
            if item.extra.get("posted_at_from") == "fetched_at":
                items.append(item)  # no time of its own: stored, but it says nothing about the watermark
                continue
            times.append(item.posted_at)
            if state.is_new(item.posted_at):
                items.append(item)
        token = (answer.get("tokenPagination") or {}).get("nextPageToken")
        next_cursor, more, gap = state.after_page(times, token, ordered=False, page_cap=PLAY_PAGE_CAP)
        usage = Usage(requests=1, posts_read=len(reviews))
        return Batch(items, next_cursor.dump(), more=more, usage=usage, gap=gap, skipped=dict(skipped))

    def check(self) -> str:
        """Ask for one review (raises SourceError)."""
        answer = self._list(None, max_results=1)
        found = "reviews from the last week found" if answer.get("reviews") else "no reviews in the last week"
        return f"Connected to Google Play for {self.config.package}: {found}."

    def _list(self, token: str | None, max_results: int = 100) -> dict[str, Any]:
        if self._credentials_file is None:
            raise SourceError(ErrorKind.AUTH, MISSING_PLAY_CREDENTIALS)
        try:
            if self._service is None:
                self._service = play_service(self._credentials_file, self.limits, self._http, self._api_url)
            params: dict[str, Any] = {"packageName": self.config.package, "maxResults": max_results}
            if token:
                params["token"] = token
            answer = self._service.reviews().list(**params).execute()
        except (FileNotFoundError, ValueError) as error:  # no key file, or not a service account key
            raise SourceError(ErrorKind.AUTH, f"Google Play key file unusable ({error}). {PLAY_AUTH_FIX}") from None
        except Exception as error:
            raise classify(error, service="Google Play", now=self.clock(), auth_fix=PLAY_AUTH_FIX) from None
        if not isinstance(answer, dict):
            raise SourceError(ErrorKind.BAD_DATA, f"Google Play answered with {type(answer).__name__}")
        return answer

    def _item(self, review: Any, fetched_at: datetime) -> RawItem | str:
        """The review as an item, or the reason it cannot be one (counted in the page's `skipped`)."""
        if not isinstance(review, Mapping) or not review.get("reviewId"):
            return REVIEW_WITHOUT_ID
        try:
            play_id = str(review["reviewId"])
            # The store's width: a longer id is stored as its hash (the link keeps the real one).
            review_id = play_id if len(play_id) <= MAX_ID else "sha256:" + hashlib.sha256(play_id.encode()).hexdigest()
            comment = next(c["userComment"] for c in review.get("comments") or [] if "userComment" in c)
            posted_at = _play_time(comment.get("lastModified"))
            rating = stars(comment.get("starRating"))
            # The API puts the review's title and body in one text, separated by a tab.
            text = " ".join(part.strip() for part in str(comment.get("text") or "").split("\t") if part.strip())
        except (KeyError, TypeError, ValueError, StopIteration, AttributeError) as error:
            log.warning("%s: skipped a malformed review: %s", self.name, type(error).__name__)
            return MALFORMED_REVIEW
        if not text:
            return REVIEW_WITHOUT_WORDS
        language = str(comment.get("reviewerLanguage") or "").split("_")[0].split("-")[0].lower() or None
        return RawItem(
            external_id=review_id,
            text=text,
            posted_at=posted_at or fetched_at,
            kind=ItemKind.MENTION,
            channel="google_play",
            author=str(review.get("authorName") or "")[:200] or None,
            link=f"https://play.google.com/store/apps/details?id={self.config.package}&reviewId={play_id}",
            brand=self.config.brand,
            language_hint=language,
            csat=rating,
            extra={
                "stars": rating,
                "app_version": comment.get("appVersionName"),
                "device": comment.get("device"),
                "android_version": comment.get("androidOsVersion"),
                "thumbs_up": comment.get("thumbsUpCount"),
                "fetched_at": fetched_at.isoformat(),
                "posted_at_from": "lastModified" if posted_at is not None else "fetched_at",
            },
        )


def _play_time(modified: Any) -> datetime | None:
    """A Play `Timestamp` ({"seconds": "1700000000", "nanos": 0}) as UTC, or None when absent or unreadable."""
    if not isinstance(modified, Mapping):
        return None
    try:
        seconds = int(modified["seconds"]) + int(modified.get("nanos") or 0) / 1e9
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def build_review_listener(
    kind: str,
    name: str,
    config: Mapping[str, Any],
    *,
    default_brand: str,
    play_credentials_file: str | None = None,
    timeout_s: float = 30.0,
    session: requests.Session | None = None,
    limits: Limits | None = None,
    http: Any = None,
    clock: Callable[[], datetime] = utcnow,
) -> AppStoreReviewsListener | GooglePlayReviewsListener:
    """The listener for a stored `app_store_reviews` or `google_play_reviews` source."""
    parsed = ReviewConfig.from_mapping(config, default_brand)
    if kind == "app_store_reviews":
        return AppStoreReviewsListener(name, parsed, timeout_s=timeout_s, session=session, limits=limits, clock=clock)
    if kind == "google_play_reviews":
        return GooglePlayReviewsListener(
            name,
            parsed,
            credentials_file=play_credentials_file,
            timeout_s=timeout_s,
            limits=limits,
            http=http,
            clock=clock,
        )
    raise ValueError(f"not a review source kind: {kind!r}")
