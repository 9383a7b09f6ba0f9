"""The grid's arrows against torch: what feeds what, derived from the module's own weights, is what is drawn.

helpers.plots.grid.feeds lists the (from, to) pairs the arrows stand for. Here the same pairs are found from torch
alone, without the grid's code: along a row, one step of the layer's own weights from the state at t gives the
state at t' only for the next step its direction reads; between layers, nudging one direction's state of layer k
at step s changes both directions of layer k + 1 first at step s. The layout is then checked to draw exactly those.
"""

import itertools

import pytest
import torch
from torch import nn

from helpers import RNNConfig, grid_model, layer_twin, run, run_layers, split_layers, unroll
from helpers.plots.grid import (
    FILL,
    FRAME_LEGEND,
    LEGEND,
    TAG,
    _layout,
    feeds,
    footer_lines,
    index_line,
)
from helpers.states import IN_NEITHER, PADDING
from helpers.views.grid import compute_grid

WIDTH = 720.0
CONFIGS = [
    RNNConfig(cell=cell, input_size=3, hidden_size=3, num_layers=layers, bidirectional=bi, batch_first=False, seed=5)
    for cell, layers, bi in itertools.product(["rnn", "gru", "lstm"], [1, 2, 3], [False, True])
]


def one_direction(module: nn.Module, layer: int, direction: int, input_size: int) -> nn.Module:
    """A one-layer, one-direction module holding the weights of (layer, direction) of module."""
    kwargs = {"proj_size": module.proj_size} if isinstance(module, nn.LSTM) else {}
    if isinstance(module, nn.RNN):
        kwargs["nonlinearity"] = module.nonlinearity
    solo = type(module)(input_size, module.hidden_size, **kwargs)
    suffix = f"_l{layer}" + ("_reverse" if direction else "")
    with torch.no_grad():
        for name, parameter in solo.named_parameters():
            parameter.copy_(getattr(module, name.replace("_l0", suffix)))
    return solo


def layer_input(states, layer: int, x: torch.Tensor) -> torch.Tensor:
    """What layer reads at every step: x for layer 0, else the layer below's states side by side (L, N, D * H)."""
    if layer == 0:
        return x
    below = states.hidden[layer - 1]  # (D, L, N, H_out)
    return torch.cat(list(below), dim=-1)


def row_feeds_from_torch(r, cell_states: bool) -> set:
    """(layer, d, t) -> (layer, d, t') wherever one step of (layer, d)'s weights from the state at t gives t'."""
    states = unroll(r)
    seq_len, found = r.x.shape[0], set()
    for layer, d in itertools.product(range(r.config.num_layers), range(r.config.num_directions)):
        inp = layer_input(states, layer, r.x)
        solo = one_direction(r.module, layer, d, inp.shape[-1])
        for t, t2 in itertools.permutations(range(seq_len), 2):
            h0 = states.hidden[layer, d, t].unsqueeze(0)  # (1, N, H_out)
            if r.config.cell == "lstm":
                c0 = states.cell[layer, d, t].unsqueeze(0)
                _, (h, c) = solo(inp[t2 : t2 + 1], (h0, c0))
                got, want = (c, states.cell[layer, d, t2]) if cell_states else (h, states.hidden[layer, d, t2])
            else:
                _, h = solo(inp[t2 : t2 + 1], h0)
                got, want = h, states.hidden[layer, d, t2]
            if torch.allclose(got[0], want, atol=1e-6):
                found.add(((layer, d, t), (layer, d, t2)))
    return found


def layer_feeds_from_torch(r) -> set:
    """(k, d, s) -> (k + 1, d', t): nudging direction d of layer k at step s first changes d' of layer k + 1 at t."""
    states = unroll(r)
    h, found = r.config.h_out, set()
    for k in range(r.config.num_layers - 1):
        twin = layer_twin(r.module, k + 1)
        inp = layer_input(states, k + 1, r.x)
        out, _ = twin(inp)  # (L, N, D * H_out)
        torch.testing.assert_close(out, torch.cat(list(states.hidden[k + 1]), dim=-1))  # inp is what it reads
        for d, s in itertools.product(range(r.config.num_directions), range(inp.shape[0])):
            nudged = inp.clone()
            nudged[s, :, d * h : (d + 1) * h] += 0.5  # only layer k's direction d, only step s
            changed, _ = twin(nudged)
            for d2 in range(r.config.num_directions):
                half = slice(d2 * h, (d2 + 1) * h)
                steps = [t for t in range(inp.shape[0]) if not torch.equal(changed[t, :, half], out[t, :, half])]
                first = min(steps) if d2 == 0 else max(steps)  # the first step direction d2 reads that changed
                found.add(((k, d, s), (k + 1, d2, first)))
    return found


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_the_hidden_state_arrows_are_what_torch_feeds(config):
    r = run(config, seq_len=4, batch_size=2)
    expected = row_feeds_from_torch(r, cell_states=False) | layer_feeds_from_torch(r)
    assert set(feeds(grid_model(r))) == expected
    if config.bidirectional and config.num_layers > 1:  # both directions of layer 0 feed both of layer 1
        assert {((0, d, 2), (1, d2, 2)) for d in (0, 1) for d2 in (0, 1)} <= expected


