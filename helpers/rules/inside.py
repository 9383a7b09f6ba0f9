"""Rules about the step equations: gate order, each cell's step, and PyTorch's GRU against the paper's."""

from __future__ import annotations

import torch

from ..cells import GATE_ORDER, scratch_forward
from .rule import Rule, Section
from .runs import RuleRun, close
from .scope import Scope

TOPIC = "Inside the cell"
WHOLE = Scope.of(feed=("whole",))


def _equations(run: RuleRun, gru_form: str = "pytorch") -> bool:
    """The step equations of helpers.cells, from the module's own weights, give output, h_n and c_n."""
    with torch.no_grad():
        mine = scratch_forward(run.module, run.x, gru_form)
    return close(mine.output, run.output) and close(mine.h_n, run.h_n) and close(mine.c_n, run.c_n)


def _gate_rows(run: RuleRun) -> bool:
    """weight_ih_l0 has one block of hidden_size rows per gate, so chunk(gates) cuts it in PyTorch's order."""
    gates = len(GATE_ORDER[run.dims.cell])
    shape_ok = run.module.weight_ih_l0.shape[0] == gates * run.case.hidden_size
    return shape_ok and _equations(run)  # the equations cut the rows in GATE_ORDER and must agree


def _not_the_papers_gru(run: RuleRun) -> bool:
    return _equations(run) and not _equations(run, gru_form="paper")


RULES = (
    Rule(
        "gate-order",
        "`weight_ih_l{k}` and `weight_hh_l{k}` stack one block of `hidden_size` rows per gate: r, z, n for "
        "`nn.GRU`, i, f, g, o for `nn.LSTM`; `chunk(3)` or `chunk(4)` cuts them apart. Both biases are added.",
        _gate_rows,
        Section("07", 2, "The GRU: three gates stacked in one matrix"),
        TOPIC,
        ("07",),
        requires=Scope.of(cell=("gru", "lstm"), feed=("whole",)),
    ),
    Rule(
        "rnn-step",
        "One step is `h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)`.",
        _equations,
        Section("07", 1, "One step of a plain RNN"),
        TOPIC,
        ("07",),
        requires=Scope.of(cell=("rnn",), feed=("whole",)),
    ),
    Rule(
        "gru-step",
        "PyTorch's new gate is `n = tanh(W_in x_t + b_in + r * (W_hn h + b_hn))`, then `h_t = (1 - z) * n + "
        "z * h`. The paper's `W_hn (r * h)` is a different model, with other numbers.",
        _not_the_papers_gru,
        Section("07", 3, "PyTorch's new gate is not the paper's"),
        TOPIC,
        ("07",),
        requires=Scope.of(cell=("gru",), feed=("whole",)),
    ),
    Rule(
        "lstm-step",
        "One step is `c_t = f * c + i * g`, `h_t = o * tanh(c_t)`, and with `proj_size`, "
        "`h_t = W_hr (o * tanh(c_t))`; the projected `h_t` is what the next step and the layer above read.",
        _equations,
        Section("07", 4, "The LSTM: four gates and a cell state"),
        TOPIC,
        ("04", "07"),
        requires=Scope.of(cell=("lstm",), feed=("whole",)),
    ),
)
