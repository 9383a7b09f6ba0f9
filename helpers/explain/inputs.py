"""Check the student's module, x, hx and lengths, and raise ValueError in the student's own shapes."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

RECURRENT = (nn.RNN, nn.GRU, nn.LSTM)
CELLS_ONE_STEP = (nn.RNNCell, nn.GRUCell, nn.LSTMCell)


@dataclass(frozen=True)
class CallSpec:
    """The student's module and input, in PyTorch's symbols: N, L, H_in, num_layers, D, H_out, H_cell."""

    cell: str  # "RNN", "GRU" or "LSTM"
    module_repr: str  # e.g. "LSTM(8, 50, num_layers=3, batch_first=True, bidirectional=True)"
    input_size: int  # H_in
    hidden_size: int  # H_cell
    num_layers: int
    bidirectional: bool
    batch_first: bool
    proj_size: int  # 0 means no projection
    dropout: float
    training: bool
    dtype: torch.dtype
    unbatched: bool  # x is (L, H_in): one sequence, no batch axis
    packed: bool  # the module is called on a PackedSequence
    given_packed: bool  # the student passed the PackedSequence themselves
    batch_size: int  # N (1 when unbatched)
    seq_len: int  # L: x's number of steps (the longest sequence when packed)
    hx_given: bool
    nonlinearity: str = ""  # nn.RNN's "tanh" or "relu"; "" for GRU and LSTM
    bias: bool = True
    qualified: str = ""  # the submodule's name in the model, e.g. "encoder.rnn"; "" for a module passed alone
    access: str = ""  # valid Python that names it, e.g. "model.encoder.rnn"; "" for a module passed alone
    x_steps: int = 0  # x's own number of steps when lengths are given (the padded output has max(lengths))

    @property
    def num_directions(self) -> int:
        """D: 2 for a bidirectional module, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        """H_out: proj_size if set, else hidden_size."""
        return self.proj_size or self.hidden_size

    @property
    def name(self) -> str:
        """What the report's code calls: lstm, gru or rnn, or the submodule's path, e.g. model.encoder.rnn."""
        return self.access or self.cell.lower()

    @property
    def title(self) -> str:
        """The module as the report's title names it."""
        return f"{self.qualified} = {self.module_repr}" if self.qualified else self.module_repr


def check_module(module: object) -> str:
    """Return "RNN", "GRU" or "LSTM", or raise if module is none of them or was built with arguments of wrong types."""
    for kind in (nn.LSTM, nn.GRU, nn.RNN):
        if isinstance(module, kind):
            check_flags(module)
            return kind.__name__
    what = type(module).__name__
    hint = ""
    if isinstance(module, CELLS_ONE_STEP):
        hint = f"; {what} runs one time step and returns no output sequence"
    raise ValueError(
        f"module={what} is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM, or a model that contains one{hint}"
    )


FLAGS = ("bias", "batch_first", "bidirectional")
SIZES = ("input_size", "hidden_size", "num_layers", "proj_size")


def check_flags(module: nn.Module) -> None:
    """Refuse a module whose flags are not booleans or whose sizes are not integers (torch accepts both)."""
    kind = type(module).__name__
    for name in FLAGS:
        value = getattr(module, name, False)
        if not isinstance(value, bool):
            raise ValueError(
                f"{name}={value!r} is not allowed: {name} must be True or False, not a {type(value).__name__} "
                f"(nn.{kind} stores it as given, and a string such as 'False' counts as true)"
            )
    for name in SIZES:
        value = getattr(module, name, 0)
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise ValueError(
                f"{name}={value!r} is not allowed: {name} must be an integer, not a {type(value).__name__}"
                + (f" (nn.{kind} reads True as 1)" if isinstance(value, bool) else "")
            )


