"""Where an answer's numbers came from, compared piece by piece with the wanted tensor's."""

from __future__ import annotations

from collections import Counter

import torch

from .index import DIRECTIONS, Name, Piece, RunIndex
from .names import best_pair, code, column, preferred, where, words
from .shapes import Diagnosis

# What each story means, and the section-independent advice that goes with it.
WHY = {
    "c_n_for_h_n": "That is c_n, the LSTM's cell state; the task wants h_n, the hidden state (the one output shows).",
    "h_n_for_c_n": "That is the hidden state (h_n, or output); the task wants c_n, the LSTM's cell state, "
    "which output never shows.",
    "zeros": "This run has no padding, so zeros are no state of it: read the run's own tensors rather than "
    "making new ones (torch.zeros).",
    "other_sequences": "That row belongs to another sequence. Rows that belong to other sequences are the sign of a "
    "reshape (or view) without a transpose: reshape regroups the numbers in memory order and "
    "moves no axis. Move the batch axis with .transpose(0, 1) (or .permute) instead.",
    "view_order": "That is the row a view with the directions before the layers would pick. h_n's rows go layer by "
    "layer, forward then backward inside each layer: view it as (num_layers, D, N, H_out), not "
    "(D, num_layers, N, H_out).",
    "wrong_layer": "That is the wrong layer: the last rows of h_n hold the top layer, the one output shows.",
    "wrong_direction": "That is the other direction.",
    "off_by_one": "That is one step off.",
    "wrong_step": "That is the wrong step. The forward direction ends at the last valid step; the backward "
    "direction reads the sequence from the end, so it ends at step 0.",
    "mixed": "That is another state of the run.",
    "padding_wanted": "The task wants output as it is, padding included: your answer has a state of the run where "
    "output holds zeros.",
}


def relation(ix: RunIndex, wanted: Name, got: Name) -> str:
    """Name the story that turns the wanted vector into the one the answer holds."""
    if wanted.tensor == "zeros":  # output's padding is wanted (a GRU's answer is never c_n for h_n because of it)
        return "padding_wanted"
    if got.tensor == "zeros":
        return "padding" if _padded_here(ix, wanted) else "zeros"
    if wanted.kind != got.kind:
        return "c_n_for_h_n" if got.kind == "cell" else "h_n_for_c_n"
    if wanted.seq != got.seq:
        return "other_sequences"
    rows = ix.num_layers * ix.num_directions
    if got.row >= 0 and wanted.row >= 0 and ix.num_directions == 2 and ix.num_layers > 1:
        layer, direction = divmod(wanted.row, 2)
        if got.row == direction * ix.num_layers + layer and got.row != wanted.row and rows > 2:
            return "view_order"
    if wanted.layer != got.layer:
        return "wrong_layer"
    if wanted.direction != got.direction:
        return "wrong_direction"
    if wanted.step != got.step:
        return "off_by_one" if abs(wanted.step - got.step) == 1 else "wrong_step"
    return "mixed"


def _padded_here(ix: RunIndex, wanted: Name) -> bool:
    """Zeros where wanted is could be output's padding: the top layer's hidden state of a sequence with padding.

    Only output is padded, and only after a sequence's end: c_n, h_n's lower layers and a sequence as long as the
    batch's steps have no padding to read by mistake.
    """
    return (
        ix.run.lengths is not None
        and wanted.kind == "hidden"
        and wanted.layer == ix.num_layers - 1
        and ix.last[wanted.seq] < ix.seq_len - 1
    )


def _zeros_why(ix: RunIndex, e: Name) -> str:
    """Why zeros are no state of this run, true for its padding: none at all, or only in output, not where e is."""
    if all(last == ix.seq_len - 1 for last in ix.last):
        return WHY["zeros"]
    if e.kind == "cell":
        reason = "c_n is never padded"
    elif e.layer != ix.num_layers - 1:
        reason = "h_n is never padded, and output shows only the top layer"
    else:
        reason = f"sequence {e.seq} has all {ix.seq_len} steps valid, so output holds no padding for it"
    return (
        f"This run is padded only in output, after each sequence's end; {reason}. Zeros are no state of it: "
        f"read the run's own tensors rather than making new ones (torch.zeros)."
    )


