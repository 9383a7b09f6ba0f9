"""Rules about calling and training: start states, dropout, the stack of layers, carrying state between chunks."""

from __future__ import annotations

import warnings

import torch

from ..stack import run_layers, split_layers
from .rule import Rule, Section
from .runs import RuleRun
from .scope import Scope

TOPIC = "Calling and training"
BATCHED_WHOLE = Scope.of(batch=("one", "several"), feed=("whole",))


def _twin(run: RuleRun, **changes) -> torch.nn.Module:
    """The same module type and weights, with some constructor options changed."""
    options = dict(
        num_layers=run.dims.num_layers,
        bidirectional=run.dims.bidirectional,
        batch_first=run.dims.batch_first,
        **({"proj_size": run.case.proj_size} if run.case.proj_size else {}),
    )
    options.update(changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout with one layer warns; the rule is about what it does
        twin = type(run.module)(run.case.input_size, run.case.hidden_size, **options)
    twin.load_state_dict(run.module.state_dict())
    return twin


def _dropout_in_train(run: RuleRun) -> bool:
    """Two train-mode calls of a dropout=0.5 twin differ."""
    twin = _twin(run, dropout=0.5).train()
    torch.manual_seed(1)
    first, _ = twin(run.x)
    torch.manual_seed(2)
    second, _ = twin(run.x)
    return not torch.equal(first, second)


def _dropout_eval_is_off(run: RuleRun) -> bool:
    twin = _twin(run, dropout=0.5).eval()
    output, _ = twin(run.x)
    return torch.equal(output, run.output)


def _stack_of_layers(run: RuleRun) -> bool:
    """One-layer modules with the module's weights, each fed the one below's output, give every result."""
    stack = run_layers(split_layers(run.module), run.x)
    same = torch.equal(stack.output, run.output) and torch.equal(stack.h_n, run.h_n)
    return same and (run.c_n is None or torch.equal(stack.c_n, run.c_n))


def _lone_h_0_refused(run: RuleRun) -> bool:
    """An LSTM given h_0 alone, not (h_0, c_0), raises: IndexError with one row, the 3-D message with more."""
    try:
        run.module(run.x, torch.zeros_like(run.h_n))
    except IndexError:
        return run.h_n.shape[0] == 1
    except RuntimeError as error:
        return run.h_n.shape[0] > 1 and "should also be 3-D" in str(error)
    return False


def _wrong_size_messages(run: RuleRun) -> bool:
    """A start state one feature too wide: RNN and GRU say 'Expected hidden size', an LSTM names
    hidden[0] (h_0) or hidden[1] (c_0)."""
    wide = torch.zeros(*run.h_n.shape[:-1], run.h_n.shape[-1] + 1)
    if run.c_n is None:
        attempts = [(wide, "Expected hidden size")]
    else:
        c_wide = torch.zeros(*run.c_n.shape[:-1], run.c_n.shape[-1] + 1)
        attempts = [
            ((wide, torch.zeros_like(run.c_n)), "Expected hidden[0] size"),
            ((torch.zeros_like(run.h_n), c_wide), "Expected hidden[1] size"),
        ]
    for hx, message in attempts:
        try:
            run.module(run.x, hx)
        except RuntimeError as error:
            if message not in str(error):
                return False
        else:
            return False
    return True


RULES = (
    Rule(
        "stack-of-layers",
        "A module with `num_layers=k` is `k` one-layer modules with its weights, each reading the `output` of "
        "the one below (both halves, with two directions): built by hand, the stack gives `output`, `h_n` and "
        "`c_n` exactly.",
        _stack_of_layers,
        Section("02", 2, "The same module, built by hand"),
        TOPIC,
        ("02",),
        requires=BATCHED_WHOLE,
    ),
    Rule(
        "dropout-between-layers",
        "`dropout` acts between layers, in train mode: two train-mode calls on the same `x` differ.",
        _dropout_in_train,
        Section("02", 5, "Dropout between layers"),
        TOPIC,
        ("02",),
        requires=BATCHED_WHOLE,
        scope=Scope.of(num_layers=(2, 3)),
    ),
    Rule(
        "dropout-off-in-eval",
        "In eval mode (`module.eval()`), `dropout` does nothing: the results are those of the same weights "
        "without dropout. A new module starts in train mode.",
        _dropout_eval_is_off,
        Section("02", 5, "Dropout between layers"),
        TOPIC,
        ("02",),
        requires=BATCHED_WHOLE,
    ),
    Rule(
        "lone-h_0-lstm",
        "An LSTM takes its start states as a pair, `lstm(x, (h_0, c_0))`. Given `h_0` alone, it reads rows of "
        '`h_0` as the pair: with one row that raises `IndexError`, with more rows "hx and cx should also be '
        '3-D".',
        _lone_h_0_refused,
        Section("04", 5, "Passing your own `(h_0, c_0)`"),
        TOPIC,
        ("04",),
        requires=Scope.of(cell=("lstm",), batch=("one", "several"), feed=("whole",)),
    ),
    Rule(
        "hidden-size-messages",
        'A start state of the wrong shape: `nn.RNN` and `nn.GRU` say "Expected hidden size (...)"; '
        '`nn.LSTM` says "Expected hidden[0] size (...)" for `h_0` and "Expected hidden[1] size (...)" for `c_0`.',
        _wrong_size_messages,
        Section("09", 3, "The error messages you will meet"),
        TOPIC,
        ("09",),
        requires=Scope.of(feed=("whole",)),
    ),
)
