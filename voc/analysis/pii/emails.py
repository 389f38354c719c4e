"""E-mail addresses as customers write them, not only as RFC 5322 prints them.

- ``jo@example.com``, with spaces around the ``@`` (``jo @ example.com``), a full-width ``＠`` or a
  zero-width space before it (both undone by normalisation);
- the ``@`` in brackets or in words: ``jo[at]example[dot]com``, ``jo (at) example (dot) com``,
  ``jo {at} example.com``, ``jo at example dot com``, and the words of our languages: arroba,
  arobase, chiocciola, Klammeraffe, apenstaartje, "at the rate" (Indian English), آت; dots as
  dot, point, punkt, punto, ponto, punt, نقطة, دوت;
- a quoted local part (``"jo doe"@example.com``) and an IP literal (``jo@[192.0.2.1]``).

Written-out forms must end in a known top-level domain, and a bare English "at" needs a local part
that is not an everyday word ("bought it at amazon.com" keeps its shop).
"""

from __future__ import annotations

import re
from typing import Final

from voc.analysis.pii.kinds import EMAIL, Finding

AT_WORDS: Final = (
    r"at the rate of|at the rate|at sign|at|arroba|arrobas|arobase|arobas|chiocciola|chiocciolina|"
    r"klammeraffe|affenschwanz|ät|apenstaartje|apestaart|آت|ات|ايت"
)
_DOT_WORDS: Final = r"dot|point|punkt|punto|ponto|punt|nokta|نقطة|نقطه|دوت"
_OPEN: Final = r"[\[\(\{<]"
_CLOSE: Final = r"[\]\)\}>]"
# The separator between local part and domain. Group "word" is set when it is written out.
# An "@" as links and markup encode it: percent-encoded in a URL (twice, by a redirect), an HTML
# entity, a JSON escape.
ENCODED_AT: Final = r"%40|%2540|&#0*64;|&#x0*40;|&commat;|\\u0040"
_AT_FORMS: Final = (
    rf"(?P<symbol>[ \t]*@(?:[ \t]*\n)?[ \t]*)"
    rf"|(?P<bracket>[ \t]*{_OPEN}[ \t]*(?:{AT_WORDS}|@)[ \t]*{_CLOSE}[ \t]*)"
    rf"|(?P<word>[ \t]+(?:{AT_WORDS})[ \t]+)"
)
_AT_RE: Final = re.compile(_AT_FORMS, re.IGNORECASE)
# The same, with the encoded forms and "jo(a)example.de": read only when the text holds a "%",
# "&", "\\" or "(", as most texts do not and the extra alternatives cost a third more.
_AT_ENCODED_RE: Final = re.compile(
    rf"{_AT_FORMS}|(?P<encoded>[ \t]*(?:{ENCODED_AT})[ \t]*)|(?P<a>\((?<=\w\()[aA]\)(?=\w))", re.IGNORECASE
)
_DOT: Final = (
    rf"(?:\\?\.|[ \t]+\.[ \t]+|[ \t]*{_OPEN}[ \t]*(?:{_DOT_WORDS}|\.)[ \t]*{_CLOSE}[ \t]*|[ \t]+(?:{_DOT_WORDS})[ \t]+)"
)
_PLAIN_DOT_RE: Final = re.compile(r"\.")
_LABEL: Final = r"[^\W_](?:[\w-]{0,62}[^\W_])?"
_DOMAIN_RE: Final = re.compile(
    rf"\[(?:IPv6:[0-9A-Fa-f:.]+|(?:[0-9]{{1,3}}\.){{3}}[0-9]{{1,3}})\]|{_LABEL}(?:{_DOT}{_LABEL})+", re.IGNORECASE
)
_DOT_RE: Final = re.compile(_DOT, re.IGNORECASE)
# Local-part characters; Markdown exports escape "_" and "." ("jo\\_doe@…").
_LOCAL_CHARS: Final = r"(?:[\w%+\-]|\\[_.\-])+"
_LOCAL_RE: Final = re.compile(rf'(?:"[^"\n]{{1,64}}"|{_LOCAL_CHARS}(?:{_DOT}{_LOCAL_CHARS})*)\Z', re.IGNORECASE)
_SYMBOL_DOT: Final = rf"(?:\\?\.|[ \t]*{_OPEN}[ \t]*(?:dot|\.)[ \t]*{_CLOSE}[ \t]*|[ \t]+dot[ \t]+)"
_LOCAL_SYMBOL_RE: Final = re.compile(
    rf'(?:"[^"\n]{{1,64}}"|{_LOCAL_CHARS}(?:{_SYMBOL_DOT}{_LOCAL_CHARS})*)\Z', re.IGNORECASE
)
LOOK_BACK: Final = 96

