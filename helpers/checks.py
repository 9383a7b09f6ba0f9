"""Argument checks shared by the helpers: each raises ValueError naming the parameter, the value and the rule."""

from __future__ import annotations

import torch

# The teaching helpers build modules and inputs that a laptop runs in a fraction of a second and that
# a figure can still show; these caps turn a slip such as hidden_size=10**9, which would exhaust
# memory, into a clear error. nn.RNN, nn.GRU and nn.LSTM themselves have no such limits.
MAX_FEATURES = 1024  # input_size, hidden_size and proj_size
MAX_LAYERS = 16
MAX_STEPS = 4096  # seq_len and batch_size, each
MAX_INPUT_ELEMENTS = 10**7  # seq_len * batch_size * input_size: 40 MB of float32
CAP_REASON = "the limit of the teaching helpers, which keeps every run small enough for a laptop"


def check_int(name: str, value: object, low: int, high: int | None = None, why: str = "") -> None:
    """Raise unless value is an int (not a bool) from low to high (no upper bound if high is None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        reason = f" ({why})" if why and isinstance(value, int) and high is not None and value > high else ""
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be an integer {allowed}{reason}")


def check_bool(name: str, value: object) -> None:
    """Raise unless value is True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be True or False")


def check_only(options: dict, allowed, who: str, besides: str) -> None:
    """Raise for the first of options (sorted by name) that is not allowed: `who` takes only those, besides `besides`."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        name = unknown[0]
        raise ValueError(
            f"{name}={options[name]!r} is not allowed: {who} takes only {sorted(allowed)} besides {besides}"
        )


def check_tensor(name: str, value: object, dims: tuple[int, ...], allowed: str) -> None:
    """Raise unless value is a tensor with one of the numbers of dimensions in dims."""
    if not isinstance(value, torch.Tensor) or value.dim() not in dims:
        got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name}={got} is not allowed: {name} must be {allowed}")
