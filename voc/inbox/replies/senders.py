"""Posting a reply through each network's own API, with the client libraries the listeners use,
and finding a reply already posted (to reconcile an attempt whose outcome was not recorded).

- X: tweepy `Client.create_tweet(in_reply_to_tweet_id=...)` with OAuth 1.0a user context; found
  again among the account's own posts (`get_users_tweets`) by the post it replies to;
- Mastodon: Mastodon.py `status_post(in_reply_to_id=..., visibility=<the customer's>,
  idempotency_key=<the draft's key>)`; a post on another instance is first resolved on ours;
  found again among the account's statuses by `in_reply_to_id`;
- Bluesky: atproto `com.atproto.repo.createRecord` with root and parent strong references and
  the draft's own record key (a TID minted with the draft), so the post has a name before it
  exists: found again with `getRecord`, and a second create with the same key cannot make a second post;
- Reddit: praw `Comment.reply` / `Submission.reply` as the brand's account; found again among its
  newest comments by `parent_id`; prawcore's own retries are off (a retried POST could post twice);
- Google Play: google-api-python-client `reviews.reply`; a review has one developer reply, so a
  second call replaces it rather than adding one; found again with `reviews.get`.

Every failure becomes a `SendFailure` carrying the network's own explanation, whether the network
*confirmed* nothing was posted (a refusal) or the outcome is unknown (a timeout, a 5xx), and when
to retry. Credentials never appear in a message. Domain: no Streamlit, no `listeners` import.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

import requests

from voc.settings import Settings

TWEEPY_HOST = "https://api.twitter.com"
SNOWFLAKE_EPOCH_MS = 1288834974657
LOOK_BACK = timedelta(minutes=2)  # clocks differ: look a little before the first attempt
USER_AGENT = "voc-replies/0.1 (customer-voice app)"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


class FailureKind:
    RATE_LIMITED = "rate_limited"
    DUPLICATE = "duplicate"
    PARENT_GONE = "parent_gone"
    AUTH = "auth"
    REFUSED = "refused"
    UNCONFIRMED = "unconfirmed"
    NOT_CONFIGURED = "not_configured"


class SendFailure(Exception):
    """A reply that did not (or may not) go out, with the network's own explanation."""

    def __init__(self, kind: str, explanation: str, *, confirmed: bool = True, retry_after_s: float | None = None):
        super().__init__(explanation)
        self.kind = kind
        self.explanation = explanation
        self.confirmed = confirmed  # the network said no: nothing was posted
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class ReplyTarget:
    """What a reply answers: the stored item and where its source reads from."""

    item_id: int
    external_id: str
    link: str | None
    author: str | None
    language: str | None
    source_config: Mapping[str, Any]


@dataclass(frozen=True)
class Posted:
    """A reply on the network: its id there, its address, and the network's time of it."""

    remote_id: str
    url: str | None
    posted_at: datetime


class Sender(Protocol):
    network: str

    def post(self, target: ReplyTarget, text: str, *, key: str, network_key: str | None) -> Posted: ...

    def find(
        self, target: ReplyTarget, text: str, *, since: datetime, key: str, network_key: str | None
    ) -> Posted | None: ...


