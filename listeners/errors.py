"""The one error classifier: every source's library and HTTP failures become a `SourceError`.

A source calls `classify(error)` on whatever its client raised and re-raises the result: tweepy's
`HTTPException`s, requests' timeouts and connection errors, a body that is not JSON, and the other
sources' clients (Mastodon.py's `MastodonAPIError` family, prawcore's `ResponseException`s and
`OAuthException`, atproto's `RequestErrorBase` family over httpx, google-api-python-client's
`HttpError` over httplib2, google-auth's `RefreshError`). Those are recognised by their shape (a
status on the error or its response), not imported, so the runner never loads every client. The
runner then decides from the kind whether and when to retry:

- rate limited (429): retry when `x-rate-limit-reset` (or `Retry-After`) says; without either the
  runner backs off exponentially from a minute;
- usage cap reached (429 or 402 `usage-capped`, credits spent): pause until the next UTC midnight
  and try once a day until the cap resets, saying so;
- unauthorised or forbidden (401, 403): stop retrying and say how to fix the credentials;
- invalid request (400, 404, praw's `RedditAPIException`, a quarantined, private or banned
  subreddit): stop retrying and show the API's own message;
- transient (5xx, timeouts, connection errors, a truncated body): exponential backoff with jitter;
  a refused connection or an unknown host says so, and `describe_unreachable` turns it into "the
  address does not answer" after a few tries in a row;
- bad data (an answer over the size limit, a redirect loop, an unreadable body): the same backoff.

Every wait a header asks for goes through `parse_retry_after` / `cap_wait`: finite, not
negative, at most `MAX_WAIT_S` (6 hours), or None for the normal backoff.

Messages are for the Sources page: they never contain a credential (`scrub`), and neither does any
log line of a process that builds sources (`install_log_scrubber`, `remember_secrets`: the
registry and the runner call them). No Streamlit here.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import traceback
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote

import requests

from listeners.base import ErrorKind, SourceError
from listeners.http import DeadlineExceeded, ResponseTooLarge, UnreadableEncoding
from voc.analysis.redaction import redact
from voc.sources.costs import next_utc_midnight

MAX_MESSAGE = 600
RESET_MARGIN_S = 1.0  # ask again just after the window resets, not on the edge
MAX_WAIT_S = 6 * 3600.0  # the longest a Retry-After or reset header may park a source
UNREACHABLE_AFTER = 3  # consecutive failures after which "could not connect" becomes "does not answer"
# Why an address could not be reached: the phrases `describe_unreachable` recognises.
NO_SUCH_HOST = "its host name does not resolve (no such host)"
REFUSED = "nothing accepts connections at that address (connection refused)"
NO_CONNECTION = "no connection could be made"
CONNECT_TIMEOUT = "it did not accept a connection in time"
# What this module and the clients' own errors say when nothing answered at all (lower case).
_UNREACHABLE_SIGNS = tuple(phrase.lower() for phrase in (NO_SUCH_HOST, REFUSED, NO_CONNECTION, CONNECT_TIMEOUT)) + (
    "could not connect",
    "could not reach",
    "connection refused",
    "name or service not known",
    "temporary failure in name resolution",
    "failed to resolve",
)
# Reddit's 403/404 `reason` for a community an app-only connection cannot read: what to tell the user.
REDDIT_REASONS = {
    "quarantined": (
        "is quarantined: Reddit shows it only to signed-in accounts that opted in, never to an app-only "
        "connection. This is not a credentials problem: remove it from the source's subreddits"
    ),
    "private": "is private: only its approved members can read it. Remove it from the source's subreddits",
    "banned": "has been banned by Reddit and can no longer be read. Remove it from the source's subreddits",
    "gold_only": "is open to premium members only. Remove it from the source's subreddits",
}

X_AUTH_FIX = (
    "Copy the app's Bearer Token from the X Developer Console into X_BEARER_TOKEN "
    "(or x_bearer_token in .streamlit/secrets.toml) and restart the listeners."
)
X_PROJECT_FIX = (
    "In the X Developer Console, attach the app to a Project with access to this endpoint "
    "(and credits on pay-per-use), then resume the source."
)

_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9%._~+/=-]{16,}")
# Any parameter whose name says credential: token, access_token, apikey, client_secret, password, sig ...
# Paging cursors (next_token, pagination_token) are not credentials: they stay readable.
_CREDENTIAL = (
    r"(?!(?:next|pagination|page|continuation)_?token\b|keywords?\b)"
    r"[\w.-]*(?:token|key|secret|passw(?:or)?d|pwd|signature|sig|auth|credential)[\w.-]*"
)
_SECRET_PARAM = re.compile(rf"(?i)\b({_CREDENTIAL})=[^&\s'\"#]+")
# The same names as a mapping's keys, e.g. a client logging its request data {'client_secret': '...'};
# a value already scrubbed ("Bearer ***") is left as it reads.
_SECRET_ITEM = re.compile(rf"""(?i)(["']{_CREDENTIAL}["']\s*:\s*["'])(?!(?:\w+\s+)?\*\*\*["'])[^"']+(["'])""")
# user:password@ in a URL (a proxy, a feed behind basic auth).
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@")
_REMEMBERED: set[str] = set()  # this process's credentials, from Settings (`remember_secrets`)
_LOCK = threading.Lock()
_LOG_SCRUBBER_INSTALLED = False


def remember_secrets(secrets: Iterable[str | None]) -> None:
    """Credentials this process holds (e.g. from Settings): from now on `scrub` removes them from
    every message, as typed and URL-encoded, whatever the text around them looks like."""
    with _LOCK:
        for secret in secrets:
            value = (secret or "").strip()
            if len(value) >= 8:  # shorter would mask ordinary words; real credentials are longer
                _REMEMBERED.update({value, quote(value, safe=""), unquote(value)})


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` without the given or remembered secrets, bearer tokens, credential-looking URL
    parameters and mapping items, or passwords in URLs; and without personal data (e-mail
    addresses, phone, card and IBAN numbers), which the redactor replaces: an error or a log line
    can quote a customer's post or a server's echo of it."""
    known = [s for s in secrets if s and len(s) >= 4] + sorted(_REMEMBERED, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, "***")
    text = _BEARER.sub(r"\1 ***", text)
    text = _SECRET_PARAM.sub(r"\1=***", text)
    text = _SECRET_ITEM.sub(r"\1***\2", text)
    return redact(_URL_PASSWORD.sub(r"\1***@", text)).text


