"""Lexicon sentiment in the VADER spirit for the languages customers write in.

One scorer, many lexicons: `voc/sentiment/data/lexicons/<lang>.txt` (es, fr, de, pt, it, nl, ar and
romanised Hindi/Hinglish as `hi`), written by the team, each with its negators, intensifiers,
dampeners and contrast words. The rules are VADER's, applied to how people write on social media:

- handles and URLs are ignored; hashtags are split into words (`#NoSignalAgain` → no signal again);
- negation within three words before a sentiment word flips and damps it (`× -0.74`); German,
  Dutch and Hindi also negate after the word ("gut **nicht**", "achha **nahi**");
- intensifiers and dampeners just before a word push its valence up or down by 0.293;
- contrast ("but", "pero", "mais", "aber", "ma", "mas", "maar", "لكن", "lekin"): what comes before
  counts half, what follows one and a half times;
- emoji and emoticons carry valence of their own; elongations ("sooo", "حلووو") and words in
  capitals in a text that is not all capitals are emphasised; exclamation marks amplify;
- accents are optional (tweets drop them) and Arabic is normalised (alef forms, tatweel, diacritics)
  with its clitics (و، ف، ب، ل، ال) stripped before lookup.

Languages without a lexicon fall back to emoji, emoticons and English words (VADER's lexicon),
with low confidence. English itself is scored by VADER (`VaderScorer`); the router in
`voc.analysis.scorers` decides which scorer sees which text.

Domain module: no Streamlit import.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import Final

from voc.sentiment.scoring import (
    POSITIVE_THRESHOLD,
    Sentiment,
    SentimentLabel,
    label_for,
    shared_analyzer,
)

LEXICON_VERSION: Final = "1"
LEXICON_LANGUAGES: Final[tuple[str, ...]] = ("es", "fr", "de", "pt", "it", "nl", "ar", "hi")
FALLBACK: Final = "xx"  # emoji, emoticons and English words only

# VADER's constants, so the scales stay comparable with the English scorer.
BOOST: Final = 0.293
CAPS_BOOST: Final = 0.733
NEGATION_SCALAR: Final = -0.74
ALPHA: Final = 15.0
NEGATION_WINDOW: Final = 3
MAX_REASONS: Final = 5
SEEN_LIMIT: Final = 200_000  # tokens remembered per lexicon
# Confidence ceilings: a lexicon in the text's language, and the emoji/English fallback.
LEXICON_WEIGHT: Final = 0.85
FALLBACK_WEIGHT: Final = 0.35

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE_RE = re.compile(r"@\w+")
_HASHTAG_RE = re.compile(r"#(\w+)")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
_EMOTICON = r"(?:[<>]?[:;=8xX][\-o\*']?[\)\]\(\[dDpP/\\|@3\}\{\*]+|<3+|</3|\^_*\^|-_+-|T_T|;_;)"
_CLAUSE_RE = re.compile(r"[.!?;:]+")
_ELONGATION_RE = re.compile(r"(.)\1{2,}")
_ARABIC_DIACRITICS_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_CHARS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_ARABIC_PREFIXES: Final = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_TOKEN_RE = re.compile(
    rf"(?P<emoticon>(?<![^\s.,!?]){_EMOTICON}(?=\s|$|[.,!?]))"
    r"|(?P<emoji>[\U0001f000-\U0001faff\u2600-\u27bf\u2b50\u2b55\u2764\u2665])"
    r"|(?P<word>[^\W_]+)"
    r"|(?P<punct>[.!?;:]+)",
    re.UNICODE,
)


@dataclass(frozen=True)
class Lexicon:
    """One language's word list and the words that modify it."""

    language: str
    words: dict[str, float]
    prefixes: tuple[tuple[str, float], ...]  # (stem, valence) for entries written `stem*`
    phrases: dict[tuple[str, ...], float]
    negators: frozenset[str]
    boosters: frozenset[str]
    dampeners: frozenset[str]
    contrast: frozenset[str]
    post_negation: bool = False
    # Looked-up tokens (a feed repeats its vocabulary): stems are tried one by one otherwise.
    _seen: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def valence(self, token: str) -> float:
        """The valence of one normalised token (exact entry, else the longest matching stem)."""
        value = self.words.get(token)
        if value is not None:
            return value
        value = self._seen.get(token)
        if value is not None:
            return value
        value = 0.0
        for stem, stem_value in self.prefixes:
            if token.startswith(stem):
                value = stem_value
                break
        if len(self._seen) >= SEEN_LIMIT:
            self._seen.clear()
        self._seen[token] = value
        return value


