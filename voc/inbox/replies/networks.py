"""Which items can be answered from the app, on which network, and how each network counts a reply.

A route is decided by the item's source *kind* (not its channel: the demo feed writes `x` and
`mastodon` channels but answers nowhere). Counting follows each network's documented rule:

- X: 280 "weighted" characters (twitter-text v3): a link counts 23, code points in Latin and common
  punctuation ranges weigh 1, everything else (CJK, emoji) weighs 2; an emoji sequence joined by
  zero-width joiners counts once;
- Mastodon: 500 characters (the instance default), a link counts 23 and `@user@domain` counts as
  `@user`;
- Bluesky: 300 graphemes (what a reader sees as one character);
- Reddit: 10,000 characters for a comment;
- Google Play: 350 characters for a developer reply.

Domain: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import regex

URL = re.compile(r"https?://\S+", re.IGNORECASE)
MASTODON_MENTION = re.compile(r"(@[A-Za-z0-9_]+)@[A-Za-z0-9.\-]+")
LINK_WEIGHT = 23
# twitter-text v3: code points in these ranges weigh 1, all others 2.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


class Route(StrEnum):
    """What the app can do for an item's customer."""

    REPLY = "reply"  # post on the network from the app
    CALL_BACK = "call_back"  # a survey respondent: record the call-back and its outcome
    OPEN_ORIGINAL = "open_original"  # the source has no reply API (feeds, the App Store feed, the demo)


def x_length(text: str) -> int:
    """X's weighted length of `text` (links 23, wide characters 2, an emoji sequence once)."""
    total = 0
    for part in _split_links(text):
        if part is None:
            total += LINK_WEIGHT
            continue
        for cluster in regex.findall(r"\X", part):
            if len(cluster) > 1 and any(ord(c) > 0xFFFF or c == "\u200d" for c in cluster):
                total += 2  # an emoji with modifiers or joiners: one picture
                continue
            total += sum(1 if _light(ord(c)) else 2 for c in cluster)
    return total


def mastodon_length(text: str) -> int:
    """Mastodon's length: links count 23, a remote mention only its local part."""
    text = MASTODON_MENTION.sub(r"\1", text)
    return sum(LINK_WEIGHT if part is None else len(part) for part in _split_links(text))


def grapheme_length(text: str) -> int:
    """What a reader counts as characters (Bluesky's unit)."""
    return len(regex.findall(r"\X", text))


@dataclass(frozen=True)
class Network:
    """A network the app can post to, with its reply limit and counting rule."""

    key: str
    name: str
    limit: int
    count: Callable[[str], int]
    unit: str = "characters"
    mentions_author: bool = False  # the reply must start with the customer's handle to reach them

    def length(self, text: str) -> int:
        return self.count(text)

    def left(self, text: str) -> int:
        return self.limit - self.count(text)


NETWORKS: dict[str, Network] = {
    "x": Network("x", "X", 280, x_length),
    "mastodon": Network("mastodon", "Mastodon", 500, mastodon_length, mentions_author=True),
    "bluesky": Network("bluesky", "Bluesky", 300, grapheme_length),
    "reddit": Network("reddit", "Reddit", 10_000, len),
    "google_play": Network("google_play", "Google Play", 350, len),
}
# Source kind -> network; kinds not here cannot be answered from the app.
REPLY_KINDS: dict[str, str] = {
    "x_search": "x",
    "x_mentions": "x",
    "mastodon_hashtag": "mastodon",
    "mastodon_search": "mastodon",
    "bluesky_search": "bluesky",
    "reddit_posts": "reddit",
    "reddit_comments": "reddit",
    "google_play_reviews": "google_play",
}
# Why a source cannot be answered from the app, said to the agent.
NO_REPLY_API: dict[str, str] = {
    "app_store_reviews": "The public App Store feed cannot be answered from the app: reply in App Store Connect.",
    "feed": "A news or web feed has no reply: answer where the article or post was published.",
    "news_search": "A news search has no reply: answer where the article was published.",
    "replay": "This is the demo feed: there is no network behind it to reply on.",
}


@dataclass(frozen=True)
class ReplyRoute:
    """How an item can be answered: from the app on `network`, by a call-back, or on the original."""

    route: Route
    network: Network | None = None
    why: str = ""


def route_for(item: Mapping[str, Any], source_kind: str | None) -> ReplyRoute:
    """The way to answer `item`, from its kind and its source's kind."""
    if item.get("kind") == "survey" or source_kind in ("survey_upload", "survey_folder"):
        return ReplyRoute(
            Route.CALL_BACK, why="A survey respondent is answered by a call-back: record it here with its outcome."
        )
    network = REPLY_KINDS.get(source_kind or "")
    if network is not None:
        return ReplyRoute(Route.REPLY, NETWORKS[network])
    why = NO_REPLY_API.get(source_kind or "") or (
        "This source has no reply API the app can use: open the original to answer there."
    )
    return ReplyRoute(Route.OPEN_ORIGINAL, why=why)


def with_mention(network: Network, text: str, author: str | None) -> str:
    """The text as posted: on Mastodon a reply that does not name the customer is not shown to them,
    so their handle leads unless the text names them already."""
    text = text.strip()
    if not network.mentions_author or not author or not author.startswith("@"):
        return text
    if re.search(rf"(?<![\w@]){re.escape(author)}(?![\w@])", text, re.IGNORECASE):
        return text  # named already (a saved reply's "Hi {author}")
    return f"{author} {text}"


def _light(code_point: int) -> bool:
    return any(low <= code_point <= high for low, high in X_LIGHT_RANGES)


def _split_links(text: str) -> list[str | None]:
    """The text cut at links: strings between them, None for each link."""
    parts: list[str | None] = []
    at = 0
    for match in URL.finditer(text):
        parts.append(text[at : match.start()])
        parts.append(None)
        at = match.end()
    parts.append(text[at:])
    return parts
