"""python -m helpers.explain: prints the report; the module expression is parsed, never evaluated."""

import math
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


# --- What the command builds and runs: module from --seed, x and h_0 (c_0) from --seed + 1, in this order -------

from helpers.explain.__main__ import MAX_INPUT, MAX_SEED, MEMORY_LIMIT, _report, build_parser, estimate_bytes  # noqa: E402


def report_of(*argv):
    parser = build_parser()
    return _report(parser, parser.parse_args(list(argv)))


@pytest.mark.parametrize(
    "module, shape, h_0, c_0",
    [
        ("nn.GRU(3, 4)", (5, 2, 3), (1, 2, 4), None),  # (num_layers * D, N, H_out), N = x.shape[1]
        ("nn.GRU(3, 4, batch_first=True)", (2, 5, 3), (1, 2, 4), None),  # N = x.shape[0] with batch_first
        ("nn.RNN(3, 4, num_layers=2, bidirectional=True, batch_first=True)", (3, 5, 3), (4, 3, 4), None),
        ("nn.GRU(3, 4, bidirectional=True)", (5, 3), (2, 4), None),  # unbatched: no N
        ("nn.LSTM(3, 4, proj_size=2, batch_first=True)", (3, 2, 3), (1, 3, 2), (1, 3, 4)),  # c_0 keeps H_cell
        ("nn.LSTM(3, 4, num_layers=3)", (2, 6, 3), (3, 6, 4), (3, 6, 4)),
    ],
)
@pytest.mark.parametrize("seed", [0, 5])
def test_hx_is_drawn_after_x_from_seed_plus_one_in_the_shapes_the_module_needs(module, shape, h_0, c_0, seed):
    report = report_of(module, "--input-shape", ",".join(map(str, shape)), "--hx", "--seed", str(seed))
    generator = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(shape, generator=generator)
    assert torch.equal(report.tensors["h_0"], torch.randn(h_0, generator=generator))
    if c_0 is None:
        assert "c_0" not in report.tensors
    else:
        assert torch.equal(report.tensors["c_0"], torch.randn(c_0, generator=generator))
    built = parse_module(module, seed=seed)
    hx = report.tensors["h_0"] if c_0 is None else (report.tensors["h_0"], report.tensors["c_0"])
    with torch.no_grad():
        output, _ = built(x, hx)
    assert torch.equal(report.output, output)  # the same module, x and hx as those drawn by hand


def test_dtype_and_eval_reach_the_module_x_and_hx():
    report = report_of("nn.LSTM(3, 4)", "--input-shape", "5,2,3", "--hx", "--dtype", "float64", "--eval")
    assert report.tensors["h_0"].dtype == report.tensors["c_0"].dtype == report.output.dtype == torch.float64
    assert report.sections()[0].caption == "batch_first=False, float64, eval mode"
    report = report_of("nn.LSTM(3, 4, dtype=torch.float64)", "--input-shape", "5,2,3", "--hx")
    assert report.tensors["c_0"].dtype == torch.float64 and report.sections()[0].caption.endswith("training mode")


