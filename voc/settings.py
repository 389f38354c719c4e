"""One `Settings` object for every entry point (app, listener process, command line).

Read from environment variables first, then the root keys of `.streamlit/secrets.toml`, so the
Streamlit app and the non-Streamlit listener process share one source of truth. Domain: no Streamlit.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
SECRET_KEYS = frozenset(
    {
        "x_bearer_token",
        "mastodon_access_token",
        "bluesky_app_password",
        "reddit_client_secret",
        # Write credentials for replies from the app (docs/replies.md).
        "x_api_key",
        "x_api_secret",
        "x_access_token",
        "x_access_token_secret",
        "mastodon_reply_token",
        "reddit_password",
        "libretranslate_api_key",
    }
)
# Credentials read from a bare environment variable (upper case) or the same key in secrets.toml.
CREDENTIALS = (
    "mastodon_access_token",
    "bluesky_handle",
    "bluesky_app_password",
    "reddit_client_id",
    "reddit_client_secret",
    "google_play_service_account_file",
    # Replies from the app: X's OAuth 1.0a user context of the brand account, a Mastodon token with
    # write:statuses on VOC_MASTODON_INSTANCE, the Reddit account the script app posts as.
    "x_api_key",
    "x_api_secret",
    "x_access_token",
    "x_access_token_secret",
    "mastodon_reply_token",
    "reddit_username",
    "reddit_password",
    "libretranslate_api_key",
)


def _read_secrets_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def configuration(environ: Mapping[str, str] | None = None, secrets_path: Path | None = None) -> dict[str, str]:
    """Every `VOC_*` setting as this process sees it: the root keys of `.streamlit/secrets.toml`
    (`recovery_target_hours = 4` is `VOC_RECOVERY_TARGET_HOURS`), overridden by the environment.

    The one place configuration is read, so a setting works the same from either (the README's
    promise): `Settings.load` and the survey recovery rules both read it."""
    env = os.environ if environ is None else environ
    secrets = _read_secrets_file(secrets_path or PROJECT_ROOT / ".streamlit" / "secrets.toml")
    merged = {f"VOC_{key.upper()}": str(value) for key, value in secrets.items() if not isinstance(value, dict)}
    merged.update({key: value for key, value in env.items() if key.startswith("VOC_")})
    return merged


@dataclass(frozen=True)
class Settings:
    """Configuration; build it with `Settings.load()` (environment + secrets) or directly in tests."""

    database_url: str = ""
    mode: str = "local"  # local: one user, no sign-in, bound to 127.0.0.1; team: sign-in with roles (docs/deploy.md)
    first_admin: str | None = None  # team mode: this e-mail is always an admin, so a new deployment is never locked out
    data_dir: Path = DEFAULT_DATA_DIR
    brand: str = "Northwind Mobile"
    demo_feed: str = "auto"  # auto: on when no other source is configured; on; off
    replay_poll_seconds: float = 5.0
    heartbeat_stale_after_s: float = 60.0
    runner_tick_seconds: float = 1.0
    runner_max_polls: int = 4  # sources polled at once, each in its own thread (docs/listeners.md)
    runner_chunk_items: int = 200  # a long page is analysed and committed this many items at a time
    runner_stop_grace_s: float = 3.0  # on SIGTERM, how long to let polls in flight finish
    # Items per listener tick re-scored by the precise (e5) model behind the fast ingest model; 0:
    # off. On by default since the retrained precise model beats the fast one (docs/sentiment.md).
    precise_pass_batch: int = 16
    x_bearer_token: str | None = field(default=None, repr=False)
    x_api_base_url: str = "https://api.twitter.com"  # tweepy's host; https://api.x.com works too
    x_request_timeout_s: float = 30.0  # every X call gives up after this long (tweepy sets none)
    x_post_read_usd: float = 0.005  # X pay-per-use price of one post read (cost meter estimate)
    x_user_read_usd: float = 0.010  # ... and of one user read
    source_request_timeout_s: float = 30.0  # every call to the other sources gives up after this long
    source_max_response_mb: float = 10.0  # any source's answer larger than this (decompressed) is refused
    mastodon_instance: str = ""  # the instance MASTODON_ACCESS_TOKEN belongs to (it is sent nowhere else)
    mastodon_access_token: str | None = field(default=None, repr=False)
    bluesky_handle: str | None = None
    bluesky_app_password: str | None = field(default=None, repr=False)
    bluesky_service_url: str = "https://bsky.social"  # the account's PDS (or the entryway)
    reddit_client_id: str | None = None
    reddit_client_secret: str | None = field(default=None, repr=False)
    reddit_user_agent: str = "python:voc-listener:0.1 (customer-voice app)"
    google_play_service_account_file: str | None = None  # a service account's JSON key file
    google_play_api_url: str = ""  # empty: Google's; a local stand-in in tests
    # Replies from the app (docs/replies.md): write credentials, never displayed, logged or exported.
    x_api_key: str | None = field(default=None, repr=False)
    x_api_secret: str | None = field(default=None, repr=False)
    x_access_token: str | None = field(default=None, repr=False)
    x_access_token_secret: str | None = field(default=None, repr=False)
    mastodon_reply_token: str | None = field(default=None, repr=False)
    reddit_username: str | None = None
    reddit_password: str | None = field(default=None, repr=False)
    reddit_oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    libretranslate_api_key: str | None = field(default=None, repr=False)
    reply_request_timeout_s: float = 30.0  # every reply call gives up after this long

    def __post_init__(self) -> None:
        if self.mode not in ("local", "team"):
            raise ValueError(f"VOC_MODE={self.mode!r}: use local (one user, no sign-in) or team (sign-in with roles)")
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'voc.db'}")

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        secrets_path: Path | None = None,
    ) -> Settings:
        """Settings from `VOC_*` environment variables, falling back to secrets.toml root keys."""
        env = os.environ if environ is None else environ
        configured = configuration(env, secrets_path)

        def pick(name: str) -> str | None:
            return configured.get(f"VOC_{name.upper()}")

        data_dir = Path(pick("data_dir") or DEFAULT_DATA_DIR)
        values: dict[str, Any] = {"data_dir": data_dir}
        for name, convert in (
            ("database_url", str),
            ("mode", str),
            ("first_admin", str),
            ("brand", str),
            ("demo_feed", str),
            ("replay_poll_seconds", float),
            ("heartbeat_stale_after_s", float),
            ("runner_tick_seconds", float),
            ("runner_max_polls", int),
            ("runner_chunk_items", int),
            ("runner_stop_grace_s", float),
            ("precise_pass_batch", int),
            ("x_api_base_url", str),
            ("x_request_timeout_s", float),
            ("x_post_read_usd", float),
            ("x_user_read_usd", float),
            ("source_request_timeout_s", float),
            ("source_max_response_mb", float),
            ("mastodon_instance", str),
            ("bluesky_service_url", str),
            ("reddit_user_agent", str),
            ("google_play_api_url", str),
            ("reddit_oauth_url", str),
            ("reddit_url", str),
            ("reply_request_timeout_s", float),
        ):
            raw = pick(name)
            if raw not in (None, ""):
                try:
                    values[name] = convert(raw)
                except ValueError as exc:
                    raise ValueError(f"VOC_{name.upper()}={raw!r} is not a valid {convert.__name__}") from exc
        token = env.get("X_BEARER_TOKEN") or pick("x_bearer_token")
        values["x_bearer_token"] = (token or "").strip() or None  # a pasted newline would break the header
        for name in CREDENTIALS:
            raw = env.get(name.upper()) or pick(name)
            values[name] = (raw or "").strip() or None
        return cls(**values)
