"""A synthetic variable-length task and a tiny training loop that compares summaries of a bidirectional run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .checks import check_bool, check_int
from .models import CELLS
from .states import sequence_summary

# The three ways of reading one vector per sequence that notebook 08 compares: the right one first.
SUMMARIES = {
    "h_n, both directions": "cat(h_n[-2], h_n[-1]): each direction's own final state",
    "output[:, -1]": "packed, then padded back: zeros for every sequence shorter than L",
    "h_n[-1] alone": "the top layer's backward final state only: it read the last token first",
}


# Which token a sequence's label is: notebook 08's experiment tries both ends.
LABELS = {"last": "label = the last real token", "first": "label = the first token"}


@dataclass(frozen=True)
class TaskConfig:
    """The task (label = the last real token of a padded sequence) and the probe trained on it."""

    vocab_size: int = 4  # tokens 0 .. vocab_size - 1, one-hot; chance accuracy is 1 / vocab_size
    min_length: int = 2
    max_length: int = 12  # L: every batch is padded to this many steps
    n_train: int = 2048
    n_test: int = 1000
    cell: str = "rnn"
    hidden_size: int = 8
    steps: int = 150  # full-batch gradient-descent steps for the linear head
    lr: float = 2.0
    eval_every: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("vocab_size", self.vocab_size, 2)
        check_int("min_length", self.min_length, 1)
        check_int("max_length", self.max_length, self.min_length)
        for name in ("n_train", "n_test", "hidden_size", "steps", "eval_every"):
            check_int(name, getattr(self, name), 1)
        check_int("seed", self.seed, 0)
        if self.cell not in CELLS:
            raise ValueError(f"cell={self.cell!r} is not allowed: cell must be one of {sorted(CELLS)}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not self.lr > 0:
            raise ValueError(f"lr={self.lr!r} is not allowed: lr must be a number > 0")


@dataclass
class TaskData:
    """One split: padded one-hot tokens, the real lengths and the labels."""

    x: torch.Tensor  # (N, L, vocab_size) float64, zeros after each sequence's end
    lengths: torch.Tensor  # (N,) int64
    y: torch.Tensor  # (N,) int64: the token at lengths - 1


def make_task(config: TaskConfig | ExperimentConfig, split: str = "train", label: str = "last") -> TaskData:
    """Seeded sequences of random tokens, lengths from min_length to max_length; label = one real token.

    label="last": the token at lengths - 1; "first": the token at step 0. The tokens and lengths do not depend on
    label, so the two tasks share their sequences."""
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r} is not allowed: split must be 'train' or 'test'")
    if label not in LABELS:
        raise ValueError(f"label={label!r} is not allowed: label must be one of {list(LABELS)}")
    n = config.n_train if split == "train" else config.n_test
    generator = torch.Generator().manual_seed(config.seed * 2 + (split == "test"))
    lengths = torch.randint(config.min_length, config.max_length + 1, (n,), generator=generator)
    tokens = torch.randint(0, config.vocab_size, (n, config.max_length), generator=generator)  # (N, L)
    real = torch.arange(config.max_length)[None] < lengths[:, None]  # (N, L): True on real steps
    x = nn.functional.one_hot(tokens, config.vocab_size).double() * real[..., None]
    where = lengths - 1 if label == "last" else torch.zeros_like(lengths)
    return TaskData(x, lengths, tokens[torch.arange(n), where])


def first_tokens(data: TaskData) -> torch.Tensor:
    """Each sequence's first token: (N,) int64 (every sequence has at least one real step)."""
    return data.x[:, 0].argmax(dim=-1)


def graph_size(tensor: torch.Tensor) -> int:
    """How many autograd nodes tensor's graph holds: it grows when a state is carried without .detach()."""
    if not isinstance(tensor, torch.Tensor):
        raise ValueError(f"tensor={type(tensor).__name__} is not allowed: tensor must be a torch.Tensor")
    seen, stack = set(), [tensor.grad_fn] if tensor.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return len(seen)


def build_encoder(config: TaskConfig) -> nn.Module:
    """The seeded bidirectional recurrent layer (batch_first, float64) every summary is read from."""
    torch.manual_seed(config.seed)
    return CELLS[config.cell](config.vocab_size, config.hidden_size, batch_first=True, bidirectional=True).double()