@pytest.mark.parametrize(
    "argv, said",
    [
        (
            ["--input-shape", "4,a,8"],
            "argument --input-shape: '4,a,8' is not a comma-separated list of integers, e.g. 4,112,8",
        ),
        (["--input-shape", ","], "argument --input-shape: ',' holds no integers"),
        (["--input-shape", "4,2,8", "--lengths", "2,x"], "argument --lengths: '2,x' is not a comma-separated list"),
        (["--input-shape", "4,2,8", "--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
        ([], "the following arguments are required: --input-shape"),
        (
            ["--input-shape", "4,2,8", "--seed", str(MAX_SEED + 1)],
            f"--seed {MAX_SEED + 1} is not allowed: the seed must be from 0 to 4294967295 (2**32 - 1)",
        ),
        (
            ["--input-shape", "4,0,8"],
            f"--input-shape [4, 0, 8] is not allowed: each size must be >= 1 and x may hold at most {MAX_INPUT} numbers",
        ),
        (["--input-shape", f"{MAX_INPUT // 8 + 1},1,8"], f"x may hold at most {MAX_INPUT} numbers"),
        (["--input-shape=-4,2,8"], "--input-shape [-4, 2, 8] is not allowed: each size must be >= 1"),
    ],
)
def test_what_the_command_line_refuses_it_names_in_one_line_with_exit_status_2(capsys, argv, said):
    code, out = run_main(capsys, "nn.GRU(8, 5)", *argv)
    assert code == 2 and said in out.err and out.out == "" and "Traceback" not in out.err


@pytest.mark.parametrize("seed", ["0", str(MAX_SEED)])
def test_the_seed_s_whole_range_is_accepted(capsys, seed):
    assert main(["nn.GRU(2, 3)", "--input-shape", "1,1,2", "--seed", seed]) == 0
    assert capsys.readouterr().out.startswith("What GRU(2, 3) returned\n")


def test_x_of_exactly_the_largest_size_passes_the_size_check_and_meets_the_memory_estimate(capsys):
    code, out = run_main(capsys, "nn.GRU(1000, 4096)", "--input-shape", f"{MAX_INPUT // 1000},1,1000")
    assert code == 2 and "x may hold at most" not in out.err and "over this command's limit of 2 GiB" in out.err


def test_a_module_and_x_over_the_memory_limit_are_refused_before_anything_is_built(capsys):
    module = "nn.LSTM(4096, 4096, num_layers=16)"
    needed = estimate_bytes("LSTM", {"input_size": 4096, "hidden_size": 4096, "num_layers": 16}, [100, 10, 4096])
    assert needed > MEMORY_LIMIT
    code, out = run_main(capsys, module, "--input-shape", "100,10,4096")
    assert code == 2 and out.out == ""
    assert (
        f"{module} on --input-shape 100,10,4096 is not allowed: it would take about {needed / 2**30:.1f} GiB "
        "(parameters and one run), over this command's limit of 2 GiB; make the module or x smaller"
    ) in out.err


def real_bytes(cell, kwargs, shape, dtype=torch.float32):
    """What the estimate must cover: the parameters, x, and output, h_n (and c_n), in bytes."""
    module = parse_module(f"nn.{cell}(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")").to(dtype)
    x = torch.zeros(shape, dtype=dtype)
    with torch.no_grad():
        output, state = module(x)
    states = state if isinstance(state, tuple) else (state,)
    tensors = [*module.parameters(), x, output, *states]
    return sum(t.numel() * t.element_size() for t in tensors)


@pytest.mark.parametrize(
    "cell, kwargs, shape",
    [
        ("RNN", {"input_size": 3, "hidden_size": 5}, [7, 2, 3]),
        ("GRU", {"input_size": 8, "hidden_size": 50, "num_layers": 3, "bidirectional": True}, [112, 4, 8]),
        ("LSTM", {"input_size": 8, "hidden_size": 50, "num_layers": 2, "proj_size": 20}, [9, 8]),
        ("LSTM", {"input_size": 4, "hidden_size": 6, "bidirectional": True, "batch_first": True}, [3, 10, 4]),
        # one step of 1000 sequences: the states (num_layers * D, N, H_cell) outweigh everything else, so an
        # estimate that took N from the wrong axis (L = 1) would fall below what torch returns
        ("LSTM", {"input_size": 1, "hidden_size": 64, "num_layers": 16, "proj_size": 1}, [1, 1000, 1]),
        (
            "LSTM",
            {"input_size": 1, "hidden_size": 64, "num_layers": 16, "proj_size": 1, "batch_first": True},
            [1000, 1, 1],
        ),
    ],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_the_memory_estimate_covers_the_parameters_x_and_what_the_module_returns(cell, kwargs, shape, dtype):
    estimate = estimate_bytes(cell, kwargs, shape, dtype)
    real = real_bytes(cell, kwargs, shape, dtype)
    assert real * 1.5 < estimate < real * 20
    # one more input feature: D * gates * H_cell more weights (counted exactly), one more number per step of x
    wider = dict(kwargs, input_size=kwargs["input_size"] + 1)
    d = 2 if kwargs.get("bidirectional") else 1
    more_params = d * {"RNN": 1, "GRU": 3, "LSTM": 4}[cell] * kwargs["hidden_size"]
    more_x = math.prod(shape[:-1])
    grown = estimate_bytes(cell, wider, shape[:-1] + [shape[-1] + 1], dtype) - estimate
    assert abs(grown - 1.5 * (more_params + 2 * more_x) * dtype.itemsize) <= 1
    assert (
        real_bytes(cell, wider, shape[:-1] + [shape[-1] + 1], dtype) - real == (more_params + more_x) * dtype.itemsize
    )


@pytest.mark.parametrize(
    "cell, kwargs",
    [
        ("LSTM", dict(input_size=8, hidden_size=50, num_layers=3, bidirectional=True)),  # the question's module
        ("GRU", dict(input_size=3, hidden_size=40, num_layers=2)),
        ("RNN", dict(input_size=2, hidden_size=7)),
        ("LSTM", dict(input_size=2, hidden_size=30, num_layers=4, proj_size=3)),
    ],
)
@pytest.mark.parametrize("steps, batch", [(112, 4), (1, 500), (500, 1), (3, 3)])
def test_the_memory_estimate_reads_n_and_l_where_the_layout_puts_them(cell, kwargs, steps, batch):
    """batch_first moves only x's batch axis: the same L and N cost the same in either layout, and more
    sequences cost more than more steps of as many numbers (each sequence has its own states)."""
    h_in = kwargs["input_size"]
    second = estimate_bytes(cell, dict(kwargs, batch_first=False), [steps, batch, h_in])  # (L, N, H_in)
    first = estimate_bytes(cell, dict(kwargs, batch_first=True), [batch, steps, h_in])  # (N, L, H_in)
    assert second == first
    unbatched = estimate_bytes(cell, kwargs, [steps, h_in])  # (L, H_in): one sequence, in either layout
    assert unbatched == estimate_bytes(cell, dict(kwargs, batch_first=True), [steps, h_in])
    assert unbatched == estimate_bytes(cell, dict(kwargs, batch_first=False), [steps, 1, h_in])
    if steps != batch:  # the same numbers in x, as steps or as sequences: the sequences' states weigh more
        more_sequences = estimate_bytes(cell, kwargs, [min(steps, batch), max(steps, batch), h_in])
        more_steps = estimate_bytes(cell, kwargs, [max(steps, batch), min(steps, batch), h_in])
        assert more_sequences > more_steps


def test_a_run_the_estimate_allows_is_not_refused(capsys, monkeypatch):
    """The guard refuses exactly the runs whose estimate is over the limit: with the limit at this run's own
    estimate, it runs, in both layouts; one byte less and it is refused."""
    cli_module = sys.modules[main.__module__]
    kwargs = {"input_size": 2, "hidden_size": 8, "num_layers": 3}
    for module, shape in (
        ("nn.GRU(2, 8, num_layers=3)", [2, 300, 2]),
        ("nn.GRU(2, 8, 3, batch_first=True)", [300, 2, 2]),
    ):
        limit = estimate_bytes("GRU", dict(kwargs, batch_first="batch_first" in module), shape)
        monkeypatch.setattr(cli_module, "MEMORY_LIMIT", limit)
        assert main([module, "--input-shape", ",".join(map(str, shape))]) == 0
        assert "N = 300, L = 2" in capsys.readouterr().out
        monkeypatch.setattr(cli_module, "MEMORY_LIMIT", limit - 1)
        code, out = run_main(capsys, module, "--input-shape", ",".join(map(str, shape)))
        assert code == 2 and "is not allowed: it would take about" in out.err


def test_an_unexpected_error_is_one_line_naming_its_type_cut_at_300_characters(capsys, monkeypatch):
    cli_module = sys.modules[main.__module__]

    def fails(*args, **kwargs):
        raise RuntimeError("first  line\n" + "x" * 400)

    monkeypatch.setattr(cli_module, "explain", fails)
    code, out = run_main(capsys, "nn.GRU(2, 3)", "--input-shape", "1,1,2")
    said = ("first line " + "x" * 400)[:300]
    assert code == 2 and out.err.endswith(f"python -m helpers.explain: error: RuntimeError: {said}\n")

    def refuses(*args, **kwargs):
        raise ValueError("x has\n   7 features")

    monkeypatch.setattr(cli_module, "explain", refuses)
    code, out = run_main(capsys, "nn.GRU(2, 3)", "--input-shape", "1,1,2")
    assert code == 2 and out.err.endswith("python -m helpers.explain: error: x has 7 features\n")


def test_each_uses_line_gets_its_own_section(capsys):
    argv = ["nn.GRU(2, 3, batch_first=True)", "--input-shape", "2,4,2", "--uses", "out[:, -1]", "--uses", "h_n[-1]"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Your line: out[:, -1]  (shape (2, 3))" in out and "Your line: h_n[-1]  (shape (2, 3))" in out
    assert out.count("verdict  read as a summary of each whole sequence (e.g. for a classifier): your line holds") == 2


@pytest.mark.parametrize(
    "module", ["nn.LSTM(4, 5, num_layers=2, proj_size=3)", "nn.LSTM(4, 5, 2, True, False, 0.0, False, 3)"]
)
def test_with_proj_size_a_uses_line_reads_hidden_size_as_c_n_s_width(capsys, module):
    """--uses names the sizes as the module's arguments: hidden_size is c_n's width, H_out = proj_size h_n's."""
    argv = [module, "--input-shape", "6,3,4", "--uses", "c_n.view(num_layers, N, hidden_size)[-1]"]
    assert main([*argv, "--uses", "h_n.view(num_layers, N, H_out)[-1]"]) == 0
    out = capsys.readouterr().out
    assert "Your line: c_n.view(num_layers, N, hidden_size)[-1]  (shape (3, 5))" in out
    assert "Your line: h_n.view(num_layers, N, H_out)[-1]  (shape (3, 3))" in out
    code, said = run_main(capsys, *argv[:3], "--uses", "h_n.view(num_layers, N, hidden_size)[-1]")
    assert code == 2 and said.out == ""
    assert said.err.rstrip().endswith(
        "with proj_size=3, h_n is H_out = proj_size = 3 wide and output D * H_out = 3 wide: "
        "only c_n is hidden_size = 5 wide"
    )
    # just outside: without proj_size, hidden_size is h_n's width too
    assert main(["nn.LSTM(4, 5, 2)", *argv[1:3], "--uses", "h_n.view(num_layers, N, hidden_size)[-1]"]) == 0
    assert "Your line: h_n.view(num_layers, N, hidden_size)[-1]  (shape (3, 5))" in capsys.readouterr().out


@pytest.mark.parametrize(
    "cell, kwargs, shape, dtype, expected",
    [
        # LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2): H_in 3, H_cell 4, D 2, H_out 2, 4 * 4 = 16 gates.
        # parameters: layer 0, 2 * (16 * (3 + 2 + 2) + 2 * 4) = 240; layer 1 reads D * H_out = 4: 2 * (16 * 8 + 8) = 272
        # x (5, 6, 3) without batch_first is (L, N, H_in): L = 5, N = 6 (L * N = 30 steps of all sequences)
        # run: 30 steps * D * (2 layers * H_out + 16 gates) + 4 * 2 layers * D * N 6 * H_cell = 1200 + 384 = 1584
        # the report's float64 copies: 8 * (2 * 30 * D * H_out + 2 * 2 * D * 6 * H_cell) = 8 * (240 + 192) = 3456
        # 1.5 * ((512 + 2 * 90 numbers of x + 2 * 1584) * 4 bytes + 3456) = 1.5 * 18896
        (
            "LSTM",
            dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, proj_size=2),
            [5, 6, 3],
            None,
            28344,
        ),
        # the same x with batch_first=True is (N, L, H_in): N = 5, so the states count 4 * 2 * D * 5 * H_cell = 320
        # and the copies 8 * (240 + 160) = 3200: 1.5 * ((512 + 180 + 2 * 1520) * 4 + 3200) = 1.5 * 18128
        (
            "LSTM",
            dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, proj_size=2, batch_first=True),
            [5, 6, 3],
            None,
            27192,
        ),
        # GRU(8, 50) unbatched in float64: parameters 150 * (8 + 50 + 2) = 9000; run 112 * (50 + 150) + 4 * 50 = 22600
        # copies 8 * (2 * 112 * 50 + 2 * 50) = 90400; 1.5 * ((9000 + 2 * 896 + 2 * 22600) * 8 + 90400) = 1.5 * 538336
        ("GRU", dict(input_size=8, hidden_size=50), [112, 8], torch.float64, 807504),
        ("GRU", dict(input_size=8, hidden_size=50, dtype=torch.float64), [112, 8], None, 807504),  # the module's dtype
        ("GRU", dict(input_size=8, hidden_size=50), [112, 8], None, 471552),  # float32: 1.5 * (55992 * 4 + 90400)
        # RNN() with every default: 1 * (1 + 1 + 2) = 4 parameters; 4 steps, batch 2 (x.shape[0]):
        # run 4 * (1 + 1) + 4 * 2 = 16; copies 8 * (2 * 4 + 2 * 2) = 96
        ("RNN", {}, [2, 2, 1], None, int(1.5 * ((4 + 2 * 4 + 2 * 16) * 4 + 96))),
        # x (3, 7, 1), L * N = 21 steps: without batch_first N = x.shape[1] = 7, the states 4 * N = 28
        # run 21 * (1 + 1) + 28 = 70; copies 8 * (2 * 21 + 2 * 7) = 448: 1.5 * ((4 + 42 + 140) * 4 + 448) = 1.5 * 1192
        ("RNN", {}, [3, 7, 1], None, 1788),
        # with batch_first=True N = x.shape[0] = 3: run 42 + 12 = 54; copies 8 * (42 + 6) = 384: 1.5 * (616 + 384)
        ("RNN", {"batch_first": True}, [3, 7, 1], None, 1500),
        # unbatched (7, 1), either batch_first: N = 1, 7 steps: run 14 + 4 = 18; copies 8 * (14 + 2) = 128;
        # 1.5 * ((4 + 14 + 36) * 4 + 128) = 1.5 * 344
        ("RNN", {}, [7, 1], None, 516),
        ("RNN", {"batch_first": True}, [7, 1], None, 516),
    ],
)
def test_the_memory_estimate_worked_out_by_hand_from_its_parts(cell, kwargs, shape, dtype, expected):
    assert estimate_bytes(cell, kwargs, shape, dtype) == expected


# --- The module expression: what is read, and each refusal as the learner sees it -------------------------------

from helpers.explain.parse import ACCEPTED as ACCEPTED_IN_FULL  # noqa: E402
from helpers.explain.parse import parse_arguments  # noqa: E402


@pytest.mark.parametrize(
    "text, why",
    [
        (
            "nn.GRU(1, 2, 3, True, False, 0.0, False, 4)",
            "nn.GRU takes at most 7 positional arguments "
            "(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)",
        ),
        ("nn.LSTM(*sizes)", "*args is not a literal"),
        ("nn.GRU(8, 5, hidden_size=5)", "hidden_size is given twice"),
        ("nn.GRU(True, 5)", "input_size=True is not an integer (nn.GRU would read True as 1)"),
        ("nn.LSTM(8, 5, proj_size=False)", "proj_size=False is not an integer (nn.LSTM would read False as 0)"),
        ("nn.GRU(8, 5.0)", "hidden_size=5.0 is not an integer"),
        (
            "nn.GRU(8, 5, batch_first='False')",
            "batch_first='False' is not True or False (a string such as 'False' counts as true)",
        ),
        (
            "nn.GRU(8, 5, bidirectional=1)",
            "bidirectional=1 is not True or False (a string such as 'False' counts as true)",
        ),
        ("nn.GRU(8, 5, dropout='0.1')", "dropout='0.1' is not a number"),
        ("nn.GRU(8, 5, dropout=True)", "dropout=True is not a number"),
        ("nn.RNN(8, 5, nonlinearity='sigmoid')", "nonlinearity='sigmoid' is not 'tanh' or 'relu'"),
        ("nn.RNN(8, 5, 1, 'gelu')", "nonlinearity='gelu' is not 'tanh' or 'relu'"),
        (
            "nn.GRU(8, 5, dtype=torch.float16)",
            "dtype=torch.float16 is not a literal (a number, True/False or a string)",
        ),
        ("nn.GRU(8, 5, dtype=np.float64)", "dtype=np.float64 is not a literal (a number, True/False or a string)"),
        ("nn.GRU(-True, 5)", "input_size=-True is not a literal (a number, True/False or a string)"),
        ("nn.GRU(8, 5, dropout=-'a')", "dropout=-'a' is not a literal (a number, True/False or a string)"),
        ("nn.GRU(8, 5, bias=None)", "bias=None is not a literal (a number, True/False or a string)"),
        ("nn.GRU(8, 5, batch_first=[True])", "batch_first=[True] is not a literal (a number, True/False or a string)"),
        (
            "nn.GRU(8, 5, nonlinearity='relu')",
            "nn.GRU has no argument 'nonlinearity' here (it takes input_size, "
            "hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype)",
        ),
        ("gru", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("nn.GRU", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ('nn["GRU"](8, 5)', "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("nn.Linear(8, 5)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("torch.LSTM(8, 5)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("nn.nn.LSTM(8, 5)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("a.nn.LSTM(8, 5)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("torch.torch.LSTM(8, 5)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("f().nn.LSTM(8, 5)", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("nn.GRU(8, 5) + 1", "it is not a call of nn.RNN, nn.GRU or nn.LSTM"),
        ("nn.GRU(8,", "it is not valid Python ('(' was never closed)"),
    ],
)
def test_a_module_expression_is_refused_naming_what_is_wrong_and_what_is_accepted(text, why):
    with pytest.raises(ValueError) as refused:
        parse_arguments(text)
    assert str(refused.value) == f"module expression {text!r} is not allowed: {why}; {ACCEPTED_IN_FULL}"


def test_a_float_size_is_refused_as_not_an_integer():
    with pytest.raises(
        ValueError, match=r"^module expression 'nn.GRU\(8, 5.0\)' is not allowed: hidden_size=5.0 is not an"
    ):
        parse_arguments("nn.GRU(8, 5.0)")


@pytest.mark.parametrize(
    "text, said",
    [
        (
            "x" * 2001,
            "module expression '" + "x" * 60 + "...' is not allowed: it has 2001 characters, at most 2000 are read",
        ),
        ("(" * 300 + "1" + ")" * 300, "is not allowed: it is not valid Python (too many nested parentheses)"),
        (42, "module expression 42 is not allowed: it must be a string; " + ACCEPTED_IN_FULL),
        ("nn.GRU(4097, 5)", "input_size=4097 is not allowed here: the command line takes input_size up to 4096"),
        ("nn.GRU(8, 4097)", "hidden_size=4097 is not allowed here: the command line takes hidden_size up to 4096"),
        (
            "nn.GRU(8, 5, num_layers=17)",
            "num_layers=17 is not allowed here: the command line takes num_layers up to 16",
        ),
        (
            "nn.LSTM(8, 5, proj_size=4097)",
            "proj_size=4097 is not allowed here: the command line takes proj_size up to 4096",
        ),
    ],
)
def test_too_long_too_deep_or_too_large_is_refused_before_anything_is_built(text, said):
    with pytest.raises(ValueError) as refused:
        parse_arguments(text)
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "text, cell, kwargs",
    [
        ("  nn.GRU(8, 5)\n", "GRU", {"input_size": 8, "hidden_size": 5}),
        (
            "torch.nn.RNN(8, 5, 1, 'relu', False)",
            "RNN",
            dict(input_size=8, hidden_size=5, num_layers=1, nonlinearity="relu", bias=False),
        ),
        ("nn.GRU(4096, 4096, 16)", "GRU", {"input_size": 4096, "hidden_size": 4096, "num_layers": 16}),
        ("nn.GRU(8, 5, dtype=torch.double)", "GRU", {"input_size": 8, "hidden_size": 5, "dtype": torch.float64}),
        ("nn.GRU(8, 5, dtype=torch.float)", "GRU", {"input_size": 8, "hidden_size": 5, "dtype": torch.float32}),
        ("nn.GRU(8, 5, dtype=torch.float32)", "GRU", {"input_size": 8, "hidden_size": 5, "dtype": torch.float32}),
        (
            "nn.GRU(8, 5, dropout=-0.5)",
            "GRU",
            {"input_size": 8, "hidden_size": 5, "dropout": -0.5},
        ),  # torch's to refuse
        ("nn.LSTM(8, -5, proj_size=0)", "LSTM", {"input_size": 8, "hidden_size": -5, "proj_size": 0}),
        ("nn.RNN(8, 5, nonlinearity='tanh')", "RNN", {"input_size": 8, "hidden_size": 5, "nonlinearity": "tanh"}),
    ],
)
def test_literal_arguments_are_read_by_name_in_torch_s_positional_order(text, cell, kwargs):
    assert parse_arguments(text) == (cell, kwargs)


@pytest.mark.parametrize(
    "text, said",
    [
        ("nn.GRU(8, -5)", "hidden_size must be greater than zero"),
        ("nn.GRU(8, 5, dropout=2)", "dropout should be a number in range [0, 1]"),
        ("nn.LSTM(8, 5, proj_size=5)", "proj_size has to be smaller than hidden_size"),
    ],
)
def test_what_torch_refuses_is_said_as_torch_s_refusal(text, said):
    with pytest.raises(ValueError) as refused:
        parse_module(text)
    assert str(refused.value).startswith(f"module expression {text!r} is not allowed: torch refused it: ")
    assert said in str(refused.value)
