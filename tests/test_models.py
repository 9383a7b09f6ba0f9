"""helpers.models: config checks, seeded modules and inputs, and what run() returns."""

import itertools
import re

import numpy as np
import pytest
import torch
from torch import nn

from helpers import CELLS, RNNConfig, build_module, make_input, run

SEQ_LEN, BATCH, INPUT, HIDDEN, PROJ = 5, 3, 4, 6, 2

# Every cell x bidirectional x batch_first x proj_size x unbatched x num_layers combination.
COMBOS = [
    (cell, bidirectional, batch_first, proj_size, unbatched, num_layers)
    for cell, bidirectional, batch_first, proj_size, unbatched, num_layers in itertools.product(
        ["rnn", "gru", "lstm"], [False, True], [False, True], [0, PROJ], [False, True], [1, 3]
    )
    if proj_size == 0 or cell == "lstm"
]


def combo_id(combo):
    cell, bidirectional, batch_first, proj_size, unbatched, num_layers = combo
    return (
        f"{cell}-{'bi' if bidirectional else 'uni'}-{'bf' if batch_first else 'tf'}"
        f"-proj{proj_size}-{'unbatched' if unbatched else 'batched'}-L{num_layers}"
    )


@pytest.mark.parametrize("combo", COMBOS, ids=combo_id)
def test_shapes_follow_pytorch_docs(combo):
    cell, bidirectional, batch_first, proj_size, unbatched, num_layers = combo
    cfg = RNNConfig(cell, INPUT, HIDDEN, num_layers, bidirectional, batch_first, proj_size)
    r = run(cfg, seq_len=SEQ_LEN, batch_size=BATCH, unbatched=unbatched)
    D = 2 if bidirectional else 1
    H_out = proj_size if proj_size else HIDDEN
    if unbatched:
        x_shape, out_shape = (SEQ_LEN, INPUT), (SEQ_LEN, D * H_out)
        h_shape, c_shape = (num_layers * D, H_out), (num_layers * D, HIDDEN)
    else:
        h_shape, c_shape = (num_layers * D, BATCH, H_out), (num_layers * D, BATCH, HIDDEN)
        if batch_first:
            x_shape, out_shape = (BATCH, SEQ_LEN, INPUT), (BATCH, SEQ_LEN, D * H_out)
        else:
            x_shape, out_shape = (SEQ_LEN, BATCH, INPUT), (SEQ_LEN, BATCH, D * H_out)
    assert r.x.shape == x_shape
    assert r.output.shape == out_shape
    assert r.h_n.shape == h_shape
    if cell == "lstm":
        assert r.c_n.shape == c_shape
    else:
        assert r.c_n is None
    assert r.unbatched is unbatched
    assert r.lengths is None
    assert cfg.num_directions == D and cfg.h_out == H_out


