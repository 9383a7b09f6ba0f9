"""explain's dropout notes, for every combination of num_layers, dropout and training mode, checked against torch.

The rule (helpers/explain/traps.py): torch applies dropout to the outputs of every layer but the last, and only
in training mode. So
- one layer with dropout > 0: "dropout does nothing here", in training and in eval mode alike;
- more than one layer with dropout > 0, in training mode: a note that two calls can give different results;
- more than one layer in eval mode, or dropout = 0: no dropout note at all.
Each note (and each silence) is then checked against what torch does with the same module.
"""

import warnings

import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from helpers.explain import explain

CELLS = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}
DOES_NOTHING = "does nothing here"
TRAINING = "The module is in training mode"


def build(cell, num_layers, dropout, bidirectional=False, seed=0):
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that dropout with one layer does nothing
        return CELLS[cell](3, 4, num_layers=num_layers, dropout=dropout, bidirectional=bidirectional)


def x_for(seed=1):
    return torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(seed))  # (L, N, H_in)


def dropout_notes(module, x):
    """The report's notes that speak of dropout, as {kind: note}."""
    found = {}
    for note in explain(module, x).notes:
        if "dropout" in note.text:
            kind = DOES_NOTHING if DOES_NOTHING in note.text else TRAINING if TRAINING in note.text else note.text
            assert kind not in found, f"two notes of one kind: {note.text!r}"
            found[kind] = note
    return found


def call(module, x, seed):
    """module(x)'s output, with torch's RNG (which dropout draws from) seeded first."""
    torch.manual_seed(seed)
    output, _ = module(x)
    return output


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dropout", [0.0, 0.3, 0.5])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_dropout_notes_follow_layers_dropout_and_mode(num_layers, dropout, training, cell, bidirectional):
    module = build(cell, num_layers, dropout, bidirectional).train(training)
    notes = dropout_notes(module, x_for())
    expected = set()
    if dropout > 0 and num_layers == 1:
        expected.add(DOES_NOTHING)
    if dropout > 0 and num_layers > 1 and training:
        expected.add(TRAINING)
    assert set(notes) == expected, [note.text for note in notes.values()]
    for note in notes.values():
        assert f"dropout={dropout:g}" in note.text
        assert note.notebook == "02_layers.ipynb"
    assert module.training is training  # explain leaves the mode as it found it


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_each_note_and_each_silence_is_what_torch_does(num_layers, dropout, training, cell):
    module = build(cell, num_layers, dropout).train(training)
    x = x_for()
    notes = dropout_notes(module, x)
    first, second = call(module, x, seed=10), call(module, x, seed=11)
    without_dropout = build(cell, num_layers, 0.0).train(training)  # same seed: the same weights
    plain = call(without_dropout, x, seed=10)
    if TRAINING in notes:
        # dropout between layers is at work: two calls differ, and eval() makes them agree again
        assert not torch.equal(first, second)
        assert not torch.equal(first, plain)
        module.eval()
        assert torch.equal(call(module, x, seed=10), call(module, x, seed=11))
    else:
        # no dropout at work: the calls are repeatable and the same as with dropout=0
        assert torch.equal(first, second)
        assert torch.equal(first, plain)
    if DOES_NOTHING in notes:
        assert num_layers == 1 and dropout > 0
        module.train()  # nothing, in training mode too
        assert torch.equal(call(module, x, seed=10), call(module, x, seed=11))
        assert torch.equal(call(module, x, seed=10), plain)


def test_a_two_layer_module_with_dropout_is_never_told_that_dropout_does_nothing():
    for training in (True, False):
        module = build("LSTM", 2, 0.3).train(training)
        assert not any(DOES_NOTHING in note.text for note in explain(module, x_for()).notes)


# --- every note's detail names this configuration's own numbers, read off the tensors torch returned -------------


