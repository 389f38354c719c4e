"""Text lines from bytes, decoded the same way whether they come from a file or from standard input.

Exports and pasted text arrive in whatever encoding the tool that wrote them used, sometimes two
at once (a UTF-8 file that someone appended Windows-1252 lines to). So: a BOM decides (UTF-8,
UTF-16, UTF-32; repeated BOMs are dropped); otherwise each line is read as UTF-8 when it decodes,
else as Windows-1252, and the lines read so are remembered for the report. A line ends at CR LF,
LF or a lone CR, and nowhere else (U+2028 and friends stay inside the line, as in a CSV cell).

A line longer than `limit` is never held whole: its bytes are skipped and `LineTooLong` is raised
with its number, after which reading carries on with the next line. Double quotes are counted
(`quotes`), so a CSV reader that gave up inside a quoted cell can find the line that closes it. Domain: no Streamlit.
"""

from __future__ import annotations

import codecs
import re
from typing import IO, Any, Final

CHUNK: Final = 64 * 1024
_EOL_BYTES: Final = re.compile(rb"\r\n|\r|\n")
_EOL_TEXT: Final = re.compile(r"\r\n|\r|\n")
# Longest BOM first: UTF-32 LE's BOM starts with UTF-16 LE's.
BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
PER_LINE: Final = "per-line"  # UTF-8 where a line decodes as UTF-8, else Windows-1252


class LineTooLong(ValueError):
    """A line longer than the reader's limit; its bytes were skipped, reading can go on."""

    def __init__(self, number: int, limit: int) -> None:
        super().__init__(f"line {number} is longer than {limit:,} characters")
        self.number = number


