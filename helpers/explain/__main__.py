"""Command line: python -m helpers.explain "nn.LSTM(8, 50, num_layers=3, batch_first=True)" --input-shape 4,112,8."""

from __future__ import annotations

import argparse
import math
import sys

import torch

from .parse import CELLS, parse_arguments, parse_module
from .run import explain

MAX_INPUT = 10_000_000  # numbers in x; a report about shapes needs no more
MEMORY_LIMIT = 2 * 2**30  # bytes: the estimate of parameters and run above which the command refuses to build
MAX_SEED = 2**32 - 1
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def estimate_bytes(cell: str, kwargs: dict, input_shape: list[int], dtype: torch.dtype | None = None) -> int:
    """An upper estimate of the memory one run takes: parameters, x, every layer's output and gates, the states,
    and the report's own copies (padded output, tags in float64). Read from the arguments alone, before building."""
    sizes = {name: kwargs.get(name, default) for name, default in DEFAULTS.items()}
    h_in, h_cell, layers = sizes["input_size"], sizes["hidden_size"], sizes["num_layers"]
    d = 2 if sizes["bidirectional"] else 1
    h_out = sizes["proj_size"] or h_cell
    gates = GATES[cell] * h_cell
    params = 0
    for layer in range(layers):
        below = h_in if layer == 0 else d * h_out
        params += d * (gates * (below + h_out + 2) + (h_out * h_cell if sizes["proj_size"] else 0))
    steps = math.prod(input_shape[:-1])  # L * N, whatever the layout
    batch = batch_size(input_shape, kwargs.get("batch_first", False))  # the states hold N, not L, rows per layer
    run = steps * d * (layers * h_out + gates) + 4 * layers * d * batch * h_cell
    itemsize = torch.tensor([], dtype=dtype or kwargs.get("dtype") or torch.float32).element_size()
    copies = 8 * (2 * steps * d * h_out + 2 * layers * d * batch * h_cell)  # tags and the padded output
    return int(1.5 * ((params + 2 * math.prod(input_shape) + 2 * run) * itemsize + copies))


def batch_size(input_shape: list[int], batch_first: bool) -> int:
    """N, read from x's shape as the module reads it: (N, L, H_in) with batch_first=True, (L, N, H_in) without,
    and 1 for an unbatched (L, H_in)."""
    if len(input_shape) != 3:
        return 1
    return input_shape[0] if batch_first else input_shape[1]


DEFAULTS = {"input_size": 1, "hidden_size": 1, "num_layers": 1, "proj_size": 0, "bidirectional": False}


def _ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers, e.g. 4,112,8") from None
    if not values:
        raise argparse.ArgumentTypeError(f"{text!r} holds no integers")
    return values


def build_parser() -> argparse.ArgumentParser:
    """The command line's arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.explain",
        description="Run an nn.RNN, nn.GRU or nn.LSTM on random input and explain what it returns.",
        epilog='example: python -m helpers.explain "nn.LSTM(8, 50, num_layers=3, bidirectional=True, '
        'batch_first=True)" --input-shape 4,112,8 --lengths 112,90,50,3',
    )
    parser.add_argument(
        "module",
        help='the constructor, e.g. "nn.GRU(8, 50, num_layers=3, batch_first=True)"; it is parsed, never run as code',
    )
    parser.add_argument(
        "--input-shape",
        type=_ints,
        required=True,
        help="x's shape: N,L,H_in with batch_first=True, L,N,H_in without, or L,H_in unbatched",
    )
    parser.add_argument("--lengths", type=_ints, help="each sequence's length, e.g. 112,90,50,3: packs the batch")
    parser.add_argument("--hx", action="store_true", help="pass a random initial state h_0 (and c_0) too")
    parser.add_argument("--dtype", choices=["float32", "float64"], help="the dtype of the module and x")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the weights and x (default 0)")
    parser.add_argument("--eval", action="store_true", help="call module.eval() first (default: training mode)")
    parser.add_argument(
        "--uses",
        action="append",
        help='the line you wrote to read the results, e.g. "out[:, -1, :]" (parsed, never run; may repeat)',
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build the module and x, and print the report; any failure is one line, exit status 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        text = str(_report(parser, args))
    except SystemExit:
        raise
    except ValueError as error:
        parser.error(" ".join(str(error).split()))
    except (Exception, RecursionError, MemoryError) as error:  # never a traceback: one line, exit status 2
        said = " ".join(str(error).split())[:300]
        parser.error(f"{type(error).__name__}: {said}")
    print(text)
    return 0


def _report(parser: argparse.ArgumentParser, args):
    if not 0 <= args.seed <= MAX_SEED:
        parser.error(f"--seed {args.seed} is not allowed: the seed must be from 0 to {MAX_SEED} (2**32 - 1)")
    if any(n < 1 for n in args.input_shape) or math.prod(args.input_shape) > MAX_INPUT:
        parser.error(
            f"--input-shape {args.input_shape} is not allowed: each size must be >= 1 "
            f"and x may hold at most {MAX_INPUT} numbers"
        )
    cell, kwargs = parse_arguments(args.module)
    dtype = getattr(torch, args.dtype) if args.dtype else None
    needed = estimate_bytes(cell, kwargs, args.input_shape, dtype)
    if needed > MEMORY_LIMIT:
        parser.error(
            f"{args.module} on --input-shape {','.join(map(str, args.input_shape))} is not allowed: it would take "
            f"about {needed / 2**30:.1f} GiB (parameters and one run), over this command's limit of "
            f"{MEMORY_LIMIT / 2**30:.0f} GiB; make the module or x smaller"
        )
    module = parse_module(args.module, seed=args.seed)
    assert isinstance(module, tuple(CELLS.values()))
    if args.dtype:
        module = module.to(dtype)
    if args.eval:
        module.eval()
    dtype = next(module.parameters()).dtype
    generator = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(args.input_shape, generator=generator, dtype=dtype)
    hx = _initial_state(module, x, generator) if args.hx else None
    return explain(module, x, hx=hx, lengths=args.lengths, uses=args.uses)


def _initial_state(module, x: torch.Tensor, generator: torch.Generator):
    """A random h_0 (and c_0) of the shape this module and x need, or x's own error if x does not fit."""
    rows = module.num_layers * (2 if module.bidirectional else 1)
    batch = (batch_size(list(x.shape), module.batch_first),) if x.dim() == 3 else ()
    h_out = getattr(module, "proj_size", 0) or module.hidden_size
    h_0 = torch.randn((rows, *batch, h_out), generator=generator, dtype=x.dtype)
    if isinstance(module, torch.nn.LSTM):
        return h_0, torch.randn((rows, *batch, module.hidden_size), generator=generator, dtype=x.dtype)
    return h_0


if __name__ == "__main__":
    sys.exit(main())
