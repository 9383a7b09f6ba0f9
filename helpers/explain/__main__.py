"""Command line: python -m helpers.explain "nn.LSTM(8, 50, num_layers=3, batch_first=True)" --input-shape 4,112,8."""

from __future__ import annotations

import argparse
import math
import sys

import torch

from .parse import parse_module
from .run import explain

MAX_INPUT = 10_000_000  # numbers in x; a report about shapes needs no more


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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build the module and x, and print the report."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed {args.seed} is not allowed: the seed must be >= 0")
    if any(n < 1 for n in args.input_shape) or math.prod(args.input_shape) > MAX_INPUT:
        parser.error(
            f"--input-shape {args.input_shape} is not allowed: each size must be >= 1 "
            f"and x may hold at most {MAX_INPUT} numbers"
        )
    try:
        module = parse_module(args.module, seed=args.seed)
        if args.dtype:
            module = module.to(getattr(torch, args.dtype))
        dtype = next(module.parameters()).dtype
        generator = torch.Generator().manual_seed(args.seed + 1)
        x = torch.randn(args.input_shape, generator=generator, dtype=dtype)
        hx = None
        if args.hx:
            hx = _initial_state(module, x, generator)
        report = explain(module, x, hx=hx, lengths=args.lengths)
    except ValueError as error:
        parser.error(str(error))
    print(report)
    return 0


def _initial_state(module, x: torch.Tensor, generator: torch.Generator):
    """A random h_0 (and c_0) of the shape this module and x need, or x's own error if x does not fit."""
    rows = module.num_layers * (2 if module.bidirectional else 1)
    if x.dim() == 3:
        batch = (x.shape[0] if module.batch_first else x.shape[1],)
    else:
        batch = ()
    h_out = getattr(module, "proj_size", 0) or module.hidden_size
    h_0 = torch.randn((rows, *batch, h_out), generator=generator, dtype=x.dtype)
    if isinstance(module, torch.nn.LSTM):
        return h_0, torch.randn((rows, *batch, module.hidden_size), generator=generator, dtype=x.dtype)
    return h_0


if __name__ == "__main__":
    sys.exit(main())
