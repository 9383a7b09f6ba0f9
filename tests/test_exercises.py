"""helpers.exercises: right answers pass, each named mistake gets its message, bad input is a ValueError.

The right answers here are written with plain indexing and checked against h_n, not taken from helpers.
"""

import re

import pytest
import torch

from helpers import check_backward_final, check_classifier_summary, check_last_step, run
from helpers.exercises.output_vs_h_n import BACKWARD_RUNS, LAST_STEP_RUNS, SUMMARY_RUNS


def half(output):
    return output.shape[-1] // 2


def right_backward(output):
    return output[:, 0, half(output):]


def right_summary(h_n):
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


def right_last_step(output, S):
    return output[:, S - 1, :]


# --- the exercises' runs and right answers agree with torch ---------------------------------------------------

@pytest.mark.parametrize("config,seq_len,batch_size", BACKWARD_RUNS)
def test_backward_answer_is_h_n_top_backward_row(config, seq_len, batch_size):
    r = run(config, seq_len=seq_len, batch_size=batch_size)
    assert config.bidirectional and config.batch_first
    h_view = r.h_n.view(config.num_layers, 2, batch_size, config.hidden_size)  # (num_layers, D, N, H_out)
    assert torch.equal(right_backward(r.output), h_view[-1, 1])


@pytest.mark.parametrize("config,seq_len,batch_size", SUMMARY_RUNS)
def test_summary_answer_is_output_ends(config, seq_len, batch_size):
    r = run(config, seq_len=seq_len, batch_size=batch_size)
    H = config.hidden_size
    assert config.cell == "lstm" and config.bidirectional and config.num_layers >= 2
    assert torch.equal(right_summary(r.h_n), torch.cat([r.output[:, -1, :H], r.output[:, 0, H:]], dim=-1))


@pytest.mark.parametrize("config,seq_len,batch_size", LAST_STEP_RUNS)
def test_last_step_answer_is_h_n_top_row(config, seq_len, batch_size):
    r = run(config, seq_len=seq_len, batch_size=batch_size)
    assert not config.bidirectional and config.batch_first
    assert torch.equal(right_last_step(r.output, seq_len), r.h_n[-1])


def test_each_exercise_uses_runs_of_different_sizes():
    for runs in (BACKWARD_RUNS, SUMMARY_RUNS, LAST_STEP_RUNS):
        assert len({(c.hidden_size, c.num_layers, seq_len, n) for c, seq_len, n in runs}) >= 2


# --- right answers, and the placeholders the notebook stores -------------------------------------------------