@dataclass(frozen=True)
class LexiconFeatures:
    """What the lexicon saw in a text: the numbers a learned model uses, and the reasons."""

    compound: float
    positive: float  # sum of positive valences after the rules
    negative: float  # sum of negative valences (as a positive number)
    hits: int
    tokens: int
    negations: int
    emoji_positive: float
    emoji_negative: float
    exclamations: int
    questions: int
    reasons_positive: tuple[str, ...] = field(default=())
    reasons_negative: tuple[str, ...] = field(default=())

    def vector(self) -> list[float]:
        """A fixed-length numeric view for linear models."""
        coverage = self.hits / self.tokens if self.tokens else 0.0
        return [
            self.compound,
            math.tanh(self.positive / 3),
            math.tanh(self.negative / 3),
            min(self.hits, 10) / 10,
            coverage,
            min(self.negations, 3) / 3,
            math.tanh(self.emoji_positive / 3),
            math.tanh(self.emoji_negative / 3),
            min(self.exclamations, 5) / 5,
            min(self.questions, 3) / 3,
        ]


FEATURE_NAMES: Final[tuple[str, ...]] = (
    "compound",
    "positive",
    "negative",
    "hits",
    "coverage",
    "negations",
    "emoji_positive",
    "emoji_negative",
    "exclamations",
    "questions",
)


class LexiconScorer:
    """Rule-based multilingual sentiment: one lexicon per language, emoji and English as fallback."""

    def __init__(self) -> None:
        self.name = f"lexicon-{LEXICON_VERSION}"

    def supports(self, language: str) -> bool:
        return language in LEXICON_LANGUAGES

    def name_for(self, language: str) -> str:
        """The per-item scorer name: the lexicon version and which lexicon read the text."""
        return f"{self.name}/{_lexicon_key(language)}"

    def score(self, text: str, language: str) -> Sentiment:
        """Score `text` with `language`'s lexicon (emoji and English words when it has none)."""
        return sentiment_from_features(analyse_lexicon(text, language), language, self.name_for(language))


def sentiment_from_features(features: LexiconFeatures, language: str, scorer: str) -> Sentiment:
    """The label, confidence and reasons a lexicon reading implies."""
    label = label_for(features.compound)
    if not features.tokens:
        return Sentiment(SentimentLabel.NEUTRAL, 0.0, 0.0, (), scorer)
    weight = LEXICON_WEIGHT if language in LEXICON_LANGUAGES else FALLBACK_WEIGHT
    coverage = min(1.0, features.hits / max(features.tokens, 1) / 0.25)
    if label is SentimentLabel.NEUTRAL:
        margin = 1.0 - abs(features.compound) / POSITIVE_THRESHOLD
        base = 0.55 * (1.0 - coverage) * margin
        reasons: tuple[str, ...] = ()
    else:
        base = abs(features.compound) * (0.6 + 0.4 * coverage)
        reasons = features.reasons_positive if label is SentimentLabel.POSITIVE else features.reasons_negative
    confidence = round(max(0.0, min(1.0, base * weight)), 3)
    return Sentiment(label, round(features.compound, 4), confidence, reasons, scorer)


def _lexicon_key(language: str) -> str:
    return language if language in LEXICON_LANGUAGES else FALLBACK


# ---- reading a text ------------------------------------------------------------------------


@dataclass
class _Token:
    surface: str  # as shown in reasons
    norm: str  # lower-cased, accent-free, Arabic-normalised
    kind: str  # word | emoji | emoticon | punct
    valence: float = 0.0
    caps: bool = False
    elongated: bool = False


