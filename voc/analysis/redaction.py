"""Redaction: replace personal data in customer text before anything else sees it.

Every item passes through `redact` before language detection, sentiment or storage, so the raw
text is never stored. Kinds, by precedence when two findings overlap:

1. e-mail addresses, written with an ``@`` or spelled out    -> ``[email]`` (also inside URLs)
2. IBANs of a known country, its length, passing ISO 13616 mod-97 -> ``[iban]``
3. payment cards: issuer range and length, passing Luhn      -> ``[card]``
4. national ids: US SSN, UK NINO, French NIR, Spanish DNI/NIE, Italian codice fiscale, German tax
   id, Brazilian CPF, Indian Aadhaar and PAN, with their checks -> ``[id]``
5. phone numbers                                             -> ``[phone]``

Matching reads a normalised copy (digits of every script, full-width forms, odd spaces, invisible
characters; `voc.analysis.pii.text`) and masks the matching span of the original. Digits inside
URLs are left alone (tweet ids, order links), except in a parameter named for a phone, card or
IBAN (``?phone=``, ``&card_number=``) and a ``wa.me/`` number. The detectors live in `voc.analysis.pii`; which rule
fired for each span is in `Redacted.findings`, never in the text.

Domain module: no Streamlit import, no I/O.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Final

from voc.analysis.pii import emails, ids, numbers
from voc.analysis.pii.checks import iban_valid, luhn_valid
from voc.analysis.pii.kinds import CARD, EMAIL, IBAN, ID, KINDS, PHONE, PLACEHOLDERS, PRECEDENCE, Finding
from voc.analysis.pii.text import Normalised, inside, normalise, personal_url_spans, url_spans

__all__ = [
    "CARD",
    "EMAIL",
    "IBAN",
    "ID",
    "KINDS",
    "PHONE",
    "PLACEHOLDERS",
    "Finding",
    "Redacted",
    "iban_valid",
    "luhn_valid",
    "redact",
]


@dataclass(frozen=True)
class Redacted:
    """Text with personal data replaced, the kinds found (in `KINDS` order), and each finding's
    rule and original span, so a surprising redaction can be explained without the value."""

    text: str
    found: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule of each replaced span, in text order (``card.luhn?``: an ambiguous number)."""
        return tuple(f.rule for f in self.findings)


# Decimal digits of every script, and the superscript, subscript and circled ones ("⓪⑥①②…").
_DIGIT_RE: Final = re.compile(
    "[\\d\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490"
    "\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\U0001f100-\U0001f10a]"
)
# Cheap gate for addresses: an "@" (any width) or a word/bracket that can stand for one.
# It reads the original text, so full-width brackets count too.
_MAYBE_EMAIL_RE: Final = re.compile(
    rf"[@＠﹫]|(?:[\[\(\{{<［（｛＜]|\s)\s*(?:{emails.AT_WORDS}|@)[\s\]\)\}}>］）｝＞]",
    re.IGNORECASE,
)


# Encoded forms ("%40", "&#64;", "\u0040", "jo(a)example.de"): searched only when their first
# character is in the text, which keeps the common case to the one search above.
_MAYBE_ENCODED_EMAIL_RE: Final = re.compile(rf"{emails.ENCODED_AT}|\w\([aA]\)\w", re.IGNORECASE)


def _maybe_email(text: str) -> bool:
    if _MAYBE_EMAIL_RE.search(text) is not None:
        return True
    if "%" in text or "&" in text or "\\" in text or "(" in text:
        return _MAYBE_ENCODED_EMAIL_RE.search(text) is not None
    return False


def redact(text: str) -> Redacted:
    """Replace e-mails, IBANs, cards, national ids and phone numbers with ``[kind]`` placeholders."""
    has_digit = _DIGIT_RE.search(text) is not None
    maybe_email = _maybe_email(text)
    spelled = numbers.spelled_phone_findings(text)  # words need no normalising
    if not has_digit and not maybe_email and not spelled:  # most texts: nothing to look for
        return Redacted(text=text)
    plain = normalise(text)
    candidates: list[Finding] = [_in_normalised(f, plain) for f in spelled]
    if maybe_email:
        candidates.extend(emails.email_findings(plain.text))
    if has_digit:
        urls = url_spans(plain.text)
        found = numbers.iban_findings(plain.text) + numbers.number_findings(plain.text)
        found += ids.id_findings(plain.text) + numbers.phone_findings(plain.text)
        found += numbers.chat_link_findings(plain.text)
        personal = personal_url_spans(plain.text, urls)
        candidates.extend(f for f in found if not inside(urls, f.start, f.end) or _within(personal, f.start, f.end))
    if not candidates:
        return Redacted(text=text)
    chosen = _without_overlaps(candidates)
    pieces: list[str] = []
    findings: list[Finding] = []
    last = 0
    for finding in chosen:
        start, end = plain.original_span(finding.start, finding.end)
        pieces.append(text[last:start])
        pieces.append(PLACEHOLDERS[finding.kind])
        findings.append(Finding(finding.kind, finding.rule, start, end))
        last = end
    pieces.append(text[last:])
    kinds = {f.kind for f in chosen}
    return Redacted(
        text="".join(pieces), found=tuple(kind for kind in KINDS if kind in kinds), findings=tuple(findings)
    )


def _within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _in_normalised(finding: Finding, plain: Normalised) -> Finding:
    """A finding made on the original text, moved to the normalised text's offsets."""
    if plain.origin is None:
        return finding
    start = bisect.bisect_left(plain.origin, finding.start)
    end = bisect.bisect_left(plain.origin, finding.end)
    return Finding(finding.kind, finding.rule, start, end)


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    """Keep the findings of the strongest kinds (then the longest) where spans overlap; text order."""
    starts: list[int] = []  # chosen spans, sorted by start; they never overlap each other
    chosen: dict[int, Finding] = {}
    for finding in sorted(candidates, key=lambda f: (PRECEDENCE[f.kind], f.start - f.end, f.start)):
        at = bisect.bisect_left(starts, finding.start)
        if at > 0 and chosen[starts[at - 1]].end > finding.start:
            continue  # the chosen span before it reaches into it
        if at < len(starts) and starts[at] < finding.end:
            continue  # it reaches into the chosen span after it
        starts.insert(at, finding.start)
        chosen[finding.start] = finding
    return [chosen[start] for start in starts]
