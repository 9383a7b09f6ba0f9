"""A multi-layer recurrent module taken apart into one-layer modules, and the stack run by hand."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .checks import check_tensor

RECURRENT = (nn.RNN, nn.GRU, nn.LSTM)


@dataclass
class StackRun:
    """What running the one-layer modules one after the other returned."""

    output: torch.Tensor  # the top layer's output: (L, N, D * H_out), batch_first (N, L, D * H_out)
    h_n: torch.Tensor  # every layer's final states, bottom first: (num_layers * D, N, H_out)
    c_n: torch.Tensor | None  # LSTM: (num_layers * D, N, hidden_size); None for RNN and GRU
    layer_outputs: list[torch.Tensor]  # each layer's output, bottom first, before any dropout


def _check_module(module: object) -> None:
    """Raise unless module is an nn.RNN, nn.GRU or nn.LSTM."""
    if not isinstance(module, RECURRENT):
        raise ValueError(f"module={type(module).__name__} is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM")


def split_layers(module: nn.Module) -> list[nn.Module]:
    """One one-layer module per layer of module, bottom first, holding copies of that layer's weights."""
    _check_module(module)
    kwargs = dict(
        hidden_size=module.hidden_size,
        bias=module.bias,
        batch_first=module.batch_first,
        bidirectional=module.bidirectional,
    )
    if isinstance(module, nn.RNN):
        kwargs["nonlinearity"] = module.nonlinearity
    if isinstance(module, nn.LSTM) and module.proj_size:
        kwargs["proj_size"] = module.proj_size
    num_directions = 2 if module.bidirectional else 1
    h_out = module.proj_size or module.hidden_size
    layers = []
    for layer in range(module.num_layers):
        # Layer 0 reads x; every layer above reads the output of the one below: D * H_out features.
        input_size = module.input_size if layer == 0 else num_directions * h_out
        one = type(module)(input_size=input_size, **kwargs)
        with torch.no_grad():
            for name, param in one.named_parameters():  # e.g. weight_ih_l0_reverse <- weight_ih_l1_reverse
                param.copy_(getattr(module, name.replace("_l0", f"_l{layer}")))
        one.train(module.training)
        layers.append(one)
    return layers


def run_layers(layers: list[nn.Module], x: torch.Tensor, dropout: float = 0.0) -> StackRun:
    """Feed x to the first module and each module's output to the next, as a multi-layer module does.

    With dropout > 0, each layer's output but the top one goes through F.dropout(training=True) before the
    next layer reads it: what a module built with that dropout does in train mode.
    """
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(f"layers={layers!r} is not allowed: layers must be a non-empty list of one-layer modules")
    for index, one in enumerate(layers):
        if not isinstance(one, RECURRENT) or one.num_layers != 1:
            raise ValueError(
                f"layers[{index}]={type(one).__name__} is not allowed: each layer must be an nn.RNN, "
                "nn.GRU or nn.LSTM with num_layers=1"
            )
    check_tensor("x", x, (2, 3), "a 2-D (L, H_in) or 3-D (L, N, H_in) / (N, L, H_in) tensor")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r} is not allowed: dropout must be a number in [0, 1)")
    if x.shape[-1] != layers[0].input_size:
        raise ValueError(
            f"x.shape[-1]={x.shape[-1]} is not allowed: the first layer has input_size={layers[0].input_size}"
        )
    hs, cs, outputs, inp = [], [], [], x
    for index, one in enumerate(layers):
        out, state = one(inp)  # out: (L, N, D * H_out); state: (D, N, H_out), or (h, c) for an LSTM
        h, c = state if isinstance(one, nn.LSTM) else (state, None)
        hs.append(h)
        cs.append(c)
        outputs.append(out)
        last = index == len(layers) - 1
        inp = F.dropout(out, dropout, training=True) if dropout and not last else out
    c_n = torch.cat(cs) if isinstance(layers[0], nn.LSTM) else None
    return StackRun(output=outputs[-1], h_n=torch.cat(hs), c_n=c_n, layer_outputs=outputs)
