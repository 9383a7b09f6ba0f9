"""Facts that explain's notes state and no other topic module holds yet."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import pad_packed_sequence

from .packing import TOPIC
from .rule import Rule, Section
from .runs import RuleRun
from .scope import Scope


def _pad_packed_decides_layout(run: RuleRun) -> bool:
    """A PackedSequence has no batch axis: pad_packed_sequence's own batch_first lays the padded output out."""
    time_major, _ = pad_packed_sequence(run.packed_output, batch_first=False)  # (L, N, D * H_out)
    batch_major, _ = pad_packed_sequence(run.packed_output, batch_first=True)  # (N, L, D * H_out)
    return torch.equal(batch_major, time_major.transpose(0, 1)) and torch.equal(run.time_major(), time_major)


RULES = (
    Rule(
        "pad-packed-batch-first",
        "A `PackedSequence` has no batch axis, whatever the module's `batch_first`: the `batch_first` you give "
        "`pad_packed_sequence` decides whether the padded `output` is `(L, N, ...)` or `(N, L, ...)`.",
        _pad_packed_decides_layout,
        Section("06", 3, "Back to a padded tensor, and each sequence's last valid step"),
        TOPIC,
        (),
        requires=Scope.of(feed=("packed",)),
    ),
)