def access_path(model: nn.Module, qualified: str, root: str = "model") -> str:
    """Valid Python for a submodule: model.encoder.rnn, model.layers[0], model.blocks['a-b'], getattr(...)."""
    path, owner = root, model
    for part in qualified.split(".") if qualified else []:
        if isinstance(owner, (nn.Sequential, nn.ModuleList)) and part.isdigit():
            path += f"[{part}]"
        elif isinstance(owner, nn.ModuleDict):
            path += f"[{part!r}]"
        elif part.isidentifier():
            path += f".{part}"
        else:
            path = f"getattr({path}, {part!r})"
        owner = owner._modules[part]
    return path


def _weights_dtype(module: nn.Module) -> torch.dtype:
    return next(module.parameters()).dtype


def _x_axes(batch_first: bool, unbatched: bool) -> str:
    if unbatched:
        return "(L, H_in)"
    return "(N, L, H_in)" if batch_first else "(L, N, H_in)"


def check_x(module: nn.Module, x: object, lengths: object) -> tuple[bool, bool, int, int, torch.Tensor | None]:
    """Check x (and lengths) against the module: (unbatched, packed, N, L, lengths as int64 or None)."""
    input_size, dtype = module.input_size, _weights_dtype(module)
    if isinstance(x, PackedSequence):
        if lengths is not None:
            raise ValueError(
                f"lengths={_show(lengths)} is not allowed with a PackedSequence x: the packed sequence "
                "already carries each sequence's length"
            )
        data = x.data  # (sum of lengths, H_in)
        if data.dim() != 2:
            raise ValueError(
                f"x.data has shape {tuple(data.shape)}, but a packed batch for this module is "
                "(sum of lengths, H_in): pack a 3-D batch, (N, L, H_in) or (L, N, H_in)"
            )
        _check_features(data, input_size, "x.data", "(sum of lengths, H_in)")
        _check_dtype(data, dtype, "x.data")
        _, lengths_t = pad_packed_sequence(x)  # (N,) in the batch's own order
        return False, True, int(x.batch_sizes[0]), int(x.batch_sizes.numel()), lengths_t.to(torch.int64)
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"x={type(x).__name__} is not allowed: x must be a tensor or a PackedSequence")
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise ValueError(
            f"x is {x.dtype}, but the module expects float features (input_size={input_size} numbers per step): "
            "token ids need an nn.Embedding first, e.g. x = embedding(token_ids); "
            "or pass your whole model and its batch, explain(model, batch)"
        )
    if x.dim() not in (2, 3):
        raise ValueError(
            f"x has shape {tuple(x.shape)} ({x.dim()}-D), but the module expects a 3-D batch "
            f"{_x_axes(module.batch_first, False)} (batch_first={module.batch_first}) or a 2-D sequence (L, H_in)"
        )
    unbatched = x.dim() == 2
    _check_features(x, input_size, "x", _x_axes(module.batch_first, unbatched))
    _check_dtype(x, dtype, "x")
    if unbatched:
        n, seq_len = 1, x.shape[0]
    else:
        n, seq_len = (x.shape[0], x.shape[1]) if module.batch_first else (x.shape[1], x.shape[0])
    if n == 0 or seq_len == 0:
        raise ValueError(
            f"x has shape {tuple(x.shape)}, with no sequences or no steps: the module needs N >= 1 and L >= 1"
        )
    if lengths is None:
        return unbatched, False, n, seq_len, None
    if unbatched:
        raise ValueError(
            f"lengths={_show(lengths)} is not allowed with an unbatched x of shape {tuple(x.shape)} = (L, H_in): "
            "it is one whole sequence; add a batch axis to pack it"
        )
    return False, True, n, seq_len, check_lengths(lengths, x, module.batch_first)


def _check_features(x: torch.Tensor, input_size: int, name: str, axes: str) -> None:
    if x.shape[-1] != input_size:
        raise ValueError(
            f"{name} has {x.shape[-1]} features, but the module expects input_size={input_size} "
            f"({name} has shape {tuple(x.shape)} = {axes}; H_in is the last axis)"
        )


