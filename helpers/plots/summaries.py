"""Notebook 08's pictures: learning curves of the three summaries, and test accuracy by sequence length."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..tasks import SUMMARIES, TaskResult
from .alt import set_alt

# One colour, line style and marker per summary, so the lines read without colour too.
STYLES = {
    "h_n, both directions": dict(color="tab:green", linestyle="-", marker="o"),
    "output[:, -1]": dict(color="tab:orange", linestyle="--", marker="s"),
    "h_n[-1] alone": dict(color="tab:purple", linestyle=":", marker="^"),
}
LINE_WORDS = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dash-dot"}
FIGSIZE = (7.2, 3.6)  # inches


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        ax = Figure(figsize=FIGSIZE).add_subplot()
    return ax


def _chance(ax: Axes, result: TaskResult) -> Line2D:
    chance = 1 / result.config.vocab_size
    line = ax.axhline(chance, color="grey", linewidth=1, linestyle="-.", label=f"chance ({chance:.2f})")
    return line


def learning_curves(result: TaskResult, ax: Axes | None = None) -> dict[str, Line2D]:
    """Test accuracy against training step, one line per summary, with the chance level; returns the lines."""
    ax = _axes(ax)
    lines = {}
    for name in SUMMARIES:
        history = result.histories[name]
        (lines[name],) = ax.plot(
            history.steps, history.test_accuracy, markersize=3, markevery=4, label=name, **STYLES[name]
        )
    lines["chance"] = _chance(ax, result)
    ax.set_xlabel("training step (full-batch gradient descent on the linear head)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.05)
    ax.set_title("Learning curves: which summary the head reads")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    set_alt(ax.figure, learning_curves_alt(result))
    return lines


@dataclass
class ByLengthArtists:
    """The lines of accuracy_by_length, so a view can move them in place."""

    ax: Axes
    lines: dict[str, Line2D]
    step_text: object  # "after N training steps", inside the axes


def _step_text(result: TaskResult, evaluation: int) -> str:
    step = result.histories[next(iter(SUMMARIES))].steps[evaluation]
    return f"after {step} training steps"


def update_accuracy_by_length(art: ByLengthArtists, result: TaskResult, evaluation: int = -1) -> ByLengthArtists:
    """Move the lines to another evaluation (training step)."""
    for name in SUMMARIES:
        by_length = result.accuracy_by_length(name, evaluation)
        art.lines[name].set_data(list(by_length), list(by_length.values()))
    art.step_text.set_text(_step_text(result, evaluation))
    set_alt(art.ax.figure, accuracy_by_length_alt(result, evaluation))
    return art


def accuracy_by_length(result: TaskResult, evaluation: int = -1, ax: Axes | None = None) -> ByLengthArtists:
    """Test accuracy per real sequence length for each summary at one evaluation; returns the artists."""
    ax = _axes(ax)
    lines = {name: ax.plot([], [], markersize=5, label=name, **STYLES[name])[0] for name in SUMMARIES}
    _chance(ax, result)
    cfg = result.config
    ax.set_xlim(cfg.min_length - 0.5, cfg.max_length + 0.5)
    ax.set_ylim(0, 1.05)
    lengths = range(cfg.min_length, cfg.max_length + 1)
    counts = [int((result.test.lengths == n).sum()) for n in lengths]  # how many test sequences each point averages
    ax.set_xticks(list(lengths), [f"{n}\n{count}" for n, count in zip(lengths, counts)], fontsize=8)
    ax.set_xlabel(
        f"real length of the sequence (top; padded to L = {cfg.max_length}), and how many test sequences "
        "that point averages (below)",
        fontsize=9,
    )
    ax.set_ylabel("test accuracy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    ax.set_title("Test accuracy by real sequence length")
    step_text = ax.text(0.5, 0.7, "", transform=ax.transAxes, ha="center", va="center", fontsize=10)
    art = ByLengthArtists(ax, lines, step_text)
    return update_accuracy_by_length(art, result, evaluation)


def learning_curves_alt(result: TaskResult) -> str:
    """The learning curves in words: each summary's test accuracy at the first, middle and last evaluation."""
    parts = []
    for name in SUMMARIES:
        history = result.histories[name]
        marks = sorted({0, len(history.steps) // 2, len(history.steps) - 1})
        at = ", ".join(f"{history.test_accuracy[i]:.2f} at step {history.steps[i]}" for i in marks)
        parts.append(f"{name} ({LINE_WORDS[STYLES[name]['linestyle']]} line): {at}")
    return (
        "Line chart, test accuracy (0 to 1) against training step, one line per summary the head reads, and the "
        f"chance level {1 / result.config.vocab_size:.2f}. " + "; ".join(parts) + "."
    )


def accuracy_by_length_alt(result: TaskResult, evaluation: int = -1) -> str:
    """Accuracy by length in words: every point of every line, as a table in text."""
    cfg = result.config
    parts = []
    for name in SUMMARIES:
        by_length = result.accuracy_by_length(name, evaluation)
        points = ", ".join(f"length {n}: {a:.2f}" for n, a in by_length.items())
        parts.append(f"{name}: {points}")
    return (
        f"Line chart, test accuracy (0 to 1) by real sequence length {cfg.min_length} to {cfg.max_length}, "
        f"every batch padded to L = {cfg.max_length}, {_step_text(result, evaluation)}, one line per summary, and the "
        f"chance level {1 / cfg.vocab_size:.2f}. " + "; ".join(parts) + "."
    )
