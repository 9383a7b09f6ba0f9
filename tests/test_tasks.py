"""helpers.tasks: the synthetic task is what it says, each summary is read as written, training is repeatable."""

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from helpers.tasks import (
    SUMMARIES,
    TaskConfig,
    accuracy_table,
    build_encoder,
    compare_summaries,
    first_tokens,
    graph_size,
    make_task,
    summaries,
    train_head,
)

SMALL = TaskConfig(n_train=256, n_test=200, steps=60)


def test_task_labels_are_the_last_real_token_and_padding_is_zero():
    data = make_task(SMALL, "test")
    assert data.x.shape == (200, SMALL.max_length, SMALL.vocab_size) and data.x.dtype == torch.float64
    for n in range(200):
        length = int(data.lengths[n])
        assert SMALL.min_length <= length <= SMALL.max_length
        assert int(data.x[n, length - 1].argmax()) == int(data.y[n])
        assert data.x[n, :length].sum() == length and data.x[n, length:].abs().sum() == 0
    assert torch.equal(make_task(SMALL, "test").x, data.x)  # seeded
    assert not torch.equal(make_task(SMALL, "train").lengths[:200], data.lengths)  # the splits differ


def test_summaries_are_the_slices_they_name():
    encoder, data = build_encoder(SMALL), make_task(SMALL, "test")
    packed = pack_padded_sequence(data.x, data.lengths, batch_first=True, enforce_sorted=False)
    out, h_n = encoder(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=SMALL.max_length)
    got = summaries(encoder, data)
    assert list(got) == list(SUMMARIES)
    assert torch.equal(got["h_n, both directions"], torch.cat([h_n[0], h_n[1]], dim=1))
    assert torch.equal(got["output[:, -1]"], out[:, -1])
    assert torch.equal(got["h_n[-1] alone"], h_n[1])
    short = data.lengths < SMALL.max_length
    assert got["output[:, -1]"][short].abs().sum() == 0  # the padded last step holds zeros


def test_lstm_encoder_reads_h_n_not_c_n():
    config = TaskConfig(cell="lstm", n_train=16, n_test=16)
    encoder, data = build_encoder(config), make_task(config, "test")
    packed = pack_padded_sequence(data.x, data.lengths, batch_first=True, enforce_sorted=False)
    _, (h_n, _) = encoder(packed)
    assert torch.equal(summaries(encoder, data)["h_n[-1] alone"], h_n[-1])


def test_training_is_repeatable_and_the_right_summary_wins():
    a, b = compare_summaries(TaskConfig()), compare_summaries(TaskConfig())
    for name in SUMMARIES:
        assert a.histories[name].test_accuracy == b.histories[name].test_accuracy
    assert a.accuracy("h_n, both directions") > 0.95
    assert a.accuracy("output[:, -1]") < 0.5 and a.accuracy("h_n[-1] alone") < 0.5
    by_length = a.accuracy_by_length("output[:, -1]")
    assert by_length[a.config.max_length] > 0.9  # only unpadded sequences keep their last step
    assert "h_n[-1] alone" in accuracy_table(a)


def test_history_records_every_evaluation():
    config = TaskConfig(n_train=32, n_test=10, steps=7, eval_every=3)
    x, y = torch.randn(32, 5, dtype=torch.float64), torch.randint(0, 4, (32,))
    history = train_head(x, y, x[:10], y[:10], config)
    assert history.steps == [0, 3, 6, 7]
    assert len(history.train_loss) == 7 and history.correct.shape == (4, 10)
    assert history.test_accuracy[-1] == float(history.correct[-1].double().mean())


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: TaskConfig(vocab_size=1), r"vocab_size=1 is not allowed"),
        (lambda: TaskConfig(min_length=5, max_length=4), r"max_length=4 is not allowed"),
        (lambda: TaskConfig(cell="transformer"), r"cell='transformer' is not allowed"),
        (lambda: TaskConfig(lr=0), r"lr=0 is not allowed"),
        (lambda: make_task(SMALL, "valid"), r"split='valid' is not allowed"),
        (lambda: compare_summaries(TaskConfig(n_train=8, n_test=8, steps=1)).accuracy("h_n"), r"summary='h_n' is not"),
        (
            lambda: compare_summaries(TaskConfig(n_train=8, n_test=8, steps=1)).accuracy_by_length(
                "output[:, -1]", evaluation=5
            ),
            r"evaluation=5 is not allowed",
        ),
    ],
)
def test_bad_input_gets_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_first_tokens_and_graph_size():
    data = make_task(SMALL, "test")
    assert torch.equal(first_tokens(data), data.x[:, 0].argmax(-1))
    torch.manual_seed(0)
    gru = torch.nn.GRU(3, 4, batch_first=True)
    x = torch.randn(2, 20, 3)
    _, h = gru(x[:, :10])
    carried, _ = gru(x[:, 10:], h)
    detached, _ = gru(x[:, 10:], h.detach())
    assert graph_size(carried.sum()) > graph_size(detached.sum())  # the carried state brings the first call along
    assert graph_size(x) == 0  # a leaf with no history
    with pytest.raises(ValueError, match=r"tensor=list is not allowed"):
        graph_size([1, 2])