def _index(piece: Piece, width: int) -> str:
    """The indexing of expected that gives the same place as piece: "[0, 0:3]", "" for a whole 1-D answer."""
    return where(piece, width)[len("answer") :]


def compare(ix: RunIndex, got: torch.Tensor, want: torch.Tensor, prefer: str = "") -> Diagnosis:
    """Cut both tensors into named pieces and tell the story of the first difference."""
    got_pieces, want_pieces = ix.pieces(got), ix.pieces(want)
    width = got.shape[-1] if got.dim() else 1
    if not prefer:
        sources = Counter(name.tensor for p in got_pieces for name in p.names)
        prefer = "h_n" if sources["h_n"] >= sources["output"] and sources["h_n"] else "output"
    if not any(p.names for p in got_pieces):
        return Diagnosis(
            "nothing",
            "None of your answer's numbers match a vector of this run: not output at any "
            "step, not a row of h_n or c_n, not padding. Check what your code computes, piece by piece.",
        )
    partial = next((p for p in got_pieces if p.names and p.part is not None), None)
    singles = _alternating(got_pieces)
    if singles:
        shown = "; ".join(
            f"your {where(p, width)} is number {p.part[0]} of {code(preferred(p.names, prefer), ix)}"
            for p in singles[:2]
        )
        return Diagnosis(
            "interleaved",
            f"Your answer's rows take one number at a time from different vectors of the run: {shown}. That is what "
            f"moving the features axis (the last one) with transpose or permute does, with or without a reshape "
            f"after: the numbers of different rows end up alternating. Keep the features last when you move axes.",
        )
    if partial is not None:
        name = preferred(partial.names, prefer)
        a, b = partial.part
        return Diagnosis(
            "partial",
            f"Your {where(partial, width)} is only features {a}:{b} of {code(name, ix)} "
            f"({words(name, ix)}), which has {_width(name, ix)} features. A slice bound written as a "
            f"number cuts a vector in the middle once the sizes change: compute it from the shape, "
            f"for example {_size_hint(ix, name)}.",
        )
    if got.shape == want.shape:
        return _same_shape(ix, got_pieces, want_pieces, width, prefer)
    if got.numel() == want.numel() and want.dim() >= 1:  # reshaped: do its rows mix sequences?
        again = _same_shape(ix, ix.pieces(got.reshape(want.shape)), want_pieces, want.shape[-1], prefer)
        if again.pattern in ("other_sequences", "view_order"):
            return Diagnosis(
                again.pattern,
                f"Your answer has shape {tuple(got.shape)}, not {tuple(want.shape)}, "
                f"and its rows mix sequences. Reshaped to {tuple(want.shape)}: "
                + again.text.replace("Your answer", "your answer", 1),
                again.advice,
                again.target,
            )
    return _other_shape(ix, got_pieces, want_pieces, width, want.shape[-1] if want.dim() else 1, prefer)


def _alternating(pieces: list[Piece]) -> list[Piece]:
    """Two or more one-number pieces side by side in a row, each a part of a vector: numbers taken one at a time."""
    for a, b in zip(pieces, pieces[1:]):
        if (
            a.row == b.row
            and a.stop == b.start
            and all(p.names and p.part is not None and p.stop - p.start == 1 for p in (a, b))
        ):
            return [a, b]
    return []


