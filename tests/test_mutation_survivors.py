"""Rules that `make mutate` found untested: each test states a rule of the helpers, not the mutant that broke it.

See CONTRIBUTING.md, "Mutation testing". A survivor that cannot change behaviour is listed instead, with its
reason, in tests/mutation_equivalent.txt.
"""

import re

import pytest
import torch
from torch import nn

from helpers import RNNConfig, RNNRun, relation_table, run

# --- helpers.relations -------------------------------------------------------------------------------------------

# The code column is PyTorch written in the course's notation, nothing else.
CODE_WORDS = {"output", "h_n", "c_n", "view", "lengths", "n", "k", "num_layers", "D", "N", "H_out", "in", "for", "some"}
CONFIGS = [
    dict(cell=cell, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    for cell in ("gru", "lstm")
    for num_layers in (1, 2)
    for bidirectional in (False, True)
    for batch_first in (False, True)
]


def all_tables():
    for kwargs in CONFIGS:
        cfg = RNNConfig(input_size=3, hidden_size=4, **kwargs)
        for lengths in (None, [3, 1]):
            yield relation_table(run(cfg, seq_len=3, batch_size=2, lengths=lengths))
        yield relation_table(run(cfg, seq_len=3, unbatched=True))


def test_each_relation_names_the_half_of_output_that_its_code_reads():
    """A row whose code slices output[..., :H] says "first H_out features"; one that slices [H:] says "last"."""
    seen = set()
    for rows in all_tables():
        for row in rows:
            if not row.code.startswith("output["):
                continue
            first = re.search(r", :\d+\]", row.code.split(" == ")[0]) is not None
            last = re.search(r", \d+:\]", row.code.split(" == ")[0]) is not None
            said_first = re.search(r"\bfirst H_out features\b", row.name) is not None
            said_last = re.search(r"\blast H_out features\b", row.name) is not None
            if "tensor's last step" in row.name:  # its partner row names the half already
                continue
            assert (first, last) == (said_first, said_last), (row.name, row.code)
            seen.add((first, last))
    assert seen == {(True, False), (False, True)}


def test_relation_code_is_written_in_pytorch_names_only():
    for rows in all_tables():
        for row in rows:
            words = set(re.findall(r"[A-Za-z_]+", row.code))
            assert words <= CODE_WORDS, (row.code, words - CODE_WORDS)
            assert re.match(r"(output\[|h_n\.view\(|c_n\[)", row.code), row.code


def test_a_lower_layer_state_that_is_in_output_is_found():
    """Layer 1 copies layer 0 (ReLU keeps layer 0's states, identity weights, no bias): h_n[0] is then in output."""
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=2, nonlinearity="relu")
    with torch.no_grad():
        rnn.weight_ih_l1.copy_(torch.eye(4))
        rnn.weight_hh_l1.zero_()
        rnn.bias_ih_l1.zero_()
        rnn.bias_hh_l1.zero_()
    x = torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(1))
    output, h_n = rnn(x)
    cfg = RNNConfig(cell="rnn", input_size=3, hidden_size=4, num_layers=2)
    rows = relation_table(RNNRun(config=cfg, module=rnn, x=x, lengths=None, output=output, h_n=h_n, c_n=None))
    (lower,) = [row for row in rows if row.name.startswith("layer 0, forward")]
    assert torch.equal(output[-1], h_n[0]) and lower.holds


@pytest.mark.parametrize("proj_size", [0, 2])
def test_a_cell_state_is_never_reported_in_output_of_an_ordinary_lstm(proj_size):
    cfg = RNNConfig(cell="lstm", input_size=3, hidden_size=4, proj_size=proj_size, num_layers=2)
    (row,) = [row for row in relation_table(run(cfg)) if row.name.startswith("c_n")]
    assert row.holds is False
