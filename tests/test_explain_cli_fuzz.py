"""python -m helpers.explain on random command lines: one clear line or a report, never a traceback, never a build
whose memory estimate is past the limit; and the estimate bounds what a run really holds."""

import math
import string
import warnings

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.explain import __main__ as cli
from helpers.explain.__main__ import estimate_bytes, main
from helpers.explain.parse import parse_arguments

CELL_TEXT = st.sampled_from(["nn.RNN", "nn.GRU", "nn.LSTM", "torch.nn.LSTM", "nn.Linear", "LSTM", "nn.LSTMCell"])
ARG = st.one_of(
    st.integers(-3, 5000).map(str),
    st.sampled_from(["True", "False", "'False'", "'relu'", "0.5", "-1", "2**40", "x", "None", "1e309", "(" * 60]),
)
KEYWORD = st.sampled_from(
    ["num_layers", "bidirectional", "batch_first", "proj_size", "dropout", "bias", "nonlinearity", "dtype", "foo"]
)


@st.composite
def command_lines(draw):
    args = draw(st.lists(ARG, max_size=4))
    keywords = draw(st.lists(st.tuples(KEYWORD, ARG), max_size=3))
    inside = ", ".join(args + [f"{k}={v}" for k, v in keywords])
    module = draw(st.one_of(st.just(f"{draw(CELL_TEXT)}({inside})"), st.text(string.printable, max_size=40)))
    shape = draw(st.lists(st.integers(-2, 5000), min_size=1, max_size=4))
    argv = [module, "--input-shape", ",".join(map(str, shape))]
    if draw(st.booleans()):
        argv += ["--lengths", ",".join(map(str, draw(st.lists(st.integers(-1, 9), min_size=1, max_size=4))))]
    for flag in ("--hx", "--eval"):
        if draw(st.booleans()):
            argv.append(flag)
    if draw(st.booleans()):
        argv += ["--seed", str(draw(st.integers(-5, 2**70)))]
    if draw(st.booleans()):
        argv.append("--uses=" + draw(st.one_of(st.sampled_from(USES), st.text(string.printable, max_size=30))))
    return argv


USES = [
    "out[:, -1, :]",
    "h_n[0]",
    "torch.cat((h_n[-2], h_n[-1]), 1)",
    "h_n.view(batch_size, -1)",
    "-" * 500 + "h_n",
    "(" * 300 + "h_n" + ")" * 300,
    "h_n" + "[0]" * 100,
    "__import__('os').system('true')",
    "output, (h, c) = lstm(x); c[-1]",
]
LIMIT = 64 * 2**20  # a small limit for the test: 64 MiB


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command_lines())
def test_never_a_traceback_never_past_the_limit(monkeypatch, capsys, argv):
    built = []
    real_parse_module = cli.parse_module

    def parse_module(text, seed=0):
        cell, kwargs = parse_arguments(text)
        shape = [int(n) for n in argv[2].split(",")]
        built.append(estimate_bytes(cell, kwargs, shape))
        return real_parse_module(text, seed)

    monkeypatch.setattr(cli, "MEMORY_LIMIT", LIMIT)
    monkeypatch.setattr(cli, "parse_module", parse_module)
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "Traceback" not in out.out
    assert all(estimate <= LIMIT for estimate in built)  # nothing past the limit was built
    if code == 0:
        assert out.err == "" and "returned" in out.out
    else:
        assert code == 2 and out.out == ""
        errors = [line for line in out.err.splitlines() if line.startswith("python -m helpers.explain: error:")]
        assert len(errors) == 1, out.err


@pytest.mark.parametrize(
    "module, shape",
    [
        ("nn.LSTM(8, 16, num_layers=2, bidirectional=True, proj_size=4)", [3, 7, 8]),
        ("nn.GRU(5, 32, num_layers=3)", [20, 4, 5]),
        ("nn.RNN(4, 8, bidirectional=True, batch_first=True)", [6, 9, 4]),
        ("nn.LSTM(3, 64)", [50, 3]),
    ],
)
def test_the_estimate_bounds_what_the_run_holds(module, shape):
    """Parameters, x, output and the states of a real run fit in the estimate made before building."""
    cell, kwargs = parse_arguments(module)
    m = cli.parse_module(module)
    x = torch.randn(shape)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        output, state = m(x)
    states = state if isinstance(state, tuple) else (state,)
    held = sum(p.numel() for p in m.parameters()) + x.numel() + output.numel() + sum(s.numel() for s in states)
    assert held * 4 <= estimate_bytes(cell, kwargs, shape)


def test_the_question_s_worst_case_is_refused_before_building(monkeypatch, capsys):
    monkeypatch.setattr(cli, "parse_module", lambda *a, **k: pytest.fail("built a module past the limit"))
    with pytest.raises(SystemExit):
        main(["nn.LSTM(4096, 4096, num_layers=16, bidirectional=True)", "--input-shape", "4,112,4096"])
    err = capsys.readouterr().err
    assert "would take about" in err and "GiB" in err and "limit of 2 GiB" in err
    assert math.isclose(cli.MEMORY_LIMIT, 2 * 2**30)


def test_eval_and_uses_on_the_command_line(capsys):
    argv = ["nn.LSTM(3, 4, num_layers=2, dropout=0.5, bidirectional=True, batch_first=True)", "--input-shape", "2,5,3"]
    assert main([*argv, "--uses", "out[:, -1, :]"]) == 0
    text = capsys.readouterr().out
    assert "training mode" in text and "call module.eval()" in text
    assert "Your line: out[:, -1, :]" in text and "write torch.cat([h_n[-2], h_n[-1]], dim=-1)" in text
    assert main([*argv, "--eval"]) == 0
    text = capsys.readouterr().out
    assert "eval mode" in text and "call module.eval()" not in text
    assert max(len(line) for line in text.splitlines()) <= 100
    assert main(["nn.RNN(3, 4, nonlinearity='relu', bias=False)", "--input-shape", "5,3"]) == 0
    assert "nonlinearity='relu', bias=False" in capsys.readouterr().out