def summaries(encoder: nn.Module, data: TaskData) -> dict[str, torch.Tensor]:
    """Run the packed batch once and read each summary in SUMMARIES: name -> (N, features)."""
    packed = pack_padded_sequence(data.x, data.lengths, batch_first=True, enforce_sorted=False)
    with torch.no_grad():
        packed_output, state = encoder(packed)
    h_n = state[0] if isinstance(state, tuple) else state  # (2, N, H)
    output, _ = pad_packed_sequence(packed_output, batch_first=True, total_length=data.x.shape[1])  # (N, L, 2 * H)
    return {
        "h_n, both directions": sequence_summary(h_n, bidirectional=True),  # (N, 2 * H)
        "output[:, -1]": output[:, -1],  # (N, 2 * H)
        "h_n[-1] alone": h_n[-1],  # (N, H)
    }


@dataclass
class History:
    """One summary's learning curve and the test predictions at every evaluation."""

    steps: list[int]
    train_loss: list[float]
    test_accuracy: list[float]
    correct: torch.Tensor  # (evaluations, n_test) bool: which test sequences were right at each evaluation


def train_head(
    train: torch.Tensor, y_train: torch.Tensor, test: torch.Tensor, y_test: torch.Tensor, config: TaskConfig
) -> History:
    """Train a seeded linear head on fixed features by full-batch gradient descent; evaluate every eval_every steps."""
    torch.manual_seed(config.seed)
    head = nn.Linear(train.shape[1], config.vocab_size).double()
    history = History([], [], [], torch.zeros(0, len(y_test), dtype=torch.bool))
    correct = []
    for step in range(config.steps + 1):
        if step % config.eval_every == 0 or step == config.steps:
            with torch.no_grad():
                right = head(test).argmax(-1) == y_test  # (n_test,)
            history.steps.append(step)
            history.test_accuracy.append(float(right.double().mean()))
            correct.append(right)
        if step == config.steps:
            break
        loss = nn.functional.cross_entropy(head(train), y_train)
        head.zero_grad()
        loss.backward()
        with torch.no_grad():  # plain gradient descent; torch.optim's first use imports far more than it needs
            for parameter in head.parameters():
                parameter -= config.lr * parameter.grad
        history.train_loss.append(float(loss.detach()))
    history.correct = torch.stack(correct)
    return history


@dataclass
class TaskResult:
    """Everything the comparison produced: the config, the test split and each summary's history."""

    config: TaskConfig
    test: TaskData
    histories: dict[str, History]

    def accuracy(self, summary: str) -> float:
        """Final test accuracy of one summary."""
        return self.histories[_known(summary)].test_accuracy[-1]

    def accuracy_by_length(self, summary: str, evaluation: int = -1) -> dict[int, float]:
        """Test accuracy per real sequence length, at one evaluation (default: the last)."""
        history = self.histories[_known(summary)]
        check_int("evaluation", evaluation, -len(history.steps), len(history.steps) - 1)
        right = history.correct[evaluation]
        return {int(n): float(right[self.test.lengths == n].double().mean()) for n in self.test.lengths.unique()}


def _known(summary: str) -> str:
    if summary not in SUMMARIES:
        raise ValueError(f"summary={summary!r} is not allowed: summary must be one of {list(SUMMARIES)}")
    return summary


def compare_summaries(config: TaskConfig | None = None) -> TaskResult:
    """Encode both splits once with the seeded encoder, then train one head per summary."""
    config = config or TaskConfig()
    encoder = build_encoder(config)
    train, test = make_task(config, "train"), make_task(config, "test")
    features_train, features_test = summaries(encoder, train), summaries(encoder, test)
    histories = {
        name: train_head(features_train[name], train.y, features_test[name], test.y, config) for name in SUMMARIES
    }
    return TaskResult(config, test, histories)


