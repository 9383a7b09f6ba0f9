"""explain(model, batch): a whole model, its recurrent submodules captured by forward hooks, the model left as found."""

import pytest
import torch
from torch import nn

from helpers.explain import Report, Reports, explain


class Seq2seq(nn.Module):
    """An embedding, a bidirectional GRU encoder inside a submodule, an LSTM decoder in a ModuleList, a head."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 8, padding_idx=0)
        self.encoder = nn.Module()
        self.encoder.rnn = nn.GRU(8, 5, num_layers=2, bidirectional=True, batch_first=True)
        self.layers = nn.ModuleList([nn.LSTM(10, 4, batch_first=True)])
        self.norm = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(4, 3)

    def forward(self, tokens):
        embedded = self.embedding(tokens)  # (N, L, 8)
        out, _ = self.encoder.rnn(embedded)  # (N, L, 10)
        dec, (h, c) = self.layers[0](out)
        return self.head(self.drop(self.norm(h[-1])))


def tokens(seed=1):
    t = torch.randint(1, 20, (3, 6), generator=torch.Generator().manual_seed(seed))
    t[1, 4:] = 0  # padding
    return t


def model(seed=0):
    torch.manual_seed(seed)
    return Seq2seq()


def test_every_recurrent_submodule_is_reported_by_name_with_what_it_received_and_returned():
    m, t = model(), tokens()
    reports = explain(m, t)
    assert isinstance(reports, Reports) and set(reports.reports) == {"encoder.rnn", "layers.0"}
    with torch.no_grad():  # the same calls, by hand
        embedded = m.embedding(t)
        out, h_n = m.encoder.rnn(embedded)
        dec, (h, c) = m.layers[0](out)
    enc = reports["encoder.rnn"]
    assert torch.equal(enc.output, out) and torch.equal(enc.h_n, h_n) and enc.all_hold
    dec_report = reports["layers.0"]
    assert torch.equal(dec_report.output, dec) and torch.equal(dec_report.h_n, h) and torch.equal(dec_report.c_n, c)
    assert "output, h_n = model.encoder.rnn(x)" in enc.code
    assert "output, (h_n, c_n) = model.layers[0](x)" in dec_report.code
    text = str(reports)
    assert "What encoder.rnn = GRU(8, 5" in text and "What layers.0 = LSTM(10, 4" in text
    assert "what model.encoder.rnn received" in text and "(3, 6) int64" in text


def test_rnn_picks_one_submodule_and_a_wrong_name_is_refused_with_the_names_there_are():
    report = explain(model(), tokens(), rnn="encoder.rnn")
    assert isinstance(report, Report) and report.spec.qualified == "encoder.rnn"
    with pytest.raises(ValueError, match=r"rnn='encoder' is not allowed.*'encoder.rnn', 'layers.0'"):
        explain(model(), tokens(), rnn="encoder")


@pytest.mark.parametrize("training", [True, False])
def test_the_model_is_left_exactly_as_found(training):
    m = model().train(training)
    m.encoder.rnn.weight_hh_l0.grad = torch.ones_like(m.encoder.rnn.weight_hh_l0)
    params = {k: v.detach().clone() for k, v in m.named_parameters()}
    buffers = {k: v.detach().clone() for k, v in m.named_buffers()}
    modes = {k: sub.training for k, sub in m.named_modules()}
    rng = torch.get_rng_state()
    reports = explain(m, tokens())
    assert torch.equal(torch.get_rng_state(), rng)  # dropout drew from a forked random state
    assert {k: sub.training for k, sub in m.named_modules()} == modes
    for k, v in m.named_parameters():
        assert torch.equal(v, params[k]) and v.requires_grad
        assert (v.grad is None) == (k != "encoder.rnn.weight_hh_l0")
    for k, v in m.named_buffers():  # BatchNorm's running statistics moved in training mode, and were put back
        assert torch.equal(v, buffers[k]), k
    for report in reports:
        assert all(t.grad_fn is None for t in report.tensors.values())  # no graph recorded
    assert not m.encoder.rnn._forward_hooks and not m.encoder.rnn._forward_pre_hooks  # hooks removed


def test_a_changed_buffer_would_be_seen():
    """The buffer check above can fail: one training-mode call moves BatchNorm's running mean."""
    m = model().train()
    before = m.norm.running_mean.clone()
    with torch.no_grad():
        m(tokens())
    assert not torch.equal(m.norm.running_mean, before)


