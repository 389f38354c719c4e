"""Checksums and structures that tell personal numbers from look-alikes.

Each function takes the compact form (separators removed, ASCII) and says whether it is valid.
"""

from __future__ import annotations

from collections import Counter
from typing import Final


def luhn_valid(digits: str) -> bool:
    """True when a string of digits passes the Luhn checksum (cards, IMEIs)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        d = ord(char) - 48
        if position % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# Payment card networks: (first digits, lowest, highest, allowed lengths). Sources: the networks'
# published IIN tables. UATP (airline cards starting with 1) is left out: 15-digit numbers starting
# with 1 are far more often references than airline corporate cards.
_ISSUERS: Final[tuple[tuple[int, int, int, frozenset[int]], ...]] = (
    (1, 4, 4, frozenset({13, 16, 19})),  # Visa (Electron, and Elo/Dankort co-brands)
    (2, 51, 55, frozenset({16})),  # Mastercard
    (4, 2221, 2720, frozenset({16})),  # Mastercard 2-series
    (2, 34, 34, frozenset({15})),  # American Express
    (2, 37, 37, frozenset({15})),
    (3, 300, 305, frozenset(range(14, 20))),  # Diners Club
    (2, 36, 36, frozenset(range(14, 20))),
    (2, 38, 39, frozenset(range(16, 20))),
    (4, 6011, 6011, frozenset(range(16, 20))),  # Discover
    (3, 644, 649, frozenset(range(16, 20))),
    (2, 65, 65, frozenset(range(16, 20))),  # Discover, RuPay, Troy
    (4, 3528, 3589, frozenset(range(16, 20))),  # JCB
    (2, 62, 62, frozenset(range(16, 20))),  # UnionPay
    (2, 50, 50, frozenset(range(12, 20))),  # Maestro, Verve, Elo, Hipercard
    (2, 56, 69, frozenset(range(12, 20))),  # Maestro, RuPay (60), Troy (6 and 9792 below)
    (4, 2200, 2204, frozenset(range(16, 20))),  # Mir
    (4, 9792, 9792, frozenset({16})),  # Troy
    (2, 81, 82, frozenset({16})),  # RuPay
)


def card_issuer_valid(digits: str) -> bool:
    """True when the number starts in a card network's range and has one of its lengths."""
    length = len(digits)
    return any(length in lengths and low <= int(digits[:width]) <= high for width, low, high, lengths in _ISSUERS)


def card_valid(digits: str) -> bool:
    """A payment card number: 12-19 digits in an issuer's range and length, passing Luhn."""
    return 12 <= len(digits) <= 19 and card_issuer_valid(digits) and luhn_valid(digits)


# ISO 13616 lengths per country (SWIFT IBAN registry, plus the countries that use the format nationally).
IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
    # National IBANs outside the registry (French overseas territories use FR; these are their own).
    "DZ": 26, "AO": 25, "BF": 28, "BJ": 28, "CI": 28, "CM": 27, "CV": 25, "IR": 26, "MA": 28, "MG": 27,
    "ML": 28, "MZ": 25, "SN": 28, "CF": 27, "CG": 27, "GA": 27, "TD": 27, "GQ": 27, "KM": 27, "NE": 28,
    "TG": 28, "GW": 25, "HT": 28,
}  # fmt: skip


def iban_valid(compact: str) -> bool:
    """True when an IBAN without separators passes the ISO 13616 mod-97 check."""
    if not 15 <= len(compact) <= 34 or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged.upper())
    return int(number) % 97 == 1


_VERHOEFF_D: Final = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P: Final = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip


def verhoeff_valid(digits: str) -> bool:
    """True when the digits pass the Verhoeff check (Indian Aadhaar)."""
    check = 0
    for i, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[i % 8][ord(char) - 48]]
    return check == 0