def accuracy_table(result: TaskResult) -> str:
    """Plain-text table: each summary's final test accuracy (2 decimals) and what it holds."""
    width = max(len(name) for name in SUMMARIES)
    lines = [f"{'summary':<{width}}  test accuracy  why", f"{'-' * width}  -------------  ---"]
    lines += [f"{name:<{width}}  {result.accuracy(name):13.2f}  {why}" for name, why in SUMMARIES.items()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Notebook 08's experiment: every way of reading one vector per sequence, on both tasks, packed and not,
# read by a linear probe on an untrained encoder and by an encoder trained end to end.

# The readouts, in the order the table shows them: name -> what it reads (H = hidden_size).
READOUTS = {
    "output[:, -1]": "the last column of the padded output, both halves",
    "output at lengths - 1": "output[n, lengths[n] - 1], both halves: each sequence's last valid step",
    "h_n[-1] (backward)": "the top layer's backward final state alone",
    "h_n[-2] (forward)": "the top layer's forward final state alone",
    "cat(h_n[-2], h_n[-1])": "both final states side by side",
    "mean over valid steps": "output averaged over steps 0 .. lengths[n] - 1, both halves",
}
INPUTS = {"packed": "pack_padded_sequence, enforce_sorted=False", "padded": "the padded tensor, not packed"}
TRAININGS = {
    "probe": "untrained encoder, linear head trained on its readout",
    "end to end": "encoder and head trained together",
}


@dataclass(frozen=True)
class ExperimentConfig:
    """Notebook 08's experiment: the task's sizes, the encoder, and both ways of training."""

    vocab_size: int = 4  # chance accuracy is 1 / vocab_size
    min_length: int = 2
    max_length: int = 12  # L: every batch is padded to this many steps
    n_train: int = 128
    n_test: int = 1000  # the fixed test set every accuracy is measured on
    cell: str = "rnn"
    hidden_size: int = 8
    probe_steps: int = 150  # full-batch gradient descent on the linear head
    probe_lr: float = 2.0
    train_steps: int = 25  # full-batch Adam steps on encoder and head together
    train_lr: float = 0.06
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("vocab_size", self.vocab_size, 2)
        check_int("min_length", self.min_length, 1)
        check_int("max_length", self.max_length, self.min_length)
        for name in ("n_train", "n_test", "hidden_size", "probe_steps", "train_steps"):
            check_int(name, getattr(self, name), 1)
        check_int("seed", self.seed, 0)
        if self.cell not in CELLS:
            raise ValueError(f"cell={self.cell!r} is not allowed: cell must be one of {sorted(CELLS)}")
        for name in ("probe_lr", "train_lr"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name}={value!r} is not allowed: {name} must be a number > 0")


def readouts(encoder: nn.Module, data: TaskData, packed: bool) -> dict[str, torch.Tensor]:
    """Run the batch once (packed or as padded) and read every summary in READOUTS: name -> (N, features)."""
    check_bool("packed", packed)
    if not isinstance(data, TaskData):
        raise ValueError(f"data={type(data).__name__} is not allowed: data must be what helpers.make_task returned")
    L, n = data.x.shape[1], data.x.shape[0]
    if packed:
        packed_x = pack_padded_sequence(data.x, data.lengths, batch_first=True, enforce_sorted=False)
        packed_output, state = encoder(packed_x)
        output, _ = pad_packed_sequence(packed_output, batch_first=True, total_length=L)  # (N, L, 2 * H)
    else:
        output, state = encoder(data.x)  # the padding is read as data
    h_n = state[0] if isinstance(state, tuple) else state  # (2, N, H): forward, backward
    valid = (torch.arange(L)[None] < data.lengths[:, None]).to(output.dtype)  # (N, L)
    return {
        "output[:, -1]": output[:, -1],
        "output at lengths - 1": output[torch.arange(n), data.lengths - 1],
        "h_n[-1] (backward)": h_n[-1],
        "h_n[-2] (forward)": h_n[-2],
        "cat(h_n[-2], h_n[-1])": torch.cat([h_n[-2], h_n[-1]], dim=1),
        "mean over valid steps": (output * valid[..., None]).sum(1) / data.lengths[:, None].to(output.dtype),
    }


def _init(module: nn.Module, seed: int, bound: float) -> nn.Module:
    """PyTorch's default init, uniform in [-bound, bound], drawn as integers: every CPU gets the same bits.

    (torch's own uniform_ is computed in float32 with or without fused multiply-adds, so its last bit depends
    on the CPU, and training grows that bit into different predictions.)"""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in module.parameters():
            steps = torch.randint(-(10**6), 10**6 + 1, parameter.shape, generator=generator, dtype=torch.int64)
            parameter.copy_(steps.double() / 10**6 * bound)
    return module


def experiment_encoder(config: ExperimentConfig) -> nn.Module:
    """The bidirectional encoder (batch_first, float64), initialised from config.seed: what the probe reads."""
    module = CELLS[config.cell](config.vocab_size, config.hidden_size, batch_first=True, bidirectional=True)
    return _init(module.double(), config.seed, config.hidden_size**-0.5)


def _round(*modules: nn.Module) -> None:
    """Round every weight to 6 decimals after each step. CPUs with other vector units (AVX2, AVX-512, none) add in
    other orders and differ in the last bits; training would grow those bits into different predictions. Rounded,
    every CPU goes on from the same weights, so the printed accuracies are the same everywhere."""
    with torch.no_grad():
        for module in modules:
            for parameter in module.parameters():
                parameter.copy_(torch.round(parameter, decimals=6))


def _head(config: ExperimentConfig, features: int) -> nn.Module:
    return _init(nn.Linear(features, config.vocab_size).double(), config.seed + 1, features**-0.5)


@dataclass(frozen=True)
class Row:
    """One cell of the experiment: how it was trained, on which task and input, which readout, and how it did."""

    training: str
    label: str
    input: str
    readout: str
    correct: torch.Tensor  # (n_test,) bool: which test sequences it got right

    @property
    def accuracy(self) -> float:
        """Test accuracy, rounded to 2 decimals (what the notebook prints)."""
        return round(float(self.correct.double().mean()), 2)


def probe_rows(config: ExperimentConfig, label: str, packed: bool) -> list[Row]:
    """One linear probe per readout, on the seeded encoder left untrained."""
    encoder, train, test = (
        experiment_encoder(config),
        make_task(config, "train", label),
        make_task(config, "test", label),
    )
    with torch.no_grad():
        features_train, features_test = readouts(encoder, train, packed), readouts(encoder, test, packed)
    rows = []
    for name in READOUTS:
        head = _head(config, features_train[name].shape[1])
        for _ in range(config.probe_steps):  # plain full-batch gradient descent
            loss = nn.functional.cross_entropy(head(features_train[name]), train.y)
            head.zero_grad()
            loss.backward()
            with torch.no_grad():
                for parameter in head.parameters():
                    parameter -= config.probe_lr * parameter.grad
            _round(head)
        with torch.no_grad():
            correct = head(features_test[name]).argmax(-1) == test.y
        rows.append(Row("probe", label, "packed" if packed else "padded", name, correct))
    return rows


def trained_row(config: ExperimentConfig, label: str, packed: bool, readout: str) -> Row:
    """The seeded encoder and a linear head on one readout, trained together by full-batch Adam."""
    if readout not in READOUTS:
        raise ValueError(f"readout={readout!r} is not allowed: readout must be one of {list(READOUTS)}")
    encoder, train, test = (
        experiment_encoder(config),
        make_task(config, "train", label),
        make_task(config, "test", label),
    )
    head = _head(config, readouts(encoder, test, packed)[readout].shape[1])
    parameters = [*encoder.parameters(), *head.parameters()]
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in parameters]
    for step in range(1, config.train_steps + 1):
        loss = nn.functional.cross_entropy(head(readouts(encoder, train, packed)[readout]), train.y)
        grads = torch.autograd.grad(loss, parameters)
        with torch.no_grad():  # Adam (beta 0.9, 0.999, eps 1e-8) by hand: torch.optim's first import takes seconds
            for parameter, grad, (m, v) in zip(parameters, grads, moments):
                m.mul_(0.9).add_(grad, alpha=0.1)
                v.mul_(0.999).addcmul_(grad, grad, value=0.001)
                m_hat, v_hat = m / (1 - 0.9**step), v / (1 - 0.999**step)
                parameter -= config.train_lr * m_hat / (v_hat.sqrt() + 1e-8)
        _round(encoder, head)
    with torch.no_grad():
        correct = head(readouts(encoder, test, packed)[readout]).argmax(-1) == test.y
    return Row("end to end", label, "packed" if packed else "padded", readout, correct)


