"""The team's PII corpus: personal data as customers type it, and ordinary texts full of harmless numbers.

Deterministic (seeded) so a failure names the same case on every run. Two parts:

- `pii_cases()`: each case is a text in one of the languages we support with exactly one personal
  value in it, labelled with its kind (the placeholder it must become), its format, and the exact
  span that must vanish. Values are valid where a check exists (Luhn and issuer ranges, mod-97,
  national id check digits), rendered with the separators, digits and spellings customers use;
- `ordinary_texts()`: 1,200 texts a mobile network's care team reads every day, with IMEIs,
  ICCIDs, order numbers, tracking codes, payment references, dates, prices, times, versions and
  model numbers, none of them personal data. Redaction must leave them alone.

`tests/unit/test_redaction_corpus.py` runs both through `voc.analysis.redaction.redact`;
`bench/redaction.py` prints rates per kind for ours, the previous version and Presidio.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

SEED = 18
LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "ar", "hi")


@dataclass(frozen=True)
class PiiCase:
    """One text with one personal value at [start, end) that must become ``[kind]``."""

    kind: str
    form: str
    language: str
    text: str
    start: int
    end: int

    @property
    def value(self) -> str:
        return self.text[self.start : self.end]


@dataclass(frozen=True)
class OrdinaryText:
    """A text with numbers care needs and no personal data; `form` says what the numbers are."""

    form: str
    language: str
    text: str


# --- checksums, to make valid values ----------------------------------------------------------


def luhn_digit(body: str) -> str:
    for d in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(body + d)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return d
    raise AssertionError(body)


def with_luhn(body: str) -> str:
    return body + luhn_digit(body)


def iban_with_check(country: str, bban: str) -> str:
    number = "".join(str(int(c, 36)) for c in (bban + country + "00").upper())
    return f"{country}{98 - int(number) % 97:02d}{bban}"


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_digit(body: str) -> str:
    check = 0
    for i, ch in enumerate(reversed(body)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return str(_VERHOEFF_INV[check])


def cpf(rng: random.Random) -> str:
    body = [rng.randrange(10) for _ in range(9)]
    for n in (9, 10):
        total = sum(body[i] * (n + 1 - i) for i in range(n))
        body.append(total * 10 % 11 % 10)
    return "".join(map(str, body))


def steuer_id(rng: random.Random) -> str:
    while True:
        digits = rng.sample(range(10), 9)
        if digits[0] == 0:
            continue
        doubled = rng.choice(digits)
        pos = rng.randrange(1, 10)
        first = digits[:pos] + [doubled] + digits[pos:]
        product = 10
        for d in first:
            total = (d + product) % 10 or 10
            product = total * 2 % 11
        check = 11 - product
        return "".join(map(str, first)) + str(0 if check == 10 else check)


def nir(rng: random.Random, corsica: str | None = None) -> str:
    sex = rng.choice("12")
    year = f"{rng.randrange(40, 100):02d}"
    month = f"{rng.randrange(1, 13):02d}"
    dept = corsica or f"{rng.randrange(1, 96):02d}"
    rest = f"{rng.randrange(1, 1000):03d}{rng.randrange(1, 1000):03d}"
    body = sex + year + month + dept + rest
    numeric = int(body.replace("2A", "19").replace("2B", "18"))
    return body + f"{97 - numeric % 97:02d}"


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni(rng: random.Random) -> str:
    n = rng.randrange(10_000_000, 99_999_999)
    return f"{n}{_DNI_LETTERS[n % 23]}"


def nie(rng: random.Random) -> str:
    prefix = rng.choice("XYZ")
    n = rng.randrange(1_000_000, 9_999_999)
    return f"{prefix}{n}{_DNI_LETTERS[int(str('XYZ'.index(prefix)) + str(n)) % 23]}"


_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16]
        + [10, 22, 25, 24, 23],
        strict=True,
    )
)


def codice_fiscale(rng: random.Random) -> str:
    letters = "".join(rng.choice("BCDFGLMNPRSTVZ") for _ in range(6))
    body = (
        letters + f"{rng.randrange(40, 100)}" + rng.choice("ABCDEHLMPRST") + f"{rng.randrange(1, 71):02d}"
        + rng.choice("ABFHLMZ") + f"{rng.randrange(1, 999):03d}"
    )  # fmt: skip
    total = sum(_CF_ODD[c] if i % 2 == 0 else (int(c) if c.isdigit() else ord(c) - 65) for i, c in enumerate(body))
    return body + chr(65 + total % 26)


def nino(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        second = "A"
    return first + second + f"{rng.randrange(0, 1_000_000):06d}" + rng.choice("ABCD")


def ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}"


def aadhaar(rng: random.Random) -> str:
    body = str(rng.randrange(2, 10)) + "".join(str(rng.randrange(10)) for _ in range(10))
    return body + verhoeff_digit(body)


def pan(rng: random.Random) -> str:
    up = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        "".join(rng.choice(up) for _ in range(3)) + rng.choice("PCHFAT") + rng.choice(up)
        + f"{rng.randrange(0, 10000):04d}" + rng.choice(up)
    )  # fmt: skip


# --- how customers render a value -------------------------------------------------------------

SCRIPTS = {
    "arabic-indic": 0x0660,
    "persian": 0x06F0,
    "devanagari": 0x0966,
    "bengali": 0x09E6,
    "fullwidth": 0xFF10,
    "thai": 0x0E50,
}


def in_script(text: str, script: str) -> str:
    base = SCRIPTS[script]
    return "".join(chr(base + int(c)) if c.isdigit() else c for c in text)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def grouped(digits: str, sizes: list[int], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(digits[i : i + size])
        i += size
    if i < len(digits):
        parts.append(digits[i:])
    return sep.join(p for p in parts if p)


def fours(value: str) -> list[int]:
    return [4] * (len(value) // 4 + 1)


# --- carrier sentences, one "{}" where the value goes ------------------------------------------

SENTENCES: dict[str, dict[str, list[str]]] = {
    "card": {
        "en": ["I was charged twice on my card {} please refund", "{} is the card you debited again", "Card: {}"],
        "fr": ["Vous avez débité deux fois ma carte {} merci de rembourser", "ma CB {} a été refusée"],
        "de": ["Sie haben meine Karte {} zweimal belastet", "Kreditkarte {} bitte sperren"],
        "es": ["Me cobraron dos veces en la tarjeta {} quiero el reembolso", "mi tarjeta es {} gracias"],
        "it": ["Addebito doppio sulla carta {} vergogna", "la mia carta {} è stata bloccata"],
        "pt": ["Cobrança duplicada no cartão {} quero estorno", "meu cartão {} foi recusado"],
        "nl": ["Dubbel afgeschreven van mijn kaart {} graag terugbetalen", "creditcard {} geblokkeerd"],
        "ar": ["تم خصم المبلغ مرتين من بطاقتي {} أرجو الاسترداد", "رقم البطاقة {} شكرا"],
        "hi": ["Mera card {} se do baar paisa kata hai", "card number {} hai refund karo"],
    },
    "iban": {
        "en": ["Please refund to my IBAN {} thanks", "my account {} was debited twice"],
        "fr": ["Remboursez sur mon IBAN {} svp", "mon RIB: {}"],
        "de": ["Bitte auf meine IBAN {} überweisen", "Konto {} wurde doppelt belastet"],
        "es": ["Devuélvanme el dinero a la cuenta {} por favor", "mi IBAN es {}"],
        "it": ["Rimborso sul mio IBAN {} grazie", "conto {} addebitato due volte"],
        "pt": ["Reembolso para o IBAN {} por favor", "a minha conta {} foi debitada"],
        "nl": ["Graag terugstorten op {} bedankt", "mijn IBAN is {}"],
        "ar": ["أرجو التحويل إلى الآيبان {} شكرا", "رقم الحساب {}"],
        "hi": ["Mera IBAN {} hai paise wapas bhejo"],
    },
    "email": {
        "en": ["Please write to {} about my bill", "my email is {} thanks", "contact: {}"],
        "fr": ["Écrivez-moi à {} merci", "mon mail: {}"],
        "de": ["Bitte schreiben Sie an {} danke", "meine Mail ist {}"],
        "es": ["Escríbanme a {} por favor", "mi correo es {}"],
        "it": ["Scrivetemi a {} grazie", "la mia mail è {}"],
        "pt": ["Escrevam para {} por favor", "meu e-mail é {}"],
        "nl": ["Mail me op {} alstublieft", "mijn e-mail is {}"],
        "ar": ["راسلوني على {} من فضلكم", "بريدي {}"],
        "hi": ["Mujhe {} pe mail karo", "meri email id {} hai"],
    },
    "phone": {
        "en": ["Call me back on {} please", "my number is {} after 6pm"],
        "fr": ["Rappelez-moi au {} svp", "mon numéro: {}"],
        "de": ["Bitte rufen Sie mich unter {} zurück", "meine Nummer ist {}"],
        "es": ["Llámenme al {} por favor", "mi móvil es {}"],
        "it": ["Richiamatemi al {} grazie", "il mio numero è {}"],
        "pt": ["Liguem-me para o {} por favor", "o meu telemóvel é {}"],
        "nl": ["Bel me terug op {} graag", "mijn nummer is {}"],
        "ar": ["اتصلوا بي على {} من فضلكم", "رقمي {}"],
        "hi": ["Mujhe {} pe call karo", "mera number {} hai"],
    },
    "id": {
        "en": ["here is my id {} as requested", "{} is what your agent asked for"],
        "fr": ["voici mon numéro {} comme demandé"],
        "de": ["hier meine Nummer {} wie gewünscht"],
        "es": ["aquí está mi número {} como pidieron"],
        "it": ["ecco il mio codice {} come richiesto"],
        "pt": ["segue o meu número {} como pedido"],
        "nl": ["hier is mijn nummer {} zoals gevraagd"],
        "ar": ["هذا رقمي {} كما طلبتم"],
        "hi": ["ye raha mera number {} jaise aapne maanga"],
    },
}


def _cases_for(kind: str, form: str, values: list[str], rng: random.Random) -> Iterator[PiiCase]:
    """One case per value, cycling through the languages and sentences."""
    for i, value in enumerate(values):
        language = LANGUAGES[i % len(LANGUAGES)]
        sentence = rng.choice(SENTENCES[kind][language])
        start = sentence.index("{}")
        text = sentence[:start] + value + sentence[start + 2 :]
        yield PiiCase(kind, form, language, text, start, start + len(value))


# --- the PII cases ------------------------------------------------------------------------------

CARD_PREFIXES = (("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15), ("37", 15))
CARD_PREFIXES_MORE = (("6011", 16), ("65", 16), ("3530", 16), ("36", 14), ("62", 16), ("4", 13), ("4", 19))


def card_number(rng: random.Random, prefixes: tuple[tuple[str, int], ...] = CARD_PREFIXES) -> str:
    prefix, length = rng.choice(prefixes)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return with_luhn(body)


def card_forms() -> dict[str, Callable[[str, random.Random], str]]:
    def card_groups(v: str) -> list[int]:
        return [4, 6, 5] if len(v) == 15 else fours(v)

    return {
        "plain": lambda v, r: v,
        "spaces": lambda v, r: grouped(v, card_groups(v), " "),
        "double spaces": lambda v, r: grouped(v, card_groups(v), "  "),
        "nbsp": lambda v, r: grouped(v, card_groups(v), "\u00a0"),
        "narrow nbsp": lambda v, r: grouped(v, card_groups(v), "\u202f"),
        "thin space": lambda v, r: grouped(v, card_groups(v), "\u2009"),
        "dots": lambda v, r: grouped(v, card_groups(v), "."),
        "slashes": lambda v, r: grouped(v, card_groups(v), "/"),
        "dashes": lambda v, r: grouped(v, card_groups(v), "-"),
        "spaced dashes": lambda v, r: grouped(v, card_groups(v), " - "),
        "en dashes": lambda v, r: grouped(v, card_groups(v), "\u2013"),
        "zero-width spaces": lambda v, r: grouped(v, card_groups(v), "\u200b"),
        "fullwidth digits": lambda v, r: fullwidth(grouped(v, card_groups(v), " ")),
        "arabic-indic digits": lambda v, r: in_script(grouped(v, card_groups(v), " "), "arabic-indic"),
        "persian digits": lambda v, r: in_script(grouped(v, card_groups(v), " "), "persian"),
        "devanagari digits": lambda v, r: in_script(grouped(v, card_groups(v), " "), "devanagari"),
        "bengali digits": lambda v, r: in_script(v, "bengali"),
        "split with comma": lambda v, r: v[:8] + ", " + v[8:],
        "split with and": lambda v, r: grouped(v[:8], [4, 4], " ") + " and " + grouped(v[8:], [4, 4, 4], " "),
        "split over two lines": lambda v, r: grouped(v[:8], [4, 4], " ") + "\n" + grouped(v[8:], [4, 4, 4], " "),
        "split with slash": lambda v, r: v[:8] + " / " + v[8:],
        "uneven groups": lambda v, r: grouped(v, [6, 5, 5], " "),
        "pairs": lambda v, r: grouped(v, [2] * 10, " "),
    }


def iban_value(rng: random.Random) -> str:
    def digits(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    def letters(n: int) -> str:
        return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))

    makers = [
        lambda: iban_with_check("DE", digits(18)),
        lambda: iban_with_check("FR", digits(10) + letters(1) + digits(10) + digits(2)),
        lambda: iban_with_check("GB", letters(4) + digits(14)),
        lambda: iban_with_check("ES", digits(20)),
        lambda: iban_with_check("IT", letters(1) + digits(10) + digits(12)),
        lambda: iban_with_check("NL", letters(4) + digits(10)),
        lambda: iban_with_check("PT", digits(21)),
        lambda: iban_with_check("BE", digits(12)),
        lambda: iban_with_check("SA", digits(2) + digits(18)),
        lambda: iban_with_check("AE", digits(19)),
        lambda: iban_with_check("BR", digits(23) + letters(1) + digits(1)),
        lambda: iban_with_check("CH", digits(17)),
        lambda: iban_with_check("AT", digits(16)),
        lambda: iban_with_check("MA", digits(24)),
    ]
    return rng.choice(makers)()


def iban_forms() -> dict[str, Callable[[str, random.Random], str]]:
    return {
        "compact": lambda v, r: v,
        "spaces": lambda v, r: grouped(v, fours(v), " "),
        "double spaces": lambda v, r: grouped(v, fours(v), "  "),
        "nbsp": lambda v, r: grouped(v, fours(v), "\u00a0"),
        "dashes": lambda v, r: grouped(v, fours(v), "-"),
        "dots": lambda v, r: grouped(v, fours(v), "."),
        "lowercase": lambda v, r: grouped(v, fours(v), " ").lower(),
        "fullwidth": lambda v, r: fullwidth(grouped(v, fours(v), " ")),
        "arabic-indic digits": lambda v, r: in_script(grouped(v, fours(v), " "), "arabic-indic"),
        "zero-width spaces": lambda v, r: grouped(v, fours(v), "\u200b"),
        "space after country": lambda v, r: v[:2] + " " + v[2:],
    }


NAMES = ("jane.doe", "m.dupont", "hans_mueller", "maria.garcia89", "rossi.luca", "ana-souza", "pieter.devries",
         "ahmed.ali", "rahul.sharma", "k.o'brien", "lena+bills", "x9.user")  # fmt: skip
DOMAINS = ("example.com", "mail.example.fr", "example.de", "correo.example.es", "example.it", "example.com.br",
           "example.nl", "example.ae", "example.co.in", "example.co.uk")  # fmt: skip
AT_WORDS = {
    "en": [" at ", " [at] ", " (at) ", " {at} ", " AT "],
    "fr": [" arobase ", " at ", " (arobase) "],
    "de": [" at ", " (at) ", " [ät] ", " Klammeraffe "],
    "es": [" arroba ", " (arroba) "],
    "it": [" chiocciola ", " at "],
    "pt": [" arroba ", " [arroba] "],
    "nl": [" apenstaartje ", " at "],
    "ar": [" آت ", " at "],
    "hi": [" at the rate ", " at the rate of "],
}
DOT_WORDS = {
    "en": [" dot ", " [dot] ", " (dot) ", " DOT "],
    "fr": [" point ", " (point) "],
    "de": [" punkt ", " (punkt) "],
    "es": [" punto "],
    "it": [" punto "],
    "pt": [" ponto "],
    "nl": [" punt "],
    "ar": [" دوت ", " نقطة "],
    "hi": [" dot "],
}


def email_cases(rng: random.Random) -> Iterator[PiiCase]:
    def addr() -> tuple[str, str]:
        name = rng.choice(NAMES).replace("'", "")
        return name, rng.choice(DOMAINS)

    symbol_forms: dict[str, Callable[[str, str], str]] = {
        "plain": lambda n, d: f"{n}@{d}",
        "spaces around @": lambda n, d: f"{n} @ {d}",
        "space after @": lambda n, d: f"{n}@ {d}",
        "fullwidth @": lambda n, d: f"{n}＠{d}",
        "small @": lambda n, d: f"{n}﹫{d}",
        "zero-width space before @": lambda n, d: f"{n}\u200b@{d}",
        "zero-width space after @": lambda n, d: f"{n}@\u200b{d}",
        "quoted local part": lambda n, d: f'"{n.replace(".", " ")}"@{d}',
        "ip literal": lambda n, d: f"{n}@[192.0.2.{rng.randrange(1, 255)}]",
        "ipv6 literal": lambda n, d: f"{n}@[IPv6:2001:db8::{rng.randrange(1, 99)}]",
        "uppercase": lambda n, d: f"{n}@{d}".upper(),
        "bracket at": lambda n, d: f"{n}[at]{d}",
        "bracket at and dot": lambda n, d: f"{n}[at]{d.replace('.', '[dot]')}",
        "paren at and dot": lambda n, d: f"{n}(at){d.replace('.', '(dot)')}",
        "brace at": lambda n, d: f"{n}{{at}}{d}",
        "fullwidth brackets": lambda n, d: f"{n}（at）{d.replace('.', '（dot）')}",
        "spaced dots": lambda n, d: f"{n}@{d.replace('.', ' . ')}",
        "fullwidth whole": lambda n, d: fullwidth(f"{n}@{d}"),
        "in a url": lambda n, d: f"https://portal.example.net/reset?user={n}@{d}",
    }
    for form, make in symbol_forms.items():
        for i in range(len(LANGUAGES)):
            name, domain = addr()
            value = make(name, domain)
            language = LANGUAGES[i]
            sentence = rng.choice(SENTENCES["email"][language])
            start = sentence.index("{}")
            inner = value.index("=") + 1 if form == "in a url" else 0  # only the address goes, not the link
            yield PiiCase("email", form, language, sentence[:start] + value + sentence[start + 2 :],
                          start + inner, start + len(value))  # fmt: skip
    for language in LANGUAGES:
        for at_word in AT_WORDS[language]:
            for dot_word in DOT_WORDS[language]:
                name, domain = addr()
                value = name.replace(".", dot_word) + at_word + domain.replace(".", dot_word)
                sentence = rng.choice(SENTENCES["email"][language])
                start = sentence.index("{}")
                yield PiiCase("email", "spelled out", language, sentence[:start] + value + sentence[start + 2 :],
                              start, start + len(value))  # fmt: skip
            name, domain = addr()
            value = name + at_word + domain
            sentence = rng.choice(SENTENCES["email"][language])
            start = sentence.index("{}")
            yield PiiCase("email", "spelled at, plain dots", language,
                          sentence[:start] + value + sentence[start + 2 :], start, start + len(value))  # fmt: skip


def phone_values() -> dict[str, list[str]]:
    return {
        "international": ["+44 7700 900123", "+49 151 23456789", "+33 6 12 34 56 78", "+34 612 34 56 78",
                          "+39 333 123 4567", "+351 912 345 678", "+31 6 12345678", "+971 50 123 4567",
                          "+966 50 123 4567", "+91 98765 43210", "+55 11 91234-5678", "+1 (555) 010-4477"],
        "international nbsp": ["+44\u00a07700\u00a0900123", "+33\u00a06\u00a012\u00a034\u00a056\u00a078",
                               "+49\u202f151\u202f23456789"],
        "00 prefix": ["0044 7700 900123", "0049 151 23456789", "0033 6 12 34 56 78"],
        "national": ["07700 900123", "0151 23456789", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78",
                     "030 1234567", "020 7946 0958", "0612 345 678", "050 123 4567"],
        "national slash": ["0151/12345678", "030/1234567", "089/12345678", "0171/1234567", "0221 / 123 45 67",
                           "(030)/1234567", "0611/123456"],
        "north american": ["(555) 010-4477", "555-010-4477", "555.010.4477"],
        "no trunk": ["612 34 56 78", "912 345 678", "333 123 4567", "(11) 91234-5678"],
        "digits spaced": ["0 6 1 2 3 4 5 6 7 8", "0 1 5 1 2 3 4 5 6 7 8 9", "07 70 09 00 12 3",
                          "0 7 7 0 0 9 0 0 1 2 3"],
        "arabic-indic digits": [in_script("050 123 4567", "arabic-indic"), in_script("+966 50 123 4567", "arabic-indic"),
                                in_script("055 987 6543", "persian")],
        "devanagari digits": [in_script("+91 98765 43210", "devanagari")],
        "fullwidth": [fullwidth("+81 90 1234 5678"), fullwidth("090-1234-5678")],
        "double spaces": ["0151  23456789", "06  12  34  56  78"],
        "direction marks": ["+966\u200e 50\u200f 123 4567", in_script("055\u200e 123\u200e 4567", "arabic-indic"),
                            "+971\u2066 50 123 4567"],
        "digit words": ["zero seven seven double zero nine zero zero one two three",
                        "zéro six douze".replace("douze", "un deux trois quatre cinq six sept huit"),
                        "null eins fünf eins zwei drei vier fünf sechs sieben acht",
                        "cero seis uno dos tres cuatro cinco seis siete", "tre tre tre uno due tre quattro cinque sei sette",
                        "nove um dois três quatro cinco seis sete oito", "nul zes een twee drie vier vijf zes zeven acht",
                        "صفر خمسة خمسة واحد اثنان ثلاثة اربعة خمسة ستة سبعة", "nau aath saat chhe paanch char teen do ek shunya"],
    }  # fmt: skip


def id_values(rng: random.Random) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    ssns = [ssn(rng) for _ in range(9)]
    out["us ssn dashes"] = [f"{s[:3]}-{s[3:5]}-{s[5:]}" for s in ssns]
    out["us ssn spaces"] = [f"{s[:3]} {s[3:5]} {s[5:]}" for s in ssns]
    ninos = [nino(rng) for _ in range(9)]
    out["uk nino"] = ninos
    out["uk nino spaced"] = [f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8]}" for n in ninos]
    nirs = [nir(rng) for _ in range(9)]
    out["fr nir"] = nirs
    out["fr nir spaced"] = [f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} {n[13:]}" for n in nirs]
    out["fr nir corsica"] = [nir(rng, rng.choice(["2A", "2B"])) for _ in range(4)]
    dnis = [dni(rng) for _ in range(9)]
    out["es dni"] = dnis
    out["es dni dash"] = [f"{d[:8]}-{d[8]}" for d in dnis]
    out["es dni dots"] = [f"{d[:2]}.{d[2:5]}.{d[5:8]}-{d[8]}" for d in dnis]
    out["es nie"] = [nie(rng) for _ in range(9)]
    out["it codice fiscale"] = [codice_fiscale(rng) for _ in range(9)]
    out["it codice fiscale lowercase"] = [codice_fiscale(rng).lower() for _ in range(4)]
    ids = [steuer_id(rng) for _ in range(9)]
    out["de steuer-id"] = [f"{s[:2]} {s[2:5]} {s[5:8]} {s[8:]}" for s in ids]
    out["de steuer-id bare"] = ids
    cpfs = [cpf(rng) for _ in range(9)]
    out["br cpf"] = [f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}" for c in cpfs]
    out["br cpf bare"] = cpfs
    aadhaars = [aadhaar(rng) for _ in range(9)]
    out["in aadhaar"] = [f"{a[:4]} {a[4:8]} {a[8:]}" for a in aadhaars]
    out["in aadhaar devanagari"] = [in_script(f"{a[:4]} {a[4:8]} {a[8:]}", "devanagari") for a in aadhaars[:4]]
    out["in aadhaar bare"] = aadhaars
    out["in pan"] = [pan(rng) for _ in range(9)]
    return out


def pii_cases() -> list[PiiCase]:
    """Every labelled case, in a fixed order."""
    rng = random.Random(SEED)
    cases: list[PiiCase] = []
    for form, render in card_forms().items():
        values = [render(card_number(rng), rng) for _ in range(len(LANGUAGES))]
        cases.extend(_cases_for("card", "card/" + form, values, rng))
    more = [grouped(v, fours(v), " ") for v in (card_number(rng, CARD_PREFIXES_MORE) for _ in range(18))]
    cases.extend(_cases_for("card", "card/other networks", more, rng))
    for form, render in iban_forms().items():
        values = [render(iban_value(rng), rng) for _ in range(len(LANGUAGES) + 5)]
        cases.extend(_cases_for("iban", "iban/" + form, values, rng))
    cases.extend(email_cases(rng))
    for form, values in phone_values().items():
        cases.extend(_cases_for("phone", "phone/" + form, values, rng))
    for form, values in id_values(rng).items():
        cases.extend(_cases_for("id", "id/" + form, values, rng))
    return cases


# --- ordinary texts: numbers care needs, no personal data ---------------------------------------


def imei(rng: random.Random) -> str:
    tac = rng.choice(["35", "86", "01", "99", "49", "35"]) + "".join(str(rng.randrange(10)) for _ in range(6))
    return with_luhn(tac + "".join(str(rng.randrange(10)) for _ in range(6)))


def iccid(rng: random.Random) -> str:
    body = "89" + rng.choice(["44", "49", "33", "34", "39", "91", "971", "1"])
    body += "".join(str(rng.randrange(10)) for _ in range(18 - len(body)))
    return with_luhn(body)


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(n - 1))


def ordinary_texts(n: int = 1200) -> list[OrdinaryText]:
    """`n` ordinary texts (at least 1,000), deterministic."""
    rng = random.Random(SEED + 1)
    makers = _ordinary_makers(rng)
    forms = sorted(makers)
    return [OrdinaryText(form, *makers[form]()) for form in (forms[i % len(forms)] for i in range(n))]


def _ordinary_makers(rng: random.Random) -> dict[str, Callable[[], tuple[str, str]]]:
    def pick(options: list[tuple[str, str]]) -> tuple[str, str]:
        return rng.choice(options)

    def imei_text() -> tuple[str, str]:
        v = imei(rng)
        shown = rng.choice([v, f"{v[:2]} {v[2:8]} {v[8:14]} {v[14]}", f"{v[:2]}-{v[2:8]}-{v[8:14]}-{v[14]}",
                            in_script(v, "arabic-indic"), fullwidth(v)])  # fmt: skip
        lang, template = pick([
            ("en", "my IMEI is {} and it still shows as blocked"),
            ("en", "phone stolen, IMEI {} please blacklist it"),
            ("en", "new handset {} not recognised on the network"),
            ("fr", "mon IMEI {} est bloqué depuis hier"),
            ("de", "Die IMEI meines Geräts ist {} und es geht nicht"),
            ("es", "el IMEI {} sigue bloqueado"),
            ("it", "IMEI del telefono {} ancora bloccato"),
            ("pt", "o IMEI {} continua bloqueado"),
            ("nl", "IMEI {} werkt nog steeds niet"),
            ("ar", "رقم IMEI الخاص بجهازي {} لا يعمل"),
            ("hi", "mera IMEI {} block ho gaya"),
            ("en", "{} is the IMEI on the box"),
        ])  # fmt: skip
        return lang, template.format(shown)

    def iccid_text() -> tuple[str, str]:
        v = iccid(rng)
        shown = rng.choice([v, grouped(v, fours(v), " "), grouped(v, [2, 4, 4, 4, 4], " ")])
        lang, template = pick([
            ("en", "new SIM {} still not activated"),
            ("en", "ICCID {} shows as inactive"),
            ("fr", "ma carte SIM {} n'est pas activée"),
            ("de", "SIM-Karte {} ist noch nicht freigeschaltet"),
            ("es", "la tarjeta SIM {} no funciona"),
            ("it", "la SIM {} non è attiva"),
            ("pt", "o chip {} não ativa"),
            ("nl", "simkaart {} is niet geactiveerd"),
            ("ar", "شريحة رقم {} غير مفعلة"),
            ("hi", "SIM {} activate nahi hua"),
        ])  # fmt: skip
        return lang, template.format(shown)

    def order_text() -> tuple[str, str]:
        v = rng.choice([
            _digits(rng, rng.randrange(6, 13)),
            f"{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}",
            f"#{_digits(rng, rng.randrange(6, 17))}",
            f"NW-{rng.randrange(2024, 2027)}-{_digits(rng, 6)}",
            f"ORD{_digits(rng, 9)}",
            f"{_digits(rng, 4)} {_digits(rng, 4)}",
            "0" + _digits(rng, 9),
        ])  # fmt: skip
        lang, template = pick([
            ("en", "order {} never arrived"),
            ("en", "where is my order {}? it's been 2 weeks"),
            ("fr", "ma commande {} n'est jamais arrivée"),
            ("de", "Bestellung {} ist immer noch nicht da"),
            ("de", "Bestellnummer: {} seit 10 Tagen unterwegs"),
            ("es", "mi pedido {} no ha llegado"),
            ("it", "l'ordine {} non è mai arrivato"),
            ("pt", "a minha encomenda {} ainda não chegou"),
            ("nl", "bestelling {} is nog niet geleverd"),
            ("ar", "الطلب رقم {} لم يصل بعد"),
            ("hi", "order {} abhi tak nahi aaya"),
            ("en", "invoice {} charged 49.99 twice"),
            ("fr", "facture {} incorrecte, 29,99 € au lieu de 19,99 €"),
            ("en", "account number {} shows the wrong plan"),
            ("de", "Kundennummer {} – Vertrag falsch"),
        ])  # fmt: skip
        return lang, template.format(v)

    def tracking_text() -> tuple[str, str]:
        ups = "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(6)) + _digits(rng, 10)
        usps = "94" + "".join(str(rng.randrange(10)) for _ in range(20))
        v = rng.choice([
            ups, usps, grouped(usps, [4] * 6, " "),
            f"{rng.choice(['RR', 'LX', 'CP', 'EA', 'AB', 'JD'])}{_digits(rng, 9)}{rng.choice(['GB', 'DE', 'FR', 'CN', 'NL'])}",
            "JJD" + _digits(rng, 18), "00340434" + "".join(str(rng.randrange(10)) for _ in range(12)),
            _digits(rng, 10), _digits(rng, 12), "JVGL" + _digits(rng, 16), "6A" + _digits(rng, 11),
        ])  # fmt: skip
        lang, template = pick([
            ("en", "tracking number {} says delivered but nothing here"),
            ("en", "UPS {} stuck in the depot"),
            ("en", "parcel {} has not moved for 5 days"),
            ("fr", "numéro de suivi {} bloqué"),
            ("fr", "colis {} toujours en transit"),
            ("de", "Sendungsnummer {} hängt seit Tagen"),
            ("de", "DHL {} nicht zugestellt"),
            ("es", "número de seguimiento {} sin movimiento"),
            ("it", "spedizione {} ferma da giorni"),
            ("pt", "código de rastreio {} parado"),
            ("nl", "pakket {} niet bezorgd"),
            ("ar", "رقم التتبع {} لا يتحرك"),
            ("hi", "tracking {} pe koi update nahi"),
        ])  # fmt: skip
        return lang, template.format(v)

    def reference_text() -> tuple[str, str]:
        body = _digits(rng, rng.randrange(8, 16))
        rf_number = "".join(str(int(c, 36)) for c in body + "RF00")
        rf = f"RF{98 - int(rf_number) % 97:02d}{body}"
        structured = _digits(rng, 10)
        be = f"+++{structured[:3]}/{structured[3:7]}/{structured[7:]}{int(structured) % 97 or 97:02d}+++"
        qr = "".join(str(rng.randrange(10)) for _ in range(27))
        v = rng.choice([
            grouped(rf, fours(rf), " "), rf, be, grouped(qr, [2, 5, 5, 5, 5, 5], " "),
            f"INV-{rng.randrange(2024, 2027)}-{_digits(rng, 5)}", _digits(rng, rng.randrange(6, 11)),
            f"TX{_digits(rng, 12)}", f"{_digits(rng, 4)}-{_digits(rng, 4)}-{_digits(rng, 4)}",
        ])  # fmt: skip
        lang, template = pick([
            ("en", "payment reference {} not matched to my account"),
            ("en", "I paid with reference {} last week"),
            ("fr", "référence de paiement {} non prise en compte"),
            ("de", "Verwendungszweck {} wurde nicht zugeordnet"),
            ("es", "referencia {} no aparece"),
            ("it", "riferimento {} non trovato"),
            ("pt", "referência {} não reconhecida"),
            ("nl", "betalingskenmerk {} niet verwerkt"),
            ("ar", "المرجع {} لم يظهر في حسابي"),
            ("hi", "transaction {} fail ho gaya"),
            ("en", "ticket {} still open after a week"),
            ("de", "Vorgang {} seit Wochen offen"),
        ])  # fmt: skip
        return lang, template.format(v)

    def date_time_text() -> tuple[str, str]:
        d, m, y = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(2019, 2027)
        h, mi = rng.randrange(0, 24), rng.randrange(0, 60)
        v = rng.choice([
            f"{d:02d}/{m:02d}/{y}", f"{d:02d}.{m:02d}.{y} {h:02d}:{mi:02d}", f"{y}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}",
            f"{y}-{m:02d}-{d:02d} {h:02d}:{mi:02d}:{rng.randrange(60):02d}", f"{d}.{m}.{y}", f"{m}/{d}/{y}",
            f"{h:02d}:{mi:02d}", f"{h}h{mi:02d}", f"{d:02d}-{m:02d}-{y}", in_script(f"{d:02d}/{m:02d}/{y}", "arabic-indic"),
        ])  # fmt: skip
        lang, template = pick([
            ("en", "network down since {} and still nothing"),
            ("fr", "panne depuis le {} toujours rien"),
            ("de", "Seit {} kein Netz"),
            ("es", "sin señal desde el {}"),
            ("it", "nessun segnale dal {}"),
            ("pt", "sem rede desde {}"),
            ("nl", "geen bereik sinds {}"),
            ("ar", "لا توجد شبكة منذ {}"),
            ("hi", "{} se network nahi hai"),
        ])  # fmt: skip
        return lang, template.format(v)

    def price_text() -> tuple[str, str]:
        euros, cents = rng.randrange(1, 3000), rng.randrange(100)
        v = rng.choice([
            f"€{euros}.{cents:02d}", f"{euros},{cents:02d} €", f"{euros},{cents:02d}€", f"${euros:,}.{cents:02d}",
            f"£{euros}", f"{euros:,}.{cents:02d} AED", f"R$ {euros},{cents:02d}", f"₹{euros * 10:,}",
            f"{euros} {cents:02d}0 €".replace(" ", "\u202f", 1), f"{euros}.{cents:02d} SAR",
            f"1 {rng.randrange(100, 999)},{cents:02d} €",
        ])  # fmt: skip
        lang, template = pick([
            ("en", "you charged me {} instead of £19.99"),
            ("fr", "facturé {} au lieu de 19,99 €"),
            ("de", "Mir wurden {} berechnet statt 29,99 €"),
            ("es", "me cobraron {} en vez de 15 €"),
            ("it", "addebitati {} invece di 9,99 €"),
            ("pt", "cobraram {} em vez de 20 €"),
            ("nl", "{} afgeschreven in plaats van 25 euro"),
            ("ar", "خصموا {} بدلا من 50 درهم"),
            ("hi", "{} kat gaye jabki plan 299 ka hai"),
        ])  # fmt: skip
        return lang, template.format(v)

    def version_model_text() -> tuple[str, str]:
        v = rng.choice([
            f"iOS {rng.randrange(15, 19)}.{rng.randrange(0, 7)}.{rng.randrange(0, 4)}",
            f"Android {rng.randrange(11, 16)}", f"app version {rng.randrange(1, 10)}.{rng.randrange(0, 40)}.{rng.randrange(0, 300)}",
            f"build {rng.randrange(2024, 2027)}.{rng.randrange(1, 13)}.{rng.randrange(1, 29)}.{rng.randrange(1000, 99999)}",
            f"SM-G{rng.randrange(900, 999)}{rng.choice('BFUN')}", f"Galaxy S{rng.randrange(20, 26)} Ultra",
            f"iPhone {rng.randrange(11, 17)} Pro Max", f"model A{rng.randrange(2000, 3200)}",
            f"router RT-AX{rng.randrange(50, 99)}U", f"firmware {rng.randrange(1, 9)}.{rng.randrange(0, 9)}.{rng.randrange(0, 99)}.{rng.randrange(1000, 9999)}",
            f"Fritzbox {rng.choice(['7590', '7530', '6660', '7490'])}", f"Pixel {rng.randrange(6, 10)}a",
            f"model number {rng.randrange(1000, 9999)}-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
            f"S/N {''.join(rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789') for _ in range(12))}",
            f"serial {_digits(rng, rng.randrange(10, 16))}",
        ])  # fmt: skip
        lang, template = pick([
            ("en", "since the update to {} the signal drops"),
            ("en", "my {} keeps losing 5G"),
            ("fr", "depuis la mise à jour {} plus de 4G"),
            ("de", "Seit dem Update auf {} kein WLAN mehr"),
            ("es", "desde la actualización {} no hay datos"),
            ("it", "dopo l'aggiornamento {} niente rete"),
            ("pt", "depois da atualização {} sem dados"),
            ("nl", "sinds update {} geen 5G"),
            ("ar", "منذ تحديث {} لا يوجد اتصال"),
            ("hi", "{} update ke baad network nahi"),
        ])  # fmt: skip
        return lang, template.format(v)

    def plan_numbers_text() -> tuple[str, str]:
        return pick([
            ("en", f"I pay {rng.randrange(10, 80)} a month for {rng.randrange(5, 200)}GB and get {rng.randrange(1, 30)} Mbit/s"),
            ("en", f"{rng.randrange(3, 60)} minutes on hold, {rng.randrange(2, 9)} calls, {rng.randrange(1, 5)} agents"),
            ("en", f"speedtest: {rng.randrange(1, 900)}.{rng.randrange(10)} Mbps down, {rng.randrange(1, 90)} ms ping"),
            ("fr", f"{rng.randrange(2, 40)} appels et {rng.randrange(1, 9)} heures d'attente, {rng.randrange(10, 99)} % de batterie"),
            ("de", f"Tarif {rng.randrange(10, 60)} GB für {rng.randrange(10, 60)},99 € im Monat, {rng.randrange(1, 24)} Monate Laufzeit"),
            ("es", f"{rng.randrange(2, 12)} días sin fibra en el código postal {rng.randrange(10000, 52999)}"),
            ("it", f"CAP {rng.randrange(10000, 98999)}: {rng.randrange(2, 12)} giorni senza linea"),
            ("pt", f"{rng.randrange(2, 30)} dias sem internet no {rng.randrange(1000, 9999)}-{rng.randrange(100, 999)}"),
            ("nl", f"postcode {rng.randrange(1000, 9999)} AB al {rng.randrange(2, 12)} dagen storing"),
            ("ar", f"انتظرت {rng.randrange(10, 90)} دقيقة و {rng.randrange(2, 9)} مكالمات"),
            ("hi", f"{rng.randrange(2, 9)} din se {rng.randrange(100, 999)} rupaye ka recharge kaam nahi kar raha"),
            ("en", f"flight LH{rng.randrange(100, 9999)} gate B{rng.randrange(1, 60)}, roaming not working in room {rng.randrange(100, 999)}"),
            ("en", f"IP {rng.randrange(1, 255)}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)} and port {rng.randrange(1024, 65535)} blocked"),
            ("de", f"PIN {rng.randrange(1000, 9999)} gesperrt, PUK {_digits(rng, 8)} angefordert"),
            ("en", f"voucher code {_digits(rng, 16)} was rejected"),
            ("en", f"coupon {_digits(rng, 12)} didn't apply the 20% off"),
        ])  # fmt: skip

    def words_text() -> tuple[str, str]:
        return pick([
            ("en", f"I bought it at amazon.com for {rng.randrange(100, 999)} and it broke"),
            ("en", "look at example.org, the outage map is red everywhere"),
            ("en", f"@northwind_help at {rng.randrange(1, 12)} pm still no signal, thanks @ofcom"),
            ("en", "we were at home dot the whole weekend without internet"),
            ("en", f"meet me at the shop at {rng.randrange(1, 12)}:{rng.randrange(10, 60)}, I'm at gate {rng.randrange(1, 40)}"),
            ("en", "signed up at northwind.example and got charged at once"),
            ("fr", "j'ai acheté le forfait sur boutique.example.fr, une arnaque"),
            ("de", f"ich war um {rng.randrange(1, 12)} Uhr im Shop, Punkt. Keiner da."),
            ("es", "estoy en casa y no hay señal @northwind"),
            ("it", "ho scritto a @northwind_it su example.it ma niente"),
            ("pt", "estava no aeroporto às 10h e nada @northwind_br"),
            ("nl", "om 8 uur bij de winkel, punt uit"),
            ("ar", "أنا في البيت والإنترنت مقطوع @northwind"),
            ("hi", "main ghar pe hoon at the moment, network nahi hai"),
            ("en", f"one two three testing, {rng.randrange(2, 9)} bars of signal then zero"),
            ("en", f"part number {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}-{rng.randrange(100, 999)} for the charger is missing"),
            ("de", f"Artikelnummer {_digits(rng, 8)} nicht lieferbar"),
            ("en", f"Nokia {rng.choice(['3310', '2720', '8110', '6300'])} can't send SMS to {rng.randrange(10000, 99999)}"),
        ])  # fmt: skip

    return {
        "words, handles and sites": words_text,
        "imei": imei_text,
        "iccid": iccid_text,
        "order number": order_text,
        "tracking code": tracking_text,
        "payment reference": reference_text,
        "date or time": date_time_text,
        "price": price_text,
        "version or model": version_model_text,
        "plans and counts": plan_numbers_text,
    }
