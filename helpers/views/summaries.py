"""The summaries view: accuracy by sequence length for each summary, with a slider over the training steps."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..checks import check_int
from ..plots.summaries import accuracy_by_length, learning_curves, update_accuracy_by_length
from ..tasks import SUMMARIES, TaskResult
from .base import VIEW_DPI, SliderView, rgba_png

VIEW_FIGSIZE = (7.2, 3.6)  # inches


def _result(result: TaskResult) -> TaskResult:
    if not isinstance(result, TaskResult):
        raise ValueError(
            f"result={type(result).__name__} is not allowed: result must be what helpers.compare_summaries returned"
        )
    return result


def evaluation_of(result: TaskResult, step: int) -> int:
    """The index of the evaluation made at training step `step`."""
    steps = result.histories[next(iter(SUMMARIES))].steps
    if step not in steps:
        raise ValueError(
            f"step={step!r} is not allowed: the heads were evaluated at steps {steps[0]}, {steps[1]}, ... {steps[-1]}"
        )
    return steps.index(step)


def learning_curves_figure(result: TaskResult) -> Figure:
    """Static figure: each summary's test accuracy over training."""
    fig = Figure(figsize=VIEW_FIGSIZE, layout="constrained")
    learning_curves(_result(result), ax=fig.add_subplot())
    return fig


def accuracy_by_length_figure(result: TaskResult, step: int | None = None) -> Figure:
    """Static twin of the view: accuracy by sequence length after `step` training steps (default: the last)."""
    _result(result)
    fig = Figure(figsize=VIEW_FIGSIZE, layout="constrained")
    accuracy_by_length(result, -1 if step is None else evaluation_of(result, step), ax=fig.add_subplot())
    return fig


class AccuracyByLengthView(SliderView):
    """Accuracy by sequence length for the three summaries, driven by a training-step slider."""

    def __init__(self, result: TaskResult, step: int):
        self.result = result
        self.figure = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.artists = accuracy_by_length(result, evaluation_of(result, step), ax=self.figure.add_subplot())
        self._background = None
        cfg = result.config
        controls = {
            "step": widgets.IntSlider(
                step,
                min=0,
                max=cfg.steps,
                step=cfg.eval_every,
                description="training step",
                style={"description_width": "initial"},
            )
        }
        super().__init__(controls, self._render)

    def _moving(self) -> list:
        return [*self.artists.lines.values(), self.artists.step_text]

    def _render(self, step: int) -> bytes:
        update_accuracy_by_length(self.artists, self.result, evaluation_of(self.result, step))
        if self._background is None:  # draw axes, ticks and legend once (text is slow), without the moving parts
            for artist in self._moving():
                artist.set_visible(False)
            self.canvas.draw()
            self.figure.set_layout_engine("none")  # keep the axes where the first layout put them
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            for artist in self._moving():
                artist.set_visible(True)
        self.canvas.restore_region(self._background)
        for artist in self._moving():
            self.figure.draw_artist(artist)
        return rgba_png(np.asarray(self.canvas.buffer_rgba()))


def accuracy_by_length_view(result: TaskResult, step: int = 0) -> AccuracyByLengthView:
    """A training-step slider and the accuracy-by-length lines it moves, for the heads compare_summaries trained."""
    _result(result)
    check_int("step", step, 0, result.config.steps)
    evaluation_of(result, step)  # a step between evaluations raises ValueError here
    return AccuracyByLengthView(result, step)