def _check_dtype(x: torch.Tensor, dtype: torch.dtype, name: str) -> None:
    if x.dtype != dtype:
        raise ValueError(
            f"{name} is {x.dtype}, but the module's weights are {dtype}: convert one to the other, "
            f"e.g. {name.partition('.')[0]}.to({dtype}) or module.to({x.dtype})"
        )


def _show(lengths: object) -> str:
    return repr(lengths.tolist() if isinstance(lengths, torch.Tensor) else lengths)


def check_lengths(lengths: object, x: torch.Tensor, batch_first: bool) -> torch.Tensor:
    """lengths as an int64 tensor (N,), or raise if they do not fit x's batch."""
    n_axis, l_axis = (0, 1) if batch_first else (1, 0)
    n, seq_len = x.shape[n_axis], x.shape[l_axis]
    where = f"x has shape {tuple(x.shape)} = {_x_axes(batch_first, False)}"
    if isinstance(lengths, torch.Tensor):
        if lengths.dim() != 1 or lengths.dtype.is_floating_point or lengths.dtype.is_complex:
            raise ValueError(f"lengths={_show(lengths)} is not allowed: lengths must be 1-D, one integer per sequence")
        values = lengths.tolist()
    elif isinstance(lengths, (list, tuple)):
        values = list(lengths)
    elif type(lengths).__module__ == "numpy" and getattr(lengths, "ndim", None) == 1:
        values = lengths.tolist()  # a NumPy array of lengths, as a data loader may give
    else:
        raise ValueError(f"lengths={lengths!r} is not allowed: lengths must be a list or 1-D tensor of integers")
    if len(values) != n:
        raise ValueError(
            f"lengths={values!r} does not fit the batch: {where}, so N={n} sequences "
            f"(x.shape[{n_axis}]) need {n} lengths, but {len(values)} were given"
        )
    for value in values:
        if isinstance(value, bool) or not isinstance(value, Integral) or not 1 <= value <= seq_len:
            raise ValueError(
                f"lengths={values!r} does not fit the batch: {where}, so each length must be an integer "
                f"from 1 to L={seq_len} (x.shape[{l_axis}], the number of steps)"
            )
    return torch.tensor([int(v) for v in values], dtype=torch.int64)


def check_hx(module: nn.Module, cell: str, hx: object, n: int, unbatched: bool) -> None:
    """Raise unless hx is h_0 (or (h_0, c_0) for an LSTM) of the shapes this module and batch need."""
    if hx is None:
        return
    rows = module.num_layers * (2 if module.bidirectional else 1)
    h_out = module.proj_size or module.hidden_size
    parts = [("h_0", h_out, "H_out")]
    if cell == "LSTM":
        parts.append(("c_0", module.hidden_size, "H_cell"))
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise ValueError(f"hx={type(hx).__name__} is not allowed: an LSTM takes hx as a pair (h_0, c_0) of tensors")
        given = list(hx)
    else:
        given = [hx]
    for i, ((name, width, symbol), tensor) in enumerate(zip(parts, given)):
        label = "hx" if cell != "LSTM" else f"hx[{i}] ({name})"
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{label}={type(tensor).__name__} is not allowed: {name} must be a tensor")
        expected = (rows, width) if unbatched else (rows, n, width)
        axes = f"(num_layers * D, {symbol})" if unbatched else f"(num_layers * D, N, {symbol})"
        if tuple(tensor.shape) != expected:
            also = ""
            if not unbatched and (module.batch_first or tuple(tensor.shape) == (n, rows, width)):
                also = f"; {name} is never batch first, even with batch_first=True"
            raise ValueError(
                f"{label} has shape {tuple(tensor.shape)}, but the module expects {name} of shape "
                f"{expected} = {axes} for this x{also}"
            )
        _check_dtype(tensor, _weights_dtype(module), label)


