"""helpers.relations: the relation table's rows, their verdicts and the code they show."""

import dataclasses

import pytest
import torch

from helpers import Relation, RNNConfig, format_table, relation_table, run

LAST = "top layer, forward, not packed: final state = output at the last step (padded or not)"
TOP_FORWARD = "top layer, forward, packed: final state = output at each sequence's own last valid step"
PADDED_LAST = "top layer, forward, packed: final state = output at the tensor's last step (false once the lengths"
TOP_BACKWARD = "top layer, backward: final state = output at step 0"
SLIP = "the top answer's slip"
C_N = "c_n: any cell state appears somewhere in output"


def by_name(rows):
    """{name prefix: holds} for the fixed rows, and (layer, direction name): holds for lower layers."""
    table = {}
    for row in rows:
        for prefix in (LAST, TOP_FORWARD, PADDED_LAST, TOP_BACKWARD, SLIP, C_N):
            if row.name.startswith(prefix):
                table[prefix] = row.holds
        if row.name.startswith("layer "):
            layer, direction = row.name.split(":")[0].removeprefix("layer ").split(", ")
            table[(int(layer), direction)] = row.holds
    assert len(table) == len(rows), [r.name for r in rows]
    return table


def test_the_top_answers_gru():
    """The top answer's model (GRU, 8 -> 50, three layers, batch_first), with a smaller batch."""
    r = run(RNNConfig("gru", 8, 50, 3, batch_first=True), seq_len=112, batch_size=4)
    assert by_name(relation_table(r)) == {
        LAST: True,
        (0, "forward"): False,
        (1, "forward"): False,
    }
    assert torch.equal(r.output[:, -1], r.h_n.view(3, 1, 4, 50)[-1, 0])


def test_the_top_answers_slip_bidirectional_gru():
    r = run(RNNConfig("gru", 8, 50, 3, bidirectional=True, batch_first=True), seq_len=112, batch_size=4)
    rows = relation_table(r)
    assert by_name(rows) == {
        LAST: True,
        TOP_BACKWARD: True,
        SLIP: False,
        (0, "forward"): False,
        (0, "backward"): False,
        (1, "forward"): False,
        (1, "backward"): False,
    }
    codes = {row.name.split(":")[0]: row.code for row in rows}
    assert codes["top layer, backward"] == "output[:, 0, 50:] == h_n.view(num_layers, D, N, H_out)[-1, 1]"
    assert codes["the top answer's slip"] == "output[:, -1, :50] == h_n.view(num_layers, D, N, H_out)[-1, 1]"
    # the top answer's wrong line and its fix, straight from torch
    view = r.h_n.view(3, 2, 4, 50)
    assert not torch.equal(r.output[:, -1, :50], view[-1, 1])
    assert torch.equal(r.output[:, 0, 50:], view[-1, 1])


def test_lstm_with_projection_and_packing():
    cfg = RNNConfig("lstm", 2, 4, 2, bidirectional=True, proj_size=3)
    r = run(cfg, seq_len=5, batch_size=3, lengths=[5, 3, 2])
    assert by_name(relation_table(r)) == {
        TOP_FORWARD: True,
        PADDED_LAST: False,
        TOP_BACKWARD: True,
        SLIP: False,
        (0, "forward"): False,
        (0, "backward"): False,
        C_N: False,
    }
    full = run(cfg, seq_len=5, batch_size=3, lengths=[5, 5, 5])
    assert by_name(relation_table(full))[PADDED_LAST] is True


def test_padding_without_packing_keeps_the_last_step_equal_to_h_n():
    """The module cannot tell padding from data: unpacked, it runs over the pads, so output[:, -1] is still h_n."""
    cfg = RNNConfig("gru", 2, 3, 2, bidirectional=True, batch_first=True)
    r = run(cfg, seq_len=5, batch_size=3)
    x = r.x.clone()
    x[1, 2:] = 0  # sequence 1 has 2 real steps, then padding
    x[2, 4:] = 0
    output, h_n = r.module(x)
    padded = dataclasses.replace(r, x=x, output=output, h_n=h_n)
    table = by_name(relation_table(padded))
    assert table[LAST] is True and table[TOP_BACKWARD] is True
    assert torch.equal(output[:, -1, :3], h_n[-2])  # by hand: top layer, forward
    # packing the same lengths moves each forward final state to its own last valid step
    packed = run(cfg, seq_len=5, batch_size=3, lengths=[5, 2, 4])
    table = by_name(relation_table(packed))
    assert table[TOP_FORWARD] is True and table[PADDED_LAST] is False
    assert not torch.equal(packed.output[:, -1, :3], packed.h_n[-2])
    assert torch.equal(packed.output[1, 1, :3], packed.h_n[-2, 1])


