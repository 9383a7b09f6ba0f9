"""The report explain() returns: shapes, where each final state lives, the classifier's summary, traps."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import torch
from torch.nn.utils.rnn import PackedSequence

from .inputs import CallSpec
from .locate import Check, FinalState, Summary
from .picture import Picture
from .render import Section, render_html, render_text
from .traps import Note

SHOWN_SEQUENCES = 3  # packed input: sequences listed one by one per direction; all are checked


@dataclass(frozen=True)
class ShapeRow:
    """One tensor of the call: its shape, the name of each axis, and what it holds."""

    name: str
    shape: str
    axes: str
    holds: str


def _shape(t: torch.Tensor) -> str:
    return str(tuple(t.shape))


def shapes(spec: CallSpec, x, tensors: dict) -> list[ShapeRow]:
    """x, h_0, output, h_n (and c_0, c_n) with their axes, in the student's layout."""
    n = "" if spec.unbatched else "N, "
    seq = "(L, " if spec.unbatched else ("(N, L, " if spec.batch_first else "(L, N, ")
    rows_h = f"(num_layers * D, {n}"
    rows = []
    if isinstance(x, PackedSequence):
        rows.append(
            ShapeRow(
                "x",
                f"PackedSequence, data {_shape(x.data)}",
                "data: (sum of lengths, H_in)",
                "the packed batch you passed",
            )
        )
    else:
        rows.append(ShapeRow("x", _shape(x), f"{seq}H_in)", "the input"))
    if spec.packed:
        lengths = tensors["lengths"].tolist()
        shown = str(lengths) if len(lengths) <= 8 else f"[{', '.join(map(str, lengths[:8]))}, ...]"
        rows.append(ShapeRow("lengths", f"{_shape(tensors['lengths'])} = {shown}", "(N,)", "each sequence's steps"))
    states = [("h", "H_out", "hidden state")] + ([("c", "H_cell", "cell state")] if spec.cell == "LSTM" else [])
    for letter, width, what in states:
        name = f"{letter}_0"
        if name in tensors:
            rows.append(ShapeRow(name, _shape(tensors[name]), f"{rows_h}{width})", f"the initial {what} you passed"))
        else:
            size = tensors[f"{letter}_n"].shape
            rows.append(ShapeRow(name, f"not given: zeros {tuple(size)}", f"{rows_h}{width})", f"initial {what}"))
    padded = ", padded by pad_packed_sequence" if spec.packed else ""
    rows.append(
        ShapeRow(
            "output",
            _shape(tensors["output"]),
            f"{seq}D * H_out)",
            f"the top layer at every step, both directions side by side{padded}"
            if spec.bidirectional
            else f"the top layer at every step{padded}",
        )
    )
    for letter, width, what in states:
        rows.append(
            ShapeRow(
                f"{letter}_n",
                _shape(tensors[f"{letter}_n"]),
                f"{rows_h}{width})",
                f"every layer's final {what}, one row per (layer, direction)",
            )
        )
    return rows


