"""Checkers for notebook 06's exercises: predict what a PackedSequence holds, read one state straight out of
.data, and the shapes pad_packed_sequence returns."""

from __future__ import annotations

import re
from collections.abc import Callable

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from ..models import RNNConfig, RNNRun, build_module, make_input
from .answers import describe_object
from .core import Case, check_function, check_shapes

# ---------------------------------------------------------------------------------------------------------------
# Shared by notebooks 06, 08 and 09: predictions written as a dict, and answers judged against named mistakes.


def _plain(value: object) -> object:
    """A prediction as plain Python: tensors, torch.Size and tuples become lists of ints or bools."""
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    if isinstance(value, (tuple, list, torch.Size)):
        return [_plain(v) for v in value]
    return value


def compare_prediction(
    answer,
    *,
    name: str,
    expected: dict[str, object],
    mistakes: dict[str, list[tuple[object, str]]],
    hints: dict[str, str],
    section: str,
    success: str,
) -> None:
    """A predict-then-run exercise: answer is a dict key -> predicted value, compared with what torch returned.

    mistakes[key] lists (a wrong prediction, what that prediction takes for granted); hints[key] is said for any
    other wrong prediction of that key."""
    keys = ", ".join(f'"{k}": ...' for k in expected)
    if answer is None:
        print(f"Not answered yet: set {name} = {{{keys}}} with your predictions, then run the cell.")
        return
    if not isinstance(answer, dict):
        raise AssertionError(f"Not yet: {name} must be a dict like {{{keys}}}, but it is {describe_object(answer)}.")
    if not answer or any(value is None or value is ... for value in answer.values()):
        print(f"Not answered yet: fill in every prediction of {name} ({keys}).")
        return
    problems = []
    for key, want in expected.items():
        if key not in answer:
            problems.append(f'- "{key}" is missing.')
            continue
        got, want = _plain(answer[key]), _plain(want)
        if got == want:
            continue
        why = next((text for wrong, text in mistakes.get(key, []) if _plain(wrong) == got), hints[key])
        problems.append(f'- "{key}": you predicted {got}, torch gives {want}. {why}')
    extra = [k for k in answer if k not in expected]
    if extra:
        problems.append(f"- {', '.join(repr(k) for k in extra)}: not asked for; the keys are {', '.join(expected)}.")
    if problems:
        raise AssertionError("\n".join([f"Not yet. In {name}:", *problems, f"Where it is explained: {section}."]))
    print(f"Correct: {success}.")


def judge_mistakes(
    mistakes: Callable[[RNNRun], dict[str, torch.Tensor]], otherwise: str
) -> Callable[[object, RNNRun, torch.Tensor], str | None]:
    """A judge for check_function: None if right; else the named mistake whose value the answer equals, or
    `otherwise` (which must say what to look at, without guessing a cause)."""

    def judge(got, r: RNNRun, expected: torch.Tensor) -> str | None:
        if not isinstance(got, torch.Tensor):
            return f"Your function returned {describe_object(got)}, not a tensor."
        got = got.detach()
        if got.shape == expected.shape and torch.equal(got, expected):
            return None
        for why, wrong in mistakes(r).items():
            if wrong is not None and got.shape == wrong.shape and torch.equal(got, wrong.detach()):
                return f"Your answer is {why}."
        if got.shape != expected.shape:
            return f"Your tensor has shape {tuple(got.shape)}, not {tuple(expected.shape)}. {otherwise}"
        return f"The shape is right, the numbers are not. {otherwise}"

    return judge


# ---------------------------------------------------------------------------------------------------------------
# Exercise 1: predict what pack_padded_sequence returns.

FIELDS_LENGTHS = [3, 6, 1, 4]  # the exercise's lengths, in the learner's order; x is (4, 6, 2), batch first


def packed_fields() -> dict[str, object]:
    """What torch returns for exercise 1's call, computed, not typed."""
    x = torch.zeros(4, 6, 2)  # (N, L, H_in)
    packed = pack_padded_sequence(x, FIELDS_LENGTHS, batch_first=True, enforce_sorted=False)
    return {
        "data_shape": tuple(packed.data.shape),
        "batch_sizes": packed.batch_sizes.tolist(),
        "sorted_indices": packed.sorted_indices.tolist(),
        "unsorted_indices": packed.unsorted_indices.tolist(),
    }