def tokenize(text: str, language: str) -> list[_Token]:
    """Tokens with handles and URLs removed and hashtags split into words."""
    if not isinstance(text, str) or not text:
        return []
    text = _URL_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = _HASHTAG_RE.sub(lambda m: " " + _CAMEL_RE.sub(" ", m.group(1)).replace("_", " ") + " ", text)
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text[:5000]):
        kind = match.lastgroup or "word"
        surface = match.group()
        if kind != "word":
            tokens.append(_Token(surface, surface.lower(), kind))
            continue
        letters = [c for c in surface if c.isalpha()]
        caps = len(letters) >= 2 and all(c.isupper() for c in letters)
        elongated = bool(_ELONGATION_RE.search(surface)) and not surface.isdigit()
        tokens.append(_Token(surface, normalise(surface, language), "word", caps=caps, elongated=elongated))
    return tokens


@functools.lru_cache(maxsize=65536)
def normalise(word: str, language: str) -> str:
    """Lower case without accents (Latin) or with Arabic letter variants unified."""
    word = word.lower().replace("’", "'")
    if language == "ar" or any("\u0600" <= c <= "\u06ff" for c in word):
        word = _ARABIC_DIACRITICS_RE.sub("", word).translate(_ARABIC_CHARS)
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def _lookup(token: _Token, lexicon: Lexicon | None, english: dict[str, float]) -> float:
    """A word's valence in the language's lexicon, else (for Latin script) in English."""
    candidates = [token.norm]
    if token.elongated:
        candidates += [_ELONGATION_RE.sub(r"\1\1", token.norm), _ELONGATION_RE.sub(r"\1", token.norm)]
    for candidate in candidates:
        if lexicon is not None:
            value = lexicon.valence(candidate)
            if value:
                return value
            if lexicon.language == "ar":
                for prefix in _ARABIC_PREFIXES:
                    if candidate.startswith(prefix) and len(candidate) - len(prefix) >= 2:
                        value = lexicon.valence(candidate[len(prefix) :])
                        if value:
                            return value
        value = english.get(candidate, 0.0)
        if value and (lexicon is None or lexicon.language == "hi" or len(candidate) > 3):
            return value
    return 0.0


