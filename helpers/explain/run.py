"""explain(): one pass, top to bottom, each stage taking the previous stage's dataclass.

1. read and check the inputs      (inputs.read_inputs -> Inputs)
2. run the model, capture calls   (capture.capture    -> Capture: one Call per recurrent submodule)
3. locate every state             (locate.locate      -> Located: states, summary, notes from helpers.rules)
4. read the student's lines       (lines.read_lines   -> Readings)
5. write the report               (report.write_report -> Report)
"""

from __future__ import annotations

from torch import nn

from .capture import call_code, capture
from .inputs import read_inputs
from .lines import read_lines
from .locate import locate
from .report import Report, Reports, write_report

__all__ = ["call_code", "explain"]


def explain(model: nn.Module, x, hx=None, lengths=None, *, rnn: str | None = None, uses=None) -> Report | Reports:
    """Run your own model (or nn.RNN, nn.GRU, nn.LSTM) once on your batch and explain, checked, what came back.

    model: an nn.RNN, nn.GRU or nn.LSTM, or any nn.Module holding one or more of them.
    x: the batch, as the model's forward takes it (a tuple for several arguments); for a recurrent module passed
        alone, x with hx and lengths (which pack it) as its forward takes them.
    rnn: the qualified name of one recurrent submodule to report, e.g. "encoder.rnn" (default: every one).
    uses: the line(s) you wrote to read the results, e.g. "out[:, -1, :]" or "out, (h, c) = self.lstm(x); h[-1]":
        each is parsed (never run as code), applied to the real tensors, and explained row by row.
    Returns a Report, or Reports (one Report per submodule, by name) when several submodules are reported.
    """
    inputs = read_inputs(model, x, hx, lengths, rnn, uses)
    captured = capture(inputs)
    reports = {}
    for call in captured.calls:
        located = locate(call)
        reports[call.spec.qualified] = write_report(located, read_lines(located, inputs.uses), captured.model_error)
    if len(reports) == 1:
        return next(iter(reports.values()))
    return Reports(reports)