def check_packed_fields(answer) -> None:
    """Exercise 1: predict .data's shape, batch_sizes, sorted_indices and unsorted_indices of a packed batch."""
    lengths = torch.tensor(FIELDS_LENGTHS)
    right = packed_fields()
    by_length = sorted(FIELDS_LENGTHS, reverse=True)
    steps = range(max(FIELDS_LENGTHS))
    mistakes = {
        "data_shape": [
            ((4, 6, 2), "That is x itself: .data keeps only the real steps, one row per step of each sequence."),
            ((24, 2), "That counts the padding: .data has one row per real step, sum(lengths) rows in all."),
            ((6, 4, 2), ".data is not a padded tensor: it has one row per real step, sum(lengths) rows of H_in."),
            ((sum(FIELDS_LENGTHS),), "Each row of .data keeps the step's H_in features: two axes, not one."),
        ],
        "batch_sizes": [
            (by_length, "Those are the lengths, sorted: batch_sizes has one entry per time step t, not per sequence."),
            (FIELDS_LENGTHS, "Those are the lengths: batch_sizes has one entry per time step t, not per sequence."),
            (
                [int((lengths > t).sum()) for t in range(1, max(FIELDS_LENGTHS) + 1)],
                "Counted from step 1: batch_sizes[0] is step 0, which every sequence has.",
            ),
            (
                [int((lengths > t).sum()) for t in reversed(steps)],
                "Reversed: step 0 comes first, and it has every sequence.",
            ),
            ([len(FIELDS_LENGTHS)] * max(FIELDS_LENGTHS), "That counts padded steps: a finished sequence drops out."),
        ],
        "sorted_indices": [
            (
                right["unsorted_indices"],
                "That is unsorted_indices: sorted_indices[k] is which of YOUR sequences runs k-th, longest first.",
            ),
            (sorted(range(4), key=lambda n: FIELDS_LENGTHS[n]), "That is shortest first: PyTorch sorts longest first."),
        ],
        "unsorted_indices": [
            (
                right["sorted_indices"],
                "That is sorted_indices: unsorted_indices[n] is the position of your "
                "sequence n in the sorted order (the inverse permutation).",
            ),
            (list(range(4)), "That would mean nothing moved; the lengths were not sorted, so PyTorch reordered."),
        ],
    }
    hints = {
        "data_shape": ".data has one row per real step of every sequence, (sum(lengths), H_in).",
        "batch_sizes": "batch_sizes[t] counts the sequences still running at step t: those with lengths > t.",
        "sorted_indices": "List your sequences' indices longest first.",
        "unsorted_indices": "For each of your sequences n, where it sits in the sorted order.",
    }
    compare_prediction(
        answer,
        name="packed_fields",
        expected=right,
        mistakes=mistakes,
        hints=hints,
        section="06, section 8 (What a PackedSequence holds)",
        success=".data holds sum(lengths) rows, step by step; batch_sizes[t] counts the sequences still running; "
        "sorted_indices lists yours longest first and unsorted_indices maps back",
    )


# ---------------------------------------------------------------------------------------------------------------
# Exercise 2: one sequence's state at one step, straight out of .data.

STATE_CASES = [
    Case(RNNConfig("gru", input_size=3, hidden_size=4, batch_first=True, seed=61), 6, 3, lengths=(4, 6, 2)),
    Case(
        RNNConfig("lstm", input_size=2, hidden_size=3, num_layers=2, bidirectional=True, seed=62),
        5,
        4,
        lengths=(1, 5, 3, 2),
    ),
    Case(RNNConfig("rnn", input_size=4, hidden_size=2, seed=63), 7, 3, lengths=(2, 7, 5)),
]


