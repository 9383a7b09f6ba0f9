"""Apply an index expression such as "output[:, -1, :50]" to named tensors, by parsing it (never eval)."""

from __future__ import annotations

import ast
from collections.abc import Mapping

import torch

# What an expression may contain: names of tensors, integer literals, slices, tuples,
# unary minus, + and - between a tensor and an integer, and three calls.
ALLOWED = (
    "names of the tensors, integers, slices (a:b), indexing x[...], - and +, "
    "torch.arange(n), torch.cat([...], dim=k) and t.view(...)"
)


def apply_expression(expression: str, tensors: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """Value of expression over tensors (a dict of name -> tensor), read from its syntax tree."""
    if not isinstance(expression, str):
        raise ValueError(f"expression={expression!r} is not allowed: expression must be a string")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise ValueError(f"expression={expression!r} is not allowed: it is not valid Python ({error.msg})") from None
    return _Reader(expression, tensors).value(tree.body)


class _Reader:
    """Walks one expression's syntax tree and computes each node it allows."""

    def __init__(self, expression: str, tensors: Mapping[str, torch.Tensor]) -> None:
        self.expression = expression
        self.tensors = tensors

    def refuse(self, node: ast.AST, why: str) -> ValueError:
        part = ast.get_source_segment(self.expression, node) or type(node).__name__
        return ValueError(
            f"expression={self.expression!r} is not allowed: {part!r} {why}; an expression may hold {ALLOWED}"
        )

    def value(self, node: ast.AST):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in self.tensors:
                raise self.refuse(node, f"is not one of the tensors {sorted(self.tensors)}")
            return self.tensors[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.value(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            left, right = self.value(node.left), self.value(node.right)
            return left + right if isinstance(node.op, ast.Add) else left - right
        if isinstance(node, ast.Subscript):
            return self.tensor(node.value)[self.index(node.slice)]
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.refuse(node, "is not allowed")

    def tensor(self, node: ast.AST) -> torch.Tensor:
        value = self.value(node)
        if not isinstance(value, torch.Tensor):
            raise self.refuse(node, "is not a tensor")
        return value

    def index(self, node: ast.AST):
        if isinstance(node, ast.Tuple):
            return tuple(self.index(element) for element in node.elts)
        if isinstance(node, ast.Slice):
            if node.step is not None:
                raise self.refuse(node, "has a step, which is not allowed")
            return slice(*(None if part is None else self.value(part) for part in (node.lower, node.upper)))
        return self.value(node)

    def call(self, node: ast.Call):
        func = node.func
        if not isinstance(func, ast.Attribute):
            raise self.refuse(node, "calls something that is not allowed")
        is_torch = isinstance(func.value, ast.Name) and func.value.id == "torch"
        if is_torch and func.attr == "arange" and len(node.args) == 1 and not node.keywords:
            return torch.arange(self.value(node.args[0]))
        if is_torch and func.attr == "cat" and len(node.args) == 1 and isinstance(node.args[0], ast.List):
            dims = [k for k in node.keywords if k.arg == "dim"]
            if len(node.keywords) != len(dims) or len(dims) > 1:
                raise self.refuse(node, "takes only dim=")
            dim = self.value(dims[0].value) if dims else 0
            return torch.cat([self.value(element) for element in node.args[0].elts], dim=dim)
        if not is_torch and func.attr == "view" and not node.keywords:
            return self.tensor(func.value).view(*(self.value(arg) for arg in node.args))
        raise self.refuse(node, "calls something that is not allowed")