@pytest.mark.parametrize("combo", COMBOS, ids=combo_id)
def test_run_returns_what_the_module_returns(combo):
    cell, bidirectional, batch_first, proj_size, unbatched, num_layers = combo
    cfg = RNNConfig(cell, INPUT, HIDDEN, num_layers, bidirectional, batch_first, proj_size)
    r = run(cfg, seq_len=SEQ_LEN, batch_size=BATCH, unbatched=unbatched)
    assert type(r.module) is {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[cell]
    assert (r.module.input_size, r.module.hidden_size, r.module.num_layers) == (INPUT, HIDDEN, num_layers)
    assert (r.module.bidirectional, r.module.batch_first, r.module.proj_size) == (bidirectional, batch_first, proj_size)
    output, state = r.module(r.x)
    h_n, c_n = state if cell == "lstm" else (state, None)
    assert torch.equal(output, r.output)
    assert torch.equal(h_n, r.h_n)
    if cell == "lstm":
        assert torch.equal(c_n, r.c_n)


def test_cells_are_the_three_pytorch_modules():
    assert CELLS == {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def test_config_defaults_and_derived_sizes():
    cfg = RNNConfig()
    assert (cfg.cell, cfg.num_layers, cfg.bidirectional, cfg.batch_first, cfg.proj_size) == ("gru", 1, False, False, 0)
    assert cfg.num_directions == 1 and cfg.h_out == cfg.hidden_size
    lstm = RNNConfig("lstm", hidden_size=5, proj_size=2, bidirectional=True)
    assert lstm.num_directions == 2 and lstm.h_out == 2


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        RNNConfig().hidden_size = 7


# --- seeding ---------------------------------------------------------------------------

SEEDED = [
    RNNConfig("rnn", 3, 4, 2, True, False),
    RNNConfig("gru", 3, 4, 1, False, True, seed=5),
    RNNConfig("lstm", 3, 4, 2, True, True, proj_size=2, seed=11),
    RNNConfig("lstm", 3, 4, 3, False, False, dropout=0.5, seed=2),  # dropout draws random masks
]


def _results(r):
    return [r.x, r.output, r.h_n] + ([] if r.c_n is None else [r.c_n]) + list(r.module.state_dict().values())


@pytest.mark.parametrize("cfg", SEEDED, ids=lambda c: f"{c.cell}-seed{c.seed}-dropout{c.dropout}")
def test_same_config_gives_identical_results(cfg):
    first = run(cfg, seq_len=6, batch_size=3)
    torch.manual_seed(1234)  # whatever the global generator did in between
    torch.rand(17)
    second = run(cfg, seq_len=6, batch_size=3)
    assert len(_results(first)) == len(_results(second))
    for a, b in zip(_results(first), _results(second)):
        assert torch.equal(a, b)


@pytest.mark.parametrize("cfg", SEEDED, ids=lambda c: f"{c.cell}-seed{c.seed}-dropout{c.dropout}")
def test_different_seed_gives_different_results(cfg):
    other = RNNConfig(**{**cfg.__dict__, "seed": cfg.seed + 1})
    a, b = run(cfg, seq_len=6, batch_size=3), run(other, seq_len=6, batch_size=3)
    assert not torch.equal(a.x, b.x)
    assert not torch.equal(a.output, b.output)
    assert not torch.equal(a.h_n, b.h_n)
    for name, weight in a.module.state_dict().items():
        assert not torch.equal(weight, b.module.state_dict()[name]), name


def test_build_module_weights_depend_only_on_seed():
    cfg = RNNConfig("gru", 3, 4, 2, seed=7)
    torch.manual_seed(99)
    a = build_module(cfg).state_dict()
    b = build_module(cfg).state_dict()
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_make_input_is_seeded_and_shaped():
    cfg = RNNConfig(input_size=3, seed=4)
    assert torch.equal(make_input(cfg, 5, 2), make_input(cfg, 5, 2))
    assert not torch.equal(make_input(cfg, 5, 2), make_input(RNNConfig(input_size=3, seed=5), 5, 2))
    assert make_input(cfg, 5, 2).shape == (5, 2, 3)
    assert make_input(RNNConfig(input_size=3, batch_first=True), 5, 2).shape == (2, 5, 3)
    assert make_input(cfg, 5, 2, unbatched=True).shape == (5, 3)


# --- packed input ------------------------------------------------------------------------

PACKED = [
    (cell, bidirectional, batch_first, num_layers)
    for cell in ["rnn", "gru", "lstm"]
    for bidirectional in [False, True]
    for batch_first in [False, True]
    for num_layers in [1, 2]
]


@pytest.mark.parametrize("cell,bidirectional,batch_first,num_layers", PACKED)
def test_lengths_give_padded_tensor_with_zeros_after_each_length(cell, bidirectional, batch_first, num_layers):
    lengths = [5, 2, 4, 1]
    cfg = RNNConfig(cell, 3, 4, num_layers, bidirectional, batch_first)
    r = run(cfg, seq_len=5, batch_size=4, lengths=lengths)
    assert type(r.output) is torch.Tensor  # not a PackedSequence
    D = 2 if bidirectional else 1
    assert r.output.shape == ((4, 5, D * 4) if batch_first else (5, 4, D * 4))
    assert r.lengths.dtype == torch.int64 and r.lengths.tolist() == lengths
    for n, length in enumerate(lengths):
        seq = r.output[n] if batch_first else r.output[:, n]  # (L, D * H_out)
        assert torch.count_nonzero(seq[length:]) == 0
        assert (seq[:length] != 0).any(dim=-1).all()  # every valid step carries values


@pytest.mark.parametrize("cell,bidirectional,batch_first,num_layers", PACKED)
def test_packed_run_matches_each_sequence_run_alone(cell, bidirectional, batch_first, num_layers):
    lengths = [3, 5, 1]
    cfg = RNNConfig(cell, 3, 4, num_layers, bidirectional, batch_first)
    r = run(cfg, seq_len=5, batch_size=3, lengths=lengths)
    for n, length in enumerate(lengths):
        alone = (r.x[n] if batch_first else r.x[:, n])[:length]  # (length, H_in), unbatched
        output, state = r.module(alone)
        h_n = state[0] if cell == "lstm" else state
        got = (r.output[n] if batch_first else r.output[:, n])[:length]
        torch.testing.assert_close(got, output)
        torch.testing.assert_close(r.h_n[:, n], h_n)
        if cell == "lstm":
            torch.testing.assert_close(r.c_n[:, n], state[1])


def test_lengths_as_tensor_list_or_numpy_agree():
    cfg = RNNConfig("gru", 3, 4, bidirectional=True)
    a = run(cfg, seq_len=4, batch_size=2, lengths=[4, 2])
    b = run(cfg, seq_len=4, batch_size=2, lengths=torch.tensor([4, 2]))
    c = run(cfg, seq_len=4, batch_size=2, lengths=np.array([4, 2]))
    for other in (b, c):
        assert torch.equal(a.output, other.output) and torch.equal(a.h_n, other.h_n)
        assert torch.equal(a.lengths, other.lengths)


# --- bad input ------------------------------------------------------------------------------


def _message(*parts):
    """A regex that wants every part, literally, in that order."""
    return ".*".join(re.escape(p) for p in parts)


CONFIG_ERRORS = [
    (dict(input_size=0), ["input_size=0", "integer from 1 to"]),
    (dict(hidden_size=-2), ["hidden_size=-2", "integer from 1 to"]),
    (dict(num_layers=0), ["num_layers=0", "integer from 1 to 16"]),
    (dict(hidden_size=2.5), ["hidden_size=2.5", "integer from 1 to"]),
    (dict(num_layers=True), ["num_layers=True", "integer from 1 to 16"]),
    (dict(cell="lstm", hidden_size=3, proj_size=3), ["proj_size=3", "hidden_size=3", "smaller than hidden_size"]),
    (dict(cell="lstm", hidden_size=3, proj_size=8), ["proj_size=8", "hidden_size=3", "smaller than hidden_size"]),
    (dict(cell="lstm", proj_size=-1), ["proj_size=-1", "integer from 0 to"]),
    (dict(cell="gru", hidden_size=4, proj_size=2), ["proj_size=2", "cell='gru'", "only cell='lstm'"]),
    (dict(cell="rnn", hidden_size=4, proj_size=2), ["proj_size=2", "cell='rnn'", "only cell='lstm'"]),
    (dict(cell="transformer"), ["cell='transformer'", "one of ['gru', 'lstm', 'rnn']"]),
    (dict(cell="GRU"), ["cell='GRU'", "one of ['gru', 'lstm', 'rnn']"]),
    (dict(cell=["gru"]), ["cell=['gru']", "one of ['gru', 'lstm', 'rnn']"]),
    (dict(dropout=1.0), ["dropout=1.0", "[0, 1)"]),
    (dict(dropout=1), ["dropout=1", "[0, 1)"]),
    (dict(dropout=-0.1), ["dropout=-0.1", "[0, 1)"]),
    (dict(dropout=float("nan")), ["dropout=nan", "[0, 1)"]),
    (dict(dropout="0.1"), ["dropout='0.1'", "[0, 1)"]),
    (dict(bidirectional=1), ["bidirectional=1", "True or False"]),
    (dict(batch_first="yes"), ["batch_first='yes'", "True or False"]),
    (dict(seed=-1), ["seed=-1", "integer >= 0"]),
]


def _raised_outside_torch(excinfo):
    """True if no frame of the traceback is inside torch: the helper raised first."""
    return not any("/torch/" in str(entry.path).replace("\\", "/") for entry in excinfo.traceback)


@pytest.mark.parametrize("kwargs,parts", CONFIG_ERRORS, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_bad_config_raises_value_error_naming_parameter_value_and_rule(kwargs, parts):
    with pytest.raises(ValueError, match=_message(*parts)) as excinfo:
        RNNConfig(**kwargs)
    assert _raised_outside_torch(excinfo)


@pytest.mark.parametrize("kwargs", [dict(hidden_size=0), dict(num_layers=0), dict(dropout=1.5)])
def test_torch_alone_would_raise_its_own_error(kwargs):
    """The same bad values reach torch without our check: its message is not ours."""
    with pytest.raises(Exception) as excinfo:
        nn.GRU(**{"input_size": 2, "hidden_size": 3, **kwargs})
    assert "is not allowed" not in str(excinfo.value)


RUN_ERRORS = [
    (dict(seq_len=5, batch_size=2, lengths=[5]), ["lengths=[5]", "1 entries", "batch_size=2"]),
    (dict(seq_len=5, batch_size=2, lengths=[5, 2, 1]), ["lengths=[5, 2, 1]", "3 entries", "batch_size=2"]),
    (dict(seq_len=5, batch_size=2, lengths=[0, 3]), ["lengths=[0, 3]", "integer from 1 to seq_len=5"]),
    (dict(seq_len=5, batch_size=2, lengths=[6, 3]), ["lengths=[6, 3]", "integer from 1 to seq_len=5"]),
    (dict(seq_len=5, batch_size=2, lengths=[-1, 3]), ["lengths=[-1, 3]", "integer from 1 to seq_len=5"]),
    (dict(seq_len=5, batch_size=2, lengths=[2.5, 3]), ["lengths=[2.5, 3]", "integer from 1 to seq_len=5"]),
    (dict(seq_len=5, batch_size=2, lengths=torch.tensor([7, 3])), ["lengths=[7, 3]", "integer from 1 to seq_len=5"]),
    (dict(seq_len=5, batch_size=2, lengths=4), ["lengths=4", "sequence of 2 integers"]),
    (dict(seq_len=5, unbatched=True, lengths=[5]), ["lengths", "unbatched=True"]),
    (dict(seq_len=0), ["seq_len=0", "integer from 1 to"]),
    (dict(batch_size=0), ["batch_size=0", "integer from 1 to"]),
    (dict(seq_len=2.0), ["seq_len=2.0", "integer from 1 to"]),
    (dict(unbatched="no"), ["unbatched='no'", "True or False"]),
]


@pytest.mark.parametrize("kwargs,parts", RUN_ERRORS, ids=[str(p[0]) for _, p in RUN_ERRORS])
def test_bad_run_arguments_raise_value_error_before_torch(kwargs, parts):
    with pytest.raises(ValueError, match=_message(*parts)) as excinfo:
        run(RNNConfig("lstm", 2, 3), **kwargs)
    assert _raised_outside_torch(excinfo)


@pytest.mark.parametrize(
    "kwargs,parts",
    [
        (dict(seq_len=-3), ["seq_len=-3", "integer from 1 to"]),
        (dict(batch_size=False), ["batch_size=False", "integer from 1 to"]),
        (dict(unbatched=0), ["unbatched=0", "True or False"]),
    ],
)
def test_bad_make_input_arguments(kwargs, parts):
    with pytest.raises(ValueError, match=_message(*parts)):
        make_input(RNNConfig(), **kwargs)


@pytest.mark.parametrize("name,value", [("hidden_size", 10**9), ("input_size", 1025), ("num_layers", 17)])
def test_sizes_past_the_teaching_cap_get_a_value_error_that_says_why(name, value):
    with pytest.raises(ValueError) as info:
        RNNConfig(**{name: value})
    message = str(info.value)
    assert message.startswith(f"{name}={value} is not allowed: {name} must be an integer from 1 to ")
    assert message.endswith("(the limit of the teaching helpers, which keeps every run small enough for a laptop)")


def test_hidden_size_at_the_cap_is_accepted():
    from helpers.checks import MAX_FEATURES

    assert RNNConfig(hidden_size=MAX_FEATURES).hidden_size == MAX_FEATURES


@pytest.mark.parametrize("kwargs", [dict(seq_len=5000), dict(batch_size=5000), dict(seq_len=4000, batch_size=4000)])
def test_inputs_past_the_teaching_cap_get_a_value_error(kwargs):
    with pytest.raises(ValueError, match="the limit of the teaching helpers"):
        make_input(RNNConfig(input_size=8), **kwargs)


@pytest.mark.parametrize("batch_first", [False, True])
def test_packed_run_where_every_sequence_is_shorter_keeps_seq_len_steps(batch_first):
    r = run(RNNConfig("gru", 3, 4, 2, batch_first=batch_first), seq_len=6, batch_size=3, lengths=[4, 2, 3])
    output = r.output if not batch_first else r.output.transpose(0, 1)  # (L, N, H_out)
    assert output.shape == (6, 3, 4)
    for n, length in enumerate([4, 2, 3]):
        assert torch.count_nonzero(output[length:, n]) == 0  # zeros after each end
        assert torch.count_nonzero(output[length - 1, n]) == 4  # a real state at the last valid step
        assert torch.equal(output[length - 1, n], r.h_n[-1, n])
