"""One loopback stand-in for the five networks the app replies on, answering with payloads shaped
as each provider documents them (X API v2, Mastodon, AT Protocol XRPC, Reddit, Google Play
Developer API), errors included. It keeps what was posted, so a test can say "exactly once".

Every account, post and token in it is made up. `fail_next(network, status, body, headers)` makes
the next write of that network fail the documented way; `stall_next(network, seconds)` makes it
accept the post and answer only after the client has given up (a reply that landed unconfirmed).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.local_sources import SESSION, fixture_json

X_SNOWFLAKE_EPOCH_MS = 1288834974657
X_ME = {"id": "1600000000000000001", "name": "Northwind Care", "username": "northwindcare"}
MASTODON_ME_ID = "109000000000000001"
BRAND_DID = "did:plc:brand"
REDDIT_ME = "northwind_care"
PLAY_PACKAGE = "com.northwind.mobile"

# Documented error bodies (docs.x.com "Response codes and errors"; Mastodon API "Error"; XRPC errors;
# Reddit's api_type=json errors; Google's JSON error format).
X_RATE_LIMITED = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
X_DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
X_PARENT_DELETED = {
    "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
X_UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
MASTODON_NOT_FOUND = {"error": "Record not found"}
MASTODON_TOKEN_INVALID = {"error": "The access token is invalid"}
MASTODON_RATE_LIMITED = {"error": "Too many requests"}
BLUESKY_RATE_LIMITED = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
BLUESKY_EXPIRED = {"error": "ExpiredToken", "message": "Token has expired"}
REDDIT_RATELIMIT = {
    "json": {
        "errors": [
            [
                "RATELIMIT",
                "Looks like you've been doing that a lot. Take a break for 5 minutes before trying again.",
                "ratelimit",
            ]
        ]
    }
}
REDDIT_DELETED = {"json": {"errors": [["DELETED_COMMENT", "that comment has been deleted", "parent"]]}}
REDDIT_BAD_PASSWORD = {"error": "invalid_grant"}
PLAY_NOT_FOUND = {"error": {"code": 404, "message": "No review found.", "status": "NOT_FOUND"}}
PLAY_QUOTA = {
    "error": {
        "code": 429,
        "message": "Quota exceeded for quota metric 'Queries' of service 'androidpublisher.googleapis.com'.",
        "status": "RESOURCE_EXHAUSTED",
    }
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ReplyNetworks:
    """The stand-in. `posted[network]` lists what each network accepted, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.failures: dict[str, list[tuple[int, Any, dict[str, str]]]] = defaultdict(list)
        self.stalls: dict[str, float] = {}
        self.requests: list[tuple[str, str]] = []
        self.gone: set[str] = set()  # parents deleted on their network
        self.mastodon_idempotency: dict[str, dict[str, Any]] = {}
        self.bluesky_threads: dict[str, dict[str, Any]] = {}  # a post's uri -> its record's `reply`
        self.sequence = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> ReplyNetworks:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, network: str, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.failures[network].append((status, body, headers or {}))

    def stall_next(self, network: str, seconds: float) -> None:
        self.stalls[network] = seconds

    def count(self, network: str) -> int:
        return len(self.posted[network])

    # ---- plumbing --------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._route("GET")

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self._route("POST")

            def _route(self, method: str) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
                with outer.lock:
                    outer.requests.append((method, parsed.path))
                status, body, headers, stall = outer.answer(method, parsed.path, query, raw, self.headers)
                if stall:
                    time.sleep(stall)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8"))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: the post stays accepted

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def _failure(self, network: str) -> tuple[int, Any, dict[str, str]] | None:
        with self.lock:
            return self.failures[network].pop(0) if self.failures[network] else None

    def _stall(self, network: str) -> float:
        with self.lock:
            return self.stalls.pop(network, 0.0)

    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: Any
    ) -> tuple[int, Any, dict[str, str], float]:
        if path.startswith("/2/"):
            return self._x(method, path, query, raw)
        if path.startswith("/api/v1/statuses") or path.startswith("/api/v1/accounts") or path.startswith("/api/v2/"):
            return self._mastodon(method, path, query, raw, headers)
        if path.startswith("/xrpc/"):
            return self._bluesky(method, path, query, raw)
        if path.startswith("/reddit/") or path.startswith("/api/comment") or path.startswith("/user/"):
            return self._reddit(method, path, query, raw)
        if path == "/token" or path.startswith("/androidpublisher/"):
            return self._play(method, path, query, raw)
        return 404, {"error": f"no route {path}"}, {}, 0.0

    # ---- X API v2 --------------------------------------------------------------------------------

    def _x_id(self) -> str:
        with self.lock:
            self.sequence += 1
            sequence = self.sequence
        millis = int(time.time() * 1000) - X_SNOWFLAKE_EPOCH_MS
        return str((millis << 22) | (sequence & 0xFFF))

    def _x(self, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any, dict[str, str], float]:
        if method == "POST" and path == "/2/tweets":
            failure = self._failure("x")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            body = json.loads(raw or b"{}")
            parent = str(((body.get("reply") or {}).get("in_reply_to_tweet_id")) or "")
            if parent in self.gone:
                return 403, X_PARENT_DELETED, {}, 0.0
            post_id = self._x_id()
            record = {
                "id": post_id,
                "text": body.get("text", ""),
                "created_at": iso(datetime.now(UTC)),
                "referenced_tweets": [{"type": "replied_to", "id": parent}],
                "edit_history_tweet_ids": [post_id],
            }
            with self.lock:
                self.posted["x"].append(record)
            return (
                201,
                {"data": {"id": post_id, "text": record["text"], "edit_history_tweet_ids": [post_id]}},
                {},
                self._stall("x"),
            )
        if path == "/2/users/me":
            failure = self._failure("x-read")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            return 200, {"data": X_ME}, {}, 0.0
        if path == f"/2/users/{X_ME['id']}/tweets":
            posts = list(reversed(self.posted["x"]))
            meta: dict[str, Any] = {"result_count": len(posts)}
            if posts:
                meta.update(newest_id=posts[0]["id"], oldest_id=posts[-1]["id"])
                return 200, {"data": posts, "meta": meta}, {}, 0.0
            return 200, {"meta": meta}, {}, 0.0
        return 404, {"title": "Not Found Error", "detail": path, "type": "about:blank", "status": 404}, {}, 0.0

    # ---- Mastodon ----------------------------------------------------------------------------------

    def mastodon_status(
        self,
        status_id: str,
        *,
        visibility: str = "public",
        acct: str = "anna",
        reply_to: str | None = None,
        text: str = "",
    ) -> dict[str, Any]:
        status = dict(fixture_json("replies", "mastodon_status.json"))
        status.update(
            id=status_id,
            uri=f"https://social.example/users/{acct}/statuses/{status_id}",
            url=f"https://social.example/@{acct}/{status_id}",
            visibility=visibility,
            in_reply_to_id=reply_to,
            content=f"<p>{text}</p>",
            created_at=iso(datetime.now(UTC)),
        )
        status["account"] = {**status["account"], "acct": acct, "username": acct}
        return status

    def _mastodon(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: Any
    ) -> tuple[int, Any, dict[str, str], float]:
        if path == "/api/v1/accounts/verify_credentials":
            return (
                200,
                {
                    **fixture_json("replies", "mastodon_status.json")["account"],
                    "id": MASTODON_ME_ID,
                    "acct": "northwind",
                    "username": "northwind",
                },
                {},
                0.0,
            )
        if path == f"/api/v1/accounts/{MASTODON_ME_ID}/statuses":
            return 200, list(reversed(self.posted["mastodon"])), {}, 0.0
        if method == "GET" and path.startswith("/api/v1/statuses/"):
            status_id = path.rsplit("/", 1)[-1]
            if status_id in self.gone:
                return 404, MASTODON_NOT_FOUND, {}, 0.0
            visibility = "unlisted" if status_id.endswith("7") else "public"
            return 200, self.mastodon_status(status_id, visibility=visibility), {}, 0.0
        if method == "POST" and path == "/api/v1/statuses":
            failure = self._failure("mastodon")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            form = _form_or_json(raw)
            key = headers.get("Idempotency-Key")
            if key and key in self.mastodon_idempotency:
                return 200, self.mastodon_idempotency[key], {}, 0.0  # Mastodon's documented replay
            parent = str(form.get("in_reply_to_id") or "")
            if parent in self.gone:
                return 404, MASTODON_NOT_FOUND, {}, 0.0
            with self.lock:
                self.sequence += 1
                status_id = str(110000000000000000 + self.sequence)
            status = self.mastodon_status(
                status_id,
                visibility=str(form.get("visibility") or "public"),
                acct="northwind",
                reply_to=parent,
                text=str(form.get("status") or ""),
            )
            status["text_posted"] = form.get("status")
            with self.lock:
                self.posted["mastodon"].append(status)
                if key:
                    self.mastodon_idempotency[key] = status
            return 200, status, {}, self._stall("mastodon")
        return 404, MASTODON_NOT_FOUND, {}, 0.0

    # ---- Bluesky (XRPC) ------------------------------------------------------------------------------

    def bluesky_post(self, uri: str, *, text: str = "", reply: dict[str, Any] | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": iso(datetime.now(UTC)),
            "langs": ["en"],
        }
        if reply:
            record["reply"] = reply
        did = uri.removeprefix("at://").split("/")[0]
        return {
            "uri": uri,
            "cid": "bafyreib2rxk3rh6kzwq" + str(abs(hash(uri)) % 10**12),
            "author": {
                "did": did,
                "handle": "anna.example.social" if did != BRAND_DID else "northwind.example.social",
                "displayName": "Anna",
            },
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
            "quoteCount": 0,
            "indexedAt": iso(datetime.now(UTC)),
            "labels": [],
        }

    def _bluesky(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str], float]:
        name = path.removeprefix("/xrpc/")
        if name == "com.atproto.server.createSession":
            failure = self._failure("bluesky-session")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            return 200, SESSION, {}, 0.0
        if name == "app.bsky.feed.getPosts":
            uris = parse_qs(urlparse("?" + "&".join(f"uris={u}" for u in [query.get("uris", "")])).query).get(
                "uris", []
            )
            posts = []
            for uri in uris:
                mine = next((p for p in self.posted["bluesky"] if p["uri"] == uri), None)
                if mine is not None:
                    posts.append(mine)
                elif uri and uri not in self.gone and not uri.startswith(f"at://{BRAND_DID}/"):
                    posts.append(self.bluesky_post(uri, text="my bill is wrong", reply=self.bluesky_threads.get(uri)))
            return 200, {"posts": posts}, {}, 0.0
        if name == "com.atproto.repo.getRecord":
            uri = f"at://{query.get('repo')}/{query.get('collection')}/{query.get('rkey')}"
            mine = next((p for p in self.posted["bluesky"] if p["uri"] == uri), None)
            if mine is None:
                return 400, {"error": "RecordNotFound", "message": f"Could not locate record: {uri}"}, {}, 0.0
            return 200, {"uri": uri, "cid": mine["cid"], "value": mine["record"]}, {}, 0.0
        if name == "com.atproto.repo.createRecord":
            failure = self._failure("bluesky")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            body = json.loads(raw or b"{}")
            uri = f"at://{body['repo']}/{body['collection']}/{body['rkey']}"
            if any(p["uri"] == uri for p in self.posted["bluesky"]):
                return 400, {"error": "InvalidRequest", "message": "Record already exists"}, {}, 0.0
            record = body["record"]
            post = self.bluesky_post(uri, text=record.get("text", ""), reply=record.get("reply"))
            with self.lock:
                self.posted["bluesky"].append(post)
            answer = {
                "uri": uri,
                "cid": post["cid"],
                "commit": {"cid": "bafyreicommit", "rev": "3l3qo2vuowo2b"},
                "validationStatus": "valid",
            }
            return 200, answer, {}, self._stall("bluesky")
        return 501, {"error": "MethodNotImplemented", "message": name}, {}, 0.0

    # ---- Reddit --------------------------------------------------------------------------------------

    def _reddit(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str], float]:
        headers = {"x-ratelimit-remaining": "99", "x-ratelimit-used": "1", "x-ratelimit-reset": "300"}
        if path == "/reddit/api/v1/access_token":
            failure = self._failure("reddit-token")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            return (
                200,
                {"access_token": "reddit-user-token", "token_type": "bearer", "expires_in": 86400, "scope": "*"},
                {},
                0.0,
            )
        if method == "POST" and path.startswith("/api/comment"):
            failure = self._failure("reddit")
            if failure:
                return failure[0], failure[1], {**headers, **failure[2]}, 0.0
            form = _form_or_json(raw)
            parent = str(form.get("thing_id"))
            if parent in self.gone:
                return 200, REDDIT_DELETED, headers, 0.0
            with self.lock:
                self.sequence += 1
                comment_id = f"kq{self.sequence:05d}"
            comment = dict(fixture_json("replies", "reddit_comment.json"))
            comment.update(
                id=comment_id,
                name=f"t1_{comment_id}",
                parent_id=parent,
                body=form.get("text"),
                created_utc=float(int(time.time())),
                permalink=f"/r/northwind/comments/abc123/comment/{comment_id}/",
            )
            with self.lock:
                self.posted["reddit"].append(comment)
            return (
                200,
                {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": comment}]}}},
                headers,
                self._stall("reddit"),
            )
        if path.startswith(f"/user/{REDDIT_ME}/comments"):
            children = [{"kind": "t1", "data": c} for c in reversed(self.posted["reddit"])]
            return (
                200,
                {
                    "kind": "Listing",
                    "data": {"after": None, "before": None, "dist": len(children), "children": children},
                },
                headers,
                0.0,
            )
        return 404, {"message": "Not Found", "error": 404}, headers, 0.0

    # ---- Google Play ---------------------------------------------------------------------------------

    def _play(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str], float]:
        if path == "/token":
            failure = self._failure("play-token")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            return 200, fixture_json("reviews", "play_token.json"), {}, 0.0
        prefix = f"/androidpublisher/v3/applications/{PLAY_PACKAGE}/reviews/"
        if not path.startswith(prefix):
            return 404, PLAY_NOT_FOUND, {}, 0.0
        rest = path.removeprefix(prefix)
        if method == "POST" and rest.endswith(":reply"):
            failure = self._failure("google_play")
            if failure:
                return failure[0], failure[1], dict(failure[2]), 0.0
            review_id = rest.removesuffix(":reply")
            if review_id in self.gone:
                return 404, PLAY_NOT_FOUND, {}, 0.0
            text = json.loads(raw or b"{}").get("replyText", "")
            now = time.time()
            edited = {"seconds": str(int(now)), "nanos": 0}
            with self.lock:
                self.posted["google_play"] = [r for r in self.posted["google_play"] if r["reviewId"] != review_id]
                self.posted["google_play"].append({"reviewId": review_id, "text": text, "lastModified": edited})
            return 200, {"result": {"replyText": text, "lastEdited": edited}}, {}, self._stall("google_play")
        review_id = rest
        if review_id in self.gone:
            return 404, PLAY_NOT_FOUND, {}, 0.0
        review = dict(fixture_json("replies", "play_review.json"))
        review["reviewId"] = review_id
        mine = next((r for r in self.posted["google_play"] if r["reviewId"] == review_id), None)
        if mine:
            review["comments"] = [
                *review["comments"],
                {"developerComment": {"text": mine["text"], "lastModified": mine["lastModified"]}},
            ]
        return 200, review, {}, 0.0


def _form_or_json(raw: bytes) -> dict[str, Any]:
    text = raw.decode("utf-8") if raw else ""
    if text.startswith("{"):
        return json.loads(text)
    return {k: v[-1] for k, v in parse_qs(text).items()}
