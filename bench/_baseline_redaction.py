# Baseline for bench/redaction.py: voc/analysis/redaction.py as it was before issue 18 (commit e8af59e),
# kept verbatim so the benchmark compares today's redactor with the previous one in the same run.
# Not imported by the product.
"""Redaction: replace personal data in customer text before anything else sees it.

Every item passes through `redact` before language detection, sentiment or storage, so the raw
text is never stored. Kinds, in the order they are applied:

1. e-mail addresses            -> ``[email]`` (also inside URLs: a query string can carry one)
2. IBANs passing ISO 13616 mod-97 -> ``[iban]``
3. payment cards, 13-19 digits passing Luhn -> ``[card]``
4. phone numbers -> ``[phone]``: international (``+``/``00``), North American, national with a
   trunk ``0`` (FR, UK, DE...), and the Spanish/Portuguese/Italian/Brazilian shapes without one

Cards and IBANs go before phones because a card's digit groups also look like a phone number.
Digits inside URLs are left alone (tweet ids, order links), and a number glued to a word, a
``#``, a ``/`` or a decimal point is an identifier or an amount, not personal data.

Domain module: no Streamlit import, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

EMAIL: Final = "email"
IBAN: Final = "iban"
CARD: Final = "card"
PHONE: Final = "phone"
KINDS: Final[tuple[str, ...]] = (EMAIL, IBAN, CARD, PHONE)
PLACEHOLDERS: Final[dict[str, str]] = {kind: f"[{kind}]" for kind in KINDS}


@dataclass(frozen=True)
class Redacted:
    """Text with personal data replaced, and the kinds that were found (in `KINDS` order)."""

    text: str
    found: tuple[str, ...] = ()


_EMAIL_RE = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

# A run of digits may not start glued to a word, an id sign, a path or an amount
# ("#12345678", "/status/123...", "$1,299", "3.14159...").
_NOT_AFTER = r"(?<![\w#/+.,\-@$€£¥])"

# Country code, check digits, then 11-30 letters/digits, optionally in space-separated groups.
_IBAN_RE = re.compile(r"(?<![\w#/])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}")
# Digits separated by at most one space or dash; classified afterwards.
_CARD_RUN_RE = re.compile(_NOT_AFTER + r"\d(?:[ \-]?\d)*")
_DIGIT_GROUP_RE = re.compile(r"\d+")
# Phone-shaped run: optional "+", groups separated by one space, dot or dash, parentheses allowed.
_PHONE_RUN_RE = re.compile(_NOT_AFTER + r"\+?\(?\d+\)?(?:[ .\-]\(?\d+\)?|\(\d+\)|(?<=\))\d+)*")
_NANP_RE = re.compile(r"(?:\+?1[ .\-]?)?(?:\(\d{3}\)[ .\-]?|\d{3}[ .\-])\d{3}[ .\-]\d{4}")
# National numbers without a trunk 0: Spain/Portugal "612 34 56 78", "912 345 678"; Brazil "(11) 91234-5678".
_NO_TRUNK_RE = re.compile(r"[2-9]\d{2}(?: \d{2}){3}|[2-9]\d{2}([ .\-])\d{3}\1\d{3}|\(\d{2}\) ?\d{4,5}[ \-]\d{4}")
_TRUNK_RE = re.compile(r"\(?0\d{1,4}\)?(?:[ .\-]?\d{2,8})*")
# A date with a four-digit year at the start of a run ("05.11.2026 14" from "05.11.2026 14:30").
_DATE_RE = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)\d\d(?!\d)|(?:19|20)\d\d[./\-]\d{1,2}[./\-]\d{1,2}(?!\d)")
_DECIMAL_TAIL_RE = re.compile(r"[.,]\d")
_DIGIT_RE = re.compile(r"\d")


def redact(text: str) -> Redacted:
    """Replace e-mails, IBANs, card numbers and phone numbers with ``[kind]`` placeholders."""
    found: set[str] = set()
    if "@" in text:
        text, n = _EMAIL_RE.subn(PLACEHOLDERS[EMAIL], text)
        if n:
            found.add(EMAIL)
    if _DIGIT_RE.search(text):  # most texts have no digits: skip the number patterns
        text = _redact_outside_urls(text, found)
    return Redacted(text=text, found=tuple(kind for kind in KINDS if kind in found))


def luhn_valid(digits: str) -> bool:
    """True when a string of digits passes the Luhn checksum used by payment cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        d = ord(char) - 48
        if position % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_valid(compact: str) -> bool:
    """True when an IBAN without spaces passes the ISO 13616 mod-97 check."""
    if not 15 <= len(compact) <= 34 or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged.upper())
    return int(number) % 97 == 1