TLDS: Final = frozenset((
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io", "co", "me", "tv", "app",
    "dev", "email", "online", "shop", "store", "site", "xyz", "eu", "uk", "de", "fr", "es", "it", "pt",
    "nl", "be", "ch", "at", "lu", "ie", "br", "in", "ae", "sa", "eg", "ma", "dz", "tn",
    "qa", "kw", "om", "bh", "jo", "lb", "ar", "mx", "cl", "pe", "ve", "cz", "pl", "se",
    "no", "dk", "fi", "ru", "jp", "cn", "au", "nz", "ca", "us", "za", "ng", "ke", "gr",
    "tr", "ro", "hu", "sk", "si", "hr", "bg", "rs", "ua", "il", "pk", "bd", "lk", "my",
    "sg", "id", "ph", "vn", "th", "kr", "hk", "tw", "mail", "cloud", "tech",
))  # fmt: skip
# Words that come before an English "at" in ordinary sentences ("it at amazon.com", "look at example.org").
_NOT_LOCAL: Final = frozenset((
    "i", "me", "you", "he", "she", "it", "we", "they", "them", "us", "him", "her", "this", "that",
    "these", "those", "here", "there", "one", "ones", "all", "some", "bought", "buy", "buying", "ordered", "order", "purchased",
    "purchase", "paid", "pay", "available", "sold", "online", "found", "find", "look", "looked", "looking", "see", "seen", "check",
    "checked", "go", "went", "going", "visit", "visited", "sign", "signed", "log", "logged", "login", "register", "registered", "shop",
    "shopping", "booked", "book", "listed", "posted", "cheaper", "cheapest", "price", "prices", "deal", "deals", "offer", "offers", "stock",
    "is", "are", "was", "were", "be", "been", "am", "not", "only", "also", "even", "still", "just", "now",
    "then", "and", "or", "but", "so", "well", "too", "very", "more", "less", "best", "better", "work", "works",
    "worked", "working", "live", "lives", "lived", "up", "in", "out", "on", "off", "down", "over", "info", "details",
    "read", "news", "help", "support", "service", "contact", "hosted", "located", "based", "site", "page", "website", "app", "web",
    "story", "stories", "post", "thread", "review", "reviews", "rated", "reported", "mentioned", "anything", "something", "everything", "nothing", "cost",
    "costs", "costing", "sell", "sells", "selling",
))  # fmt: skip


def email_findings(text: str) -> list[Finding]:
    """E-mail addresses in normalised `text`, written with an ``@`` or spelled out."""
    findings: list[Finding] = []
    taken = 0
    encoded = "%" in text or "&" in text or "\\" in text or "(" in text
    for at in (_AT_ENCODED_RE if encoded else _AT_RE).finditer(text):
        if at.start() < taken:
            continue
        spelled = at.lastgroup not in ("symbol", "encoded")
        separator = at.group()
        if not spelled and separator[0] in " \t" and separator[-1] not in " \t":
            continue  # "thanks @acme.com": a mention, not an address
        domain = _DOMAIN_RE.match(text, at.end())
        if domain is None:
            continue
        before = text[max(0, at.start() - LOOK_BACK) : at.start()]
        # Spelled-out dots may sit in the local part even before a real "@" ("john dot smith@…"),
        # but only "dot" and bracketed ones: "point", "punto" are everyday words next to a real "@".
        local = (_LOCAL_RE if spelled else _LOCAL_SYMBOL_RE).search(before)
        if local is None:
            continue
        written_out = spelled or bool(_DOT_RE.search(domain.group()) and not _plain_dots(domain.group()))
        if written_out and not spelled:
            # "jo . doe @ example . com": a domain written with spaced dots, the local part too.
            local = _LOCAL_RE.search(before) or local
        end = _domain_end(text, domain.start(), domain.end(), written_out)
        if end is None:
            continue
        if at.lastgroup == "word" and local.group().lower() in _NOT_LOCAL:
            continue
        start = at.start() - len(local.group())
        findings.append(Finding(EMAIL, "email." + ("spelled" if written_out else "address"), start, end))
        taken = end
    return findings


def _plain_dots(domain: str) -> bool:
    return _DOT_RE.sub("", domain) == _PLAIN_DOT_RE.sub("", domain)


def _domain_end(text: str, start: int, end: int, written_out: bool) -> int | None:
    """Where the address ends: after the last label that is a top-level domain (any 2+ letters
    for a plain address, a known one when written out); None when there is none."""
    domain = text[start:end]
    if domain.startswith("["):
        return end
    labels = [(m.start(), m.end()) for m in re.finditer(_LABEL, domain)]
    for label_start, label_end in reversed(labels[1:]):
        label = domain[label_start:label_end]
        if written_out and label.lower() not in TLDS:
            continue
        if not written_out and not (len(label) >= 2 and label.isalpha()):
            continue
        return start + label_end
    return None
