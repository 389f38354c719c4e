"""Test doubles for the X API v2: recorded payloads, and a small local server that behaves like it.

The recorded payloads in `tests/fixtures/x/` are hand-written in the documented shapes (`data`,
`includes.users`, `meta.newest_id`, `meta.next_token`, `errors`, problem JSON); every user in them
is made up. `FakeX` is a loopback HTTP server for tests that run real listener processes: it pages
with stable `next_token`s, honours `since_id`/`start_time`, refuses the two together as X does,
checks the bearer token, and counts how often each post was served.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "x"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"
SEARCH_URL = "https://api.twitter.com/2/tweets/search/recent"
SNOWFLAKE_EPOCH_MS = 1288834974657
REQUIRED_TWEET_FIELDS = {
    "created_at",
    "lang",
    "public_metrics",
    "conversation_id",
    "referenced_tweets",
    "note_tweet",
    "entities",
    "author_id",
}


def load(name: str) -> dict[str, Any]:
    """A recorded payload from tests/fixtures/x/."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def mentions_url(user_id: str) -> str:
    return f"https://api.twitter.com/2/users/{user_id}/mentions"


def snowflake(moment: datetime, sequence: int = 0) -> str:
    """The X id minted at `moment` (ids carry their creation time in the top bits)."""
    return str(((int(moment.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22) + sequence)


@dataclass
class Post:
    id: str
    text: str
    author_id: str
    created_at: datetime
    lang: str = "en"


@dataclass
class Stream:
    """The posts one endpoint (a query, or an account's mentions) can return."""

    posts: list[Post] = field(default_factory=list)


class FakeX:
    """A loopback X API v2 for recent search and the mentions timeline (see module docstring)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.streams: dict[str, Stream] = {}  # "search:<query>" or "mentions:<user id>"
        self.users: dict[str, dict[str, Any]] = {}
        self.served: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.scripted: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self.lock = threading.Lock()
        self._sequence = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeX:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_user(self, user_id: str, username: str, followers: int) -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": username.replace("_", " ").title(),
            "username": username,
            "public_metrics": {"followers_count": followers, "following_count": 1, "tweet_count": 1, "listed_count": 0},
        }

    def add_posts(self, key: str, texts: list[str], *, author_id: str, at: datetime) -> list[str]:
        """Posts created one second apart up to `at`; returns their ids."""
        ids = []
        with self.lock:
            stream = self.streams.setdefault(key, Stream())
            for offset, text in enumerate(texts):
                self._sequence += 1
                moment = at - timedelta(seconds=len(texts) - offset)
                post = Post(snowflake(moment, self._sequence), text, author_id, moment)
                stream.posts.append(post)
                ids.append(post.id)
        return ids

    def fail_next(self, key: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Answer the next request for `key` with an error, then behave again."""
        self.scripted.setdefault(key, []).append((status, body, headers or {}))

    # ---- the HTTP side -----------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                status, body, headers = fake.answer(self.path, self.headers.get("Authorization", ""))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
                pass

        return Handler

    def answer(self, path: str, authorization: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        url = urlparse(path)
        params = {key: values[-1] for key, values in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append((url.path, params))
            if authorization != f"Bearer {self.token}":
                return 401, load("error_401_unauthorized.json"), {}
            if url.path.startswith("/2/users/by/username/"):
                username = url.path.rsplit("/", 1)[1]
                for user in self.users.values():
                    if user["username"] == username:
                        return 200, {"data": {k: user[k] for k in ("id", "name", "username")}}, {}
                return 200, {"errors": [{"detail": f"Could not find user with username: [{username}]."}]}, {}
            if url.path == "/2/tweets/search/recent":
                key, token_name = f"search:{params.get('query', '')}", "next_token"
            elif url.path.startswith("/2/users/") and url.path.endswith("/mentions"):
                key, token_name = f"mentions:{url.path.split('/')[3]}", "pagination_token"
            else:
                return 404, {"title": "Not Found Error", "detail": url.path, "type": "about:blank"}, {}
            if self.scripted.get(key):
                return self.scripted[key].pop(0)
            return self._page(key, params, token_name)

    def _page(self, key: str, params: dict[str, str], token_name: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        if ("since_id" in params or "until_id" in params) and ("start_time" in params or "end_time" in params):
            message = "Invalid use of 'since_id' or 'until_id' in conjunction with 'start_time' or 'end_time'"
            return 400, {"errors": [{"message": message}], "title": "Invalid Request", "type": "about:blank"}, {}
        missing = REQUIRED_TWEET_FIELDS - set(params.get("tweet.fields", "").split(","))
        if missing or params.get("expansions") != "author_id":
            return 400, {"errors": [{"message": f"missing fields {sorted(missing)}"}], "title": "Invalid Request"}, {}
        posts = sorted(self.streams.get(key, Stream()).posts, key=lambda p: int(p.id), reverse=True)
        if "since_id" in params:
            posts = [p for p in posts if int(p.id) > int(params["since_id"])]
        if "start_time" in params:
            start = datetime.strptime(params["start_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            posts = [p for p in posts if p.created_at >= start]
        token = params.get(token_name)
        if token:  # a stable token: "everything older than this id", like X's
            posts = [p for p in posts if int(p.id) < int(token.removeprefix("below-"))]
        size = int(params.get("max_results", 10))
        page, rest = posts[:size], posts[size:]
        if not page:
            return 200, {"meta": {"result_count": 0}}, {}
        for post in page:
            self.served[post.id] += 1
        meta: dict[str, Any] = {"newest_id": page[0].id, "oldest_id": page[-1].id, "result_count": len(page)}
        if rest:
            meta["next_token"] = f"below-{page[-1].id}"
        authors = {p.author_id for p in page}
        body = {
            "data": [
                {
                    "id": p.id,
                    "text": p.text,
                    "author_id": p.author_id,
                    "created_at": p.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "lang": p.lang,
                    "conversation_id": p.id,
                    "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
                    "edit_history_tweet_ids": [p.id],
                }
                for p in page
            ],
            "includes": {"users": [self.users[a] for a in sorted(authors) if a in self.users]},
            "meta": meta,
        }
        return 200, body, {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449"}