@pytest.mark.parametrize("check,answer", [
    (check_backward_final, right_backward),
    (check_backward_final, lambda output: output[:, 0, output.shape[-1] // 2:].clone()),
    (check_classifier_summary, right_summary),
    (check_classifier_summary, lambda h_n: torch.cat([h_n[-2:][0], h_n[-2:][1]], 1)),
    (check_last_step, right_last_step),
    (check_last_step, lambda output, S: output[:, -1]),
])
def test_right_answers_pass(check, answer, capsys):
    assert check(answer) is None
    out = capsys.readouterr().out
    assert out.startswith("Correct: ") and "checked on 2 runs" in out


@pytest.mark.parametrize("check,name", [
    (check_backward_final, "backward_final(output)"),
    (check_classifier_summary, "classifier_summary(h_n)"),
    (check_last_step, "last_step(output, S)"),
])
def test_not_answered_yet(check, name, capsys):
    check(None)
    assert capsys.readouterr().out == f"Not answered yet: define {name} and pass it to check_{name.split('(')[0]}.\n"
    check(lambda *tensors: None)  # the notebook's placeholder function
    assert capsys.readouterr().out == f"Not answered yet: {name} returns None; replace None with your answer.\n"


# --- wrong answers: expected vs got, and the likely mistake ---------------------------------------------------

def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as caught:
        check(answer)
    return str(caught.value)


def assert_shows_expected_and_got(message, got_shape):
    assert re.search(r"expected shape \(\d+, \d+\), first sequence \[-?\d", message), message
    assert f"got      shape {got_shape}" in message, message


@pytest.mark.parametrize("answer,mistake", [
    (lambda o: o[:, -1, :half(o)], "you took the first half at the last step: that is the forward final state"),
    (lambda o: o[:, -1, half(o):], "you took the second half at the last step"),
    (lambda o: o[:, 0, :half(o)], "you took the first half at step 0"),
    (lambda o: o[:, 0], "you kept both halves of step 0"),
    (lambda o: o[0, :, half(o):], "you indexed dimension 0 as time, but with batch_first=True it is the batch"),
])
def test_backward_mistakes_are_named(answer, mistake):
    message = failure(check_backward_final, answer)
    assert f"Likely mistake: {mistake}" in message
    assert "bidirectional GRU with num_layers=2, hidden_size=3, output (2, 5, 6)" in message
    config, seq_len, batch_size = BACKWARD_RUNS[0]
    first = run(config, seq_len=seq_len, batch_size=batch_size)
    assert_shows_expected_and_got(message, tuple(answer(first.output).shape))


@pytest.mark.parametrize("answer,mistake", [
    (lambda h: h[-1], "you took only h_n[-1]"),
    (lambda h: h[-2], "you took only h_n[-2]"),
    (lambda h: torch.cat([h[-1], h[-2]], -1), "the halves are swapped"),
    (lambda h: torch.cat([h[0], h[1]], -1), "you used layer 0, the bottom layer"),
    (lambda h: torch.cat([h[-2], h[-1]]), "you concatenated along dim 0"),
    (lambda h: h[-2:].reshape(h.shape[1], -1), "reshape mixed up the sequences"),
])
def test_summary_mistakes_are_named(answer, mistake):
    message = failure(check_classifier_summary, answer)
    assert f"Likely mistake: {mistake}" in message
    assert message.startswith("Not yet. On bidirectional LSTM with num_layers=2")


def test_the_seeds_index_s_is_named_off_by_one():
    message = failure(check_last_step, lambda output, S: output[:, S, :])
    assert "raised IndexError: index 7 is out of bounds for dimension 1 with size 7" in message
    assert "Likely mistake: off by one: index S is past the end" in message and "S - 1 or -1" in message


def test_an_index_error_that_is_not_the_off_by_one_gets_the_layout_hint():
    message = failure(check_last_step, lambda output, S: output[S - 1])  # time indexed in the batch dimension
    assert "raised IndexError" in message and "off by one" not in message
    assert "time is dimension 1" in message


@pytest.mark.parametrize("answer,mistake", [
    (lambda o, S: o[:, 0], "you took step 0, the first step"),
    (lambda o, S: o[:, S - 2], "off by one the other way"),
])
def test_last_step_mistakes_are_named(answer, mistake):
    assert f"Likely mistake: {mistake}" in failure(check_last_step, answer)


def test_a_hard_coded_answer_fails_on_the_second_run():
    config, seq_len, batch_size = LAST_STEP_RUNS[0]
    first = run(config, seq_len=seq_len, batch_size=batch_size).output[:, -1]
    message = failure(check_last_step, lambda output, S: first)
    assert "On LSTM with num_layers=1" in message  # passed the first run, caught on the second


def test_a_wrong_shape_without_a_named_mistake_says_so():
    message = failure(check_backward_final, lambda o: o[:, 0, 2:])
    assert "Likely mistake: the shape is wrong" in message
    assert_shows_expected_and_got(message, (2, 4))


def test_right_shape_wrong_numbers_gets_the_generic_hint():
    message = failure(check_backward_final, lambda o: o[:, 1, half(o):])
    assert "Likely mistake: the numbers differ" in message


def test_an_answer_that_is_not_a_tensor_is_reported():
    message = failure(check_classifier_summary, lambda h: h.tolist())
    assert "expected a tensor of shape (2, 6), got list" in message


# --- bad input ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("check", [check_backward_final, check_classifier_summary, check_last_step])
@pytest.mark.parametrize("answer", [3, "output[:, 0, 3:]", torch.zeros(2, 3)])
def test_an_answer_that_is_not_a_function_is_a_value_error(check, answer):
    with pytest.raises(ValueError, match=r"answer=.* is not allowed: answer must be a function \w+\(.*\) that "
                                         r"returns a tensor, or None"):
        check(answer)


def test_passing_a_result_instead_of_the_function_is_explained():
    shown = r"answer=<tensor of shape \(2, 3\)> is not allowed: .*pass the function itself"
    with pytest.raises(ValueError, match=shown):
        check_backward_final(torch.zeros(2, 3))


def test_other_errors_in_the_answer_are_not_hidden():
    with pytest.raises(ZeroDivisionError):
        check_backward_final(lambda output: 1 / 0)


# --- the shared runner: helpers.exercises.core ----------------------------------------------------------------

from helpers import Case, RNNConfig, check_function, check_shapes, check_tensor  # noqa: E402

CORE_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True, seed=1)),
    Case(RNNConfig("lstm", input_size=3, hidden_size=5, num_layers=1, bidirectional=True, seed=2),
         seq_len=4, batch_size=3, lengths=(4, 2, 3)),
]


