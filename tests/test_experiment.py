"""Notebook 08's experiment (helpers.tasks.run_experiment): every readout is the slice it names, the table is
computed, and each conclusion the notebook states holds when the experiment is re-run at a small size (and fails
when the rows it rests on say otherwise)."""

import dataclasses
import os
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from helpers.plots.experiment import accuracy_by_length, experiment_figure
from helpers.tasks import (
    CONCLUSIONS,
    INPUTS,
    LABELS,
    READOUTS,
    TRAININGS,
    Experiment,
    ExperimentConfig,
    Row,
    conclusions_table,
    experiment_encoder,
    experiment_table,
    make_task,
    readouts,
    run_experiment,
)

SMALL = ExperimentConfig(n_train=96, n_test=300)


@pytest.fixture(scope="module")
def small():
    return run_experiment(SMALL)


def test_every_conclusion_holds_at_a_small_size(small):
    assert len(small.rows) == len(TRAININGS) * len(LABELS) * len(INPUTS) * len(READOUTS)
    failed = [c.claim for c in CONCLUSIONS if not c.holds(small)]
    assert failed == []
    assert conclusions_table(small).count(": True") == len(CONCLUSIONS)


def with_row(result, training, label, input, readout, correct):
    """The same experiment with one row's predictions replaced."""
    rows = [
        dataclasses.replace(r, correct=correct)
        if (r.training, r.label, r.input, r.readout) == (training, label, input, readout)
        else r
        for r in result.rows
    ]
    return Experiment(result.config, rows)


@pytest.mark.parametrize(
    "row,right,broken",
    [
        (("probe", "last", "packed", "h_n[-2] (forward)"), False, [0]),
        (("probe", "first", "packed", "h_n[-2] (forward)"), True, [1]),
        (("probe", "last", "padded", "cat(h_n[-2], h_n[-1])"), True, [2]),
        (("end to end", "last", "padded", "cat(h_n[-2], h_n[-1])"), True, [3]),
        (("end to end", "first", "padded", "h_n[-1] (backward)"), False, [4]),
        (("probe", "first", "packed", "output[:, -1]"), True, [5]),
        (("probe", "first", "packed", "output at lengths - 1"), True, [6]),
        (("end to end", "last", "packed", "mean over valid steps"), False, [7]),
        (("probe", "first", "packed", "cat(h_n[-2], h_n[-1])"), False, [1, 8]),
    ],
)
def test_each_conclusion_fails_when_its_rows_say_otherwise(small, row, right, broken):
    n = SMALL.n_test
    changed = with_row(small, *row, torch.full((n,), right))
    assert [k for k, c in enumerate(CONCLUSIONS) if not c.holds(changed)] == broken


def test_readouts_are_the_slices_they_name():
    encoder, data = experiment_encoder(SMALL), make_task(SMALL, "test", label="first")
    with torch.no_grad():
        got_packed, got_padded = readouts(encoder, data, packed=True), readouts(encoder, data, packed=False)
        packed_out, h_n = encoder(pack_padded_sequence(data.x, data.lengths, batch_first=True, enforce_sorted=False))
        out, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=SMALL.max_length)
        out_padded, h_n_padded = encoder(data.x)
    n = torch.arange(len(data.lengths))
    assert torch.equal(got_packed["h_n[-2] (forward)"], h_n[0]) and torch.equal(
        got_packed["h_n[-1] (backward)"], h_n[1]
    )
    assert torch.equal(got_packed["cat(h_n[-2], h_n[-1])"], torch.cat([h_n[0], h_n[1]], 1))
    assert torch.equal(got_packed["output at lengths - 1"], out[n, data.lengths - 1])
    assert torch.equal(got_packed["output[:, -1]"], out[:, -1])
    mean = torch.stack([out[k, : data.lengths[k]].mean(0) for k in n])
    torch.testing.assert_close(got_packed["mean over valid steps"], mean)
    assert torch.equal(got_padded["h_n[-2] (forward)"], h_n_padded[0])
    assert torch.equal(got_padded["output[:, -1]"], out_padded[:, -1])
    short = data.lengths < SMALL.max_length
    assert got_packed["output[:, -1]"][short].abs().sum() == 0  # packed: zeros after each end
    assert (got_padded["output[:, -1]"][short] != 0).any(-1).all()  # not packed: the state after the padding
    assert torch.equal(make_task(SMALL, "test", "first").x, make_task(SMALL, "test", "last").x)
    assert torch.equal(data.y, data.x[:, 0].argmax(-1))


