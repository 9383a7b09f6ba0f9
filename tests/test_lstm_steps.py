"""helpers.lstm_steps: stepping an nn.LSTM by hand gives what the module returns, in every layout."""

import itertools
import warnings

import pytest
import torch
from torch import nn

from helpers.lstm_steps import lstm_cell_step, lstm_steps


def forward(lstm, x, state=None):
    """lstm(x) without the oneDNN note about projections on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lstm(x, state)


@pytest.mark.parametrize(
    "num_layers,bidirectional,proj_size,batch_first",
    list(itertools.product([1, 3], [False, True], [0, 2], [False, True])),
)
def test_steps_match_output_h_n_and_c_n(num_layers, bidirectional, proj_size, batch_first):
    torch.manual_seed(0)
    lstm = nn.LSTM(
        4, 5, num_layers=num_layers, bidirectional=bidirectional, proj_size=proj_size, batch_first=batch_first
    )
    x = torch.randn(3, 6, 4)  # (N, L, H_in) if batch_first else (L, N, H_in)
    n = 3 if batch_first else 6
    rows, h_out = num_layers * (2 if bidirectional else 1), proj_size or 5
    h_0, c_0 = torch.randn(rows, n, h_out), torch.randn(rows, n, 5)
    output, (h_n, c_n) = forward(lstm, x, (h_0, c_0))
    steps = lstm_steps(lstm, x, h_0, c_0)
    time_major = output.transpose(0, 1) if batch_first else output  # (L, N, D * H_out)
    torch.testing.assert_close(steps.output, time_major)
    torch.testing.assert_close(steps.h_n, h_n)
    torch.testing.assert_close(steps.c_n, c_n)
    # indexing written out: the top layer's forward h at step t is output at step t, first H_out features
    for t in range(time_major.shape[0]):
        torch.testing.assert_close(steps.h[-1, 0, t], time_major[t, :, :h_out])
    assert steps.c.shape[-1] == 5 and steps.h.shape[-1] == h_out  # c keeps hidden_size


def test_zero_initial_state_is_the_default_and_unbatched_input_works():
    torch.manual_seed(1)
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = torch.randn(5, 3)  # (L, H_in)
    output, (h_n, c_n) = lstm(x)
    steps = lstm_steps(lstm, x)
    torch.testing.assert_close(steps.output[:, 0], output)
    torch.testing.assert_close(steps.h_n[:, 0], h_n)
    torch.testing.assert_close(steps.c_n[:, 0], c_n)


def test_projection_is_weight_hr_applied_to_the_raw_states():
    torch.manual_seed(2)
    lstm = nn.LSTM(3, 6, proj_size=2)
    steps = lstm_steps(lstm, torch.randn(4, 2, 3))
    torch.testing.assert_close(steps.h[0, 0], steps.h_raw[0, 0] @ lstm.weight_hr_l0.T)
    assert steps.h_raw.shape[-1] == 6


def test_one_cell_step_matches_nn_lstmcell():
    torch.manual_seed(3)
    cell = nn.LSTMCell(3, 4)
    x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    h_1, c_1 = cell(x, (h, c))
    h_2, c_2, raw = lstm_cell_step(x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    torch.testing.assert_close(h_2, h_1)
    torch.testing.assert_close(c_2, c_1)
    assert torch.equal(raw, h_2)  # no projection: h is the raw state


@pytest.mark.parametrize(
    "module,x,message",
    [
        (nn.GRU(3, 4), torch.zeros(2, 1, 3), r"lstm=GRU is not allowed: lstm must be an nn.LSTM"),
        (nn.LSTM(3, 4), torch.zeros(3), r"x=\(3,\) is not allowed"),
        (
            nn.LSTM(3, 4),
            torch.zeros(2, 1, 5),
            r"x.shape\[-1\]=5 is not allowed: it must be the module's input_size \(3\)",
        ),
    ],
)
def test_bad_input_raises_value_error(module, x, message):
    with pytest.raises(ValueError, match=message):
        lstm_steps(module, x)


def test_a_starting_state_of_the_wrong_shape_raises_value_error():
    lstm = nn.LSTM(3, 4, num_layers=2, proj_size=2)
    x = torch.zeros(5, 6, 3)  # (L, N, H_in)
    with pytest.raises(ValueError, match=r"h_0=\(2, 6, 4\) is not allowed: .* must have shape \(2, 6, 2\)"):
        lstm_steps(lstm, x, torch.zeros(2, 6, 4), torch.zeros(2, 6, 4))
    with pytest.raises(ValueError, match=r"c_0=\(2, 1, 4\) is not allowed: .* must have shape \(2, 4\)"):
        lstm_steps(lstm, x[:, 0], torch.zeros(2, 2), torch.zeros(2, 1, 4))
