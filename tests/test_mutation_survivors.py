"""Rules that `make mutate` found untested: each test states a rule of the helpers, not the mutant that broke it.

See CONTRIBUTING.md, "Mutation testing". A survivor that cannot change behaviour is listed instead, with its
reason, in tests/mutation_equivalent.txt.
"""

import re

import pytest
import torch
from torch import nn

from helpers import RNNConfig, RNNRun, relation_table, run

# --- helpers.relations -------------------------------------------------------------------------------------------

# The code column is PyTorch written in the course's notation, nothing else.
CODE_WORDS = {"output", "h_n", "c_n", "view", "lengths", "n", "k", "num_layers", "D", "N", "H_out", "in", "for", "some"}
CONFIGS = [
    dict(cell=cell, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    for cell in ("gru", "lstm")
    for num_layers in (1, 2)
    for bidirectional in (False, True)
    for batch_first in (False, True)
]


def all_tables():
    for kwargs in CONFIGS:
        cfg = RNNConfig(input_size=3, hidden_size=4, **kwargs)
        for lengths in (None, [3, 1]):
            yield relation_table(run(cfg, seq_len=3, batch_size=2, lengths=lengths))
        yield relation_table(run(cfg, seq_len=3, unbatched=True))


def test_each_relation_names_the_half_of_output_that_its_code_reads():
    """A row whose code slices output[..., :H] says "first H_out features"; one that slices [H:] says "last"."""
    seen = set()
    for rows in all_tables():
        for row in rows:
            if not row.code.startswith("output["):
                continue
            first = re.search(r", :\d+\]", row.code.split(" == ")[0]) is not None
            last = re.search(r", \d+:\]", row.code.split(" == ")[0]) is not None
            said_first = re.search(r"\bfirst H_out features\b", row.name) is not None
            said_last = re.search(r"\blast H_out features\b", row.name) is not None
            if "tensor's last step" in row.name:  # its partner row names the half already
                continue
            assert (first, last) == (said_first, said_last), (row.name, row.code)
            seen.add((first, last))
    assert seen == {(True, False), (False, True)}


def test_relation_code_is_written_in_pytorch_names_only():
    for rows in all_tables():
        for row in rows:
            words = set(re.findall(r"[A-Za-z_]+", row.code))
            assert words <= CODE_WORDS, (row.code, words - CODE_WORDS)
            assert re.match(r"(output\[|h_n\.view\(|c_n\[)", row.code), row.code


def test_a_lower_layer_state_that_is_in_output_is_found():
    """Layer 1 copies layer 0 (ReLU keeps layer 0's states, identity weights, no bias): h_n[0] is then in output."""
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=2, nonlinearity="relu")
    with torch.no_grad():
        rnn.weight_ih_l1.copy_(torch.eye(4))
        rnn.weight_hh_l1.zero_()
        rnn.bias_ih_l1.zero_()
        rnn.bias_hh_l1.zero_()
    x = torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(1))
    output, h_n = rnn(x)
    cfg = RNNConfig(cell="rnn", input_size=3, hidden_size=4, num_layers=2)
    rows = relation_table(RNNRun(config=cfg, module=rnn, x=x, lengths=None, output=output, h_n=h_n, c_n=None))
    (lower,) = [row for row in rows if row.name.startswith("layer 0, forward")]
    assert torch.equal(output[-1], h_n[0]) and lower.holds


@pytest.mark.parametrize("proj_size", [0, 2])
def test_a_cell_state_is_never_reported_in_output_of_an_ordinary_lstm(proj_size):
    cfg = RNNConfig(cell="lstm", input_size=3, hidden_size=4, proj_size=proj_size, num_layers=2)
    (row,) = [row for row in relation_table(run(cfg)) if row.name.startswith("c_n")]
    assert row.holds is False


# --- helpers.explain.parse ---------------------------------------------------------------------------------------

