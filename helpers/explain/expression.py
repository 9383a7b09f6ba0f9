"""Apply an index expression such as "output[:, -1, :50]" to named tensors, by parsing it (never eval).

The same reader runs on the real tensors and on tag tensors (helpers/explain/reading.py), whose every
element is the number of the element it came from: an expression that only moves elements (indexing,
view, permute, cat, ...) gives, on the tags, exactly where each of its numbers comes from.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import torch

# What an expression may contain.
ALLOWED = (
    "names of the tensors and sizes, integers, indexing x[...] with slices a:b:c, - + * // between integers, "
    "an integer tensor +/- an integer, x.shape[i], x.size(i), x.view/reshape/permute/transpose/contiguous/"
    "squeeze/unsqueeze/flatten/detach(...), torch.cat/torch.stack((...), dim), torch.arange(n)"
)
MAX_CHARACTERS = 2000  # a line of real code fits; a longer one is refused before parsing
MAX_NODES = 2000  # nodes in one syntax tree
MAX_DEPTH = 40  # nesting of one expression's syntax tree
METHODS = {"view", "reshape", "permute", "transpose", "contiguous", "squeeze", "unsqueeze", "flatten", "detach"}
METHOD_KEYWORDS = {"squeeze": {"dim"}, "unsqueeze": {"dim"}, "flatten": {"start_dim", "end_dim"}}


def parse_tree(text: str, mode: str, what: str) -> ast.AST:
    """ast.parse, refused with a ValueError (never a RecursionError) when too long, too deep or not Python."""
    if not isinstance(text, str):
        raise ValueError(f"{what}={text!r} is not allowed: {what} must be a string")
    if len(text) > MAX_CHARACTERS:
        raise ValueError(f"{what} is not allowed: it has {len(text)} characters, at most {MAX_CHARACTERS} are read")
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError as error:
        raise ValueError(f"{what}={text!r} is not allowed: it is not valid Python ({error.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"{what} is not allowed: it is nested too deeply to read") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES or _depth(tree) > MAX_DEPTH:
        raise ValueError(f"{what} is not allowed: it is nested more than {MAX_DEPTH} deep or is too long to read")
    return tree


def _depth(node: ast.AST) -> int:
    """Depth of a syntax tree, without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(current))
    return deepest


def apply_expression(expression: str, tensors: Mapping[str, object]) -> object:
    """Value of expression over tensors (a dict of name -> tensor, pair of tensors or int), read from its syntax tree."""
    tree = parse_tree(expression, "eval", "expression")
    return Reader(expression, tensors).value(tree.body)