@dataclass
class Report:
    """What your module returned for your input, each index expression checked on the real tensors."""

    spec: CallSpec
    tensors: dict  # name -> tensor: output (padded if packed), h_n, c_n, lengths, h_0, c_0
    code: list[str]  # the call, as the expressions below assume it was written
    shapes: list[ShapeRow]
    states: list[FinalState]  # one per (layer, direction), bottom layer first
    cells_in_output: bool | None  # LSTM: does any row of c_n appear in output? (None otherwise)
    summary: Summary
    notes: list[Note]
    picture: Picture
    warnings: list[str] = field(default_factory=list)

    @property
    def output(self) -> torch.Tensor:
        return self.tensors["output"]

    @property
    def h_n(self) -> torch.Tensor:
        return self.tensors["h_n"]

    @property
    def c_n(self) -> torch.Tensor | None:
        return self.tensors.get("c_n")

    def checks(self) -> list[Check]:
        """Every claim of the form "this expression is that state", each settled by torch.equal."""
        found = []
        for state in self.states:
            found.append(state.view)
            if state.in_output is not None:
                found.append(state.in_output)
            found.extend(state.per_sequence)
        return found + [self.summary.from_output]

    @property
    def all_hold(self) -> bool:
        """True when every claimed identity held and no lower layer or cell state turned up in output."""
        return (
            all(c.holds for c in self.checks())
            and not any(s.found_in_output for s in self.states)
            and not self.cells_in_output
        )

    def sections(self) -> list[Section]:
        """The report's content, once, for both the text and the HTML rendering."""
        spec = self.spec
        symbols = [
            f"N = {spec.batch_size}" if not spec.unbatched else "unbatched (no N)",
            f"L = {self.output.shape[0 if spec.unbatched or not spec.batch_first else 1]}",
            f"H_in = {spec.input_size}",
            f"num_layers = {spec.num_layers}",
            f"D = {spec.num_directions}",
            f"H_out = {spec.h_out}",
        ] + ([f"H_cell = {spec.hidden_size}"] if spec.cell == "LSTM" else [])
        layout = "unbatched" if spec.unbatched else f"batch_first={spec.batch_first}"
        layout += (", packed" if spec.packed else "") + f", {str(spec.dtype).removeprefix('torch.')}"
        found = [
            Section(
                "The call",
                ("code",),
                tuple((line,) for line in self.code),
                code=(0,),
                caption=f"{layout}, {'training' if spec.training else 'eval'} mode",
            ),
            Section(
                "Shapes",
                ("tensor", "shape", "axes", "holds"),
                tuple((r.name, r.shape, r.axes, r.holds) for r in self.shapes),
                code=(0,),
                caption=", ".join(symbols),
            ),
            Section(
                "Final states: where each (layer, direction) ends up",
                ("layer", "direction", "h_n", "same as", "in output", "checked"),
                self._state_rows(),
                code=(2, 3, 4),
                caption="checked: torch.equal on your tensors",
            ),
        ]
        if self.cells_in_output is not None:
            found.append(
                Section(
                    "Cell states",
                    ("c_n", "in output", "checked"),
                    (("c_n[k]: same rows as h_n[k]", "nowhere", str(not self.cells_in_output)),),
                    code=(),
                )
            )
        s = self.summary
        last = "equal here" if s.last_step.holds else "not equal here: the common slip"
        rows = [
            (s.expression, str(s.shape), "use this", ""),
            (s.from_output.left, "", "the same states, cut out of output", str(s.from_output.holds)),
        ]
        if s.last_step.left != s.from_output.left:
            rows.append((s.last_step.left, "", f"output at its last step: {last}", str(s.last_step.holds)))
        found.append(
            Section(
                "A classifier's summary of each whole sequence",
                ("expression", "shape", "what it is", "checked"),
                tuple(rows),
                code=(0,),
                caption="checked: torch.equal with the first row",
            )
        )
        found.append(
            Section(
                "Traps for this configuration",
                ("note", "explained in"),
                tuple((note.text, note.path) for note in self.notes),
                links=1,
            )
        )
        if self.warnings:
            found.append(Section("torch warned", ("message",), tuple((w,) for w in self.warnings)))
        drawn = ((self.picture.code,),) if self.picture.code else ()
        found.append(
            Section("The grid for this configuration", ("drawn by",), drawn, code=(0,), caption=self.picture.caption)
        )
        return found

    def _state_rows(self) -> tuple[tuple[str, ...], ...]:
        rows = []
        for st in self.states:
            view = st.view.left
            if st.in_output is None:
                where = "found in output (by chance)" if st.found_in_output else "nowhere: not the top layer"
                rows.append(
                    (
                        str(st.layer),
                        st.direction_name,
                        st.h_n,
                        view,
                        where,
                        str(st.view.holds and not st.found_in_output),
                    )
                )
                continue
            rows.append(
                (
                    str(st.layer),
                    st.direction_name,
                    st.h_n,
                    view,
                    st.in_output.left,
                    str(st.view.holds and st.in_output.holds),
                )
            )
            lengths = self.tensors["lengths"].tolist() if st.per_sequence else []
            shown = len(st.per_sequence) if len(st.per_sequence) <= SHOWN_SEQUENCES + 1 else SHOWN_SEQUENCES
            for n, check in enumerate(st.per_sequence[:shown]):
                rows.append(("", f"sequence {n}, length {lengths[n]}", check.right, "", check.left, str(check.holds)))
            hidden = st.per_sequence[shown:]
            if hidden:
                rows.append(
                    ("", f"{len(hidden)} more sequences", "", "", "each one checked", str(all(c.holds for c in hidden)))
                )
        return tuple(rows)

    def __str__(self) -> str:
        return render_text(f"What {self.spec.module_repr} returned", self.sections())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return render_html(f"What {self.spec.module_repr} returned", self.sections())

    def _ipython_display_(self) -> None:
        """In Jupyter: the tables, then the grid picture as its own PNG output."""
        # Two outputs rather than a PNG inside the HTML: strict nbval compares text/html byte for byte,
        # while image/png outputs go to the repository's pixel check, which allows antialiasing noise.
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": str(self)}, raw=True)
        png = self.picture.png()
        if png is not None:
            caption = f"The grid for this configuration ({self.picture.caption})"
            display({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": caption}, raw=True)
