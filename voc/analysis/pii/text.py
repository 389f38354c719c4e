"""The normalised view detectors read, and the map from it back to the customer's own text.

Customers paste numbers in whatever their keyboard produces: Arabic-Indic or Devanagari digits,
full-width forms from a CJK input method, non-breaking or thin spaces from a word processor,
zero-width spaces from a chat app, Unicode dashes. Detectors match one plain form; the spans they
find are mapped back so exactly the original characters are masked.

Every character maps to at most one character (or is dropped when invisible), so the map is one
original offset per normalised character.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

# Invisible characters dropped before matching: zero-width space/joiners, word joiner, BOM, soft
# hyphen, and the direction marks and isolates Arabic keyboards put around numbers.
# Marks drawn on the character before them: emoji variation selectors and the keycap ("0️⃣6️⃣…"),
# strike-through overlays. Dropped too, and masked with that character.
_MARKS: Final = frozenset("\ufe0e\ufe0f\u20e3\u0335\u0336\u0337\u0338")
_INVISIBLE: Final = (
    frozenset(
        "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )
    | _MARKS
)
_SPECIAL: Final[dict[str, str]] = {
    "\ufe6b": "@",  # small commercial at
    "\u2212": "-",  # minus sign
    "\u060c": ",",  # Arabic comma
    "\u066b": ".",  # Arabic decimal separator
    "\u066c": ",",  # Arabic thousands separator
    "\u3002": ".",  # ideographic full stop
    "\u2024": ".",  # one dot leader
    "\u2215": "/",  # division slash
    "\u2044": "/",  # fraction slash
}


class _Table(dict[int, int | str | None]):
    """A `str.translate` table filled on demand: Unicode's character database decides once per character."""

    def __missing__(self, code: int) -> int | str | None:
        char = chr(code)
        value: int | str | None = code
        if char in _INVISIBLE:
            value = None
        elif char in _SPECIAL:
            value = _SPECIAL[char]
        elif char.isdecimal():
            value = str(unicodedata.decimal(char))
        elif char.isdigit() and unicodedata.digit(char, None) is not None:
            value = str(unicodedata.digit(char))  # circled and superscript digits: "⓪⑥①②…", "⁰⁶¹²…"
        elif 0xFF01 <= code <= 0xFF5E:  # full-width ASCII forms
            value = chr(code - 0xFEE0)
        elif code == 0x3000 or unicodedata.category(char) == "Zs":
            value = " "
        elif unicodedata.category(char) == "Pd":
            value = "-"
        self[code] = value
        return value


_TABLE: Final = _Table()


@dataclass(frozen=True)
class Normalised:
    """`text` as detectors see it; `origin[i]` is the original offset of `text[i]` (None: the same),
    and `ends[i]` where the original characters it stands for end (None: one after `origin[i]`;
    an HTML entity is several characters read as one)."""

    text: str
    origin: tuple[int, ...] | None
    original_length: int
    ends: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets covering normalised `text[start:end]`."""
        if self.origin is None:
            return start, end
        first = self.origin[start] if start < len(self.origin) else self.original_length
        if end <= 0:
            return first, first
        return first, self.ends[end - 1] if self.ends is not None else self.origin[end - 1] + 1


# Markup a customer's text can arrive in (a rich-text survey cell, an HTML error page a server
# echoed): an entity is read as the character it stands for, a tag that breaks the line as a line
# break, any other tag as nothing, so "4111&nbsp;1111&nbsp;…" and "jo<span>@</span>example.com"
# are read as a browser shows them; and the escapes of a JSON body ("call\n0612345678", "\u0040")
# as the characters they stand for. Only the normalised copy changes; the original is masked.
_MARKUP_RE: Final = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|</?([A-Za-z][A-Za-z0-9]*)(?:[\s/][^<>]{0,200})?>"
    r"|\\(?:([ntr])|u([0-9a-fA-F]{4}))"
)
_ESCAPED: Final[dict[str, str]] = {"n": "\n", "t": "\t", "r": "\n"}
_LINE_TAGS: Final = frozenset((
    "br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "thead",
    "tbody", "ul", "ol", "dl", "dt", "dd", "pre", "hr", "section", "article",
))  # fmt: skip
# Tags read as nothing; any other name in angle brackets is text ("Jo <jo@example.com>").
_INLINE_TAGS: Final = frozenset((
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font", "i", "img", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
    "label",
))  # fmt: skip


def _read_markup(text: str) -> tuple[str, list[int], list[int]] | None:
    """`text` with its markup read (see above), each character's original start and end; None
    when there is none."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for match in _MARKUP_RE.finditer(text):
        if match.group(2) is not None:  # a JSON escape left in pasted text: "\n", "\u0040"
            char = _ESCAPED[match.group(2)]
        elif match.group(3) is not None:
            char = chr(int(match.group(3), 16))
        elif match.group(1) is None:
            char = html.unescape(match.group())
            if len(char) != 1:
                continue  # not an entity html knows: left as typed
        else:
            name = match.group(1).lower()
            if name not in _LINE_TAGS and name not in _INLINE_TAGS:
                continue
            char = "\n" if name in _LINE_TAGS else ""
        pieces.append(text[last : match.start()])
        starts.extend(range(last, match.start()))
        ends.extend(range(last + 1, match.start() + 1))
        if char:
            pieces.append(char)
            starts.append(match.start())
            ends.append(match.end())
        last = match.end()
    if last == 0:
        return None
    pieces.append(text[last:])
    starts.extend(range(last, len(text)))
    ends.extend(range(last + 1, len(text) + 1))
    return "".join(pieces), starts, ends


