"""Seeded recurrent modules built from a config, and one seeded forward run."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .checks import CAP_REASON, MAX_FEATURES, MAX_INPUT_ELEMENTS, MAX_LAYERS, MAX_STEPS, check_bool, check_int

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


@dataclass(frozen=True)
class RNNConfig:
    """Everything needed to rebuild the same recurrent module and the same input."""

    cell: str = "gru"  # "rnn", "gru" or "lstm"
    input_size: int = 4
    hidden_size: int = 3
    num_layers: int = 1
    bidirectional: bool = False
    batch_first: bool = False
    proj_size: int = 0  # LSTM only; 0 means no projection
    dropout: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.cell, str) or self.cell not in CELLS:
            raise ValueError(f"cell={self.cell!r} is not allowed: cell must be one of {sorted(CELLS)}")
        for name in ("input_size", "hidden_size"):
            check_int(name, getattr(self, name), 1, MAX_FEATURES, CAP_REASON)
        check_int("num_layers", self.num_layers, 1, MAX_LAYERS, CAP_REASON)
        for name in ("bidirectional", "batch_first"):
            check_bool(name, getattr(self, name))
        check_int("proj_size", self.proj_size, 0, MAX_FEATURES, CAP_REASON)
        if self.proj_size and self.cell != "lstm":
            raise ValueError(
                f"proj_size={self.proj_size!r} is not allowed with cell={self.cell!r}: "
                "only cell='lstm' takes a proj_size > 0"
            )
        if self.proj_size >= self.hidden_size:
            raise ValueError(
                f"proj_size={self.proj_size!r} is not allowed with hidden_size={self.hidden_size}: "
                f"proj_size must be smaller than hidden_size"
            )
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout={self.dropout!r} is not allowed: dropout must be a number in [0, 1)")
        check_int("seed", self.seed, 0)

    @property
    def num_directions(self) -> int:
        """D in PyTorch's docs: 2 for a bidirectional module, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        """H_out: proj_size if it is set, else hidden_size."""
        return self.proj_size or self.hidden_size


@dataclass
class RNNRun:
    """One forward run: the module, its input and what it returned."""

    config: RNNConfig
    module: nn.Module
    x: torch.Tensor  # (L, N, H_in), (N, L, H_in) if batch_first, or (L, H_in) unbatched
    lengths: torch.Tensor | None  # (N,) valid steps per sequence, or None
    output: torch.Tensor  # (L, N, D * H_out), batch_first: (N, L, D * H_out), unbatched: (L, D * H_out)
    h_n: torch.Tensor  # (num_layers * D, N, H_out), unbatched: (num_layers * D, H_out)
    c_n: torch.Tensor | None  # LSTM: (num_layers * D, N, hidden_size); None for RNN and GRU

    @property
    def unbatched(self) -> bool:
        return self.h_n.dim() == 2


def build_module(config: RNNConfig) -> nn.Module:
    """Build the module that config describes, with weights drawn from config.seed."""
    kwargs = dict(
        input_size=config.input_size,
        hidden_size=config.hidden_size,
        num_layers=config.num_layers,
        bidirectional=config.bidirectional,
        batch_first=config.batch_first,
        dropout=config.dropout,
    )
    if config.proj_size:
        kwargs["proj_size"] = config.proj_size
    torch.manual_seed(config.seed)
    return CELLS[config.cell](**kwargs)


def make_input(config: RNNConfig, seq_len: int = 5, batch_size: int = 2, unbatched: bool = False) -> torch.Tensor:
    """Seeded input of the shape the module expects for this config."""
    check_int("seq_len", seq_len, 1, MAX_STEPS, CAP_REASON)
    check_int("batch_size", batch_size, 1, MAX_STEPS, CAP_REASON)
    check_bool("unbatched", unbatched)
    elements = seq_len * (1 if unbatched else batch_size) * config.input_size
    if elements > MAX_INPUT_ELEMENTS:
        raise ValueError(
            f"seq_len={seq_len}, batch_size={batch_size} with input_size={config.input_size} is not allowed: "
            f"the input would hold {elements:,} numbers, and at most {MAX_INPUT_ELEMENTS:,} are allowed ({CAP_REASON})"
        )
    if unbatched:
        shape = (seq_len, config.input_size)  # (L, H_in)
    elif config.batch_first:
        shape = (batch_size, seq_len, config.input_size)  # (N, L, H_in)
    else:
        shape = (seq_len, batch_size, config.input_size)  # (L, N, H_in)
    generator = torch.Generator().manual_seed(config.seed + 1)
    return torch.randn(shape, generator=generator)


def check_lengths(lengths: Sequence[int] | torch.Tensor, seq_len: int, batch_size: int) -> torch.Tensor:
    """Return lengths as an int64 tensor, or raise if they do not fit the batch."""
    if (
        isinstance(lengths, str)
        or (isinstance(lengths, torch.Tensor) and lengths.dim() != 1)
        or not hasattr(lengths, "__len__")
    ):
        raise ValueError(f"lengths={lengths!r} is not allowed: lengths must be a sequence of {batch_size} integers")
    values = lengths.tolist() if isinstance(lengths, torch.Tensor) else list(lengths)
    if len(values) != batch_size:
        raise ValueError(
            f"lengths={values!r} is not allowed: it has {len(values)} entries, "
            f"one per sequence is needed (batch_size={batch_size})"
        )
    for value in values:
        if isinstance(value, bool) or not isinstance(value, Integral) or not 1 <= value <= seq_len:
            raise ValueError(
                f"lengths={values!r} is not allowed: each length must be an integer from 1 to seq_len={seq_len}"
            )
    return torch.tensor([int(v) for v in values], dtype=torch.int64)


def run(
    config: RNNConfig,
    seq_len: int = 5,
    batch_size: int = 2,
    lengths: Sequence[int] | torch.Tensor | None = None,
    unbatched: bool = False,
) -> RNNRun:
    """Build the seeded module, run it on seeded input and keep everything it returned.

    With lengths, the batch is packed before the call and the output padded back to
    seq_len, so output is a plain tensor with zeros after each sequence's end.
    """
    x = make_input(config, seq_len=seq_len, batch_size=batch_size, unbatched=unbatched)
    if lengths is not None and unbatched:
        raise ValueError("lengths is not allowed with unbatched=True: an unbatched input is one whole sequence")
    lengths_t = None if lengths is None else check_lengths(lengths, seq_len, batch_size)
    module = build_module(config)
    torch.manual_seed(config.seed + 2)  # dropout, if any, draws from here
    with warnings.catch_warnings():
        # A note about which CPU kernel runs, not about the results; keep it out of notebooks.
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        if lengths_t is None:
            output, state = module(x)
        else:
            packed = pack_padded_sequence(x, lengths_t, batch_first=config.batch_first, enforce_sorted=False)
            packed_output, state = module(packed)
            output, _ = pad_packed_sequence(packed_output, batch_first=config.batch_first, total_length=seq_len)
    h_n, c_n = state if config.cell == "lstm" else (state, None)
    return RNNRun(config=config, module=module, x=x, lengths=lengths_t, output=output, h_n=h_n, c_n=c_n)