def aadhaar_valid(digits: str) -> bool:
    """Aadhaar: 12 digits, the first 2-9, Verhoeff check digit last."""
    return len(digits) == 12 and digits[0] not in "01" and verhoeff_valid(digits)


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """US Social Security number: never-issued areas (000, 666, 9xx), groups and serials excluded."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


_NINO_FIRST_NOT: Final = frozenset("DFIQUV")
_NINO_SECOND_NOT: Final = frozenset("DFIOQUV")
_NINO_PREFIX_NOT: Final = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def nino_valid(prefix: str) -> bool:
    """UK National Insurance number prefix (the letters HMRC never allocates are excluded)."""
    prefix = prefix.upper()
    return prefix[0] not in _NINO_FIRST_NOT and prefix[1] not in _NINO_SECOND_NOT and prefix not in _NINO_PREFIX_NOT


def nir_valid(compact: str) -> bool:
    """French social security number (NIR): 13 characters and a 2-digit key, 97 - n mod 97.

    Corsican departments 2A and 2B count as 19 and 18."""
    if len(compact) != 15 or not compact[13:].isdigit():
        return False
    body = _nir_body(compact[:13])
    return body is not None and 97 - body % 97 == int(compact[13:])


def nir_body_valid(compact: str) -> bool:
    """The 13 characters of a NIR without its key: sex, year, a possible month, department ..."""
    return len(compact) == 13 and _nir_body(compact) is not None


def _nir_body(body: str) -> int | None:
    # Sex digit 1 or 2; the temporary 7/8 numbers are left out, as IMEIs from 86 (China) would pass too often.
    if body[0] not in "12":
        return None
    body = body.upper().replace("2A", "19", 1).replace("2B", "18", 1)
    if not body.isdigit():
        return None
    month = int(body[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return None
    return int(body)


_DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_valid(number: str, letter: str) -> bool:
    """Spanish DNI (8 digits) or NIE (X/Y/Z and 7 digits) with its control letter."""
    number = number.upper()
    if number[:1] in ("X", "Y", "Z"):
        number = str("XYZ".index(number[0])) + number[1:]
    if not number.isdigit():
        return False
    return _DNI_LETTERS[int(number) % 23] == letter.upper()


_CF_ODD: Final[dict[str, int]] = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16]
        + [10, 22, 25, 24, 23],
        strict=True,
    )
)


def codice_fiscale_valid(code: str) -> bool:
    """Italian codice fiscale: 16 characters, the last a check letter over the first 15."""
    code = code.upper()
    if len(code) != 16:
        return False
    total = 0
    for i, char in enumerate(code[:15]):
        if i % 2 == 0:  # odd positions, counting from 1
            total += _CF_ODD[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - 65
    return chr(65 + total % 26) == code[15]


def steuer_id_valid(digits: str) -> bool:
    """German tax id (Steuerliche Identifikationsnummer): 11 digits, first not 0, one digit of the
    first ten repeated (twice or three times), ISO 7064 MOD 11,10 check digit."""
    if len(digits) != 11 or digits[0] == "0":
        return False
    repeats = [n for n in Counter(digits[:10]).values() if n > 1]
    if len(repeats) != 1 or repeats[0] > 3:
        return False
    product = 10
    for char in digits[:10]:
        total = (int(char) + product) % 10 or 10
        product = total * 2 % 11
    check = 11 - product
    return (0 if check == 10 else check) == int(digits[10])


def cpf_valid(digits: str) -> bool:
    """Brazilian CPF: 11 digits, the last two check digits (mod 11), not all the same digit."""
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    for n in (9, 10):
        total = sum(int(digits[i]) * (n + 1 - i) for i in range(n))
        if total * 10 % 11 % 10 != int(digits[n]):
            return False
    return True


def bsn_valid(digits: str) -> bool:
    """Dutch citizen service number (BSN): 9 digits passing the "elfproef" (weights 9..2, and -1 on the last)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def nif_pt_valid(digits: str) -> bool:
    """Portuguese tax number (NIF): 9 digits, the last a mod-11 check digit (10 counts as 0)."""
    if len(digits) != 9 or not digits.isdigit() or digits[0] == "0":
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) % 11
    return (0 if check >= 10 else check) == int(digits[8])