def normalise(text: str) -> Normalised:
    """Digits of every script to ASCII, full-width forms to ASCII, odd spaces to a space, dashes
    to ``-``, invisible characters dropped, HTML entities and tags read; with the map back to `text`."""
    markup = _read_markup(text) if "&" in text or "<" in text or "\\" in text else None
    if markup is not None:
        read, starts, ends = markup
        plain = read.translate(_TABLE)
        if len(plain) != len(read):
            kept = [i for i, char in enumerate(read) if char not in _INVISIBLE]
            starts, ends = [starts[i] for i in kept], [ends[i] for i in kept]
        return Normalised(plain, tuple(starts), len(text), _over_marks(text, ends))
    if text.isascii():
        return Normalised(text, None, len(text))
    plain = text.translate(_TABLE)
    if len(plain) == len(text):
        return Normalised(plain, None, len(text))
    origin = tuple(i for i, char in enumerate(text) if char not in _INVISIBLE)
    return Normalised(plain, origin, len(text), _over_marks(text, [i + 1 for i in origin]))


def _over_marks(text: str, ends: list[int]) -> tuple[int, ...] | None:
    """`ends` moved past the marks drawn on each character, so a masked digit takes its keycap."""
    if not any(mark in text for mark in _MARKS):
        return tuple(ends)
    moved = []
    for end in ends:
        while end < len(text) and text[end] in _MARKS:
            end += 1
        moved.append(end)
    return tuple(moved)


_URL_RE: Final = re.compile(r"(?:https?://|www\.|(?<![\w.])wa\.me/)\S+", re.IGNORECASE)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where links are: the digits in them are post ids and order links, not personal data."""
    if "://" not in text and "www." not in text.lower() and "wa.me/" not in text.lower():
        return []
    return [m.span() for m in _URL_RE.finditer(text)]


# Where a link carries a person's details in the clear: the value of a query parameter named for
# one ("?phone=…", "&email=…", "?card_number=…", "?iban=…") and WhatsApp's click-to-chat path
# ("wa.me/33612345678"). Detectors still decide what the value is; these spans only let them look.
_PERSONAL_PARAM_RE: Final = re.compile(
    r"[?&;](?:[a-z]+[_.\-])?(?:e-?mail|mail|phone|tel|telephone|mobile|cell|msisdn|whatsapp|card|cc|ccnum|iban|ssn)"
    r"(?:[_.\-]?(?:number|num|no|nr|address|addr))?=([^&#\s]+)"
    r"|(?<![\w.])wa\.me/(\+?[0-9]+)",
    re.IGNORECASE,
)


def personal_url_spans(text: str, urls: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of the links in `text` that are a person's contact or payment details."""
    if not urls:
        return []
    spans = []
    for start, end in urls:
        for match in _PERSONAL_PARAM_RE.finditer(text, start, end):
            group = 1 if match.group(1) is not None else 2
            spans.append(match.span(group))
    return spans


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when [start, end) overlaps any of `spans`."""
    return any(s < end and start < e for s, e in spans)
