"""Which listener class serves each source kind, built from the source's stored config.

No Streamlit import here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from listeners.base import Batch, ErrorKind, Listener, SourceError
from listeners.bluesky import build_bluesky_listener
from listeners.errors import install_log_scrubber, remember_secrets, scrub
from listeners.feeds import build_feed_listener
from listeners.http import Limits
from listeners.mastodon import build_mastodon_listener
from listeners.reddit import build_reddit_listener
from listeners.replay import ReplayListener
from listeners.reviews import build_review_listener
from listeners.survey_folder import folder_listener
from listeners.x_recent import build_x_listener
from voc.access.roles import Actor
from voc.models import SourceState
from voc.settings import SECRET_KEYS, Settings
from voc.sources.costs import Rates
from voc.store.facade import Store
from voc.surveys import SURVEY_FOLDER_KIND, SURVEY_SOURCE
from voc.themes.repository import STARTER_SET_KEY
from voc.themes.service import apply_starter_set

DEMO_SOURCES = {"demo-social": "social", "demo-survey": "survey"}
DEMO_STARTER_SET = "telecom"
# Present on every install; they do not count as "a real source" for the demo feed's auto mode.
DEFAULT_SOURCES = {SURVEY_SOURCE: SURVEY_FOLDER_KIND}


def _replay(source: SourceState, settings: Settings) -> Listener:
    return ReplayListener(
        source.name,
        str(source.config.get("part", "social")),
        brand=str(source.config.get("brand", settings.brand)),
    )


class Misconfigured:
    """Stands in for a source whose stored config is unusable: each poll reports why."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem

    def fetch(self, cursor: str | None) -> Batch:
        raise SourceError(ErrorKind.INVALID_QUERY, f"{self.problem}. Edit the source on the Sources page.")


def _x(source: SourceState, settings: Settings) -> Listener:
    # A missing token or a bad config is not an error here: the listener reports it on each poll,
    # so the Sources page shows the fix instead of the source silently not running.
    try:
        return _build_x(source, settings)
    except ValueError as error:
        return Misconfigured(source.name, str(error))


def _build_x(source: SourceState, settings: Settings) -> Listener:
    return build_x_listener(
        source.kind,
        source.name,
        source.config,
        token=settings.x_bearer_token,
        default_brand=settings.brand,
        rates=Rates(post_read_usd=settings.x_post_read_usd, user_read_usd=settings.x_user_read_usd),
        base_url=settings.x_api_base_url,
        timeout_s=settings.x_request_timeout_s,
        limits=Limits.of(settings.x_request_timeout_s, settings.source_max_response_mb),
    )


FACTORIES: dict[str, Callable[[SourceState, Settings], Listener]] = {
    "replay": _replay,
    "x_search": _x,
    "x_mentions": _x,
}


# ---- the other social sources, feeds and app reviews ----------------------------------------------
# Each client library is imported when a source of its kind is built (atproto alone takes seconds),
# so the runner and the Sources page load only what they use.


def _tolerant(build: Callable[[SourceState, Settings], Listener]) -> Callable[[SourceState, Settings], Listener]:
    """A factory whose config problems are reported on each poll, like X's (see `Misconfigured`)."""

    def factory(source: SourceState, settings: Settings) -> Listener:
        try:
            return build(source, settings)
        except ValueError as error:
            return Misconfigured(source.name, str(error))

    return factory


def _limits(settings: Settings) -> Limits:
    """Every source's deadline and size limit (`listeners.http`, docs/sources.md "Limits")."""
    return Limits.of(settings.source_request_timeout_s, settings.source_max_response_mb)


def _mastodon(source: SourceState, settings: Settings) -> Listener:
    return build_mastodon_listener(
        source.kind,
        source.name,
        source.config,
        default_brand=settings.brand,
        token=settings.mastodon_access_token,
        token_instance=settings.mastodon_instance,
        timeout_s=settings.source_request_timeout_s,
        limits=_limits(settings),
    )


def _bluesky(source: SourceState, settings: Settings) -> Listener:
    return build_bluesky_listener(
        source.name,
        source.config,
        default_brand=settings.brand,
        handle=settings.bluesky_handle,
        app_password=settings.bluesky_app_password,
        service_url=settings.bluesky_service_url,
        timeout_s=settings.source_request_timeout_s,
        limits=_limits(settings),
    )


def _reddit(source: SourceState, settings: Settings) -> Listener:
    return build_reddit_listener(
        source.kind,
        source.name,
        source.config,
        default_brand=settings.brand,
        client_id=settings.reddit_client_id,
        client_secret=settings.reddit_client_secret,
        user_agent=settings.reddit_user_agent,
        timeout_s=settings.source_request_timeout_s,
        limits=_limits(settings),
    )