@st.composite
def configurations(draw):
    cell = draw(st.sampled_from(sorted(CELLS)))
    cfg = {
        "cell": cell,
        "num_layers": draw(st.integers(1, 3)),
        "bidirectional": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "proj_size": draw(st.sampled_from([0, 2])) if cell == "LSTM" else 0,
        "unbatched": draw(st.booleans()),
        "hx": draw(st.booleans()),
        "seq_len": draw(st.integers(1, 4)),
    }
    cfg["batch"] = 1 if cfg["unbatched"] else draw(st.integers(1, 3))
    # how the steps are given: all valid, packed by lengths, or padded without lengths; never with unbatched x
    cfg["form"] = "plain" if cfg["unbatched"] else draw(st.sampled_from(["plain", "lengths", "packed", "padded"]))
    if cfg["form"] in ("lengths", "packed"):
        cfg["lengths"] = draw(st.lists(st.integers(1, cfg["seq_len"]), min_size=cfg["batch"], max_size=cfg["batch"]))
    if cfg["form"] == "padded":  # sequence 0 ends with zero steps
        cfg["seq_len"] = max(cfg["seq_len"], 2)
        cfg["lengths"] = [draw(st.integers(1, cfg["seq_len"] - 1))] + [cfg["seq_len"]] * (cfg["batch"] - 1)
    return cfg


