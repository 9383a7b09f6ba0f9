"""Rules about shapes: what batch_first, unbatched input, proj_size and h_0 do to each tensor."""

from __future__ import annotations

import torch

from .rule import Rule, Section
from .runs import RuleRun
from .scope import Scope

TOPIC = "Shapes"


def _output_shape(run: RuleRun) -> bool:
    L, N, width = run.case.seq_len, run.case.batch_size, run.D * run.H_out
    if run.unbatched:
        return run.output.shape == (L, width)
    return run.output.shape == ((N, L, width) if run.dims.batch_first else (L, N, width))


def _h_n_shape(run: RuleRun) -> bool:
    rows = run.dims.num_layers * run.D
    want = (rows, run.H_out) if run.unbatched else (rows, run.case.batch_size, run.H_out)
    return run.h_n.shape == want


def _c_n_shape(run: RuleRun) -> bool:
    rows, H_cell = run.dims.num_layers * run.D, run.case.hidden_size
    want = (rows, H_cell) if run.unbatched else (rows, run.case.batch_size, H_cell)
    return run.c_n.shape == want and run.h_n.shape[-1] == run.H_out


def _zero_start(run: RuleRun) -> tuple:
    """Zero start states shaped like what came back: h_0 like h_n, c_0 like c_n."""
    h_0 = torch.zeros_like(run.h_n)
    return (h_0, torch.zeros_like(run.c_n)) if run.c_n is not None else h_0


def _h_0_like_h_n(run: RuleRun) -> bool:
    _, state = run.call(run.x, _zero_start(run))
    h_n = state[0] if run.c_n is not None else state
    return torch.equal(h_n, run.h_n)  # zeros are the default start, so the same result


def _batch_first_moves(run: RuleRun) -> bool:
    """The same weights with the other batch_first: output moves its batch axis, h_n does not move."""
    twin = type(run.module)(
        run.case.input_size,
        run.case.hidden_size,
        num_layers=run.dims.num_layers,
        bidirectional=run.dims.bidirectional,
        batch_first=not run.dims.batch_first,
        **({"proj_size": run.case.proj_size} if run.case.proj_size else {}),
    )
    twin.load_state_dict(run.module.state_dict())
    output, state = twin(run.x.transpose(0, 1))
    h_n = state[0] if run.c_n is not None else state
    return torch.equal(output.transpose(0, 1), run.output) and torch.equal(h_n, run.h_n)


def _one_step_transpose(run: RuleRun) -> bool:
    return torch.equal(run.h_n, run.output.transpose(0, 1))


def _reshape_mixes(run: RuleRun) -> bool:
    """h_n.reshape(N, -1) puts other sequences' numbers in row 0; transpose first keeps sequence 0 alone."""
    N = run.case.batch_size
    mine = run.h_n[:, 0].flatten()  # sequence 0, every row: (num_layers * D * H_out,)
    right = torch.equal(run.h_n.transpose(0, 1).reshape(N, -1)[0], mine)
    return right and not torch.equal(run.h_n.reshape(N, -1)[0], mine)


def _batch_first_h_0(run: RuleRun) -> bool:
    """A batch-first h_0, (N, num_layers * D, H_out): refused unless N == num_layers * D, then silently wrong."""
    rows, N = run.h_n.shape[0], run.case.batch_size
    torch.manual_seed(run.case.seed)
    h_0 = torch.randn(run.h_n.shape)  # (num_layers * D, N, H_out): the right layout
    start = (lambda h: (h, torch.zeros_like(run.c_n))) if run.c_n is not None else (lambda h: h)
    try:
        wrong = run.call(run.x, start(h_0.transpose(0, 1).contiguous()))
    except RuntimeError:
        return N != rows  # "Expected hidden size ..."; a packed batch fails earlier, reordering h_0
    right = run.call(run.x, start(h_0))
    if N == rows == 1:
        return torch.equal(wrong[0], right[0])  # one row, one sequence: both layouts are the same tensor
    return N == rows and not torch.equal(wrong[0], right[0])


def _time_major_swapped(run: RuleRun) -> bool:
    """A (N, L, H_in) tensor to a module with batch_first=False runs, reading N as time and L as the batch."""
    x_bf = run.x.transpose(0, 1)  # (N, L, H_in), given as if it were (L, N, H_in)
    output, _ = run.module(x_bf)
    swapped = output.shape[:2] == x_bf.shape[:2]
    if min(x_bf.shape[:2]) < 2:
        return swapped
    return swapped and not torch.equal(output.transpose(0, 1), run.output)  # other numbers than the real run