def _feed(source: SourceState, settings: Settings) -> Listener:
    return build_feed_listener(
        source.kind,
        source.name,
        source.config,
        default_brand=settings.brand,
        timeout_s=settings.source_request_timeout_s,
        limits=_limits(settings),
    )


def _reviews(source: SourceState, settings: Settings) -> Listener:
    return build_review_listener(
        source.kind,
        source.name,
        source.config,
        default_brand=settings.brand,
        play_credentials_file=settings.google_play_service_account_file,
        timeout_s=settings.source_request_timeout_s,
        limits=_limits(settings),
    )


for _kinds, _build in (
    (("mastodon_hashtag", "mastodon_search"), _mastodon),
    (("bluesky_search",), _bluesky),
    (("reddit_posts", "reddit_comments"), _reddit),
    (("feed", "news_search"), _feed),
    (("app_store_reviews", "google_play_reviews"), _reviews),
):
    for _kind in _kinds:
        FACTORIES[_kind] = _tolerant(_build)


@dataclass(frozen=True)
class ConnectionCheck:
    """The verdict of a source's test-connection call, in words for the Sources page."""

    ok: bool
    message: str
    kind: str | None = None  # the error kind when it failed


def check_source(kind: str, name: str, config: dict[str, Any], settings: Settings) -> ConnectionCheck:
    """Make one cheap real call for a source as configured (saved or not) and say whether it works."""
    source = SourceState(
        name=name or "new-source",
        kind=kind,
        config=config,
        enabled=True,
        poll_interval_s=60.0,
        cursor=None,
        lease_owner=None,
        lease_expires_at=None,
        heartbeat_at=None,
        last_ok_at=None,
        last_error_at=None,
        last_error=None,
        error_kind=None,
        consecutive_failures=0,
        next_poll_at=None,
        items_total=0,
    )
    try:
        listener = build_listener(source, settings)
        check = getattr(listener, "check", None)
        if isinstance(listener, Misconfigured):
            listener.fetch(None)  # raises the config problem in the listener's words
        if check is None:
            return ConnectionCheck(False, f"{kind} sources have no connection test.")
        return ConnectionCheck(True, str(check()))
    except SourceError as error:
        return ConnectionCheck(False, scrub(error.message), str(error.kind))
    except ValueError as error:
        return ConnectionCheck(False, str(error), str(ErrorKind.INVALID_QUERY))


def build_listener(source: SourceState, settings: Settings) -> Listener:
    """The listener for a stored source; an unknown kind is a clear error, not a crash.

    The settings' credentials are remembered, so no log line or stored error of this process
    can carry them from here on, whichever library wrote it (docs/privacy.md, "Secrets").
    """
    install_log_scrubber()
    remember_secrets(getattr(settings, key, None) for key in SECRET_KEYS)
    try:
        factory = FACTORIES[source.kind]
    except KeyError:
        raise ValueError(
            f"source {source.name!r} has unknown kind {source.kind!r}; known: {', '.join(FACTORIES)}"
        ) from None
    return factory(source, settings)


def register_default_sources(store: Store, settings: Settings) -> None:
    """Register the sources every install has: the watched survey folder (data/incoming/surveys/)."""
    store.ensure_source(SURVEY_SOURCE, DEFAULT_SOURCES[SURVEY_SOURCE], {}, poll_interval_s=30.0)


def register_demo_sources(store: Store, settings: Settings) -> bool:
    """Register the default sources, then the demo feed when asked to, or (auto) when no real
    source is configured; the default sources do not count as real ones."""
    register_default_sources(store, settings)
    mode = settings.demo_feed.lower()
    if mode == "off":
        return False
    real = [s for s in store.sources() if s.kind != "replay" and s.name not in DEFAULT_SOURCES]
    if mode == "auto" and real:
        return False
    config: dict[str, Any]
    for name, part in DEMO_SOURCES.items():
        config = {"part": part, "brand": settings.brand}
        store.ensure_source(name, "replay", config, poll_interval_s=settings.replay_poll_seconds)
    if store.get_setting(STARTER_SET_KEY) is None:  # the demo brand is a mobile network: its starter set
        apply_starter_set(store, DEMO_STARTER_SET, actor=Actor.system("demo-feed"), now=datetime.now(UTC))
    return True


# ---- the watched survey folder ----------------------------------------------------------------


@functools.cache
def _store_for(url: str) -> Store:
    # The folder source reads the store (what is stored already, recovery alerts): one engine per URL.
    return Store.from_url(url, upgrade=False)


def _survey_folder(source: SourceState, settings: Settings) -> Listener:
    return folder_listener(
        source.name, source.config, _store_for(settings.database_url), data_dir=settings.data_dir, brand=settings.brand
    )


FACTORIES[SURVEY_FOLDER_KIND] = _survey_folder
