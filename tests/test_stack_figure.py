"""helpers.stack_figure: the stack of one-layer modules, drawn from torch's own shapes, in the order that feeds.

The picture is checked by its geometry: x enters the bottom module, each module's output arrow ends at the
module above, the top one's at `output`, and each module's final-state arrow ends at its own rows of h_n, which
run bottom first. Its words are checked against the shapes the module returns.
"""

import io
import itertools

import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image
from torch import nn

import helpers
from helpers.plots.stack import stack, stack_model

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def module_and_input(cell="gru", num_layers=3, bidirectional=False, batch_first=False, proj_size=0, unbatched=False):
    torch.manual_seed(0)
    kwargs = dict(input_size=4, hidden_size=3, num_layers=num_layers, bidirectional=bidirectional)
    kwargs["batch_first"] = batch_first
    if proj_size:
        kwargs["proj_size"] = proj_size
    module = CELLS[cell](**kwargs)
    torch.manual_seed(1)
    shape = (5, 4) if unbatched else ((2, 5, 4) if batch_first else (5, 2, 4))
    return module, torch.randn(shape)


def texts(art) -> list[str]:
    return [t.get_text() for t in art.texts]


CASES = [
    dict(cell=cell, num_layers=layers, bidirectional=bi)
    for cell, layers, bi in itertools.product(["rnn", "gru", "lstm"], [1, 2, 4], [False, True])
] + [
    dict(cell="lstm", num_layers=2, proj_size=2, bidirectional=True),
    dict(cell="gru", num_layers=2, batch_first=True),
    dict(cell="gru", num_layers=2, unbatched=True),
]


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_model_is_the_modules_own_shapes_and_the_stack_equals_it(case):
    module, x = module_and_input(**case)
    result = module(x)
    output, state = result
    h_n, c_n = state if isinstance(module, nn.LSTM) else (state, None)
    model = stack_model(module, x)
    assert (model.x, model.output, model.h_n) == (tuple(x.shape), tuple(output.shape), tuple(h_n.shape))
    assert model.c_n == (None if c_n is None else tuple(c_n.shape))
    assert model.output_equal and model.h_n_equal and model.c_n_equal in (None, True)
    d = 2 if module.bidirectional else 1
    h_out = module.proj_size if isinstance(module, nn.LSTM) and module.proj_size else module.hidden_size
    assert len(model.layers) == module.num_layers
    for k, layer in enumerate(model.layers):
        assert layer.reads[-1] == (4 if k == 0 else d * h_out)  # layer k + 1 reads D * H_out features
        assert layer.output[-1] == d * h_out and layer.rows == tuple(range(k * d, (k + 1) * d))
        assert f"input_size={layer.reads[-1]}" in layer.call


@pytest.mark.parametrize("case", [dict(num_layers=3), dict(num_layers=2, bidirectional=True, cell="lstm")], ids=str)
def test_the_arrows_go_where_the_tensors_go(case):
    module, x = module_and_input(**case)
    art = stack(stack_model(module, x))
    d = 2 if module.bidirectional else 1
    boxes = [art.modules[k * d : (k + 1) * d] for k in range(module.num_layers)]  # bottom first

    def span(rects):
        xs = [r.get_x() for r in rects] + [r.get_x() + r.get_width() for r in rects]
        return min(xs), max(xs), rects[0].get_y(), rects[0].get_y() + rects[0].get_height()

    ends = [(a._posA_posB[0], a._posA_posB[1]) for a in art.output_arrows]
    assert len(ends) == module.num_layers + 1  # x -> layer 0 -> ... -> top -> output
    for k, rects in enumerate(boxes):
        left, right, bottom, top = span(rects)
        (_, into), (leave, _) = ends[k], ends[k + 1]
        assert left < into[0] < right and into[1] == pytest.approx(bottom)  # what it reads comes in from below
        assert leave[1] == pytest.approx(top)  # its output leaves from its top ...
        if k + 1 < module.num_layers:  # ... to the module above, at its bottom
            assert ends[k + 1][1][1] == pytest.approx(boxes[k + 1][0].get_y())
    output_label = next(t for t in art.texts if t.get_text().startswith("output:"))
    assert output_label.get_position()[1] > ends[-1][1][1]  # the top arrow ends under the word output
    x_label = next(t for t in art.texts if t.get_text().startswith("x:"))
    assert x_label.get_position()[1] < ends[0][0][1]
    # final states: one dashed arrow per module, from its right side to its own rows of h_n, which run bottom first
    assert len(art.rows) == module.num_layers * d
    ys = [r.get_y() for r in art.rows]
    assert ys == sorted(ys)  # h_n[0] lowest: the module that reads x
    for k, arrow in enumerate(art.final_arrows):
        start, end = arrow._posA_posB
        left, right, bottom, top = span(boxes[k])
        assert start[0] == pytest.approx(right) and bottom < start[1] < top
        for row in art.rows[k * d : (k + 1) * d]:
            assert row.get_x() >= end[0] and bottom <= row.get_y() <= row.get_y() + row.get_height() <= top
    assert {a.get_linestyle() for a in art.output_arrows} != {a.get_linestyle() for a in art.final_arrows}


def test_the_words_are_the_shapes_torch_returns():
    module, x = module_and_input(num_layers=3)
    output, h_n = module(x)
    said = texts(stack(stack_model(module, x)))
    assert f"output: (L, N, D * H_out) = {tuple(output.shape)}" in said
    assert f"x: (L, N, H_in) = {tuple(x.shape)}" in said
    assert f"h_n: {tuple(h_n.shape)}" in said
    assert [f"h_n[{k}]" for k in range(3)] == [s for s in said if s.startswith("h_n[")]
    assert any("output equals output: True" in s and "equal h_n: True" in s for s in said)
    assert "nn.GRU(input_size=4, hidden_size=3, num_layers=3): a stack of 3 one-layer modules" in said
    module, x = module_and_input(num_layers=2, bidirectional=True, batch_first=True, cell="lstm")
    said = texts(stack(stack_model(module, x)))
    assert "output: (N, L, D * H_out) = (2, 5, 6)" in said and "c_n: (4, 2, 3), same rows" in said
    assert ["h_n[0] fwd", "h_n[1] bwd", "h_n[2] fwd", "h_n[3] bwd"] == [s for s in said if s.startswith("h_n[")]
    assert "h only: its c stays in layer 0" in said


def test_stack_figure_is_exported_and_wide_enough_to_read():
    module, x = module_and_input(num_layers=3)
    fig = helpers.stack_figure(module, x)
    assert isinstance(fig, Figure) and helpers.stack_model is stack_model
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    width, height = Image.open(buffer).size
    assert width >= 900 and height >= 400


def test_bad_input_is_refused_by_name():
    module, x = module_and_input(num_layers=2)
    with pytest.raises(ValueError, match="module=Linear"):
        stack_model(nn.Linear(4, 3), x)
    with pytest.raises(ValueError, match=r"x=\(5,\)"):
        stack_model(module, torch.zeros(5))
    with pytest.raises(ValueError, match=r"x.shape\[-1\]=3"):
        stack_model(module, torch.zeros(5, 2, 3))
    torch.manual_seed(0)
    dropped = nn.GRU(4, 3, num_layers=2, dropout=0.5)
    with pytest.raises(ValueError, match="module.dropout=0.5"):
        stack_model(dropped, x)
    assert stack_model(dropped.eval(), x).output_equal  # in eval mode there is no dropout to draw
