"""Which column of an export is what, and how its cells become values.

A `ColumnMapping` names the response id (or none: a hash of the row stands in), the submission
time and its zone, the NPS (0–10), CSAT (1–5) and effort (1–`ces_max`) columns, the free-text
columns (each answer becomes its own item) and the respondent's e-mail or customer id (hashed on
ingest, never stored). Vendor presets and a generic guess come from `suggest_mapping`; a user's
mapping is saved per survey (see `storage`) and reused for the next file.

Naive times: vendors write times without a zone (Qualtrics uses the account's zone, Google Forms
the form owner's). They are read in `mapping.timezone`, UTC unless the user says otherwise;
Typeform's "(UTC)" columns are UTC whatever the mapping says.

No value in a message: a `CellError` names what is wrong and what the cell looks like ("looks like
an e-mail address", "a number with 16 digits"), never its content, because a card number or an
address typed into a score column would otherwise reach the import log. Only a short number (a
score such as 11) is quoted. Domain: no Streamlit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voc.surveys.formats import QUALTRICS_COLUMNS, SURVEYMONKEY_COLUMNS, TYPEFORM_COLUMNS, Vendor, header_key

DATE_ORDERS: Final = ("auto", "ymd", "mdy", "dmy")
NPS_RANGE: Final = (0, 10)
CSAT_RANGE: Final = (1, 5)
PLACEHOLDERS: Final = frozenset({"", "-", "--", "—", ".", "n/a", "na", "none", "null", "nil", "#n/a"})
EXCEL_EPOCH: Final = datetime(1899, 12, 30)  # Excel's day 0 (it counts a 29 Feb 1900 that never was)
# Serial numbers read as Excel dates only in this window (1954–2119), so a stray count is not a date.
EXCEL_SERIAL_RANGE: Final = (20_000.0, 80_000.0)

CSAT_LABELS: Final[dict[str, int]] = {
    "very dissatisfied": 1,
    "very unsatisfied": 1,
    "extremely dissatisfied": 1,
    "dissatisfied": 2,
    "unsatisfied": 2,
    "somewhat dissatisfied": 2,
    "neither satisfied nor dissatisfied": 3,
    "neutral": 3,
    "satisfied": 4,
    "somewhat satisfied": 4,
    "very satisfied": 5,
    "extremely satisfied": 5,
    # The same five-point scale as the form tools write it in the languages the app reads
    # (French, German, Spanish, Portuguese, Italian, Dutch), feminine forms too.
    **dict.fromkeys(["très insatisfait", "très insatisfaite", "pas du tout satisfait", "pas du tout satisfaite"], 1),
    **dict.fromkeys(["insatisfait", "insatisfaite", "plutôt insatisfait", "plutôt insatisfaite"], 2),
    **dict.fromkeys(["ni satisfait ni insatisfait", "ni satisfaite ni insatisfaite", "neutre"], 3),
    **dict.fromkeys(["satisfait", "satisfaite", "plutôt satisfait", "plutôt satisfaite"], 4),
    **dict.fromkeys(["très satisfait", "très satisfaite"], 5),
    **dict.fromkeys(["sehr unzufrieden", "überhaupt nicht zufrieden"], 1),
    **dict.fromkeys(["unzufrieden", "eher unzufrieden"], 2),
    **dict.fromkeys(["weder zufrieden noch unzufrieden", "teils/teils"], 3),
    **dict.fromkeys(["zufrieden", "eher zufrieden"], 4),
    **dict.fromkeys(["sehr zufrieden", "äußerst zufrieden"], 5),
    **dict.fromkeys(["muy insatisfecho", "muy insatisfecha", "muito insatisfeito", "muito insatisfeita"], 1),
    **dict.fromkeys(["insatisfecho", "insatisfecha", "insatisfeito", "insatisfeita"], 2),
    **dict.fromkeys(["ni satisfecho ni insatisfecho", "ni satisfecha ni insatisfecha"], 3),
    **dict.fromkeys(["nem satisfeito nem insatisfeito", "nem satisfeita nem insatisfeita"], 3),
    **dict.fromkeys(["satisfecho", "satisfecha", "satisfeito", "satisfeita"], 4),
    **dict.fromkeys(["muy satisfecho", "muy satisfecha", "muito satisfeito", "muito satisfeita"], 5),
    **dict.fromkeys(["molto insoddisfatto", "molto insoddisfatta", "zeer ontevreden"], 1),
    **dict.fromkeys(["insoddisfatto", "insoddisfatta", "ontevreden"], 2),
    **dict.fromkeys(["né soddisfatto né insoddisfatto", "né soddisfatta né insoddisfatta", "neutraal"], 3),
    **dict.fromkeys(["niet tevreden, niet ontevreden", "niet tevreden en niet ontevreden"], 3),
    **dict.fromkeys(["soddisfatto", "soddisfatta", "tevreden"], 4),
    **dict.fromkeys(["molto soddisfatto", "molto soddisfatta", "zeer tevreden"], 5),
}


_REQUIRED_TEXT: Final = frozenset({"submitted_at", "timezone", "date_order"})  # never null in a mapping


class CellError(ValueError):
    """A cell that cannot be read as what its column is mapped to; the message is for the user."""


@dataclass(frozen=True)
class ColumnMapping:
    """How to read one survey's export (saved per survey as JSON)."""

    submitted_at: str
    response_id: str | None = None  # None: derive a stable id from a hash of the row
    text_fields: tuple[str, ...] = ()
    nps: str | None = None
    csat: str | None = None
    ces: str | None = None
    ces_max: int = 7
    respondent: str | None = None  # e-mail or customer id: only its salted hash is kept
    language: str | None = None
    timezone: str = "UTC"  # zone of naive times in the file
    date_order: str = "auto"  # auto | ymd | mdy | dmy, for numeric dates such as 02/01/2026
    utc_columns: tuple[str, ...] = field(default=())  # columns whose times are UTC whatever `timezone` says

    def __post_init__(self) -> None:
        if not self.submitted_at:
            raise ValueError("a mapping needs the column with the submission date and time")
        if self.date_order not in DATE_ORDERS:
            raise ValueError(f"date order {self.date_order!r}; expected one of {', '.join(DATE_ORDERS)}")
        zone_for(self.timezone)
        if not self.text_fields and not (self.nps or self.csat or self.ces):
            raise ValueError("a mapping needs at least one comment column or score column")

    def used_columns(self) -> list[str]:
        """Every column the mapping reads, in a stable order."""
        named = [self.response_id, self.submitted_at, self.nps, self.csat, self.ces, self.respondent, self.language]
        return [c for c in named if c] + [c for c in self.text_fields if c not in named]

    def missing_from(self, columns: Sequence[str]) -> list[str]:
        """Mapped columns this file does not have (compared without case, spaces or invisible marks)."""
        present = {header_key(column) for column in columns}
        return [column for column in self.used_columns() if header_key(column) not in present]

    def resolved(self, columns: Sequence[str]) -> ColumnMapping:
        """This mapping with each column named as the file spells it ("comment" for a saved "Comment ")."""
        spelled = {header_key(column): column for column in columns}

        def name(column: str) -> str:
            return spelled.get(header_key(column), column)

        return replace(
            self,
            submitted_at=name(self.submitted_at),
            response_id=name(self.response_id) if self.response_id else None,
            text_fields=tuple(name(c) for c in self.text_fields),
            nps=name(self.nps) if self.nps else None,
            csat=name(self.csat) if self.csat else None,
            ces=name(self.ces) if self.ces else None,
            respondent=name(self.respondent) if self.respondent else None,
            language=name(self.language) if self.language else None,
            utc_columns=tuple(name(c) for c in self.utc_columns),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["text_fields"] = list(self.text_fields)
        data["utc_columns"] = list(self.utc_columns)
        return data

    @classmethod
    def from_json(cls, data: Any) -> ColumnMapping:
        """A mapping from its saved JSON (or a hand-written `--mapping` file); unknown keys (from a
        newer version) are ignored. A value of the wrong kind is a `ValueError` naming the key."""
        if not isinstance(data, dict):
            raise ValueError('a column mapping is a JSON object such as {"submitted_at": "Date", ...}')
        known = {name for name in cls.__dataclass_fields__}
        values = {key: value for key, value in data.items() if key in known}
        for key, value in values.items():
            if key in ("text_fields", "utc_columns"):
                if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    raise ValueError(f"{key!r} must be a list of column names")
            elif key == "ces_max":
                if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                    raise ValueError("'ces_max' must be a whole number such as 5 or 7")
            elif not (isinstance(value, str) or (value is None and key not in _REQUIRED_TEXT)):
                raise ValueError(f"{key!r} must be " + ("text" if key in _REQUIRED_TEXT else "a column name or null"))
        for key in ("text_fields", "utc_columns"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)

    def with_changes(self, **changes: Any) -> ColumnMapping:
        return replace(self, **changes)


def zone_for(name: str) -> timezone | ZoneInfo:
    """The zone called `name` (IANA, or "UTC"); a clear error for an unknown one."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris") from None


# ---- cells -----------------------------------------------------------------------------------


def text_of(cell: Any) -> str:
    """A free-text cell as clean text: NFC, no NULs, stripped; placeholders such as 'n/a' become ''."""
    if cell is None:
        return ""
    if isinstance(cell, float) and math.isnan(cell):
        return ""
    text = cell if isinstance(cell, str) else str(cell)
    text = unicodedata.normalize("NFC", text.replace("\x00", "")).strip()
    return "" if text.lower() in PLACEHOLDERS else text


# A whole number at the start ("9 - Extremely likely", "7.0", "4,0"), not the start of 7.5, 7,5 or 1e3.
_LEADING_INT = re.compile(r"^\s*(-?\d+(?:[.,]0+)?)(?!\d|[.,]\d|[eE][+-]?\d)")
_DECIMAL = re.compile(r"^\s*-?\d+(?:[.,]\d+|[eE][+-]?\d+)")
_EMAIL_LIKE = re.compile(r"@|＠|\[at\]|\(at\)|\sat\s.*\sdot\s", re.I)
_DIGIT = re.compile(r"\d")
SHOWN_NUMBER_DIGITS: Final = 3  # a number this short (a score such as 11) may be quoted; longer ones never


def describe_value(cell: Any) -> str:
    """What a cell looks like, for a message that must not quote it: never its content."""
    if isinstance(cell, bool):
        return "a yes/no value"
    if isinstance(cell, int | float):
        digits = len(_DIGIT.findall(f"{cell:.0f}")) if not (isinstance(cell, float) and math.isnan(cell)) else 0
        return "a number" if digits <= SHOWN_NUMBER_DIGITS else f"a number with {digits} digits"
    text = text_of(cell)
    digits = len(_DIGIT.findall(text))
    if _EMAIL_LIKE.search(text):
        return "what looks like an e-mail address"
    if digits >= 7 and digits >= 0.6 * len(re.sub(r"\s", "", text)):
        return f"a number with {digits} digits (it may be personal data)"
    if digits >= 7:
        return f"text with {digits} digits in it"
    return f"text of {len(text)} character{'s' if len(text) != 1 else ''}"


def parse_score(cell: Any, kind: str, low: int, high: int, labels: dict[str, int] | None = None) -> int | None:
    """A score cell ("9", 9, 9.0, "10 - Extremely likely", "Very satisfied") as an int in low..high.

    Empty means no answer (None); anything else that is not a score in range is a `CellError`,
    whose message describes the cell without quoting it.
    """
    if cell is None or (isinstance(cell, str) and text_of(cell) == ""):
        return None
    if isinstance(cell, bool):
        raise CellError(f"{kind} is a yes/no value, not a number")
    if isinstance(cell, int | float):
        if isinstance(cell, float) and (math.isnan(cell) or math.isinf(cell) or not cell.is_integer()):
            raise CellError(f"{kind} is not a whole number ({describe_value(cell)})")
        value = int(cell)
    else:
        text = text_of(cell)
        if labels and text.lower() in labels:
            return labels[text.lower()]
        match = _LEADING_INT.match(text)
        if not match or _EMAIL_LIKE.search(text) or len(_DIGIT.findall(text)) > SHOWN_NUMBER_DIGITS:
            if _DECIMAL.match(text) and len(_DIGIT.findall(text)) <= SHOWN_NUMBER_DIGITS:
                raise CellError(f"{kind} is not a whole number: the cell holds {describe_value(cell)}")
            raise CellError(f"{kind} is not a number: the cell holds {describe_value(cell)}")
        value = int(float(match.group(1).replace(",", ".")))
    if not low <= value <= high:
        shown = str(value) if len(str(abs(value))) <= SHOWN_NUMBER_DIGITS else f"({describe_value(value)})"
        raise CellError(f"{kind} {shown} out of range {low}–{high}")
    return value


_NUMERIC_DATE = re.compile(
    r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?"
    r"\s*(?:(UTC|GMT|Z)|([+-]\d{2}:?\d{2}))?\s*$"
)
# Google Forms' "Download responses (.csv)" writes the form's zone as an hour offset: "GMT+1", "GMT+5:30".
_GMT_HOURS = re.compile(r"\s*(?:GMT|UTC)([+-]\d{1,2})(?::?(\d{2}))?\s*$")


def guess_date_order(samples: Iterable[Any]) -> str:
    """ymd, dmy or mdy from sample cells: a first part over 12 means day-first, a second means month-first."""
    day_first = month_first = False
    for cell in samples:
        if not isinstance(cell, str):
            continue
        match = _NUMERIC_DATE.match(_GMT_HOURS.sub("", cell))
        if not match:
            continue
        a, b = int(match.group(1)), int(match.group(2))
        if len(match.group(1)) == 4:
            return "ymd"
        if a > 12:
            day_first = True
        elif b > 12:
            month_first = True
    if day_first and not month_first:
        return "dmy"
    return "mdy"  # US order is what the US-made tools write by default


# JavaScript's Date.toString(), as Google Apps Script writes it:
# "Mon Sep 08 2025 13:58:23 GMT-0500 (Central Daylight Time)"
_JS_DATE = re.compile(
    r"^\s*(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2}),?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?"
    r"\s*(?:(?:GMT|UTC)\s*([+-]\d{2}:?\d{2})?|(Z))?\s*(?:\([^()]*\))?\s*$"
)
_MONTHS: Final = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
DATE_EXAMPLES: Final = "expected a date such as 2026-01-31 14:05, 01/31/2026 2:05 PM or an Excel date"
YEARS: Final = (1970, 2199)  # a date outside these years is a typo or another kind of number
_RFC_2822 = re.compile(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
MAX_OFFSET: Final = timedelta(hours=14)  # the widest offset in use (Kiribati, UTC+14)


def parse_datetime(cell: Any, zone: timezone | ZoneInfo, date_order: str = "mdy") -> datetime:
    """A date cell as aware UTC: ISO text, numeric dates (with AM/PM), JavaScript's and e-mail's
    date strings, Excel serials and datetime cells. Anything else is a `CellError` that describes
    the cell without quoting it."""
    try:
        value = _parse_datetime(cell, zone, date_order)
    except CellError:
        raise
    except (ValueError, OverflowError, TypeError):  # e.g. an ISO year 0 moved across midnight
        raise CellError(f"date not understood: the cell holds {describe_value(cell)}; {DATE_EXAMPLES}") from None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise CellError(f"date outside the years {YEARS[0]}–{YEARS[1]}: the cell holds {describe_value(cell)}")
    return value


def _parse_datetime(cell: Any, zone: timezone | ZoneInfo, date_order: str) -> datetime:
    if isinstance(cell, datetime):
        return _aware(cell, zone)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _from_excel_serial(float(cell), zone)
    text = text_of(cell)
    if not text:
        raise CellError("no date")
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is not None:
        return _aware(parsed, zone)
    bad_offset = _ISO_OFFSET.match(text)
    if bad_offset and not _offset(bad_offset.group(1)):
        raise CellError(f"time zone offset out of range (at most ±14:00); {DATE_EXAMPLES}")
    try:
        return _from_excel_serial(float(text), zone)
    except ValueError:
        pass
    if js := _JS_DATE.match(text):
        return _from_javascript(js, zone)
    if _RFC_2822.match(text):
        try:
            return _aware(parsedate_to_datetime(text), zone)  # RFC 2822: Date.toUTCString(), e-mail
        except (TypeError, ValueError, IndexError):
            pass
    gmt_hours = _GMT_HOURS.search(text)
    if gmt_hours:
        sign_hours, minutes = gmt_hours.groups()
        text = f"{text[: gmt_hours.start()]} {sign_hours[0]}{int(sign_hours[1:]):02d}:{minutes or '00'}"
    match = _NUMERIC_DATE.match(text)
    if not match:
        raise CellError(f"date not understood: the cell holds {describe_value(cell)}; {DATE_EXAMPLES}")
    first, second, third, hour, minute, second_s, ampm, utc_word, offset = match.groups()
    if len(first) == 4:
        year, month, day = int(first), int(second), int(third)
    elif date_order == "dmy":
        day, month, year = int(first), int(second), int(third)
    else:
        month, day, year = int(first), int(second), int(third)
    if year < 100:
        year += 2000
    h = int(hour or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise CellError(f"date has hour {h} with {ampm.upper()}")
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        value = datetime(year, month, day, h, int(minute or 0), int(second_s or 0))
    except ValueError:
        order = "year/month/day" if len(first) == 4 else ("day/month" if date_order == "dmy" else "month/day")
        raise CellError(f"date is not a valid {order} date (no such day, month or time)") from None
    if utc_word:
        return value.replace(tzinfo=UTC)
    if offset:
        return _with_offset(value, offset)
    return _aware(value, zone)


_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ][\d:.]+([+-]\d{2}:?\d{2})$")


def _offset(text: str) -> timezone | None:
    """A UTC offset such as "-0500" or "+05:30"; None for one no place uses ("+99:00", "+05:75")."""
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    delta = timedelta(hours=hours, minutes=minutes)
    if minutes >= 60 or delta > MAX_OFFSET:
        return None
    return timezone(sign * delta)


def _with_offset(value: datetime, offset: str) -> datetime:
    zone = _offset(offset)
    if zone is None:
        raise CellError(f"time zone offset out of range (at most ±14:00); {DATE_EXAMPLES}")
    return value.replace(tzinfo=zone).astimezone(UTC)


def _from_javascript(match: re.Match[str], zone: timezone | ZoneInfo) -> datetime:
    month_name, day, year, hour, minute, second, ampm, offset, z = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise CellError(f"date not understood: unknown month name; {DATE_EXAMPLES}")
    h = int(hour)
    if ampm:
        if not 1 <= h <= 12:
            raise CellError(f"date has hour {h} with {ampm.upper()}")
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        value = datetime(int(year), month, int(day), h, int(minute), int(second or 0))
    except ValueError:
        raise CellError("date is not a valid date (no such day or time)") from None
    if offset:
        return _with_offset(value, offset)
    if z or "GMT" in match.group(0) or "UTC" in match.group(0):
        return value.replace(tzinfo=UTC)
    return _aware(value, zone)


def _from_excel_serial(serial: float, zone: timezone | ZoneInfo) -> datetime:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial <= high:
        raise CellError(f"date is {describe_value(serial)}, not an Excel date")
    return _aware(EXCEL_EPOCH + timedelta(days=serial), zone)


def _aware(value: datetime, zone: timezone | ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def language_of(cell: Any) -> str | None:
    """A language code cell ("EN", "pt-BR", "es_ES") as a two-letter hint; anything else is None."""
    text = text_of(cell).lower().replace("_", "-")
    code = text.split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None


# ---- suggestions -----------------------------------------------------------------------------

# The vendors' own system columns (formats.py holds the one list of each): never a question.
_SYSTEM_COLUMNS: Final[dict[Vendor, frozenset[str]]] = {
    Vendor.QUALTRICS: frozenset(QUALTRICS_COLUMNS),
    Vendor.SURVEYMONKEY: frozenset(SURVEYMONKEY_COLUMNS),
    Vendor.TYPEFORM: frozenset(TYPEFORM_COLUMNS),
}

_NPS_HINT = re.compile(r"\bnps\b|recommend|empfehl|recomend|recommand|raccomand|aanbevel|aanraden", re.I)
_CSAT_HINT = re.compile(r"csat|satisf|zufrieden|satisfe|soddisf|tevreden", re.I)
_CES_HINT = re.compile(r"\bces\b|effort|\beasy\b|einfach|fácil|facil|facile|makkelijk|gemakkelijk", re.I)
_TEXT_HINT = re.compile(
    r"comment|why|reason|feedback|anything else|tell us|open-ended|please specify|verbatim|suggest|improve|_TEXT$"
    r"|kommentar|warum|comentario|comentário|porqu|pourquoi|commentaire|perché|commento|waarom|opmerking",
    re.I,
)
_RESPONDENT_HINT = re.compile(r"e-?mail|customer.?(id|number|no)|client.?id|account.?(id|number)|external.?ref", re.I)
_ID_HINT = re.compile(
    r"^(?:(?:response|respondent|submission|record|ticket|case|interaction)[ _-]?(?:id|number|no)?|id|#|token)$", re.I
)
_DATE_HINT = re.compile(
    r"submit|timestamp|recorded|completed|date|time|created|horodat|marca temporal|datum|fecha|\bdata\b", re.I
)
_LANGUAGE_HINT = re.compile(r"^(user.?)?lang(uage)?$|locale|sprache|idioma|langue|lingua|taal", re.I)
_QUALTRICS_TEXT = re.compile(r"^QID\d+(?:_\d+)*_TEXT$")  # a text entry, or a choice's "Other, please specify"
_PERSONAL = re.compile(r"first.?name|last.?name|full.?name|^name$|ip.?address|latitude|longitude|phone", re.I)


def suggest_mapping(
    vendor: Vendor,
    columns: Sequence[str],
    sample: Sequence[Sequence[Any]],
    questions: dict[str, str] | None = None,
    import_ids: dict[str, str] | None = None,
    open_ended: Sequence[str] = (),
) -> ColumnMapping | None:
    """The vendor preset, or a guess from names and sample values; None when no date or no content is found.

    With Qualtrics's ImportIds the free-text columns are the `…_TEXT` ones and the NPS question the
    one with an `…_NPS_GROUP` sibling, whatever language the labels are in; SurveyMonkey's
    "Open-Ended Response" sub-header marks its free-text columns (`open_ended`).
    """
    questions = questions or {}
    import_ids = import_ids or {}
    values = {column: [row[i] for row in sample if i < len(row)] for i, column in enumerate(columns)}

    def described(column: str) -> str:
        return f"{column} {questions.get(column, '')}"

    system = _SYSTEM_COLUMNS.get(vendor, frozenset())
    response_id = submitted = respondent = language = None
    utc_columns: tuple[str, ...] = ()
    if vendor is Vendor.QUALTRICS:
        response_id = _first_present(columns, "ResponseId", "ResponseID")
        submitted = _first_present(columns, "RecordedDate", "EndDate", "StartDate")
        respondent = _first_present(
            columns, "RecipientEmail", "ExternalReference", "EmailAddress", "ExternalDataReference"
        )
        language = _first_present(columns, "UserLanguage")
        if import_ids:  # everything that is not a question (QID…) is a system or embedded-data field
            system = system | {c for c in columns if not import_ids.get(c, "QID").startswith("QID")}
    elif vendor is Vendor.SURVEYMONKEY:
        response_id = _first_present(columns, "Respondent ID")
        submitted = _first_present(columns, "End Date", "Start Date")
        respondent = _first_present(columns, "Email Address", "Custom Data 1")
    elif vendor is Vendor.TYPEFORM:
        response_id = _first_present(columns, "#")
        submitted = _first_present(columns, "Submit Date (UTC)")
        utc_columns = ("Submit Date (UTC)",)
    elif vendor is Vendor.GOOGLE_FORMS:
        submitted = columns[0]
        respondent = next((c for c in columns if c.lower() in ("email address", "email", "e-mail")), None)
    else:
        response_id = next((c for c in columns if _ID_HINT.search(c.strip())), None)
        submitted = next((c for c in columns if _DATE_HINT.search(c) and _mostly_dates(values[c])), None)
        respondent = next((c for c in columns if _RESPONDENT_HINT.search(c)), None)
        language = next((c for c in columns if _LANGUAGE_HINT.search(c.strip())), None)
    taken = {c for c in (response_id, submitted, respondent, language) if c}
    nps_group_base = {c[: -len("_NPS_GROUP")] for c in columns if c.endswith("_NPS_GROUP")}
    nps_group_ids = {i[: -len("_NPS_GROUP")] for i in import_ids.values() if i.endswith("_NPS_GROUP")}

    def free(column: str) -> bool:
        return (
            column not in taken
            and column not in system
            and not column.endswith("_NPS_GROUP")
            and not import_ids.get(column, "").endswith("_NPS_GROUP")
        )

    nps = next((c for c in columns if c in nps_group_base or import_ids.get(c) in nps_group_ids), None) or next(
        (c for c in columns if free(c) and _NPS_HINT.search(described(c)) and _scores_in(values[c], *NPS_RANGE)),
        None,
    )
    taken.add(nps or "")
    csat = next(
        (
            c
            for c in columns
            if free(c)
            and c not in taken
            and _CSAT_HINT.search(described(c))
            and _scores_in(values[c], *CSAT_RANGE, CSAT_LABELS)
        ),
        None,
    )
    taken.add(csat or "")
    ces = next(
        (
            c
            for c in columns
            if free(c) and c not in taken and _CES_HINT.search(described(c)) and _scores_in(values[c], 1, 7)
        ),
        None,
    )
    taken.add(ces or "")
    if any(_QUALTRICS_TEXT.match(i) for i in import_ids.values()):
        text_fields = tuple(
            c for c in columns if free(c) and c not in taken and _QUALTRICS_TEXT.match(import_ids.get(c, ""))
        )
    else:
        text_fields = tuple(
            c
            for c in columns
            if free(c)
            and c not in taken
            and (
                c in open_ended  # the layout says so (SurveyMonkey's second header row)
                or (
                    not _PERSONAL.search(c)
                    and (
                        _looks_like_comments(values[c])
                        or (_TEXT_HINT.search(described(c)) and not _mostly_numbers(values[c]))
                    )
                )
            )
        )
    if not submitted or not (text_fields or nps or csat or ces):
        return None
    return ColumnMapping(
        submitted_at=submitted,
        response_id=response_id,
        text_fields=text_fields,
        nps=nps,
        csat=csat,
        ces=ces,
        respondent=respondent,
        language=language,
        utc_columns=utc_columns,
    )


def _first_present(columns: Sequence[str], *names: str) -> str | None:
    return next((name for name in names if name in columns), None)


def _filled(cells: Sequence[Any]) -> list[Any]:
    return [cell for cell in cells if text_of(cell) != ""]


def _scores_in(cells: Sequence[Any], low: int, high: int, labels: dict[str, int] | None = None) -> bool:
    filled = _filled(cells)
    if not filled:
        return True  # an empty sample says nothing against the name
    ok = 0
    for cell in filled:
        try:
            parse_score(cell, "score", low, high, labels)
            ok += 1
        except CellError:
            pass
    # Half is enough: the name already says what the column is, and the outliers become row problems.
    return ok >= 0.5 * len(filled)


def _mostly_numbers(cells: Sequence[Any]) -> bool:
    filled = _filled(cells)
    numeric = sum(1 for cell in filled if isinstance(cell, int | float) or _LEADING_INT.match(text_of(cell)))
    return bool(filled) and numeric >= 0.8 * len(filled)


def _mostly_dates(cells: Sequence[Any]) -> bool:
    filled = _filled(cells)
    if not filled:
        return True
    ok = 0
    for cell in filled:
        for order in ("mdy", "dmy"):
            try:
                parse_datetime(cell, UTC, order)
                ok += 1
                break
            except CellError:
                pass
    return ok >= 0.8 * len(filled)


def _looks_like_comments(cells: Sequence[Any]) -> bool:
    """Free text: mostly words, not numbers, dates, e-mails or a handful of repeated choices."""
    filled = [text_of(cell) for cell in _filled(cells) if isinstance(cell, str)]
    if len(filled) < 2 or _mostly_numbers(filled):
        return False
    if sum(1 for text in filled if "@" in text and " " not in text) > len(filled) / 2:
        return False
    wordy = sum(1 for text in filled if len(text) >= 15 and " " in text)
    distinct = len(set(filled)) / len(filled)
    return wordy >= 0.5 * len(filled) and distinct > 0.5
