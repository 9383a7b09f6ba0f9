"""Checkers for notebook 07's exercises: weight shapes predicted, a gate of the backward direction, a frozen gate."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..cells import layer_weights, scratch_forward
from ..models import RNNConfig, RNNRun, build_module, make_input
from .core import Case, check_function, check_shapes

# Exercise 1's module: two layers, two directions, a projection; its weights' shapes are predicted
WEIGHTS_CONFIG = RNNConfig("lstm", input_size=5, hidden_size=3, num_layers=2, bidirectional=True, proj_size=2)
WEIGHT_NAMES = ("weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hr_l1_reverse")
BACKWARD_FORGET_CASES = [
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, bidirectional=True, seed=51), seq_len=4, batch_size=2),
    Case(RNNConfig("lstm", input_size=2, hidden_size=5, num_layers=2, bidirectional=True, seed=52), 3, 3),
    Case(RNNConfig("lstm", input_size=4, hidden_size=3, bidirectional=True, proj_size=2, seed=53), 5, 2),
]


class FrozenCase(Case):
    """A GRU whose update gate is held at 1 (bias_ih of the z block set to +100 in every layer), from a random h_0.

    The run's h_n is then h_0 itself, so the learner's h_0 is r.h_n; output is what the module really returned.
    """

    def run(self) -> RNNRun:
        cfg = self.config
        module = build_module(cfg)
        h = cfg.hidden_size
        with torch.no_grad():
            for layer in range(cfg.num_layers):
                getattr(module, f"bias_ih_l{layer}")[h : 2 * h] = FROZEN_BIAS  # z = sigmoid(100 + ...) = 1.0
        x = make_input(cfg, self.seq_len, self.batch_size)
        generator = torch.Generator().manual_seed(cfg.seed + 2)
        h_0 = torch.randn(cfg.num_layers, self.batch_size, h, generator=generator)
        with torch.no_grad():
            output, h_n = module(x, h_0)
        return RNNRun(cfg, module, x, None, output, h_n, None)


FROZEN_BIAS = 100.0
FROZEN_CASES = [
    FrozenCase(RNNConfig("gru", input_size=3, hidden_size=4, num_layers=2, seed=61), seq_len=4, batch_size=2),
    FrozenCase(RNNConfig("gru", input_size=2, hidden_size=3, num_layers=3, seed=62), seq_len=6, batch_size=3),
    FrozenCase(RNNConfig("gru", input_size=4, hidden_size=2, seed=63), seq_len=3, batch_size=2),
]


def judge_by_mistakes(
    mistakes: Callable[[RNNRun], dict[str, torch.Tensor]],
    exact: bool = True,
    shape_hint: str = "check which dimension holds the sequences and which the features",
    otherwise: str = "the shape is right but the numbers are not: check each part of your formula against the "
    "equations in sections 2 to 4",
):
    """A judge for check_function: None if right, else what the answer holds, by comparing with known mistakes."""

    def same(a: torch.Tensor, b: torch.Tensor) -> bool:
        if a.shape != b.shape:
            return False
        return torch.equal(a, b) if exact else torch.allclose(a, b, rtol=1.3e-6, atol=1e-5)

    def judge(got, r: RNNRun, expected: torch.Tensor) -> str | None:
        if not isinstance(got, torch.Tensor):
            return f"Your function returned a {type(got).__name__}, not a tensor."
        got = got.detach()
        if got.dtype != expected.dtype:
            return f"Your tensor has dtype {got.dtype}; the module's tensors are {expected.dtype}."
        if same(got, expected):
            return None
        for why, wrong in mistakes(r).items():
            if wrong is not None and same(got, wrong.detach()):
                return f"Your answer is {why}."
        if got.shape != expected.shape:
            return f"Your tensor has shape {tuple(got.shape)}, not {tuple(expected.shape)}: {shape_hint}."
        return otherwise[0].upper() + otherwise[1:] + "."

    return judge


def _explain_weight(key: str, got: tuple[int, ...], want: tuple[int, ...]) -> str | None:
    """Why a predicted weight shape is wrong, for Exercise 1's module (rows: 4 gates; columns: what it multiplies)."""
    cfg = WEIGHTS_CONFIG
    h, p, d = cfg.hidden_size, cfg.proj_size, cfg.num_directions
    if len(got) != 2:
        return "a weight is a matrix: (rows, columns) = (features it makes, features it reads)"
    reasons = []
    if got == want[::-1] and key != "weight_hr_l1_reverse":
        return (
            f"rows and columns are swapped: a weight is (features it makes, features it reads), here "
            f"{want[0]} rows for the four gates i, f, g, o, each hidden_size = {h} wide"
        )
    if key == "weight_hr_l1_reverse":
        if got == (h, p):
            return (
                f"rows and columns are swapped: weight_hr turns o * tanh(c), hidden_size = {h} wide, into h, "
                f"proj_size = {p} wide, so it is (proj_size, hidden_size), like every weight (features out, features in)"
            )
        return f"weight_hr turns o * tanh(c), hidden_size = {h} wide, into h, proj_size = {p} wide: (proj_size, hidden_size)"
    if got[0] != want[0]:
        if got[0] == h:
            reasons.append(
                f"the rows hold all four gates stacked (i, f, g, o), so 4 * hidden_size = {4 * h}, not one gate"
            )
        elif got[0] == 3 * h:
            reasons.append(f"an LSTM has four gates, i, f, g, o: 4 * hidden_size = {4 * h} rows (three is the GRU)")
        elif got[0] == 4 * p:
            reasons.append(f"the gates are hidden_size wide, proj_size shrinks only h: 4 * hidden_size = {4 * h} rows")
        else:
            reasons.append(f"the rows are the four gates i, f, g, o, each hidden_size wide: 4 * {h} = {4 * h}")
    if got[1] != want[1]:
        if key.startswith("weight_hh"):
            reasons.append(
                f"weight_hh multiplies the previous h, which proj_size makes {p} wide: its columns are proj_size"
                + (", not hidden_size" if got[1] == h else "")
            )
        elif key == "weight_ih_l0":
            reasons.append(f"layer 0 multiplies x_t, so its columns are input_size = {cfg.input_size}")
        else:
            why = {
                cfg.input_size: "only layer 0 reads x; layer 1 reads layer 0's output",
                p: "layer 1 reads layer 0's output, both directions side by side",
                d * h: "layer 0's output is proj_size wide per direction, not hidden_size",
                h: "layer 0's output holds both directions, each proj_size wide",
            }.get(got[1], "layer 1 reads layer 0's output")
            reasons.append(f"{why}: D * proj_size = {d} * {p} = {d * p} columns")
    return "; ".join(reasons) or None