# Every refusal says, in one message: the expression, why it is refused, and what is accepted.
GRU_ARGS = "input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional"
LITERAL = "is not a literal (a number, True/False or a string)"
REFUSALS = [
    (5, "it must be a string"),
    (None, "it must be a string"),
    ("nn.GRU(8, 50", "it is not valid Python ('(' was never closed)"),
    ("", "it is not valid Python (invalid syntax)"),
    ("nn.Linear(3, 4)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
    ("nn.LSTM", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),  # not a call at all
    ("[nn.LSTM(8, 50)]", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
    ("nn.LSTM(8, 50) + 1", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
    ("nn.GRU(8, 50, 1, True, False, 0.0, False, 3)", f"nn.GRU takes at most 7 positional arguments ({GRU_ARGS})"),
    ("nn.GRU(*a)", "*args is not a literal"),
    ("nn.GRU(8, *a)", "*args is not a literal"),
    ("nn.GRU(8, 50, **k)", "**kwargs is not a literal"),
    ("nn.GRU(8, 50, x=1)", f"nn.GRU has no argument 'x' here (it takes {GRU_ARGS}, dtype)"),
    ("nn.GRU(8, input_size=8)", "input_size is given twice"),
    ("nn.GRU(8, h)", f"hidden_size=h {LITERAL}"),
    ("nn.GRU(8, 50, bias=-True)", f"bias=-True {LITERAL}"),
    ("nn.GRU(8, -'a')", f"hidden_size=-'a' {LITERAL}"),
    ("nn.GRU(8, -h)", f"hidden_size=-h {LITERAL}"),
    ("nn.GRU(8, 50, dtype=torch.int32)", f"dtype=torch.int32 {LITERAL}"),
    ("nn.GRU(8, 50, dtype=np.float64)", f"dtype=np.float64 {LITERAL}"),
    ("nn.GRU(8, 50, dtype=float64)", f"dtype=float64 {LITERAL}"),
    ("nn.GRU(8, 50, bias=torch.float32)", f"bias=torch.float32 {LITERAL}"),
    ("nn.GRU(8, [50])", f"hidden_size=[50] {LITERAL}"),
    ("nn.GRU(8, None)", f"hidden_size=None {LITERAL}"),
]


@pytest.mark.parametrize("text, why", REFUSALS, ids=[str(case[0]) for case in REFUSALS])
def test_each_refusal_names_the_expression_the_reason_and_what_is_accepted(text, why):
    from helpers.explain.parse import ACCEPTED, parse_arguments

    with pytest.raises(ValueError) as refused:
        parse_arguments(text)
    shown = text.strip() if isinstance(text, str) else text
    assert str(refused.value) == f"module expression {shown!r} is not allowed: {why}; {ACCEPTED}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("nn.GRU(8, 50, dropout=-0.5)", {"dropout": -0.5}),  # read as written; torch then refuses it
        ("nn.GRU(8, 50, num_layers=-2)", {"num_layers": -2}),
        ("nn.GRU(8, 50, dtype=torch.float64)", {"dtype": torch.float64}),
        ("nn.GRU(8, 50, dtype=torch.double)", {"dtype": torch.float64}),
        ("nn.GRU(8, 50, dtype=torch.float)", {"dtype": torch.float32}),
        ("nn.GRU(8, 50, batch_first=True, bias=False)", {"batch_first": True, "bias": False}),
        ("  nn.GRU(8, 50)  ", {}),
    ],
)
def test_literals_are_read_as_written(text, expected):
    from helpers.explain.parse import parse_arguments

    assert parse_arguments(text) == ("GRU", {"input_size": 8, "hidden_size": 50, **expected})


@pytest.mark.parametrize(
    "name, most", [("input_size", 4096), ("hidden_size", 4096), ("num_layers", 16), ("proj_size", 4096)]
)
def test_sizes_up_to_the_limit_are_read_and_past_it_refused(name, most):
    from helpers.explain.parse import parse_arguments

    def text(value):
        sizes = {"input_size": 1, "hidden_size": 1, name: value}
        return "nn.LSTM(" + ", ".join(f"{key}={size}" for key, size in sizes.items()) + ")"

    assert parse_arguments(text(most))[1][name] == most
    with pytest.raises(ValueError) as refused:
        parse_arguments(text(most + 1))
    assert str(refused.value) == f"{name}={most + 1} is not allowed here: the command line takes {name} up to {most}"


def test_parse_module_says_when_torch_refuses_and_leaves_torch_s_rng_as_found():
    from helpers.explain.parse import parse_module

    with pytest.raises(ValueError) as refused:
        parse_module("nn.LSTM(8, 50, proj_size=60)")
    assert str(refused.value) == (
        "module expression 'nn.LSTM(8, 50, proj_size=60)' is not allowed: "
        "torch refused it: proj_size has to be smaller than hidden_size"
    )
    torch.manual_seed(123)
    before = torch.get_rng_state()
    module = parse_module("nn.GRU(3, 4, num_layers=2)", seed=7)
    assert torch.equal(torch.get_rng_state(), before)
    torch.manual_seed(7)
    twin = nn.GRU(3, 4, num_layers=2)
    assert all(torch.equal(a, b) for a, b in zip(module.parameters(), twin.parameters(), strict=True))
    torch.manual_seed(0)
    default = nn.GRU(3, 4, num_layers=2)  # the seed is 0 unless given
    assert torch.equal(parse_module("nn.GRU(3, 4, num_layers=2)").weight_hh_l1, default.weight_hh_l1)
    other = parse_module("nn.GRU(3, 4, num_layers=2)", seed=8)
    assert not torch.equal(other.weight_ih_l0, module.weight_ih_l0)


# --- helpers.unroll ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, got", [(torch.zeros(4), "(4,)"), (torch.zeros(1, 2, 5, 4), "(1, 2, 5, 4)"), ([1.0], "list")]
)
def test_unroll_module_refuses_an_x_that_is_not_2_or_3_d(x, got):
    from helpers import unroll_module

    with pytest.raises(ValueError) as refused:
        unroll_module(nn.GRU(4, 3), x)
    assert str(refused.value) == f"x={got} is not allowed: x must be a 2-D (unbatched) or 3-D input tensor"


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize(
    "cell, kwargs",
    [(nn.RNN, {}), (nn.GRU, {}), (nn.LSTM, {}), (nn.LSTM, {"proj_size": 1})],
    ids=["rnn", "gru", "lstm", "lstm-proj"],
)
def test_unroll_module_reads_the_module_s_own_settings(cell, kwargs, batched):
    from helpers import unroll_module

    torch.manual_seed(0)
    module = cell(5, 2, num_layers=2, bidirectional=True, **kwargs)
    x = torch.randn(6, 3, 5) if batched else torch.randn(6, 5)  # (L, N, H_in) or (L, H_in)
    output, state = module(x)
    h_n, c_n = state if cell is nn.LSTM else (state, None)
    h = module.proj_size or module.hidden_size
    states = unroll_module(module, x)  # hidden: (num_layers, D, L, N, H_out), N = 1 unbatched
    cfg = states.run.config
    expected = (5, 2, kwargs.get("proj_size", 0), 2, True)
    assert (cfg.input_size, cfg.hidden_size, cfg.proj_size, cfg.num_layers, cfg.bidirectional) == expected
    assert torch.equal(states.run.output, output) and torch.equal(states.run.h_n, h_n)
    assert (states.run.c_n is None) if c_n is None else torch.equal(states.run.c_n, c_n)
    top = states.hidden[-1] if batched else states.hidden[-1, :, :, 0]  # (D, L, [N,] H_out)
    assert torch.equal(top[0], output[..., :h]) and torch.equal(top[1], output[..., h:])
    bottom_forward_end = states.hidden[0, 0, -1] if batched else states.hidden[0, 0, -1, 0]
    assert torch.equal(bottom_forward_end, h_n[0])


