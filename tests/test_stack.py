"""helpers.stack: one-layer modules with copied weights, run one after the other, give the module's results."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from helpers.stack import run_layers, split_layers


def module_and_input(
    cell, num_layers, bidirectional=False, batch_first=False, proj_size=0, dropout=0.0, seq_len=5, batch_size=2
):
    torch.manual_seed(0)
    kwargs = dict(
        input_size=4,
        hidden_size=3,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        dropout=dropout,
    )
    if proj_size:
        kwargs["proj_size"] = proj_size
    module = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[cell](**kwargs)
    shape = (batch_size, seq_len, 4) if batch_first else (seq_len, batch_size, 4)
    return module, torch.randn(shape, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stack_equals_module(cell, bidirectional):
    module, x = module_and_input(cell, 3, bidirectional=bidirectional)
    result = module(x)
    output, (h_n, c_n) = (result[0], result[1]) if cell == "lstm" else (result[0], (result[1], None))
    stack = run_layers(split_layers(module), x)
    assert torch.equal(stack.output, output)
    for row in range(h_n.shape[0]):
        assert torch.equal(stack.h_n[row], h_n[row])
    if cell == "lstm":
        assert torch.equal(stack.c_n, c_n)
    else:
        assert stack.c_n is None


def test_each_layer_gets_its_own_weights():
    module, _ = module_and_input("gru", 3)
    layers = split_layers(module)
    assert [one.input_size for one in layers] == [4, 3, 3]
    for k, one in enumerate(layers):
        assert torch.equal(one.weight_hh_l0, getattr(module, f"weight_hh_l{k}"))
        assert one.weight_hh_l0.data_ptr() != getattr(module, f"weight_hh_l{k}").data_ptr()  # a copy


def test_bidirectional_upper_layers_read_both_directions():
    module, _ = module_and_input("lstm", 2, bidirectional=True, proj_size=2)
    layers = split_layers(module)
    assert layers[1].input_size == 4  # D * H_out = 2 * proj_size
    assert torch.equal(layers[1].weight_hr_l0_reverse, module.weight_hr_l1_reverse)


def test_layer_outputs_are_bottom_first():
    module, x = module_and_input("gru", 2)
    stack = run_layers(split_layers(module), x)
    assert torch.equal(stack.layer_outputs[0][-1], module(x)[1][0])  # bottom layer's last step is h_n[0]
    assert stack.layer_outputs[-1] is stack.output


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_dropout_by_hand_matches_train_mode_with_the_same_seed(cell):
    module, x = module_and_input(cell, 3, dropout=0.5)
    module.train()
    layers = split_layers(module)  # building modules draws random numbers: split before seeding
    torch.manual_seed(7)
    output = module(x)[0]
    torch.manual_seed(7)
    stack = run_layers(layers, x, dropout=0.5)
    assert torch.equal(stack.output, output)
    assert not torch.equal(run_layers(layers, x).output, output)  # dropout really acted


@given(
    cell=st.sampled_from(["rnn", "gru", "lstm"]),
    num_layers=st.integers(1, 4),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    seq_len=st.integers(1, 6),
    batch_size=st.integers(1, 3),
)
def test_property_stack_equals_module(cell, num_layers, bidirectional, batch_first, seq_len, batch_size):
    module, x = module_and_input(cell, num_layers, bidirectional, batch_first, seq_len=seq_len, batch_size=batch_size)
    result = module(x)
    h_n = result[1][0] if cell == "lstm" else result[1]
    stack = run_layers(split_layers(module), x)
    assert torch.equal(stack.output, result[0])
    assert torch.equal(stack.h_n, h_n)


def test_unbatched_input():
    module, x = module_and_input("gru", 2)
    output, h_n = module(x[:, 0])
    stack = run_layers(split_layers(module), x[:, 0])
    assert torch.equal(stack.output, output) and torch.equal(stack.h_n, h_n)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: split_layers(nn.Linear(2, 2)), r"module=Linear is not allowed"),
        (lambda: run_layers([], torch.zeros(3, 1, 4)), r"layers=\[\] is not allowed"),
        (lambda: run_layers([nn.GRU(4, 3, num_layers=2)], torch.zeros(3, 1, 4)), r"layers\[0\]=GRU is not allowed"),
        (lambda: run_layers([nn.GRU(4, 3)], torch.zeros(3)), r"x=\(3,\) is not allowed"),
        (lambda: run_layers([nn.GRU(4, 3)], torch.zeros(3, 1, 5)), r"x.shape\[-1\]=5 is not allowed"),
        (lambda: run_layers([nn.GRU(4, 3)], torch.zeros(3, 1, 4), dropout=1.0), r"dropout=1.0 is not allowed"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
