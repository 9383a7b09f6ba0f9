"""Rules about using the states: tagging, starting a decoder, carrying state between chunks of a stream."""

from __future__ import annotations

import torch

from .rule import Rule, Section
from .runs import RuleRun
from .scope import Scope
from .training import _twin

TOPIC = "Using the states"


def _tagging(run: RuleRun) -> bool:
    """output has one vector per step, so a linear layer on it gives one score vector per step."""
    head = torch.nn.Linear(run.D * run.H_out, 5)
    scores = head(run.output)  # (N, L, 5) batch first, (L, N, 5) time first
    return scores.shape[:-1] == run.output.shape[:-1] and run.time_major(scores).shape[0] == run.case.seq_len


def _decoder_start(run: RuleRun) -> bool:
    """Each layer's two directions side by side: (num_layers, N, 2 * H_out)."""
    num_layers, N, H = run.dims.num_layers, run.h_n.shape[1], run.H_out
    joined = run.h_n.view(num_layers, 2, N, H).transpose(1, 2).reshape(num_layers, N, 2 * H)
    view = run.h_view()
    return all(torch.equal(joined[k], torch.cat((view[k, 0], view[k, 1]), dim=-1)) for k in range(num_layers))


def _decoder_view_mixes(run: RuleRun) -> bool:
    """h_n.view(num_layers, N, 2 * H_out) glues two sequences' rows together."""
    num_layers, N, H = run.dims.num_layers, run.h_n.shape[1], run.H_out
    wrong = run.h_n.view(num_layers, N, 2 * H)
    view = run.h_view()
    return any(not torch.equal(wrong[k], torch.cat((view[k, 0], view[k, 1]), dim=-1)) for k in range(num_layers))


def _detach_both(run: RuleRun) -> bool:
    """For the next chunk, detach the state: for an LSTM both h_n and c_n, or c_n stays in the graph."""
    output, state = run.module(run.x)  # parameters require grad: the state is in the graph
    h_n, c_n = state
    h_only = (h_n.detach(), c_n)
    both = (h_n.detach(), c_n.detach())
    return h_only[1].grad_fn is not None and all(t.grad_fn is None for t in both)


def _retain_graph_not_a_fix(run: RuleRun) -> bool:
    """Carrying state without detach, backward(retain_graph=True) then an optimizer step: the next backward fails.

    With one step per chunk the old graph keeps no weight it needs (nothing flows back through time
    inside the chunk), so nothing fails: the rule needs two or more steps."""
    module = _twin(run)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    state = None
    try:
        for _ in range(2):
            output, state = module(run.x, state)
            optimizer.zero_grad()
            output.sum().backward(retain_graph=True)
            optimizer.step()
    except RuntimeError as error:
        return "modified by an inplace operation" in str(error)
    return False


RULES = (
    Rule(
        "tag-from-output",
        "For one label per step (tagging), read `output`: it has a vector for every step, and a linear layer "
        "on it gives one score vector per step. `h_n` has no time axis.",
        _tagging,
        Section("08", 2, "Tagging: one label per step"),
        TOPIC,
        ("08",),
        requires=Scope.of(batch=("one", "several")),
    ),
    Rule(
        "decoder-from-bidirectional",
        "To start a one-direction decoder of `2 * H_out` features from a bidirectional encoder, put each layer's "
        "two directions side by side: `h_n.view(num_layers, 2, N, H_out).transpose(1, 2)"
        ".reshape(num_layers, N, 2 * H_out)`.",
        _decoder_start,
        Section("08", 3, "Seq2seq: `h_n` starts the decoder, `output` feeds attention"),
        TOPIC,
        ("08",),
        requires=Scope.of(bidirectional=(True,), batch=("one", "several")),
    ),
    Rule(
        "decoder-view-mixes",
        "`h_n.view(num_layers, N, 2 * H_out)` runs without an error but glues rows of different sequences "
        "together; transpose first, as above.",
        _decoder_view_mixes,
        Section("08", 3, "Seq2seq: `h_n` starts the decoder, `output` feeds attention"),
        TOPIC,
        ("08",),
        requires=Scope.of(bidirectional=(True,), batch=("one", "several")),
        scope=Scope.of(batch=("several",)),
    ),
    Rule(
        "detach-both",
        "To carry an LSTM's state to the next chunk, detach both: `(h_n.detach(), c_n.detach())`; "
        "`h_n.detach()` alone leaves `c_n` in the graph.",
        _detach_both,
        Section("08", 4, "Stateful training over a long stream: `.detach()`"),
        TOPIC,
        ("08", "09"),
        requires=Scope.of(cell=("lstm",), feed=("whole",)),
    ),
    Rule(
        "retain-graph-not-a-fix",
        "Carrying the state without `.detach()`, `backward(retain_graph=True)` is no fix once an optimizer "
        "steps between chunks: the next backward raises the in-place modification error.",
        _retain_graph_not_a_fix,
        Section("08", 4, "Stateful training over a long stream: `.detach()`"),
        TOPIC,
        ("08",),
        requires=Scope.of(feed=("whole",)),
        scope=Scope.of(steps=("several",)),
    ),
)