def install_log_scrubber() -> None:
    """Scrub every log record this process makes, from any logger, before any handler sees it.

    HTTP clients log request lines and headers at DEBUG (urllib3's "GET /feed.xml?apikey=...",
    prawcore's request data) and a traceback quotes whatever an exception said, so filtering our
    own loggers is not enough: the record factory is the one place every record passes. A
    traceback that held a secret is kept as scrubbed text (`exc_text`), not as the live exception.
    """
    global _LOG_SCRUBBER_INSTALLED
    with _LOCK:
        if _LOG_SCRUBBER_INSTALLED:
            return
        make_record = logging.getLogRecordFactory()

        def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _scrub_record(make_record(*args, **kwargs))

        logging.setLogRecordFactory(scrubbed_record)
        _LOG_SCRUBBER_INSTALLED = True


def _scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it itself, later
        return record
    cleaned = scrub(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None:
        trace = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        cleaned = scrub(trace)
        if cleaned != trace:
            record.exc_info, record.exc_text = None, cleaned
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


def cap_wait(seconds: float | None, *, at_most: float = MAX_WAIT_S, negative: float | None = 0.0) -> float | None:
    """A wait a source may be parked for: finite, not negative, at most `at_most`; None if unusable.

    The one cap on every wait (the sources' headers here, the runner's last guard with a day's
    ceiling). A negative wait becomes `negative`: 0 where it comes from a reset time already
    past (ask now), None where a negative number can only be a mistake (back off as usual).
    """
    if seconds is None or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        return None
    if seconds < 0:
        return negative
    return min(float(seconds), at_most)


def parse_retry_after(value: object, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or an HTTP-date), capped at `MAX_WAIT_S`.

    Never raises: anything else (`nan`, `inf`, a negative number, a word, an impossible date) is
    None, and the runner falls back to its normal backoff.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text or len(text) > 64:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment is None:
            return None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return cap_wait((moment - (now or datetime.now(UTC))).total_seconds())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return cap_wait(seconds)


def describe_unreachable(kind: ErrorKind | str, message: str, failures: int) -> str:
    """The message to show for a source's `failures`-th failure in a row.

    Connection refused, an unknown host or a connect timeout is `transient` (a server restarting,
    a DNS blip), but after `UNREACHABLE_AFTER` tries in a row the user is told plainly that the
    address does not answer. Other messages come back unchanged; so does an already described one.
    The runner calls this for every failure it records.
    """
    if str(kind) != ErrorKind.TRANSIENT or failures < UNREACHABLE_AFTER or "does not answer" in message:
        return message
    lowered = message.lower()
    if not any(sign in lowered for sign in _UNREACHABLE_SIGNS):
        return message
    return (
        f"The address does not answer ({failures} tries in a row): {message} Check the address on the "
        "Sources page, or delete the source; it is still tried, with a growing wait."
    )


def classify(
    error: BaseException,
    *,
    service: str = "X",
    secrets: Iterable[str | None] = (),
    now: datetime | None = None,
    auth_fix: str = X_AUTH_FIX,
) -> SourceError:
    """The `SourceError` for anything a source's client raised; its message never holds a secret."""
    secrets = tuple(secrets)
    now = now or datetime.now(UTC)
    result = error if isinstance(error, SourceError) else _classify(error, service=service, now=now, auth_fix=auth_fix)
    message = scrub(result.message, secrets)[:MAX_MESSAGE]
    # A usage cap waits for the next UTC midnight by design; every other wait is capped.
    wait = result.retry_after_s if result.kind is ErrorKind.USAGE_CAP else cap_wait(result.retry_after_s)
    return SourceError(result.kind, message, retry_after_s=wait)


def _classify(error: BaseException, *, service: str, now: datetime, auth_fix: str) -> SourceError:
    guarded = _guard_failure(error, service)
    if guarded is not None:
        return guarded
    names = {cls.__name__ for cls in type(error).__mro__}
    if "RedditAPIException" in names:  # praw: a 200 whose JSON lists errors with Reddit's reason codes
        return SourceError(
            ErrorKind.INVALID_QUERY,
            f"{service} rejected the request ({_reddit_items(error)}). Edit the source on the Sources page.",
        )
    answer = _http_answer(error)
    if answer is not None:
        status, headers, body = answer
        return classify_response(status, headers, body, service=service, now=now, auth_fix=auth_fix)
    if "OAuthException" in names:  # prawcore: the token endpoint refused the app's credentials
        said = " ".join(str(part) for part in (getattr(error, "error", ""), getattr(error, "description", "")) if part)
        return SourceError(ErrorKind.AUTH, f"{service} refused the credentials ({said or error}). {auth_fix}")
    if "Redirect" in names and type(error).__module__.startswith("prawcore"):
        # Reddit answers an unknown subreddit with a redirect to its search page.
        return SourceError(
            ErrorKind.INVALID_QUERY,
            f"{service} has no such community ({getattr(error, 'path', error)}). Edit the source on the Sources page.",
        )
    if names & {"RefreshError", "LoginRequiredError"}:  # google-auth; atproto without a session
        return SourceError(ErrorKind.AUTH, f"{service} did not accept the credentials ({error}). {auth_fix}")
    if "MastodonRatelimitError" in names:
        return SourceError(ErrorKind.RATE_LIMITED, f"{service} rate limit reached (429); backing off.")
    if "ModelError" in names and type(error).__module__.startswith("atproto"):
        return SourceError(ErrorKind.BAD_DATA, f"{service} answered with a payload the client cannot read: {error}")
    original = getattr(error, "original_exception", None)  # prawcore's RequestException wraps the cause
    if isinstance(original, BaseException) and original is not error:
        return _classify(original, service=service, now=now, auth_fix=auth_fix)
    if isinstance(error, requests.Timeout) or names & {"TimeoutException", "InvokeTimeoutError", "TimeoutError"}:
        return SourceError(ErrorKind.TRANSIENT, f"{service} did not answer in time ({type(error).__name__}).")
    if names & {"MastodonNetworkError", "NetworkError", "TransportError", "ServerNotFoundError", "HttpLib2Error"}:
        # Mastodon.py, atproto (no answer, or a 409/413/502 worth retrying) and httpx, google-auth, httplib2.
        return SourceError(ErrorKind.TRANSIENT, f"Could not reach {service} ({type(error).__name__}: {error}).")
    if "MastodonAPIError" in names and "parse" in str(error):
        return SourceError(ErrorKind.TRANSIENT, f"{service} answered with a body that is not valid JSON: {error}")
    if isinstance(error, requests.exceptions.InvalidHeader):
        return SourceError(
            ErrorKind.AUTH,
            f"The {service} credential is malformed (it contains a space or a line break). {auth_fix}",
        )
    if isinstance(error, requests.ConnectionError):
        return SourceError(ErrorKind.TRANSIENT, f"Could not connect to {service}: {_why_unreachable(error)}.")
    if isinstance(error, (json.JSONDecodeError, requests.JSONDecodeError)):
        # A 200 whose body is cut short or is a proxy's error page: try again later.
        return SourceError(ErrorKind.TRANSIENT, f"{service} answered with a body that is not valid JSON: {error}")
    if isinstance(error, requests.RequestException):
        return SourceError(ErrorKind.TRANSIENT, f"Request to {service} failed: {type(error).__name__}: {error}")
    if isinstance(error, ConnectionError):
        return SourceError(ErrorKind.TRANSIENT, f"Could not connect to {service}: {_why_unreachable(error)}.")
    return SourceError(ErrorKind.UNEXPECTED, f"{type(error).__name__}: {error}")


def _chain(error: BaseException) -> list[BaseException]:
    """The error and what it wraps: prawcore's `original_exception`, explicit and implicit causes
    (Mastodon.py re-raises every requests error as `MastodonNetworkError` inside its `except`)."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        wrapped = getattr(current, "original_exception", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__ or current.__context__
    return seen


def _guard_failure(error: BaseException, service: str) -> SourceError | None:
    """The shared session's limits (`listeners.http`), a redirect loop or an unreachable address,
    whichever client wrapped them."""
    for cause in _chain(error):
        if isinstance(cause, ResponseTooLarge):
            return SourceError(
                ErrorKind.BAD_DATA,
                f"{service}: {cause}, the limit for one answer (VOC_SOURCE_MAX_RESPONSE_MB); reading stopped there.",
            )
        if isinstance(cause, DeadlineExceeded):
            return SourceError(ErrorKind.TRANSIENT, f"{service} was too slow: {cause}; the request was abandoned.")
        if isinstance(cause, UnreadableEncoding):
            return SourceError(ErrorKind.BAD_DATA, f"{service} answered with a body that cannot be read: {cause}.")
        if isinstance(cause, requests.TooManyRedirects):
            return SourceError(
                ErrorKind.BAD_DATA,
                f"{service} redirected more than {_redirect_limit(cause)} times "
                "(a redirect loop, or a moved address): check the address on the Sources page.",
            )
        names = {cls.__name__ for cls in type(cause).__mro__}
        if "ConnectTimeout" in names:  # requests' and httpx's
            return SourceError(ErrorKind.TRANSIENT, f"Could not connect to {service}: {CONNECT_TIMEOUT}.")
        if isinstance(cause, requests.ConnectionError) or names & {
            "ConnectError",
            "gaierror",
            "ConnectionRefusedError",
        }:
            why = _why_unreachable(cause)  # requests, httpx (atproto) and the socket errors beneath them
            if why != NO_CONNECTION:
                return SourceError(ErrorKind.TRANSIENT, f"Could not connect to {service}: {why}.")
    return None


def _redirect_limit(error: BaseException) -> str:
    found = re.search(r"Exceeded (\d+) redirects", str(error))  # requests' own words
    return found.group(1) if found else "the allowed number of"


def _why_unreachable(error: BaseException) -> str:
    """Why a connection failed, in words: no such host, refused, or (otherwise) no connection."""
    text = " ".join(f"{type(e).__name__} {e}" for e in _chain(error) + _reasons(error)).lower()
    if any(
        mark in text
        for mark in (
            "nameresolutionerror",
            "name or service not known",
            "nodename nor servname",
            "gaierror",
            "getaddrinfo",
        )
    ):
        return NO_SUCH_HOST
    if "connection refused" in text or "connectionrefusederror" in text or "errno 111" in text:
        return REFUSED
    return NO_CONNECTION


def _reasons(error: BaseException) -> list[BaseException]:
    # requests' ConnectionError carries urllib3's MaxRetryError, whose `reason` is the real failure.
    found: list[BaseException] = []
    for arg in getattr(error, "args", ()):
        reason = getattr(arg, "reason", None)
        if isinstance(arg, BaseException):
            found.append(arg)
        if isinstance(reason, BaseException):
            found.append(reason)
    return found


def _reddit_items(error: BaseException) -> str:
    """Reddit's own words from praw's `RedditAPIException`: `CODE: explanation (field)` for each item."""
    said = []
    for item in getattr(error, "items", None) or []:
        code = getattr(item, "error_type", None)
        text = getattr(item, "message", None)
        where = getattr(item, "field", None)
        part = ": ".join(str(p) for p in (code, text) if p)
        said.append(f"{part} (field {where})" if where else part)
    return "; ".join(p for p in said if p) or str(error)


def _http_answer(error: BaseException) -> tuple[int, Mapping[str, str], Any] | None:
    """The HTTP status, headers and body an error carries, whichever client raised it."""
    response = getattr(error, "response", None)
    if isinstance(response, requests.Response):
        # tweepy's HTTPException family, prawcore's ResponseException family, requests' HTTPError.
        if response.status_code >= 400:
            return response.status_code, response.headers, _body(response)
        return None
    if response is not None and isinstance(getattr(response, "status_code", None), int):
        # atproto: a `Response(status_code, headers, content)`; content is an XrpcError model or bytes.
        content: Any = getattr(response, "content", None)
        body: Any = content
        if hasattr(content, "error"):
            said = (getattr(content, "error", None), getattr(content, "message", None))
            body = {"error": " ".join(str(part) for part in said if part)}
        elif isinstance(content, bytes):
            body = _decode(content)
        return response.status_code, dict(getattr(response, "headers", None) or {}), body
    resp = getattr(error, "resp", None)
    if resp is not None and isinstance(getattr(resp, "status", None), int):
        # google-api-python-client's HttpError: an httplib2 response (a dict of headers) and bytes.
        return resp.status, dict(resp), _decode(getattr(error, "content", b""))
    args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    if type(error).__module__.startswith("mastodon") and len(args) >= 4 and isinstance(args[1], int):
        # Mastodon.py: MastodonAPIError("Mastodon API returned error", status, reason, error text).
        return args[1], {}, {"error": str(args[3] or args[2] or "")}
    return None


def _decode(content: Any) -> Any:
    if not isinstance(content, (bytes, str)):
        return content
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    try:
        return json.loads(text)
    except ValueError:
        return text


def classify_response(
    status: int,
    headers: Mapping[str, str],
    body: Any,
    *,
    service: str = "X",
    now: datetime | None = None,
    auth_fix: str = X_AUTH_FIX,
) -> SourceError:
    """The `SourceError` for an HTTP error answer (status, headers, parsed JSON body or text)."""
    now = now or datetime.now(UTC)
    said = api_message(body)
    detail = f": {said}" if said else ""
    if _usage_capped(status, body):
        until = next_utc_midnight(now)
        return SourceError(
            ErrorKind.USAGE_CAP,
            f"{service} usage cap reached ({status}{detail}). Paused until {until:%Y-%m-%d %H:%M} UTC and "
            f"tried once a day until the cap resets; raise the cap or add credits in the {service} "
            "Developer Console, then resume the source.",
            retry_after_s=(until - now).total_seconds(),
        )
    if status == 429:
        wait = _reset_wait(headers, now)
        when = f"retrying in {wait:.0f} s" if wait is not None else "no reset time given, backing off"
        return SourceError(
            ErrorKind.RATE_LIMITED, f"{service} rate limit reached (429{detail}); {when}.", retry_after_s=wait
        )
    community = _community_refusal(status, body)
    if community is not None:
        return SourceError(ErrorKind.INVALID_QUERY, f"{service}: {community}.")
    if status == 401:
        return SourceError(ErrorKind.AUTH, f"{service} rejected the credentials (401 Unauthorized{detail}). {auth_fix}")
    if status == 403:
        fix = X_PROJECT_FIX if service == "X" else auth_fix
        return SourceError(ErrorKind.AUTH, f"{service} refused access (403 Forbidden{detail}). {fix}")
    if status in (400, 404, 410, 422):
        return SourceError(
            ErrorKind.INVALID_QUERY,
            f"{service} rejected the request ({status}{detail}). Edit the source on the Sources page.",
        )
    if status >= 500 or status == 408:
        wait = parse_retry_after(_header(headers, "retry-after"), now)
        when = f"; it asked to retry in {wait:.0f} s" if wait is not None else ""
        return SourceError(
            ErrorKind.TRANSIENT,
            f"{service} is having trouble ({status}{detail}){when}.",
            retry_after_s=None if wait is None else wait + RESET_MARGIN_S,
        )
    return SourceError(ErrorKind.UNEXPECTED, f"{service} answered {status}{detail}.")


def _community_refusal(status: int, body: Any) -> str | None:
    """Reddit's refusal of one community (quarantined, private, banned), in words, or None."""
    if status not in (403, 404) or not isinstance(body, Mapping):
        return None
    reason = str(body.get("reason") or "").lower()
    if reason not in REDDIT_REASONS:
        return None
    own = " ".join(str(body.get(k) or "") for k in ("quarantine_message", "message") if body.get(k)).strip()
    said = f" Reddit says: {' '.join(own.split())[:200]}" if own and own.lower() != "forbidden" else ""
    return f"a community in this source {REDDIT_REASONS[reason]} ({status} {reason}).{said}".rstrip(".")


def api_message(body: Any) -> str:
    """The API's own words from an error body: X's `errors[].message`, problem `detail`/`title`."""
    if isinstance(body, str):
        return " ".join(body.split())[:200]
    if not isinstance(body, Mapping):
        return ""
    messages: list[str] = []
    errors = body.get("errors")
    if isinstance(errors, list):
        for entry in errors:
            if isinstance(entry, Mapping) and entry.get("message"):
                messages.append(str(entry["message"]))
            elif isinstance(entry, str):
                messages.append(entry)
    for key in ("detail", "title", "error", "message", "error_description"):
        value = body.get(key)
        if isinstance(value, Mapping):  # Google: {"error": {"code": 403, "message": ...}}
            value = value.get("message")
        if isinstance(value, str) and value and not messages:
            messages.append(value)
    return "; ".join(dict.fromkeys(messages))


def names_parameter(error: BaseException, parameter: str) -> bool:
    """True when an HTTP error's body blames `parameter` (X: `errors[].parameters.<name>`)."""
    response = getattr(error, "response", None)
    if not isinstance(response, requests.Response):
        return False
    body = _body(response)
    errors = body.get("errors") if isinstance(body, Mapping) else None
    for entry in errors if isinstance(errors, list) else []:
        if isinstance(entry, Mapping) and parameter in (entry.get("parameters") or {}):
            return True
    return False


def _usage_capped(status: int, body: Any) -> bool:
    if status == 402:  # pay-per-use: the credit balance is spent
        return True
    if status not in (403, 429) or not isinstance(body, Mapping):
        return False
    kind = str(body.get("type", ""))
    return kind.endswith("/usage-capped") or body.get("title") == "UsageCapExceeded"


def _reset_wait(headers: Mapping[str, str], now: datetime) -> float | None:
    # X: `x-rate-limit-reset`, epoch seconds. Bluesky: `ratelimit-reset`, epoch seconds. Reddit:
    # `x-ratelimit-reset`, seconds until the window resets. Mastodon: `X-RateLimit-Reset`, an ISO time.
    # Whatever a header says, the wait is finite, not negative and at most MAX_WAIT_S.
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
        reset = _header(headers, name)
        if reset is None:
            continue
        try:
            value = float(reset)
        except ValueError:
            try:
                moment = datetime.fromisoformat(str(reset).strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            return cap_wait(max((moment - now).total_seconds(), 0.0) + RESET_MARGIN_S)
        if not math.isfinite(value) or value < 0:
            continue
        if value > 1e9:  # an epoch time, not a number of seconds
            return cap_wait(max(value - now.timestamp(), 0.0) + RESET_MARGIN_S)
        return cap_wait(value + RESET_MARGIN_S)
    wait = parse_retry_after(_header(headers, "retry-after"), now)
    return None if wait is None else cap_wait(wait + RESET_MARGIN_S)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    getter = getattr(headers, "get", None)
    value = getter(name) if getter else None  # requests' headers are case-insensitive
    if value is None:
        lowered = {key.lower(): v for key, v in headers.items()}
        value = lowered.get(name)
    return value


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