class Wrappers(nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = nn.Sequential(nn.GRU(3, 4))
        self.blocks = nn.ModuleDict({"my-rnn": nn.RNN(4, 2)})

    def forward(self, x):
        out, _ = self.seq[0](x)
        return self.blocks["my-rnn"](out)


def test_hints_name_submodules_in_valid_python():
    torch.manual_seed(0)
    m = Wrappers()
    reports = explain(m, torch.randn(5, 2, 3))
    for name, report in reports.reports.items():
        access = report.spec.access
        assert ".0" not in access
        assert eval(access, {"model": m}) is m.get_submodule(name)  # the test may eval: the hint is Python
    assert {r.spec.access for r in reports} == {"model.seq[0]", "model.blocks['my-rnn']"}


def test_a_wrong_input_to_a_submodule_is_refused_before_torch_s_error_naming_the_submodule():
    class Bad(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(8, 5)

        def forward(self, x):
            return self.rnn(x[..., :7])

    with pytest.raises(ValueError, match=r"model.rnn received: x has 7 features, but the module expects input_size=8"):
        explain(Bad(), torch.randn(4, 2, 8))


def test_a_model_that_fails_after_its_recurrent_module_is_still_explained():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(3, 4, batch_first=True)
            self.head = nn.Linear(5, 2)  # the wrong width: fails after the LSTM returned

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1])

    torch.manual_seed(0)
    report = explain(Broken(), torch.randn(2, 5, 3), uses="out[:, -1]")
    assert report.all_hold and "RuntimeError from your model's forward" in report.model_error
    assert "after it returned: RuntimeError" in str(report)


def test_a_tuple_batch_is_spread_over_forward_and_a_module_called_twice_is_said_so():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(3, 4)

        def forward(self, x, h):
            out, h = self.rnn(x, h)
            return self.rnn(x, h)

    torch.manual_seed(0)
    m, x, h = Twice(), torch.randn(5, 2, 3), torch.randn(1, 2, 4)
    report = explain(m, (x, h))
    with torch.no_grad():
        first, h_1 = m.rnn(x, h)  # the first call is the one reported
    assert torch.equal(report.output, first) and torch.equal(report.h_n, h_1)
    assert torch.equal(report.tensors["h_0"], h) and report.times_called == 2
    assert "called 2 times: the first call is shown" in str(report)


def test_whole_model_with_hx_or_lengths_is_refused():
    with pytest.raises(ValueError, match="lengths= is not allowed with a whole model"):
        explain(model(), tokens(), lengths=[6, 4, 6])


def test_a_line_is_read_on_the_submodule_named_by_rnn():
    with pytest.raises(ValueError, match=r"uses= is not allowed without rnn= here.*rnn='encoder.rnn'"):
        explain(model(), tokens(), uses="out[:, -1, :]")
    report = explain(model(), tokens(), rnn="layers.0", uses="dec, (h, c) = self.layers[0](out); h[-1]")
    (reading,) = report.readings
    assert reading.right and reading.shape == (3, 4)
    page = report._repr_html_()
    assert "Your line: h[-1]" in page and "holds exactly that" in page


class Raises(nn.Module):
    """An LSTM, then (or before it) the model's own error."""

    def __init__(self, error, before=False):
        super().__init__()
        self.rnn = nn.LSTM(3, 4)
        self.error, self.before = error, before

    def forward(self, x):
        if self.before:
            raise self.error
        self.rnn(x)
        raise self.error


@pytest.mark.parametrize(
    "error, said",
    [
        (
            RuntimeError("  shapes do not match\nsecond line  "),
            "RuntimeError from your model's forward: shapes do not match",
        ),
        (KeyError(), "KeyError from your model's forward: "),
        (ValueError(" \n "), "ValueError from your model's forward: "),
    ],
)
def test_the_model_s_own_error_is_said_by_its_type_and_first_line(error, said):
    torch.manual_seed(0)
    report = explain(Raises(error), torch.randn(5, 2, 3))
    assert report.model_error == said
    torch_warned = [s for s in report.sections() if s.title == "torch warned"]
    assert torch_warned[0].rows == ((f"after it returned: {said}",),)
    with pytest.raises(ValueError) as refused:  # before any recurrent call returned: nothing to explain
        explain(Raises(error, before=True), torch.randn(5, 2, 3))
    assert str(refused.value) == said


def test_a_model_that_never_calls_its_recurrent_module_is_refused_naming_it():
    class Skips(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.GRU(3, 4)])

        def forward(self, x):
            return x

    with pytest.raises(ValueError) as refused:
        explain(Skips(), torch.randn(5, 2, 3))
    assert str(refused.value) == "batch is not allowed here: the model ran but never called model.blocks[0]"


