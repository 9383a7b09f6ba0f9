"""Where a rule is true: the configuration space the course teaches, as named dimensions.

A Case is one configuration: the module's options and the input it reads. Its dimensions
(cell, num_layers, directions, packing, ...) are the words a rule's scope is written in; a
Scope lists the values of each dimension where the rule holds, and writes them in words.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields, replace

# Every dimension a scope can restrict, with every value the course teaches.
DOMAIN: dict[str, tuple] = {
    "cell": ("rnn", "gru", "lstm"),
    "num_layers": (1, 2, 3),
    "bidirectional": (False, True),
    "batch_first": (False, True),
    "proj": (False, True),  # proj_size > 0 (LSTM only)
    "batch": ("unbatched", "one", "several"),  # no batch axis; N = 1; N >= 2
    "feed": ("whole", "padded", "packed"),  # every sequence full length; padded, not packed; packed
    "steps": ("one", "several"),  # L = 1, or L >= 2
    "shortest": ("one", "several"),  # the shortest sequence has 1 valid step, or 2 or more
    "rows": ("one", "several"),  # num_layers * D = 1, or more
}


@dataclass(frozen=True)
class Dims:
    """The value of every dimension for one configuration (a point of DOMAIN)."""

    cell: str
    num_layers: int
    bidirectional: bool
    batch_first: bool
    proj: bool
    batch: str
    feed: str
    steps: str
    shortest: str
    rows: str

    def possible(self) -> bool:
        """False for combinations PyTorch or the dimensions' own meaning rule out."""
        if self.proj and self.cell != "lstm":
            return False  # only nn.LSTM takes proj_size
        if self.rows != ("one" if self.num_layers == 1 and not self.bidirectional else "several"):
            return False  # rows follows from num_layers and bidirectional
        if self.batch == "unbatched" and (self.feed != "whole" or self.batch_first):
            return False  # one whole sequence; batch_first means nothing without a batch axis
        if self.feed == "whole":
            return self.shortest == self.steps  # every sequence is L steps long
        return self.steps == "several" and self.batch == "several"  # padded to the longest, one ends sooner


ALL_DIMS = tuple(f.name for f in fields(Dims))


def every_dims() -> tuple[Dims, ...]:
    """Every possible point of DOMAIN."""
    points = (Dims(*values) for values in itertools.product(*(DOMAIN[name] for name in ALL_DIMS)))
    return tuple(d for d in points if d.possible())


_WORDS: dict[str, dict[frozenset, str]] = {
    "cell": {
        frozenset({"lstm"}): "LSTM",
        frozenset({"gru", "lstm"}): "GRU and LSTM",
        frozenset({"rnn", "gru"}): "RNN and GRU",
        frozenset({"gru"}): "GRU",
        frozenset({"rnn"}): "RNN",
    },
    "num_layers": {frozenset({1}): "one layer", frozenset({2, 3}): "two or more layers"},
    "bidirectional": {frozenset({False}): "one direction", frozenset({True}): "two directions"},
    "batch_first": {frozenset({True}): "`batch_first=True`", frozenset({False}): "`batch_first=False`"},
    "proj": {frozenset({False}): "no `proj_size`", frozenset({True}): "with `proj_size`"},
    "batch": {
        frozenset({"unbatched"}): "unbatched input",
        frozenset({"one", "several"}): "batched input",
        frozenset({"several"}): "two or more sequences",
    },
    "feed": {
        frozenset({"whole", "padded"}): "not packed",
        frozenset({"packed"}): "packed",
        frozenset({"padded"}): "padded but not packed",
        frozenset({"whole"}): "no padding",
        frozenset({"whole", "packed"}): "no padding read as data (full length, or packed)",
    },
    "steps": {frozenset({"one"}): "one time step", frozenset({"several"}): "two or more time steps"},
    "shortest": {frozenset({"several"}): "every sequence at least two steps long"},
    "rows": {frozenset({"several"}): "more than one row in `h_n` (`num_layers * D > 1`)"},
}


@dataclass(frozen=True)
class Scope:
    """The values of each dimension where something holds; a dimension not named allows all of DOMAIN."""

    cell: frozenset = frozenset(DOMAIN["cell"])
    num_layers: frozenset = frozenset(DOMAIN["num_layers"])
    bidirectional: frozenset = frozenset(DOMAIN["bidirectional"])
    batch_first: frozenset = frozenset(DOMAIN["batch_first"])
    proj: frozenset = frozenset(DOMAIN["proj"])
    batch: frozenset = frozenset(DOMAIN["batch"])
    feed: frozenset = frozenset(DOMAIN["feed"])
    steps: frozenset = frozenset(DOMAIN["steps"])
    shortest: frozenset = frozenset(DOMAIN["shortest"])
    rows: frozenset = frozenset(DOMAIN["rows"])

    @classmethod
    def of(cls, **allowed) -> Scope:
        """Scope.of(num_layers=(1,), feed=("whole", "padded")): a scope from value lists."""
        for name, values in allowed.items():
            if name not in DOMAIN:
                raise ValueError(f"{name}={values!r} is not allowed: a scope's dimensions are {ALL_DIMS}")
            if not set(values) <= set(DOMAIN[name]) or not values:
                raise ValueError(f"{name}={values!r} is not allowed: values must be some of {DOMAIN[name]}")
        return cls(**{name: frozenset(values) for name, values in allowed.items()})

    def allows(self, dims: Dims) -> bool:
        return all(getattr(dims, name) in getattr(self, name) for name in ALL_DIMS)

    def points(self) -> tuple[Dims, ...]:
        """Every possible configuration inside this scope."""
        return tuple(d for d in every_dims() if self.allows(d))

    def narrower(self, other: Scope) -> tuple[str, ...]:
        """The dimensions on which this scope allows fewer values than other."""
        return tuple(name for name in ALL_DIMS if getattr(self, name) < getattr(other, name))

    def within(self, other: Scope) -> Scope:
        """This scope, with every dimension also limited to other's values."""
        return replace(self, **{name: getattr(self, name) & getattr(other, name) for name in ALL_DIMS})

    def outside(self, name: str, wider: Scope) -> Scope:
        """Configurations just outside this scope on one dimension: that dimension takes wider's other values."""
        return replace(self, **{name: getattr(wider, name) - getattr(self, name)})

    def words(self) -> list[str]:
        """The restrictions of this scope, in the course's words, in DOMAIN's order."""
        said = []
        for name in ALL_DIMS:
            values = getattr(self, name)
            if values == frozenset(DOMAIN[name]):
                continue
            if values not in _WORDS[name]:
                raise ValueError(f"{name}={sorted(values, key=str)!r} has no words: add them to scope._WORDS")
            said.append(_WORDS[name][values])
        return said
