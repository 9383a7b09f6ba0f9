"""Named vectors as code a learner can type (h_n[-2, 0]) and as words (layer 1, forward, sequence 0)."""

from __future__ import annotations

from .index import DIRECTIONS, Name, Piece, RunIndex


def code(name: Name, ix: RunIndex) -> str:
    """The indexing that gives this vector from the run's own tensors."""
    if name.tensor == "zeros":
        return "zeros"
    unbatched = ix.run.unbatched
    if name.tensor == "output":
        lead = (
            [name.step]
            if unbatched
            else ([name.seq, name.step] if ix.run.config.batch_first else [name.step, name.seq])
        )
        h = ix.h_out
        half = [f"{name.direction * h}:{(name.direction + 1) * h}"] if ix.num_directions == 2 else []
        return f"output[{', '.join(str(i) for i in lead + half)}]"
    rows = ix.num_layers * ix.num_directions
    row = name.row - rows if name.layer == ix.num_layers - 1 else name.row
    return f"{name.tensor}[{row}]" if unbatched else f"{name.tensor}[{row}, {name.seq}]"


def column(name: Name, ix: RunIndex) -> str:
    """The same vector for every sequence at once (h_n[-2], output[:, 4, 0:3]), when the batch is a row each."""
    if name.tensor == "h_n" or name.tensor == "c_n":
        rows = ix.num_layers * ix.num_directions
        return f"{name.tensor}[{name.row - rows if name.layer == ix.num_layers - 1 else name.row}]"
    lead = [":", str(name.step)] if ix.run.config.batch_first else [str(name.step), ":"]
    if ix.run.unbatched:
        lead = [str(name.step)]
    h = ix.h_out
    half = [f"{name.direction * h}:{(name.direction + 1) * h}"] if ix.num_directions == 2 else []
    return f"output[{', '.join(lead + half)}]"


def words(name: Name, ix: RunIndex) -> str:
    """What the vector is, in a few plain words."""
    if name.tensor == "zeros":
        return (
            "what output holds after a sequence's end (padding)"
            if ix.run.lengths is not None
            else "all its numbers are 0"
        )
    top = name.layer == ix.num_layers - 1
    layer = f"layer {name.layer}" + (" (the top layer)" if top and ix.num_layers > 1 else "")
    direction = f", {DIRECTIONS[name.direction]}" if ix.num_directions == 2 else ""
    seq = "" if ix.run.unbatched else f", sequence {name.seq}"
    if name.tensor == "output":
        return f"the top layer's output at step {name.step}{direction}{seq}"
    what = "cell state" if name.tensor == "c_n" else "final state"
    return f"{what} of {layer}{direction}{seq}"


def where(piece: Piece, width: int) -> str:
    """Where a piece sits in the answer, as indexing: answer[0, 3:6] (answer[0] for a whole row)."""
    index = [str(i) for i in piece.row]
    features = [] if (piece.start, piece.stop) == (0, width) else [f"{piece.start}:{piece.stop}"]
    return f"answer[{', '.join(index + features)}]" if index or features else "answer"


def best_pair(wanted: tuple[Name, ...], got: tuple[Name, ...], prefer: str = "") -> tuple[Name, Name]:
    """The (wanted, got) names that differ least: the likeliest story of how got came about."""

    def distance(pair: tuple[Name, Name]) -> float:
        e, g = pair
        fields = ("kind", "layer", "direction", "seq", "step")
        family = {"c_n": "h_n"}  # c_n's rows line up with h_n's, so h_n is the closer name for c_n's story
        return (
            sum(getattr(e, f) != getattr(g, f) for f in fields)
            + 0.1 * (family.get(e.tensor, e.tensor) != family.get(g.tensor, g.tensor))
            + 0.01 * (e.tensor != prefer)
            + 0.01 * (g.tensor != prefer)
        )

    return min(((e, g) for e in wanted for g in got), key=distance)


def preferred(names: tuple[Name, ...], prefer: str) -> Name:
    """The name from the tensor the learner was given, if the vector has one."""
    return next((n for n in names if n.tensor == prefer), names[0])
