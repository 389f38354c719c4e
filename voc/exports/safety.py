"""Cell safety for files people open in spreadsheets: no formulas, no characters XML refuses.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (CSV injection); customers write the text we export, so every text
cell is neutralised with a leading apostrophe, the OWASP advice. Numbers stay numbers: only text
is touched. Domain module: no Streamlit.
"""

from __future__ import annotations

import re
from typing import Any, Final

FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT: Final = 32_767
# Control characters the XLSX (XML) format cannot hold; tab, LF and CR are allowed.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: Any) -> Any:
    """`value`, with text that a spreadsheet would run as a formula prefixed by an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_text(value: Any) -> Any:
    """`neutralise`d, without XML-illegal characters, cut to Excel's cell limit."""
    if not isinstance(value, str):
        return value
    cleaned = neutralise(_ILLEGAL.sub("", value))
    return cleaned if len(cleaned) <= EXCEL_CELL_LIMIT else cleaned[: EXCEL_CELL_LIMIT - 1] + "…"
