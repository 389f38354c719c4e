"""Decoding lines from bytes (`voc.textlines`), shared by the survey importer and `python -m voc analyse`."""

from __future__ import annotations

import codecs
import io

import pytest

from voc.textlines import LineTooLong, open_lines


class Trickle(io.RawIOBase):
    """A pipe that hands over at most 3 bytes per read, as a slow writer would."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        piece, self.data = self.data[:3], self.data[3:]
        buffer[: len(piece)] = piece
        return len(piece)


@pytest.mark.parametrize("wrap", [io.BytesIO, Trickle], ids=["file", "trickling pipe"])
def test_lines_split_at_crlf_lf_and_lone_cr_only_and_decode_per_line(wrap: type) -> None:
    data = codecs.BOM_UTF8 + "a\u2028b\r\n".encode() + "réseau\r".encode("cp1252") + b"c\rd\n" + "é".encode()
    lines = open_lines(wrap(data))
    assert list(lines) == ["a\u2028b\r\n", "réseau\r", "c\r", "d\n", "é"]
    assert lines.cp1252_lines == [2] and lines.mixed


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE])
def test_a_bom_chooses_a_wide_encoding_even_from_a_trickling_pipe(bom: bytes) -> None:
    encoding = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-32-be"
    data = bom + "\ufeffone\rtwo\r\n".encode(encoding)
    assert list(open_lines(Trickle(data))) == ["one\r", "two\r\n"]


def test_an_overlong_line_is_skipped_and_reading_goes_on() -> None:
    lines = open_lines(io.BytesIO(b"short\n" + b"x" * 200_000 + b"\r\nnext\n"), limit=100_000)
    assert next(lines) == "short\n"
    with pytest.raises(LineTooLong) as too_long:
        next(lines)
    assert too_long.value.number == 2
    assert list(lines) == ["next\n"] and lines.number == 3


def test_an_overlong_line_looked_at_ahead_is_put_back_and_raised_again_in_its_place() -> None:
    lines = open_lines(io.BytesIO(b"title\n" + b"x" * 200_000 + b"\nnext\n"), limit=100_000)
    first = next(lines)
    with pytest.raises(LineTooLong) as too_long:
        next(lines)
    lines.unread_too_long(too_long.value)
    lines.unread(first)
    assert next(lines) == "title\n" and lines.number == 1
    with pytest.raises(LineTooLong):
        next(lines)
    assert lines.number == 2 and list(lines) == ["next\n"] and lines.number == 3