@dataclass
class Experiment:
    """The rows computed so far, on one fixed test set per label."""

    config: ExperimentConfig
    rows: list[Row]

    def accuracy(self, training: str, label: str, input: str, readout: str) -> float:
        """The rounded test accuracy of one row."""
        return self.row(training, label, input, readout).accuracy

    def row(self, training: str, label: str, input: str, readout: str) -> Row:
        """The row with these four keys; ValueError if the experiment has no such row."""
        for row in self.rows:
            if (row.training, row.label, row.input, row.readout) == (training, label, input, readout):
                return row
        raise ValueError(
            f"row=({training!r}, {label!r}, {input!r}, {readout!r}) is not allowed: this experiment has no such row"
            f" (trainings {list(TRAININGS)}, labels {list(LABELS)}, inputs {list(INPUTS)}, readouts {list(READOUTS)})"
        )

    def by_length(self, training: str, label: str, input: str, readout: str) -> dict[int, tuple[float, int]]:
        """Real length -> (accuracy, how many test sequences have that length)."""
        right = self.row(training, label, input, readout).correct
        lengths = make_task(self.config, "test", label).lengths
        return {
            int(n): (float(right[lengths == n].double().mean()), int((lengths == n).sum())) for n in lengths.unique()
        }


def run_experiment(
    config: ExperimentConfig | None = None,
    trainings: tuple[str, ...] = tuple(TRAININGS),
    labels: tuple[str, ...] = tuple(LABELS),
    inputs: tuple[str, ...] = tuple(INPUTS),
    readouts_: tuple[str, ...] = tuple(READOUTS),
    into: Experiment | None = None,
) -> Experiment:
    """Compute the rows for every combination asked (adding them to `into` if given)."""
    config = config or ExperimentConfig()
    for name, given, allowed in (
        ("trainings", trainings, TRAININGS),
        ("labels", labels, LABELS),
        ("inputs", inputs, INPUTS),
        ("readouts_", readouts_, READOUTS),
    ):
        if isinstance(given, str) or not given or any(g not in allowed for g in given):
            raise ValueError(f"{name}={given!r} is not allowed: {name} must be a non-empty tuple from {list(allowed)}")
    result = into if into is not None else Experiment(config, [])
    for label in labels:
        for input in inputs:
            if "probe" in trainings:
                result.rows += [r for r in probe_rows(config, label, input == "packed") if r.readout in readouts_]
            if "end to end" in trainings:
                result.rows += [trained_row(config, label, input == "packed", name) for name in readouts_]
    return result


