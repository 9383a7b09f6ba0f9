"""Every named vector of a run, and an answer cut into pieces found among them by exact equality."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ...models import RNNRun
from ...states import last_valid_steps, time_major

DIRECTIONS = ("forward", "backward")


@dataclass(frozen=True)
class Name:
    """One named vector of a run: a direction's half of output at one step, or one row of h_n or c_n."""

    tensor: str  # "output", "h_n", "c_n" or "zeros"
    seq: int = 0  # which sequence of the batch (0 when unbatched)
    layer: int = -1
    direction: int = 0  # 0 forward, 1 backward
    step: int = -1  # output: the step; h_n, c_n: the step where that direction ended for this sequence
    row: int = -1  # h_n, c_n: the row

    @property
    def kind(self) -> str:
        """'hidden' for output and h_n (the same states), 'cell' for c_n, 'zeros' for padding."""
        return {"output": "hidden", "h_n": "hidden"}.get(self.tensor, "cell" if self.tensor == "c_n" else "zeros")


@dataclass(frozen=True)
class Piece:
    """A run of features of one answer row: which row, which features, and what they are."""

    row: tuple[int, ...]  # index of the answer row (all dimensions but the last)
    start: int
    stop: int
    names: tuple[Name, ...]  # every named vector these features equal; () if none
    part: tuple[int, int] | None = None  # features a:b of the named vectors, when only a part matched


class RunIndex:
    """The named vectors of one run, by width, ready for exact lookup."""

    def __init__(self, r: RNNRun):
        self.run = r
        cfg = r.config
        self.h_out, self.hidden_size = cfg.h_out, cfg.hidden_size
        self.num_layers, self.num_directions = cfg.num_layers, cfg.num_directions
        out = time_major(r).detach()  # (L, N, D * H_out)
        self.seq_len, self.batch_size = out.shape[0], out.shape[1]
        self.last = last_valid_steps(r).tolist()  # (N,) each sequence's last valid step
        self.vectors: list[tuple[Name, torch.Tensor]] = []
        for t in range(self.seq_len):
            for n in range(self.batch_size):
                for d in range(self.num_directions):
                    piece = out[t, n, d * self.h_out : (d + 1) * self.h_out]
                    if bool((piece != 0).any()):  # padding steps are zeros, found as "zeros"
                        self.vectors.append((Name("output", n, self.num_layers - 1, d, t), piece))
        for tensor, state in (("h_n", r.h_n), ("c_n", r.c_n)):
            if state is None:
                continue
            state = state.detach() if not r.unbatched else state.detach().unsqueeze(1)  # (rows, N, H)
            for row in range(state.shape[0]):
                layer, d = divmod(row, self.num_directions)
                for n in range(self.batch_size):
                    step = self.last[n] if d == 0 else 0
                    self.vectors.append((Name(tensor, n, layer, d, step, row), state[row, n]))
        self.exact: dict[bytes, list[Name]] = {}
        for name, vector in self.vectors:
            self.exact.setdefault(_key(vector), []).append(name)
        self.widths = sorted({v.numel() for _, v in self.vectors}, reverse=True)
        # all vectors end to end, with which vector owns each position, for the partial search
        sizes = [v.numel() for _, v in self.vectors]
        self.flat = torch.cat([v for _, v in self.vectors]) if self.vectors else torch.zeros(0)
        self.owner = [i for i, size in enumerate(sizes) for _ in range(size)]
        self.starts = [sum(sizes[:i]) for i in range(len(sizes))]
        self.known = set(self.flat.tolist())  # every number of the run: anything else starts no piece

    def find(self, vector: torch.Tensor) -> tuple[Name, ...]:
        """Every named vector exactly equal to vector (all-zero vectors are 'zeros')."""
        if vector.numel() and bool((vector == 0).all()):
            return (Name("zeros"),)
        return tuple(self.exact.get(_key(vector), ()))

    def partial(self, row: torch.Tensor, start: int) -> Piece | None:
        """The longest run of row from start that equals features a:b of some named vectors."""
        first = row[start]
        if not self.vectors or bool(first == 0) or not bool(torch.isfinite(first)):
            return None
        best: tuple[int, list[Name], tuple[int, int]] | None = None
        for at in (self.flat == first).nonzero().flatten().tolist():
            name, vector = self.vectors[self.owner[at]]
            offset = at - self.starts[self.owner[at]]
            length = 1
            while (
                start + length < row.numel()
                and offset + length < vector.numel()
                and bool(row[start + length] == vector[offset + length])
            ):
                length += 1
            if best is None or length > best[0]:
                best = (length, [name], (offset, offset + length))
            elif length == best[0] and (offset, offset + length) == best[2]:
                best[1].append(name)
        if best is None:
            return None
        length, names, part = best
        return Piece((), start, start + length, tuple(names), part)

    def pieces(self, answer: torch.Tensor) -> list[Piece]:
        """Cut each row of answer (its last dimension) into named pieces, whole vectors first."""
        rows = answer.reshape(1, -1) if answer.dim() <= 1 else answer.reshape(-1, answer.shape[-1])
        lead = answer.shape[:-1] if answer.dim() > 1 else ()
        found: list[Piece] = []
        for flat, row in enumerate(rows):
            index = tuple(int(i) for i in np.unravel_index(flat, tuple(lead))) if lead else ()
            found.extend(self._cut(row, index))
        return found

    def _cut(self, row: torch.Tensor, index: tuple[int, ...]) -> list[Piece]:
        pieces: list[Piece] = []
        p, unknown = 0, None
        numbers = row.tolist()
        while p < row.numel():
            piece = None
            if numbers[p] != 0 and numbers[p] not in self.known:  # no vector of the run holds this number
                unknown = p if unknown is None else unknown
                p += 1
                continue
            if bool(row[p] == 0):  # a run of zeros: what padding holds
                stop = p
                while stop < row.numel() and bool(row[stop] == 0) and stop - p < min(self.widths, default=1):
                    stop += 1  # one vector wide at most, so zeros line up with the pieces they replace
                piece = Piece(index, p, stop, (Name("zeros"),))
            for width in self.widths if piece is None else ():
                if p + width <= row.numel():
                    names = self.find(row[p : p + width])
                    if names:
                        piece = Piece(index, p, p + width, names)
                        break
            if piece is None:
                match = self.partial(row, p)
                piece = None if match is None else Piece(index, match.start, match.stop, match.names, match.part)
            if piece is None:  # matches nothing: grow the unknown run
                unknown = p if unknown is None else unknown
                p += 1
                continue
            if unknown is not None:
                pieces.append(Piece(index, unknown, p, ()))
                unknown = None
            pieces.append(piece)
            p = piece.stop
        if unknown is not None:
            pieces.append(Piece(index, unknown, row.numel(), ()))
        return pieces


def _key(vector: torch.Tensor) -> bytes:
    """Bytes of a float32 vector, so equal vectors share a key (-0.0 is 0.0 here)."""
    return (vector.detach().to(torch.float32).contiguous() + 0.0).numpy().tobytes()
