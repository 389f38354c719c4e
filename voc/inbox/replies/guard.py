"""The payment-data guard: a reply that would publish a card number, an IBAN, an e-mail address or
a phone number is refused, with the reason, before anything is sent.

Public replies are the wrong place for any of them, whoever typed them (an agent pasting from the
billing system, a saved reply with a placeholder filled wrongly). The reasons name what was found
and where, never the value itself. Deliberately strict: a false alarm costs an edit, a leak cannot
be taken back. Domain: no Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# 13-19 digits, optionally in groups separated by spaces or dashes.
CARD = re.compile(r"(?<![\w])(?:\d[ -]?){12,18}\d(?![\w])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")  # as printed: upper case, in groups or not
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# International (+44 20 7946 0958) or national with a trunk 0 (020 7946 0958, 0612-345678), 8-15 digits.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().\-/]{6,18}\d(?![\w])")


@dataclass(frozen=True)
class Finding:
    """One thing the guard refused, in words, with where it starts (never the value)."""

    what: str
    at: int

    def reason(self) -> str:
        return f"{self.what} at character {self.at + 1}"


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """ISO 13616's mod-97 check of an IBAN (spaces ignored)."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in moved))
    except ValueError:
        return False
    return number % 97 == 1


def find_payment_data(text: str) -> list[Finding]:
    """Everything in `text` that must not be published, first to last."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in EMAIL.finditer(text):
        found.append(Finding("an e-mail address", match.start()))
        taken.append(match.span())
    for match in IBAN.finditer(text):
        if free(*match.span()) and iban_valid(match.group()):
            found.append(Finding("a bank account number (IBAN)", match.start()))
            taken.append(match.span())
    for match in CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if free(*match.span()) and 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(Finding("a payment card number", match.start()))
            taken.append(match.span())
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if not free(*match.span()) or not 8 <= len(digits) <= 15:
            continue
        if _looks_like_date_or_amount(match.group()) or not _dialled(match.group(), digits):
            continue
        found.append(Finding("a phone number", match.start()))
        taken.append(match.span())
    return sorted(found, key=lambda f: f.at)


def refusal(text: str) -> str | None:
    """The reason a reply must not go out, or None when it may."""
    findings = find_payment_data(text)
    if not findings:
        return None
    listed = "; ".join(f.reason() for f in findings)
    return f"Not sent: the reply contains {listed}. Public replies must never carry these; take it out and try again."


def _dialled(candidate: str, digits: str) -> bool:
    """A number written to be dialled: international (+, 00), national with its trunk 0, or ten
    digits and more in groups. A bare order number (12345678) is not."""
    stripped = candidate.lstrip("(").strip()
    if stripped.startswith(("+", "00")) or (stripped.startswith("0") and len(digits) >= 9):
        return True
    return len(digits) >= 10 and bool(re.search(r"[ ().\-/]", candidate))


def _looks_like_date_or_amount(candidate: str) -> bool:
    """2026-12-06, 06/12/2026 or 1.234.567,00 are not phone numbers."""
    stripped = candidate.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", stripped) or re.fullmatch(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", stripped):
        return True
    return bool(re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{2})?", stripped))
