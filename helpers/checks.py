"""Argument checks shared by the helpers: each raises ValueError naming the parameter, the value and the rule."""

from __future__ import annotations

import torch


def check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    """Raise unless value is an int (not a bool) from low to high (no upper bound if high is None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be an integer {allowed}")


def check_bool(name: str, value: object) -> None:
    """Raise unless value is True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be True or False")


def check_tensor(name: str, value: object, dims: tuple[int, ...], allowed: str) -> None:
    """Raise unless value is a tensor with one of the numbers of dimensions in dims."""
    if not isinstance(value, torch.Tensor) or value.dim() not in dims:
        got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name}={got} is not allowed: {name} must be {allowed}")
