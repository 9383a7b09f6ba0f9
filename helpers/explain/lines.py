"""The student's own lines (uses="out[:, -1, :]"): parsed in stage 1, read on the real tensors in stage 4.

Each expression is read from its syntax tree (never eval), applied to the real tensors and to tag tensors whose
every number names the element it came from, so the report says exactly what each row of the result holds.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

import torch

from .capture import Call
from .expression import ALLOWED, METHODS, Reader, apply_expression, parse_tree
from .locate import Located, output_index, packing_lines

# Names students give the returned tensors (matched when no call line names them).
OUTPUT_NAMES = re.compile(r"^(o|out|outs|output|outputs|.*_out|.*_output|.*_outputs|out_.*|output_.*)$")
PAIR_NAMES = re.compile(r"^(hidden|hiddens|state|states|hx|hc|enc_hidden|encoder_hidden|.*_state|.*_hidden)$")
H_NAMES = re.compile(r"^(h|hn|h_n|ht|h_t|hid|hidden|h_last|last_hidden|final_hidden|h_.*|.*_h)$")
C_NAMES = re.compile(r"^(c|cn|c_n|ct|c_t|cell|cell_state|c_last|c_.*|.*_c|.*_cell)$")
# Names of sizes in students' code, and the course's symbol each one means.
SIZE_NAMES = {
    "N": ("batch_size", "bs", "batch", "n_batch", "N", "B", "batch_sz"),
    "L": ("seq_len", "seq_length", "max_len", "L", "T", "num_steps", "max_length"),
    "H_out": ("H_out",),  # proj_size if set, else hidden_size
    # the module's hidden_size, whatever the student calls it: c_n's width, and H_out only without proj_size
    "H_cell": (
        "hidden_size",
        "hidden_dim",
        "hid_dim",
        "hidden_units",
        "n_hidden",
        "H",
        "H_cell",
        "enc_hid_dim",
        "rnn_size",
    ),
    "H_in": ("input_size", "embedding_dim", "emb_dim", "embed_size", "embed_dim", "H_in", "input_dim"),
    "num_layers": ("num_layers", "n_layers", "nlayers", "layers"),
    "D": ("num_directions", "n_directions", "D", "directions"),
}
INTENTS = {
    "summary": "a summary of each whole sequence (e.g. for a classifier)",
    "decoder": "every layer's final state, to start a decoder",
    "tagging": "every step, one vector per step (e.g. for tagging)",
}


@dataclass(frozen=True)
class Statement:
    """One line of the student's code: the call, pad_packed_sequence, an assignment, or an expression to read."""

    kind: str  # "call", "pad", "assign" or "expr"
    source: str  # the line as written
    targets: object  # the names it binds: str, or nested tuples of str
    node: ast.AST  # the expression read (the value assigned, or the expression itself)


@dataclass(frozen=True)
class Uses:
    """Stage 1's view of the student's lines: parsed, checked for what they may hold, not yet applied."""

    text: str
    statements: tuple[Statement, ...]


def parse_uses(uses: object) -> Uses:
    """Parse the student's lines (a string, or a list of strings); refuse anything but names, indexing and reshapes."""
    if isinstance(uses, (list, tuple)) and all(isinstance(u, str) for u in uses):
        uses = "\n".join(uses)
    if not isinstance(uses, str) or not uses.strip():
        raise ValueError(
            f'uses={uses!r} is not allowed: uses must be the line(s) you wrote, e.g. uses="out[:, -1, :]" '
            'or uses="out, (h, c) = self.lstm(x); h[-1]"'
        )
    text = uses.strip()
    tree = parse_tree(text, "exec", "uses")
    statements = []
    for node in tree.body:
        source = ast.get_source_segment(text, node) or ""
        if isinstance(node, (ast.Expr, ast.Return)) and node.value is not None:
            statements.append(Statement("expr", source, None, _unwrap(node.value)))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            statements.append(_assignment(text, source, node.targets[0], node.value))
        else:
            raise ValueError(
                f"uses line {source!r} is not allowed: a line may be an expression, an assignment x = ..., or the "
                "call that names the results, e.g. out, (h, c) = self.lstm(x)"
            )
    for statement in statements:
        if statement.kind in ("expr", "assign"):
            _check_static(text, statement)
    if not any(s.kind in ("expr", "assign") for s in statements):
        raise ValueError(f"uses={text!r} holds no expression to read: add the line that reads the results")
    return Uses(text, tuple(statements))


