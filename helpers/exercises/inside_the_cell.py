"""Checkers for notebook 07's exercises: gate slices and steps computed from a module's own weights."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..cells import gru_step, layer_weights
from ..models import RNNConfig, RNNRun
from .core import Case, check_function

UPDATE_ROWS_CASES = [
    Case(RNNConfig("gru", input_size=3, hidden_size=4, seed=41)),
    Case(RNNConfig("gru", input_size=5, hidden_size=2, num_layers=2, seed=42)),
]
FORGET_CASES = [
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, seed=51), seq_len=4, batch_size=2),
    Case(RNNConfig("lstm", input_size=2, hidden_size=5, num_layers=2, seed=52), seq_len=3, batch_size=3),
    Case(RNNConfig("lstm", input_size=4, hidden_size=3, proj_size=2, seed=53), seq_len=2, batch_size=2),
]
GRU_STEP_CASES = [
    Case(RNNConfig("gru", input_size=3, hidden_size=4, seed=61), seq_len=4, batch_size=2),
    Case(RNNConfig("gru", input_size=5, hidden_size=2, seed=62), seq_len=3, batch_size=3),
]


def judge_by_mistakes(mistakes: Callable[[RNNRun], dict[str, torch.Tensor]], exact: bool = True):
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
            if same(got, wrong.detach()):
                return f"Your answer is {why}."
        if got.shape != expected.shape:
            return (
                f"Your tensor has shape {tuple(got.shape)}, not {tuple(expected.shape)}: "
                "check which dimension holds the gates' rows and which the features."
            )
        return "The shape is right but the numbers are not: compare your formula with the equations above."

    return judge


def _rows(r: RNNRun, k: int, name: str = "weight_ih_l0") -> torch.Tensor:
    h = r.config.hidden_size
    return getattr(r.module, name)[k * h : (k + 1) * h]


def check_update_gate_rows(answer) -> None:
    """Exercise 1: the rows of weight_ih_l0 that belong to the GRU's update gate z."""
    check_function(
        answer,
        name="update_gate_rows",
        signature="update_gate_rows(gru)",
        cases=UPDATE_ROWS_CASES,
        call=lambda fn, r: fn(r.module),
        expected=lambda r: _rows(r, 1),
        wanted="weight_ih_l0[hidden_size:2 * hidden_size], the second block of rows (order r, z, n)",
        section="07, section 2 (The GRU: three gates stacked in one matrix)",
        success="the update gate z is the second block of rows, since PyTorch stacks r, z, n",
        judge=judge_by_mistakes(
            lambda r: {
                "the reset gate's rows: the first block is r, since PyTorch's order is r, z, n": _rows(r, 0),
                "the new gate's rows: the third block is n": _rows(r, 2),
                "the right rows of weight_hh_l0, which multiply h; the task asks for the weights that multiply x_t": _rows(
                    r, 1, "weight_hh_l0"
                ),
            }
        ),
    )


def _pre(r: RNNRun, k: int, with_hh_bias: bool = True) -> torch.Tensor:
    """W_i x_0 + b_i (+ b_h) for gate k of layer 0 at step 0, where h is zeros: (N, hidden_size)."""
    w = layer_weights(r.module, 0, 0).gates["ifgo"[k]]
    return r.x[0] @ w.w_i.T + w.b_i + (w.b_h if with_hh_bias else 0)


def check_first_forget_gate(answer) -> None:
    """Exercise 2: the LSTM's forget gate of layer 0 at step 0."""
    check_function(
        answer,
        name="first_forget_gate",
        signature="first_forget_gate(lstm, x)",
        cases=FORGET_CASES,
        call=lambda fn, r: fn(r.module, r.x),
        expected=lambda r: torch.sigmoid(_pre(r, 1)),
        wanted="sigmoid(W_if x[0] + b_if + b_hf), with W_if the second block of weight_ih_l0 (order i, f, g, o)",
        section="07, section 4 (The LSTM: four gates and a cell state)",
        success="f = sigmoid(W_if x_0 + b_if + b_hf): the second chunk, both biases",
        judge=judge_by_mistakes(
            lambda r: {
                "the input gate i: the first chunk is i, the forget gate is the second (order i, f, g, o)": torch.sigmoid(
                    _pre(r, 0)
                ),
                "the output gate o: the last chunk is o, the forget gate is the second": torch.sigmoid(_pre(r, 3)),
                "the forget gate without bias_hh: even when h is zeros, b_hf is still added": torch.sigmoid(
                    _pre(r, 1, with_hh_bias=False)
                ),
                "the forget gate's input before the sigmoid: apply torch.sigmoid": _pre(r, 1),
            },
            exact=False,
        ),
    )


def _step_inputs(r: RNNRun) -> tuple[torch.Tensor, torch.Tensor]:
    """x_2 and h_1 of a one-layer GRU run: (N, H_in), (N, H)."""
    return r.x[2], r.output[1]


def check_gru_step(answer) -> None:
    """Exercise 3: one GRU step of layer 0 in PyTorch's form."""

    def wrong_forms(r: RNNRun) -> dict[str, torch.Tensor]:
        x_t, h = _step_inputs(r)
        w = layer_weights(r.module)
        _, g = gru_step(w, x_t, h)
        return {
            "the paper's GRU, W_hn (r * h): PyTorch applies r after the product, r * (W_hn h + b_hn)": gru_step(
                w, x_t, h, form="paper"
            )[0],
            "z and (1 - z) swapped: h' = (1 - z) * n + z * h keeps the old state where z is near 1": g["z"] * g["n"]
            + (1 - g["z"]) * h,
            "the new gate n alone: the step mixes it with the old state, (1 - z) * n + z * h": g["n"],
        }

    check_function(
        answer,
        name="gru_step",
        signature="gru_step(gru, x_t, h)",
        cases=GRU_STEP_CASES,
        call=lambda fn, r: fn(r.module, *_step_inputs(r)),
        expected=lambda r: r.output[2],
        wanted="(1 - z) * n + z * h with n = tanh(W_in x_t + b_in + r * (W_hn h + b_hn)); "
        "here it equals the module's own output at the next step",
        section="07, sections 2 and 3 (The GRU; PyTorch's new gate is not the paper's)",
        success="your step gives what nn.GRU computes",
        judge=judge_by_mistakes(wrong_forms, exact=False),
    )