def test_weights_are_drawn_as_integers_so_every_cpu_gets_the_same_bits():
    encoder = experiment_encoder(SMALL)
    bound = SMALL.hidden_size**-0.5
    for parameter in encoder.parameters():
        steps = parameter.detach() / bound * 10**6
        assert (steps - steps.round()).abs().max() < 1e-6 and parameter.dtype == torch.float64
    assert all(torch.equal(a, b) for a, b in zip(encoder.parameters(), experiment_encoder(SMALL).parameters()))


def test_the_table_prints_the_rounded_accuracies(small):
    table = experiment_table(small)
    for training in TRAININGS:
        assert f"{training}: {TRAININGS[training]}" in table
    row = small.row("probe", "first", "padded", "h_n[-1] (backward)")
    assert row.accuracy == round(float(row.correct.double().mean()), 2)
    line = next(line for line in table.splitlines() if line.startswith("h_n[-1] (backward)"))
    assert f"{row.accuracy:.2f}" in line.split()


def test_by_length_counts_every_test_sequence_once(small):
    by_length = small.by_length("probe", "last", "packed", "cat(h_n[-2], h_n[-1])")
    assert sum(count for _, count in by_length.values()) == SMALL.n_test
    assert set(by_length) == set(range(SMALL.min_length, SMALL.max_length + 1))


def test_the_figure_draws_the_rows_and_says_how_many_sequences_each_point_averages(small):
    fig = experiment_figure(small, "probe", "last", "padded")
    assert plt.get_fignums() == []
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    for name in READOUTS:
        by_length = small.by_length("probe", "last", "padded", name)
        np.testing.assert_array_equal(lines[name].get_ydata(), [a for a, _ in by_length.values()])
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [f"{n}\n{count}" for n, (_, count) in by_length.items()]
    assert "how many test sequences" in ax.get_xlabel()


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda e: e.row("probe", "middle", "packed", "output[:, -1]"), r"this experiment has no such row"),
        (lambda e: accuracy_by_length(e, "probe", "last", "packed", ("h_n",)), r"readouts='h_n' is not allowed"),
        (lambda e: accuracy_by_length(e, "trained", "last", "packed"), r"training='trained' is not allowed"),
        (lambda e: accuracy_by_length("table", "probe", "last", "packed"), r"result=str is not allowed"),
        (lambda e: run_experiment(SMALL, labels="last"), r"labels='last' is not allowed"),
        (lambda e: make_task(SMALL, "test", label="middle"), r"label='middle' is not allowed"),
        (lambda e: ExperimentConfig(train_lr=0), r"train_lr=0 is not allowed"),
        (lambda e: ExperimentConfig(cell="cnn"), r"cell='cnn' is not allowed"),
        (lambda e: readouts(experiment_encoder(SMALL), make_task(SMALL), packed="yes"), r"packed='yes' is not allowed"),
        (
            lambda e: readouts(experiment_encoder(SMALL), torch.zeros(2, 3, 4), packed=True),
            r"data=Tensor is not allowed",
        ),
    ],
)
def test_bad_input_is_named(small, call, message):
    with pytest.raises(ValueError, match=message):
        call(small)


def test_a_row_rounds_its_accuracy():
    row = Row("probe", "last", "packed", "output[:, -1]", torch.tensor([True, True, False]))
    assert row.accuracy == 0.67


def test_the_rows_are_the_same_without_the_cpus_vector_units(small):
    """What the notebook prints must not depend on the CPU: run again with ATEN_CPU_CAPABILITY=default (no AVX)."""
    script = (
        "import torch; torch.set_num_threads(1)\n"
        "from helpers.tasks import ExperimentConfig, run_experiment\n"
        "e = run_experiment(ExperimentConfig(n_train=96, n_test=300))\n"
        "print(''.join('1' if b else '0' for r in e.rows for b in r.correct.tolist()))\n"
    )
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "default"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    here = "".join("1" if b else "0" for r in small.rows for b in r.correct.tolist())
    assert done.stdout.strip() == here