def _pairs(r: RNNRun) -> list[tuple[int, int]]:
    """The (n, t) the checker asks for: every sequence at step 0, in its middle and at its last valid step."""
    lengths = r.lengths.tolist()
    asked = [(n, t) for n, length in enumerate(lengths) for t in (0, (length - 1) // 2, length - 1)]
    return list(dict.fromkeys(asked))


def packed_output_of(r: RNNRun) -> PackedSequence:
    """The run's packed output again, its .data a fresh leaf (so the checker can see how an answer was computed)."""
    packed = pack_padded_sequence(r.x, r.lengths, batch_first=r.config.batch_first, enforce_sorted=False)
    with torch.no_grad():
        out, _ = r.module(packed)
    return PackedSequence(
        out.data.detach().clone().requires_grad_(), out.batch_sizes, out.sorted_indices, out.unsorted_indices
    )


def _expected_states(r: RNNRun) -> torch.Tensor:
    padded, _ = pad_packed_sequence(packed_output_of(r), batch_first=True)  # (N, L, D * H_out)
    return torch.stack([padded[n, t] for n, t in _pairs(r)]).detach()  # (pairs, D * H_out)


def _wrong_rules(r: RNNRun) -> dict[str, Callable[[int, int], int]]:
    """Plausible wrong ways to find the row of (n, t) in .data, each with what it takes for granted."""
    out = packed_output_of(r)
    sizes = out.batch_sizes.tolist()
    back, order = out.unsorted_indices.tolist(), out.sorted_indices.tolist()
    n_seq = len(back)
    sorted_lengths = [int(r.lengths[k]) for k in order]

    def start(t: int) -> int:  # the first row of step t
        return sum(sizes[:t])

    return {
        "the row t * N + n: that counts N rows for every step, but step t holds only batch_sizes[t] rows, the "
        "sequences still running, so step t starts at batch_sizes[:t].sum()": lambda n, t: t * n_seq + n,
        "the right step, but at position n of it: within each step, .data is in PyTorch's sorted order (longest "
        "first), and your sequence n sits at position unsorted_indices[n]": lambda n, t: start(t) + n,
        "at position sorted_indices[n]: sorted_indices[k] says which of your sequences runs k-th; the way back, "
        "from your n to its position, is unsorted_indices[n]": lambda n, t: start(t) + order[n],
        "read as if .data held one sequence after another: it is time-major, step 0 of every sequence first, then "
        "step 1, and so on": lambda n, t: sum(sorted_lengths[: back[n]]) + t,
        "one step late: batch_sizes[:t + 1].sum() is where step t + 1 starts; step t starts at "
        "batch_sizes[:t].sum()": lambda n, t: start(t + 1) + back[n],
    }


def _state_mistakes(r: RNNRun) -> dict[str, torch.Tensor | None]:
    """Each wrong rule's answer, stacked like the right one; None where the rule points past .data."""
    data = packed_output_of(r).data.detach()
    found = {}
    for why, row in _wrong_rules(r).items():
        picked = [row(n, t) for n, t in _pairs(r)]
        found[why] = data[picked] if all(0 <= k < data.shape[0] for k in picked) else None
    return found


def _through_padding(got: object) -> bool:
    """True if the answer was read from a padded tensor filled from .data (pad_packed_sequence does that)."""
    stack = [got.grad_fn] if isinstance(got, torch.Tensor) and got.grad_fn is not None else []
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if type(node).__name__ == "CopySlices":
            return True
        stack.extend(nxt for nxt, _ in node.next_functions if nxt is not None)
    return False


_judge_states = judge_mistakes(
    _state_mistakes,
    "Find the rows of step t first (batch_sizes[:t].sum() rows come before them), then your sequence's place "
    "among them, unsorted_indices[n].",
)


def _judge_state_at(got, r: RNNRun, expected: torch.Tensor) -> str | None:
    if _through_padding(got):
        return (
            "Your numbers were read from a padded tensor filled from .data (what pad_packed_sequence builds). "
            "This exercise asks you to find them in packed_output.data itself, with batch_sizes and "
            "unsorted_indices."
        )
    return _judge_states(got, r, expected)


def _explain_state_error(answer, r: RNNRun, error: Exception) -> str | None:
    text = str(error)
    if "PackedSequence" in text:
        return (
            "packed_output is a PackedSequence, not a tensor: its numbers are in packed_output.data, "
            "its step sizes in packed_output.batch_sizes."
        )
    if not isinstance(error, IndexError):
        return None
    rows = int(r.lengths.sum())
    found = re.search(r"index (-?\d+) is out of bounds", text)
    if found:
        index, out, pairs = int(found.group(1)), packed_output_of(r), _pairs(r)
        data = out.data.detach()
        fitting = []
        for why, row in _wrong_rules(r).items():
            picked = [row(n, t) for n, t in pairs]
            bad = next((k for k, row_k in enumerate(picked) if not 0 <= row_k < rows), None)
            if bad is None or picked[bad] != index:
                continue
            try:  # the answers before the failing one must be that rule's rows too
                same = all(
                    torch.equal(answer(out, n, t).detach(), data[picked[k]]) for k, (n, t) in enumerate(pairs[:bad])
                )
            except Exception:  # the answer is too odd to compare: this rule cannot be confirmed
                same = False
            if same:
                fitting.append(why)
        if len(fitting) == 1:
            return f"Row {index} is past the end of .data ({rows} rows, sum(lengths)). It looks like {fitting[0]}."
    return (
        f".data has sum(lengths) = {rows} rows: the row you computed is past its end. Step t starts after "
        f"batch_sizes[:t].sum() rows, and your sequence n is at unsorted_indices[n] within the step."
    )


def _call_state_at(f, r: RNNRun) -> torch.Tensor:
    out = packed_output_of(r)
    got = [f(out, n, t) for n, t in _pairs(r)]
    if any(g is None for g in got):
        return None
    if not all(isinstance(g, torch.Tensor) for g in got):
        return next(g for g in got if not isinstance(g, torch.Tensor))  # the judge names what it is
    if len({tuple(g.shape) for g in got}) != 1:
        return got[0]  # shapes that vary: the judge reports the first one's
    return torch.stack(got)


def check_state_at(answer) -> None:
    """Exercise 2: state_at(packed_output, n, t) -> sequence n's output at step t, read out of packed_output.data."""
    check_function(
        answer,
        name="state_at",
        signature="state_at(packed_output, n, t)",
        cases=STATE_CASES,
        call=_call_state_at,
        expected=_expected_states,
        wanted="packed_output.data[batch_sizes[:t].sum() + unsorted_indices[n]] for each (n, t) asked (every "
        "sequence at step 0, its middle step and its last valid step), stacked: (number asked, D * H_out)",
        section="06, section 8 (What a PackedSequence holds)",
        success="step t's rows start after batch_sizes[:t].sum() rows, and sequence n is at unsorted_indices[n] "
        "among them, for one or two directions, batch first or not",
        judge=_judge_state_at,
        explain_error=_explain_state_error,
    )


# ---------------------------------------------------------------------------------------------------------------
# Exercise 3: the shapes pad_packed_sequence returns.

# Exercise 3's call: a batch-first bidirectional GRU, hidden_size=5, x (4, 10, 3), lengths [7, 3, 9, 2]
PADDED_CONFIG = RNNConfig(cell="gru", input_size=3, hidden_size=5, bidirectional=True, batch_first=True)
PADDED_LENGTHS = [7, 3, 9, 2]


def _padded_reason(key: str, got: tuple[int, ...], want: tuple[int, ...]) -> str | None:
    """The reasons that name max(lengths) and total_length, for the two padded outputs."""
    if key not in ("output", "output_total_length") or len(got) != 3 or got[0] != want[0] or got[2] != want[2]:
        return None
    longest, total = max(PADDED_LENGTHS), 10
    if key == "output" and got[1] == total:
        return (
            f"without total_length, pad_packed_sequence pads only to the longest sequence, max(lengths) = {longest}, "
            f"not to x's {total} steps"
        )
    if key == "output" and got[1] != longest:
        return f"pad_packed_sequence pads to the longest sequence: max(lengths) = {longest} steps"
    if key == "output_total_length" and got[1] == longest:
        return f"total_length={total} asks for {total} steps, more than max(lengths) = {longest}: it pads up to {total}"
    if key == "output_total_length":
        return f"with total_length={total}, the padded output has exactly {total} steps"
    return None


def check_padded_shapes(answer) -> None:
    """Exercise 3: the shapes pad_packed_sequence returns, with and without total_length; from a real call."""
    module = build_module(PADDED_CONFIG)
    x = make_input(PADDED_CONFIG, seq_len=10, batch_size=4)  # (N, L, H_in) = (4, 10, 3)
    packed = pack_padded_sequence(x, PADDED_LENGTHS, batch_first=True, enforce_sorted=False)
    packed_output, h_n = module(packed)
    output, _ = pad_packed_sequence(packed_output, batch_first=True)
    output_total, _ = pad_packed_sequence(packed_output, batch_first=True, total_length=10)
    expected = {
        "output": tuple(output.shape),
        "output_total_length": tuple(output_total.shape),
        "h_n": tuple(h_n.shape),
    }
    section = "06, sections 3 and 4 (pad_packed_sequence and total_length)"
    if isinstance(answer, dict) and all(value is not None for value in answer.values()):
        problems = []
        for key in ("output", "output_total_length"):
            got = answer.get(key)
            got = tuple(got) if isinstance(got, (tuple, list, torch.Size)) else None
            reason = None
            if got is not None and all(isinstance(v, int) for v in got) and got != expected[key]:
                reason = _padded_reason(key, got, expected[key])
            if reason:
                problems.append(f'- "{key}": you said {got}, it is {expected[key]}: {reason}.')
        if problems:
            raise AssertionError(
                "\n".join(["Not yet. In padded_shapes:", *problems, f"Where it is explained: {section}."])
            )
    check_shapes(
        answer,
        name="padded_shapes",
        expected=expected,
        section=section,
        success="padding stops at the longest sequence unless total_length asks for more",
    )
