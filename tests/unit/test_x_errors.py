"""The one error classifier: library and HTTP failures become SourceErrors the runner can act on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import tweepy

from listeners.base import ErrorKind, SourceError
from listeners.errors import classify, classify_response, names_parameter, scrub
from tests.x_api import TOKEN, load

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def response(status: int, body: Any, **headers: str) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer.reason = "Reason"
    answer._content = (json.dumps(body) if not isinstance(body, str) else body).encode()
    answer.headers.update(headers)
    return answer


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (tweepy.BadRequest(response(400, load("error_400_query.json"))), ErrorKind.INVALID_QUERY),
        (tweepy.Unauthorized(response(401, load("error_401_unauthorized.json"))), ErrorKind.AUTH),
        (tweepy.Forbidden(response(403, load("error_403_client_not_enrolled.json"))), ErrorKind.AUTH),
        (tweepy.NotFound(response(404, {"title": "Not Found Error"})), ErrorKind.INVALID_QUERY),
        (tweepy.TooManyRequests(response(429, load("error_429_rate_limited.json"))), ErrorKind.RATE_LIMITED),
        (tweepy.TooManyRequests(response(429, load("error_429_usage_capped.json"))), ErrorKind.USAGE_CAP),
        (tweepy.HTTPException(response(402, {"title": "Payment Required"})), ErrorKind.USAGE_CAP),
        (tweepy.TwitterServerError(response(503, load("error_503_unavailable.json"))), ErrorKind.TRANSIENT),
        (tweepy.TwitterServerError(response(500, "<html>oops</html>")), ErrorKind.TRANSIENT),
        (tweepy.HTTPException(response(418, {"title": "Teapot"})), ErrorKind.UNEXPECTED),
        (requests.HTTPError(response=response(502, "Bad Gateway")), ErrorKind.TRANSIENT),
        (requests.ConnectTimeout(), ErrorKind.TRANSIENT),
        (requests.ReadTimeout(), ErrorKind.TRANSIENT),
        (requests.ConnectionError(), ErrorKind.TRANSIENT),
        (requests.JSONDecodeError("Expecting value", "{", 1), ErrorKind.TRANSIENT),
        (json.JSONDecodeError("Expecting value", "{", 1), ErrorKind.TRANSIENT),
        (KeyError("surprise"), ErrorKind.UNEXPECTED),
    ],
)
def test_every_failure_gets_a_kind(error: BaseException, kind: ErrorKind) -> None:
    assert classify(error, now=NOW).kind is kind


def test_a_source_error_passes_through_with_its_message_scrubbed() -> None:
    original = SourceError(ErrorKind.AUTH, f"token {TOKEN} refused", retry_after_s=3)
    result = classify(original, secrets=[TOKEN])
    assert (result.kind, result.retry_after_s) == (ErrorKind.AUTH, 3)
    assert TOKEN not in result.message


def test_the_rate_limit_reset_header_sets_the_wait_and_retry_after_is_understood_too() -> None:
    reset = str(int(NOW.timestamp()) + 120)
    assert classify_response(429, {"x-rate-limit-reset": reset}, {}, now=NOW).retry_after_s == pytest.approx(121)
    assert classify_response(429, {"Retry-After": "30"}, {}, now=NOW).retry_after_s == pytest.approx(31)
    assert classify_response(429, {"x-rate-limit-reset": str(int(NOW.timestamp()) - 5)}, {}, now=NOW).retry_after_s == 1
    assert classify_response(429, {}, {}, now=NOW).retry_after_s is None


def test_a_malformed_token_is_an_auth_problem_and_is_not_echoed() -> None:
    header_error = requests.exceptions.InvalidHeader(f"Invalid return character in header value: 'Bearer {TOKEN}\\n'")
    result = classify(header_error, secrets=[TOKEN])
    assert result.kind is ErrorKind.AUTH and TOKEN not in result.message


def test_an_unexpected_error_naming_the_token_is_scrubbed() -> None:
    result = classify(RuntimeError(f"Authorization: Bearer {TOKEN}"), secrets=[])
    assert result.kind is ErrorKind.UNEXPECTED
    assert TOKEN not in result.message and "Bearer ***" in result.message


def test_scrub_hides_secrets_bearer_tokens_and_credential_parameters_but_keeps_prose() -> None:
    text = f"GET /x?access_token=abc123&next_token=keep {TOKEN} Authorization: Bearer {'z' * 40}"
    cleaned = scrub(text, [TOKEN])
    assert "abc123" not in cleaned and TOKEN not in cleaned and "z" * 40 not in cleaned
    assert "next_token=keep" in cleaned
    message = "X bearer token missing: set X_BEARER_TOKEN or x_bearer_token in .streamlit/secrets.toml"
    assert scrub(message) == message


def test_a_400_names_the_parameter_it_blames() -> None:
    error = tweepy.BadRequest(response(400, load("error_400_since_id.json")))
    assert names_parameter(error, "since_id")
    assert not names_parameter(tweepy.BadRequest(response(400, load("error_400_query.json"))), "since_id")
    assert not names_parameter(ValueError("no response"), "since_id")