def top_backward(output):
    """h_n[-1] written with plain indexing: the backward half of output at step 0, either layout."""
    H = output.shape[-1] // 2
    return output[:, 0, H:] if output.shape[0] == 2 else output[0, :, H:]


CORE = dict(name="backward_final", signature="backward_final(output)", cases=CORE_CASES,
            call=lambda f, r: f(r.output), expected=lambda r: r.h_n[-1], wanted="h_n[-1]",
            section="01, section 4", success="the backward final state")


def test_core_right_answer_passes_on_every_case(capsys):
    assert check_function(top_backward, **CORE) is None
    assert capsys.readouterr().out == "Correct: the backward final state (checked on 2 configurations).\n"


def test_core_none_and_placeholder_say_not_answered(capsys):
    check_function(None, **CORE)
    assert capsys.readouterr().out == ("Not answered yet: define backward_final(output) "
                                       "and pass it to check_backward_final.\n")
    check_function(lambda output: None, **CORE)
    assert capsys.readouterr().out == "Not answered yet: backward_final(output) returns None; replace None with your answer.\n"


def core_failure(answer, **changes) -> str:
    with pytest.raises(AssertionError) as caught:
        check_function(answer, **{**CORE, **changes})
    return str(caught.value)


@pytest.mark.parametrize("answer,words", [
    (3, "the answer must be a function backward_final(output), but you passed 3 (of type int)"),
    (torch.zeros(2, 3), "you passed a tensor of shape (2, 3). Pass the function itself, not what it returns."),
    (lambda: 1, "The checker calls backward_final(output) with 1 argument, but your function takes 0."),
    (lambda a, b: a, "with 1 argument, but your function takes 2 (a, b)."),
    (lambda o: 1 / 0, "Your function raised ZeroDivisionError: division by zero."),
    (lambda o: o[:, 9], "Your function raised IndexError: index 9 is out of bounds for dimension 1 with size 5. "
                        "Dimension 1 of output (2, 5, 6) is L, the time steps: its indices run from 0 to 4"),
    (lambda o: o.tolist(), "Your answer is a list, not a torch tensor: drop .tolist() and return the tensor itself."),
    (lambda o: o.detach().numpy()[:, 0, 3:], "Your answer is a numpy array, not a torch tensor: drop .numpy(). "
                                             "Its numbers are the right ones."),
    (lambda o: top_backward(o).double(), "Your answer has dtype torch.float64, but the run's tensors are "
                                         "torch.float32"),
    (lambda o: (o, o), "Your answer is a tuple of 2 tensors ((2, 5, 6), (2, 5, 6)), not one tensor"),
    (lambda o: "x", "Your answer is 'x' (of type str), not a tensor."),
])
def test_core_any_learner_input_gets_a_message(answer, words):
    message = core_failure(answer)
    assert words in message, message
    assert "Traceback" not in message


def test_core_message_names_the_case_wanted_and_section():
    message = core_failure(lambda o: o[:, 1, 3:])
    assert message.startswith("Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, "
                              "2 sequences of 5 steps:\n")
    assert "The task wants h_n[-1].\n" in message
    assert re.search(r"  expected shape \(2, 3\), first values \[-?\d\.\d{4}, ", message)
    assert re.search(r"  got      shape \(2, 3\), first values \[-?\d\.\d{4}, ", message)
    assert message.endswith("Where it is explained: 01, section 4.")