class Reader:
    """Walks one expression's syntax tree and computes each node it allows.

    attributes: names whose attributes are read as sizes (self.hidden_size reads sizes["hidden_size"]).
    """

    def __init__(self, expression: str, tensors: Mapping[str, object], attributes: Mapping[str, object] = None):
        self.expression = expression
        self.tensors = tensors
        self.attributes = attributes or {}

    def refuse(self, node: ast.AST, why: str) -> ValueError:
        part = ast.get_source_segment(self.expression, node) or type(node).__name__
        return ValueError(
            f"expression={self.expression!r} is not allowed: {part!r} {why}; an expression may hold {ALLOWED}"
        )

    def value(self, node: ast.AST):
        if isinstance(node, ast.Constant) and (type(node.value) is int or node.value is Ellipsis or node.value is None):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in self.tensors:
                raise self.refuse(node, f"is not one of the names known here {sorted(self.tensors)}")
            return self.tensors[node.id]
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = self.value(node.operand)
            self.integers(node, operand)
            return -operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
            return self.arithmetic(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.value(element) for element in node.elts)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.refuse(node, "is not allowed")

    def integers(self, node: ast.AST, *values) -> None:
        """Refuse arithmetic on anything but integers and integer tensors (never on the states' numbers)."""
        for v in values:
            if isinstance(v, bool) or not (
                isinstance(v, int) or (isinstance(v, torch.Tensor) and not v.dtype.is_floating_point)
            ):
                raise self.refuse(node, "does arithmetic on something that is not an integer")

    def arithmetic(self, node: ast.BinOp):
        left, right = self.value(node.left), self.value(node.right)
        self.integers(node, left, right)
        if isinstance(node.op, (ast.Mult, ast.FloorDiv)) and not (isinstance(left, int) and isinstance(right, int)):
            raise self.refuse(node, "multiplies or divides a tensor")
        if isinstance(node.op, ast.FloorDiv) and right == 0:
            raise self.refuse(node, "divides by zero")
        if isinstance(node.op, ast.Mult) and abs(left * right) > 2**40:
            raise self.refuse(node, "is too large a size")
        ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b}
        ops.update({ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b})
        return ops[type(node.op)](left, right)

    def attribute(self, node: ast.Attribute):
        if node.attr == "shape":
            return tuple(self.tensor(node.value).shape)
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "args", "config", "opt", "hparams"):
            if node.attr in self.attributes:
                return self.attributes[node.attr]
            raise self.refuse(node, f"is not a size known here {sorted(self.attributes)}")
        raise self.refuse(node, "is not allowed")

    def tensor(self, node: ast.AST) -> torch.Tensor:
        value = self.value(node)
        if not isinstance(value, torch.Tensor):
            raise self.refuse(node, "is not a tensor")
        return value

    def subscript(self, node: ast.Subscript):
        base = self.value(node.value)
        index = self.index(node.slice)
        if isinstance(base, tuple):
            if type(index) is not int and not isinstance(index, slice):
                raise self.refuse(node, "indexes a pair with something that is not an integer")
        elif not isinstance(base, torch.Tensor):
            raise self.refuse(node.value, "is not a tensor")
        try:
            return base[index]
        except (IndexError, RuntimeError, ValueError, TypeError) as error:
            raise self.fails(node, error) from None

    def fails(self, node: ast.AST, error: Exception) -> ValueError:
        part = ast.get_source_segment(self.expression, node) or type(node).__name__
        said = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return ValueError(f"expression={self.expression!r}: {part!r} fails on your tensors: {said}")

    def index(self, node: ast.AST):
        if isinstance(node, ast.Tuple):
            return tuple(self.index(element) for element in node.elts)
        if isinstance(node, ast.Slice):
            parts = [None if part is None else self.value(part) for part in (node.lower, node.upper, node.step)]
            for part, given in zip(parts, (node.lower, node.upper, node.step)):
                if part is not None and type(part) is not int:
                    raise self.refuse(given, "is not an integer")
            if parts[2] is not None and parts[2] < 1:
                raise self.refuse(node, "has a step below 1, which tensors do not allow")
            return slice(*parts)
        value = self.value(node)
        if isinstance(value, torch.Tensor) and value.dtype.is_floating_point:
            raise self.refuse(node, "is not an integer index")
        return value

    def ints(self, nodes) -> list[int]:
        values = []
        for arg in nodes:
            v = self.value(arg)
            if isinstance(v, tuple) and all(type(e) is int for e in v):
                values.extend(v)
            elif type(v) is int:
                values.append(v)
            else:
                raise self.refuse(arg, "is not an integer")
        return values

    def call(self, node: ast.Call):
        func = node.func
        if not isinstance(func, ast.Attribute):
            raise self.refuse(node, "calls something that is not allowed")
        is_torch = isinstance(func.value, ast.Name) and func.value.id == "torch"
        try:
            if is_torch and func.attr == "arange" and len(node.args) == 1 and not node.keywords:
                (n,) = self.ints(node.args)
                if not 0 <= n <= 10_000_000:
                    raise self.refuse(node, "is too long")
                return torch.arange(n)
            if is_torch and func.attr in ("cat", "stack", "concat") and 1 <= len(node.args) <= 2:
                return self.join(node, func.attr)
            if not is_torch and func.attr == "size":
                shape = tuple(self.tensor(func.value).shape)
                if node.keywords or len(node.args) > 1:
                    raise self.refuse(node, "takes at most one dimension")
                return shape if not node.args else shape[self.ints(node.args)[0]]
            if not is_torch and func.attr in METHODS:
                return self.method(node, func)
        except (IndexError, RuntimeError, TypeError) as error:
            raise self.fails(node, error) from None
        raise self.refuse(node, "calls something that is not allowed")

    def join(self, node: ast.Call, how: str) -> torch.Tensor:
        parts = node.args[0]
        if not isinstance(parts, (ast.List, ast.Tuple)):
            raise self.refuse(node, "takes a list or tuple of tensors")
        dims = [k for k in node.keywords if k.arg == "dim"]
        if len(node.keywords) != len(dims) or len(dims) + len(node.args) > 2:
            raise self.refuse(node, "takes the tensors and one dim")
        dim = self.ints([dims[0].value] if dims else node.args[1:])
        tensors = [self.tensor(element) for element in parts.elts]
        joined = torch.stack if how == "stack" else torch.cat
        return joined(tensors, dim=dim[0] if dim else 0)

    def method(self, node: ast.Call, func: ast.Attribute) -> torch.Tensor:
        tensor = self.tensor(func.value)
        allowed = METHOD_KEYWORDS.get(func.attr, set())
        if any(k.arg not in allowed for k in node.keywords):
            raise self.refuse(node, f"takes no keyword but {sorted(allowed)}")
        args = self.ints(node.args)
        kwargs = {k.arg: self.ints([k.value])[0] for k in node.keywords}
        if func.attr in ("view", "reshape") and any(a < -1 for a in args):
            raise self.refuse(node, "has a size below -1")
        return getattr(tensor, func.attr)(*args, **kwargs)