@pytest.mark.parametrize(
    "batch, shown",
    [
        (torch.zeros(2, 3, dtype=torch.int64), "(2, 3) int64"),
        ((torch.zeros(2, 3, dtype=torch.int64), [3, 2]), "((2, 3) int64, list)"),
        ((torch.zeros(4, 3), (torch.zeros(2), 7)), "((4, 3) float32, ((2,) float32, int))"),
    ],
)
def test_the_batch_row_shows_each_tensor_s_shape_and_dtype_and_other_values_by_type(batch, shown):
    class Takes(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(3, 4)

        def forward(self, *args):
            return self.rnn(torch.ones(5, 2, 3))

    torch.manual_seed(0)
    report = explain(Takes(), batch)
    assert report.shapes[0] == report.shapes[0].__class__("batch", shown, "", "what your model took")
    assert report.shapes[1] == report.shapes[1].__class__("x", "(5, 2, 3)", "(L, N, H_in)", "what model.rnn received")
    assert [row.name for row in report.shapes] == ["batch", "x", "h_0", "output", "h_n"]


def test_a_submodule_whose_name_is_not_python_is_reached_by_getattr():
    m = nn.Module()
    m.add_module("my-rnn", nn.GRU(3, 4))
    m.forward = lambda x: m.get_submodule("my-rnn")(x)
    torch.manual_seed(0)
    report = explain(m, torch.randn(5, 2, 3))
    assert report.spec.access == "getattr(model, 'my-rnn')"
    assert eval(report.spec.access, {"model": m}) is m.get_submodule("my-rnn")
    assert report.code == ["output, h_n = getattr(model, 'my-rnn')(x)"]


def test_what_the_model_changes_in_place_after_the_call_does_not_reach_the_report():
    class Scribbles(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(3, 4)

        def forward(self, x, h):
            out, (h_n, c_n) = self.rnn(x, h)
            for t in (x, h[0], h[1], out, h_n, c_n):
                t.zero_()
            return out

    torch.manual_seed(0)
    m, x, h = Scribbles(), torch.randn(5, 2, 3), (torch.randn(1, 2, 4), torch.randn(1, 2, 4))
    with torch.no_grad():
        out, (h_n, c_n) = m.rnn(x, h)
    report = explain(m, (x.clone(), tuple(t.clone() for t in h)))
    assert torch.equal(report.output, out) and torch.equal(report.h_n, h_n) and torch.equal(report.c_n, c_n)
    assert torch.equal(report.tensors["h_0"], h[0]) and torch.equal(report.tensors["c_0"], h[1])
    assert report.shapes[1].shape == "(5, 2, 3)" and report.all_hold


def test_an_lstm_s_hx_may_be_a_list_and_each_warning_is_said_once():
    import warnings

    class Warns(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(3, 4)

        def forward(self, x):
            warnings.warn("careful: x is long", stacklevel=2)
            warnings.warn("careful: x is long", stacklevel=2)
            return self.rnn(x)

    torch.manual_seed(0)
    report = explain(Warns(), torch.randn(5, 2, 3))
    assert report.warnings == ["careful: x is long"]
    assert [s.rows for s in report.sections() if s.title == "torch warned"] == [(("careful: x is long",),)]
    torch.manual_seed(0)
    lstm, x = nn.LSTM(3, 4), torch.randn(5, 2, 3)
    x[3:, 1] = 0  # padded, so the packed run is made too, with the same h_0 and c_0
    h = [torch.randn(1, 2, 4), torch.randn(1, 2, 4)]
    report = explain(lstm, x, hx=h)
    with torch.no_grad():
        out, (h_n, c_n) = lstm(x, tuple(h))
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, [5, 3], enforce_sorted=False)
        _, (packed_h_n, packed_c_n) = lstm(packed, tuple(h))
    assert torch.equal(report.output, out) and torch.equal(report.c_n, c_n) and report.warnings == []
    assert report.padding.lengths == (5, 3) and torch.equal(report.padding.h_n, packed_h_n)
    assert torch.equal(report.padding.c_n, packed_c_n)


@pytest.mark.parametrize(
    "shape, lengths, padded",
    [
        ((5, 2, 3), None, (5, 3)),  # trailing zero steps of sequence 1: padded
        ((1, 2, 3), None, None),  # one step: nothing to pad
        ((5, 3), None, None),  # unbatched: one whole sequence
        ((5, 2, 3), [5, 3], None),  # packed already
    ],
)
def test_x_looks_padded_only_when_batched_unpacked_longer_than_one_step_with_trailing_zero_steps(
    shape, lengths, padded
):
    torch.manual_seed(0)
    gru, x = nn.GRU(3, 4), torch.randn(shape)
    if len(shape) == 2:
        x[3:] = 0
    else:
        x[3:, 1] = 0
    report = explain(gru, x, lengths=lengths)
    assert (report.padding.lengths if report.padding else None) == padded


def test_a_named_child_of_a_sequential_and_a_child_named_by_a_digit_are_reached_by_valid_python():
    from collections import OrderedDict

    m = nn.Module()
    m.seq = nn.Sequential(OrderedDict(rnn=nn.GRU(3, 4)))
    m.add_module("7", nn.RNN(4, 2))
    m.forward = lambda x: m.get_submodule("7")(m.seq(x)[0])
    torch.manual_seed(0)
    reports = explain(m, torch.randn(5, 2, 3))
    assert [r.spec.access for r in reports] == ["model.seq.rnn", "getattr(model, '7')"]
    for name, report in reports.reports.items():
        assert eval(report.spec.access, {"model": m}) is m.get_submodule(name)


def test_a_recurrent_submodule_that_does_not_return_what_torch_s_gives_is_caught_by_the_checks():
    class Doubles(nn.GRU):
        def forward(self, x, hx=None):
            output, h_n = super().forward(x, hx)
            return 2 * output, h_n  # output's last step is no longer h_n

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = Doubles(3, 4)

        def forward(self, x):
            return self.rnn(x)

    torch.manual_seed(0)
    report = explain(Model(), torch.randn(5, 2, 3) + 1)
    (section,) = [s for s in report.sections() if s.title.startswith("Final states")]
    assert section.rows == (("0", "forward", "h_n[0]", "output[-1]", "False"),)
    assert not report.all_hold