@pytest.mark.parametrize("layers,bidirectional", [(2, False), (2, True), (3, True)])
def test_the_cell_state_arrows_stay_in_their_row(layers, bidirectional):
    config = RNNConfig(cell="lstm", input_size=3, hidden_size=4, num_layers=layers, bidirectional=bidirectional)
    r = run(config, seq_len=4, batch_size=2)
    drawn = set(feeds(grid_model(r, cell_states=True)))
    assert drawn == row_feeds_from_torch(r, cell_states=True)
    assert all(a[0] == b[0] for a, b in drawn)  # no arrow between layers


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
def test_the_layer_above_reads_h_never_c():
    # With proj_size, h is narrower than c: the layer above reads D * H_out features, the width of h.
    torch.manual_seed(0)
    lstm = nn.LSTM(input_size=3, hidden_size=4, proj_size=2, num_layers=3, bidirectional=True)
    x = torch.randn(5, 2, 3)
    for k in (1, 2):
        assert getattr(lstm, f"weight_ih_l{k}").shape[1] == 2 * lstm.proj_size != 2 * lstm.hidden_size
    # A stack that hands each module only the output (h) of the one below is the module, to the last bit.
    output, (h_n, c_n) = lstm(x)
    stack = run_layers(split_layers(lstm), x)
    assert torch.equal(stack.output, output) and torch.equal(stack.h_n, h_n) and torch.equal(stack.c_n, c_n)


