"""Every h_t and c_t of an nn.LSTM, stepped by hand from the module's own weights (notebook 04)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .checks import check_tensor


@dataclass
class LSTMSteps:
    """Every layer's and direction's state at every step, time-major and batched."""

    h: torch.Tensor  # (num_layers, D, L, N, H_out): what output and h_n are made of
    c: torch.Tensor  # (num_layers, D, L, N, hidden_size): the cell state; its last valid step is c_n
    h_raw: torch.Tensor  # (num_layers, D, L, N, hidden_size): o_t * tanh(c_t) before weight_hr; equals h if no proj

    @property
    def h_n(self) -> torch.Tensor:
        """The last step of h, laid out as PyTorch's h_n: (num_layers * D, N, H_out)."""
        return _final(self.h)

    @property
    def c_n(self) -> torch.Tensor:
        """The last step of c, laid out as PyTorch's c_n: (num_layers * D, N, hidden_size)."""
        return _final(self.c)

    @property
    def output(self) -> torch.Tensor:
        """The top layer's h at every step, both directions side by side: (L, N, D * H_out)."""
        top = self.h[-1]  # (D, L, N, H_out)
        return torch.cat(list(top), dim=-1)


def _final(states: torch.Tensor) -> torch.Tensor:
    """(num_layers, D, L, N, H) -> each direction's final step, (num_layers * D, N, H)."""
    forward_end = states[:, 0, -1]  # (num_layers, N, H): the forward pass ends at step L - 1
    if states.shape[1] == 1:
        return forward_end
    backward_end = states[:, 1, 0]  # the backward pass ends at step 0
    return torch.stack([forward_end, backward_end], dim=1).flatten(0, 1)


def _start(name: str, state: torch.Tensor | None, rows: int, n: int, size: int, unbatched: bool) -> torch.Tensor:
    """A starting state as (num_layers * D, N, size): zeros if None, else checked against PyTorch's shape."""
    if state is None:
        return torch.zeros(rows, n, size)
    shape = (rows, size) if unbatched else (rows, n, size)
    if not isinstance(state, torch.Tensor) or tuple(state.shape) != shape:
        got = tuple(state.shape) if isinstance(state, torch.Tensor) else type(state).__name__
        raise ValueError(f"{name}={got} is not allowed: for this module and x, {name} must have shape {shape}")
    return state.reshape(rows, n, size)


def lstm_cell_step(x_t, h, c, weight_ih, weight_hh, bias_ih=None, bias_hh=None, weight_hr=None):
    """One LSTM step for a batch: returns (h, c, h_raw); h is projected by weight_hr if given."""
    # x_t: (N, H_in), h: (N, H_out), c: (N, hidden_size)
    gates = x_t @ weight_ih.T + h @ weight_hh.T  # (N, 4 * hidden_size): input, forget, cell, output gates
    if bias_ih is not None:
        gates = gates + bias_ih + bias_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_raw = torch.sigmoid(o) * torch.tanh(c)  # (N, hidden_size)
    h = h_raw @ weight_hr.T if weight_hr is not None else h_raw  # (N, H_out)
    return h, c, h_raw


def lstm_steps(
    lstm: nn.LSTM, x: torch.Tensor, h_0: torch.Tensor | None = None, c_0: torch.Tensor | None = None
) -> LSTMSteps:
    """Step every layer and direction of lstm over x by hand, with its own weights; no dropout."""
    if not isinstance(lstm, nn.LSTM):
        raise ValueError(f"lstm={type(lstm).__name__} is not allowed: lstm must be an nn.LSTM")
    check_tensor("x", x, (2, 3), "a 2-D (L, H_in) or 3-D batched tensor")
    if x.shape[-1] != lstm.input_size:
        raise ValueError(
            f"x.shape[-1]={x.shape[-1]} is not allowed: it must be the module's input_size ({lstm.input_size})"
        )
    unbatched = x.dim() == 2
    if unbatched:
        x = x.unsqueeze(1)  # (L, 1, H_in)
    elif lstm.batch_first:
        x = x.transpose(0, 1)  # (N, L, H_in) -> (L, N, H_in)
    num_directions = 2 if lstm.bidirectional else 1
    n, hidden = x.shape[1], lstm.hidden_size
    h_out = lstm.proj_size or hidden
    rows = lstm.num_layers * num_directions
    h_0 = _start("h_0", h_0, rows, n, h_out, unbatched)
    c_0 = _start("c_0", c_0, rows, n, hidden, unbatched)
    hs, cs, raws = [], [], []
    layer_input = x  # (L, N, H_in), then (L, N, D * H_out) for the layers above
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            per_direction = []
            for direction in range(num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                weights = [
                    getattr(lstm, f"{name}{suffix}", None)
                    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
                ]
                row = layer * num_directions + direction
                h, c = h_0[row], c_0[row]
                steps = range(x.shape[0] - 1, -1, -1) if direction else range(x.shape[0])
                h_t, c_t, raw_t = {}, {}, {}
                for t in steps:
                    h, c, raw = lstm_cell_step(layer_input[t], h, c, *weights)
                    h_t[t], c_t[t], raw_t[t] = h, c, raw
                order = range(x.shape[0])
                per_direction.append(tuple(torch.stack([d[t] for t in order]) for d in (h_t, c_t, raw_t)))
            hs.append(torch.stack([p[0] for p in per_direction]))  # (D, L, N, H_out)
            cs.append(torch.stack([p[1] for p in per_direction]))
            raws.append(torch.stack([p[2] for p in per_direction]))
            layer_input = torch.cat(list(hs[-1]), dim=-1)  # (L, N, D * H_out)
    return LSTMSteps(h=torch.stack(hs), c=torch.stack(cs), h_raw=torch.stack(raws))