def analyse_lexicon(text: str, language: str) -> LexiconFeatures:
    """Apply the lexicon rules to `text` and return the numbers and the reasons."""
    lexicon = load_lexicon(language) if language in LEXICON_LANGUAGES else None
    english = _english_words(language)
    tokens = tokenize(text, language)
    words = [t for t in tokens if t.kind != "punct"]
    if not words:
        return LexiconFeatures(0.0, 0.0, 0.0, 0, 0, 0, 0.0, 0.0, 0, 0)
    all_caps_text = all(t.caps for t in words if t.kind == "word" and any(c.isalpha() for c in t.surface))
    negators = lexicon.negators if lexicon else _ENGLISH_NEGATORS
    boosters = lexicon.boosters if lexicon else _ENGLISH_BOOSTERS
    dampeners = lexicon.dampeners if lexicon else _ENGLISH_DAMPENERS
    contrast = lexicon.contrast if lexicon else _ENGLISH_CONTRAST

    valences: list[float] = [0.0] * len(tokens)
    phrase_for: dict[int, str] = {}
    negations = 0
    emoji_pos = emoji_neg = 0.0
    skip_until = -1
    for i, token in enumerate(tokens):
        if i <= skip_until or token.kind == "punct":
            continue
        if token.kind in ("emoji", "emoticon"):
            value = (
                _EMOJI.get(token.surface, 0.0) if token.kind == "emoji" else _EMOTICONS.get(token.surface.lower(), 0.0)
            )
            valences[i] = value
            if value > 0:
                emoji_pos += value
            elif value < 0:
                emoji_neg -= value
            continue
        value = 0.0
        end = i
        if lexicon is not None and lexicon.phrases:
            for size in (3, 2):
                key = tuple(t.norm for t in tokens[i : i + size])
                if len(key) == size and key in lexicon.phrases:
                    value = lexicon.phrases[key]
                    phrase_for[i] = " ".join(t.surface for t in tokens[i : i + size])
                    skip_until = end = i + size - 1
                    break
        if not value:
            if token.norm in negators or token.norm in dampeners or token.norm in contrast:
                continue
            value = _lookup(token, lexicon, english)
            # "super", "bien", "mega": an intensifier before a sentiment word, a word of its own otherwise.
            if token.norm in boosters and (not value or _modifies_next(tokens, i, lexicon, english)):
                continue
        if not value:
            continue
        sign = 1.0 if value > 0 else -1.0
        if token.caps and not all_caps_text:
            value += sign * CAPS_BOOST
        if token.elongated:
            value += sign * BOOST
        # Intensifiers and dampeners up to two words before, fading with distance.
        for back, scale in ((1, 1.0), (2, 0.95)):
            j = i - back
            if j < 0 or tokens[j].kind == "punct":
                break
            if tokens[j].norm in boosters:
                value += sign * BOOST * scale
            elif tokens[j].norm in dampeners:
                value -= sign * BOOST * scale
        negator = _negator_before(tokens, i, negators)
        if negator is None and lexicon is not None and lexicon.post_negation:
            negator = _negator_after(tokens, i, negators)
        if negator is not None:
            value *= NEGATION_SCALAR
            negations += 1
            phrase_for[i] = _span(tokens, min(i, negator), max(end, negator))
        valences[i] = value

    # Contrast: the last contrast word splits the text; before counts half, after 1.5 times.
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].kind == "word" and tokens[i].norm in contrast:
            for j in range(len(tokens)):
                if j < i:
                    valences[j] *= 0.5
                elif j > i:
                    valences[j] *= 1.5
            break

    total = sum(valences)
    exclamations = text.count("!")
    questions = text.count("?")
    if total:
        total += math.copysign(min(exclamations, 4) * 0.292, total)
    compound = total / math.sqrt(total * total + ALPHA) if total else 0.0
    positive = sum(v for v in valences if v > 0)
    negative = -sum(v for v in valences if v < 0)
    hits = sum(1 for v in valences if v)
    reasons_pos = _reasons(tokens, valences, phrase_for, 1.0)
    reasons_neg = _reasons(tokens, valences, phrase_for, -1.0)
    return LexiconFeatures(
        compound=compound,
        positive=positive,
        negative=negative,
        hits=hits,
        tokens=len(words),
        negations=negations,
        emoji_positive=emoji_pos,
        emoji_negative=emoji_neg,
        exclamations=exclamations,
        questions=questions,
        reasons_positive=reasons_pos,
        reasons_negative=reasons_neg,
    )


def _modifies_next(tokens: list[_Token], i: int, lexicon: Lexicon | None, english: dict[str, float]) -> bool:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is not None and nxt.kind == "word" and bool(_lookup(nxt, lexicon, english))


def _negator_before(tokens: list[_Token], i: int, negators: frozenset[str]) -> int | None:
    for back in range(1, NEGATION_WINDOW + 1):
        j = i - back
        if j < 0 or tokens[j].kind == "punct":
            return None
        if tokens[j].norm in negators:
            return j
    return None


def _negator_after(tokens: list[_Token], i: int, negators: frozenset[str]) -> int | None:
    for ahead in range(1, 3):
        j = i + ahead
        if j >= len(tokens) or tokens[j].kind == "punct":
            return None
        if tokens[j].norm in negators:
            return j
    return None


def _span(tokens: list[_Token], start: int, end: int) -> str:
    return " ".join(t.surface for t in tokens[start : end + 1] if t.kind != "punct").lower()


def _reasons(tokens: list[_Token], valences: list[float], phrase_for: dict[int, str], sign: float) -> tuple[str, ...]:
    weight: dict[str, float] = {}
    for i, value in enumerate(valences):
        if value * sign <= 0:
            continue
        reason = phrase_for.get(i) or (tokens[i].surface if tokens[i].kind != "word" else tokens[i].surface.lower())
        weight[reason] = weight.get(reason, 0.0) + abs(value)
    return tuple(sorted(weight, key=lambda r: -weight[r])[:MAX_REASONS])


# ---- loading the lexicons ------------------------------------------------------------------


@functools.cache
def load_lexicon(language: str) -> Lexicon:
    """Parse `data/lexicons/<language>.txt` once per process."""
    raw = resources.files("voc.sentiment").joinpath("data", "lexicons", f"{language}.txt").read_text(encoding="utf-8")
    return parse_lexicon(language, raw)