def weight_shapes() -> dict[str, tuple[int, ...]]:
    """Exercise 1's shapes, read off a real module."""
    with torch.random.fork_rng(devices=[]):  # the learner's random state is left as it was
        module = build_module(WEIGHTS_CONFIG)
    return {name: tuple(getattr(module, name).shape) for name in WEIGHT_NAMES}


def check_weight_shapes(answer) -> None:
    """Exercise 1: predict the shapes of four weights of a 2-layer bidirectional LSTM with proj_size."""
    check_shapes(
        answer,
        name="weight_shapes",
        expected=weight_shapes(),
        section="07, sections 2 and 4 (the gates stacked in one matrix; proj_size) and 5 (layer k reads layer k - 1)",
        success="four gates of hidden_size rows; weight_hh and the layer above read the projected h; "
        "weight_hr is (proj_size, hidden_size)",
        explain=_explain_weight,
    )


def _forget(
    r: RNNRun, t: int, direction: int, k: int = 1, with_hh_bias: bool = True, sigmoid: bool = True
) -> torch.Tensor:
    """sigmoid(W_i x_t + b_i (+ b_h)) for gate k of layer 0 in one direction, where h is zeros: (N, hidden_size)."""
    w = layer_weights(r.module, 0, direction).gates["ifgo"[k]]
    pre = r.x[t] @ w.w_i.T + w.b_i + (w.b_h if with_hh_bias else 0)
    return torch.sigmoid(pre) if sigmoid else pre


def _first_backward_forget(r: RNNRun) -> torch.Tensor:
    """The backward direction's forget gate at the first step it computes, as the module's own loop keeps it."""
    return scratch_forward(r.module, r.x).gates[0, 1]["f"][-1]


