"""explain reads only nn.X(...) and torch.nn.X(...) for X in RNN, GRU, LSTM: every other owner is refused.

The rule, from helpers/explain/parse.py: the called name is an attribute RNN, GRU or LSTM whose owner is
exactly the name `nn` or exactly the attribute `torch.nn`. Anything else in front of it (another module,
a longer or shorter dotted path, a subscript, a call result, nothing at all) is refused, from Python with a
ValueError and from the command line with one `error:` line, exit status 2 and no traceback.
"""

import ast
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from helpers.explain import parse_module
from helpers.explain.__main__ import main
from helpers.explain.parse import parse_arguments

CELLS = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}
ACCEPTED_OWNERS = ("nn", "torch.nn")
NOT_A_CALL = "it is not a call of nn.RNN, nn.GRU or nn.LSTM"
# Owners that look close to nn or torch.nn, each refused.
REFUSED_OWNERS = [
    "torch",  # torch.LSTM: no nn
    "foo.nn",  # another package's nn
    "nn.nn",
    "torch.torch.nn",
    "torch.nn.nn",
    "nn.torch",
    "foo.torch.nn",
    "torch.nn.modules",  # where torch really keeps it, but not what explain reads
    "torch.nn.modules.rnn",
    "NN",
    "Torch.nn",
    "torch.NN",
    "x[0]",  # a subscript
    "nn[0]",
    "f()",  # a call result
    "nn()",
    "torch().nn",
    "torch.nn()",
    "torch[0].nn",
    "nn.LSTM",  # nn.LSTM.LSTM(...)
    "(1).real",
    "'nn'",
]


def expression(owner: str | None, cell: str, args: str = "3, 4") -> str:
    return f"{cell}({args})" if owner is None else f"{owner}.{cell}({args})"


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("owner", ACCEPTED_OWNERS)
def test_nn_and_torch_nn_owners_are_read(owner, cell):
    text = expression(owner, cell, "3, 4, num_layers=2")
    assert parse_arguments(text) == (cell, {"input_size": 3, "hidden_size": 4, "num_layers": 2})
    module = parse_module(text)
    assert type(module) is CELLS[cell] and module.num_layers == 2


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("owner", [None, *REFUSED_OWNERS])
def test_every_other_owner_is_refused(owner, cell):
    text = expression(owner, cell)
    ast.parse(text, mode="eval")  # valid Python: refused for its owner, not its syntax
    with pytest.raises(ValueError, match=NOT_A_CALL) as refused:
        parse_arguments(text)
    assert repr(text) in str(refused.value)
    with pytest.raises(ValueError, match=NOT_A_CALL):
        parse_module(text)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_cell_names_are_case_sensitive_and_exact(cell):
    for name in (cell.lower(), cell.title(), f"{cell}Cell", f"{cell}s"):
        for owner in ACCEPTED_OWNERS:
            with pytest.raises(ValueError, match=NOT_A_CALL):
                parse_arguments(expression(owner, name))


# Dotted owners built from names a student might type: read exactly when the path is nn or torch.nn.
NAMES = st.sampled_from(["nn", "torch", "foo", "LSTM", "modules"])


@given(path=st.lists(NAMES, min_size=0, max_size=4), cell=st.sampled_from(sorted(CELLS)))
def test_a_dotted_owner_is_read_exactly_when_it_is_nn_or_torch_nn(path, cell):
    owner = ".".join(path) if path else None
    text = expression(owner, cell)
    if owner in ACCEPTED_OWNERS:
        assert parse_arguments(text)[0] == cell
    else:
        with pytest.raises(ValueError, match=NOT_A_CALL):
            parse_arguments(text)


# --- the command line: one clear error line, exit status 2, nothing on stdout, no traceback -----------------


def run_main(capsys, *argv):
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    return stop.value.code, capsys.readouterr()


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("python -m helpers.explain: error:")]


@pytest.mark.parametrize("owner", [None, *REFUSED_OWNERS])
def test_command_line_refuses_other_owners_in_one_line(capsys, owner):
    code, out = run_main(capsys, expression(owner, "LSTM", "8, 5"), "--input-shape", "2,3,8")
    assert code == 2 and out.out == ""
    (line,) = error_lines(out.err)
    assert NOT_A_CALL in line and "Traceback" not in out.err


@pytest.mark.parametrize("owner", ACCEPTED_OWNERS)
def test_command_line_reads_nn_and_torch_nn(capsys, owner):
    assert main([expression(owner, "GRU", "8, 5"), "--input-shape", "2,3,8"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and "h_n" in out.out


@pytest.mark.parametrize("owner", ["torch", None, "f()"])  # one process each: the rest run in-process above
def test_python_m_helpers_explain_refuses_other_owners(owner):
    done = subprocess.run(
        [sys.executable, "-m", "helpers.explain", expression(owner, "LSTM", "8, 5"), "--input-shape", "2,3,8"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = error_lines(done.stderr)
    assert NOT_A_CALL in line and "Traceback" not in done.stderr
