"""Rules about where each final state sits: which rows of h_n are in output, at which step, in which half."""

from __future__ import annotations

import torch

from .rule import Rule, Section
from .runs import RuleRun, close, reference
from .scope import Scope

TOPIC = "Where the states are"
CELL_TOPIC = "The cell state"


def _last_valid(run: RuleRun, tensor: torch.Tensor) -> torch.Tensor:
    """tensor (L, N, ...) at each sequence's last valid step: (N, ...)."""
    return tensor[run.lengths - 1, torch.arange(tensor.shape[1])]


def _output_is_top_layer(run: RuleRun) -> bool:
    return close(run.time_major(), reference(run).output)


def _h_n_is_every_final(run: RuleRun) -> bool:
    ref = reference(run)
    h_n = run.h_n.unsqueeze(1) if run.unbatched else run.h_n
    c_n = None if run.c_n is None else (run.c_n.unsqueeze(1) if run.unbatched else run.c_n)
    return close(h_n, ref.h_n) and close(c_n, ref.c_n)


def _top_forward_at_last_step(run: RuleRun) -> bool:
    return torch.equal(run.time_major()[-1, :, : run.H_out], run.h_view()[-1, 0])


def _top_forward_at_last_valid(run: RuleRun) -> bool:
    return torch.equal(_last_valid(run, run.time_major())[:, : run.H_out], run.h_view()[-1, 0])


def _h_n_0_is_last_step(run: RuleRun) -> bool:
    last = run.output[-1] if run.unbatched or not run.dims.batch_first else run.output[:, -1]
    return torch.equal(run.h_n[0], last)


def _h_n_last_row_is_last_step(run: RuleRun) -> bool:
    last = run.output[-1] if run.unbatched or not run.dims.batch_first else run.output[:, -1]
    return torch.equal(run.h_n[-1], last)


def _backward_at_step_0(run: RuleRun) -> bool:
    return torch.equal(run.time_major()[0, :, run.H_out :], run.h_view()[-1, 1])


def _backward_not_at_last_valid(run: RuleRun) -> bool:
    at_end = _last_valid(run, run.time_major())[:, run.H_out :]  # (N, H_out)
    backward = run.h_view()[-1, 1]  # (N, H_out)
    return all(not torch.equal(at_end[n], backward[n]) for n in range(backward.shape[0]))


def _appears(state: torch.Tensor, run: RuleRun) -> bool:
    """True if this (N, H) state equals output at some step, in some half, for some sequence."""
    if state.shape[-1] != run.H_out:
        return False
    halves = run.time_major().unflatten(-1, (run.D, run.H_out))  # (L, N, D, H_out)
    return bool((halves == state.reshape(1, -1, 1, run.H_out)).all(dim=-1).any())


def _lower_rows_absent(run: RuleRun) -> bool:
    view = run.h_view()  # (num_layers, D, N, H_out)
    return not any(_appears(view[layer, d], run) for layer in range(view.shape[0] - 1) for d in range(run.D))


def _c_n_absent(run: RuleRun) -> bool:
    view = run.h_view(run.c_n)  # (num_layers, D, N, hidden_size)
    return not any(_appears(view[layer, d], run) for layer in range(view.shape[0]) for d in range(run.D))


def _h_n_minus_1_is_backward(run: RuleRun) -> bool:
    """h_n[-1] and h_n[-2] against the step equations' top backward and top forward final states."""
    ref = reference(run).h_n  # (num_layers * D, N, H_out), rows in the order the equations were run
    h_n = run.h_n.unsqueeze(1) if run.unbatched else run.h_n
    return (
        close(h_n[-1], ref[-1]) and close(h_n[-2], ref[-2]) and close(ref[-1], reference(run).output[0, :, run.H_out :])
    )


def _swapped_view_mixes(run: RuleRun) -> bool:
    """h_n.view(D, num_layers, ...)[d, layer] is not (layer, d) for some pair."""
    right = run.h_view()  # (num_layers, D, N, H_out)
    wrong = run.h_n.view(run.D, run.dims.num_layers, *run.h_n.shape[1:])
    pairs = [(layer, d) for layer in range(run.dims.num_layers) for d in range(run.D)]
    return any(not torch.equal(wrong[d, layer], right[layer, d]) for layer, d in pairs)


