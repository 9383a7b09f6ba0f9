"""helpers.views.gates and helpers.plots.gates: the view draws the gates the module really computes."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import RNNConfig, run
from helpers.plots.gates import PANELS, gate_heatmaps
from helpers.views import SliderView, png_bytes
from helpers.views.gates import compute_gates, draw_gates, gates_figure, gates_view
from helpers.views.page import PagePictures


def expected_gates(cell, layer, batch, scale=3.0):
    """Gates recomputed here from the module's weights for (layer, forward) by plain indexing."""
    r = run(RNNConfig(cell=cell, input_size=3, hidden_size=4, num_layers=2, seed=0), seq_len=12, batch_size=3)
    m, x = r.module, r.x * scale
    seq = x
    for k in range(layer + 1):
        w_ih, w_hh = getattr(m, f"weight_ih_l{k}"), getattr(m, f"weight_hh_l{k}")
        b_ih, b_hh = getattr(m, f"bias_ih_l{k}"), getattr(m, f"bias_hh_l{k}")
        h, c, hs, gates = torch.zeros(3, 4), torch.zeros(3, 4), [], []
        for t in range(12):
            gi, gh = seq[t] @ w_ih.T + b_ih, h @ w_hh.T + b_hh  # (N, G * H)
            if cell == "gru":
                r_, z = torch.sigmoid(gi[:, :4] + gh[:, :4]), torch.sigmoid(gi[:, 4:8] + gh[:, 4:8])
                n = torch.tanh(gi[:, 8:] + r_ * gh[:, 8:])
                h = (1 - z) * n + z * h
                gates.append({"r": r_, "z": z, "n": n})
            else:
                a = gi + gh
                i, f, g, o = (
                    torch.sigmoid(a[:, :4]),
                    torch.sigmoid(a[:, 4:8]),
                    torch.tanh(a[:, 8:12]),
                    torch.sigmoid(a[:, 12:]),
                )
                c = f * c + i * g
                h = o * torch.tanh(c)
                gates.append({"i": i, "f": f, "g": g, "o": o})
            hs.append(h)
        seq = torch.stack(hs)
    return {name: torch.stack([g[name][batch] for g in gates]).T.detach().numpy() for name in gates[0]}  # (H, L)


@pytest.mark.parametrize("cell,layer,batch", [("gru", 0, 0), ("gru", 1, 2), ("lstm", 0, 1), ("lstm", 1, 0)])
def test_compute_gives_the_modules_gates(cell, layer, batch):
    frame = compute_gates(cell, layer, batch)
    want = expected_gates(cell, layer, batch)
    assert set(frame.gates) == set(want)
    for name in want:
        np.testing.assert_allclose(frame.gates[name], want[name], rtol=1e-5, atol=1e-6)


def drawn(view):
    """name -> array on the visible panels."""
    names = [name for name, _ in PANELS[view.frame.cell]]
    return {name: np.asarray(img.get_array()) for name, img in zip(names, view.artists.images)}


def test_view_controls_redraw_the_right_gates_on_the_same_figure():
    view = gates_view()
    assert isinstance(view, SliderView) and isinstance(view.image, PagePictures)
    assert set(view.controls) == {"cell", "layer", "batch"}
    figure, axes = view.figure, list(view.figure.axes)
    seen = {view.png}
    for name, value in [("layer", 1), ("batch", 2), ("cell", "gru"), ("layer", 0), ("batch", 1)]:
        view.controls[name].value = value
        s = view.values()
        want = expected_gates(s["cell"], s["layer"], s["batch"])
        for gate, data in drawn(view).items():
            np.testing.assert_allclose(data, want[gate], rtol=1e-5, atol=1e-6)
        assert view.figure is figure and view.figure.axes == axes
        visible = [ax.get_visible() for ax in view.artists.axes]
        assert visible == [True] * len(PANELS[s["cell"]]) + [False] * (4 - len(PANELS[s["cell"]]))
        seen.add(view.png)
    assert len(seen) == 6


def test_static_figure_is_the_view_drawing():
    fig = gates_figure("gru", layer=1, batch=2)
    assert isinstance(fig, Figure) and plt.get_fignums() == []
    want = expected_gates("gru", 1, 2)
    for (name, _), ax in zip(PANELS["gru"], fig.axes):
        np.testing.assert_allclose(ax.images[0].get_array(), want[name], rtol=1e-5, atol=1e-6)
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_draw_updates_in_place():
    fig = Figure()
    art = draw_gates(fig, compute_gates("lstm", 0, 0))
    assert draw_gates(fig, compute_gates("gru", 1, 1), art) is art
    assert gate_heatmaps(compute_gates("gru", 0, 0)).fig is not fig


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(cell="rnn"), r"cell='rnn' is not allowed: .*an RNN has no gates"),
        (dict(layer=2), r"layer=2 is not allowed"),
        (dict(batch=3), r"batch=3 is not allowed"),
        (dict(input_scale=0), r"input_scale=0 is not allowed"),
        (dict(hidden_size=0), r"hidden_size=0 is not allowed"),
    ],
)
def test_bad_input_gets_a_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compute_gates(**kwargs)


def test_view_rejects_a_bad_cell_before_making_widgets():
    with pytest.raises(ValueError, match=r"cell='rnn' is not allowed"):
        gates_view(cell="rnn")


def test_an_updated_view_looks_exactly_like_a_fresh_drawing():
    from helpers.views import VIEW_DPI
    from helpers.views.gates import VIEW_FIGSIZE

    view = gates_view()
    for name, value in [("cell", "gru"), ("layer", 1), ("batch", 2), ("cell", "lstm"), ("batch", 1)]:
        view.controls[name].value = value
        fresh = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI)
        draw_gates(fresh, compute_gates(**view.values()))
        assert view.png == png_bytes(fresh)  # unchanged labels kept, changed ones rewritten
