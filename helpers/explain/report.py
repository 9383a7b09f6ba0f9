"""The report explain() returns: shapes, where each final state lives, the classifier's summary, traps."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import torch
from torch.nn.utils.rnn import PackedSequence

from .capture import Padding
from .inputs import CallSpec
from .lines import Reading
from .locate import Check, FinalState, Located, Summary
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
    readings: tuple[Reading, ...] = ()  # the student's own lines, read on these tensors
    padding: Padding | None = None  # x looked padded and was not packed: what packing would give
    packing: tuple[str, ...] = ()  # the same, said in lines
    times_called: int = 1  # how often the model called this module in one forward pass
    model_error: str = ""  # what the model raised after this module returned

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
        """True when every claimed identity held (a lower layer equal to output by coincidence is no claim)."""
        return all(c.holds for c in self.checks())

    def sections(self) -> list[Section]:
        """The report's content, once, for both the text and the HTML rendering."""
        spec = self.spec
        steps = self.output.shape[0 if spec.unbatched or not spec.batch_first else 1]
        length = f"L = {steps}"
        if spec.packed and spec.x_steps and steps < spec.x_steps:
            length = f"L = {spec.x_steps} in x, {steps} in output (total_length={spec.x_steps} keeps x's)"
        symbols = [
            f"N = {spec.batch_size}" if not spec.unbatched else "unbatched (no N)",
            length,
            f"H_in = {spec.input_size}",
            f"num_layers = {spec.num_layers}",
            f"D = {spec.num_directions}",
            f"H_out = {spec.h_out}",
        ] + ([f"H_cell = {spec.hidden_size}"] if spec.cell == "LSTM" else [])
        layout = "unbatched" if spec.unbatched else f"batch_first={spec.batch_first}"
        layout += (", packed" if spec.packed else "") + f", {str(spec.dtype).removeprefix('torch.')}"
        if spec.nonlinearity:
            layout += f", nonlinearity={spec.nonlinearity!r}"
        if not spec.bias:
            layout += ", bias=False"
        called = f", called {self.times_called} times: the first call is shown" if self.times_called > 1 else ""
        found = [
            Section(
                "The call",
                ("code",),
                tuple((line,) for line in self.code),
                code=(0,),
                caption=f"{layout}, {'training' if spec.training else 'eval'} mode{called}",
            ),
            Section(
                "Shapes",
                ("tensor", "shape", "axes", "holds"),
                tuple((r.name, r.shape, r.axes, r.holds) for r in self.shapes),
                code=(0,),
                caption=", ".join(symbols),
            ),
            self._states_section(),
        ]
        if self.cells_in_output is not None:
            found.append(
                Section(
                    "Cell states",
                    ("c_n", "in output"),
                    (
                        (
                            "c_n[k]: same rows as h_n[k]",
                            "equal to some slice by coincidence" if self.cells_in_output else "nowhere",
                        ),
                    ),
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
        for reading in self.readings:
            found.append(_reading_section(reading))
        if self.padding is not None and not any(r.with_packing for r in self.readings):
            found.append(
                Section(
                    "x looks padded, and no lengths were given",
                    ("what packing would change",),
                    tuple((line,) for line in self.packing),
                )
            )
        if self.warnings or self.model_error:
            said = list(self.warnings) + ([f"after it returned: {self.model_error}"] if self.model_error else [])
            found.append(Section("torch warned", ("message",), tuple((w,) for w in said)))
        drawn = ((self.picture.code,),) if self.picture.code else ()
        found.append(
            Section("The grid for this configuration", ("drawn by",), drawn, code=(0,), caption=self.picture.caption)
        )
        return found

    def _states_section(self) -> Section:
        spec = self.spec
        batch = () if spec.unbatched else (spec.batch_size,)
        shape = ", ".join(str(n) for n in (spec.num_layers, spec.num_directions, *batch, spec.h_out))
        caption = "checked: torch.equal on your tensors"
        if spec.num_layers * spec.num_directions > 1:  # with one row, the view says nothing new
            held = all(st.view.holds for st in self.states)
            caption += f"; h_n[k] == h_n.view({shape})[k // D, k % D] for every row k: {held}"
        return Section(
            "Final states: where each (layer, direction) ends up",
            ("layer", "direction", "h_n", "in output", "checked"),
            tuple(row[:3] + row[4:] for row in self._state_rows()),
            code=(2, 3),
            caption=caption,
        )

    def _state_rows(self) -> tuple[tuple[str, ...], ...]:
        rows = []
        for st in self.states:
            view = st.view.left
            if st.in_output is None:
                where = "nowhere: not the top layer"
                if st.found_in_output:
                    why = "all zeros" if st.zeros else "same values"
                    where = f"not the top layer; a slice of output is equal by coincidence ({why})"
                rows.append((str(st.layer), st.direction_name, st.h_n, view, where, str(st.view.holds)))
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
        return render_text(f"What {self.spec.title} returned", self.sections())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return render_html(f"What {self.spec.title} returned", self.sections())

    def _ipython_display_(self) -> None:
        """In Jupyter: the tables, then the grid picture as its own PNG output."""
        # Two outputs rather than a PNG inside the HTML: strict nbval compares text/html byte for byte,
        # while image/png outputs go to the repository's pixel check, which allows antialiasing noise.
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": str(self)}, raw=True)
        png, alt = self.picture.drawn()
        if png is not None:
            caption = f"The grid for this configuration ({self.picture.caption})"
            data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": caption}
            display(data, metadata={"image/png": {"alt": f"{caption}. {alt}"}}, raw=True)


def _reading_section(reading: Reading) -> Section:
    rows = [(index, holds) for index, holds in reading.rows]
    rows += [("", fact) for fact in reading.facts]
    if reading.intent:
        rows.append(("verdict", reading.verdict))
        rows.append(("checked", reading.check))
    rows += [("packing", line) for line in reading.with_packing]
    caption = f"shape {reading.shape}" if reading.shape is not None else ""
    return Section(f"Your line: {reading.line}", ("row", "what it holds"), tuple(rows), caption=caption)


def _with_batch(call, rows: list[ShapeRow]) -> list[ShapeRow]:
    """A submodule of a whole model: the model's batch first, and x named as what the submodule received."""
    if not call.spec.qualified:
        return rows
    x = rows[0]
    received = ShapeRow(x.name, x.shape, x.axes, f"what {call.spec.access} received")
    return [ShapeRow("batch", call.batch, "", "what your model took"), received, *rows[1:]]


def write_report(located: Located, readings: tuple[Reading, ...], model_error: str = "") -> Report:
    """Stage 5: the report of one recurrent call."""
    call = located.call
    return Report(
        spec=call.spec,
        tensors=call.tensors,
        code=list(call.code),
        shapes=_with_batch(call, shapes(call.spec, call.x, call.tensors)),
        states=list(located.states),
        cells_in_output=located.cells_in_output,
        summary=located.summary,
        notes=list(located.notes),
        picture=located.picture,
        warnings=list(call.warnings),
        readings=readings,
        padding=call.padding,
        packing=located.packing,
        times_called=call.times_called,
        model_error=model_error,
    )


@dataclass
class Reports:
    """The reports of a model with several recurrent submodules, one per submodule, by qualified name."""

    reports: dict  # qualified name -> Report

    def __getitem__(self, name: str) -> Report:
        return self.reports[name]

    def __iter__(self):
        return iter(self.reports.values())

    def __len__(self) -> int:
        return len(self.reports)

    def __str__(self) -> str:
        return "\n\n".join(str(r) for r in self.reports.values())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return "\n".join(r._repr_html_() for r in self.reports.values())

    def _ipython_display_(self) -> None:
        for r in self.reports.values():
            r._ipython_display_()
