"""Notebook 08's experiment, drawn: test accuracy by real sequence length for chosen readouts, with the number of
test sequences behind each point written under its length."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..tasks import INPUTS, LABELS, READOUTS, TRAININGS, Experiment
from .alt import set_alt

# One colour, line style and marker per readout, so the lines read without colour too.
STYLES = {
    "output[:, -1]": dict(color="tab:orange", linestyle="--", marker="s"),
    "output at lengths - 1": dict(color="tab:blue", linestyle="-.", marker="D"),
    "h_n[-1] (backward)": dict(color="tab:purple", linestyle=":", marker="^"),
    "h_n[-2] (forward)": dict(color="tab:brown", linestyle=(0, (5, 1)), marker="v"),
    "cat(h_n[-2], h_n[-1])": dict(color="tab:green", linestyle="-", marker="o"),
    "mean over valid steps": dict(color="tab:grey", linestyle=(0, (1, 1)), marker="x"),
}
FIGSIZE = (7.6, 3.8)  # inches


def _check(name: str, value: object, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be one of {list(allowed)}")


def accuracy_by_length(
    result: Experiment,
    training: str,
    label: str,
    input: str,
    readouts: tuple[str, ...] = tuple(READOUTS),
    ax: Axes | None = None,
) -> dict[str, Line2D]:
    """One line per readout: test accuracy at each real length; each tick says how many test sequences it averages.

    Returns the lines by readout name, and the chance line as "chance"."""
    if not isinstance(result, Experiment):
        raise ValueError(
            f"result={type(result).__name__} is not allowed: result must be what helpers.run_experiment returned"
        )
    _check("training", training, TRAININGS)
    _check("label", label, LABELS)
    _check("input", input, INPUTS)
    if isinstance(readouts, str) or not readouts:
        raise ValueError(f"readouts={readouts!r} is not allowed: readouts must be a non-empty tuple of names")
    for name in readouts:
        _check("readouts", name, READOUTS)
    result.row(training, label, input, readouts[0])  # ValueError now if the experiment has no such rows
    if ax is None:
        ax = Figure(figsize=FIGSIZE, layout="constrained").add_subplot()
    lines, counts = {}, {}
    for name in readouts:
        by_length = result.by_length(training, label, input, name)  # length -> (accuracy, count)
        counts = {n: count for n, (_, count) in by_length.items()}
        (lines[name],) = ax.plot(
            list(by_length), [a for a, _ in by_length.values()], markersize=4, label=name, **STYLES[name]
        )
    chance = 1 / result.config.vocab_size
    lines["chance"] = ax.axhline(chance, color="black", linewidth=0.8, linestyle="-", label=f"chance ({chance:.2f})")
    ax.set_xticks(list(counts), [f"{n}\n{count}" for n, count in counts.items()], fontsize=8)
    ax.set_xlabel(
        "real length of the sequence (top), and how many test sequences that point averages (below)", fontsize=9
    )
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{training}, {LABELS[label]}, {input} input: accuracy by length", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    points = [
        f"{name}: "
        + ", ".join(f"length {n}: {a:.2f}" for n, (a, _) in result.by_length(training, label, input, name).items())
        for name in readouts
    ]
    set_alt(  # every point as text (issue 29), from the same numbers as the lines
        ax.figure,
        f"Line chart, {training}, {LABELS[label]}, {input} input: test accuracy (0 to 1) by real sequence length, one "
        f"line per readout, chance level {chance:.2f}; test sequences per length: "
        + ", ".join(f"{n}: {c}" for n, c in counts.items())
        + ". "
        + "; ".join(points)
        + ".",
    )
    return lines


def experiment_figure(
    result: Experiment, training: str, label: str, input: str, readouts: tuple[str, ...] = tuple(READOUTS)
) -> Figure:
    """A Figure holding accuracy_by_length for one (training, label, input)."""
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    accuracy_by_length(result, training, label, input, readouts, ax=fig.add_subplot())
    return fig
