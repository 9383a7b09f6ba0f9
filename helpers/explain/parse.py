"""Read a module expression such as "nn.LSTM(8, 50, num_layers=3)" from its syntax tree; never eval it."""

from __future__ import annotations

import ast

import torch
from torch import nn

from .expression import MAX_CHARACTERS

CELLS = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}
ACCEPTED = (
    "only nn.RNN(...), nn.GRU(...) or nn.LSTM(...) (torch.nn.X also) with literal arguments is accepted, "
    'e.g. "nn.LSTM(8, 50, num_layers=3, bidirectional=True, batch_first=True)"'
)
# The constructors' positional order in torch (nn.RNN takes nonlinearity fourth).
POSITIONAL = {
    "RNN": (
        "input_size",
        "hidden_size",
        "num_layers",
        "nonlinearity",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    ),
    "GRU": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"),
    "LSTM": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size"),
}
DTYPES = {"float32": torch.float32, "float": torch.float32, "float64": torch.float64, "double": torch.float64}
# Sizes past these would take the machine's memory for a report about shapes.
LIMITS = {"input_size": 4096, "hidden_size": 4096, "num_layers": 16, "proj_size": 4096}


def _refuse(text: str, why: str) -> ValueError:
    return ValueError(f"module expression {text!r} is not allowed: {why}; {ACCEPTED}")


def _cell_name(func: ast.AST) -> str | None:
    """ "LSTM" for nn.LSTM or torch.nn.LSTM, else None."""
    if not isinstance(func, ast.Attribute) or func.attr not in CELLS:
        return None
    owner = func.value
    if isinstance(owner, ast.Name) and owner.id == "nn":
        return func.attr
    if (
        isinstance(owner, ast.Attribute)
        and owner.attr == "nn"
        and isinstance(owner.value, ast.Name)
        and owner.value.id == "torch"
    ):
        return func.attr
    return None


def _literal(text: str, name: str, node: ast.AST):
    """The value of a literal argument (a number, True/False, a string, or torch.float32/64 for dtype)."""
    if (
        name == "dtype"
        and isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "torch"
        and node.attr in DTYPES
    ):
        return DTYPES[node.attr]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        node_value = node.operand.value
        if isinstance(node_value, (int, float)) and not isinstance(node_value, bool):
            return -node_value
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    part = ast.get_source_segment(text, node) or type(node).__name__
    raise _refuse(text, f"{name}={part} is not a literal (a number, True/False or a string)")


def parse_arguments(text: str) -> tuple[str, dict]:
    """The cell's name ("RNN", "GRU" or "LSTM") and its arguments by name, read without running anything."""
    if not isinstance(text, str):
        raise ValueError(f"module expression {text!r} is not allowed: it must be a string; {ACCEPTED}")
    if len(text) > MAX_CHARACTERS:
        raise _refuse(text[:60] + "...", f"it has {len(text)} characters, at most {MAX_CHARACTERS} are read")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise _refuse(text, f"it is not valid Python ({error.msg})") from None
    except (RecursionError, MemoryError):
        raise _refuse(text[:60] + "...", "it is nested too deeply to read") from None
    text, call = text.strip(), tree.body
    cell = _cell_name(call.func) if isinstance(call, ast.Call) else None
    if cell is None:
        raise _refuse(text, "it is not a call of nn.RNN, nn.GRU or nn.LSTM")
    names = POSITIONAL[cell]
    if len(call.args) > len(names):
        raise _refuse(text, f"nn.{cell} takes at most {len(names)} positional arguments ({', '.join(names)})")
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        raise _refuse(text, "*args is not a literal")
    kwargs = {name: _literal(text, name, arg) for name, arg in zip(names, call.args)}
    for keyword in call.keywords:
        if keyword.arg is None:
            raise _refuse(text, "**kwargs is not a literal")
        if keyword.arg not in names + ("dtype",):
            raise _refuse(text, f"nn.{cell} has no argument {keyword.arg!r} here (it takes {', '.join(names)}, dtype)")
        if keyword.arg in kwargs:
            raise _refuse(text, f"{keyword.arg} is given twice")
        kwargs[keyword.arg] = _literal(text, keyword.arg, keyword.value)
    check_types(text, cell, kwargs)
    for name, most in LIMITS.items():
        value = kwargs.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > most:
            raise ValueError(f"{name}={value} is not allowed here: the command line takes {name} up to {most}")
    return cell, kwargs


INTEGERS = ("input_size", "hidden_size", "num_layers", "proj_size")
BOOLEANS = ("bias", "batch_first", "bidirectional")


def check_types(text: str, cell: str, kwargs: dict) -> None:
    """Refuse what torch would accept with another meaning: True as a size, 'False' as a flag, a string dropout."""
    for name, value in kwargs.items():
        if name in INTEGERS and (isinstance(value, bool) or not isinstance(value, int)):
            why = f" (nn.{cell} would read {value!r} as {int(value)})" if isinstance(value, bool) else ""
            raise _refuse(text, f"{name}={value!r} is not an integer{why}")
        if name in BOOLEANS and not isinstance(value, bool):
            raise _refuse(text, f"{name}={value!r} is not True or False (a string such as 'False' counts as true)")
        if name == "dropout" and isinstance(value, (bool, str)):
            raise _refuse(text, f"dropout={value!r} is not a number")  # its range is torch's to check
        if name == "nonlinearity" and value not in ("tanh", "relu"):
            raise _refuse(text, f"nonlinearity={value!r} is not 'tanh' or 'relu'")


def parse_module(text: str, seed: int = 0) -> nn.Module:
    """Build the module that text describes, with weights drawn from seed (torch's own RNG left as found)."""
    cell, kwargs = parse_arguments(text)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        try:
            return CELLS[cell](**kwargs)
        except (TypeError, ValueError) as error:
            raise ValueError(f"module expression {text.strip()!r} is not allowed: torch refused it: {error}") from None