def experiment_table(result: Experiment, training: str | None = None) -> str:
    """Plain text: one line per readout, one column per (label, input), for each training asked."""
    trainings = [t for t in TRAININGS if training in (None, t) and any(r.training == t for r in result.rows)]
    columns = [(lab, inp) for lab in LABELS for inp in INPUTS]
    width = max(len(name) for name in READOUTS)
    lines = []
    for t in trainings:
        lines.append(f"{t}: {TRAININGS[t]}")
        lines.append(f"{'':<{width}}  " + "  ".join(f"{lab + ', ' + inp:>13}" for lab, inp in columns))
        for name in READOUTS:
            cells = []
            for lab, inp in columns:
                try:
                    cells.append(f"{result.accuracy(t, lab, inp, name):>13.2f}")
                except ValueError:
                    cells.append(f"{'':>13}")
            lines.append(f"{name:<{width}}  " + "  ".join(cells))
        lines.append("")
    return "\n".join(lines).rstrip()


@dataclass(frozen=True)
class Conclusion:
    """One sentence notebook 08 draws from the table, the rows it rests on (its scope), and the ordering it states."""

    scope: str
    claim: str
    holds: Callable[[Experiment], bool]


def _all(result: Experiment, readout: str, at_least: float, **fixed: str) -> bool:
    rows = [
        r for r in result.rows if r.readout == readout and all(getattr(r, key) == value for key, value in fixed.items())
    ]
    return bool(rows) and all(r.accuracy >= at_least for r in rows)