def test_unroll_module_refuses_dropout_in_train_mode():
    from helpers import unroll_module

    module = nn.GRU(5, 2, num_layers=2, dropout=0.5)
    with pytest.raises(ValueError, match=r"dropout=0\.5 is not allowed in train mode"):
        unroll_module(module, torch.randn(4, 5))
    assert unroll_module(module.eval(), torch.randn(4, 5)).hidden.shape == (2, 1, 4, 1, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch": None}, "batch=None is not allowed with lengths: each sequence has its own end, so pick one"),
        ({"batch": 3}, "batch=3 is not allowed: batch must be an integer from 0 to 2"),
        ({"batch": -1}, "batch=-1 is not allowed: batch must be an integer from 0 to 2"),
        (
            {"batch": 0, "cell_states": True},
            "cell_states=True is not allowed with cell='gru': only an LSTM has cell states; "
            "give False, or True with cell='lstm'",
        ),
    ],
)
def test_grid_model_refuses_what_it_cannot_draw_and_says_why(kwargs, message):
    from helpers import grid_model

    r = run(RNNConfig(cell="gru"), seq_len=4, batch_size=3, lengths=[4, 2, 1])
    with pytest.raises(ValueError) as refused:
        grid_model(r, **kwargs)
    assert str(refused.value) == message
    assert grid_model(r, batch=2).length == 1  # the last sequence is in range


