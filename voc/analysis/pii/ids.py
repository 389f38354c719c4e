"""National ids with letters in them: UK National Insurance, Spanish DNI/NIE, Italian codice
fiscale, Indian PAN, and French NIRs of Corsica (department 2A/2B). Digit-only ids are in
`voc.analysis.pii.numbers`.
"""

from __future__ import annotations

import re
from typing import Final

from voc.analysis.pii import checks
from voc.analysis.pii.kinds import ID, Finding

_NINO_RE: Final = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2})[ \t\-]?([0-9]{2})[ \t\-]?([0-9]{2})[ \t\-]?([0-9]{2})[ \t\-]?([A-Da-d])(?![A-Za-z0-9])"
)
_DNI_RE: Final = re.compile(
    r"(?<![\w.\-/])([0-9]{1,2}[. ]?[0-9]{3}[. ]?[0-9]{3}|[XYZxyz][ \t\-]?[0-9]{7})[ \t\-]?([A-Za-z])(?![\w])"
)
# A codice fiscale, also typed in its parts: "RSS MRA 85T10 A562S", "RSSMRA 85 T10 A562 S".
_CF_DIGIT: Final = "[0-9LMNPQRSTUVlmnpqrstuv]"
_CF_RE: Final = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{{3}}[ \t]?[A-Za-z]{{3}}[ \t]?{_CF_DIGIT}{{2}}[ \t]?[ABCDEHLMPRSTabcdehlmprst][ \t]?"
    rf"{_CF_DIGIT}{{2}}[ \t]?[A-Za-z]{_CF_DIGIT}{{3}}[ \t]?[A-Za-z](?![A-Za-z0-9])"
)
# PAN: five letters (the fourth says who holds it: P person, C company ...), four digits, a letter.
_PAN_RE: Final = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Z]{3}[PCHFATBLJG][A-Z][0-9]{4}[A-Z]|[a-z]{3}[pchfatbljg][a-z][0-9]{4}[a-z])(?![A-Za-z0-9])"
)
_NIR_CORSICA_RE: Final = re.compile(
    r"(?<![\w])[12][ \t.]?[0-9]{2}[ \t.]?[0-9]{2}[ \t.]?2[ABab][ \t.]?[0-9]{3}[ \t.]?[0-9]{3}[ \t.]?[0-9]{2}(?![\w])"
)
_SEPARATORS: Final = re.compile(r"[ \t.\-]")
# Cheap gates, each one fast scan: NINO, DNI/NIE and NIR hold six digits in a row (give or take a
# separator); a codice fiscale and a PAN hold digits between letters.
_SIX_DIGITS_RE: Final = re.compile(r"[0-9](?:[ \t.\-]?[0-9]){5}")
_LETTER_DIGITS_LETTER_RE: Final = re.compile(r"[A-Za-z][0-9]{2,4}[ \t]?[A-Za-z]")


def id_findings(text: str) -> list[Finding]:
    """National ids with letters in normalised `text` (the caller checks it holds a digit)."""
    findings = []
    if _SIX_DIGITS_RE.search(text):
        findings.extend(_nino_dni_nir(text))
    if _LETTER_DIGITS_LETTER_RE.search(text):
        for match in _CF_RE.finditer(text):
            if checks.codice_fiscale_valid(_SEPARATORS.sub("", match.group())):
                findings.append(Finding(ID, "id.it_codice_fiscale", *match.span()))
        for match in _PAN_RE.finditer(text):
            findings.append(Finding(ID, "id.in_pan", *match.span()))
    return findings


def _nino_dni_nir(text: str) -> list[Finding]:
    findings = []
    for match in _NINO_RE.finditer(text):
        letters = match.group(1) + match.group(5)
        if (letters.isupper() or letters.islower()) and checks.nino_valid(match.group(1)):
            findings.append(Finding(ID, "id.uk_nino", *match.span()))
    for match in _DNI_RE.finditer(text):
        number = _SEPARATORS.sub("", match.group(1))
        if (len(number) == 8 or number[0] in "XYZxyz") and checks.dni_valid(number, match.group(2)):
            findings.append(Finding(ID, "id.es_dni" if number[0].isdigit() else "id.es_nie", *match.span()))
    for match in _NIR_CORSICA_RE.finditer(text):
        if checks.nir_valid(_SEPARATORS.sub("", match.group())):
            findings.append(Finding(ID, "id.fr_nir", *match.span()))
    return findings
