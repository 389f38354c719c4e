"""Plain text from the HTML that Mastodon posts and feed entries carry. No Streamlit import here."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "br", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "tr"})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n{3,}")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
_CLOSING_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>")
ESCAPE_ROUNDS = 3  # publishers escape twice (`&amp;amp;`, `&amp;#39;`); more is not text any more


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """The visible text of an HTML fragment: tags dropped, entities decoded, paragraphs kept."""
    if not markup:
        return ""
    if "<" not in markup:
        return plain_text(markup)
    return _unwrap_escaped_markup(_visible_text(markup))


def _visible_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return _decode_leftovers(_LINES.sub("\n\n", lines).strip())


def plain_text(text: str | None) -> str:
    """Plain text with its entities decoded, also those a publisher escaped twice.

    A lone `<` stays (`a<b` is text), but markup that was escaped once too often (`&lt;p&gt;Hi&lt;/p&gt;`
    in a plain-text title) is markup, not words: its tags are dropped.
    """
    return _unwrap_escaped_markup(_decode_leftovers((text or "").strip()))


def _unwrap_escaped_markup(text: str) -> str:
    # Only a closing tag proves markup: `a<b` or `x < y > z` are words and stay whole.
    return _visible_text(text) if _CLOSING_TAG.search(text) else text


def _decode_leftovers(text: str) -> str:
    # Real feeds and APIs escape text twice (`&amp;quot;`): one decoding leaves `&quot;` on screen.
    for _ in range(ESCAPE_ROUNDS):
        if "&" not in text or not _ENTITY.search(text):
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text
