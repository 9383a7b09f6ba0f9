"""Every hidden (and cell) state at every step, by re-running the module one layer at a time with its own weights."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .checks import check_int, check_tensor
from .models import CELLS, RNNConfig, RNNRun
from .states import IN_BOTH, IN_H_N, IN_NEITHER, IN_OUTPUT, PADDING, state_category, state_index, time_major


@dataclass(frozen=True)
class UnrolledStates:
    """Each layer's states at each step; entries past a sequence's end are zeros (see valid)."""

    run: RNNRun
    hidden: torch.Tensor  # (num_layers, D, L, N, H_out); N = 1 for an unbatched run
    cell: torch.Tensor | None  # LSTM: (num_layers, D, L, N, hidden_size); None for RNN and GRU
    valid: torch.Tensor  # (L, N) bool: False past each sequence's end


def layer_twin(module: nn.Module, layer: int) -> nn.Module:
    """A one-layer module with the same settings as module, holding layer's weights (weight_ih_l{layer} and so on)."""
    kind = type(module)
    if kind not in CELLS.values():  # before reading num_layers, which other modules do not have
        raise ValueError(f"module={kind.__name__} is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM")
    check_int("layer", layer, 0, module.num_layers - 1)
    num_directions = 2 if module.bidirectional else 1
    input_size = module.input_size if layer == 0 else num_directions * (module.proj_size or module.hidden_size)
    kwargs = dict(num_layers=1, bidirectional=module.bidirectional, batch_first=module.batch_first, bias=module.bias)
    if kind is nn.LSTM:
        kwargs["proj_size"] = module.proj_size
    if kind is nn.RNN:
        kwargs["nonlinearity"] = module.nonlinearity
    twin = kind(input_size, module.hidden_size, **kwargs)
    with torch.no_grad():
        for name, parameter in twin.named_parameters():  # weight_ih_l0 <- weight_ih_l{layer}, and the _reverse ones
            parameter.copy_(getattr(module, name.replace("_l0", f"_l{layer}")))
    return twin.train(module.training)


def _call(module: nn.Module, x: torch.Tensor, lengths: torch.Tensor | None, total: int):
    """module(x), packing x by lengths first if given; output padded back to total steps."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        if lengths is None:
            return module(x)
        packed = pack_padded_sequence(x, lengths, batch_first=module.batch_first, enforce_sorted=False)
        output, state = module(packed)
        output, _ = pad_packed_sequence(output, batch_first=module.batch_first, total_length=total)
        return output, state


def _steps(x: torch.Tensor, batch_first: bool, unbatched: bool, start: int, stop: int) -> torch.Tensor:
    """x restricted to time steps start..stop-1, in the module's own layout."""
    if unbatched or not batch_first:
        return x[start:stop]
    return x[:, start:stop]


def _cell_states(twin: nn.Module, x: torch.Tensor, run: RNNRun, final_c: torch.Tensor) -> torch.Tensor:
    """Cell state of every step: (D, L, N, hidden_size), from runs of twin over prefixes (forward) and suffixes."""
    seq_len, batch_size = time_major(run).shape[:2]
    lengths = run.lengths if run.lengths is not None else torch.full((batch_size,), seq_len)
    num_directions = 2 if twin.bidirectional else 1
    cell = torch.zeros(num_directions, seq_len, batch_size, twin.hidden_size)
    packed = run.lengths is not None
    for t in range(seq_len):
        # forward: the first t + 1 steps; its c_n[0] is the forward cell state at step t
        prefix = _steps(x, twin.batch_first, run.unbatched, 0, t + 1)
        _, (_, c) = _call(twin, prefix, lengths.clamp(max=t + 1) if packed else None, t + 1)
        cell[0, t] = (c[0] if not run.unbatched else c[0].unsqueeze(0)).detach()
        if num_directions == 2:  # backward: steps t.. to each sequence's end; its c_n[1] is the state at step t
            suffix = _steps(x, twin.batch_first, run.unbatched, t, seq_len)
            _, (_, c) = _call(twin, suffix, (lengths - t).clamp(min=1) if packed else None, seq_len - t)
            cell[1, t] = (c[1] if not run.unbatched else c[1].unsqueeze(0)).detach()
    # The kernel projects the input of all steps in one matrix product, so a shorter run can differ from the
    # full one in the last bits. The final cell states come from the full run itself: bit for bit c_n's rows.
    batch = torch.arange(batch_size)
    final_c = final_c.unsqueeze(1) if run.unbatched else final_c  # (D, N, hidden_size)
    cell[0, lengths - 1, batch] = final_c[0]
    if num_directions == 2:
        cell[1, 0] = final_c[1]
    return cell