def test_core_hard_coded_size_says_where_it_broke():
    message = core_failure(lambda o: o[:, 0, 3:])  # right for hidden_size=3 and batch_first=True only
    assert message.startswith("Not yet. On bidirectional LSTM with num_layers=1, hidden_size=5")
    assert ("Your answer was right on the first configuration (bidirectional GRU with num_layers=2, hidden_size=3, "
            "batch_first=True, 2 sequences of 5 steps) and breaks on this one (hidden_size is 5 here, 3 there;") \
        in message


def test_core_explain_error_adds_its_sentence():
    message = core_failure(lambda o: o[:, 9], explain_error=lambda f, r, e: "Count from 0.")
    assert "its indices run from 0 to 4 (or -1 for the last). Count from 0." in message


def test_core_learner_cannot_change_the_reference(capsys):
    def vandal(output):
        output.data.zero_()
        return top_backward(output)
    message = core_failure(vandal)
    assert "expected shape (2, 3), first values [0.0000" not in message


def test_check_tensor(capsys):
    case = CORE_CASES[0]
    kwargs = dict(name="summary", case=case, expected=lambda r: r.h_n[-1], wanted="h_n[-1]",
                  section="01, section 4", success="h_n[-1]")
    check_tensor(None, **kwargs)
    assert capsys.readouterr().out == "Not answered yet: compute summary and pass it to check_summary.\n"
    check_tensor(case.run().h_n[-1], **kwargs)
    assert capsys.readouterr().out == "Correct: h_n[-1].\n"
    with pytest.raises(AssertionError, match="Not yet. On bidirectional GRU"):
        check_tensor(case.run().h_n[0], **kwargs)
    with pytest.raises(AssertionError, match="should be a tensor, but you passed a function"):
        check_tensor(top_backward, **kwargs)


SHAPES = dict(name="shapes", expected={"output": (4, 7, 100), "h_n": (6, 4, 50)}, section="01, section 1",
              success="both shapes")


def test_check_shapes_right_and_unanswered(capsys):
    check_shapes({"output": torch.Size([4, 7, 100]), "h_n": [6, 4, 50]}, **SHAPES)
    assert capsys.readouterr().out == "Correct: both shapes.\n"
    check_shapes(None, **SHAPES)
    check_shapes({"output": None, "h_n": None}, **SHAPES)
    assert capsys.readouterr().out.count("Not answered yet") == 2


@pytest.mark.parametrize("answer,reason", [
    ({"output": (4, 7, 100), "h_n": (4, 6, 50)},
     '- "h_n": you said (4, 6, 50), it is (6, 4, 50): the first two sizes are swapped: batch_first never applies '
     'to h_n or c_n, which stay (num_layers * D, N, H_out).'),
    ({"output": (4, 7, 50), "h_n": (6, 4, 50)},
     '- "output": you said (4, 7, 50), it is (4, 7, 100): the last size is D * H_out: a bidirectional module puts '
     'both directions side by side, so D = 2.'),
    ({"output": (4, 7, 100), "h_n": (3, 4, 50)},
     '- "h_n": you said (3, 4, 50), it is (6, 4, 50): the first size is num_layers * D, not num_layers: '
     'a bidirectional module has two rows per layer (forward, then backward).'),
    ({"output": (7, 4, 100), "h_n": (6, 4, 50)},
     '- "output": you said (7, 4, 100), it is (4, 7, 100): the first two sizes are swapped: batch_first=True puts '
     'the batch N first, False puts time L first.'),
    ({"output": (4, 7, 100), "h_n": (6, 4, 100)},
     '- "h_n": you said (6, 4, 100), it is (6, 4, 50): each row of h_n is one direction only, H_out wide: '
     'the two directions are separate rows.'),
    ({"output": (4, 7, 100)}, '- "h_n" is missing.'),
    ({"output": "4, 7, 100", "h_n": (6, 4, 50)},
     "- \"output\": '4, 7, 100' (of type str) is not a tuple of integers, like (2, 5, 3)."),
])
def test_check_shapes_names_each_wrong_entry(answer, reason):
    with pytest.raises(AssertionError) as caught:
        check_shapes(answer, **SHAPES)
    message = str(caught.value)
    assert message.startswith("Not yet. In shapes:\n") and message.endswith("Where it is explained: 01, section 1.")
    assert reason in message.splitlines(), message