def _size_hint(ix: RunIndex, name: Name) -> str:
    """How to compute the width of the vector that was cut, from the tensor it was cut from.

    c_n's rows are hidden_size wide (H_cell), h_n's and each half of output's H_out: proj_size when it is set.
    """
    if name.tensor == "c_n":
        hint = "H_cell = c_n.shape[-1]"
    elif name.tensor == "h_n":
        hint = "H_out = h_n.shape[-1]"
    else:
        hint = "H_out = output.shape[-1] // 2" if ix.num_directions == 2 else "H_out = output.shape[-1]"
    if ix.h_out == ix.hidden_size:  # no proj_size: one width for all three
        return hint
    if name.tensor == "c_n":
        return f"{hint} (c_n is hidden_size = {ix.hidden_size} wide, h_n proj_size = {ix.h_out})"
    return f"{hint} (H_out = proj_size = {ix.h_out} here, c_n is hidden_size = {ix.hidden_size} wide)"


def _width(name: Name, ix: RunIndex) -> int:
    return ix.hidden_size if name.tensor == "c_n" else ix.h_out


def _same_shape(ix, got_pieces, want_pieces, width, prefer) -> Diagnosis:
    got_at = {(p.row, p.start, p.stop): p for p in got_pieces}
    wrong = []
    for w in want_pieces:
        g = got_at.get((w.row, w.start, w.stop)) or _zeros_over(got_pieces, w)
        if g is None or not set(g.names) & set(w.names):
            wrong.append((w, g))
    if not wrong:  # equal pieces everywhere means equal tensors; never reached for a wrong answer
        return Diagnosis("mixed", "Your answer's numbers differ from the wanted ones.")
    half = _swapped_halves(ix, got_pieces, want_pieces)
    if half:
        e = preferred(want_pieces[0].names, prefer)
        first = preferred(got_pieces[0].names, prefer)
        return Diagnosis(
            "halves_swapped",
            f"Your answer has the two halves of each row swapped: its first half is "
            f"the {DIRECTIONS[first.direction]} direction ({code(first, ix)}). output puts the forward "
            f"direction first, then the backward one: put {column(e, ix)} first.",
            column(e, ix),
            f"[..., 0:{half}]",
        )
    named = [p for p in got_pieces if p.names]
    if (
        all(p.names for p in got_pieces)
        and len({w.row for w in want_pieces}) > 1
        and len({n.seq for w in want_pieces for n in w.names[:1]}) > 1
    ):
        listed = "; ".join(f"your {where(p, width)} is {code(preferred(p.names, 'output'), ix)}" for p in named[:2])
        steps_of_one = _steps_of_one(ix, named, prefer, listed + (", and more" if len(named) > 2 else ""))
        if steps_of_one:
            return steps_of_one
    named_wrong = [(w, g) for w, g in wrong if w.names]
    if not named_wrong:  # the wanted numbers are computed from the run, not vectors of it
        return _unnamed_wanted(ix, wrong[0][0], wrong[0][1], width, prefer)
    w, g = named_wrong[0]
    e = preferred(w.names, prefer)
    more = len(wrong) - 1
    tail = (
        f" ({more} more piece{'s' if more > 1 else ''} of your answer differ{'s' if more == 1 else ''} too.)"
        if more
        else ""
    )
    if g is None or not g.names:
        return Diagnosis(
            "partly_nothing",
            f"Your {where(w, width)} matches no vector of this run. It should be {code(e, ix)}: {words(e, ix)}.{tail}",
            code(e, ix),
            _index(w, width),
        )
    e, h = best_pair(w.names, g.names, prefer)
    pattern = relation(ix, e, h)
    held = "all its numbers are 0" if pattern == "zeros" else words(h, ix)  # padding only in the padding story
    text = (
        f"Your {where(g, width)} is {code(h, ix)}: {held}. It should be {code(e, ix)}: "
        f"{words(e, ix)}. {_why(ix, pattern, e, h)}{tail}"
    )
    return Diagnosis(pattern, text, code(e, ix), _index(w, width))