def mint_tid(now: datetime | None = None) -> str:
    """An AT Protocol TID (13 base32-sortable characters: microseconds and a random clock id)."""
    micros = int(((now or datetime.now(UTC)).timestamp()) * 1_000_000)
    value = (micros << 10) | secrets.randbelow(1024)
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def snowflake_time(post_id: str | int) -> datetime:
    """When an X id was minted (X's time of the post)."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, tz=UTC)


class TimedSession(requests.Session):
    """A requests session with a deadline on every call (tweepy and Mastodon.py set none by
    default), optionally sending tweepy's hard-coded host to another address."""

    def __init__(self, timeout_s: float, *, rewrite: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.timeout = (min(5.0, timeout_s), timeout_s)
        self.rewrite = rewrite

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if self.rewrite and isinstance(url, str) and url.startswith(self.rewrite[0]):
            url = self.rewrite[1].rstrip("/") + url[len(self.rewrite[0]) :]
        return super().request(method, url, *args, **kwargs)


def scrubbed(text: str, secrets_: Iterable[str | None]) -> str:
    for secret in secrets_:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[secret]")
    return text


def _retry_at(seconds: float | None) -> str:
    if seconds is None:
        return ""
    at = datetime.now(UTC) + timedelta(seconds=max(0.0, seconds))
    return f" Try again after {at:%H:%M} UTC."


def _json(response: Any) -> Any:
    try:
        return response.json()
    except Exception:  # noqa: BLE001 - an error page that is not JSON: no explanation to read
        return None


# ---- X -------------------------------------------------------------------------------------------

MISSING_X = (
    "Replies on X need the brand account's write credentials: set X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN "
    "and X_ACCESS_TOKEN_SECRET (OAuth 1.0a, read and write) and restart the app."
)


class XSender:
    """Replies on X as the brand account (OAuth 1.0a user context)."""

    network = "x"

    def __init__(
        self,
        *,
        api_key: str | None,
        api_secret: str | None,
        access_token: str | None,
        access_token_secret: str | None,
        base_url: str = TWEEPY_HOST,
        timeout_s: float = 30.0,
    ) -> None:
        import tweepy

        self._secrets = [api_key, api_secret, access_token, access_token_secret]
        self.configured = all(self._secrets)
        self.client = tweepy.Client(
            consumer_key=api_key,
            consumer_secret=api_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            return_type=dict,
            wait_on_rate_limit=False,
        )
        rewrite = (TWEEPY_HOST, base_url) if base_url.rstrip("/") != TWEEPY_HOST else None
        self.client.session = TimedSession(timeout_s, rewrite=rewrite)

    def __repr__(self) -> str:
        return "XSender()"

    def post(self, target: ReplyTarget, text: str, *, key: str, network_key: str | None) -> Posted:
        self._check()
        try:
            answer = self.client.create_tweet(text=text, in_reply_to_tweet_id=target.external_id, user_auth=True)
        except Exception as error:
            raise self._explain(error) from None
        post_id = str((answer.get("data") or {}).get("id") or "")
        if not post_id.isdigit():
            raise SendFailure(FailureKind.UNCONFIRMED, "X answered without the new post's id.", confirmed=False)
        return Posted(post_id, f"https://x.com/i/web/status/{post_id}", snowflake_time(post_id))

    def find(
        self, target: ReplyTarget, text: str, *, since: datetime, key: str, network_key: str | None
    ) -> Posted | None:
        self._check()
        try:
            me = str(self.client.get_me(user_auth=True)["data"]["id"])
            answer = self.client.get_users_tweets(
                me,
                start_time=since - LOOK_BACK,
                max_results=100,
                tweet_fields=["created_at", "referenced_tweets"],
                user_auth=True,
            )
        except Exception as error:
            raise self._explain(error) from None
        for post in answer.get("data") or []:
            refs = post.get("referenced_tweets") or []
            if any(r.get("type") == "replied_to" and str(r.get("id")) == target.external_id for r in refs):
                post_id = str(post["id"])
                return Posted(post_id, f"https://x.com/i/web/status/{post_id}", snowflake_time(post_id))
        return None

    def _check(self) -> None:
        if not self.configured:
            raise SendFailure(FailureKind.NOT_CONFIGURED, MISSING_X)

    def _explain(self, error: BaseException) -> SendFailure:
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
        if status is None:
            said = scrubbed(f"{type(error).__name__}: {error}", self._secrets)
            return SendFailure(FailureKind.UNCONFIRMED, f"X did not confirm the reply ({said}).", confirmed=False)
        body = _json(response) or {}
        said = _x_message(body) or getattr(response, "reason", "") or "no reason given"
        said = scrubbed(str(said), self._secrets)
        lowered = said.lower()
        if status == 429:
            reset = (getattr(response, "headers", {}) or {}).get("x-rate-limit-reset")
            wait = max(0.0, float(reset) - time.time()) if reset and str(reset).isdigit() else 60.0
            return SendFailure(FailureKind.RATE_LIMITED, f"X: {said} (429).{_retry_at(wait)}", retry_after_s=wait)
        if status == 401:
            return SendFailure(
                FailureKind.AUTH,
                f"X did not accept the write credentials: {said} (401). Check X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN "
                "and X_ACCESS_TOKEN_SECRET (the access token may have been revoked or lack write permission).",
            )
        if "duplicate" in lowered:
            return SendFailure(
                FailureKind.DUPLICATE, f"X refused: {said} ({status}). Change the wording and send again."
            )
        if status == 404 or "deleted" in lowered or "not visible" in lowered:
            return SendFailure(FailureKind.PARENT_GONE, f"X: {said} ({status}). The customer's post is gone.")
        if status >= 500:
            return SendFailure(FailureKind.UNCONFIRMED, f"X: {said} ({status}).", confirmed=False)
        return SendFailure(FailureKind.REFUSED, f"X refused the reply: {said} ({status}).")


def _x_message(body: Any) -> str:
    if not isinstance(body, Mapping):
        return ""
    if body.get("detail"):
        return str(body["detail"])
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return str(errors[0].get("message") or errors[0].get("detail") or "")
    return str(body.get("title") or "")


# ---- Mastodon -----------------------------------------------------------------------------------

MISSING_MASTODON = (
    "Replies on Mastodon need a token with write:statuses and read:statuses for the brand's account: create one "
    "(Preferences → Development → New application) on the instance in VOC_MASTODON_INSTANCE, put it in "
    "MASTODON_REPLY_TOKEN and restart the app."
)


def host_of(url: str) -> str:
    parsed = urlparse(url if "://" in url else f"https://{url}")
    return (parsed.netloc or "").lower()


class MastodonSender:
    """Replies on Mastodon from the brand's account on its own instance, with the customer's visibility."""

    network = "mastodon"

    def __init__(self, *, instance: str, token: str | None, timeout_s: float = 30.0) -> None:
        from mastodon import Mastodon

        self.instance = instance.rstrip("/")
        if self.instance and "://" not in self.instance:
            self.instance = f"https://{self.instance}"
        self._token = token
        self.configured = bool(token and instance)
        self.client = Mastodon(
            api_base_url=self.instance or "https://invalid.invalid",
            access_token=token,
            ratelimit_method="throw",
            request_timeout=timeout_s,
            mastodon_version="4.0.0",
            version_check_mode="none",
            session=TimedSession(timeout_s),
            user_agent=USER_AGENT,
        )

    def __repr__(self) -> str:
        return f"MastodonSender({self.instance!r})"

    def mention(self, target: ReplyTarget) -> str | None:
        """The customer's handle as our instance knows it (`@user@their.instance` when remote)."""
        author = target.author
        if not author or not author.startswith("@"):
            return author
        source_host = host_of(str(target.source_config.get("instance") or ""))
        if "@" in author[1:] or not source_host or source_host == host_of(self.instance):
            return author
        return f"{author}@{source_host}"

    def post(self, target: ReplyTarget, text: str, *, key: str, network_key: str | None) -> Posted:
        self._check()
        try:
            parent_id = self._local_id(target)
            parent = self.client.status(parent_id)
            visibility = str(parent.get("visibility") or "public")
            status = self.client.status_post(
                text,
                in_reply_to_id=parent_id,
                visibility=visibility,
                idempotency_key=key,
                language=target.language or None,
            )
        except SendFailure:
            raise
        except Exception as error:
            raise self._explain(error) from None
        return _mastodon_posted(status)

    def find(
        self, target: ReplyTarget, text: str, *, since: datetime, key: str, network_key: str | None
    ) -> Posted | None:
        self._check()
        try:
            parent_id = self._local_id(target)
            me = self.client.me()
            statuses = self.client.account_statuses(me["id"], limit=40, exclude_reblogs=True)
        except SendFailure as failure:
            if failure.kind == FailureKind.PARENT_GONE:
                return None
            raise
        except Exception as error:
            raise self._explain(error) from None
        for status in statuses or []:
            if str(status.get("in_reply_to_id")) == str(parent_id):
                return _mastodon_posted(status)
        return None

    def _local_id(self, target: ReplyTarget) -> str:
        """The parent's id on our instance: the stored one when the source reads our instance,
        else the post resolved from its address (Mastodon ids are per instance)."""
        source_host = host_of(str(target.source_config.get("instance") or ""))
        if not source_host or source_host == host_of(self.instance):
            return target.external_id
        found = self.client.search_v2(target.link or "", resolve=True, result_type="statuses")
        statuses = found.get("statuses") if isinstance(found, Mapping) else None
        if not statuses:
            raise SendFailure(
                FailureKind.PARENT_GONE,
                "Mastodon: the customer's post could not be found from the brand's instance (deleted, or not visible).",
            )
        return str(statuses[0]["id"])

    def _check(self) -> None:
        if not self.configured:
            raise SendFailure(FailureKind.NOT_CONFIGURED, MISSING_MASTODON)

    def _explain(self, error: BaseException) -> SendFailure:
        names = {cls.__name__ for cls in type(error).__mro__}
        args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
        status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
        said = scrubbed(
            str(args[3] if len(args) > 3 and args[3] else args[2] if len(args) > 2 else error), [self._token]
        )
        if "MastodonRatelimitError" in names or status == 429:
            reset = getattr(self.client, "ratelimit_reset", None)
            wait = max(0.0, float(reset) - time.time()) if isinstance(reset, (int, float)) else 60.0
            return SendFailure(
                FailureKind.RATE_LIMITED, f"Mastodon: too many requests (429).{_retry_at(wait)}", retry_after_s=wait
            )
        if "MastodonUnauthorizedError" in names or status == 401:
            return SendFailure(
                FailureKind.AUTH,
                f"Mastodon did not accept the token: {said} (401). {MISSING_MASTODON}",
            )
        if "MastodonNotFoundError" in names or status == 404:
            return SendFailure(FailureKind.PARENT_GONE, f"Mastodon: {said} (404). The customer's post is gone.")
        if names & {"MastodonNetworkError", "MastodonServerError", "MastodonGatewayTimeoutError"} or (
            status is not None and status >= 500
        ):
            return SendFailure(
                FailureKind.UNCONFIRMED, f"Mastodon did not confirm the reply ({said}).", confirmed=False
            )
        if status is None:
            return SendFailure(
                FailureKind.UNCONFIRMED, f"Mastodon did not confirm the reply ({said}).", confirmed=False
            )
        return SendFailure(FailureKind.REFUSED, f"Mastodon refused the reply: {said} ({status}).")


def _mastodon_posted(status: Mapping[str, Any]) -> Posted:
    created = status.get("created_at")
    if isinstance(created, datetime):
        moment = created if created.tzinfo else created.replace(tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    return Posted(str(status["id"]), status.get("url") or status.get("uri"), moment.astimezone(UTC))


# ---- Bluesky -------------------------------------------------------------------------------------

MISSING_BLUESKY = (
    "Replies on Bluesky need the brand account's handle and an app password: set BLUESKY_HANDLE and "
    "BLUESKY_APP_PASSWORD and restart the app."
)
POST_COLLECTION = "app.bsky.feed.post"


class BlueskySender:
    """Replies on Bluesky with root and parent references, under a record key minted with the draft."""

    network = "bluesky"

    def __init__(
        self,
        *,
        handle: str | None,
        app_password: str | None,
        service_url: str = "https://bsky.social",
        timeout_s: float = 30.0,
        transport: Any = None,
    ) -> None:
        import httpx
        from atproto import Client
        from atproto_client.request import Request

        self._handle = handle
        self._password = app_password
        self.configured = bool(handle and app_password)
        request = Request(timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)), transport=transport)
        self.client = Client(base_url=service_url, request=request)
        self._did: str | None = None

    def __repr__(self) -> str:
        return "BlueskySender()"

    def post(self, target: ReplyTarget, text: str, *, key: str, network_key: str | None) -> Posted:
        from atproto import models

        self._check()
        if not network_key:
            raise SendFailure(
                FailureKind.REFUSED, "This Bluesky draft has no record key; discard it and write it again."
            )
        uri = _at_uri(target)
        try:
            did = self._sign_in()
            parent = self._post(uri)
            if parent is None:
                raise SendFailure(
                    FailureKind.PARENT_GONE, "Bluesky: the customer's post is no longer there (deleted or blocked)."
                )
            parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent["uri"], cid=parent["cid"])
            reply = (parent.get("record") or {}).get("reply") or {}
            root = reply.get("root") if isinstance(reply.get("root"), Mapping) else None
            root_ref = models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"]) if root else parent_ref
            record = models.AppBskyFeedPost.Record(
                text=text,
                created_at=self.client.get_current_time_iso(),
                reply=models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref),
                langs=[target.language] if target.language else None,
            )
            created = self.client.com.atproto.repo.create_record(
                models.ComAtprotoRepoCreateRecord.Data(
                    repo=did, collection=POST_COLLECTION, record=record, rkey=network_key
                )
            )
            indexed = self._post(created.uri)
        except SendFailure:
            raise
        except Exception as error:
            raise self._explain(error) from None
        moment = _iso((indexed or {}).get("indexedAt")) or _iso(record.created_at) or datetime.now(UTC)
        return Posted(created.uri, _bsky_link(created.uri, self._handle), moment)

    def find(
        self, target: ReplyTarget, text: str, *, since: datetime, key: str, network_key: str | None
    ) -> Posted | None:
        self._check()
        if not network_key:
            return None
        try:
            did = self._sign_in()
            uri = f"at://{did}/{POST_COLLECTION}/{network_key}"
            found = self._post(uri)
        except Exception as error:
            raise self._explain(error) from None
        if found is None:
            return None
        moment = _iso(found.get("indexedAt")) or _iso((found.get("record") or {}).get("createdAt")) or since
        return Posted(uri, _bsky_link(uri, self._handle), moment)

    def _sign_in(self) -> str:
        if self._did is None:
            self.client.login(self._handle, self._password, fetch_bsky_profile=False)
            self._did = str(self.client._session.did)  # the account the app password signed in
        return self._did

    def _post(self, uri: str) -> dict[str, Any] | None:
        from atproto import models

        response = self.client.invoke_query(
            "app.bsky.feed.getPosts", params=models.AppBskyFeedGetPosts.Params(uris=[uri])
        )
        posts = response.content.get("posts") if isinstance(response.content, dict) else None
        return posts[0] if posts else None

    def _check(self) -> None:
        if not self.configured:
            raise SendFailure(FailureKind.NOT_CONFIGURED, MISSING_BLUESKY)

    def _explain(self, error: BaseException) -> SendFailure:
        names = {cls.__name__ for cls in type(error).__mro__}
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
        content = getattr(response, "content", None)
        name = getattr(content, "error", None) or (content.get("error") if isinstance(content, Mapping) else None)
        message = getattr(content, "message", None) or (
            content.get("message") if isinstance(content, Mapping) else None
        )
        said = scrubbed(": ".join(str(p) for p in (name, message) if p) or str(error), [self._password])
        if "RateLimitExceededError" in names or status == 429:
            reset = getattr(error, "reset_at", None)
            wait = max(0.0, (reset - datetime.now(UTC)).total_seconds()) if isinstance(reset, datetime) else 60.0
            return SendFailure(FailureKind.RATE_LIMITED, f"Bluesky: {said} (429).{_retry_at(wait)}", retry_after_s=wait)
        if "UnauthorizedError" in names or name in ("ExpiredToken", "InvalidToken", "AuthenticationRequired"):
            self._did = None
            return SendFailure(FailureKind.AUTH, f"Bluesky did not accept the credentials: {said}. {MISSING_BLUESKY}")
        if name in ("NotFound", "RecordNotFound"):
            return SendFailure(FailureKind.PARENT_GONE, f"Bluesky: {said}. The customer's post is gone.")
        if "BadRequestError" in names:
            return SendFailure(FailureKind.REFUSED, f"Bluesky refused the reply: {said} (400).")
        return SendFailure(FailureKind.UNCONFIRMED, f"Bluesky did not confirm the reply ({said}).", confirmed=False)


