"""Command line: ``python -m adtrans demo`` and ``python -m adtrans show FILE:FUNCTION``."""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
from pathlib import Path

import numpy as np

from . import api, demo


def _heading(text: str) -> None:
    print(f"\n{'=' * 72}\n{text}\n{'=' * 72}")


def _show_case(title: str, function, wrt, args, expected: str) -> None:
    _heading(title)
    print(inspect.getsource(function))
    gradient = api.grad(function, wrt=wrt)
    print("generated gradient:\n")
    print(api.source(gradient))
    values = gradient(*args)
    print(f"gradient at {', '.join(np.array2string(np.asarray(a), precision=4) for a in args)}:")
    print(f"  {values}")
    print(f"  expected (from the tutorial): {expected}")


def run_demo() -> None:
    _show_case("d/dx [(x-1)^2 + (x+1)^2] at x = 4.5 (autodiff primer)", demo.parabolas, 0,
               (4.5,), "18.0")
    _show_case("sigmoid'(1) (autodiff primer)", demo.sigmoid, 0, (1.0,), "0.19661193")
    rng = np.random.default_rng(0)
    x, y = np.ones(5), np.zeros(3)
    w, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    z = x @ w + b
    closed_form = (1 / (1 + np.exp(-z)) - y) / 3
    _show_case("one-layer network with binary cross-entropy (PyTorch tutorial)", demo.bce_loss,
               (0, 1), (w, b, x, y), f"b: {np.array2string(closed_form, precision=4)}, "
                                     "w: outer(x, that)")
    _heading("d2l: gradient through while and if (vector-Jacobian product with ones)")
    print(inspect.getsource(demo.d2l_f))
    a = np.array([0.3, -1.2, 0.8])
    out, pullback = api.vjp(demo.d2l_f, a)
    print(f"vjp(f, a)[1](ones) = {pullback(np.ones(3))}")
    print(f"f(a) / a           = {out / a}")


def run_show(target: str, wrt: list[str]) -> None:
    path, _, name = target.partition(":")
    if not name:
        raise SystemExit("usage: adtrans show FILE.py:FUNCTION [--wrt NAME ...]")
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    function = getattr(module, name)
    spec_wrt: object = 0
    if wrt:
        spec_wrt = tuple(int(w) if w.isdigit() else w for w in wrt)
    print(api.source(api.grad(function, wrt=spec_wrt)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adtrans", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="show generated gradients of the tutorials' examples")
    show = commands.add_parser("show", help="print the generated gradient of a function")
    show.add_argument("target", help="FILE.py:FUNCTION")
    show.add_argument("--wrt", nargs="*", default=[], help="parameter names or positions")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo()
    else:
        run_show(args.target, args.wrt)
    return 0