def _zeros_over(got_pieces: list[Piece], w: Piece) -> Piece | None:
    """Zeros over all of w's features, as one piece: zeros are cut at most H_out wide, a c_n row is wider with
    proj_size set."""
    inside = [p for p in got_pieces if p.row == w.row and w.start <= p.start and p.stop <= w.stop]
    if (
        inside
        and all(p.names == (Name("zeros"),) for p in inside)
        and sum(p.stop - p.start for p in inside) == (w.stop - w.start)
    ):
        return Piece(w.row, w.start, w.stop, (Name("zeros"),))
    return None


def _unnamed_wanted(ix: RunIndex, w: Piece, g: Piece | None, width: int, prefer: str) -> Diagnosis:
    """The wanted numbers are no vector of the run (maths done on it): say what the answer holds instead."""
    if g is not None and g.names:
        h = preferred(g.names, prefer)
        held = f"Your {where(g, width)} is {code(h, ix)}: {words(h, ix)}."
    else:
        held = f"Your {where(w, width)} matches no vector of this run."
    return Diagnosis(
        "mixed", f"{held} The task wants other numbers there, computed from the run rather than read from it."
    )


def _why(ix: RunIndex, pattern: str, e: Name, h: Name) -> str:
    if pattern == "wrong_direction":
        return (
            f"That is the {DIRECTIONS[h.direction]} direction; the task wants the {DIRECTIONS[e.direction]} one. "
            f"The forward direction ends at the last valid step, the backward direction at step 0."
        )
    if pattern == "wrong_layer":
        state = e.tensor if e.tensor in ("h_n", "c_n") else "h_n"
        shows = ", the one output shows" if state == "h_n" else " (output never shows c_n)"
        text = f"That is the wrong layer: the last rows of {state} hold the top layer{shows}."
        return text + (" It is also the other direction." if e.direction != h.direction else "")
    if pattern == "padding":
        n, length = e.seq, int(ix.run.lengths[e.seq])
        if e.direction == 1 and e.step == 0:
            where_e = "Its backward direction ends at step 0, which is never padding."
        elif e.step == length - 1:
            where_e = f"Its final state is at its own last valid step, lengths[{n}] - 1 = {length - 1}."
        else:
            where_e = f"Step {e.step} is one of them."
        return (
            f"That is padding: sequence {n} has only {length} valid step{'s' if length != 1 else ''}, and output holds "
            f"zeros after {'them' if length != 1 else 'it'}. {where_e}"
        )
    if pattern == "zeros":
        return _zeros_why(ix, e)
    if pattern == "off_by_one":
        return f"That is one step off: step {h.step} instead of step {e.step}. Steps run from 0 to L - 1."
    if pattern == "wrong_step" and ix.num_directions == 1:
        return f"That is the wrong step: step {h.step} instead of step {e.step}, where the final state is."
    if pattern == "wrong_step":
        return WHY["wrong_step"] + f" Here: step {h.step} instead of step {e.step}."
    return WHY[pattern]


def _swapped_halves(ix: RunIndex, got_pieces, want_pieces) -> int:
    """The width of a half if every row holds the wanted two halves in the other order, else 0.

    A half is one direction's vector: H_out wide for output and h_n, hidden_size for c_n (wider with proj_size).
    """
    if ix.num_directions != 2:
        return 0
    rows: dict[tuple, list[Piece]] = {}
    for p in want_pieces:
        rows.setdefault(p.row, []).append(p)
    got_rows: dict[tuple, list[Piece]] = {}
    for p in got_pieces:
        got_rows.setdefault(p.row, []).append(p)
    widths = set()
    for row, halves in rows.items():
        mine = got_rows.get(row, [])
        if len(halves) != 2 or len(mine) != 2 or halves[0].start != 0 or halves[1].stop != 2 * halves[0].stop:
            return 0
        if not (set(mine[0].names) & set(halves[1].names) and set(mine[1].names) & set(halves[0].names)):
            return 0
        widths.add(halves[0].stop)
    return widths.pop() if len(widths) == 1 else 0


