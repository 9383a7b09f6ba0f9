"""Property tests: over random configs, relation_table agrees with torch and with the theory.

The expected slices are written here with plain indexing on output, h_n and c_n; nothing
below calls the helpers' slicing functions.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import RNNConfig, relation_table, run


@st.composite
def runs(draw):
    """A random small config, input shape and (maybe) lengths, and its run."""
    cell = draw(st.sampled_from(["rnn", "gru", "lstm"]))
    hidden_size = draw(st.integers(1, 5))
    proj_size = draw(st.integers(0, hidden_size - 1)) if cell == "lstm" else 0
    cfg = RNNConfig(
        cell=cell,
        input_size=draw(st.integers(1, 4)),
        hidden_size=hidden_size,
        num_layers=draw(st.integers(1, 4)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        proj_size=proj_size,
        seed=draw(st.integers(0, 2**16)),
    )
    seq_len = draw(st.integers(1, 6))
    unbatched = draw(st.booleans())
    batch_size = 1 if unbatched else draw(st.integers(1, 4))
    lengths = None
    if not unbatched and draw(st.booleans()):
        # Sometimes every sequence stops short of seq_len: output must still have seq_len steps.
        longest = seq_len - 1 if seq_len > 1 and draw(st.booleans()) else seq_len
        lengths = draw(st.lists(st.integers(1, longest), min_size=batch_size, max_size=batch_size))
    return run(cfg, seq_len=seq_len, batch_size=batch_size, lengths=lengths, unbatched=unbatched)


def sequences(r):
    """Per sequence n: output as (L, D * H_out), h_n as (num_layers * D, H_out), c_n likewise, and length."""
    cfg = r.config
    L = r.x.shape[0] if r.unbatched or not cfg.batch_first else r.x.shape[1]
    if r.unbatched:
        return [(r.output, r.h_n, r.c_n, L)]
    out = []
    for n in range(r.h_n.shape[1]):
        output_n = r.output[n, :, :] if cfg.batch_first else r.output[:, n, :]
        c_n = None if r.c_n is None else r.c_n[:, n, :]
        length = L if r.lengths is None else int(r.lengths[n])
        out.append((output_n, r.h_n[:, n, :], c_n, length))
    return out


def appears_in(vector, output_n, width):
    """True if vector equals output_n[t, k * width:(k + 1) * width] for some step t and half k."""
    if vector.shape[-1] != width:
        return False
    return any(
        torch.equal(vector, output_n[t, k * width : (k + 1) * width])
        for t in range(output_n.shape[0])
        for k in range(output_n.shape[1] // width)
    )


def verdicts(r):
    """{row name prefix: holds} from relation_table, with lower layers keyed (layer, direction)."""
    table = {}
    for row in relation_table(r):
        assert type(row.holds) is bool
        key = row.name.split(":")[0]
        if key.startswith("layer "):
            layer, direction = key.removeprefix("layer ").split(", ")
            key = (int(layer), direction)
        elif key.startswith("top layer, forward"):  # ", not packed" (one row) or ", packed" (two rows)
            key = "padded last" if "tensor's last step" in row.name else "top forward"
        assert key not in table, row.name
        table[key] = row.holds
    return table


@settings(max_examples=300, deadline=None)
@given(runs())
def test_relation_table_agrees_with_torch_and_theory(r):
    cfg = r.config
    D = 2 if cfg.bidirectional else 1
    H_out = cfg.proj_size if cfg.proj_size else cfg.hidden_size
    top_f, top_b = (cfg.num_layers - 1) * D, (cfg.num_layers - 1) * D + 1
    seqs = sequences(r)
    L = r.x.shape[0] if r.unbatched or not cfg.batch_first else r.x.shape[1]  # seq_len, from the input

    # shapes, from PyTorch's docs
    assert all(output_n.shape == (L, D * H_out) for output_n, *_ in seqs)
    assert all(h_n.shape == (cfg.num_layers * D, H_out) for _, h_n, *_ in seqs)
    if cfg.cell == "lstm":
        assert all(c_n.shape == (cfg.num_layers * D, cfg.hidden_size) for *_, c_n, _ in seqs)
    else:
        assert r.c_n is None

    # padding: zeros after each length
    assert all(torch.count_nonzero(output_n[length:]) == 0 for output_n, _, _, length in seqs)

    # the relations, each computed here from plain slices
    top_forward = all(torch.equal(o[length - 1, :H_out], h[top_f]) for o, h, _, length in seqs)
    padded_last = all(torch.equal(o[-1, :H_out], h[top_f]) for o, h, _, _ in seqs)
    expected = {"top forward": top_forward}
    if r.lengths is not None:  # packed: the tensor's last step is a relation of its own
        expected["padded last"] = padded_last
    else:  # not packed: every sequence's last valid step is the tensor's last step, so one row says both
        assert padded_last == top_forward
    if cfg.bidirectional:
        expected["top layer, backward"] = all(torch.equal(o[0, H_out:], h[top_b]) for o, h, _, _ in seqs)
        expected["the top answer's slip"] = all(torch.equal(o[-1, :H_out], h[top_b]) for o, h, _, _ in seqs)
    for layer in range(cfg.num_layers - 1):
        for d, name in enumerate(["forward", "backward"][:D]):
            expected[(layer, name)] = any(appears_in(h[layer * D + d], o, H_out) for o, h, _, _ in seqs)
    if cfg.cell == "lstm":
        expected["c_n"] = any(appears_in(c[k], o, H_out) for o, _, c, _ in seqs for k in range(c.shape[0]))

    # 1. the table agrees with torch on the same claims
    assert verdicts(r) == expected

    # 2. torch agrees with the theory
    all_full = all(length == L for *_, length in seqs)
    assert expected["top forward"] is True
    assert padded_last is all_full
    if cfg.bidirectional:
        assert expected["top layer, backward"] is True
        assert expected["the top answer's slip"] is False
    assert not any(v for k, v in expected.items() if isinstance(k, tuple))  # lower layers: nowhere in output
    if cfg.cell == "lstm":
        assert expected["c_n"] is False


def test_hypothesis_writes_nothing_into_the_repo(repo):
    from hypothesis.configuration import storage_directory

    assert settings().database is None
    home = storage_directory("constants", intent_to_write=False).home_directory.resolve()
    assert repo.resolve() not in (home, *home.parents)
