"""Issue 24's goal for notebooks 05 and 07, on a set of plausible wrong answers written apart from the exercises'
own tests: each gets a message that names its mistake (the phrase listed with it), none gets a raw error, and the
named share is at least 90%. A message that names the wrong cause would fail its phrase."""

import pytest
import torch

from helpers.exercises.batch_first import check_batch_first_shapes, check_rows_to_h_0, check_unbatched_shapes
from helpers.exercises.inside_the_cell import (
    check_first_backward_forget_gate,
    check_frozen_update_gate,
    check_weight_shapes,
)
from helpers.exercises.solutions import batch_first as bf
from helpers.exercises.solutions import inside_the_cell as cell


def _rows_n(module):
    return module.num_layers * (2 if module.bidirectional else 1)


def _rev(lstm):
    return [getattr(lstm, f"{name}_l0_reverse").chunk(4) for name in ("weight_ih", "bias_ih", "bias_hh")]


def _shapes(base, **change):
    return dict(base, **change)


FRESH = [
    # 05, Exercise 1: nn.GRU(3, 5, num_layers=2, bidirectional=True, batch_first=True) on (3, 9, 3)
    (check_batch_first_shapes, _shapes(bf.batch_first_shapes, output=(3, 9, 5)), "so D = 2"),
    (check_batch_first_shapes, _shapes(bf.batch_first_shapes, h_0=(2, 3, 5)), "not num_layers: a bidirectional"),
    (check_batch_first_shapes, _shapes(bf.batch_first_shapes, h_0=(3, 4, 5)), "nor to the h_0 and c_0 you pass"),
    (check_batch_first_shapes, _shapes(bf.batch_first_shapes, h_n=(4, 3, 10)), "one direction only, H_out wide"),
    (check_batch_first_shapes, _shapes(bf.batch_first_shapes, output=(3, 9, 3)), "the last size is D * H_out"),
    (check_batch_first_shapes, _shapes(bf.batch_first_shapes, h_n=(4, 9, 5)), "axis 1 is N, one entry per sequence"),
    (check_batch_first_shapes, {"output": (3, 9, 10), "h_n": (4, 3, 5)}, '"h_0" is missing'),
    # 05, Exercise 2: nn.LSTM(3, 6, num_layers=3, proj_size=2, batch_first=True) on (9, 3)
    (check_unbatched_shapes, _shapes(bf.unbatched_shapes, output=(1, 9, 2)), "you kept a batch axis of size 1"),
    (check_unbatched_shapes, _shapes(bf.unbatched_shapes, c_n=(3, 1, 6)), "you kept a batch axis of size 1"),
    (check_unbatched_shapes, _shapes(bf.unbatched_shapes, output=(9, 6)), "proj_size"),
    (check_unbatched_shapes, _shapes(bf.unbatched_shapes, c_n=(3, 2)), "c_n keeps hidden_size = 6"),
    (check_unbatched_shapes, _shapes(bf.unbatched_shapes, output=(9, 4)), "one direction"),
    (check_unbatched_shapes, _shapes(bf.unbatched_shapes, h_n=(1, 2)), "num_layers * D, one row per layer"),
    # 05, Exercise 3: rows_to_h_0(rows, module)
    (check_rows_to_h_0, lambda rows, m: rows.reshape(_rows_n(m), rows.shape[0], -1).contiguous(), "memory order"),
    (check_rows_to_h_0, lambda rows, m: rows.T.reshape(_rows_n(m), rows.shape[0], -1), "features"),
    (check_rows_to_h_0, lambda rows, m: rows.reshape(rows.shape[0], _rows_n(m), -1).transpose(1, 2), "another order"),
    (check_rows_to_h_0, lambda rows, m: torch.cat(rows.chunk(_rows_n(m), dim=1)), "reshaped"),
    (check_rows_to_h_0, lambda rows, m: rows.reshape(rows.shape[0], -1, m.proj_size), "Here rows is"),
    (check_rows_to_h_0, lambda rows, m: rows.reshape(rows.shape[0], m.num_directions, -1), "module.num_layers"),
    (check_rows_to_h_0, lambda rows, m: rows.reshape(rows.shape[0], -1, m.hidden_size).transpose(0, 1), "proj_size"),
    (check_rows_to_h_0, lambda rows, m: rows.reshape(rows.shape[0], _rows_n(m), -1).contiguous(), "never batch first"),
    (check_rows_to_h_0, lambda rows, m: (bf.rows_to_h_0(rows, m), None), "not one tensor"),
    (check_rows_to_h_0, lambda rows, m: (bf.rows_to_h_0(rows, m),) * 2, "not one tensor"),
    # 07, Exercise 1: nn.LSTM(5, 3, num_layers=2, bidirectional=True, proj_size=2)
    (check_weight_shapes, _shapes(cell.weight_shapes, weight_ih_l0=(12, 3)), "its columns are input_size = 5"),
    (check_weight_shapes, _shapes(cell.weight_shapes, weight_hh_l0=(12, 12)), "its columns are proj_size"),
    (check_weight_shapes, _shapes(cell.weight_shapes, weight_ih_l1=(12, 3)), "D * proj_size = 2 * 2 = 4"),
    (check_weight_shapes, _shapes(cell.weight_shapes, weight_hr_l1_reverse=(2, 2)), "(proj_size, hidden_size)"),
    (check_weight_shapes, _shapes(cell.weight_shapes, weight_ih_l1=(24, 4)), "the rows are the four gates"),
    (check_weight_shapes, _shapes(cell.weight_shapes, weight_ih_l0=(5, 12)), "rows and columns are swapped"),
    (check_weight_shapes, _shapes(cell.weight_shapes, weight_hh_l0=(12, 3)), "not hidden_size"),
    # 07, Exercise 2: first_backward_forget_gate(lstm, x)
    (
        check_first_backward_forget_gate,
        lambda lstm, x: torch.tanh(x[-1] @ _rev(lstm)[0][1].T + _rev(lstm)[1][1] + _rev(lstm)[2][1]),
        "only the cell candidate g through tanh",
    ),
    (
        check_first_backward_forget_gate,
        lambda lstm, x: torch.sigmoid(x[-1] @ _rev(lstm)[0][1].T + _rev(lstm)[1][1] + _rev(lstm)[2][1]).T,
        "the gate is (N, hidden_size)",
    ),
    (
        check_first_backward_forget_gate,
        lambda lstm, x: torch.sigmoid(x @ _rev(lstm)[0][1].T + _rev(lstm)[1][1] + _rev(lstm)[2][1]),
        "the gate is (N, hidden_size)",
    ),
    (
        check_first_backward_forget_gate,
        lambda lstm, x: torch.sigmoid(x[-1] @ lstm.weight_ih_l0_reverse.chunk(4, dim=1)[1].T),
        "x[t] @ W_if.T gives (N, hidden_size)",
    ),
    (
        check_first_backward_forget_gate,
        lambda lstm, x: __import__("helpers").scratch_forward(lstm, x).gates[0, 1]["f"][0],
        "which it computes last",
    ),
    (check_first_backward_forget_gate, lambda lstm, x: lstm.weight_ih_l1_reverse, "weight_ih_l0_reverse"),
    # 07, Exercise 3: frozen_update_gate(h_0, L)
    (check_frozen_update_gate, lambda h_0, L: h_0[-1].unsqueeze(0), "Your tensor is one step"),
    (check_frozen_update_gate, lambda h_0, L: torch.cat([h_0[-1]] * L), "one entry per time step"),
    (check_frozen_update_gate, lambda h_0, L: torch.zeros_like(h_0[-1]).expand(L, -1, -1), "not zeros"),
    (check_frozen_update_gate, lambda h_0, L: torch.tanh(h_0[-1]).expand(L, -1, -1), "nothing moves"),
    (check_frozen_update_gate, lambda h_0, L: h_0[:, -1], "one entry per time step"),
    (check_frozen_update_gate, lambda h_0, L: h_0[0].repeat(L, 1, 1), "output shows the top layer"),
]


def message_of(check, answer) -> str:
    with pytest.raises(AssertionError) as caught:
        check(answer)
    return str(caught.value)


@pytest.mark.parametrize("check,answer,says", FRESH)
def test_each_fresh_mistake_is_named_without_a_raw_error(check, answer, says):
    message = message_of(check, answer)
    assert message.startswith("Not yet") and "Traceback" not in message, message
    assert says in message, message


def test_at_least_nine_in_ten_are_named():
    named = sum(says in message_of(check, answer) for check, answer, says in FRESH)
    assert named >= 0.9 * len(FRESH), f"{named} of {len(FRESH)} named"
