"""Run Microsoft Presidio's pattern recognizers over texts: JSON lines in, spans and timing out.

Runs in whatever interpreter has `presidio-analyzer` (bench/redaction.py starts it, possibly in a
separate virtualenv, so Presidio's spaCy pins never meet the app's). No spaCy model is loaded: the
recognizers are instantiated directly and called without NLP artifacts, which is how they run
offline (context words cannot raise scores without a model).

    stdin:  {"text": "..."} per line
    stdout: {"spans": [[start, end, entity, score], ...]} per line, then {"seconds": total, "version": ...}
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version


def offline() -> None:
    """Presidio's e-mail check asks tldextract, which downloads the Public Suffix List on first use;
    point it at its bundled snapshot so nothing leaves the machine."""
    import tldextract

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())


def recognizers() -> list:
    from presidio_analyzer import predefined_recognizers as p

    found = [
        p.EmailRecognizer(),
        p.CreditCardRecognizer(),
        p.IbanRecognizer(),
        # Regions of the languages we support; the default list lacks most of Europe and the Gulf.
        p.PhoneRecognizer(
            supported_regions=("US", "GB", "DE", "FR", "ES", "IT", "PT", "NL", "BE", "AE", "SA", "IN", "BR")
        ),
        p.UsSsnRecognizer(),
        p.UkNinoRecognizer(),
        p.EsNifRecognizer(),
        p.EsNieRecognizer(),
        p.ItFiscalCodeRecognizer(),
        p.DeTaxIdRecognizer(),
        p.InAadhaarRecognizer(),
        p.InPanRecognizer(),
    ]
    return found


def main() -> None:
    offline()
    active = recognizers()
    texts = [json.loads(line)["text"] for line in sys.stdin]
    out = []
    start = time.perf_counter()
    for text in texts:
        spans = []
        for recognizer in active:
            for result in recognizer.analyze(text, recognizer.supported_entities, None) or []:
                spans.append([result.start, result.end, result.entity_type, round(float(result.score), 3)])
        out.append(spans)
    seconds = time.perf_counter() - start
    for spans in out:
        print(json.dumps({"spans": spans}))
    print(json.dumps({"seconds": seconds, "version": version("presidio-analyzer"), "recognizers": len(active)}))


if __name__ == "__main__":
    main()
