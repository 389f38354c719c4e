"""The kinds of personal data redaction replaces, and one finding of a detector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

EMAIL: Final = "email"
IBAN: Final = "iban"
CARD: Final = "card"
PHONE: Final = "phone"
ID: Final = "id"  # a national identity or tax number (SSN, NINO, NIR, DNI/NIE, codice fiscale ...)
KINDS: Final[tuple[str, ...]] = (EMAIL, IBAN, CARD, PHONE, ID)
PLACEHOLDERS: Final[dict[str, str]] = {kind: f"[{kind}]" for kind in KINDS}
# When two findings overlap, the earlier kind wins.
PRECEDENCE: Final[dict[str, int]] = {EMAIL: 0, IBAN: 1, CARD: 2, ID: 3, PHONE: 4}


@dataclass(frozen=True)
class Finding:
    """One span of personal data: its kind, the rule that fired, and where it is (never the value).

    `start`/`end` are offsets in the text the detector was given; `redact` reports them in the
    original text. A rule ending in ``?`` fired on an ambiguous number (it could also be a device
    or order number) and redacted it to be safe.
    """

    kind: str
    rule: str
    start: int
    end: int