def unroll(run: RNNRun) -> UnrolledStates:
    """Every layer's hidden state (and LSTM cell state) at every step of run, as a stack of one-layer twins."""
    cfg, module = run.config, run.module
    if module.training and cfg.dropout > 0:
        raise ValueError(
            f"dropout={cfg.dropout!r} is not allowed in train mode: dropout between layers is random, "
            "so the layers cannot be re-run to the same states; call run.module.eval() first"
        )
    seq_len, batch_size = time_major(run).shape[:2]
    num_directions, h_out = cfg.num_directions, cfg.h_out
    lengths = run.lengths
    valid = torch.ones(seq_len, batch_size, dtype=torch.bool)
    if lengths is not None:
        valid = torch.arange(seq_len)[:, None] < lengths[None, :]  # (L, N)
    hidden = torch.zeros(cfg.num_layers, num_directions, seq_len, batch_size, h_out)
    cell = (
        torch.zeros(cfg.num_layers, num_directions, seq_len, batch_size, cfg.hidden_size)
        if cfg.cell == "lstm"
        else None
    )
    x = run.x  # in the module's own layout, so each twin sees exactly what the module's layer saw
    # Autograd stays on, as in helpers.run: on some CPUs an LSTM takes another kernel (oneDNN) under no_grad,
    # and the two kernels agree only to rounding.
    for layer in range(cfg.num_layers):
        twin = layer_twin(module, layer)
        output, state = _call(twin, x, lengths, seq_len)
        out = output.unsqueeze(1) if run.unbatched else (output.transpose(0, 1) if cfg.batch_first else output)
        hidden[layer] = out.detach().reshape(seq_len, batch_size, num_directions, h_out).permute(2, 0, 1, 3)
        if cell is not None:
            # a prefix run past a sequence's end still returns its last cell state: zero those steps, as in hidden
            cell[layer] = _cell_states(twin, x, run, state[1].detach()) * valid[None, :, :, None]
        x = output  # the next layer reads this layer's output at every step (both directions side by side)
    return UnrolledStates(run=run, hidden=hidden, cell=cell, valid=valid)


# --- the unrolled grid as data: one box per (layer, direction, step), what it holds and how to index it ----------


@dataclass(frozen=True)
class GridBox:
    """One (layer, direction, step) of the unrolled grid: where its state lands and how a student would index it."""

    layer: int
    direction: int
    step: int
    category: str  # one of helpers.states.CATEGORIES; for cell states IN_H_N means "in c_n"
    expressions: tuple[str, ...]  # e.g. ("output[:, 2, :H]", "h_n[1]"); empty if no returned tensor holds it


@dataclass(frozen=True)
class GridModel:
    """Everything the grid picture shows for one run, sequence and kind of state."""

    cell: str  # "rnn", "gru" or "lstm"
    num_layers: int
    num_directions: int
    seq_len: int
    batch: int | None  # the sequence shown, or None when every sequence is shown at once (no lengths)
    lengths: tuple[int, ...] | None
    cell_states: bool  # True: the boxes are LSTM cell states (c), not hidden states (h)
    boxes: tuple[GridBox, ...]

    @property
    def length(self) -> int:
        """Valid steps of the sequence shown."""
        return self.seq_len if self.lengths is None else self.lengths[self.batch]


