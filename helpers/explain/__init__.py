"""Bring your own model: explain what your nn.RNN, nn.GRU or nn.LSTM returned, in a notebook or a terminal."""

from .expression import apply_expression
from .parse import parse_module
from .report import Report, Reports
from .run import explain

__all__ = ["Report", "Reports", "apply_expression", "explain", "parse_module"]
