"""Customer text shown literally: what a customer, a respondent or a remote server wrote never
acts on a page.

Streamlit reads Markdown almost everywhere text appears: `st.markdown`, captions, the alert boxes,
toasts, titles and headers, expander and tab labels, widget labels and `help=` tooltips, radio and
segmented-control options, metric values, progress and spinner texts, and every cell of
`st.table`. There a respondent's `![x](http://host/pixel.png)` would make the reader's browser
fetch a URL of the respondent's choosing (a tracking pixel), `[click](https://...)` would be a
link, `$...$` LaTeX, `:red[...]` colour, and a backtick in a response id would break a card's
header. So every text the app did not write itself (item texts, authors, survey answers and
response ids, theme names, keywords and examples, alert titles, notes, tags, source names, and
errors that quote a remote server) goes through `escape` (inline) or `quote` (a block quote)
before it reaches one of those; `escape_frame` does the same for `st.table`. Plain-text places
need nothing and must not get it (the backslashes would show): `st.text`, `st.code`,
`st.dataframe` and `st.data_editor` cells, selectbox and multiselect options, text-input values
and placeholders.

Links are composed by the app: `web_link` keeps an item's URL only when it is an http(s)
address, for a `LinkColumn` whose display text the app sets.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

# CommonMark shows any backslash-escaped ASCII punctuation literally. These characters open a
# construct wherever they stand: links and images (`[`, `]`), autolinks, raw HTML and comments
# (`<`, `>`), entities (`&amp;`), emphasis and strikethrough (`*`, `~`), code (a backtick),
# headings (`#`), tables (`|`), LaTeX (`$`), and through `[` Streamlit's `:colour[...]`
# directives. The rest of the punctuation (a hyphen, a full stop, a colon, an `@`) is escaped
# only where it would act, so the Markdown of an ordinary sentence stays as it was typed.
_ALWAYS: Final = str.maketrans({c: "\\" + c for c in "\\`*[]<>&#|~$"})
# An underscore between two letters or digits opens no emphasis (`X_BEARER_TOKEN`); elsewhere it may.
_UNDERSCORE: Final = re.compile(r"_(?![^\W_])|(?<![^\W_])_")
# Some constructs are found in the text after escapes are read, so no backslash stops them:
# GFM's bare links (`http://`, `https://`, `ftp://`, `mailto:`, `xmpp:`, `www.`, `name@host.tld`)
# and Streamlit's `:name` directives, icons and emoji shortcodes (`:red`, `:material/home:`,
# `:smile:`). An invisible word joiner (U+2060) between the letters and the colon, dot or at sign
# leaves them text that reads the same.
JOINER: Final = "\u2060"
_READ_AFTER_ESCAPES: Final = re.compile(
    r"(?i)(?:https?|ftp|mailto|xmpp)(?=:)|www(?=\.)|(?<=[\w.+-])(?=@[\w-])|:(?=[^\W\d_])"
)
# At the start of a line: a list item (`-`, `+`, `1.`, `1)`), a setext underline or a thematic
# break (`=`, `-`). `*`, `#` and `>` are escaped everywhere already.
_BLOCK_START: Final = re.compile(r"^( ?)([-+=]|\d{1,9}(?=[.)]))")
_SPACES: Final = re.compile(r"\s+")
_WEB_SCHEMES: Final = ("http://", "https://")


def _escape_line(line: str) -> str:
    escaped = _UNDERSCORE.sub(r"\\_", line.translate(_ALWAYS))
    escaped = _READ_AFTER_ESCAPES.sub(lambda match: match.group() + JOINER, escaped)
    return _BLOCK_START.sub(_escape_block, escaped)


def _escape_block(match: re.Match[str]) -> str:
    space, marker = match.groups()
    if marker.isdigit():  # "1." / "1)": the character after the number is the marker
        return f"{space}{marker}\\"
    return f"{space}\\{marker}"


def escape(text: object, *, limit: int | None = None) -> str:
    """`text` as inline Markdown that reads exactly as typed, on one line.

    Line breaks and runs of spaces become one space: a line break could start a block (a list,
    a quote) in a label or a card's header. `limit` cuts the text (before escaping) with "…".
    """
    plain = _SPACES.sub(" ", str(text))
    if limit is not None and len(plain) > limit:
        plain = plain[: max(limit - 1, 0)].rstrip() + "…"
    return _escape_line(plain)


def quote(text: object, *, limit: int | None = None) -> str:
    """`text` as a Markdown block quote that reads exactly as typed, its line breaks kept."""
    plain = str(text)
    if limit is not None and len(plain) > limit:
        plain = plain[: max(limit - 1, 0)].rstrip() + "…"
    lines = [_escape_line(_SPACES.sub(" ", line).strip()) for line in plain.splitlines()] or [""]
    quoted = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        # A trailing backslash breaks the line where the text did (not at a paragraph's end, where
        # it would show); an empty quoted line keeps a blank line between paragraphs.
        quoted.append(f"> {line}\\" if line and following else f"> {line}" if line else ">")
    return "\n".join(quoted)


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` for `st.table` (which renders every cell, header and index label as
    Markdown) with its texts escaped; numbers, times and missing values stay as they are."""

    def cell(value: object) -> object:
        return escape(value) if isinstance(value, str) else value

    def texts(values: pd.Index | pd.Series) -> bool:  # object or string dtype, whichever pandas uses
        return not (is_numeric_dtype(values.dtype) or is_datetime64_any_dtype(values.dtype))

    shown = frame.copy()
    for column in shown.columns:
        if texts(shown[column]):
            shown[column] = pd.Series([cell(v) for v in shown[column]], index=shown.index, dtype=object)
    shown.columns = pd.Index([cell(c) for c in shown.columns], dtype=object)
    if isinstance(shown.index, pd.MultiIndex):
        shown.index = pd.MultiIndex.from_tuples(
            [tuple(cell(v) for v in key) for key in shown.index], names=shown.index.names
        )
    elif texts(shown.index):
        shown.index = pd.Index([cell(v) for v in shown.index], name=shown.index.name, dtype=object)
    return shown


def web_link(url: object) -> str | None:
    """`url` when it is an http(s) address without spaces, else None: an item's link field comes
    from the source (a feed's `<link>`, a review's URL), and `javascript:` or `data:` must not
    become something an agent clicks."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate.lower().startswith(_WEB_SCHEMES) or any(c.isspace() for c in candidate):
        return None
    return candidate


def web_links(frame: pd.DataFrame, column: str = "link") -> pd.DataFrame:
    """`frame` with every non-web link in `column` emptied (a copy only when one is; the frame
    may be a cached one shared by every session)."""
    if frame.empty or column not in frame.columns:
        return frame
    links = [web_link(value) for value in frame[column]]
    if all(
        new == old or (new is None and not isinstance(old, str)) for new, old in zip(links, frame[column], strict=True)
    ):
        return frame
    shown = frame.copy()
    shown[column] = links
    return shown
