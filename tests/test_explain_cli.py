"""python -m helpers.explain: prints the report; the module expression is parsed, never evaluated."""

import subprocess
import sys

import pytest
import torch

from helpers.explain import parse_module
from helpers.explain.__main__ import main

ACCEPTED = "only nn.RNN(...), nn.GRU(...) or nn.LSTM(...)"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "helpers.explain", *args], capture_output=True, text=True, timeout=300)


def test_the_question_s_module_from_a_terminal():
    done = cli("nn.LSTM(8, 50, num_layers=3, bidirectional=True, batch_first=True)", "--input-shape", "4,112,8")
    assert done.returncode == 0, done.stderr
    assert "output[:, -1, :50]" in done.stdout and "output[:, 0, 50:]" in done.stdout
    assert "(4, 112, 100)" in done.stdout and "see notebooks/03_bidirectional.ipynb" in done.stdout
    assert done.stderr == ""


def test_refuses_code_and_runs_none_of_it(tmp_path):
    marker = tmp_path / "ran"
    done = cli(f"__import__('os').system('touch {marker}')", "--input-shape", "4,5,8")
    assert done.returncode == 2 and ACCEPTED in done.stderr and "it is not a call of nn.RNN" in done.stderr
    assert not marker.exists()
    done = cli("nn.Linear(3, 4)", "--input-shape", "4,5,3")
    assert done.returncode == 2 and ACCEPTED in done.stderr and done.stdout == ""


def run_main(capsys, *argv):
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    return stop.value.code, capsys.readouterr()


@pytest.mark.parametrize(
    "expression, why",
    [
        ("nn.LSTM(8, hidden)", "hidden is not a literal"),
        ("nn.LSTM(8, 2 * 25)", "hidden_size=2 * 25 is not a literal"),
        ("nn.GRU(8, 50, **opts)", "**kwargs is not a literal"),
        ("torch.nn.LSTMCell(8, 50)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("nn.LSTM(8, 50).cuda()", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("nn.GRU(8, 50, proj_size=2)", "nn.GRU has no argument 'proj_size'"),
        ("nn.GRU(8, 50, device='cuda')", "nn.GRU has no argument 'device'"),
        ("nn.GRU(8, 50", "it is not valid Python"),
        ("nn.LSTM(8, 10**9)", "hidden_size=10**9 is not a literal"),
    ],
)
def test_refusals_say_what_is_accepted(capsys, expression, why):
    code, out = run_main(capsys, expression, "--input-shape", "2,3,8")
    assert code == 2 and why in out.err and ACCEPTED in out.err and out.out == ""


def test_torch_s_own_refusal_and_bad_shapes_are_reported(capsys):
    code, out = run_main(capsys, "nn.LSTM(8, 50, proj_size=60)", "--input-shape", "2,3,8")
    assert code == 2 and "torch refused it" in out.err
    code, out = run_main(capsys, "nn.LSTM(8, 50, batch_first=True)", "--input-shape", "4,112,7")
    assert code == 2 and "x has 7 features, but the module expects input_size=8" in out.err
    code, out = run_main(capsys, "nn.GRU(8, 50, batch_first=True)", "--input-shape", "4,112,8", "--lengths", "3,2")
    assert code == 2 and "need 4 lengths, but 2 were given" in out.err
    code, out = run_main(capsys, "nn.GRU(8, 50000)", "--input-shape", "4,112,8")
    assert code == 2 and "hidden_size up to 4096" in out.err
    code, out = run_main(capsys, "nn.GRU(8, 5)", "--input-shape", "4,0,8")
    assert code == 2 and "each size must be >= 1" in out.err
    code, out = run_main(capsys, "nn.GRU(8, 5)", "--input-shape", "4,2,8", "--seed", "-1")
    assert code == 2 and "the seed must be from 0 to 4294967295" in out.err
    code, out = run_main(capsys, "nn.GRU(8, 5)", "--input-shape", "4,2,8", "--seed", str(2**64))
    assert code == 2 and "the seed must be from 0 to 4294967295" in out.err and "Traceback" not in out.err


def test_lengths_hx_and_dtype(capsys):
    assert (
        main(
            [
                "torch.nn.GRU(3, 4, num_layers=2, bidirectional=True)",
                "--input-shape",
                "6,3,3",
                "--lengths",
                "6,2,4",
                "--hx",
                "--dtype",
                "float64",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "pack_padded_sequence(x, lengths, batch_first=False, enforce_sorted=False)" in out
    assert "packed_output, h_n = gru(packed, h_0)" in out and "float64" in out
    assert "output[lengths - 1, torch.arange(3), :4]" in out


def test_parse_module_builds_the_same_module_and_keeps_torch_s_random_state():
    rng = torch.get_rng_state()
    lstm = parse_module("nn.LSTM(8, 5, 2, True, True, 0.0, True, 3, dtype=torch.float64)", seed=7)
    assert torch.equal(torch.get_rng_state(), rng)
    assert (lstm.num_layers, lstm.batch_first, lstm.bidirectional, lstm.proj_size) == (2, True, True, 3)
    assert lstm.weight_ih_l0.dtype == torch.float64
    torch.manual_seed(7)
    same = torch.nn.LSTM(8, 5, 2, True, True, 0.0, True, 3, dtype=torch.float64)
    assert torch.equal(lstm.weight_ih_l0, same.weight_ih_l0)
    assert parse_module("nn.RNN(3, 4, 1, 'relu')").nonlinearity == "relu"
