"""The shared limits every source obeys: Retry-After parsing, waits capped, decompression guarded."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime

import pytest
import requests

from listeners.base import ErrorKind
from listeners.errors import MAX_WAIT_S, cap_wait, classify, classify_response, parse_retry_after
from listeners.http import Limits, ResponseTooLarge, UnreadableEncoding, _Decoder, megabytes
from voc.settings import Settings

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Mon, 23 Nov 2026 12:02:00 GMT", 120.0),
        ("Monday, 23-Nov-26 12:02:00 GMT", 120.0),  # RFC 850, which HTTP still allows
        ("Mon Nov 23 12:02:00 2026", 120.0),  # asctime
        ("Mon, 23 Nov 2026 11:00:00 GMT", 0.0),  # past: at once
        ("100000000000", MAX_WAIT_S),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_WAIT_S),
        ("nan", None),
        ("NaN", None),
        ("inf", None),
        ("-inf", None),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("1" * 400, None),
        ("Mon, 99 Nov 2026 12:02:00 GMT", None),
    ],
)
def test_retry_after_is_read_in_every_form_and_never_raises(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == (pytest.approx(seconds) if seconds is not None else None)


def test_waits_are_finite_and_capped() -> None:
    assert cap_wait(float("nan")) is None and cap_wait(float("inf")) is None and cap_wait(None) is None
    assert cap_wait(-3) == 0.0 and cap_wait(1e12) == MAX_WAIT_S and cap_wait(30) == 30.0


@pytest.mark.parametrize("reset", ["nan", "inf", "-1", "not a time"])
def test_a_garbage_rate_limit_reset_falls_back_to_the_normal_backoff(reset: str) -> None:
    error = classify_response(429, {"x-rate-limit-reset": reset}, {}, now=NOW)
    assert error.kind is ErrorKind.RATE_LIMITED and error.retry_after_s is None


def test_a_reset_epoch_far_in_the_future_is_capped() -> None:
    error = classify_response(429, {"x-rate-limit-reset": "99999999999"}, {}, now=NOW)
    assert error.retry_after_s == MAX_WAIT_S


def test_a_usage_cap_still_waits_for_midnight_beyond_the_cap() -> None:
    error = classify(
        requests.HTTPError(response=_response(402, b'{"title": "CreditsDepleted"}')),
        now=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
    )
    assert error.kind is ErrorKind.USAGE_CAP and error.retry_after_s == 23 * 3600


def _response(status: int, body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers["Content-Type"] = "application/json"
    return response


# ---- decompression, step by step ----------------------------------------------------------------


def _decode(encoding: str, data: bytes, room: int = 1024 * 1024) -> bytes:
    decoder = _Decoder(encoding)
    out = bytearray()
    for start in range(0, len(data), 1000):
        out += decoder.feed(data[start : start + 1000], room - len(out))
        if len(out) > room:
            raise ResponseTooLarge(room)
    return bytes(out + decoder.finish())


def test_gzip_zlib_deflate_raw_deflate_and_two_gzip_members_decode() -> None:
    text = b"<rss>" + b"northwind " * 5000 + b"</rss>"
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert _decode("gzip", gzip.compress(text)) == text
    assert _decode("deflate", zlib.compress(text)) == text
    assert _decode("deflate", raw.compress(text) + raw.flush()) == text
    assert _decode("gzip", gzip.compress(text[:100]) + gzip.compress(text[100:])) == text
    assert _decode("", text) == text


def test_each_decompression_step_is_capped() -> None:
    decoder = _Decoder("gzip")
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024))
    assert len(decoder.feed(bomb, 1000)) == 1001  # one more than fits: the caller stops there


def test_an_encoding_not_asked_for_or_a_corrupt_body_is_unreadable() -> None:
    with pytest.raises(UnreadableEncoding, match="'br'"):
        _Decoder("br")
    with pytest.raises(UnreadableEncoding, match="corrupt"):
        _decode("gzip", b"\x1f\x8b\x08\x00garbage that is not gzip at all")


def test_limits_come_from_the_settings_figures() -> None:
    limits = Limits.of(12, 2.5)
    assert limits.deadline_s == 12 and limits.max_bytes == int(2.5 * 1024 * 1024) and limits.max_redirects == 5
    assert megabytes(10 * 1024 * 1024) == "10 MB" and megabytes(512 * 1024) == "0.5 MB"


def test_the_size_limit_is_set_by_an_environment_variable_and_reaches_every_source(tmp_path) -> None:
    from listeners.registry import build_listener
    from voc.models import SourceState

    settings = Settings.load(
        environ={"VOC_SOURCE_MAX_RESPONSE_MB": "2.5", "VOC_SOURCE_REQUEST_TIMEOUT_S": "12"},
        secrets_path=tmp_path / "none.toml",
    )
    assert settings.source_max_response_mb == 2.5
    configs = {
        "feed": {"url": "https://feeds.example/a.xml"},
        "app_store_reviews": {"app_id": "1234567890"},
        "mastodon_hashtag": {"instance": "mastodon.example", "hashtag": "northwind"},
    }
    for kind, config in configs.items():
        source = SourceState(
            name=kind,
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
        listener = build_listener(source, settings)
        session = getattr(listener, "session", None) or listener.client.session  # type: ignore[attr-defined]
        assert session.limits == Limits(deadline_s=12.0, max_bytes=int(2.5 * 1024 * 1024)), kind


def test_google_play_gets_the_same_limits_through_the_registry(tmp_path) -> None:
    from listeners.registry import build_listener
    from listeners.reviews import GooglePlayReviewsListener
    from voc.models import SourceState

    settings = Settings.load(
        environ={"VOC_SOURCE_MAX_RESPONSE_MB": "2.5", "VOC_SOURCE_REQUEST_TIMEOUT_S": "12"},
        secrets_path=tmp_path / "none.toml",
    )
    source = SourceState(
        name="android",
        kind="google_play_reviews",
        config={"package": "com.northwind.mobile"},
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
    listener = build_listener(source, settings)
    assert isinstance(listener, GooglePlayReviewsListener)
    # play_service builds its GuardedHttp from these, for the token request and every API call.
    assert listener.limits == Limits(deadline_s=12.0, max_bytes=int(2.5 * 1024 * 1024))