def _unbatched(run: RuleRun) -> bool:
    L, rows = run.case.seq_len, run.dims.num_layers * run.D
    return run.output.shape == (L, run.D * run.H_out) and run.h_n.shape == (rows, run.H_out)


RULES = (
    Rule(
        "output-shape",
        "`output` is `(L, N, D * H_out)`, or `(N, L, D * H_out)` with `batch_first=True`, or `(L, D * H_out)` "
        "for unbatched input. `H_out` is `proj_size` if it is set, else `hidden_size`.",
        _output_shape,
        Section("01", 1, "Why `output` and `h_n` can look like transposes"),
        TOPIC,
        ("01", "05"),
    ),
    Rule(
        "h_n-shape",
        "`h_n` is `(num_layers * D, N, H_out)` whatever `batch_first` says, or `(num_layers * D, H_out)` for "
        "unbatched input.",
        _h_n_shape,
        Section("01", 1, "Why `output` and `h_n` can look like transposes"),
        TOPIC,
        ("01", "02", "05"),
    ),
    Rule(
        "c_n-shape",
        "`c_n` is `(num_layers * D, N, hidden_size)`: `proj_size` shrinks `output` and `h_n` to `proj_size` "
        "features, and `c_n` keeps `hidden_size`.",
        _c_n_shape,
        Section("04", 3, "`proj_size`: a smaller `h`, the same `c`"),
        TOPIC,
        ("04",),
        requires=Scope.of(cell=("lstm",)),
    ),
    Rule(
        "h_0-like-h_n",
        "The start states you pass are laid out like what comes back: `h_0` like `h_n`, and an LSTM's `c_0` "
        "like `c_n`, batch second even with `batch_first=True`.",
        _h_0_like_h_n,
        Section("05", 2, "`h_0` is never batch first"),
        TOPIC,
        ("04", "05"),
    ),
    Rule(
        "batch_first-moves-x-output",
        "`batch_first=True` moves the batch axis of `x` and `output` only: the same weights give the same "
        "numbers, and `h_n` (and `c_n`) do not move.",
        _batch_first_moves,
        Section("05", 1, "`batch_first` moves the batch axis of `x` and `output`"),
        TOPIC,
        ("05",),
        requires=Scope.of(batch=("one", "several"), feed=("whole", "padded")),
    ),
    Rule(
        "one-step-transpose",
        "`h_n` equals `output.transpose(0, 1)`: that is why the two can look like transposes.",
        _one_step_transpose,
        Section("01", 1, "Why `output` and `h_n` can look like transposes"),
        TOPIC,
        ("01",),
        requires=Scope.of(batch=("several",), feed=("whole",)),
        scope=Scope.of(num_layers=(1,), bidirectional=(False,), batch_first=(True,), steps=("one",)),
    ),
    Rule(
        "reshape-mixes-sequences",
        "For one row per sequence, transpose first: `h_n.transpose(0, 1).reshape(N, -1)`. "
        "`h_n.reshape(N, -1)` (or `view`) runs without an error and puts other sequences' numbers in each row.",
        _reshape_mixes,
        Section("05", 6, "One row per sequence: `h_n.view(N, -1)` mixes sequences"),
        TOPIC,
        ("01", "05"),
        requires=Scope.of(batch=("several",)),
        scope=Scope.of(rows=("several",)),
    ),
    Rule(
        "batch-first-h_0",
        "A `h_0` laid out batch first, `(N, num_layers * D, H_out)`, raises an error, unless "
        "`N == num_layers * D`: then it runs with no error, and (unless both are 1) from the wrong start states.",
        _batch_first_h_0,
        Section("05", 3, "When the shapes happen to fit: no error, wrong numbers"),
        TOPIC,
        ("05",),
        requires=Scope.of(batch=("one", "several")),
    ),
    Rule(
        "time-major-swapped",
        "A `(N, L, H_in)` tensor given to a module with `batch_first=False` runs without an error: it reads "
        "`N` as time and `L` as the batch.",
        _time_major_swapped,
        Section("05", 3, "When the shapes happen to fit: no error, wrong numbers"),
        TOPIC,
        ("05",),
        requires=Scope.of(batch=("one", "several"), batch_first=(False,), feed=("whole",)),
    ),
    Rule(
        "unbatched-shapes",
        "One sequence with no batch axis, `(L, H_in)`, gives `output` `(L, D * H_out)` and `h_n` "
        "`(num_layers * D, H_out)`: no `N` anywhere, and `batch_first` changes nothing.",
        _unbatched,
        Section("05", 4, "One sequence, no batch axis"),
        TOPIC,
        ("05",),
        requires=Scope.of(batch=("unbatched",)),
    ),
)
