"""The step equations of RNN, GRU and LSTM written from a module's own parameters, and a from-scratch forward pass."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .checks import check_int

# The order in which PyTorch stacks the gates' rows in weight_ih_l{k}, weight_hh_l{k} and both biases.
GATE_ORDER = {"rnn": ("h",), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}
GATE_NAMES = {
    "r": "reset gate",
    "z": "update gate",
    "n": "new gate (candidate)",
    "i": "input gate",
    "f": "forget gate",
    "g": "cell candidate",
    "o": "output gate",
    "h": "hidden state",
}
GRU_FORMS = ("pytorch", "paper")


def cell_of(module: nn.Module) -> str:
    """'rnn', 'gru' or 'lstm' for an nn.RNN, nn.GRU or nn.LSTM; ValueError for anything else."""
    for name, kind in (("lstm", nn.LSTM), ("gru", nn.GRU), ("rnn", nn.RNN)):
        if isinstance(module, kind):
            return name
    raise ValueError(f"module={type(module).__name__} is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM")


@dataclass(frozen=True)
class Gate:
    """One gate's slice of the parameters: W_i* (H, H_in), W_h* (H, H_out), b_i* (H,), b_h* (H,)."""

    w_i: torch.Tensor
    w_h: torch.Tensor
    b_i: torch.Tensor
    b_h: torch.Tensor


@dataclass(frozen=True)
class LayerWeights:
    """The parameters of one (layer, direction), cut into gates in PyTorch's chunk order."""

    cell: str
    gates: dict[str, Gate]  # "r", "z", "n" (GRU); "i", "f", "g", "o" (LSTM); "h" (RNN)
    w_hr: torch.Tensor | None = None  # LSTM with proj_size: (proj_size, hidden_size)
    nonlinearity: str = "tanh"  # RNN only: "tanh" or "relu"


def layer_weights(module: nn.Module, layer: int = 0, direction: int = 0) -> LayerWeights:
    """Cut weight_ih_l{layer}, weight_hh_l{layer}, bias_ih_l{layer} and bias_hh_l{layer} into gates."""
    cell = cell_of(module)
    check_int("layer", layer, 0, module.num_layers - 1)
    check_int("direction", direction, 0, 1 if module.bidirectional else 0)
    suffix = f"_l{layer}" + ("_reverse" if direction else "")
    w_ih, w_hh = getattr(module, "weight_ih" + suffix), getattr(module, "weight_hh" + suffix)
    # (G * H, H_in) and (G * H, H_out), G gates stacked in GATE_ORDER
    zeros = torch.zeros(w_ih.shape[0], dtype=w_ih.dtype)
    b_ih = getattr(module, "bias_ih" + suffix) if module.bias else zeros
    b_hh = getattr(module, "bias_hh" + suffix) if module.bias else zeros
    names = GATE_ORDER[cell]
    parts = [t.chunk(len(names), dim=0) for t in (w_ih, w_hh, b_ih, b_hh)]
    gates = {name: Gate(*(p[k] for p in parts)) for k, name in enumerate(names)}
    w_hr = getattr(module, "weight_hr" + suffix) if getattr(module, "proj_size", 0) else None
    return LayerWeights(cell, gates, w_hr, getattr(module, "nonlinearity", "tanh"))


