"""helpers.views.cheat_sheet: every shape and location it shows agrees with PyTorch's documented formulas."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.plots.cheat_sheet import rules
from helpers.views import SliderView
from helpers.views.cheat_sheet import (
    BATCH_SIZE,
    HIDDEN_SIZE,
    INPUT_SIZE,
    LENGTHS,
    SEQ_LEN,
    cheat_sheet_figure,
    cheat_sheet_view,
    compute_sheet,
)

options = st.fixed_dictionaries(
    {
        "cell": st.sampled_from(["rnn", "gru", "lstm"]),
        "num_layers": st.integers(1, 3),
        "bidirectional": st.booleans(),
        "batch_first": st.booleans(),
        "proj_size": st.integers(0, HIDDEN_SIZE - 1),
        "unbatched": st.booleans(),
        "packed": st.booleans(),
    }
)


def formulas(cell, num_layers, bidirectional, batch_first, proj_size, unbatched, packed):
    """The shapes PyTorch's documentation gives, written out here."""
    D = 2 if bidirectional else 1
    h_out = proj_size if (proj_size and cell == "lstm") else HIDDEN_SIZE
    L, N = SEQ_LEN, BATCH_SIZE
    if unbatched:
        return {
            "x": (L, INPUT_SIZE),
            "h_0": (num_layers * D, h_out),
            "output": (L, D * h_out),
            "h_n": (num_layers * D, h_out),
            "c_n": (num_layers * D, HIDDEN_SIZE) if cell == "lstm" else None,
        }
    seq = (N, L) if batch_first else (L, N)
    return {
        "x": (*seq, INPUT_SIZE),
        "h_0": (num_layers * D, N, h_out),
        "output": (*seq, D * h_out),
        "h_n": (num_layers * D, N, h_out),
        "c_n": (num_layers * D, N, HIDDEN_SIZE) if cell == "lstm" else None,
    }


@given(options)
def test_shapes_match_the_formulas_and_every_location_holds(opts):
    sheet = compute_sheet(**opts)
    assert sheet.shapes == formulas(**opts)
    packed = opts["packed"] and not opts["unbatched"]
    assert sheet.packed == packed
    D = 2 if opts["bidirectional"] else 1
    assert sheet.packed_data == ((sum(LENGTHS), D * sheet.config.h_out) if packed else None)
    assert [(w.layer, w.direction) for w in sheet.locations] == [
        (layer, d) for layer in range(opts["num_layers"]) for d in range(D)
    ]
    for row, where in enumerate(sheet.locations):
        assert where.holds
        assert where.h_n_index == f"h_n[{row}]"
        assert (where.expression is not None) == (where.layer == opts["num_layers"] - 1)


def test_expressions_read_as_written():
    sheet = compute_sheet("gru", 2, True, True, 0, False, True)
    assert [w.expression for w in sheet.locations] == [
        None,
        None,
        "output[arange(N), lengths - 1, :4]",
        "output[:, 0, 4:]",
    ]
    sheet = compute_sheet("lstm", 1, False, False, 2, False, False)
    assert [w.expression for w in sheet.locations] == ["output[-1, :, :2]"]
    sheet = compute_sheet("rnn", 1, True, False, 0, True, False)
    assert [w.expression for w in sheet.locations] == ["output[-1, :4]", "output[0, 4:]"]
    assert rules(sheet)["h_n"] == "(num_layers * D, H_out)"


def test_inconsistent_options_are_noted_not_hidden():
    sheet = compute_sheet("gru", proj_size=2, unbatched=True, packed=True)
    assert sheet.config.proj_size == 0 and not sheet.packed
    assert len(sheet.notes) == 2


def test_view_controls_and_static_twin():
    view = cheat_sheet_view()
    assert isinstance(view, SliderView)
    assert set(view.controls) == {
        "cell",
        "num_layers",
        "bidirectional",
        "batch_first",
        "proj_size",
        "unbatched",
        "packed",
    }
    figure, seen = view.figure, {view.png}
    for name, value in [
        ("cell", "lstm"),
        ("proj_size", 2),
        ("packed", True),
        ("bidirectional", True),
        ("batch_first", True),
        ("num_layers", 3),
        ("unbatched", True),
    ]:
        view.controls[name].value = value
        assert view.sheet == compute_sheet(**view.values())
        assert view.figure is figure
        texts = [patch.get_gid() for patch in view.artists.labels]
        assert str(view.sheet.shapes["h_n"]) in texts
        seen.add(view.png)
    assert len(seen) == 8
    static = cheat_sheet_figure(**view.values())
    assert [p.get_gid() for p in static.axes[0].patches] == texts


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(cell="transformer"), r"cell='transformer' is not allowed"),
        (dict(num_layers=0), r"num_layers=0 is not allowed"),
        (dict(proj_size=4), r"proj_size=4 is not allowed"),
        (dict(packed="yes"), r"packed='yes' is not allowed"),
    ],
)
def test_bad_input_gets_a_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compute_sheet(**kwargs)
    with pytest.raises(ValueError, match=message):
        cheat_sheet_view(**kwargs)


def test_view_rejects_more_layers_than_its_slider():
    with pytest.raises(ValueError, match=r"num_layers=4 is not allowed"):
        cheat_sheet_view(num_layers=4)
