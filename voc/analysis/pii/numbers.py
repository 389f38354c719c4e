"""Numbers that are personal data: cards, IBANs, digit-only national ids and phones.

Detectors read the normalised text (`voc.analysis.pii.text`) and return `Finding`s. A number is
judged by its structure first (length, issuer range, checksum), then by the words before it
(`voc.analysis.pii.context`):

- a run of digit groups with any separators (spaces, double spaces, dots, slashes, dashes) is a
  card when a group-aligned window of 13-19 digits is in a card network's range and length and
  passes Luhn; two runs joined by a comma or "and" are read as one number split in two;
- look-alikes survive by structure: an ICCID (19-20 digits from 89), an IMEI (15 digits passing
  Luhn outside every card range), USPS tracking (20-22 digits from 91-95), an Amazon-style order
  (3-7-7 digits);
- a card-valid number that the words call a device, SIM, order, tracking or payment reference is
  ambiguous: it is still redacted, and its rule ends in ``?``;
- national ids made of digits (US SSN, French NIR, Brazilian CPF, German tax id, Aadhaar) need
  their check or structure; the weak checks on bare digits (CPF, tax id, Aadhaar) give way to the
  words "order", "tracking", "IMEI"…;
- phones: international (``+``/``00``), North American, national with a trunk ``0`` (slashes as
  in ``0151/12345678`` included), the no-trunk shapes of ES/PT/IT/BR, digits typed one by one,
  and letters typed for digits ("O6 12 34 56 78").

A number glued to a word, a ``#``, a ``/`` or a decimal point is an identifier or an amount (a
valid card glued to a ``#`` or a short word is still redacted, as ambiguous).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final

from voc.analysis.pii import checks
from voc.analysis.pii.context import NOT_PERSONAL, Cue, cue_before
from voc.analysis.pii.kinds import CARD, IBAN, ID, PHONE, Finding

# A run of digits may not start glued to a word, an id sign, a path or an amount. After a comma it
# may start when the comma does not follow a digit ("Paris,0612345678": a CSV cell) or when five
# digits follow it (no thousands group or decimal has five: "2,4111111111111111").
_NOT_AFTER: Final = r"(?<![\w#/+.\-@$€£¥])(?:(?<![0-9],)|(?=[0-9]{5}))"
_SEP: Final = r"(?:[ \t]{1,3}|[ \t]?[.\-/_][ \t]?)"
_RUN_RE: Final = re.compile(_NOT_AFTER + r"[0-9]+(?:" + _SEP + r"[0-9]+)*")
_GROUP_RE: Final = re.compile(r"[0-9]+")
_DECIMAL_TAIL_RE: Final = re.compile(r"[.,][0-9]")


def _glued_after(text: str, end: int, digit_count: int, leading: str) -> bool:
    """True when the run ending at `end` runs on into a word, an underscore or a decimal part.

    A comma and a digit after a long number is the next cell of a CSV row ("4111…1111,12/27"):
    no amount has a whole part of 12 digits, or of nine starting with 0 or "+" (a phone)."""
    tail = text[end : end + 2]
    if tail[:1].isalnum() or tail[:1] == "_":
        return True
    if not _DECIMAL_TAIL_RE.match(tail):
        return False
    return not (tail[0] == "," and (digit_count >= 12 or (digit_count >= 9 and leading in "0+")))


# What may join the two halves of a split number: punctuation, a line break, "and" in our languages.
_JOIN_RE: Final = re.compile(
    r"[ \t\n]*[,;:|+&/]?[ \t\n]*(?:(?:and|und|et|y|e|en|then|dann|puis|luego|poi|depois|و)[ \t\n]+)?", re.IGNORECASE
)


class _Run:
    __slots__ = ("start", "end", "groups", "digits", "taken")

    def __init__(self, start: int, end: int, groups: list[tuple[int, int]], digits: list[str]) -> None:
        self.start, self.end, self.groups, self.digits = start, end, groups, digits
        self.taken = False


def _runs(text: str) -> list[_Run]:
    runs = []
    for match in _RUN_RE.finditer(text):
        end = match.end()
        groups = [(match.start() + g.start(), match.start() + g.end()) for g in _GROUP_RE.finditer(match.group())]
        if _glued_after(text, end, sum(hi - lo for lo, hi in groups), match.group()[0]):
            continue  # glued to a word (an id) or a decimal amount
        runs.append(_Run(match.start(), end, groups, [text[s:e] for s, e in groups]))
    return runs


def number_findings(text: str) -> list[Finding]:
    """Cards and digit-only national ids in normalised `text`."""
    findings: list[Finding] = []
    runs = _runs(text)
    cues: dict[int, Cue | None] = {}

    def cue(start: int) -> Cue | None:
        if start not in cues:
            cues[start] = cue_before(text, start)
        return cues[start]

    for run in runs:
        compact = "".join(run.digits)
        if _look_alike(compact, run.digits):
            run.taken = True
            continue
        strong = _digit_id(compact, [len(d) for d in run.digits], functools.partial(cue, run.start))
        if strong and not strong.endswith("?"):
            # A whole run passing a national id's check is that id, not a card hiding in part of it.
            run.taken = True
            findings.append(Finding(ID, strong, run.start, run.end))
            continue
        cards = _card_windows(run.digits, len(compact) > 19 and _uniform(run.digits))
        for lo, hi in cards:
            start, end = run.groups[lo][0], run.groups[hi][1]
            ambiguous = cue(run.start) in NOT_PERSONAL
            findings.append(Finding(CARD, "card.luhn" + ("?" if ambiguous else ""), start, end))
        if cards:
            run.taken = True
            continue
        if strong:
            run.taken = True
            findings.append(Finding(ID, strong, run.start, run.end))
    findings.extend(_split_cards(text, runs))
    findings.extend(_glued_cards(text))
    return findings


# Digits glued to an id sign or a short word, which no run starts after ("#4111111111111111",
# "cc4111111111111111", "CB4111111111111111").
_LONG_DIGITS_RE: Final = re.compile(r"[0-9]{13,19}")
_GLUED_PREFIX_RE: Final = re.compile(r"(?:#|\b[A-Za-z]{1,4})\Z")


def _glued_cards(text: str) -> list[Finding]:
    """A valid card glued to a ``#`` or a short word: it could be an order number, so it is
    redacted as ambiguous, like a card the words call an order."""
    return [
        Finding(CARD, "card.luhn?", *m.span())
        for m in _LONG_DIGITS_RE.finditer(text)
        if m.start() > 0
        and text[m.start() - 1] in _GLUE
        and not text[m.end() : m.end() + 1].isalnum()
        and _GLUED_PREFIX_RE.search(text, max(0, m.start() - 5), m.start())
        and checks.card_valid(m.group())
    ]


_GLUE: Final = frozenset("#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _look_alike(compact: str, digits: list[str]) -> bool:
    """Numbers care needs, told apart by structure alone."""
    n = len(compact)
    if n in (19, 20) and compact.startswith("89"):
        return True  # SIM ICCID (ITU-T E.118)
    if n == 15 and not checks.card_issuer_valid(compact) and checks.luhn_valid(compact):
        return not checks.nir_valid(compact)  # IMEI
    if 20 <= n <= 22 and compact[0] == "9" and compact[1] in "12345":
        return True  # USPS tracking
    if n > 22 and compact.startswith("420"):
        return True  # USPS tracking with its ZIP routing prefix
    return [len(d) for d in digits] == [3, 7, 7]  # Amazon-style order number


def _uniform(digits: list[str]) -> bool:
    """Groups of one size (the first and last may be shorter): one long reference, not a card and more."""
    inner = {len(d) for d in digits[1:-1]}
    return len(inner) <= 1


def _card_windows(digits: list[str], one_long_number: bool) -> list[tuple[int, int]]:
    """Group-aligned windows that are valid cards, leftmost-longest first, without overlap.

    In `one_long_number` (a reference of uniform groups longer than any card) a window spanning
    several groups must start the run or follow a card found in it ("4111 1111 1111 1111 5500 …"),
    or end the run; one group that is a whole card always counts."""
    found: list[tuple[int, int]] = []
    last = len(digits) - 1
    anchor = i = 0
    while i <= last:
        best = None
        if digits[i][0] in _CARD_FIRST_DIGITS:
            count = 0
            for j in range(i, last + 1):
                count += len(digits[j])
                if count > 19:
                    break
                if count < 13 or (one_long_number and i < j and i != anchor and j != last):
                    continue
                if checks.card_valid("".join(digits[i : j + 1])):
                    best = j
        if best is None:
            i += 1
        else:
            found.append((i, best))
            anchor = i = best + 1
    return found


_CARD_FIRST_DIGITS: Final = frozenset("2345689")


def _digit_id(compact: str, sizes: list[int], cue: Callable[[], Cue | None]) -> str | None:
    """The rule of the national id that a whole run of digits is, if any."""
    n = len(compact)
    bare = len(sizes) == 1
    if n == 9:
        if sizes != [3, 2, 4] and cue() == Cue.ID:
            # After "BSN", "NIF", "contribuinte"…: the Dutch BSN and Portuguese NIF carry a mod-11 check.
            if checks.bsn_valid(compact):
                return "id.nl_bsn"
            if checks.nif_pt_valid(compact):
                return "id.pt_nif"
        if sizes == [3, 2, 4] or (bare and cue() == Cue.ID):
            return "id.us_ssn" if checks.ssn_valid(compact[:3], compact[3:5], compact[5:]) else None
        return None
    if n == 11:
        if checks.cpf_valid(compact):
            if sizes == [3, 3, 3, 2]:
                return "id.br_cpf"
            return _weak(cue(), "id.br_cpf")
        if checks.steuer_id_valid(compact):
            if not bare:
                return "id.de_steuer_id"
            return _weak(cue(), "id.de_steuer_id")
        return None
    if n == 12 and checks.aadhaar_valid(compact):
        if sizes == [4, 4, 4]:
            return "id.in_aadhaar" + ("?" if cue() in NOT_PERSONAL else "")
        return _weak(cue(), "id.in_aadhaar")
    if n == 15 and checks.nir_valid(compact):
        return "id.fr_nir"
    if n == 13 and cue() == Cue.ID and checks.nir_body_valid(compact):
        return "id.fr_nir"  # typed without its key, after "sécu", "NIR" ...
    return None


def _weak(cue: Cue | None, rule: str) -> str | None:
    """Bare digits whose only evidence is a check digit: the words decide (none: redact, as ambiguous)."""
    if cue in NOT_PERSONAL:
        return None
    return rule if cue == Cue.ID else rule + "?"


def _split_cards(text: str, runs: list[_Run]) -> list[Finding]:
    """A card typed in pieces: two neighbouring runs that are a card together ("4111 1111, 1111
    1111"), or three or four, one a line ("4111\n1111\n1111\n1111", as a phone keyboard wraps it)."""
    findings = []
    for i, first in enumerate(runs):
        if first.taken:
            continue
        compact = "".join(first.digits)
        for count, (previous, following) in enumerate(zip(runs[i : i + 3], runs[i + 1 : i + 4], strict=False), 2):
            if following.taken or following.start - previous.end > 12:
                break
            gap = _JOIN_RE.fullmatch(text, previous.end, following.start)
            if gap is None or (count > 2 and "\n" not in gap.group()):
                break
            compact += "".join(following.digits)
            if len(compact) > 19:
                break
            if len(compact) >= 13 and checks.card_valid(compact):
                for run in runs[i : i + count]:
                    run.taken = True
                findings.append(Finding(CARD, "card.luhn.split", first.start, following.end))
                break
    return findings


# Country code, check digits, then letters/digits with any separators; the country's length decides the end.
# Groups may be split by slashes or underscores too, and it may wrap onto the next line.
_IBAN_BODY: Final = r"[A-Za-z]{2}[ \t.\-/_]?[0-9]{2}(?:[ \t]{0,2}[.\-/_\n]?[ \t]?[A-Za-z0-9]){10,32}"
_IBAN_RE: Final = re.compile(r"(?<![A-Za-z0-9])" + _IBAN_BODY)
# Glued to the word "IBAN" ("IBANDE89…"): searched only when the word is there.
_GLUED_IBAN_RE: Final = re.compile(r"(?<=[Ii][Bb][Aa][Nn])" + _IBAN_BODY)


def iban_findings(text: str) -> list[Finding]:
    """IBANs of the registry's countries, in any grouping, of their country's length, passing mod-97.

    The length ends the IBAN, so following words and numbers stay. A country outside the table is
    not tried: trying every length would let one look-alike in a few dozen pass mod-97 by chance
    (and ``RF`` creditor references, which use the same check, are payment references)."""
    findings = []
    matches = list(_IBAN_RE.finditer(text))
    if "iban" in text.lower():
        matches.extend(_GLUED_IBAN_RE.finditer(text))
    for match in matches:
        length = checks.IBAN_LENGTHS.get(match.group()[:2].upper())
        if length is None:
            continue
        chars: list[str] = []
        end = match.start()
        for i in range(match.start(), match.end()):
            if text[i].isalnum():
                chars.append(text[i])
                if len(chars) == length:
                    end = i + 1
                    break
        if len(chars) < length or (end < len(text) and text[end].isalnum()):
            continue
        if checks.iban_valid("".join(chars).upper()):
            findings.append(Finding(IBAN, "iban.mod97", match.start(), end))
    return findings


# Phone-shaped run: optional "+", groups separated by one or two spaces, a dot, a dash or a slash.
_PHONE_RUN_RE: Final = re.compile(
    _NOT_AFTER + r"(?:\+[ \t]?)?\(?[0-9]+\)?(?:(?:[ \t]{1,2}|[ \t]?[.\-/][ \t]?)\(?[0-9]+\)?|\([0-9]+\)|(?<=\))[0-9]+)*"
)
_NANP_RE: Final = re.compile(r"(?:\+?1[ .\-]?)?(?:\([0-9]{3}\)[ .\-]?|[0-9]{3}[ .\-])[0-9]{3}[ .\-][0-9]{4}")
# National numbers without a trunk 0: Spain/Portugal "612 34 56 78", "912 345 678"; Brazil "(11) 91234-5678";
# Indian mobiles "98765 43210".
# Spanish landlines "91 123 45 67", Portuguese "21 123 4567", Italian mobiles "338-1234567".
_NO_TRUNK_RE: Final = re.compile(
    r"[6-9][0-9]{4} [0-9]{5}|[2-9][0-9]{2}(?: [0-9]{2}){3}|[2-9][0-9]{2}([ .\-])[0-9]{3}\1[0-9]{3}|\([0-9]{2}\) ?[0-9]{4,5}[ \-][0-9]{4}"
    r"|[89][1-8] [0-9]{3} [0-9]{2} [0-9]{2}|2[1-9] [0-9]{3} [0-9]{4}|3[0-9]{2}[ .\-/][0-9]{7}"
)
# The last group may be one digit: "030 / 123 456 7", an extension "0711 123456-0".
_TRUNK_RE: Final = re.compile(r"\(?0[1-9][0-9]{0,3}\)?(?:(?: ?/ ?| ?- ?|[ .\-]{0,2})[0-9]{2,8})*(?:[ .\-][0-9])?")
# A date with a four-digit year at the start of a run ("05.11.2026 14" from "05.11.2026 14:30").
_DATE_RE: Final = re.compile(
    r"[0-9]{1,2}[./\-][0-9]{1,2}[./\-](?:19|20)[0-9]{2}(?![0-9])|(?:19|20)[0-9]{2}[./\-][0-9]{1,2}[./\-][0-9]{1,2}(?![0-9])"
)
_DIGITS_RE: Final = re.compile(r"[0-9]+")
# Country code and subscriber number as one block (11-15 digits), for the countries we serve.
# A national mobile typed without grouping or trunk: Spain/Portugal 9 digits, India 10 (after a phone word).
_BARE_MOBILE_RE: Final = re.compile(r"[6-9][0-9]{8}|[6-9][0-9]{9}")
_MSISDN_RE: Final = re.compile(
    r"(?:1|20|27|3[0-469]|4[0-9]|5[1-8]|6[0-6]|7|8[1246]|9[0-58]|35[0-9]|37[0-9]|38[0-9]|42[0-9]|96[0-9]|97[0-9])[0-9]{8,12}"
)


# Letters typed for digits inside a number ("O6 12 34 56 78", "O612345678", "06 I2 34 56 78"): a
# token of digits and O/o/I/l with at least one of each, not glued to other letters.
_LOOKALIKE_RE: Final = re.compile(r"(?<!\w)[0-9OoIl]*(?:[0-9][OoIl]|[OoIl][0-9])[0-9OoIl]*(?![^\W\d_])")
_LOOKALIKE_GATE_RE: Final = re.compile(r"[0-9][OoIl]|[OoIl][0-9]")
_LOOKALIKE_DIGITS: Final = str.maketrans("OoIl", "0011")


def phone_findings(text: str) -> list[Finding]:
    """Phone numbers in normalised `text`, letters typed for digits read as those digits."""
    if _LOOKALIKE_GATE_RE.search(text):
        text = _LOOKALIKE_RE.sub(lambda m: m.group().translate(_LOOKALIKE_DIGITS), text)  # same length
    findings: list[Finding] = []
    for match in _PHONE_RUN_RE.finditer(text):
        start, end = _without_stray_brackets(text, match.start(), match.end())
        if _glued_after(text, end, sum(map(str.isdigit, match.group())), text[start]) and not _EXTENSION_RE.match(
            text, end
        ):
            continue
        # The next in a list of phones ("Contacto: 827373100 | 824363655 | 872799030") is one too.
        listed = bool(findings) and _LIST_GAP_RE.fullmatch(text, findings[-1].end, start) is not None
        found = _phone_in_run(text, start, end, listed)
        if found is None and "/" in match.group():
            # Two numbers in one run: "06 12 34 56 78 / 01 23 45 67 89".
            found = []
            start = match.start()
            for piece in _SLASH_RE.split(match.group()):
                offset = text.index(piece, start)
                found.extend(_phone_in_run(text, offset, offset + len(piece)) or [])
                start = offset + len(piece)
        findings.extend(found or [])
    return findings


def _without_stray_brackets(text: str, start: int, end: int) -> tuple[int, int]:
    """The run without the brackets around it: "(06 12 34 56 78)" is a phone in parentheses, and
    its closing bracket is not the "(0)" or area-code kind a phone holds."""
    run = text[start:end]
    if run.startswith("(") and run.find(")") == len(run) - 1 and len(run) > 2:
        return start + 1, end - 1  # "(06 12 34 56 78)": the brackets hold the whole number
    while run.endswith(")") and run.count(")") > run.count("("):
        run, end = run[:-1], end - 1
    while run.startswith("(") and run.count("(") > run.count(")"):
        run, start = run[1:], start + 1
    return start, end


_SLASH_RE: Final = re.compile(r"[ \t]*/[ \t]*")
_LIST_GAP_RE: Final = re.compile(
    r"[ \t]*[|•·,;/]?[ \t]*(?:(?:or|ou|o|oder|of|e|y|and|et|und|en|أو)[ \t]+)?", re.IGNORECASE
)
_EXTENSION_RE: Final = re.compile(r"[xX][0-9]{1,5}(?![\w])")  # "+1-555-123-4567x89"
_CHAT_LINK_RE: Final = re.compile(r"(?<![\w.])wa\.me/(\+?[0-9]{8,15})(?![0-9])", re.IGNORECASE)


def chat_link_findings(text: str) -> list[Finding]:
    """The number in a WhatsApp click-to-chat link ("wa.me/33612345678"): it is the phone itself."""
    if "wa.me/" not in text.lower():
        return []
    return [Finding(PHONE, "phone.chat_link", *m.span(1)) for m in _CHAT_LINK_RE.finditer(text)]


def _phone_in_run(text: str, start: int, end: int, listed: bool = False) -> list[Finding] | None:
    """The phone `text[start:end]` is (a list of one), none because the words before it say it is
    an order or a device number (empty), or None when it is not phone-shaped. `listed`: it follows
    a phone with only a separator or "or" between them."""
    run = text[start:end]
    rule = _phone_rule(run)
    if rule is None:
        bare = "phone.msisdn" if _MSISDN_RE.fullmatch(run) else "phone.bare" if _BARE_MOBILE_RE.fullmatch(run) else None
        if (
            bare
            and not (len(run) == 15 and checks.luhn_valid(run))  # an IMEI: "IMEI del telefono 35…"
            and (listed or cue_before(text, start) == Cue.PHONE)
        ):
            # A mobile number as networks print it, country code without "+" ("MSISDN 447700900123"),
            # or a national mobile typed in one block ("mi móvil 612345678").
            return [Finding(PHONE, bare, start, end)]
        return None
    if not rule.endswith("international") and cue_before(text, start) in NOT_PERSONAL:
        return []  # "order 0123456789", "IMEI 01 234567 890123 4"
    return [Finding(PHONE, rule, start, end)]


_DIGIT_WORDS_BY_LANGUAGE: Final[dict[str, str]] = {
    "en": "zero oh one two three four five six seven eight nine double triple",
    "fr": "zéro zero un une deux trois quatre cinq six sept huit neuf",
    "de": "null eins zwei zwo drei vier fünf fuenf sechs sieben acht neun",
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve",
    "it": "zero uno due tre quattro cinque sei sette otto nove",
    "pt": "zero um dois duas três tres quatro cinco seis meia sete oito nove",
    "nl": "nul een één twee drie vier vijf zes zeven acht negen",
    "ar": "صفر واحد اثنان اثنين ثلاثة اربعة أربعة خمسة ستة سبعة ثمانية تسعة",
    "hi": "shunya ek do teen char chaar paanch panch chhe che saat aath nau",  # romanised Hindi
}
_DIGIT_WORDS: Final = frozenset(word for words in _DIGIT_WORDS_BY_LANGUAGE.values() for word in words.split())
_WORD_PHONE_RE: Final = re.compile(
    r"(?<!\w)(?:(?:"
    + "|".join(sorted(map(re.escape, _DIGIT_WORDS), key=len, reverse=True))
    + r"|[0-9])(?:[ \t]*[,\-][ \t]*|[ \t]+)){8,}(?:"
    + "|".join(sorted(map(re.escape, _DIGIT_WORDS), key=len, reverse=True))
    + r"|[0-9])(?!\w)",
    re.IGNORECASE,
)


_DIGIT_TOKENS: Final = _DIGIT_WORDS | frozenset("0123456789")
_WORD_RE: Final = re.compile(r"\w+")


def spelled_phone_findings(text: str) -> list[Finding]:
    """Phone numbers read out in words ("zero six one two ..."): nine or more digit words in a row."""
    streak = 0
    for word in _WORD_RE.findall(text.lower()):  # a cheap pass first: most texts have no such streak
        streak = streak + 1 if word in _DIGIT_TOKENS else 0
        if streak >= 9:
            return [
                Finding(PHONE, "phone.words", *m.span())
                for m in _WORD_PHONE_RE.finditer(text)
                if not _counting(m.group())
            ]
    return []


def _counting(spelled: str) -> bool:
    """Digits counted up or down one by one ("1 2 3 4 5 6 7 8 9") or one digit repeated: not a phone."""
    digits = _WORD_RE.findall(spelled)
    if not all(d.isascii() and d.isdigit() for d in digits):
        return False
    steps = {int(b) - int(a) for a, b in zip(digits, digits[1:], strict=False)}
    return steps in ({1}, {-1}, {0})  # "5 5 5 5 5 5 5 5 5": a rating, not a phone either


def _phone_rule(run: str) -> str | None:
    groups = _DIGITS_RE.findall(run)
    digit_count = sum(len(g) for g in groups)
    if run.startswith("+"):
        return "phone.international" if 8 <= digit_count - run.count("(0)") <= 15 else None
    if run.startswith("00") and run[2:3] not in ("0", " "):  # 00 and a country code
        return "phone.international" if 10 <= digit_count <= 17 else None
    if run.startswith("00 ") and run[3:4] not in ("0", "") and 11 <= digit_count <= 17:
        return "phone.international"  # "00 258 8264 46 233"
    if run[0] != "0" and groups[-1].endswith("000") and "".join(groups).endswith("000000"):
        return None  # a round count ("300 000 000 clients", "250.000.000 €") is not a phone
    if _NANP_RE.fullmatch(run):
        return "phone.nanp"
    if _NO_TRUNK_RE.fullmatch(run):
        return "phone.national"
    if not 9 <= digit_count <= 12 or _DATE_RE.match(run):
        return None
    if len(groups) >= 6 and all(len(g) <= 2 for g in groups) and run[0] == "0":
        return "phone.spaced"  # typed a digit or two at a time: "0 6 1 2 3 4 5 6 7 8"
    return "phone.national" if _TRUNK_RE.fullmatch(run) else None
