"""One configuration made real: build the module, feed it as the case says, keep what it returned.

Also an independent reference: the step equations of helpers.cells run sequence by sequence, each
on its own valid steps only, so that a rule's check never trusts the module to check the module.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from ..cells import scratch_forward
from ..models import CELLS
from .scope import Dims


@dataclass(frozen=True)
class Case:
    """One configuration: a point of the scope's dimensions plus the sizes and the seed."""

    dims: Dims
    seq_len: int  # L
    lengths: tuple[int, ...]  # valid steps of each sequence; all L unless padded or packed; (L,) unbatched
    input_size: int = 3
    hidden_size: int = 3
    proj_size: int = 0
    seed: int = 0

    @property
    def batch_size(self) -> int:
        return len(self.lengths)


@dataclass
class RuleRun:
    """A module, the input it read and what it returned, for one Case."""

    case: Case
    module: nn.Module
    x: torch.Tensor  # (L, N, H_in), (N, L, H_in) batch_first, (L, H_in) unbatched; zeros past each end if padded
    lengths: torch.Tensor  # (N,) int64: valid steps per sequence
    output: torch.Tensor  # padded to L if packed: (L, N, D * H_out), (N, L, D * H_out), or (L, D * H_out)
    packed_output: PackedSequence | None  # what the module returned for a packed input
    h_n: torch.Tensor  # (num_layers * D, N, H_out), unbatched (num_layers * D, H_out)
    c_n: torch.Tensor | None  # LSTM: (num_layers * D, N, hidden_size)

    @property
    def dims(self) -> Dims:
        return self.case.dims

    @property
    def D(self) -> int:
        return 2 if self.dims.bidirectional else 1

    @property
    def H_out(self) -> int:
        return self.case.proj_size or self.case.hidden_size

    @property
    def unbatched(self) -> bool:
        return self.dims.batch == "unbatched"

    def time_major(self, tensor: torch.Tensor | None = None) -> torch.Tensor:
        """output (or a tensor laid out like it) as (L, N, ...), whatever batch_first and batching were."""
        tensor = self.output if tensor is None else tensor
        if self.unbatched:
            return tensor.unsqueeze(1)
        return tensor.transpose(0, 1) if self.dims.batch_first else tensor

    def h_view(self, state: torch.Tensor | None = None) -> torch.Tensor:
        """h_n (or c_n) as (num_layers, D, N, H); unbatched gets N = 1."""
        state = self.h_n if state is None else state
        if self.unbatched:
            state = state.unsqueeze(1)
        return state.view(self.dims.num_layers, self.D, *state.shape[1:])

    def call(self, x: torch.Tensor, hx=None):
        """Run the module again on x (same layout), packed with the same lengths if the case packs."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
            if self.dims.feed != "packed":
                return self.module(x, hx)
            packed = pack_padded_sequence(x, self.lengths, batch_first=self.dims.batch_first, enforce_sorted=False)
            packed_output, state = self.module(packed, hx)
        output, _ = pad_packed_sequence(
            packed_output, batch_first=self.dims.batch_first, total_length=self.case.seq_len
        )
        return output, state


def make_case(dims: Dims, seed: int = 0) -> Case:
    """A Case at this point of the dimensions, with sizes and lengths drawn from seed (the same every time)."""
    rng = random.Random(seed)
    L = 1 if dims.steps == "one" else rng.randint(3 if dims.shortest == "several" else 2, 5)
    N = {"unbatched": 1, "one": 1, "several": rng.randint(2, 4)}[dims.batch]
    if dims.feed == "whole":
        lengths = [L] * N
    else:  # padded or packed, to the longest: one sequence is L long, one ends sooner
        low = 1 if dims.shortest == "one" else 2
        lengths = [rng.randint(low, L) for _ in range(N)]
        full, short = rng.sample(range(N), 2)
        lengths[full], lengths[short] = L, (1 if dims.shortest == "one" else rng.randint(low, L - 1))
    hidden_size = rng.randint(2, 4)
    proj_size = rng.randint(1, hidden_size - 1) if dims.proj else 0
    return Case(dims, L, tuple(lengths), rng.randint(1, 3), hidden_size, proj_size, seed)


def realise(case: Case) -> RuleRun:
    """Build the case's module (seeded), feed it its input, keep everything it returned."""
    d = case.dims
    kwargs = dict(num_layers=d.num_layers, bidirectional=d.bidirectional, batch_first=d.batch_first)
    if case.proj_size:
        kwargs["proj_size"] = case.proj_size
    torch.manual_seed(case.seed)
    module = CELLS[d.cell](case.input_size, case.hidden_size, **kwargs)
    generator = torch.Generator().manual_seed(case.seed + 1)
    L, N = case.seq_len, case.batch_size
    x = torch.randn(L, N, case.input_size, generator=generator)  # (L, N, H_in)
    lengths = torch.tensor(case.lengths, dtype=torch.int64)
    for n, length in enumerate(case.lengths):
        x[length:, n] = 0.0  # padding after each sequence's end
    if d.batch == "unbatched":
        x = x[:, 0]  # (L, H_in)
    elif d.batch_first:
        x = x.transpose(0, 1).contiguous()  # (N, L, H_in)
    run = RuleRun(case, module, x, lengths, None, None, None, None)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        if d.feed == "packed":
            packed = pack_padded_sequence(x, lengths, batch_first=d.batch_first, enforce_sorted=False)
            run.packed_output, state = module(packed)
            run.output, _ = pad_packed_sequence(run.packed_output, batch_first=d.batch_first, total_length=L)
        else:
            run.output, state = module(x)
    run.h_n, run.c_n = state if d.cell == "lstm" else (state, None)
    return run


@dataclass(frozen=True)
class Reference:
    """The states the step equations give, read off by hand: time major, padded with zeros past each end."""

    output: torch.Tensor  # (L, N, D * H_out)
    h_n: torch.Tensor  # (num_layers * D, N, H_out)
    c_n: torch.Tensor | None  # (num_layers * D, N, hidden_size)


def reference(run: RuleRun) -> Reference:
    """Each sequence on its own through helpers.cells.scratch_forward: its valid steps if packed, all L if not."""
    x = run.time_major(run.x)  # (L, N, H_in)
    module = run.module
    outputs, h_ns, c_ns = [], [], []
    with torch.no_grad():
        for n in range(x.shape[1]):
            steps = int(run.lengths[n]) if run.dims.feed == "packed" else x.shape[0]
            seq = x[:steps, n]  # (steps, H_in): what this sequence's passes really read
            got = scratch_forward(module, seq)  # unbatched: (steps, D * H_out), (rows, H_out)
            padded = got.output.new_zeros(x.shape[0], got.output.shape[-1])
            padded[:steps] = got.output
            outputs.append(padded)
            h_ns.append(got.h_n)
            c_ns.append(got.c_n)
    c_n = torch.stack(c_ns, dim=1) if c_ns[0] is not None else None
    return Reference(torch.stack(outputs, dim=1), torch.stack(h_ns, dim=1), c_n)


def close(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    """Maths done by hand agrees with torch: same shape, equal within float32 rounding."""
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-4, atol=1e-5)
