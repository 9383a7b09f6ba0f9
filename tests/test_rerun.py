"""The promise of notebook 00, section 1, for teachers: in every notebook, every random construction is seeded in the
cell that makes it, and each section builds its own modules and inputs, so that, once the notebook has run, any
section run again from its first code cell prints what it printed the first time.

Both halves are checked here: the seeding by reading each cell's code, the re-run in a real kernel. Each check
is also shown to fail on a tiny notebook that breaks the promise.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parent.parent
# The notebooks that make the promise (00, section 1, names them).
PROMISED = [
    REPO / "notebooks" / name
    for name in (
        "00_start_here.ipynb",
        "01_output_vs_h_n.ipynb",
        "02_layers.ipynb",
        "03_bidirectional.ipynb",
        "04_lstm_cell_state.ipynb",
        "05_batch_first_and_unbatched.ipynb",
        "06_variable_lengths.ipynb",
        "07_inside_the_cell.ipynb",
        "08_using_the_states.ipynb",
        "09_cheat_sheet.ipynb",
    )
]
LIVE_TAG = "nbval-ignore-output"  # a live view's output carries a fresh widget id on every run
# Calls that draw random numbers when they build something: an input, or a module's initial weights.
RANDOM_INPUTS = {"randn", "rand", "randint", "randn_like", "rand_like", "randint_like", "randperm", "normal"}
RANDOM_MODULES = {"RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell", "Linear", "Embedding", "Conv1d"}


# --- seeding: read from the code -----------------------------------------------------------------------------------


def _call_name(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _own_calls(node: ast.AST) -> list[ast.Call]:
    """The calls a block makes when it runs, in order: not those inside the functions it defines (they run later)."""
    calls, stack = [], list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, FUNCTIONS):
            continue
        if isinstance(child, ast.Call):
            calls.append(child)
        stack.extend(ast.iter_child_nodes(child))
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _unseeded_calls(node: ast.AST, random_names: set[str]) -> list[ast.Call]:
    """The block's random constructions that no torch.manual_seed(...) earlier in the same block precedes."""
    calls = _own_calls(node)
    seeds = [(c.lineno, c.col_offset) for c in calls if _call_name(c) == "manual_seed"]
    return [c for c in calls if _call_name(c) in random_names and not any(s < (c.lineno, c.col_offset) for s in seeds)]


def unseeded(source: str) -> list[str]:
    """The random constructions in a cell's code that no torch.manual_seed(...) earlier in the same cell precedes.

    A function or class the cell defines constructs when it is called, not where it is written: a call of one whose
    body makes an unseeded random construction (a class: in any of its methods) is itself a random construction.
    """
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    tree = ast.parse(code)
    random_names = RANDOM_INPUTS | RANDOM_MODULES
    definitions = [node for node in ast.walk(tree) if isinstance(node, (*FUNCTIONS, ast.ClassDef))]

    def random(definition) -> bool:
        methods = [node for node in definition.body if isinstance(node, FUNCTIONS)]
        return bool(_unseeded_calls(definition, random_names)) or (
            isinstance(definition, ast.ClassDef) and any(random(method) for method in methods)
        )

    while more := {d.name for d in definitions if d.name not in random_names and random(d)}:
        random_names = random_names | more
    lines = code.splitlines()
    return [lines[c.lineno - 1].strip() for c in _unseeded_calls(tree, random_names)]


@pytest.mark.parametrize(
    "source,found",
    [
        ("x = torch.randn(5, 2, 4)", ["x = torch.randn(5, 2, 4)"]),
        ("gru = nn.GRU(4, 3)\ntorch.manual_seed(0)", ["gru = nn.GRU(4, 3)"]),  # seeded after: too late
        ("torch.manual_seed(0)\ngru = nn.GRU(4, 3)\nx = torch.randn(5, 2, 4)", []),
        ("for kind in (nn.RNN, nn.GRU):\n    torch.manual_seed(0)\n    module = kind(4, 3)", []),
        ("%matplotlib inline\noutput, h_n = gru(x)", []),
        # a class builds its layers when it is called: seeded right before the call, not before the class
        (
            "class M(nn.Module):\n    def __init__(self):\n        self.rnn = nn.GRU(4, 3)\n\n\ntorch.manual_seed(0)\nm = M()",
            [],
        ),
        ("class M(nn.Module):\n    def __init__(self):\n        self.rnn = nn.GRU(4, 3)\n\n\nm = M()", ["m = M()"]),
        (
            "def make():\n    return torch.randn(2)\n\n\ndef twice():\n    return make(), make()\n\n\ny = twice()",
            ["y = twice()"],
        ),
        ("def make():\n    torch.manual_seed(0)\n    return torch.randn(2)\n\n\ny = make()", []),  # seeds itself
    ],
)
def test_unseeded_finds_what_it_should(source, found):
    assert unseeded(source) == found


