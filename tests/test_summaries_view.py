"""helpers.plots.summaries and helpers.views.summaries: the lines show the accuracies the heads reached."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.tasks import SUMMARIES, TaskConfig, compare_summaries
from helpers.views import SliderView
from helpers.views.summaries import (
    accuracy_by_length_figure,
    accuracy_by_length_view,
    evaluation_of,
    learning_curves_figure,
)

RESULT = compare_summaries(TaskConfig())


def by_length_by_hand(result, name, evaluation):
    """Accuracy per real length, by plain masking of the stored predictions."""
    right = result.histories[name].correct[evaluation].double()
    lengths = result.test.lengths
    xs = sorted(set(lengths.tolist()))
    return xs, [float(right[lengths == n].mean()) for n in xs]


def test_static_figures_draw_the_results():
    result = RESULT
    fig = learning_curves_figure(result)
    assert isinstance(fig, Figure) and plt.get_fignums() == []
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    for name in SUMMARIES:
        np.testing.assert_array_equal(lines[name].get_ydata(), result.histories[name].test_accuracy)
    fig = accuracy_by_length_figure(result, step=10)
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    for name in SUMMARIES:
        xs, ys = by_length_by_hand(result, name, 2)
        np.testing.assert_array_equal(lines[name].get_xdata(), xs)
        np.testing.assert_array_equal(lines[name].get_ydata(), ys)


def test_view_moves_the_lines_with_the_slider():
    view = accuracy_by_length_view(RESULT, step=0)
    assert isinstance(view, SliderView) and set(view.controls) == {"step"}
    first = view.png
    for step in (5, 150, 0):
        view.controls["step"].value = step
        for name in SUMMARIES:
            _, ys = by_length_by_hand(view.result, name, evaluation_of(view.result, step))
            np.testing.assert_array_equal(view.artists.lines[name].get_ydata(), ys)
        assert view.artists.step_text.get_text() == f"after {step} training steps"
    assert view.png == first  # back at step 0: the same picture
    view.controls["step"].value = 150
    assert view.png != first


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: accuracy_by_length_view(RESULT, step=3), r"step=3 is not allowed"),
        (lambda: accuracy_by_length_view(RESULT, step=-5), r"step=-5 is not allowed"),
        (lambda: accuracy_by_length_figure(RESULT, step=151), r"step=151 is not allowed"),
        (lambda: accuracy_by_length_view(TaskConfig()), r"result=TaskConfig is not allowed"),
        (lambda: learning_curves_figure(None), r"result=NoneType is not allowed"),
    ],
)
def test_bad_input_gets_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
