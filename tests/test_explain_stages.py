"""explain is one pass, top to bottom: each stage takes the previous stage's dataclass and returns its own."""

import typing

import torch
from torch import nn

from helpers.explain import explain
from helpers.explain.capture import Call, Capture, capture
from helpers.explain.inputs import Inputs, read_inputs
from helpers.explain.lines import Reading, read_lines
from helpers.explain.locate import Located, locate
from helpers.explain.report import Report, write_report


def test_each_stage_takes_the_previous_stage_s_dataclass():
    hints = {f.__name__: typing.get_type_hints(f) for f in (capture, locate, read_lines, write_report)}
    assert hints["capture"]["inputs"] is Inputs and hints["capture"]["return"] is Capture
    assert hints["locate"]["call"] is Call and hints["locate"]["return"] is Located
    assert hints["read_lines"]["located"] is Located and hints["read_lines"]["return"] == tuple[Reading, ...]
    assert hints["write_report"]["located"] is Located and hints["write_report"]["return"] is Report


def test_the_stages_run_by_hand_give_explain_s_report():
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(1))
    inputs = read_inputs(gru, x, None, [5, 3], None, "out[:, -1, :]")
    (call,) = capture(inputs).calls
    located = locate(call)
    report = write_report(located, read_lines(located, inputs.uses))
    assert str(report) == str(explain(gru, x, lengths=[5, 3], uses="out[:, -1, :]"))