@pytest.mark.parametrize("path", PROMISED, ids=lambda p: p.stem)
def test_every_random_construction_is_seeded_in_its_own_cell(path):
    nb = nbformat.read(path, as_version=4)
    bad = {cell.get("id"): unseeded(cell.source) for cell in nb.cells if cell.cell_type == "code"}
    bad = {cell_id: lines for cell_id, lines in bad.items() if lines}
    assert not bad, f"{path.name}: random constructions with no torch.manual_seed before them in their cell: {bad}"


# --- re-running sections in a kernel -------------------------------------------------------------------------------


def sections(nb) -> list[list[int]]:
    """Indices of the code cells, grouped by section: a '## ' heading starts one; cells before the first form one."""
    groups: list[list[int]] = [[]]
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and any(line.startswith("## ") for line in cell.source.splitlines()):
            groups.append([])
        elif cell.cell_type == "code":
            groups[-1].append(index)
    return [group for group in groups if group]


def printed(cell) -> list:
    """What a cell showed: stream text (pieces of one stream joined) and display data, figures included."""
    if LIVE_TAG in cell.metadata.get("tags", []):
        return []
    shown = []
    for out in cell.outputs:
        if out.output_type == "stream" and shown and isinstance(shown[-1], tuple) and shown[-1][0] == out.name:
            shown[-1] = (out.name, shown[-1][1] + out.text)  # one print may arrive in several pieces
        elif out.output_type == "stream":
            shown.append((out.name, out.text))
        elif out.output_type in ("execute_result", "display_data"):
            shown.append(dict(out.data))
        else:
            shown.append((out.output_type, out.get("ename"), out.get("evalue")))
    return shown


def _short(shown: list) -> str:
    """The text of what a cell showed, cut short for a failure message (figures as their text form)."""
    text = " | ".join(str(item[1]) if isinstance(item, tuple) else str(item.get("text/plain")) for item in shown)
    return repr(text if len(text) <= 200 else text[:200] + "...")


def rerun_differences(path: Path) -> list[str]:
    """Run the notebook in order, then each section again from its first code cell, the last section first, so
    that every section runs again after the sections that follow it. Returns one line per cell that printed
    something else (or raised) the second time."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent.resolve())}}
    )
    differences = []
    with client.setup_kernel():
        groups = sections(nb)
        for index in (i for group in groups for i in group):
            client.execute_cell(nb.cells[index], index)
        first = {index: printed(nb.cells[index]) for group in groups for index in group}
        for group in reversed(groups):
            for index in group:
                cell = nb.cells[index]
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:
                    differences.append(f"cell {index} ({cell.get('id')}) raised on its second run: {error}")
                    break  # the rest of this section depends on the cell that failed
                if printed(cell) != first[index]:
                    differences.append(
                        f"cell {index} ({cell.get('id')}) printed something else on its second run: "
                        f"{_short(printed(cell))} instead of {_short(first[index])}"
                    )
    return differences


def test_rerun_differences_finds_a_section_that_reuses_a_later_name(tmp_path):
    """A notebook whose first section reads a name that the second rebinds breaks the promise, and is caught."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("## 1. First"),
            new_code_cell("x = 1"),
            new_code_cell("print(x + 1)"),
            new_markdown_cell("## 2. Second"),
            new_code_cell("x = 10\nprint(x)"),
            new_markdown_cell("## 3. Third"),
            new_code_cell("print(y)"),  # y is never defined: raises on the first run already
        ]
    )
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError):  # the first, in-order run must succeed before anything is compared
        rerun_differences(path)
    nb.cells = nb.cells[:5]
    nbformat.write(nb, path)
    assert rerun_differences(path) == []  # section 1 builds x again before it prints
    nb.cells[1].source = "pass"  # section 1 no longer builds its own x: it prints 11 after section 2, not 2
    nb.cells[2].source = "x = globals().get('x', 1)\nprint(x + 1)"
    nbformat.write(nb, path)
    assert rerun_differences(path) == [
        f"cell 2 ({nb.cells[2].id}) printed something else on its second run: '11\\n' instead of '2\\n'"
    ]


@pytest.mark.parametrize("path", PROMISED, ids=lambda p: p.stem)
def test_every_section_runs_again_from_its_first_code_cell_and_prints_the_same(path):
    assert rerun_differences(path) == []
