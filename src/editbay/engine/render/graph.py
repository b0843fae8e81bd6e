"""Typed, immutable ffmpeg filter-graph nodes and the ONE function that escapes option values.

A `Filter` is a name plus named options; a `Chain` links input labels through filters to output
labels; a `Graph` is the ordered chains and renders to the `-filter_complex` string. `GraphBuilder`
hands out fresh labels and `Pipe` keeps the head of one stream (video or audio) so linear
operations just append filters while split/concat operations work on labels.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

Value = str | int | float | bool

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_LABEL = re.compile(r"^[A-Za-z0-9_]+(:[a-z]+(:[0-9]+)?)?$")
# Characters special to the option parser (level 1) and to the filtergraph parser (level 2).
_LEVEL1 = re.compile(r"([\\'=:])")
_LEVEL2 = re.compile(r"([\\'\[\],;])")
_BLANKS = " \n\t\r"  # what av_get_token strips at both ends


def fmt_number(value: float) -> str:
    """A short, exact-enough decimal for a float (no exponent, no trailing zeros)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def escape(value: Value) -> str:
    """Escape one option value for an ffmpeg filtergraph given as a single argument.

    The value is escaped twice, as ffmpeg parses it twice: first for the filter's option parser
    (``\\ ' = :``), then for the graph parser (``\\ ' [ ] , ;``). Leading and trailing blanks are
    protected because both parsers strip them. This is the only escaping function in the renderer.
    """
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = fmt_number(value)
    else:
        text = value
    if "\x00" in text:
        raise ValueError("NUL byte in a filter option value")
    return _protect_ends(_LEVEL2.sub(r"\\\1", _protect_ends(_LEVEL1.sub(r"\\\1", text))))


def _protect_ends(text: str) -> str:
    """Backslash-escape leading and trailing blanks, which ffmpeg's tokenizer would strip."""
    first = next((i for i, c in enumerate(text) if c not in _BLANKS), None)
    if first is None:
        return "".join("\\" + c for c in text)
    last = max(i for i, c in enumerate(text) if c not in _BLANKS)
    head, body, tail = text[:first], text[first:last + 1], text[last + 1:]
    return "".join("\\" + c for c in head) + body + "".join("\\" + c for c in tail)


@dataclass(frozen=True)
class Filter:
    """One filter with named options, e.g. ``Filter("scale", (("w", 640), ("h", 360)))``."""

    name: str
    options: tuple[tuple[str, Value], ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"invalid filter name {self.name!r}")
        for key, value in self.options:
            if not _KEY.match(key):
                raise ValueError(f"invalid option name {key!r} for filter {self.name}")
            if not isinstance(value, str | int | float | bool):
                raise TypeError(f"option {key} of {self.name} must be str/int/float/bool")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"option {key} of {self.name} is not finite")

    def render(self) -> str:
        if not self.options:
            return self.name
        return self.name + "=" + ":".join(f"{k}={escape(v)}" for k, v in self.options)


def filter(name: str, **options: Value | None) -> Filter:  # noqa: A001 - mirrors ffmpeg's vocabulary
    """The generic escape hatch: any ffmpeg filter by name; ``None`` options are left out."""
    return Filter(name, tuple((k, v) for k, v in options.items() if v is not None))


@dataclass(frozen=True)
class Chain:
    """``[in1][in2]f1,f2[out1][out2]``."""

    inputs: tuple[str, ...]
    filters: tuple[Filter, ...]
    outputs: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.filters:
            raise ValueError("a chain needs at least one filter")
        for label in (*self.inputs, *self.outputs):
            if not _LABEL.match(label):
                raise ValueError(f"invalid stream label {label!r}")

    def render(self) -> str:
        ins = "".join(f"[{x}]" for x in self.inputs)
        outs = "".join(f"[{x}]" for x in self.outputs)
        return ins + ",".join(f.render() for f in self.filters) + outs


@dataclass(frozen=True)
class Graph:
    chains: tuple[Chain, ...]

    def render(self) -> str:
        return ";".join(c.render() for c in self.chains)


@dataclass
class GraphBuilder:
    """Collects chains and hands out unique labels (``v1``, ``a2`` …)."""

    chains: list[Chain] = field(default_factory=list)
    _count: int = 0

    def label(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def chain(
        self, inputs: list[str], filters: list[Filter], outputs: int | list[str] = 1, prefix: str = "s"
    ) -> list[str]:
        """Add a chain; returns its output labels (fresh ones when ``outputs`` is a count)."""
        outs = [self.label(prefix) for _ in range(outputs)] if isinstance(outputs, int) else outputs
        self.chains.append(Chain(tuple(inputs), tuple(filters), tuple(outs)))
        return outs

    def build(self) -> Graph:
        return Graph(tuple(self.chains))


class Pipe:
    """The head of one stream: linear filters accumulate until a label is needed."""

    def __init__(self, graph: GraphBuilder, label: str, kind: str) -> None:
        if kind not in ("v", "a"):
            raise ValueError("kind is 'v' or 'a'")
        self.graph = graph
        self.label = label
        self.kind = kind
        self.pending: list[Filter] = []

    def then(self, *filters: Filter) -> Pipe:
        self.pending.extend(filters)
        return self

    def head(self) -> str:
        """Flush pending filters into a chain and return the label of the stream's head."""
        if self.pending:
            (self.label,) = self.graph.chain([self.label], self.pending, 1, self.kind)
            self.pending = []
        return self.label

    def split(self, n: int) -> list[str]:
        """Split the stream into ``n`` labelled copies (the pipe itself is then consumed)."""
        name = "split" if self.kind == "v" else "asplit"
        src = self.head()
        return self.graph.chain([src], [filter(name, outputs=n)], n, self.kind)

    def finish(self, label: str) -> str:
        """Terminate the stream into ``label``: renames the head when possible, else adds a chain."""
        if not self.pending:
            for i, chain in enumerate(self.graph.chains):
                if self.label in chain.outputs:
                    outs = tuple(label if o == self.label else o for o in chain.outputs)
                    self.graph.chains[i] = Chain(chain.inputs, chain.filters, outs)
                    self.label = label
                    return label
        filters = self.pending or [filter("null" if self.kind == "v" else "anull")]
        self.graph.chain([self.label], filters, [label])
        self.pending = []
        self.label = label
        return label