def _reads(run: RuleRun, t: int | slice, half: slice) -> torch.Tensor:
    """Which steps of x the given steps and features of output depend on: (L,) bool, from autograd.

    The gradient of output[t, :, half] with respect to x is exactly zero at a step it does not read
    (autograd follows the graph), and non-zero where it does, however small the effect.
    """
    x = run.x.detach().clone().requires_grad_(True)
    output, _ = run.call(x)
    picked = run.time_major(output)[t, :, half]
    (grad,) = torch.autograd.grad(picked.sum(), x)
    return (run.time_major(grad) != 0).flatten(1).any(dim=1)  # (L,)


def _prefix_only(run: RuleRun) -> bool:
    """output[t] reads no step after t."""
    L = run.case.seq_len
    return all(not _reads(run, t, slice(None))[t + 1 :].any() for t in range(L))


def _halves_read_their_side(run: RuleRun) -> bool:
    """The forward half of output[t] reads no step after t; the backward half no step before t."""
    L, H = run.case.seq_len, run.H_out
    forward = all(not _reads(run, t, slice(None, H))[t + 1 :].any() for t in range(L))
    backward = all(not _reads(run, t, slice(H, None))[:t].any() for t in range(L))
    return forward and backward


def _deep_halves_read_everything(run: RuleRun) -> bool:
    """The forward half of step 0 reads the last step, and the backward half of the last step reads step 0."""
    H, last = run.H_out, run.case.seq_len - 1
    return bool(_reads(run, 0, slice(None, H))[last]) and bool(_reads(run, last, slice(H, None))[0])


