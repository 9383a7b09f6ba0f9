"""Rules about padded and packed batches: order, zeros, lengths, and what padding without packing does."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .rule import Rule, Section
from .runs import RuleRun, close, reference
from .scope import Scope

TOPIC = "Padded and packed batches"
PACKED = Scope.of(feed=("packed",))
PADDED = Scope.of(feed=("padded",))


def _your_order(run: RuleRun) -> bool:
    """Sequence n's rows of h_n and output are sequence n run alone on its valid steps."""
    ref = reference(run)  # each sequence alone, in the order given
    c_n = run.c_n
    return close(run.h_n, ref.h_n) and close(run.time_major(), ref.output) and (c_n is None or close(c_n, ref.c_n))


def _data_sorted(run: RuleRun) -> bool:
    """PackedSequence.data holds step 0 of every sequence first, longest first; unsorted_indices maps back."""
    packed = run.packed_output
    N = run.case.batch_size
    step_0 = packed.data[:N]  # (N, D * H_out): sorted order
    output_0 = run.time_major()[0]  # (N, D * H_out): your order
    sorted_lengths = run.lengths[packed.sorted_indices]
    in_sorted_order = torch.equal(step_0, output_0[packed.sorted_indices])
    back = torch.equal(step_0[packed.unsorted_indices], output_0)
    return in_sorted_order and back and bool((sorted_lengths[:-1] >= sorted_lengths[1:]).all())


def _data_step_by_step(run: RuleRun) -> bool:
    """.data has sum(lengths) rows; step t's block is the batch_sizes[t] sequences with lengths > t, longest first."""
    packed = run.packed_output
    sizes = packed.batch_sizes
    out = run.time_major()  # (L, N, D * H_out), your order
    counts = torch.stack([(run.lengths > t).sum() for t in range(len(sizes))])
    if packed.data.shape[0] != int(run.lengths.sum()) or not torch.equal(sizes, counts):
        return False
    starts = [0, *sizes.cumsum(0).tolist()]
    order = packed.sorted_indices
    return all(
        torch.equal(packed.data[starts[t] : starts[t + 1]], out[t, order[: sizes[t]]]) for t in range(len(sizes))
    )


def _zeros_after_end(run: RuleRun) -> bool:
    out = run.time_major()  # (L, N, D * H_out)
    steps = torch.arange(out.shape[0])[:, None]  # (L, 1)
    past = steps >= run.lengths[None, :]  # (L, N): True past each sequence's end
    return bool((out[past] == 0).all()) and bool((out[~past] != 0).any())


def _padding_is_read(run: RuleRun) -> bool:
    """Padded, not packed: h_n and output[:, -1] are states after the padding, not at each sequence's end."""
    out = run.time_major()  # (L, N, D * H_out)
    H, n = run.H_out, torch.arange(out.shape[1])
    forward_final = run.h_view()[-1, 0]  # (N, H_out)
    short = run.lengths < run.case.seq_len
    at_end = out[run.lengths - 1, n, :H]  # (N, H_out): each sequence at its own last valid step
    read_padding = not torch.equal(at_end[short], forward_final[short])
    return read_padding and torch.equal(out[-1, :, :H], forward_final) and bool((out[-1, short] != 0).all())


def _lengths_types(run: RuleRun) -> bool:
    """lengths as a list, an int64, an int32 or a float CPU tensor: the same packing and the same h_n."""
    given = [run.lengths.tolist(), run.lengths, run.lengths.to(torch.int32), run.lengths.to(torch.float32)]
    results = []
    for lengths in given:
        packed = pack_padded_sequence(run.x, lengths, batch_first=run.dims.batch_first, enforce_sorted=False)
        _, state = run.module(packed)
        results.append(state[0] if run.c_n is not None else state)
    return all(torch.equal(h_n, run.h_n) for h_n in results)


def _total_length(run: RuleRun) -> bool:
    """pad_packed_sequence pads to the longest sequence; total_length=L pads to L steps."""
    time_axis = 1 if run.dims.batch_first else 0
    plain, _ = pad_packed_sequence(run.packed_output, batch_first=run.dims.batch_first)
    longer, _ = pad_packed_sequence(
        run.packed_output, batch_first=run.dims.batch_first, total_length=run.case.seq_len + 2
    )
    return plain.shape[time_axis] == int(run.lengths.max()) and longer.shape[time_axis] == run.case.seq_len + 2


RULES = (
    Rule(
        "packed-your-order",
        "With `enforce_sorted=False`, `h_n` (and `c_n`) and the padded `output` come back in your batch's "
        "order, each sequence's states taken at its own valid steps.",
        _your_order,
        Section("06", 2, "Packing: `pack_padded_sequence` with `enforce_sorted=False`"),
        TOPIC,
        ("06",),
        requires=PACKED,
    ),
    Rule(
        "packed-data-sorted",
        "A `PackedSequence` output keeps PyTorch's sorted order: its `.data` is time-major, longest sequence "
        "first; `sorted_indices` and `unsorted_indices` map it to and from your order.",
        _data_sorted,
        Section("06", 2, "Packing: `pack_padded_sequence` with `enforce_sorted=False`"),
        TOPIC,
        ("06",),
        requires=PACKED,
    ),
    Rule(
        "packed-data-step-by-step",
        "A `PackedSequence`'s `.data` has one row per real step, `sum(lengths)` rows: step 0 of every sequence, "
        "then step 1 of those still running, and so on; `batch_sizes[t]` counts the sequences still running at "
        "step `t`, those with `lengths > t`.",
        _data_step_by_step,
        Section("06", 8, "What a `PackedSequence` holds"),
        TOPIC,
        ("06",),
        requires=PACKED,
    ),
    Rule(
        "packed-zeros-after-end",
        "After `pad_packed_sequence`, `output` is zeros after each sequence's end, so `output[:, -1]` is zeros "
        "for the shorter sequences.",
        _zeros_after_end,
        Section("06", 3, "Back to a padded tensor, and each sequence's last valid step"),
        TOPIC,
        ("06", "08"),
        requires=PACKED,
    ),
    Rule(
        "padded-reads-padding",
        "The module cannot tell padding from data: `h_n` and `output[:, -1]` are the states after reading "
        "the padding, not zeros and not each sequence's state at its own end. Pack the batch to stop there.",
        _padding_is_read,
        Section("06", 1, "A padded batch"),
        TOPIC,
        ("06", "08", "09"),
        requires=PADDED,
    ),
    Rule(
        "lengths-types",
        "`pack_padded_sequence` takes `lengths` as a list or a 1-D CPU tensor; int64, int32 and float "
        "tensors give the same result.",
        _lengths_types,
        Section("06", 2, "Packing: `pack_padded_sequence` with `enforce_sorted=False`"),
        TOPIC,
        ("06",),
        requires=PACKED,
    ),
    Rule(
        "total-length",
        "`pad_packed_sequence` pads to the longest sequence; `total_length=T` pads to `T` steps.",
        _total_length,
        Section("06", 4, "`total_length`"),
        TOPIC,
        ("06",),
        requires=PACKED,
    ),
)