def build_and_explain(cfg):
    torch.manual_seed(0)
    kwargs = {"proj_size": cfg["proj_size"]} if cfg["cell"] == "LSTM" else {}
    module = CELLS[cfg["cell"]](
        3, 4, num_layers=cfg["num_layers"], bidirectional=cfg["bidirectional"], batch_first=cfg["batch_first"], **kwargs
    )
    seq_len, batch = cfg["seq_len"], cfg["batch"]
    shape = (seq_len, 3) if cfg["unbatched"] else (batch, seq_len, 3) if cfg["batch_first"] else (seq_len, batch, 3)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    if cfg["form"] == "padded":
        zero = (0, slice(cfg["lengths"][0], None)) if cfg["batch_first"] else (slice(cfg["lengths"][0], None), 0)
        x[zero] = 0
    hx = None
    if cfg["hx"]:
        rows, h_out = cfg["num_layers"] * (2 if cfg["bidirectional"] else 1), cfg["proj_size"] or 4
        lead = (rows,) if cfg["unbatched"] else (rows, batch)
        hx = torch.zeros(*lead, h_out)
        if cfg["cell"] == "LSTM":
            hx = (hx, torch.zeros(*lead, 4))
    lengths = cfg.get("lengths") if cfg["form"] == "lengths" else None
    if cfg["form"] == "packed":
        x = pack_padded_sequence(x, cfg["lengths"], batch_first=cfg["batch_first"], enforce_sorted=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return module, x, explain(module, x, hx=hx, lengths=lengths)


# The fixed examples below, each a change from one plain configuration (the profile's derandomized draws never made
# some of these, e.g. a GRU or RNN with batch_first).
EXAMPLE_BASE = {
    "cell": "GRU",
    "num_layers": 1,
    "bidirectional": True,
    "batch_first": False,
    "proj_size": 0,
    "unbatched": False,
    "hx": False,
    "seq_len": 3,
    "batch": 2,
    "form": "plain",
}


def example_case(**changes) -> dict:
    return {**EXAMPLE_BASE, **changes}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
@example(example_case(seq_len=1))
@example(example_case(num_layers=2))
@example(example_case(num_layers=3, unbatched=True, batch=1))
@example(example_case(form="lengths", lengths=[3, 1]))
@example(example_case(num_layers=2, seq_len=1))
@example(example_case(bidirectional=False, batch_first=True))
@example(
    example_case(
        cell="RNN",
        num_layers=2,
        bidirectional=False,
        batch_first=True,
        hx=True,
        seq_len=4,
        form="lengths",
        lengths=[3, 1],
    )
)
@example(example_case(cell="LSTM", batch_first=True, proj_size=2, hx=True, form="packed", lengths=[3, 2]))
@example(example_case(cell="LSTM", bidirectional=False, form="padded", lengths=[1, 3]))
@example(example_case(cell="LSTM", bidirectional=False, batch_first=True, hx=True))
def test_each_note_s_detail_names_the_numbers_torch_returned(cfg):
    """Each note's detail is what the rule means here: the layer, rows, widths and steps of this very call."""
    module, x, report = build_and_explain(cfg)
    by_rule = {}
    for note in report.notes:
        assert note.rule_id not in by_rule, f"two notes state {note.rule_id}"
        by_rule[note.rule_id] = note.detail
        assert note.text == f"{note.sentence} {note.detail}".strip()
        assert note.path == f"notebooks/{note.notebook}"
    h_n, output = report.tensors["h_n"], report.tensors["output"]
    d = 2 if module.bidirectional else 1
    rows = h_n.shape[0]  # num_layers * D, from torch
    top = rows // d - 1
    h_out = output.shape[-1] // d
    assert by_rule.pop("output-top-layer") == (f"Here the top layer is layer {top}." if top > 0 else "")
    if rows > 1:
        which = f"the last {d} rows of h_n" if d == 2 else "h_n[-1]"
        forward = "forward " if d == 2 else ""
        assert by_rule.pop("h_n-every-final") == (
            f"Here h_n[0] is the bottom layer's {forward}final state, not the first step; "
            f"the top layer (layer {top}) is in {which}."
        )
    if d == 2:
        assert by_rule.pop("backward-at-step-0") == (
            "The backward direction reads the sequence from its end, so its final state is at step 0, "
            f"in the last H_out={h_out} features of output."
        )
        assert by_rule.pop("h_n-minus-1-is-backward") == ""
        last = "each sequence's own last step" if cfg["form"] in ("lengths", "packed") else "the last step"
        if top == 0 and report.spec.seq_len > 1:  # with one step, the last step is step 0: nothing to add
            assert by_rule.pop("halves-read-their-side") == (
                f"At {last}, the backward half of output has read one token: the input at that step alone."
            )
        if top > 0 and report.spec.seq_len > 1:
            assert by_rule.pop("deep-halves-read-everything") == (
                f"At {last}, the top layer's backward half of output already depends on the whole sequence: with "
                f"num_layers={top + 1}, the top layer reads the output of the layer below, whose forward half "
                "there has read every step."
            )
        if top > 0:
            tail = ", ".join(str(n) for n in h_n.shape[1:])  # (N, H_out), or H_out for an unbatched x
            detail = (
                f"Split h_n with h_n.view({top + 1}, 2, {tail}) and index it [layer, direction], "
                "layer first, as the rows of h_n go layer 0 forward, layer 0 backward, layer 1 forward, and so on: "
                "its [0, 1] is layer 0's backward state, not layer 1's forward one."
            )
            if top + 1 != 2:  # with two layers, view(2, 2, ...) is the same call: nothing else to warn of
                detail += (
                    f" h_n.view(2, {top + 1}, {tail}) runs too, but its [0, 1] is the same row, layer 0's backward "
                    "state: its first index is not the direction."
                )
            assert by_rule.pop("swapped-view-mixes") == detail
    if isinstance(module, nn.LSTM):
        assert by_rule.pop("c_n-not-in-output") == ""
        c_n = report.tensors["c_n"]
        if module.proj_size:
            assert by_rule.pop("c_n-shape") == (
                f"Here output and h_n have {h_n.shape[-1]} features, c_n has {c_n.shape[-1]}."
            )
    batched = h_n.dim() == 3
    if module.batch_first and batched:
        states = "h_n and c_n stay" if isinstance(module, nn.LSTM) else "h_n stays"
        rule_id = "h_n-shape" if cfg["form"] in ("lengths", "packed") else "batch_first-moves-x-output"
        assert by_rule.pop(rule_id) == (
            f"Here {states} (num_layers * D, N, ...) = ({h_n.shape[0]}, {h_n.shape[1]}, ...), with N second."
        )
    if cfg["hx"] and batched:
        c_0 = " and c_0 is (num_layers * D, N, hidden_size), like c_n" if isinstance(module, nn.LSTM) else ""
        end = ", never batch first, even with batch_first=True." if module.batch_first else "."
        assert by_rule.pop("h_0-like-h_n") == f"You passed hx: h_0 is (num_layers * D, N, H_out), like h_n{c_0}{end}"
    if not batched:
        assert by_rule.pop("unbatched-shapes") == ""
    if cfg["form"] in ("lengths", "packed"):
        assert by_rule.pop("packed-zeros-after-end") == "h_n holds each sequence's own final state."
        if cfg["form"] == "packed":
            assert by_rule.pop("pad-packed-batch-first") == (
                f"The report pads it with the module's own, batch_first={module.batch_first}."
            )
        x_steps, out_steps = cfg["seq_len"], max(cfg["lengths"])
        assert output.shape[1 if module.batch_first else 0] == out_steps  # torch pads to the longest length
        if cfg["form"] == "lengths" and out_steps < x_steps:
            assert by_rule.pop("total-length") == (
                f"Here x has L = {x_steps} steps but the longest length is {out_steps}, so output has "
                f"{out_steps} steps; pad_packed_sequence(..., total_length={x_steps}) gives x's {x_steps}."
            )
    if cfg["form"] == "padded":
        shorter = ", ".join(f"{n}: {k}" for n, k in enumerate(cfg["lengths"]) if k < cfg["seq_len"])
        assert by_rule.pop("padded-reads-padding") == (
            "Your x looks padded: sequences end with zero steps (sequence: steps before them, "
            f"{shorter}), and no lengths were given."
        )
    assert by_rule == {}, f"notes this configuration does not walk into: {by_rule}"


def test_plain_unmarks_only_a_leading_scope_in_italics_and_drops_backticks():
    from helpers.explain.traps import plain

    assert plain("*One layer:* `h_n[-1]` is `output[-1]`.") == "One layer: h_n[-1] is output[-1]."
    assert plain("`a` *b* c") == "a *b* c"  # italics elsewhere are not a scope: kept
    assert plain("no marks") == "no marks"


def test_without_output_s_steps_notes_says_nothing_about_total_length():
    """notes(spec) alone cannot know how many steps output has: it gives no total_length note, not a made-up one."""
    from helpers.explain.traps import notes

    torch.manual_seed(0)
    gru = nn.GRU(3, 4)
    x = torch.randn(6, 2, 3)
    spec = explain(gru, x, lengths=[4, 3]).spec  # x has 6 steps, output 4
    assert "total-length" in [note.rule_id for note in notes(spec, None, 4)]
    assert "total-length" not in [note.rule_id for note in notes(spec)]


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("dropout", [0.3, 0.5])
def test_the_dropout_notes_say_what_torch_did_and_what_to_do(cell, dropout):
    """One layer: torch warned when the module was built, and the note says so. Several layers in training mode: the
    note says the calls differ and names the cure, module.eval() (checked above to make them agree)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        one = CELLS[cell](3, 4, num_layers=1, dropout=dropout)
    assert any("dropout" in str(w.message) and "num_layers" in str(w.message) for w in caught)  # torch warned
    [note] = dropout_notes(one, x_for()).values()
    assert note.detail == (
        f"This module has one layer, so dropout={dropout:g} does nothing here "
        "(torch warned about this when the module was built)."
    )
    [note] = dropout_notes(build(cell, 2, dropout).train(), x_for()).values()
    assert note.detail == (
        f"The module is in training mode, so dropout={dropout:g} drops values between layers "
        "and two calls can give different results; call module.eval() before using it for predictions."
    )