def _pre(gate: Gate, x_t: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """W_i x_t + b_i and W_h h + b_h: (N, H) each."""
    return x_t @ gate.w_i.T + gate.b_i, h @ gate.w_h.T + gate.b_h


def rnn_step(w: LayerWeights, x_t: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """h' = tanh(W_ih x_t + b_ih + W_hh h + b_hh) (relu instead of tanh if the module says so): (N, H)."""
    a, b = _pre(w.gates["h"], x_t, h)
    return torch.relu(a + b) if w.nonlinearity == "relu" else torch.tanh(a + b)


def gru_step(w: LayerWeights, x_t: torch.Tensor, h: torch.Tensor, form: str = "pytorch"):
    """One GRU step: (h', gates). form='pytorch' uses r * (W_hn h + b_hn); form='paper' uses W_hn (r * h) + b_hn."""
    if form not in GRU_FORMS:
        raise ValueError(f"form={form!r} is not allowed: form must be one of {GRU_FORMS}")
    r = torch.sigmoid(sum(_pre(w.gates["r"], x_t, h)))  # reset gate (N, H)
    z = torch.sigmoid(sum(_pre(w.gates["z"], x_t, h)))  # update gate (N, H)
    gn = w.gates["n"]
    if form == "pytorch":
        n = torch.tanh(x_t @ gn.w_i.T + gn.b_i + r * (h @ gn.w_h.T + gn.b_h))
    else:  # Cho et al. (2014): the reset gate acts on h before the matrix product
        n = torch.tanh(x_t @ gn.w_i.T + gn.b_i + (r * h) @ gn.w_h.T + gn.b_h)
    return (1 - z) * n + z * h, {"r": r, "z": z, "n": n}


def lstm_step(w: LayerWeights, x_t: torch.Tensor, h: torch.Tensor, c: torch.Tensor):
    """One LSTM step: (h', c', gates); with proj_size, h' = W_hr (o * tanh(c'))."""
    i = torch.sigmoid(sum(_pre(w.gates["i"], x_t, h)))  # input gate (N, hidden_size)
    f = torch.sigmoid(sum(_pre(w.gates["f"], x_t, h)))  # forget gate
    g = torch.tanh(sum(_pre(w.gates["g"], x_t, h)))  # cell candidate
    o = torch.sigmoid(sum(_pre(w.gates["o"], x_t, h)))  # output gate
    c_new = f * c + i * g  # (N, hidden_size)
    h_new = o * torch.tanh(c_new)
    if w.w_hr is not None:
        h_new = h_new @ w.w_hr.T  # (N, proj_size)
    return h_new, c_new, {"i": i, "f": f, "g": g, "o": o}


@dataclass
class ScratchRun:
    """What the from-scratch loop returns, in the module's own layout, plus every step's gates."""

    output: torch.Tensor  # like the module's output
    h_n: torch.Tensor  # (num_layers * D, N, H_out), or (num_layers * D, H_out) unbatched
    c_n: torch.Tensor | None  # LSTM: (num_layers * D, N, hidden_size); else None
    # (layer, direction) -> gate name -> (L, N, H), indexed by real time step (also for the backward direction)
    gates: dict[tuple[int, int], dict[str, torch.Tensor]] = field(default_factory=dict)


def _time_major(module: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """x as (L, N, H_in) and whether it was unbatched."""
    if not isinstance(x, torch.Tensor) or x.dim() not in (2, 3):
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x={got} is not allowed: x must be a 2-D (unbatched) or 3-D tensor")
    if x.shape[-1] != module.input_size:
        raise ValueError(
            f"x.shape[-1]={x.shape[-1]} is not allowed: it must be the module's input_size={module.input_size}"
        )
    if x.dim() == 2:
        return x.unsqueeze(1), True
    return (x.transpose(0, 1) if module.batch_first else x), False


def scratch_forward(module: nn.Module, x: torch.Tensor, gru_form: str = "pytorch") -> ScratchRun:
    """Run module's equations by hand, layer by layer and direction by direction, with zero initial states."""
    cell = cell_of(module)
    if module.training and module.dropout > 0 and module.num_layers > 1:
        raise ValueError(
            f"module.dropout={module.dropout} is not allowed in training mode: call module.eval() "
            "first, since dropout draws random masks the loop cannot repeat"
        )
    if gru_form not in GRU_FORMS:
        raise ValueError(f"gru_form={gru_form!r} is not allowed: gru_form must be one of {GRU_FORMS}")
    seq, unbatched = _time_major(module, x)  # (L, N, H_in)
    num_dirs = 2 if module.bidirectional else 1
    hidden = module.hidden_size
    h_out = getattr(module, "proj_size", 0) or hidden
    length, batch = seq.shape[:2]
    h_finals, c_finals, gates = [], [], {}
    for layer in range(module.num_layers):
        outs = []
        for direction in range(num_dirs):
            w = layer_weights(module, layer, direction)
            h = seq.new_zeros(batch, h_out)
            c = seq.new_zeros(batch, hidden)
            steps = range(length) if direction == 0 else reversed(range(length))  # backward reads L-1 -> 0
            hs, gs = [None] * length, [None] * length
            for t in steps:
                if cell == "rnn":
                    h, g = rnn_step(w, seq[t], h), {}
                elif cell == "gru":
                    h, g = gru_step(w, seq[t], h, gru_form)
                else:
                    h, c, g = lstm_step(w, seq[t], h, c)
                hs[t], gs[t] = h, g
            outs.append(torch.stack(hs))  # (L, N, H_out)
            gates[layer, direction] = {k: torch.stack([g[k] for g in gs]) for k in gs[0]}  # (L, N, H) each
            h_finals.append(h)
            c_finals.append(c)
        seq = torch.cat(outs, dim=-1)  # (L, N, D * H_out): the next layer's input
    output, h_n = seq, torch.stack(h_finals)  # (L, N, D * H_out), (num_layers * D, N, H_out)
    c_n = torch.stack(c_finals) if cell == "lstm" else None  # (num_layers * D, N, hidden_size)
    if unbatched:
        output, h_n = output[:, 0], h_n[:, 0]
        c_n = None if c_n is None else c_n[:, 0]
        gates = {key: {k: v[:, 0] for k, v in g.items()} for key, g in gates.items()}
    elif module.batch_first:
        output = output.transpose(0, 1)  # (N, L, D * H_out)
    return ScratchRun(output, h_n, c_n, gates)


def largest_difference(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| as a float."""
    return float((a - b).detach().abs().max())


def significant(value: float, digits: int = 2) -> str:
    """value written with `digits` significant digits, e.g. 0.0123 -> '0.012'."""
    check_int("digits", digits, 1, 6)
    return f"{float(value):.{digits}g}"