def parse_lexicon(language: str, raw: str) -> Lexicon:
    """Read the lexicon format: `[section]` headers, then entries separated by commas or lines.

    `[words]` entries are `term valence` (valence -4..4, VADER's scale); a term ending in `*`
    matches any word it starts; a term with spaces is a phrase. Other sections list words.
    """
    sections: dict[str, list[str]] = {}
    current = "words"
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        sections.setdefault(current, []).extend(part.strip() for part in line.split(",") if part.strip())
    words: dict[str, float] = {}
    prefixes: list[tuple[str, float]] = []
    phrases: dict[tuple[str, ...], float] = {}
    for entry in sections.get("words", []):
        term, _, number = entry.rpartition(" ")
        if not term:
            raise ValueError(f"{language} lexicon: entry {entry!r} has no valence")
        value = float(number)
        parts = tuple(normalise(p, language) for p in term.split())
        if len(parts) > 1:
            phrases[parts] = value
        elif parts[0].endswith("*"):
            prefixes.append((parts[0][:-1], value))
        else:
            words[parts[0]] = value
    prefixes.sort(key=lambda p: -len(p[0]))  # longest stem wins

    def word_set(name: str) -> frozenset[str]:
        return frozenset(normalise(w, language) for w in sections.get(name, []))

    options = word_set("options")
    return Lexicon(
        language=language,
        words=words,
        prefixes=tuple(prefixes),
        phrases=phrases,
        negators=word_set("negators"),
        boosters=word_set("boosters"),
        dampeners=word_set("dampeners"),
        contrast=word_set("contrast"),
        post_negation="post_negation" in options,
    )


@functools.cache
def _vader_lexicon() -> dict[str, float]:
    return {word: float(value) for word, value in shared_analyzer().lexicon.items()}


def _english_words(language: str) -> dict[str, float]:
    """English words count in every language: tweets mix them in ("app", "fail", "love")."""
    return _vader_lexicon()


_ENGLISH_NEGATORS: Final = frozenset(
    {"not", "no", "never", "dont", "don't", "cant", "can't", "isnt", "isn't", "wont", "won't", "nothing", "nobody"}
)
_ENGLISH_BOOSTERS: Final = frozenset({"very", "so", "really", "too", "extremely", "totally", "absolutely"})
_ENGLISH_DAMPENERS: Final = frozenset({"bit", "slightly", "somewhat", "kinda", "little"})
_ENGLISH_CONTRAST: Final = frozenset({"but"})

# Emoji as customers use them; the team's own table (VADER reads "🔥" as negative "fire").
_EMOJI: Final[dict[str, float]] = {
    **dict.fromkeys("😀😃😄😁😆😊☺🙂😇🥰😍🤩😘😗😚😙😋😛😜😝🤗🥳😎🤤", 2.0),
    **dict.fromkeys("😂🤣😹", 1.5),
    **dict.fromkeys("❤💕💖💗💓💞💘💝💙💚💛🧡💜🖤🤍♥💯🙌👏👍👌✌🤝🎉🎊🏆🥇⭐🌟✨💪🙏🌹💐🔥😻", 1.8),
    **dict.fromkeys("😏🙃😅😬🤔🤨😐😑😶🫤", -0.3),
    **dict.fromkeys("😒🙄😔😕🙁☹😟😞😓😥😩😫😪😴😷🤒🤕🤢🤮🥴🥺😿👎💩🤦🤷", -1.8),
    **dict.fromkeys("😢😭😤😠😡🤬👿💔😱😨😰😣😖💀☠🖕😾", -2.4),
}
_EMOTICONS: Final[dict[str, float]] = {
    **dict.fromkeys(
        [
            ":)",
            ":-)",
            ":]",
            "=)",
            ":d",
            ":-d",
            "xd",
            ";)",
            ";-)",
            ":p",
            ":-p",
            "<3",
            "<33",
            "<333",
            "^_^",
            "^^",
            ":*",
            "8)",
        ],
        1.8,
    ),
    **dict.fromkeys(
        [":(", ":-(", ":[", "=(", ":'(", ":/", ":-/", ":\\", ":|", "-_-", "</3", "t_t", ";_;", ":@", "d:"], -1.8
    ),
}
