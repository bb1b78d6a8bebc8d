"""Command line: ``python -m adtrans demo`` and ``python -m adtrans show FILE:FUNCTION``."""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
from pathlib import Path

import numpy as np

from . import api, demo
from .errors import AdtransError


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


class CommandError(Exception):
    """A problem with what the command line asked for: reported in one line, no traceback."""


def load_function(target: str):
    """The function ``FILE.py:FUNCTION`` names, imported from its file."""
    path, _, name = target.partition(":")
    if not name or not path:
        raise CommandError(f"expected FILE.py:FUNCTION, got {target!r}")
    if not Path(path).is_file():
        raise CommandError(f"no such file: {path}")
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    if spec is None or spec.loader is None:
        raise CommandError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise CommandError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:
        raise CommandError(f"importing {path} failed: {type(exc).__name__}: {exc}") from None
    function = getattr(module, name, None)
    if function is None:
        raise CommandError(f"{path} defines no function {name!r}")
    if not callable(function):
        raise CommandError(f"{name!r} in {path} is not a function")
    return function


def _wrt(wrt: list[str]) -> object:
    """--wrt's names and positions as grad's ``wrt`` (the first parameter by default)."""
    return tuple(int(w) if w.lstrip("-").isdigit() else w for w in wrt) if wrt else 0


def run_show(target: str, wrt: list[str]) -> None:
    print(api.source(api.grad(load_function(target), wrt=_wrt(wrt))))


def run_export(target: str, wrt: list[str], example: str, output: str | None) -> None:
    """Write the module ``adtrans.export`` makes, for arguments ``example`` (a Python
    expression evaluated in the function's module, e.g. ``"np.ones((3, 2)), 0.5"``)."""
    function = load_function(target)
    try:
        values = eval(f"({example},)", dict(function.__globals__))   # noqa: S307 (the user's own)
    except Exception as exc:
        raise CommandError(f"--args {example!r}: {type(exc).__name__}: {exc}") from None
    text = api.export(api.grad(function, wrt=_wrt(wrt)), *values)
    if output is None:
        print(text, end="")
    else:
        Path(output).write_text(text)


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adtrans", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="show generated gradients of the tutorials' examples")
    show = commands.add_parser("show", help="print the generated gradient of a function")
    show.add_argument("target", help="FILE.py:FUNCTION")
    show.add_argument("--wrt", nargs="*", default=[], help="parameter names or positions")
    export = commands.add_parser(
        "export", help="write the generated gradient of a function as a module of its own")
    export.add_argument("target", help="FILE.py:FUNCTION")
    export.add_argument("--args", required=True, dest="example",
                        help="arguments like the ones the gradient will get, as Python "
                             "evaluated in FILE's module: \"np.ones((3, 2)), 0.5\"")
    export.add_argument("--wrt", nargs="*", default=[], help="parameter names or positions")
    export.add_argument("-o", "--output", help="the module file to write (default: stdout)")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            run_demo()
        elif args.command == "export":
            run_export(args.target, args.wrt, args.example, args.output)
        else:
            run_show(args.target, args.wrt)
    except (CommandError, AdtransError) as exc:
        print(f"adtrans: {_one_line(str(exc))}", file=sys.stderr)
        return 1
    return 0
