"""`scrub` and the log scrubber: credentials leave messages and log lines whatever their shape."""

from __future__ import annotations

import logging

import pytest

from listeners.errors import install_log_scrubber, remember_secrets, scrub


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("GET /feed.xml?apikey=k-123456&q=bill", "k-123456", "q=bill"),
        ("token request client_secret=s3cr3t-value&grant_type=client", "s3cr3t-value", "grant_type=client"),
        ("Data: {'grant_type': 'password', 'password': 'hunter2-pw'}", "hunter2-pw", "'grant_type': 'password'"),
        ("proxy http://svc:p4ss-w0rd@proxy.example:3128 refused", "p4ss-w0rd", "proxy.example:3128"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZC1zZWNyZXQ=", "dXNlcjpwYXNzd29yZC1zZWNyZXQ=", "Basic ***"),
        ("GET /2/tweets?next_token=b26v89&pagination_token=7zq", "***", "next_token=b26v89&pagination_token=7zq"),
    ],
)
def test_credentials_are_scrubbed_and_paging_cursors_stay(text: str, gone: str, kept: str) -> None:
    cleaned = scrub(text)
    assert kept in cleaned
    assert gone not in cleaned or gone == "***"


def test_a_remembered_secret_goes_as_typed_and_url_encoded() -> None:
    secret = "AAAA+remembered/secret=="
    remember_secrets([secret, None, "short"])
    assert scrub(f"said {secret} and AAAA%2Bremembered%2Fsecret%3D%3D") == "said *** and ***"
    assert scrub("short words stay short") == "short words stay short"


def test_log_records_and_their_tracebacks_are_scrubbed_before_any_handler(caplog: pytest.LogCaptureFixture) -> None:
    install_log_scrubber()
    install_log_scrubber()  # twice is once
    remember_secrets(["a-very-secret-logged-value"])
    log = logging.getLogger("some.http.library")
    with caplog.at_level(logging.DEBUG):
        log.debug("GET %s", "/feed.xml?apikey=plain-key-42")
        try:
            raise RuntimeError("boom with a-very-secret-logged-value inside")
        except RuntimeError:
            log.exception("request failed")
    assert "plain-key-42" not in caplog.text and "a-very-secret-logged-value" not in caplog.text
    assert "Traceback" in caplog.text and "RuntimeError: boom with *** inside" in caplog.text


def test_tweepy_request_headers_are_scrubbed_by_the_one_log_scrubber(caplog: pytest.LogCaptureFixture) -> None:
    from listeners.x_recent import make_client

    make_client("AAAA-bearer-token-for-a-test-only")  # any process that makes an X client installs it
    with caplog.at_level(logging.DEBUG, logger="tweepy.client"):
        logging.getLogger("tweepy.client").debug(
            "Headers: {'Authorization': 'Bearer AAAA-bearer-token-for-a-test-only'}"
        )
    assert "AAAA-bearer-token-for-a-test-only" not in caplog.text and "Bearer ***" in caplog.text
