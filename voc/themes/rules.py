"""Keyword rules: per language, a theme matches when any / all / none of its terms are found.

A term is a word or a phrase, compared after `normalise` (case and accents folded):

- `refund` matches the word exactly; `refund*` any word starting with it, `*rechnung` any word ending
  with it (`Handyrechnung`), `re*und` anything between;
- `charged twice` matches the two words in a row; each word may carry wildcards;
- `~delivery` also matches words one typing slip away (one letter missing, added, replaced or two
  swapped: "delivry", "delievery"); two slips for words of nine letters or more. The first letter
  must be right: misspellings rarely start wrong and it keeps the check cheap.

A language's rule is `any` (at least one must match, when given), `all` (every one must match) and
`none` (no one may match). Rules under the language "*" apply to every text. A text is checked
against the rules of its own language and "*"; a text whose language has no rules anywhere in the
taxonomy (undetermined, or a language without rules) is checked against every language's rules.

Domain module: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from voc.themes.text import normalise, words

ANY_LANGUAGE: Final = "*"
FUZZY_CONFIDENCE: Final = 0.85
EXACT_CONFIDENCE: Final = 1.0


@dataclass(frozen=True)
class LanguageRule:
    """One language's terms for one theme."""

    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.any and not self.all

    def to_json(self) -> dict[str, list[str]]:
        return {key: list(value) for key, value in (("any", self.any), ("all", self.all), ("none", self.none)) if value}

    @classmethod
    def from_json(cls, value: Mapping[str, Iterable[str]]) -> LanguageRule:
        return cls(
            tuple(_clean(value.get("any", ()))),
            tuple(_clean(value.get("all", ()))),
            tuple(_clean(value.get("none", ()))),
        )


def _clean(terms: Iterable[str]) -> list[str]:
    return [term.strip() for term in terms if isinstance(term, str) and term.strip()]


def validate_term(term: str) -> str | None:
    """Why `term` cannot be a rule term, or None when it is fine."""
    body = term.strip().lstrip("~")
    if not body:
        return "an empty term matches nothing"
    if not words(body.replace("*", "a")):
        return f"{term!r} has no letters or digits"
    if all(part.strip("*") == "" for part in body.split()):
        return f"{term!r} would match every word"
    return None


@dataclass(frozen=True)
class _Term:
    source: str
    pattern: re.Pattern[str] | None  # exact and wildcard terms, over normalised text
    fuzzy: str | None = None  # a single word matched with typing slips

    def find(self, text: str, tokens: list[str]) -> tuple[str, bool] | None:
        """(the matched words, fuzzy?) or None."""
        if self.pattern is not None:
            found = self.pattern.search(text)
            if found:
                return found.group(0), False
        if self.fuzzy is not None:
            for token in tokens:
                if _close(token, self.fuzzy):
                    return token, True
        return None


def _body(term: str) -> str:
    body = normalise(term.lstrip("~").strip())
    return r"\W+".join(re.escape(part).replace(r"\*", r"\w*") for part in body.split())


def _compile(term: str) -> _Term:
    fuzzy = term.startswith("~")
    body = normalise(term.lstrip("~").strip())
    pattern = re.compile(r"(?<!\w)" + _body(term) + r"(?!\w)")
    single = body.split()
    return _Term(term, pattern, single[0] if fuzzy and len(single) == 1 and "*" not in body else None)


def _compile_any(terms: tuple[str, ...]) -> tuple[_Term, ...]:
    """Alternatives as one regex (one search instead of one per term) plus the fuzzy words."""
    if not terms:
        return ()
    joined = re.compile(r"(?<!\w)(?:" + "|".join(_body(t) for t in terms) + r")(?!\w)")
    fuzzy = [_compile(t) for t in terms if t.startswith("~")]
    return (_Term(" | ".join(terms), joined), *(_Term(f.source, None, f.fuzzy) for f in fuzzy if f.fuzzy))


def _close(token: str, word: str) -> bool:
    """Damerau-Levenshtein distance ≤ 1 (≤ 2 for words of nine letters or more), same first letter."""
    if not token or token[0] != word[0] or token == word:
        return token == word
    limit = 2 if len(word) >= 9 else 1
    if len(word) < 4 or abs(len(token) - len(word)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(word) + 1))
    for i, a in enumerate(token, start=1):
        current = [i] + [0] * len(word)
        for j, b in enumerate(word, start=1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == word[j - 2] and token[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


@dataclass(frozen=True)
class RuleMatch:
    """A theme whose rule matched: the words that did it, and whether a misspelling was forgiven."""

    theme_id: str
    words: tuple[str, ...]
    fuzzy: bool

    @property
    def confidence(self) -> float:
        return FUZZY_CONFIDENCE if self.fuzzy else EXACT_CONFIDENCE

    @property
    def reason(self) -> str:
        return "matched: " + ", ".join(self.words)


@dataclass(frozen=True)
class _CompiledRule:
    theme_id: str
    any: tuple[_Term, ...]
    all: tuple[_Term, ...]
    none: tuple[_Term, ...]

    def match(self, text: str, tokens: list[str]) -> RuleMatch | None:
        if any(term.find(text, tokens) for term in self.none):
            return None
        found: list[tuple[str, bool]] = []
        for term in self.all:
            hit = term.find(text, tokens)
            if hit is None:
                return None
            found.append(hit)
        if self.any:
            for term in self.any:
                hit = term.find(text, tokens)
                if hit is not None:
                    found.append(hit)
                    break
            else:
                return None
        if not found:
            return None
        return RuleMatch(self.theme_id, tuple(dict.fromkeys(w for w, _ in found)), any(f for _, f in found))


@dataclass
class RuleBook:
    """Every active theme's rules, compiled once; `match` gives the themes a text's words call for."""

    rules: Mapping[str, Mapping[str, LanguageRule]]  # theme id -> language -> rule
    _by_language: dict[str, list[_CompiledRule]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for theme_id, by_language in self.rules.items():
            for language, rule in by_language.items():
                if rule.empty:
                    continue
                compiled = _CompiledRule(
                    theme_id, _compile_any(rule.any), tuple(_compile(t) for t in rule.all), _compile_any(rule.none)
                )
                self._by_language.setdefault(language, []).append(compiled)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self._by_language) - {ANY_LANGUAGE}

    def match(self, text: str, language: str) -> list[RuleMatch]:
        """The themes whose rules `text` (in `language`) satisfies, one match per theme."""
        if language in self._by_language:
            candidates = self._by_language[language] + self._by_language.get(ANY_LANGUAGE, [])
        else:
            candidates = [rule for rules in self._by_language.values() for rule in rules]
        if not candidates:
            return []
        tokens = words(text)
        folded = " ".join(tokens)
        matches: dict[str, RuleMatch] = {}
        for rule in candidates:
            if rule.theme_id in matches and not matches[rule.theme_id].fuzzy:
                continue
            hit = rule.match(folded, tokens)
            if hit is not None and (rule.theme_id not in matches or not hit.fuzzy):
                matches[rule.theme_id] = hit
        return list(matches.values())