ONE_DIRECTION = Scope.of(bidirectional=(False,))
TWO_DIRECTIONS = Scope.of(bidirectional=(True,))
NOT_PACKED = ("whole", "padded")
RULES = (
    Rule(
        "output-top-layer",
        "`output` holds the top layer's hidden state at every step (with two directions, the forward and "
        "backward states side by side); with packing, zeros after each sequence's end.",
        _output_is_top_layer,
        Section("02", 2, "The same module, built by hand"),
        TOPIC,
        ("00", "01", "02", "09"),
    ),
    Rule(
        "h_n-every-final",
        "`h_n` holds every layer's final state, one row per layer and direction, bottom layer first: row "
        "`k` is layer `k // D`, direction `k % D` (forward, then backward). An LSTM's `c_n` has the same rows.",
        _h_n_is_every_final,
        Section("02", 3, "Which row of `h_n` is which layer"),
        TOPIC,
        ("00", "01", "02", "03", "09"),
    ),
    Rule(
        "top-forward-last-step",
        "The top layer's forward final state is `output` at the tensor's last step, first `H_out` features: "
        "`output[:, -1, :H_out]` with `batch_first=True`.",
        _top_forward_at_last_step,
        Section("01", 4, "Bidirectional: two final states, at opposite ends"),
        TOPIC,
        ("01", "03"),
        scope=Scope.of(feed=NOT_PACKED),
    ),
    Rule(
        "top-forward-last-valid",
        "The top layer's forward final state is `output` at each sequence's own last valid step, "
        "`lengths[n] - 1`, first `H_out` features.",
        _top_forward_at_last_valid,
        Section("06", 3, "Back to a padded tensor, and each sequence's last valid step"),
        TOPIC,
        ("06", "08", "09"),
        scope=Scope.of(feed=("whole", "packed")),
    ),
    Rule(
        "one-layer-h_n-is-last-step",
        "`h_n[0]` is the last step of `output`: `output[-1]`, or `output[:, -1]` with `batch_first=True`.",
        _h_n_0_is_last_step,
        Section("01", 3, "Reading `h_n` by layer and direction, and making it batch-first"),
        TOPIC,
        ("01",),
        scope=Scope.of(num_layers=(1,), bidirectional=(False,), feed=NOT_PACKED),
    ),
    Rule(
        "top-row-is-last-step",
        "`h_n[-1]`, the top layer, is the last step of `output`.",
        _h_n_last_row_is_last_step,
        Section("02", 3, "Which row of `h_n` is which layer"),
        TOPIC,
        ("00", "02"),
        scope=Scope.of(bidirectional=(False,), feed=NOT_PACKED),
    ),
    Rule(
        "backward-at-step-0",
        "The top layer's backward final state is `output` at step 0, last `H_out` features "
        "(`output[:, 0, H_out:]` with `batch_first=True`), packed or not.",
        _backward_at_step_0,
        Section("03", 3, "Where each direction ends"),
        TOPIC,
        ("00", "01", "03", "06", "09"),
        requires=TWO_DIRECTIONS,
    ),
    Rule(
        "backward-not-at-last-valid",
        "The backward final state is not at a sequence's last valid step: `output[n, lengths[n] - 1, H_out:]` "
        "differs from it (for a one-step sequence, step 0 is its last valid step, and they are equal).",
        _backward_not_at_last_valid,
        Section("06", 5, "Two directions with packing"),
        TOPIC,
        ("06",),
        requires=TWO_DIRECTIONS,
        scope=Scope.of(shortest=("several",)),
    ),
    Rule(
        "lower-rows-not-in-output",
        "The rows of `h_n` below the top layer appear at no step of `output`, in neither half.",
        _lower_rows_absent,
        Section("02", 3, "Which row of `h_n` is which layer"),
        TOPIC,
        ("01", "02"),
        requires=Scope.of(num_layers=(2, 3)),
    ),
    Rule(
        "c_n-not-in-output",
        "No row of `c_n` appears anywhere in `output`: `output` is made of hidden states only.",
        _c_n_absent,
        Section("04", 1, "Three tensors back: `output, (h_n, c_n)`"),
        CELL_TOPIC,
        ("01", "04"),
        requires=Scope.of(cell=("lstm",)),
    ),
    Rule(
        "h_n-minus-1-is-backward",
        "`h_n[-1]` alone is only the top layer's backward final state; its forward one is `h_n[-2]`. For one "
        "vector per sequence from both, join them: `torch.cat((h_n[-2], h_n[-1]), dim=-1)`.",
        _h_n_minus_1_is_backward,
        Section("03", 3, "Where each direction ends"),
        TOPIC,
        ("03", "08"),
        requires=TWO_DIRECTIONS,
    ),
    Rule(
        "swapped-view-mixes",
        "`h_n.view(2, num_layers, N, H_out)` runs without an error but mixes layers and directions; "
        "`h_n.view(num_layers, 2, N, H_out)` is the right order.",
        _swapped_view_mixes,
        Section("03", 5, "The wrong view: `h_n.view(2, num_layers, N, H_out)`"),
        TOPIC,
        ("03",),
        requires=TWO_DIRECTIONS,
        scope=Scope.of(num_layers=(2, 3)),
    ),
    Rule(
        "one-direction-reads-prefix",
        "`output[t]` depends on steps `0 … t` of `x` only, however many layers there are.",
        _prefix_only,
        Section("03", 4, "How much has each half read?"),
        TOPIC,
        ("03",),
        requires=Scope.of(steps=("several",)),
        scope=ONE_DIRECTION,
    ),
    Rule(
        "halves-read-their-side",
        "The forward half of `output[t]` depends on steps `0 … t` of `x` only, and the backward half on "
        "steps `t … L-1` only.",
        _halves_read_their_side,
        Section("03", 4, "How much has each half read?"),
        TOPIC,
        ("03",),
        requires=Scope.of(bidirectional=(True,), steps=("several",)),
        scope=Scope.of(num_layers=(1,)),
    ),
    Rule(
        "deep-halves-read-everything",
        "Both halves of the top layer's `output` depend on the whole sequence: the layer below's backward "
        "states feed the forward pass above, so the forward half of step 0 already changes with the last step.",
        _deep_halves_read_everything,
        Section("03", 4, "How much has each half read?"),
        TOPIC,
        ("03",),
        requires=Scope.of(bidirectional=(True,), steps=("several",)),
        scope=Scope.of(num_layers=(2, 3)),
    ),
)