def _other_shape(ix, got_pieces, want_pieces, width, want_width, prefer) -> Diagnosis:
    named = [p for p in got_pieces if p.names]
    kinds = ({n.kind for p in named for n in p.names}, {n.kind for p in want_pieces for n in p.names})
    if kinds in (({"cell"}, {"hidden"}), ({"hidden"}, {"cell"})):  # with proj_size, c_n and h_n differ in width
        g, e = named[0], want_pieces[0]
        pattern = "c_n_for_h_n" if kinds[0] == {"cell"} else "h_n_for_c_n"
        h, w = preferred(g.names, prefer), preferred(e.names, "h_n" if pattern == "c_n_for_h_n" else "c_n")
        return Diagnosis(
            pattern,
            f"Your {where(g, width)} is {code(h, ix)}: {words(h, ix)}. It should be "
            f"{code(w, ix)}: {words(w, ix)}. {WHY[pattern]} With proj_size set, h_n is proj_size wide "
            f"and c_n hidden_size wide.",
            code(w, ix),
            _index(e, want_width),
        )
    listed = "; ".join(
        f"your {where(p, width)} is {code(preferred(p.names, prefer), ix)} ({words(preferred(p.names, prefer), ix)})"
        for p in named[:2]
    )
    listed += ", and more" if len(got_pieces) > 2 else ""
    has_all = all(any(set(w.names) & set(g.names) for g in named) for w in want_pieces)
    only_wanted = all(any(set(g.names) & set(w.names) for w in want_pieces) for g in named)
    if has_all and not only_wanted:
        keep = _kept_span(got_pieces, want_pieces, width)
        advice = f"answer[..., {keep[0]}:{keep[1]}]" if keep else None
        how = f" Keep only features {keep[0]}:{keep[1]} of each row: {advice}." if keep else " Keep only that."
        return Diagnosis("too_much", f"Your answer holds what the task wants, and more besides: {listed}.{how}", advice)
    if only_wanted and not has_all and all(w.names for w in want_pieces):
        lacking = [w for w in want_pieces if not any(set(w.names) & set(g.names) for g in named)]
        missing = lacking[0]
        e = preferred(missing.names, prefer)
        return Diagnosis(
            "too_little",
            f"Your answer holds only part of what the task wants: {listed}. It lacks "
            f"{code(e, ix)} ({words(e, ix)}){', among others' if len(lacking) > 1 else ''}.",
            code(e, ix),
            _index(missing, want_width),
        )
    steps_of_one = _steps_of_one(ix, named, prefer, listed)
    if steps_of_one:
        return steps_of_one
    return Diagnosis("mixed", f"Your answer holds other states of the run: {listed}.")


def _steps_of_one(ix: RunIndex, named: list[Piece], prefer: str, listed: str) -> Diagnosis | None:
    """The rows are steps of one sequence where one row per sequence was wanted: time and batch confused."""
    firsts = [preferred(p.names, "output") for p in named]
    steps = {n.step for n in firsts if n.tensor == "output"}
    if len({n.seq for n in firsts}) != 1 or len(steps) < 2 or ix.batch_size < 2:
        return None
    layout = "(N, L, ...)" if ix.run.config.batch_first else "(L, N, ...)"
    return Diagnosis(
        "time_for_batch",
        f"The rows of your answer are the steps of one sequence: {listed}. "
        f"The task wants one row per sequence. Here output is {layout}: check which dimension "
        f"is time and which is the batch.",
    )


def _kept_span(got_pieces, want_pieces, width) -> tuple[int, int] | None:
    """The one feature span of every answer row that holds the wanted row, if there is one."""
    spans = set()
    for w in want_pieces:
        if (w.start, w.stop) != (0, w.stop) or len([p for p in want_pieces if p.row == w.row]) != 1:
            return None
        mine = [g for g in got_pieces if g.row == w.row and set(g.names) & set(w.names)]
        if len(mine) != 1:
            return None
        spans.add((mine[0].start, mine[0].stop))
    return spans.pop() if len(spans) == 1 else None