@pytest.mark.parametrize(
    "batch_first, bidirectional, expected",
    [
        (False, False, ["output[2]", "output[2, 1]"]),  # output[t]: every sequence at step t, as a student writes it
        (True, False, ["output[:, 2]", "output[1, 2]"]),
        (False, True, ["output[2, :, :H]", "output[2, :, H:]", "output[2, 1, :H]", "output[2, 1, H:]"]),
        (True, True, ["output[:, 2, :H]", "output[:, 2, H:]", "output[1, 2, :H]", "output[1, 2, H:]"]),
    ],
)
def test_output_expressions_are_written_as_a_student_would(batch_first, bidirectional, expected):
    from helpers.unroll import output_expression

    r = run(RNNConfig(cell="gru", batch_first=batch_first, bidirectional=bidirectional), seq_len=4, batch_size=3)
    directions = (0, 1) if bidirectional else (0,)
    assert [output_expression(r, 2, d, b) for b in (None, 1) for d in directions] == expected


# --- make mutate's own bookkeeping -------------------------------------------------------------------------------


def test_the_equivalent_list_names_mutants_of_the_mutated_modules_each_with_a_reason(repo):
    from tools.mutation_report import read_equivalent

    listed = read_equivalent(repo / "tests" / "mutation_equivalent.txt")
    for name, why in listed.items():
        assert re.fullmatch(
            r"helpers\.(unroll|relations|explain\.\w+|exercises\.diagnose\.\w+)\.x\S+__mutmut_\d+", name
        ), name
        assert len(why.split()) >= 8, f"{name}: say why it cannot change behaviour"


def test_the_report_counts_each_module_and_leaves_out_the_explained_survivors(tmp_path):
    import json

    from tools import mutation_report

    folder = tmp_path / "mutants" / "helpers" / "explain"
    folder.mkdir(parents=True)
    codes = {f"helpers.explain.parse.x_f__mutmut_{i}": 1 for i in range(1, 19)}  # 18 killed
    codes |= {"helpers.explain.parse.x_f__mutmut_19": 0, "helpers.explain.parse.x_f__mutmut_20": 0}  # 2 survived
    codes |= {"helpers.explain.parse.x_f__mutmut_21": 36, "helpers.explain.parse.x_f__mutmut_22": None}
    (folder / "parse.py.meta").write_text(json.dumps({"exit_code_by_key": codes}))
    results = mutation_report.read_results(tmp_path / "mutants")
    (row,) = mutation_report.module_rows(
        mutation_report.grouped(results), {"helpers.explain.parse.x_f__mutmut_19": "why"}
    )
    assert row["module"] == "helpers/explain/"
    assert (row["killed"], row["survived"], row["timeout"], row["not run"], row["equivalent"]) == (18, 2, 1, 1, 1)
    assert row["score"] == 19 / 20  # (killed + timed out) of the run mutants less the explained survivor
    assert row["unexplained"] == ["helpers.explain.parse.x_f__mutmut_20"] and not row["complete"]