ALLOWED_NODES = (
    ast.Name,
    ast.Constant,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.Tuple,
    ast.List,
    ast.UnaryOp,
    ast.USub,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.FloorDiv,
    ast.Call,
    ast.keyword,
    ast.Load,
    ast.Store,
)
CALLS = {"cat", "stack", "concat", "arange", "size"} | METHODS


def _check_static(text: str, statement: Statement) -> None:
    """Refuse, before anything runs, a line with a node or a call the reader would never apply."""
    for node in ast.walk(statement.node):
        if not isinstance(node, ALLOWED_NODES) or (
            isinstance(node, ast.Constant) and not (type(node.value) is int or node.value in (None, Ellipsis))
        ):
            part = ast.get_source_segment(text, node) or type(node).__name__
            raise ValueError(f"uses line {statement.source!r} is not allowed: {part!r} is not allowed; {ALLOWED}")
        if isinstance(node, ast.Call) and _callee(node) not in CALLS:
            part = ast.get_source_segment(text, node) or "a call"
            raise ValueError(
                f"uses line {statement.source!r} is not allowed: {part!r} calls something not allowed; {ALLOWED}"
            )


def _names(target: ast.AST, source: str):
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, (ast.Tuple, ast.List)):
        return tuple(_names(t, source) for t in target.elts)
    raise ValueError(f"uses line {source!r} is not allowed: it assigns to something that is not a name")


def _callee(node: ast.AST) -> str:
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _assignment(text: str, source: str, target: ast.AST, value: ast.AST) -> Statement:
    names = _names(target, source)
    if isinstance(value, ast.Call) and _callee(value) == "pad_packed_sequence":
        if not (isinstance(names, tuple) and len(names) == 2 and value.args and isinstance(value.args[0], ast.Name)):
            raise ValueError(
                f"uses line {source!r} is not allowed: write it as out, lengths = pad_packed_sequence(packed_out, ...)"
            )
        return Statement("pad", source, names, value)
    if isinstance(names, tuple):
        ok = (
            len(names) == 2
            and isinstance(names[0], str)
            and (isinstance(names[1], str) or (len(names[1]) == 2 and all(isinstance(n, str) for n in names[1])))
        )
        if not ok or not isinstance(value, ast.Call):
            raise ValueError(
                f"uses line {source!r} is not allowed: the call line names two results, output and the state, "
                "e.g. out, hidden = self.rnn(x) or out, (h, c) = self.lstm(x)"
            )
        return Statement("call", source, names, value)
    return Statement("assign", source, names, _unwrap(value))


def _unwrap(node: ast.AST) -> ast.AST:
    """self.fc(out[:, -1]) reads what self.fc receives: a layer of the model (self.X) or a function of torch
    (torch.tanh, F.relu) called with one argument is looked inside."""
    while isinstance(node, ast.Call) and _callee(node) not in CALLS and len(node.args) == 1 and not node.keywords:
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if not (isinstance(owner, ast.Name) and owner.id in ("self", "torch", "F")) or isinstance(
            node.args[0], ast.Starred
        ):
            break
        node = node.args[0]
    return node


# --- stage 4: read the lines on the real tensors --------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What one of the student's lines holds, row by row, and what to write instead for the likely intent."""

    line: str
    shape: tuple[int, ...] | None  # None when the line is not a tensor
    rows: tuple[tuple[str, str], ...]  # (row index, what it holds)
    facts: tuple[str, ...]  # what the whole result holds, in a few words each (mixes sequences, padding, ...)
    intent: str  # a key of INTENTS ("" when not a tensor of states)
    right: bool  # it holds exactly what the intent needs
    instead: str  # the expression to write instead, in the student's names ("" when right)
    instead_holds: bool  # torch.equal(instead, what the intent needs, built another way): True
    check: str  # that torch.equal, written out
    with_packing: tuple[str, ...]  # x looked padded: what packing would change
    padding_read: bool = False  # some of its numbers have read padding (x padded, not packed)

    @property
    def verdict(self) -> str:
        if not self.intent:
            return ""
        wanted = INTENTS[self.intent]
        if self.right and self.padding_read:
            return (
                f"read as {wanted}: your line picks the right states, but they have read the padding "
                "(x was padded and not packed): pack x with its lengths, as below"
            )
        if self.right:
            return f"read as {wanted}: your line holds exactly that"
        also = "; and pack x with its lengths, as below" if self.padding_read else ""
        return f"read as {wanted}: your line does not hold it; write {self.instead}{also}"