def _each(result: Experiment, test: Callable[[str], bool]) -> bool:
    """test(training) on every training the experiment holds."""
    trainings = sorted({r.training for r in result.rows})
    return bool(trainings) and all(test(t) for t in trainings)


CONCLUSIONS = [
    Conclusion(
        "packed, label = last token, probe and end to end",
        "the forward state alone, h_n[-2], scores 0.9 or more, as both directions joined do: this task needs no "
        "backward direction",
        lambda e: _each(
            e,
            lambda t: (
                min(
                    e.accuracy(t, "last", "packed", "h_n[-2] (forward)"),
                    e.accuracy(t, "last", "packed", "cat(h_n[-2], h_n[-1])"),
                )
                >= 0.9
            ),
        ),
    ),
    Conclusion(
        "packed, label = first token, probe and end to end",
        "the forward state alone falls far behind both directions joined (by 0.3 or more): this is the task that "
        "needs the backward direction",
        lambda e: _each(
            e,
            lambda t: (
                e.accuracy(t, "first", "packed", "cat(h_n[-2], h_n[-1])") >= 0.9
                and e.accuracy(t, "first", "packed", "h_n[-2] (forward)")
                <= e.accuracy(t, "first", "packed", "cat(h_n[-2], h_n[-1])") - 0.3
            ),
        ),
    ),
    Conclusion(
        "padded, not packed, label = last token, probe",
        "both directions joined drop from 0.9 or more (packed) to below 0.5: the forward state has read the padding after "
        "the last token",
        lambda e: (
            e.accuracy("probe", "last", "packed", "cat(h_n[-2], h_n[-1])") >= 0.9
            and e.accuracy("probe", "last", "padded", "cat(h_n[-2], h_n[-1])") < 0.5
        ),
    ),
    Conclusion(
        "padded, not packed, label = last token, end to end",
        "training wins back only part of it: both directions joined stay at least 0.15 below the packed run",
        lambda e: (
            e.accuracy("end to end", "last", "padded", "cat(h_n[-2], h_n[-1])")
            <= e.accuracy("end to end", "last", "packed", "cat(h_n[-2], h_n[-1])") - 0.15
        ),
    ),
    Conclusion(
        "padded, not packed, label = first token, probe and end to end",
        "the backward state h_n[-1] still scores 0.9 or more: padding after the end spoils only the direction "
        "that reads it last, the forward one",
        lambda e: _all(e, "h_n[-1] (backward)", 0.9, label="first", input="padded"),
    ),
    Conclusion(
        "packed, both labels, probe and end to end",
        "output[:, -1] stays below 0.45: it is zeros for every sequence shorter than L, and no training changes zeros",
        lambda e: all(r.accuracy < 0.45 for r in e.rows if r.readout == "output[:, -1]" and r.input == "packed"),
    ),
    Conclusion(
        "packed, probe",
        "output at each sequence's last valid step (both halves) scores 0.9 or more for the last token and below "
        "0.4 for the first: its backward half has read one token only",
        lambda e: (
            e.accuracy("probe", "last", "packed", "output at lengths - 1") >= 0.9
            and e.accuracy("probe", "first", "packed", "output at lengths - 1") < 0.4
        ),
    ),
    Conclusion(
        "packed, both labels: probe against end to end",
        "the mean over valid steps is weak for the probe and gains 0.25 or more with training: a verdict that does "
        "not survive training",
        lambda e: all(
            e.accuracy("end to end", label, "packed", "mean over valid steps")
            >= e.accuracy("probe", label, "packed", "mean over valid steps") + 0.25
            for label in LABELS
        ),
    ),
    Conclusion(
        "packed, both labels, probe and end to end",
        "cat(h_n[-2], h_n[-1]) is the only readout at 0.9 or more in every one of these rows",
        lambda e: [name for name in READOUTS if _all(e, name, 0.9, input="packed")] == ["cat(h_n[-2], h_n[-1])"],
    ),
]


def conclusions_table(result: Experiment) -> str:
    """Each conclusion with its scope, and whether this run of the experiment bears it out."""
    lines = []
    for k, c in enumerate(CONCLUSIONS, 1):
        lines.append(f"{k}. [{c.scope}] {c.claim}: {c.holds(result)}")
    return "\n".join(lines)
