"""A synthetic variable-length task and a tiny training loop that compares summaries of a bidirectional run."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .checks import check_int
from .models import CELLS
from .states import sequence_summary

# The three ways of reading one vector per sequence that notebook 08 compares: the right one first.
SUMMARIES = {
    "h_n, both directions": "cat(h_n[-2], h_n[-1]): each direction's own final state",
    "output[:, -1]": "packed, then padded back: zeros for every sequence shorter than L",
    "h_n[-1] alone": "the top layer's backward final state only: it read the last token first",
}


@dataclass(frozen=True)
class TaskConfig:
    """The task (label = the last real token of a padded sequence) and the probe trained on it."""

    vocab_size: int = 4  # tokens 0 .. vocab_size - 1, one-hot; chance accuracy is 1 / vocab_size
    min_length: int = 2
    max_length: int = 20  # L: every batch is padded to this many steps
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


def make_task(config: TaskConfig, split: str = "train") -> TaskData:
    """Seeded sequences of random tokens, lengths from min_length to max_length; label = last real token."""
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r} is not allowed: split must be 'train' or 'test'")
    n = config.n_train if split == "train" else config.n_test
    generator = torch.Generator().manual_seed(config.seed * 2 + (split == "test"))
    lengths = torch.randint(config.min_length, config.max_length + 1, (n,), generator=generator)
    tokens = torch.randint(0, config.vocab_size, (n, config.max_length), generator=generator)  # (N, L)
    real = torch.arange(config.max_length)[None] < lengths[:, None]  # (N, L): True on real steps
    x = nn.functional.one_hot(tokens, config.vocab_size).double() * real[..., None]
    return TaskData(x, lengths, tokens[torch.arange(n), lengths - 1])


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
