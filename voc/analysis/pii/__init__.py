"""The detectors behind `voc.analysis.redaction.redact`, one module per family of personal data.

- `text`: the normalised view of a text (digits of every script, full-width forms, odd spaces and
  invisible characters) with the map back to the original offsets, and the URLs in it;
- `checks`: checksums and structures (Luhn, ISO 13616, issuer ranges, national id check digits);
- `emails`, `numbers` (cards, IBANs, digit-only national ids, phones) and `ids` (national ids
  with letters) find spans and name the rule that fired.

Domain package: no Streamlit import, no I/O.
"""