def bom_encoding(head: bytes) -> tuple[str | None, int]:
    """The encoding a BOM at the start of `head` names, and the BOM's length (None, 0 without one)."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name, len(bom)
    return None, 0


class Lines:
    """Decoded lines of a binary stream, each with its line end; iterate once (csv.reader takes it).

    `encoding` is a codec name for wide encodings (UTF-16/32, decoded as a stream) or `PER_LINE`
    for byte-oriented files. `cp1252_lines` lists the line numbers that were not UTF-8;
    `utf8_lines` counts the lines with non-ASCII UTF-8 in them.
    """

    def __init__(
        self, raw: IO[bytes], encoding: str = PER_LINE, *, skip: int = 0, limit: int | None = None, head: bytes = b""
    ) -> None:
        self._read = getattr(raw, "read1", raw.read)  # read1: a pipe yields what it has, not 64 KiB
        self.encoding = encoding
        self.limit = limit
        self.number = 0
        self.cp1252_lines: list[int] = []
        self.utf8_lines = 0
        self.bytes_read = 0
        self.quotes = 0  # double quotes seen since the caller last set this to 0 (a CSV reader resyncs on it)
        self._wide = encoding != PER_LINE
        self._decoder = codecs.getincrementaldecoder(encoding)("replace") if self._wide else None
        # str for wide encodings, bytes otherwise: the same scanning code serves both
        self._buffer: Any = "" if self._wide else b""
        self._pattern: Any = _EOL_TEXT if self._wide else _EOL_BYTES
        self._position = 0
        self._scanned = 0
        self._eof = False
        self._first = True
        self._pending: list[str | LineTooLong] = []
        if skip:
            self.bytes_read += len(raw.read(skip))
        if head:  # bytes the caller already read to look for a BOM (a pipe cannot seek back)
            self.bytes_read += len(head)
            self._buffer = self._decoder.decode(head) if self._decoder is not None else head

    def __iter__(self) -> Lines:
        return self

    def unread(self, line: str) -> None:
        """Put back the line just read (to look at a header line before the CSV reader does); lines
        put back in turn are read again last first."""
        self._pending.append(line)
        self.number -= 1
        self.quotes -= line.count('"')

    def unread_too_long(self, error: LineTooLong) -> None:
        """Put back a line that was skipped as too long (looked at ahead), so it is reported again."""
        self._pending.append(error)
        self.number -= 1

    def __next__(self) -> str:
        if self._pending:
            self.number += 1
            line = self._pending.pop()
            if isinstance(line, LineTooLong):
                raise line
            self.quotes += line.count('"')
            return line
        while True:
            found = self._find_end()
            if found is not None:
                piece = self._buffer[self._position : found]
                self._position = self._scanned = found
                return self._emit(piece)
            if self.limit is not None and len(self._buffer) - self._position > self.limit:
                self._skip_line()
                self.number += 1
                raise LineTooLong(self.number, self.limit)
            if self._eof:
                if self._position < len(self._buffer):
                    piece = self._buffer[self._position :]
                    self._position = self._scanned = len(self._buffer)
                    return self._emit(piece)
                raise StopIteration
            self._fill()

    def _find_end(self) -> int | None:
        """Where the current line ends (after its line end), or None when more must be read."""
        match = self._pattern.search(self._buffer, max(self._position, self._scanned - 1))
        if match is None:
            self._scanned = len(self._buffer)
            return None
        if match.end() == len(self._buffer) and self._buffer[match.start() :] in ("\r", b"\r") and not self._eof:
            self._scanned = match.start()
            return None  # a CR at the end of what was read: an LF may follow
        return int(match.end())

    def _fill(self) -> None:
        chunk = self._read(CHUNK)
        self.bytes_read += len(chunk)
        rest = self._buffer[self._position :]
        self._scanned -= self._position
        self._position = 0
        if self._decoder is not None:
            text = self._decoder.decode(chunk, final=not chunk)
            self._buffer = rest + text
        else:
            self._buffer = rest + chunk
        if not chunk:
            self._eof = True

    def _skip_line(self) -> None:
        """Drop the rest of an over-long line without keeping it (its quotes are still counted)."""
        quote = '"' if self._wide else b'"'
        while True:
            match = self._pattern.search(self._buffer, self._position)
            if match is not None and (match.end() < len(self._buffer) or self._eof):
                self.quotes += self._buffer.count(quote, self._position, match.start())
                self._position = self._scanned = match.end()
                return
            if self._eof:
                self.quotes += self._buffer.count(quote, self._position)
                self._position = self._scanned = len(self._buffer)
                return
            self.quotes += self._buffer.count(quote, self._position, len(self._buffer) - 1)
            keep = self._buffer[-1:]  # a trailing CR may pair with the next chunk's LF
            self._buffer, self._position, self._scanned = keep, 0, 0
            self._fill()

    def _emit(self, piece: bytes | str) -> str:
        self.number += 1
        if isinstance(piece, str):
            text = piece
        else:
            try:
                text = piece.decode("utf-8")
                if not piece.isascii():
                    self.utf8_lines += 1
            except UnicodeDecodeError:
                text = piece.decode("cp1252", errors="replace")
                self.cp1252_lines.append(self.number)
        if self._first:
            self._first = False
            text = text.lstrip("\ufeff")  # a doubled BOM, or a BOM after the one that chose the encoding
        self.quotes += text.count('"')
        return text

    @property
    def mixed(self) -> bool:
        """Some lines were UTF-8 with accents and others Windows-1252."""
        return bool(self.cp1252_lines) and self.utf8_lines > 0


def open_lines(raw: IO[bytes], *, limit: int | None = None) -> Lines:
    """`Lines` for a stream read from its start, choosing the encoding from a BOM (or per line)."""
    head = b""
    while len(head) < 4:  # a pipe may hand over fewer bytes than asked: read until 4 or the end
        more = raw.read(4 - len(head))
        if not more:
            break
        head += more
    encoding, skip = bom_encoding(head)
    if encoding == "utf-8" or encoding is None:
        return Lines(raw, PER_LINE, limit=limit, head=head[skip:])
    return Lines(raw, encoding, limit=limit, head=head[skip:])


def strip_line_end(line: str) -> str:
    """A line without its CR LF, LF or CR."""
    return line.rstrip("\r\n")


def describe_lines(numbers: list[int], limit: int = 20) -> str:
    """ "3, 7 and 9" for a report, the first `limit` of them and how many more."""
    shown = [f"{n:,}" for n in numbers[:limit]]
    more = len(numbers) - len(shown)
    if more:
        return ", ".join(shown) + f" and {more:,} more"
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return shown[0] if shown else ""