@pytest.mark.parametrize(
    "cfg,kwargs",
    [
        (RNNConfig("gru", 2, 3, 3, True, True), dict(seq_len=4, batch_size=2)),
        (RNNConfig("lstm", 2, 3, 2, True, False), dict(seq_len=4, batch_size=3, lengths=[4, 1, 2])),
        (RNNConfig("rnn", 2, 3, 2, False, False), dict(seq_len=4, batch_size=2, lengths=[4, 4])),
        (RNNConfig("gru", 2, 3, 1, False, False), dict(seq_len=4, unbatched=True)),
    ],
    ids=["gru-bi", "lstm-bi-packed", "rnn-packed", "gru-unbatched"],
)
def test_no_two_rows_show_the_same_code(cfg, kwargs):
    codes = [row.code for row in relation_table(run(cfg, **kwargs))]
    assert len(set(codes)) == len(codes), codes


def test_no_row_says_seed_or_accepted():
    """ "Seed" is for random seeds only; the question's long, most-voted answer is "the top answer" (nothing on its
    page marks an answer as accepted)."""
    for cfg, kwargs in [
        (RNNConfig("lstm", 2, 3, 2, True), dict(seq_len=3, lengths=[3, 1])),
        (RNNConfig("gru", 2, 3, 2, True), dict(seq_len=3)),
    ]:
        for row in relation_table(run(cfg, **kwargs)):
            assert "seed" not in (row.name + row.code).lower(), row
            assert "accepted" not in (row.name + row.code).lower(), row


def test_holds_are_python_bools_and_relations_are_frozen():
    rows = relation_table(run(RNNConfig("lstm", 2, 3, 2, True), seq_len=3))
    assert all(type(row.holds) is bool for row in rows)
    assert all(isinstance(row, Relation) for row in rows)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].holds = False


def _evaluate(code, r):
    """Evaluate a row's `left == right` with torch.equal, over every n where the code has an n."""
    cfg = r.config
    names = dict(
        output=r.output, h_n=r.h_n, num_layers=cfg.num_layers, D=cfg.num_directions, H_out=cfg.h_out, lengths=r.lengths
    )
    if not r.unbatched:
        names["N"] = r.h_n.shape[1]
    left, right = code.split(" == ")
    if "lengths[n]" not in code:
        return torch.equal(eval(left, {}, names), eval(right, {}, names))
    return all(
        torch.equal(eval(left, {}, {**names, "n": n}), eval(right, {}, {**names, "n": n})) for n in range(names["N"])
    )


@pytest.mark.parametrize(
    "cfg,kwargs",
    [
        (RNNConfig("gru", 2, 3, 2, True, False), dict(seq_len=4, batch_size=2)),
        (RNNConfig("gru", 2, 3, 2, True, True), dict(seq_len=4, batch_size=3, lengths=[4, 1, 2])),
        (RNNConfig("rnn", 2, 3, 1, True, True), dict(seq_len=4, unbatched=True)),
        (RNNConfig("lstm", 2, 3, 3, True, False, proj_size=2), dict(seq_len=4, batch_size=3, lengths=[2, 4, 3])),
        (RNNConfig("lstm", 2, 3, 1, False, False), dict(seq_len=4, batch_size=2, lengths=[4, 4])),
    ],
    ids=["gru-bi", "gru-bi-bf-packed", "rnn-unbatched", "lstm-proj-packed", "lstm-full-lengths"],
)
def test_the_code_each_row_shows_computes_its_verdict(cfg, kwargs):
    r = run(cfg, **kwargs)
    comparisons = [row for row in relation_table(r) if " == " in row.code]
    packed = "lengths" in kwargs
    assert len(comparisons) == 1 + packed + 2 * cfg.bidirectional
    for row in comparisons:
        assert _evaluate(row.code, r) is row.holds, row


def test_format_table_one_line_per_row_verdict_first():
    rows = relation_table(run(RNNConfig("lstm", 2, 3, 2, True), seq_len=3))
    lines = format_table(rows).splitlines()
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows):
        assert line.startswith(f"{row.holds!s:5}  {row.code}")
        assert line.endswith(f"  # {row.name}")
    assert len({line.index("  # ") for line in lines}) == 1  # the names line up


def test_format_table_by_hand():
    rows = [Relation("first", "a == b", True), Relation("second", "longer == code", False)]
    assert format_table(rows) == "True   a == b          # first\nFalse  longer == code  # second"