def _at_uri(target: ReplyTarget) -> str:
    if target.external_id.startswith("at://"):
        return target.external_id
    # A post stored under its hash (a very long AT URI): rebuild it from the bsky.app address.
    parts = urlparse(target.link or "").path.strip("/").split("/")
    if len(parts) == 4 and parts[0] == "profile" and parts[2] == "post":
        return f"at://{parts[1]}/{POST_COLLECTION}/{parts[3]}"
    raise SendFailure(FailureKind.PARENT_GONE, "Bluesky: the stored item does not say which post it is.")


def _bsky_link(uri: str, handle: str | None) -> str | None:
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"


def _iso(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


# ---- Reddit --------------------------------------------------------------------------------------

MISSING_REDDIT = (
    "Replies on Reddit need the script app's id and secret (REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET) and the "
    "account it posts as (REDDIT_USERNAME, REDDIT_PASSWORD); restart the app after setting them."
)
REDDIT_GONE = {"DELETED_COMMENT", "DELETED_LINK", "THREAD_LOCKED", "TOO_OLD", "INVALID_PARENT", "NOT_FOUND"}


class RedditSender:
    """Replies on Reddit as the brand's account (a script app with the password grant)."""

    network = "reddit"

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        username: str | None,
        password: str | None,
        user_agent: str,
        oauth_url: str = "https://oauth.reddit.com",
        reddit_url: str = "https://www.reddit.com",
        timeout_s: float = 30.0,
    ) -> None:
        import praw
        from prawcore.sessions import FiniteRetryStrategy

        @dataclass(frozen=True)
        class NoRetries(FiniteRetryStrategy):
            """A retried POST could post twice: the reconciliation decides, never prawcore."""

            def should_retry_on_failure(self) -> bool:
                return False

            def _sleep_seconds(self) -> float | None:
                return None

        self._secrets = [client_secret, password]
        self.username = username
        self.configured = bool(client_id and client_secret and username and password)
        self.reddit: Any = None
        if self.configured:
            self.reddit = praw.Reddit(
                client_id=client_id,
                client_secret=client_secret,
                username=username,
                password=password,
                user_agent=user_agent,
                check_for_updates=False,
                check_for_async=False,
                timeout=int(timeout_s),
                oauth_url=oauth_url,
                reddit_url=reddit_url,
                requestor_kwargs={"session": TimedSession(timeout_s)},
            )
            for core in (self.reddit._core, self.reddit._read_only_core, self.reddit._authorized_core):
                if core is not None and hasattr(core, "_retry_strategy_class"):
                    core._retry_strategy_class = NoRetries

    def __repr__(self) -> str:
        return "RedditSender()"

    def post(self, target: ReplyTarget, text: str, *, key: str, network_key: str | None) -> Posted:
        self._check()
        try:
            comment = self._thing(target).reply(text)
        except Exception as error:
            raise self._explain(error) from None
        if comment is None:
            raise SendFailure(FailureKind.REFUSED, "Reddit did not take the reply (the thread may be locked).")
        return _reddit_posted(comment)

    def find(
        self, target: ReplyTarget, text: str, *, since: datetime, key: str, network_key: str | None
    ) -> Posted | None:
        self._check()
        earliest = (since - LOOK_BACK).timestamp()
        try:
            for comment in self.reddit.redditor(self.username).comments.new(limit=25):
                fields = vars(comment)
                if fields.get("parent_id") == target.external_id and float(fields.get("created_utc") or 0) >= earliest:
                    return _reddit_posted(comment)
        except Exception as error:
            raise self._explain(error) from None
        return None

    def _thing(self, target: ReplyTarget) -> Any:
        kind, _, thing_id = target.external_id.partition("_")
        if kind == "t1":
            return self.reddit.comment(id=thing_id)
        if kind == "t3":
            return self.reddit.submission(id=thing_id)
        raise SendFailure(FailureKind.PARENT_GONE, "Reddit: the stored item does not say which post or comment it is.")

    def _check(self) -> None:
        if not self.configured:
            raise SendFailure(FailureKind.NOT_CONFIGURED, MISSING_REDDIT)

    def _explain(self, error: BaseException) -> SendFailure:
        names = {cls.__name__ for cls in type(error).__mro__}
        if "RedditAPIException" in names:
            items = list(getattr(error, "items", []) or [])
            first = items[0] if items else None
            code = str(getattr(first, "error_type", "") or "")
            said = scrubbed(str(getattr(first, "message", "") or error), self._secrets)
            if code == "RATELIMIT":
                wait = _reddit_wait(said)
                return SendFailure(
                    FailureKind.RATE_LIMITED, f"Reddit: {said} ({code}).{_retry_at(wait)}", retry_after_s=wait
                )
            if code in REDDIT_GONE:
                return SendFailure(FailureKind.PARENT_GONE, f"Reddit: {said} ({code}).")
            return SendFailure(FailureKind.REFUSED, f"Reddit refused the reply: {said} ({code or 'no code'}).")
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
        if "OAuthException" in names or "InvalidToken" in names or status == 401:
            said = scrubbed(
                " ".join(str(p) for p in (getattr(error, "error", ""), getattr(error, "description", "")) if p)
                or str(error),
                self._secrets,
            )
            return SendFailure(FailureKind.AUTH, f"Reddit did not accept the account: {said}. {MISSING_REDDIT}")
        if "TooManyRequests" in names or status == 429:
            reset = (getattr(response, "headers", {}) or {}).get("x-ratelimit-reset")
            wait = float(reset) if reset and str(reset).replace(".", "", 1).isdigit() else 60.0
            return SendFailure(
                FailureKind.RATE_LIMITED, f"Reddit: too many requests (429).{_retry_at(wait)}", retry_after_s=wait
            )
        if "NotFound" in names or status == 404:
            return SendFailure(FailureKind.PARENT_GONE, "Reddit: the post or comment is gone (404).")
        if "Forbidden" in names or status == 403:
            return SendFailure(FailureKind.REFUSED, "Reddit refused the reply (403): the account may be banned there.")
        said = scrubbed(f"{type(error).__name__}: {error}", self._secrets)
        return SendFailure(FailureKind.UNCONFIRMED, f"Reddit did not confirm the reply ({said}).", confirmed=False)