def _redact_outside_urls(text: str, found: set[str]) -> str:
    if "://" not in text and "www." not in text.lower():
        return _redact_numbers(text, found)
    parts: list[str] = []
    last = 0
    for url in _URL_RE.finditer(text):
        parts.append(_redact_numbers(text[last : url.start()], found))
        parts.append(url.group())
        last = url.end()
    parts.append(_redact_numbers(text[last:], found))
    return "".join(parts)


def _redact_numbers(text: str, found: set[str]) -> str:
    if not text:
        return text
    text = _replace_spans(text, _iban_spans(text), IBAN, found)
    text = _replace_spans(text, _card_spans(text), CARD, found)
    return _replace_spans(text, _phone_spans(text), PHONE, found)


def _replace_spans(text: str, spans: list[tuple[int, int]], kind: str, found: set[str]) -> str:
    if not spans:
        return text
    found.add(kind)
    placeholder = PLACEHOLDERS[kind]
    for start, end in reversed(spans):
        text = text[:start] + placeholder + text[end:]
    return text


def _iban_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _IBAN_RE.finditer(text):
        candidate = match.group()
        # The pattern may have swallowed following words ("... 00 is my IBAN"): try the longest
        # prefix that ends at a word boundary and passes mod-97.
        for end in range(len(candidate), 14, -1):
            if end < len(candidate) and candidate[end] != " ":
                continue
            if end == len(candidate) and match.end() < len(text) and text[match.end()].isalnum():
                continue
            if candidate[end - 1] == " ":
                continue
            if iban_valid(candidate[:end].replace(" ", "").upper()):
                spans.append((match.start(), match.start() + end))
                break
    return spans


def _card_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _CARD_RUN_RE.finditer(text):
        end = match.end()
        tail = text[end : end + 2]
        if tail[:1].isalnum() or tail[:1] == "_" or _DECIMAL_TAIL_RE.match(tail):
            continue  # glued to a word (an id) or a decimal amount
        groups = [(g.start(), g.end()) for g in _DIGIT_GROUP_RE.finditer(match.group())]
        span = _luhn_window(match.group(), groups)
        if span is not None:
            spans.append((match.start() + span[0], match.start() + span[1]))
    return spans


def _luhn_window(run: str, groups: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The longest group-aligned window at the start or end of a run that is a valid card."""
    digits = [run[s:e] for s, e in groups]
    candidates: list[tuple[int, int, int]] = []  # (digit count, first group, last group)
    n = len(groups)
    for first, step in ((0, 1), (n - 1, -1)):  # windows growing from the start, then the end
        count = 0
        for k in range(first, first + step * n, step):
            count += len(digits[k])
            if count > 19:
                break
            if count >= 13:
                candidates.append((count, min(first, k), max(first, k)))
    for _, lo, hi in sorted(candidates, reverse=True):
        if luhn_valid("".join(digits[lo : hi + 1])):
            return groups[lo][0], groups[hi][1]
    return None


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _PHONE_RUN_RE.finditer(text):
        run = match.group()
        end = match.end()
        tail = text[end : end + 2]
        if tail[:1].isalnum() or tail[:1] == "_" or _DECIMAL_TAIL_RE.match(tail):
            continue
        if _is_phone(run):
            spans.append((match.start(), end))
    return spans


def _is_phone(run: str) -> bool:
    digit_count = sum(ch.isdigit() for ch in run)
    if run.startswith("+"):
        return 8 <= digit_count - run.count("(0)") <= 15
    if run.startswith("00"):
        return 10 <= digit_count <= 17
    if _NANP_RE.fullmatch(run) or _NO_TRUNK_RE.fullmatch(run):
        return True
    # Count first: it bounds the work of the fullmatch below.
    if not 9 <= digit_count <= 12 or _DATE_RE.match(run):
        return False
    return bool(_TRUNK_RE.fullmatch(run))