def check_first_backward_forget_gate(answer) -> None:
    """Exercise 2: the forget gate of layer 0's backward direction at the first step it computes."""
    last = lambda r: r.x.shape[0] - 1  # noqa: E731
    check_function(
        answer,
        name="first_backward_forget_gate",
        signature="first_backward_forget_gate(lstm, x)",
        cases=BACKWARD_FORGET_CASES,
        call=lambda fn, r: fn(r.module, r.x),
        expected=_first_backward_forget,
        wanted="sigmoid(W_if x[L - 1] + b_if + b_hf) with the _reverse weights of layer 0: the backward direction "
        "starts at the last step, where its h is still zeros",
        section="07, sections 4 (the LSTM's gates, order i, f, g, o) and 5 (the backward direction reads L-1 -> 0)",
        success="the backward direction starts at x[L - 1], with the weights whose names end in _reverse",
        judge=judge_by_mistakes(
            lambda r: {
                "the forward direction's forget gate at step 0: the weights without _reverse belong to the forward "
                "direction, and it starts at x[0]": _forget(r, 0, 0),
                "the backward direction's weights at step 0: the backward direction reads the sequence from the "
                "end, so the first step it computes is x[L - 1] (x[-1])": _forget(r, 0, 1),
                "the forward direction's weights at the last step: the weights for the backward direction are "
                "the ones whose names end in _reverse (weight_ih_l0_reverse, ...)": _forget(r, last(r), 0),
                "the backward direction's input gate: the first chunk is i, the forget gate is the second "
                "(order i, f, g, o)": _forget(r, last(r), 1, k=0),
                "the backward direction's output gate: the last chunk is o, the forget gate is the second": _forget(
                    r, last(r), 1, k=3
                ),
                "the forget gate without bias_hh_l0_reverse: even when h is zeros, b_hf is still added": _forget(
                    r, last(r), 1, with_hh_bias=False
                ),
                "the forget gate before its sigmoid: apply torch.sigmoid": _forget(r, last(r), 1, sigmoid=False),
                "the forget gate through tanh: gates (i, f, o) go through the sigmoid, only the cell candidate g "
                "through tanh": torch.tanh(_forget(r, last(r), 1, sigmoid=False)),
                "the backward direction's forget gate at step 0, which it computes last (its h is no longer zeros "
                "there): its first step is x[L - 1]": scratch_forward(r.module, r.x).gates[0, 1]["f"][0],
            },
            exact=False,
            shape_hint="the gate is (N, hidden_size), one row per sequence; x[t] is (N, input_size)",
        ),
        explain_error=_explain_matmul,
    )


def _explain_matmul(answer, r: RNNRun, error: Exception) -> str | None:
    """The shapes behind a product that cannot be made."""
    if isinstance(error, RuntimeError) and "cannot be multiplied" in str(error):
        cfg = r.config
        return (
            f"Here x[t] is (N, input_size) = ({r.x.shape[1]}, {cfg.input_size}) and each gate's block of "
            f"weight_ih_l0_reverse is (hidden_size, input_size) = ({cfg.hidden_size}, {cfg.input_size}): "
            f"x[t] @ W_if.T gives (N, hidden_size)."
        )
    if isinstance(error, AttributeError):
        return (
            "A bidirectional LSTM's backward weights are weight_ih_l0_reverse, bias_ih_l0_reverse, bias_hh_l0_reverse."
        )
    return None


def _frozen_mistakes(r: RNNRun) -> dict[str, torch.Tensor]:
    h_0, steps = r.h_n, r.output.shape[0]
    mistakes = {
        "zeros: the step keeps the old state where z is 1, and the first old state is the h_0 you start from, "
        "not zeros": torch.zeros_like(r.output),
        "layer 0's state at every step: output shows the top layer, h_0[-1]": h_0[0].expand(steps, -1, -1),
    }
    return mistakes


def _frozen_judge(got, r: RNNRun, expected: torch.Tensor) -> str | None:
    """Exercise 3's verdict: the named mistakes first, then what the shape says."""
    if isinstance(got, torch.Tensor) and got.shape == r.h_n.shape and got.shape != expected.shape:
        return (
            "That is h_0 itself, one row per layer, (num_layers, N, H). output is (L, N, H): one entry per time step, "
            "and only the top layer."
        )
    if isinstance(got, torch.Tensor) and tuple(got.shape) in (tuple(expected.shape[1:]), (1, *expected.shape[1:])):
        return (
            f"Your tensor is one step, {tuple(got.shape)}. output has one entry per time step, (L, N, H) = "
            f"{tuple(expected.shape)}: repeat the state over the L steps (torch.stack, or .expand(L, -1, -1))."
        )
    verdict = judge_by_mistakes(
        _frozen_mistakes,
        exact=False,  # PyTorch computes n + z * (h - n): equal to h up to rounding when z is 1
        shape_hint="output is (L, N, H): one entry per time step, per sequence, H features",
        otherwise="with z = 1 the step is h_t = (1 - z) * n + z * h_(t-1) = h_(t-1): nothing moves from the state "
        "each layer starts from, h_0[layer], and output shows the top layer at every step",
    )(got, r, expected)
    return verdict


def check_frozen_update_gate(answer) -> None:
    """Exercise 3: predict output of a GRU whose update gate is held at 1, from h_0 and L alone."""
    check_function(
        answer,
        name="frozen_update_gate",
        signature="frozen_update_gate(h_0, L)",
        cases=FROZEN_CASES,
        call=lambda fn, r: fn(r.h_n.clone(), r.output.shape[0]),  # h_n equals h_0 here; a copy, not the run's own
        expected=lambda r: r.output,
        wanted="output (L, N, H): h_0[-1], the top layer's start state, at every step",
        section="07, section 2 (the GRU's step, h_t = (1 - z) * n + z * h) and 01 (output is the top layer)",
        success="with z = 1 every layer keeps its start state, so output is h_0[-1] at every step (and h_n is h_0)",
        judge=_frozen_judge,
    )