def _reddit_wait(message: str) -> float:
    """Reddit's RATELIMIT says "Take a break for 5 minutes" (or seconds) in words."""
    import re

    found = re.search(r"(\d+)\s*(second|minute)", message)
    if not found:
        return 60.0
    return float(found.group(1)) * (60 if found.group(2) == "minute" else 1)


def _reddit_posted(comment: Any) -> Posted:
    fields = vars(comment)
    name = fields.get("name") or f"t1_{fields.get('id')}"
    permalink = str(fields.get("permalink") or "")
    created = fields.get("created_utc")
    moment = datetime.fromtimestamp(float(created), tz=UTC) if created is not None else datetime.now(UTC)
    return Posted(str(name), f"https://www.reddit.com{permalink}" if permalink.startswith("/") else None, moment)


# ---- Google Play ---------------------------------------------------------------------------------

MISSING_PLAY = (
    "Replies on Google Play need the service account of the reviews source with the Play Console permission "
    "“Reply to reviews”: set GOOGLE_PLAY_SERVICE_ACCOUNT_FILE and restart the app."
)
PLAY_SCOPE = "https://www.googleapis.com/auth/androidpublisher"


class GooglePlaySender:
    """Replies to Google Play reviews (a review has one developer reply: a second replaces it)."""

    network = "google_play"

    def __init__(self, *, credentials_file: str | None, api_url: str = "", timeout_s: float = 30.0) -> None:
        self.credentials_file = credentials_file
        self.api_url = api_url
        self.timeout_s = timeout_s
        self.configured = bool(credentials_file)
        self._service: Any = None

    def __repr__(self) -> str:
        return "GooglePlaySender()"

    def post(self, target: ReplyTarget, text: str, *, key: str, network_key: str | None) -> Posted:
        package, review_id = self._review(target)
        try:
            answer = self._reviews().reply(packageName=package, reviewId=review_id, body={"replyText": text}).execute()
        except SendFailure:
            raise
        except Exception as error:
            raise self._explain(error) from None
        result = answer.get("result") if isinstance(answer, Mapping) else None
        moment = _play_time((result or {}).get("lastEdited")) or datetime.now(UTC)
        return Posted(review_id, target.link, moment)

    def find(
        self, target: ReplyTarget, text: str, *, since: datetime, key: str, network_key: str | None
    ) -> Posted | None:
        package, review_id = self._review(target)
        try:
            review = self._reviews().get(packageName=package, reviewId=review_id).execute()
        except SendFailure:
            raise
        except Exception as error:
            failure = self._explain(error)
            if failure.kind == FailureKind.PARENT_GONE:
                return None
            raise failure from None
        for comment in review.get("comments") or []:
            reply = comment.get("developerComment") if isinstance(comment, Mapping) else None
            if isinstance(reply, Mapping) and str(reply.get("text") or "").strip() == text.strip():
                return Posted(review_id, target.link, _play_time(reply.get("lastModified")) or since)
        return None

    def _review(self, target: ReplyTarget) -> tuple[str, str]:
        if not self.configured:
            raise SendFailure(FailureKind.NOT_CONFIGURED, MISSING_PLAY)
        package = str(target.source_config.get("package") or "")
        review_id = (parse_qs(urlparse(target.link or "").query).get("reviewId") or [target.external_id])[0]
        if not package or review_id.startswith("sha256:"):
            raise SendFailure(FailureKind.PARENT_GONE, "Google Play: the stored item does not say which review it is.")
        return package, review_id

    def _reviews(self) -> Any:
        if self._service is None:
            import google_auth_httplib2
            import httplib2
            from google.oauth2 import service_account
            from googleapiclient.discovery import build

            try:
                credentials = service_account.Credentials.from_service_account_file(
                    str(self.credentials_file), scopes=[PLAY_SCOPE]
                )
            except (FileNotFoundError, ValueError) as error:
                raise SendFailure(
                    FailureKind.AUTH, f"Google Play key file unusable ({type(error).__name__}). {MISSING_PLAY}"
                ) from None
            authorised = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=self.timeout_s))
            options = {"api_endpoint": self.api_url} if self.api_url else None
            self._service = build(
                "androidpublisher",
                "v3",
                http=authorised,
                cache_discovery=False,
                static_discovery=True,
                client_options=options,
            )
        return self._service.reviews()

    def _explain(self, error: BaseException) -> SendFailure:
        names = {cls.__name__ for cls in type(error).__mro__}
        if "RefreshError" in names:
            return SendFailure(FailureKind.AUTH, f"Google did not accept the service account ({error}). {MISSING_PLAY}")
        status = getattr(getattr(error, "resp", None), "status", None)
        if status is None:
            return SendFailure(
                FailureKind.UNCONFIRMED,
                f"Google Play did not confirm the reply ({type(error).__name__}).",
                confirmed=False,
            )
        status = int(status)
        body: Any = None
        try:
            body = json.loads(getattr(error, "content", b"") or b"{}")
        except ValueError:
            body = None
        said = str(((body or {}).get("error") or {}).get("message") or getattr(error, "reason", "") or "no reason")
        if status == 429:
            return SendFailure(
                FailureKind.RATE_LIMITED, f"Google Play: {said} (429).{_retry_at(60.0)}", retry_after_s=60.0
            )
        if status in (401, 403):
            return SendFailure(
                FailureKind.AUTH, f"Google Play refused the service account: {said} ({status}). {MISSING_PLAY}"
            )
        if status == 404:
            return SendFailure(FailureKind.PARENT_GONE, f"Google Play: {said} (404). The review is gone.")
        if status >= 500:
            return SendFailure(FailureKind.UNCONFIRMED, f"Google Play: {said} ({status}).", confirmed=False)
        return SendFailure(FailureKind.REFUSED, f"Google Play refused the reply: {said} ({status}).")