def output_expression(run: RNNRun, step: int, direction: int, batch: int | None) -> str:
    """The indexing of output that gives (top layer, direction) at step, e.g. output[:, 2, :H] (H means H_out)."""
    cfg = run.config
    feature = ([":H", "H:"][direction],) if cfg.bidirectional else ()
    if run.unbatched:
        index = (str(step), *feature)
    else:
        who = ":" if batch is None else str(batch)
        index = (who, str(step)) if cfg.batch_first else (str(step), who)
        if not feature and who == ":" and not cfg.batch_first:
            index = (str(step),)  # output[t] is every sequence at step t
        index = (*index, *feature)
    return f"output[{', '.join(index)}]"


def final_expression(run: RNNRun, name: str, layer: int, direction: int, batch: int | None) -> str:
    """The indexing of h_n (or c_n) that gives (layer, direction), e.g. h_n[3] or h_n[3, 1] for one sequence."""
    row = state_index(layer, direction, run.config.num_layers, run.config.bidirectional)
    return f"{name}[{row}]" if batch is None or run.unbatched else f"{name}[{row}, {batch}]"


def grid_model(run: RNNRun, batch: int | None = None, cell_states: bool = False) -> GridModel:
    """Each box's category (from helpers.states.state_category) and index expressions, for one sequence of run."""
    cfg = run.config
    seq_len, batch_size = time_major(run).shape[:2]
    if batch is None and run.lengths is not None:
        raise ValueError("batch=None is not allowed with lengths: each sequence has its own end, so pick one")
    if batch is not None:
        check_int("batch", batch, 0, batch_size - 1)
    if not isinstance(cell_states, bool) or (cell_states and cfg.cell != "lstm"):
        raise ValueError(
            f"cell_states={cell_states!r} is not allowed with cell={cfg.cell!r}: "
            "only an LSTM has cell states; give False, or True with cell='lstm'"
        )
    boxes = []
    for layer in range(cfg.num_layers):
        for direction in range(cfg.num_directions):
            for step in range(seq_len):
                category = state_category(run, layer, direction, step, batch or 0)
                if cell_states and category != PADDING:  # no cell state is in output; the final ones are c_n
                    category = IN_H_N if category in (IN_H_N, IN_BOTH) else IN_NEITHER
                expressions = []
                if category in (IN_OUTPUT, IN_BOTH):
                    expressions.append(output_expression(run, step, direction, batch))
                if category in (IN_H_N, IN_BOTH):
                    name = "c_n" if cell_states else "h_n"
                    expressions.append(final_expression(run, name, layer, direction, batch))
                boxes.append(GridBox(layer, direction, step, category, tuple(expressions)))
    lengths = None if run.lengths is None else tuple(int(n) for n in run.lengths)
    return GridModel(cfg.cell, cfg.num_layers, cfg.num_directions, seq_len, batch, lengths, cell_states, tuple(boxes))


def unroll_module(module: nn.Module, x: torch.Tensor) -> UnrolledStates:
    """unroll for a module built by hand and its (unpacked) input x: every state at every step."""
    if type(module) not in CELLS.values():
        raise ValueError(f"module={type(module).__name__} is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM")
    check_tensor("x", x, (2, 3), "a 2-D (unbatched) or 3-D input tensor")
    cell = next(name for name, kind in CELLS.items() if type(module) is kind)
    config = RNNConfig(
        cell=cell,
        input_size=module.input_size,
        hidden_size=module.hidden_size,
        num_layers=module.num_layers,
        bidirectional=module.bidirectional,
        batch_first=module.batch_first,
        proj_size=module.proj_size,
        dropout=float(module.dropout),
    )
    output, state = _call(module, x, None, 0)  # module(x), without torch's oneDNN note on projections
    h_n, c_n = state if cell == "lstm" else (state, None)
    return unroll(RNNRun(config=config, module=module, x=x, lengths=None, output=output, h_n=h_n, c_n=c_n))