def test_both_directions_below_feed_both_directions_above_by_the_weights():
    # weight_ih_l1 has D * H_out columns: its first H_out read layer 0's forward half, the rest its backward half,
    # and for both directions of layer 1 neither block is zero.
    torch.manual_seed(0)
    gru = nn.GRU(input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    for name in ("weight_ih_l1", "weight_ih_l1_reverse"):
        weight = getattr(gru, name)
        assert weight.shape == (3 * 4, 2 * 4)
        assert weight[:, :4].abs().sum() > 0 and weight[:, 4:].abs().sum() > 0


# --- the layout draws exactly those arrows ----------------------------------------------------------------------


def boxes_at(model, rects) -> dict:
    """(layer, direction, step) -> (x, y, w, h) of its box, from the layout's rectangles (in model.boxes order)."""
    seen = {category: 0 for category in FILL}
    where = {}
    for box in model.boxes:
        where[box.layer, box.direction, box.step] = rects[box.category][seen[box.category]]
        seen[box.category] += 1
    return where


def encloses(outer, inner) -> bool:
    (x, y, w, h), (x2, y2, w2, h2) = outer, inner
    return x <= x2 and y <= y2 and x2 + w2 <= x + w and y2 + h2 <= y + h


@pytest.mark.parametrize(
    "settings",
    [
        dict(num_layers=3, seq_len=5),
        dict(num_layers=2, seq_len=5, bidirectional=True),
        dict(num_layers=3, seq_len=8, bidirectional=True, cell="lstm", lengths=(8, 3, 1), batch=1),
        dict(num_layers=2, seq_len=6, cell="lstm", cell_states=True),
        dict(num_layers=3, seq_len=4, bidirectional=True, cell="lstm", cell_states=True),
        dict(num_layers=1, seq_len=3, bidirectional=True),
    ],
    ids=str,
)
def test_the_layout_draws_one_arrow_per_feed(settings):
    model = compute_grid(**settings)
    _, rects, _, arrows, frames, _, _ = _layout(model, WIDTH)
    where = boxes_at(model, rects)
    pairs = feeds(model)
    along = [p for p in pairs if p[0][0] == p[1][0]]
    up = [p for p in pairs if p[0][0] != p[1][0]]
    flat = [a for a in arrows if a[1] == a[3]]
    rising = [a for a in arrows if a[0] == a[2] and a[3] > a[1]]
    assert len(flat) + len(rising) == len(arrows)  # every arrow runs along a row or straight up
    assert len(flat) == len(along)
    for (layer, d, t), (_, _, t2) in along:  # each horizontal arrow links its two boxes, in reading order
        (x, y, w, h), (x2, _, _, _) = where[layer, d, t], where[layer, d, t2]
        assert any(a[1] == y + h / 2 and (a[0] < a[2]) == (t2 > t) and min(a[0], a[2]) > min(x, x2) for a in flat)
    framed = model.num_directions == 2 and model.num_layers > 1 and not model.cell_states
    if model.cell_states or model.num_layers == 1:
        assert not up and not rising and not frames
    elif not framed:
        assert len(rising) == len(up)  # one arrow per pair, from the box to the box above
    else:  # one arrow per (layer, step), from the frame of both directions to the frame of both above
        steps = {(a[0], a[2]) for a, _ in up}
        assert len(rising) == len(steps)
        legend_swatches = 1
        assert len(frames) == len({(b.layer, b.step) for b in model.boxes if b.category != PADDING}) + legend_swatches
        for layer, t in steps:
            (x, y, w, h), top = where[layer, 0, t], where[layer + 1, 1, t][1]
            (arrow,) = [a for a in rising if x < a[0] < x + w and a[1] >= y + h and a[3] <= top]
            _, y0, _, y1 = arrow
            below = next(f for f in frames if encloses(f, where[layer, 0, t]))
            above = next(f for f in frames if encloses(f, where[layer + 1, 0, t]))
            assert encloses(below, where[layer, 1, t]) and encloses(above, where[layer + 1, 1, t])
            assert y0 >= below[1] + below[3] and y1 <= above[1]  # from the top of one frame to the bottom of the next


# --- the words match the picture ----------------------------------------------------------------------------------


def words(model, note=None, batch_first=None) -> list[str]:
    """Every string the layout writes."""
    _, _, _, _, _, text, notes = _layout(model, WIDTH, note, batch_first)
    return [item[2] for item in text + notes]


@pytest.mark.parametrize("cell_states", [False, True])
def test_the_footer_names_the_grey_neither_boxes_it_draws(cell_states):
    model = compute_grid(num_layers=2, seq_len=4, cell="lstm", cell_states=cell_states)
    said = " ".join(footer_lines(model))
    assert "blank" not in said.lower()
    assert "grey 'neither' box" in said and TAG[IN_NEITHER] == "neither"
    red, green, blue = (int(FILL[IN_NEITHER][i : i + 2], 16) for i in (1, 3, 5))
    assert red == green == blue < 255  # the fill is a grey, not white
    assert "neither" in LEGEND[IN_NEITHER]
    assert any(b.category == IN_NEITHER and not b.expressions for b in model.boxes)  # no index under them
    assert set(footer_lines(model)) <= set(words(model))


def test_the_footer_says_what_the_frames_and_arrows_mean():
    bi = compute_grid(num_layers=2, seq_len=4, bidirectional=True)
    assert any("cat(fwd, bwd)" in line and "both of its rows" in line for line in footer_lines(bi))
    assert FRAME_LEGEND in words(bi)
    one = compute_grid(num_layers=2, seq_len=4)
    assert FRAME_LEGEND not in words(one) and not any("frame" in line for line in footer_lines(one))
    cells = compute_grid(num_layers=2, seq_len=4, cell="lstm", cell_states=True)
    assert any("reads this layer's h" in line and "never its c" in line for line in footer_lines(cells))


@pytest.mark.parametrize(
    "settings",
    [
        dict(batch_first=True),
        dict(batch_first=False),
        dict(batch_first=True, bidirectional=True),
        dict(batch_first=False, bidirectional=True, lengths=(4, 2), batch=1),
        dict(batch_first=True, lengths=(4, 2), batch=0),
    ],
    ids=str,
)
def test_the_figure_says_which_layout_its_indices_use(settings):
    model = compute_grid(num_layers=2, seq_len=4, **settings)
    line = index_line(model, settings["batch_first"])
    assert f"batch_first={settings['batch_first']}" in line and line in words(model, None, settings["batch_first"])
    # The pattern the line gives for step t is how every output index under the boxes starts.
    pattern = line.split(" is output")[1].split(";")[0].split("]")[0]  # e.g. "[:, t" or "[t, n"
    for box in model.boxes:
        for expression in box.expressions:
            if expression.startswith("output"):
                wanted = pattern.replace("t", str(box.step)).replace("n", str(model.batch))
                assert expression.startswith("output" + wanted), (expression, line)


def test_the_two_layouts_give_two_different_lines():
    first = compute_grid(num_layers=1, seq_len=3)
    second = compute_grid(num_layers=3, seq_len=5, batch_first=False)
    assert "output[:, t]" in index_line(first, True) and "output[t]" in index_line(second, False)
    cells = compute_grid(num_layers=2, seq_len=3, cell="lstm", cell_states=True)
    assert "c_n[k]" in index_line(cells, True) and "output[" not in index_line(cells, True)