def check_call(
    module: object, x: object, hx: object, lengths: object, qualified: str = "", access: str = ""
) -> tuple[CallSpec, torch.Tensor | None]:
    """Check everything one call of a recurrent module got; return the spec and the lengths (None when not packed)."""
    cell = check_module(module)
    unbatched, packed, n, seq_len, lengths_t = check_x(module, x, lengths)
    check_hx(module, cell, hx, n, unbatched)
    spec = CallSpec(
        cell=cell,
        module_repr=repr(module),
        input_size=module.input_size,
        hidden_size=module.hidden_size,
        num_layers=module.num_layers,
        bidirectional=module.bidirectional,
        batch_first=module.batch_first,
        proj_size=getattr(module, "proj_size", 0),
        dropout=float(module.dropout),
        training=module.training,
        dtype=_weights_dtype(module),
        unbatched=unbatched,
        packed=packed,
        given_packed=isinstance(x, PackedSequence),
        batch_size=n,
        seq_len=seq_len,
        hx_given=hx is not None,
        nonlinearity=getattr(module, "nonlinearity", "") if cell == "RNN" else "",
        bias=module.bias,
        qualified=qualified,
        access=access,
        x_steps=seq_len,
    )
    return spec, lengths_t


@dataclass(frozen=True)
class Inputs:
    """Stage 1: what explain() was given, checked: the model, its batch, which recurrent submodules to report."""

    model: nn.Module
    batch: object  # x for a module passed alone; whatever the model's forward takes otherwise
    hx: object
    lengths: torch.Tensor | None  # a module passed alone, with lengths: they pack x
    bare: bool  # the model is itself an nn.RNN, nn.GRU or nn.LSTM
    spec: CallSpec | None  # a module passed alone: its call, checked before it runs
    targets: tuple[str, ...]  # qualified names of the recurrent submodules reported ("" for a module alone)
    access: dict  # qualified name -> valid Python naming it ("model.encoder.rnn")
    uses: object  # the student's lines (helpers.explain.lines.Uses), or None


def read_inputs(model: object, batch: object, hx: object, lengths: object, rnn: object, uses: object) -> Inputs:
    """Check what explain() was given, before anything runs."""
    from .lines import parse_uses  # the student's lines: parsed now, so that a bad line is refused before the run

    parsed = None if uses is None else parse_uses(uses)
    if isinstance(model, RECURRENT):
        if rnn is not None:
            raise ValueError(f"rnn={rnn!r} is not allowed: the module you passed is itself the recurrent module")
        spec, lengths_t = check_call(model, batch, hx, lengths)
        lengths_t = None if spec.given_packed else lengths_t  # a PackedSequence is already packed
        return Inputs(model, batch, hx, lengths_t, True, spec, ("",), {"": ""}, parsed)
    if not isinstance(model, nn.Module):
        check_module(model)  # raises, naming what was passed
    found = [name for name, sub in model.named_modules() if isinstance(sub, RECURRENT)]
    if not found:
        check_module(model)  # raises: no recurrent module inside
    for name in found:
        check_flags(model.get_submodule(name))
    for given, what in ((hx, "hx"), (lengths, "lengths")):
        if given is not None:
            raise ValueError(
                f"{what}= is not allowed with a whole model ({type(model).__name__}): its forward passes its own; "
                "give everything forward takes as the batch, a tuple for several arguments, e.g. (tokens, lengths)"
            )
    access = {name: access_path(model, name) for name in found}
    if rnn is not None:
        if rnn not in found:
            raise ValueError(
                f"rnn={rnn!r} is not allowed: it must be the name of one of the model's recurrent submodules, "
                f"{found} ({', '.join(access[n] for n in found)})"
            )
        found = [rnn]
    if parsed is not None and len(found) > 1:
        raise ValueError(
            f"uses= is not allowed without rnn= here: the model holds {len(found)} recurrent submodules, "
            f"{found}; say which one your line reads, e.g. rnn={found[0]!r}"
        )
    return Inputs(model, batch, None, None, False, None, tuple(found), access, parsed)