@dataclass
class _Tags:
    """Tag tensors: every element numbered; decode a number back to (tensor, layer, direction, sequence, step)."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    starts: tuple[int, ...]


def _make_tags(tensors: dict) -> tuple[dict, _Tags]:
    tagged, names, shapes, starts, start = {}, [], [], [], 0
    for name in ("output", "h_n", "c_n"):
        if name in tensors:
            t = tensors[name]
            tagged[name] = (torch.arange(t.numel(), dtype=torch.float64) + start).view(t.shape)
            names.append(name), shapes.append(tuple(t.shape)), starts.append(start)
            start += t.numel()
    return tagged, _Tags(tuple(names), tuple(shapes), tuple(starts))


def read_lines(located: Located, uses: Uses | None) -> tuple[Reading, ...]:
    """Stage 4: apply each of the student's lines to the call's tensors, and say what it holds."""
    if uses is None:
        return ()
    call = located.call
    spec, tensors = call.spec, call.tensors
    tags, table = _make_tags(tensors)
    sizes = _sizes(call)
    real_env, tag_env = dict(sizes), dict(sizes)
    canon = {"output": "output", "h_n": "h_n", "c_n": "c_n", "lengths": "lengths"}  # canonical -> student's names
    said_names: list[str] = []
    packed_names: set[str] = set()

    def bind(name, real, tag):
        real_env[name], tag_env[name] = real, tag

    calls = [s for s in uses.statements if s.kind == "call"]
    if calls:
        out_name, state = calls[0].targets
        bind(out_name, tensors["output"], tags["output"])
        canon["output"] = out_name
        if spec.packed:
            packed_names.add(out_name)
        if isinstance(state, tuple):
            bind(state[0], tensors["h_n"], tags["h_n"])
            if "c_n" in tensors:
                bind(state[1], tensors["c_n"], tags["c_n"])
            canon["h_n"], canon["c_n"] = state
        elif spec.cell == "LSTM":
            bind(state, (tensors["h_n"], tensors["c_n"]), (tags["h_n"], tags["c_n"]))
            canon["h_n"], canon["c_n"] = f"{state}[0]", f"{state}[1]"
        else:
            bind(state, tensors["h_n"], tags["h_n"])
            canon["h_n"] = state
    for name in ("output", "h_n", "c_n", "lengths"):
        if name in tensors and name not in real_env:
            bind(name, tensors[name], tags.get(name, tensors[name]))
    if not calls:
        for name in sorted(_free_names(uses) - set(real_env)):
            meaning = _guess(name, spec.cell)
            if meaning is None:
                continue
            if meaning == "pair":
                bind(name, (tensors["h_n"], tensors["c_n"]), (tags["h_n"], tags["c_n"]))
                canon["h_n"], canon["c_n"] = f"{name}[0]", f"{name}[1]"
                said_names.append(f"{name} = (h_n, c_n)")
            else:
                bind(name, tensors[meaning], tags[meaning])
                canon[meaning] = name
                said_names.append(f"{name} = {meaning}")
    readings = []
    for statement in uses.statements:
        if statement.kind == "call":
            continue
        if statement.kind == "pad":
            _pad(statement, spec, tensors, tags, bind, canon, packed_names)
            continue
        reader_real = Reader(uses.text, real_env, sizes)
        reader_tag = Reader(uses.text, tag_env, sizes)
        for name in packed_names:
            if isinstance(statement.node, ast.Name) and statement.node.id == name:
                raise ValueError(
                    f"uses line {statement.source!r}: {name} is a PackedSequence here; "
                    "pad it first: out, lengths = pad_packed_sequence(" + name + ", batch_first=...)"
                )
        try:
            real = reader_real.value(statement.node)
        except ValueError as error:
            raise _said_with_widths(error, statement, spec) from None
        tag = reader_tag.value(statement.node)
        if statement.kind == "assign":
            bind(statement.targets, real, tag)
        readings.append(_describe(statement, real, tag, table, located, canon, said_names))
    return tuple(readings)


def _pad(statement, spec, tensors, tags, bind, canon, packed_names) -> None:
    """out, lengths = pad_packed_sequence(packed_out, batch_first=...): the padded output, in the layout asked for."""
    node = statement.node
    source = node.args[0].id
    if source not in packed_names:
        raise ValueError(f"uses line {statement.source!r}: {source} is not the packed output of the call line")
    batch_first = False  # pad_packed_sequence's own default, whatever the module's batch_first
    for k in node.keywords:
        if k.arg != "batch_first":
            raise ValueError(f"uses line {statement.source!r}: only batch_first= is read here")
        if not (isinstance(k.value, ast.Constant) and isinstance(k.value.value, bool)):
            raise ValueError(f"uses line {statement.source!r}: batch_first must be True or False")
        batch_first = k.value.value
    if len(node.args) > 1:
        if not (isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, bool)):
            raise ValueError(f"uses line {statement.source!r}: batch_first must be True or False")
        batch_first = node.args[1].value
    real, tag = tensors["output"], tags["output"]
    if batch_first != spec.batch_first:
        real, tag = real.transpose(0, 1), tag.transpose(0, 1)
    out_name, lengths_name = statement.targets
    bind(out_name, real, tag)
    bind(lengths_name, tensors["lengths"], tensors["lengths"])
    canon["output"], canon["lengths"] = out_name, lengths_name
    if batch_first != spec.batch_first:
        canon["output"] = f"{out_name}.transpose(0, 1)"


def _sizes(call: Call) -> dict:
    spec = call.spec
    steps = call.tensors["output"].shape[0 if spec.unbatched or not spec.batch_first else 1]
    values = {
        "N": spec.batch_size,
        "L": steps,
        "H_out": spec.h_out,
        "H_cell": spec.hidden_size,
        "H_in": spec.input_size,
        "num_layers": spec.num_layers,
        "D": spec.num_directions,
    }
    sizes = {alias: values[symbol] for symbol, aliases in SIZE_NAMES.items() for alias in aliases}
    sizes["proj_size"] = spec.proj_size
    return sizes


def _said_with_widths(error: ValueError, statement: Statement, spec) -> ValueError:
    """A line that names the hidden size and fails on an LSTM with proj_size: say which tensor is how wide."""
    named = sorted(
        {node.id for node in ast.walk(statement.node) if isinstance(node, ast.Name)}
        | {node.attr for node in ast.walk(statement.node) if isinstance(node, ast.Attribute)}
    )
    hidden = [name for name in named if name in SIZE_NAMES["H_cell"]]
    if not (spec.proj_size and hidden and "fails on your tensors" in str(error)):
        return error
    yours = [name for name in hidden if name != "hidden_size"]
    read = f" ({', '.join(yours)} read as hidden_size)" if yours else ""
    p, d = spec.proj_size, spec.num_directions
    return ValueError(
        f"{error}; with proj_size={p}, h_n is H_out = proj_size = {p} wide and output D * H_out = {d * p} wide: "
        f"only c_n is hidden_size = {spec.hidden_size} wide{read}"
    )


def _free_names(uses: Uses) -> set[str]:
    bound = set()
    found = set()
    for s in uses.statements:
        for node in ast.walk(s.node):
            if isinstance(node, ast.Name) and node.id not in bound and node.id != "torch":
                found.add(node.id)
        if s.kind == "assign":
            bound.add(s.targets)
    return found


def _guess(name: str, cell: str) -> str | None:
    """What a name most likely holds: "output", "h_n", "c_n", "pair" ((h_n, c_n) of an LSTM) or None."""
    if OUTPUT_NAMES.match(name):
        return "output"
    if cell == "LSTM" and PAIR_NAMES.match(name) and name not in ("h_n", "hn"):
        return "pair"
    if cell == "LSTM" and C_NAMES.match(name):
        return "c_n"
    if H_NAMES.match(name) or PAIR_NAMES.match(name):
        return "h_n"
    return None


@dataclass(frozen=True)
class _Element:
    source: str  # "output", "h_n", "c_n", or "zeros" (padding added by the student's line)
    layer: int
    direction: int
    sequence: int  # -1 when unbatched
    step: int  # -1 for a final state
    feature: int


def _decode(value: float, table: _Tags, spec) -> _Element:
    v = int(value)
    if v < 0:
        return _Element("zeros", -1, -1, -1, -1, -1)
    i = max(k for k, start in enumerate(table.starts) if start <= v)
    name, shape, local = table.names[i], table.shapes[i], v - table.starts[i]
    coords = []
    for size in reversed(shape):
        coords.append(local % size)
        local //= size
    coords = coords[::-1]
    d = spec.num_directions
    if name == "output":
        if spec.unbatched:
            step, n, f = coords[0], -1, coords[1]
        elif spec.batch_first:
            n, step, f = coords
        else:
            step, n, f = coords
        return _Element(name, spec.num_layers - 1, f // spec.h_out, n, step, f % spec.h_out)
    k = coords[0]
    n, f = (-1, coords[1]) if spec.unbatched else (coords[1], coords[2])
    return _Element(name, k // d, k % d, n, -1, f)


def _facts_of_all(flat: torch.Tensor, table: _Tags, spec, lengths, padded) -> dict:
    """What the whole result holds, from every element at once: sources, layers, mixed sequences, padding."""
    ids = flat.long()  # (rows, columns); -1: zeros added by padding
    seq = torch.full_like(ids, -1)
    layer = torch.full_like(ids, -1)
    direction = torch.zeros_like(ids)
    step = torch.full_like(ids, -1)
    found = {"sources": set(), "layers": set(), "cell": False}
    if bool((ids < 0).any()):
        found["sources"].add("zeros")
    for name, shape, start in zip(table.names, table.shapes, table.starts):
        mask = (ids >= start) & (ids < start + math.prod(shape))
        if not bool(mask.any()):
            continue
        found["sources"].add(name)
        local = ids[mask] - start
        if name == "output":
            features = shape[-1]
            f = local % features
            if spec.unbatched:
                t, n = local // features, torch.zeros_like(local)
            else:
                a, b = local // (features * shape[1]), (local // features) % shape[1]
                n, t = (a, b) if spec.batch_first else (b, a)
            step[mask], seq[mask], direction[mask] = t, n, f // spec.h_out
            layer[mask] = spec.num_layers - 1
        else:
            found["cell"] = found["cell"] or name == "c_n"
            width = shape[-1]
            k = local // (math.prod(shape[1:]))
            n = torch.zeros_like(local) if spec.unbatched else (local // width) % shape[1]
            seq[mask], layer[mask], direction[mask] = n, k // spec.num_directions, k % spec.num_directions
    found["layers"] = set(layer[layer >= 0].unique().tolist())
    known = seq >= 0
    high = torch.where(known, seq, torch.full_like(seq, -1)).max(dim=1).values
    low = torch.where(known, seq, torch.full_like(seq, 2**62)).min(dim=1).values
    found["mixes"] = not spec.unbatched and bool(((high >= 0) & (high != low)).any())
    n_safe = seq.clamp(min=0)
    is_output = step >= 0
    found["zeros"] = lengths is not None and bool((is_output & (step >= lengths[n_safe])).any())
    found["padding"] = False
    if padded is not None:
        own = torch.tensor(padded)[n_safe]  # each element's sequence length before its trailing zero steps
        short = known & (own < spec.seq_len)
        read = short & (~is_output | (direction == 1) | (step >= own))
        found["padding"] = bool(read.any())
    return found


def _span(values: list[int]) -> str:
    values = sorted(set(values))
    if len(values) == 1:
        return str(values[0])
    if values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}..{values[-1]}"
    return ", ".join(map(str, values[:4])) + (", ..." if len(values) > 4 else "")


MAX_ROWS = 6  # rows of a result shown one by one


def _describe(statement, real, tag, table, located: Located, canon: dict, said_names: list[str]) -> Reading:
    call, spec = located.call, located.call.spec
    line = statement.source
    if not isinstance(real, torch.Tensor) or not real.dtype.is_floating_point:
        shown = real if not isinstance(real, torch.Tensor) else real.tolist()
        return Reading(line, None, (("", f"not states: {shown!r}"),), (), "", True, "", True, "", ())
    lengths = call.tensors.get("lengths")
    padded = call.padding.lengths if call.padding else None
    top = spec.num_layers - 1
    flat = tag.reshape(-1, tag.shape[-1]) if tag.dim() >= 2 else tag.reshape(1, -1)
    rows = []
    whole = _facts_of_all(flat, table, spec, lengths, padded)  # every element, vectorised
    for r in range(min(flat.shape[0], MAX_ROWS + 1)):  # the rows shown, element by element
        elements = [_decode(v, table, spec) for v in flat[r].tolist()]
        sequences = sorted({e.sequence for e in elements if e.sequence >= 0})
        groups: dict = {}
        for e in elements:
            groups.setdefault((e.source, e.layer, e.direction, e.sequence), []).append(e)
        phrases = []
        for (source, layer, direction, n), members in groups.items():
            if source == "zeros":
                phrases.append(f"{len(members)} zeros added by padding")
                continue
            way = "forward" if direction == 0 else "backward"
            width = spec.h_out if source != "c_n" else spec.hidden_size
            features = [m.feature for m in members]
            part = ""
            if sorted(set(features)) != list(range(width)):
                part = f", feature {_span(features)} of {width}"
            who = f"seq {n} " if len(sequences) > 1 else ""
            name = "top layer" if layer == top else f"layer {layer}"
            if source in ("h_n", "c_n"):
                what = "cell state" if source == "c_n" else "final state"
                text = f"{who}{source}: {name} {way} {what}{part}"
                if padded is not None and n >= 0 and padded[n] < spec.seq_len:
                    text += f" (after reading {spec.seq_len - padded[n]} padding steps)"
            else:
                steps = sorted({m.step for m in members})
                text = f"{who}output: top layer {way}{part}, step {_span(steps)}"
                end = int(lengths[n]) if lengths is not None and n >= 0 else None
                if end is not None and any(s >= end for s in steps):
                    text += f" (zeros: sequence {n} ends at step {end - 1})"
                elif len(steps) == 1:
                    final = 0 if direction == 1 else (end - 1 if end is not None else spec.seq_len - 1)
                    if steps[0] == final:
                        text += " = its final state"
                    elif direction == 1:
                        text += " (not its final state, which is at step 0)"
                if padded is not None and n >= 0 and padded[n] < spec.seq_len:
                    if direction == 1 or any(s >= padded[n] for s in steps):
                        text += " (has read padding)"
            phrases.append(text)
        if len(phrases) > 3:
            phrases = phrases[:3] + [f"and {len(phrases) - 3} more parts"]
        head = (
            f"MIXES sequences {_span(sequences)}: "
            if len(sequences) > 1
            else (f"sequence {sequences[0]}: " if sequences else "")
        )
        index = list(torch.unravel_index(torch.tensor(r), tuple(tag.shape[:-1]))) if tag.dim() >= 2 else []
        label = "[" + ", ".join(str(int(i)) for i in index) + "]" if index else "all"
        rows.append((label, head + "; ".join(phrases)))
    shown = (
        rows if flat.shape[0] <= MAX_ROWS + 1 else rows[:MAX_ROWS] + [("...", f"{flat.shape[0] - MAX_ROWS} more rows")]
    )
    mixes, padding_read, zeros_after_end, cell = whole["mixes"], whole["padding"], whole["zeros"], whole["cell"]
    sources, layers = whole["sources"], whole["layers"]
    facts = []
    if said_names:
        facts.append("names read as: " + ", ".join(said_names) + " (write the call line to name them yourself)")
    if mixes:
        facts.append("mixes sequences: some rows hold numbers of more than one sequence")
    if "h_n" in sources and len([x for x in layers if x >= 0]) > 1:
        facts.append(f"holds several layers: {sorted(x for x in layers if x >= 0)}")
    if "h_n" in sources or "c_n" in sources:
        if layers and top not in layers:
            facts.append(f"not the top layer (layer {top})")
    if cell:
        facts.append("holds cell states (c_n), not hidden states")
    if zeros_after_end:
        facts.append("includes zeros after a sequence's end")
    if padding_read:
        facts.append("has read padding: x was padded and not packed")
    intent = _intent(real, tag, sources, spec)
    ideal_expr, ideal_real, ideal_tag, other_way = _ideal(intent, located, sources)
    same = _same_state(located)
    right = tag.shape == ideal_tag.shape and torch.equal(same[tag.long()], same[ideal_tag.long()])
    instead = "" if right else _rename(ideal_expr, canon)
    holds = torch.equal(ideal_real, other_way[1])
    check = f"torch.equal({_rename(ideal_expr, canon)}, {_rename(other_way[0], canon)}): {holds}"
    packing = (
        packing_lines(call, canon["h_n"]) if (padding_read or (padded is not None and intent != "tagging")) else ()
    )
    return Reading(
        line, tuple(real.shape), tuple(shown), tuple(facts), intent, right, instead, holds, check, packing, padding_read
    )


def _same_state(located: Located) -> torch.Tensor:
    """Tag -> the tag of the state it is: output at a direction's final step is that row of h_n (same numbers,
    the same state), so a line that cuts the final states out of output holds what h_n[-1] holds."""
    call, spec = located.call, located.call.spec
    tags, table = _make_tags(call.tensors)
    total = sum(math.prod(shape) for shape in table.shapes)
    same = torch.arange(total + 1)  # the last entry serves tag -1 (zeros added by padding)
    out, h_n = tags["output"], tags["h_n"]
    steps = out.unsqueeze(1) if spec.unbatched else (out.transpose(0, 1) if spec.batch_first else out)  # (L, N, F)
    rows = h_n.unsqueeze(1) if spec.unbatched else h_n  # (rows, N, H_out)
    lengths = call.tensors.get("lengths")
    top, h = spec.num_layers - 1, spec.h_out
    for n in range(steps.shape[1]):
        for direction in range(spec.num_directions):
            last = 0 if direction == 1 else (int(lengths[n]) - 1 if lengths is not None else steps.shape[0] - 1)
            cut = steps[last, n, direction * h : (direction + 1) * h].long()
            same[cut] = rows[top * spec.num_directions + direction, n].long()
    return same


def _intent(real: torch.Tensor, tag: torch.Tensor, sources: set, spec) -> str:
    batched_dims = 2 if spec.unbatched else 3
    if sources <= {"h_n", "c_n"} and real.dim() == batched_dims and real.shape[0] == spec.num_layers:
        return "decoder"
    if (
        sources == {"output"}
        and real.dim() == batched_dims - 1 + 1
        and real.shape[-1]
        in (
            spec.h_out,
            spec.num_directions * spec.h_out,
        )
    ):
        steps_axis = 0 if spec.unbatched or not spec.batch_first else 1
        if real.dim() >= 2 and real.shape[steps_axis] > 1:
            return "tagging"
    return "summary"


def _ideal(intent: str, located: Located, sources: set):
    """(expression, real value, tag value, (another expression for it, its real value)) for the intent."""
    call, spec = located.call, located.call.spec
    t = call.tensors
    tags, _ = _make_tags(t)
    if intent == "tagging":
        return "output", t["output"], tags["output"], ("output", t["output"])
    if intent == "decoder":
        source = "c_n" if sources == {"c_n"} else "h_n"
        if spec.num_directions == 1:
            layers = f"torch.stack([{', '.join(f'{source}[{k}]' for k in range(spec.num_layers))}])"
            return source, t[source], tags[source], (layers, apply_expression(layers, t))
        batch = "" if spec.unbatched else f"{spec.batch_size}, "
        width = spec.hidden_size if source == "c_n" else spec.h_out
        expr = (
            f"{source}.view({spec.num_layers}, 2, {batch}{width}).transpose(1, 2)"
            f".reshape({spec.num_layers}, {batch}{2 * width})"
            if not spec.unbatched
            else f"{source}.view({spec.num_layers}, 2 * {width})"
        )
        pairs = ", ".join(
            f"torch.cat([{source}[{2 * k}], {source}[{2 * k + 1}]], dim=-1)" for k in range(spec.num_layers)
        )
        env = {source: t[source]}
        value = apply_expression(expr, env)
        return (
            expr,
            value,
            apply_expression(expr, {source: tags[source]}),
            (f"torch.stack([{pairs}])", apply_expression(f"torch.stack([{pairs}])", env)),
        )
    s = located.summary
    return (
        s.expression,
        apply_expression(s.expression, t),
        apply_expression(s.expression, tags),
        (s.from_output.left, apply_expression(s.from_output.left, t)),
    )


def _rename(expression: str, canon: dict) -> str:
    """An expression in the course's names, written in the student's names."""
    return re.sub(r"\b(output|h_n|c_n|lengths)\b", lambda m: canon.get(m.group(1), m.group(1)), expression)


__all__ = ["INTENTS", "Reading", "Statement", "Uses", "output_index", "parse_uses", "read_lines"]