def _play_time(value: Any) -> datetime | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return datetime.fromtimestamp(int(value["seconds"]) + int(value.get("nanos") or 0) / 1e9, tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


# ---- from the settings ------------------------------------------------------------------------------

SenderFactory = Callable[[str], Sender]


def senders_from_settings(settings: Settings) -> SenderFactory:
    """A sender per network, built once from the settings' write credentials."""
    built: dict[str, Sender] = {}
    timeout = settings.reply_request_timeout_s

    def make(network: str) -> Sender:
        if network in built:
            return built[network]
        sender: Sender
        if network == "x":
            sender = XSender(
                api_key=settings.x_api_key,
                api_secret=settings.x_api_secret,
                access_token=settings.x_access_token,
                access_token_secret=settings.x_access_token_secret,
                base_url=settings.x_api_base_url,
                timeout_s=timeout,
            )
        elif network == "mastodon":
            sender = MastodonSender(
                instance=settings.mastodon_instance, token=settings.mastodon_reply_token, timeout_s=timeout
            )
        elif network == "bluesky":
            sender = BlueskySender(
                handle=settings.bluesky_handle,
                app_password=settings.bluesky_app_password,
                service_url=settings.bluesky_service_url,
                timeout_s=timeout,
            )
        elif network == "reddit":
            sender = RedditSender(
                client_id=settings.reddit_client_id,
                client_secret=settings.reddit_client_secret,
                username=settings.reddit_username,
                password=settings.reddit_password,
                user_agent=settings.reddit_user_agent,
                oauth_url=settings.reddit_oauth_url,
                reddit_url=settings.reddit_url,
                timeout_s=timeout,
            )
        elif network == "google_play":
            sender = GooglePlaySender(
                credentials_file=settings.google_play_service_account_file,
                api_url=settings.google_play_api_url,
                timeout_s=timeout,
            )
        else:
            raise ValueError(f"no sender for network {network!r}")
        built[network] = sender
        return sender

    return make
