"""The user-facing transformations: grad, value_and_grad, vjp, source, show.

Each transformation validates its arguments at once, transforms the
function the first time it is called (so names defined later in the module
resolve), and caches the compiled code per (function, wrt, mode).
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import kinds
from .codegen import Generated, build_module, compile_module, render
from .errors import AdtransError
from .kind_analysis import numeric_parameters
from .names import Namer, names_in
from .normalize import normalize
from .reverse import build_sweeps
from .runtime import check_cotangent, owned
from .source import FunctionSource, get_source

Wrt = int | str | Sequence[int | str]


@dataclass
class Transformed:
    """One compiled transformation of a user function."""

    generated: Generated
    params: list[str]
    wrt: list[str]
    wrt_tuple: bool
    uses_tape: bool          # in the vjp form, the saved state starts with the tape

    def tape_after_forward(self, *args: Any) -> list[Any]:
        """The tape the forward sweep records for ``args`` (for tests and curious users)."""
        forward = next(iter(self.generated.functions.values()))
        _, saved = forward(*args)
        return list(saved[0]) if self.uses_tape else []

    @property
    def text(self) -> str:
        return self.generated.text


_CACHE: dict[tuple[Any, ...], Transformed] = {}
_LOCK = threading.Lock()
_GENERATION = [0]         # bumped when compiled code may be stale (a rule was registered)


def clear_cache() -> None:
    """Forget compiled code (after ``register_vjp``, which changes how calls compile)."""
    with _LOCK:
        _CACHE.clear()
        _GENERATION[0] += 1


def _parameters(f: Callable[..., Any]) -> list[str]:
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):
        raise AdtransError(f"cannot read the parameters of {f!r}") from None
    return list(signature.parameters)


def resolve_wrt(f: Callable[..., Any], wrt: Wrt) -> tuple[list[str], bool]:
    """Parameter names for ``wrt`` (positions or names), and whether a tuple was given."""
    params = _parameters(f)
    as_tuple = isinstance(wrt, (tuple, list))
    items = list(wrt) if as_tuple else [wrt]
    if not items:
        raise AdtransError("wrt is empty; name at least one parameter to differentiate with "
                           "respect to")
    names = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise AdtransError(f"wrt must be a parameter position or name, not {item!r}")
        if isinstance(item, int):
            if not -len(params) <= item < len(params):
                raise AdtransError(f"wrt={item} is out of range: {getattr(f, '__name__', f)} "
                                   f"has {len(params)} parameter(s): {', '.join(params)}")
            names.append(params[item])
        else:
            if item not in params:
                raise AdtransError(f"wrt={item!r} is not a parameter of "
                                   f"{getattr(f, '__name__', f)}; its parameters are: "
                                   f"{', '.join(params)}")
            names.append(item)
    if len(set(names)) != len(names):
        raise AdtransError(f"wrt names a parameter twice: {wrt!r}")
    return names, as_tuple


# Per argument: its kind; for one of the user's objects its class (whose methods a call
# inlines, so the class is part of what the code is specialised on); for a NumPy value its
# ndim (ranks.py: scalar code needs no unbroadcast).
Signature = tuple[tuple[kinds.Kind, type | None, int | None], ...]


_ARRAY_KIND = kinds.of(kinds.ARRAY)
_FLOAT_KIND = kinds.kind_of(0.5)


def signature_of(values: list[Any]) -> Signature:
    """The kinds of the arguments of one call: the transformation is specialised on them."""
    out = []
    for value in values:
        if type(value) is np.ndarray and value.dtype.kind in "biuf":
            out.append((_ARRAY_KIND, None, value.ndim))     # the usual case, quickly
            continue
        if type(value) is float:
            out.append((_FLOAT_KIND, None, 0))
            continue
        kind = kinds.kind_of(value)
        out.append((kind, type(value) if kinds.heads(kind) == {kinds.OBJECT} else None,
                    _ranks_of(value)))
    return tuple(out)


def _ranks_of(value: Any, depth: int = 0) -> Any:
    """An argument's rank (ndim; 0 for a number), or for a small dict, list or tuple
    the ranks of its items: ``(("W", 2), ("b", 1))``, ``(1, 1)``.  None: unknown."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.ndim
    if isinstance(value, (bool, int, float)):
        return 0
    if depth == 0 and isinstance(value, (dict, list, tuple)) and len(value) <= 64:
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value):
                return tuple((k, _ranks_of(v, 1)) for k, v in value.items())
            return None
        return tuple(_ranks_of(v, 1) for v in value)
    return None


def check_wrt_kinds(f: Callable[..., Any], names: list[str], params: list[str],
                    signature: Signature) -> None:
    """Refuse gradients with respect to values adtrans cannot differentiate (yet)."""
    code = getattr(f, "__code__", None)
    where = (code.co_filename, code.co_firstlineno) if code else (None, None)
    for name in names:
        kind = signature[params.index(name)][0]
        if kinds.may_be(kind, kinds.COMPLEX):
            raise AdtransError(f"{f.__name__}: {name!r} is complex; complex numbers are not "
                               "supported yet", *where)
        if not _differentiable_kind(kind):
            raise AdtransError(f"{f.__name__}: cannot differentiate with respect to {name!r}, "
                               f"which is {kinds.describe(kind)}; pass a number, an array, "
                               "or a list, tuple or dict of them", *where)


def _differentiable_kind(kind: kinds.Kind, top: bool = True) -> bool:
    """Numbers and arrays, and lists, tuples and dicts holding them (nested too); inside a
    container, strings and None are leaves without a gradient."""
    if not kind or kinds.TOP_ATOM in kind:
        return False
    for atom in kind:
        name = kinds.head(atom)
        if name in kinds.NUMERIC:
            continue
        if name in kinds.CONTAINERS:
            if atom[1] and not _differentiable_kind(atom[1], top=False):
                return False
            continue
        if not top and name in (kinds.STR, kinds.NONE):
            continue
        return False
    return True


def transform(f: Callable[..., Any], wrt: Wrt, mode: str,
              signature: Signature | None = None, strict_dtypes: bool = False
              ) -> Transformed:
    """Compile (or fetch from the cache) the ``mode`` transformation of ``f``.

    ``signature`` holds the kinds of the arguments (``signature_of``); without one,
    every parameter is taken to be a number or an array.  ``strict_dtypes`` (tests):
    a float64 cotangent reaching a float32 input raises, rather than being cast.
    """
    names, as_tuple = resolve_wrt(f, wrt)
    key = (f, tuple(names), as_tuple, mode, signature, strict_dtypes)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        src = get_source(f)
        namer = Namer(names_in(src.tree) | set(src.closure), shadowed_builtins(src))
        src.known = namer.builtin_cells
        params = _parameters(f)
        object_types = {name: entry[1] for name, entry in zip(params, signature or (),
                                                              strict=False)
                        if entry[1] is not None}
        core = normalize(src, namer, object_types)
        if signature is None:
            param_kinds = numeric_parameters(core.params)
            param_ranks: dict[str, int | None] = {}
        else:
            check_wrt_kinds(f, names, core.params, signature)
            param_kinds = {name: entry[0] for name, entry in zip(core.params, signature,
                                                                 strict=True)}
            param_ranks = {name: entry[2] for name, entry in zip(core.params, signature,
                                                                 strict=True)}
        sweeps = build_sweeps(src, core, names, namer, param_kinds, strict_dtypes,
                              param_ranks)
        module, comments, defaults = build_module(sweeps, src.name, mode, as_tuple)
        text = render(module, comments)
        generated = compile_module(text, f"{mode} {src.name}", sweeps.helpers, src.globals,
                                   src.closure, defaults)
        result = Transformed(generated, core.params, names, as_tuple, sweeps.uses_tape)
        _CACHE[key] = result
        return result


# Builtins that generated code calls by name.
GENERATED_BUILTINS = ("len", "min", "range", "reversed", "slice", "locals", "list", "dict",
                      "set", "zip")


def shadowed_builtins(src: FunctionSource) -> set[str]:
    """Those of GENERATED_BUILTINS that the user's function binds to something else."""
    tree = src.tree
    local_names = {a.arg for a in tree.args.args} | {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {name for name in GENERATED_BUILTINS
            if src.resolve(ast.Name(id=name, ctx=ast.Load()), local_names)
            is not getattr(builtins, name)}


def _plain_positional(f: Callable[..., Any]) -> int:
    """How many parameters ``f`` has, if all are plain positional ones (else -1)."""
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return -1
    if all(p.kind == p.POSITIONAL_OR_KEYWORD for p in parameters):
        return len(parameters)
    return -1


def _bind(f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    try:
        bound = inspect.signature(f).bind(*args, **kwargs)
    except TypeError as exc:
        raise AdtransError(f"{f.__name__}: {exc}") from None
    bound.apply_defaults()
    return list(bound.arguments.values())


def _decorator(make: Callable[..., Callable[..., Any]], f: Callable[..., Any] | None,
               wrt: Wrt) -> Any:
    if f is None:
        return lambda function: make(function, wrt)
    if not callable(f):
        raise AdtransError(f"{make.__name__} expects a function, got {f!r}")
    return make(f, wrt)


def _gradient_function(f: Callable[..., Any], wrt: Wrt, mode: str) -> Callable[..., Any]:
    resolve_wrt(f, wrt)

    compiled: dict[tuple[int, Signature], Callable[..., Any]] = {}
    positional = _plain_positional(f)

    @functools.wraps(f)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        # A call with every parameter given by position needs no binding (the common
        # case, and inspect's binding costs more than a small function's gradient).
        values = list(args) if positional == len(args) and not kwargs else \
            _bind(f, args, kwargs)
        signature = (_GENERATION[0], signature_of(values))
        function = compiled.get(signature)
        if function is None:
            transformed = transform(f, wrt, mode, signature[1])
            function = compiled[signature] = next(iter(transformed.generated.functions.values()))
        result = function(*values)
        if mode == "grad":
            return owned(result, values)
        return result[0], owned(result[1], values)

    gradient.__adtrans__ = (f, wrt, mode)  # type: ignore[attr-defined]
    prefix = "d_" if mode == "grad" else "value_and_d_"
    gradient.__name__ = prefix + getattr(f, "__name__", "f")
    gradient.__qualname__ = gradient.__name__
    return gradient


def grad(f: Callable[..., Any] | None = None, wrt: Wrt = 0) -> Any:
    """The gradient of a scalar-valued function, by reverse-mode source transformation.

    ``wrt`` is a parameter position or name, or a tuple of them; a tuple
    makes the gradient function return a tuple in the same order.  Usable as
    ``grad(f)``, ``@grad`` and ``@grad(wrt=...)``.
    """
    return _decorator(lambda function, w: _gradient_function(function, w, "grad"), f, wrt)


def value_and_grad(f: Callable[..., Any] | None = None, wrt: Wrt = 0) -> Any:
    """Like ``grad``, but the function returns ``(value, gradient)``."""
    return _decorator(lambda function, w: _gradient_function(function, w, "value_and_grad"),
                      f, wrt)


def vjp(f: Callable[..., Any], *args: Any, wrt: Wrt = 0) -> tuple[Any, Callable[[Any], Any]]:
    """Run ``f(*args)`` and return ``(output, pullback)``.

    ``pullback(v)`` is the vector-Jacobian product: the gradient of
    ``sum(v * f(*args))`` with respect to ``wrt``.  It may be called again with
    other cotangents (what PyTorch's ``backward(v, retain_graph=True)`` does).
    """
    return _vjp(f, args, wrt, strict_dtypes=False)


def _vjp(f: Callable[..., Any], args: tuple[Any, ...], wrt: Wrt,
         strict_dtypes: bool) -> tuple[Any, Callable[[Any], Any]]:
    values = _bind(f, args, {})
    transformed = transform(f, wrt, "vjp", signature_of(values), strict_dtypes)
    functions = list(transformed.generated.functions.values())
    forward, backward = functions[0], functions[1]
    output, saved = forward(*values)

    def pullback(cotangent: Any) -> Any:
        return owned(backward(saved, check_cotangent(cotangent, output)), values, cotangent)

    return output, pullback


def _transformed_of(df: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Transformed:
    meta = getattr(df, "__adtrans__", None)
    if meta is None:
        raise AdtransError(f"{df!r} is not a function made by adtrans.grad or "
                           "adtrans.value_and_grad")
    f, wrt, mode = meta
    signature = signature_of(_bind(f, args, kwargs)) if args or kwargs else None
    return transform(f, wrt, mode, signature)


def core_source(f: Callable[..., Any]) -> str:
    """``f`` rewritten into adtrans' core form (one operation per line), as Python source.

    The forward sweep of every generated gradient is this code plus bookkeeping;
    it computes exactly what ``f`` computes (tests/test_printing.py checks it).
    """
    src = get_source(f)
    namer = Namer(names_in(src.tree) | set(src.closure), shadowed_builtins(src))
    core = normalize(src, namer)
    body = core.body + [ast.Return(value=ast.Name(id=core.result, ctx=ast.Load()))]
    function = ast.FunctionDef(name=core.name, args=src.tree.args, body=body,
                               decorator_list=[], returns=None, type_comment=None)
    return render(ast.Module(body=[function], type_ignores=[]), {})


def source(df: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The generated source of a gradient function made by ``grad`` or ``value_and_grad``.

    With arguments, the code specialised for arguments of their kinds (what a call
    with them runs); without, the code for numbers or arrays of any shape.
    """
    return _transformed_of(df, args, kwargs).text


def show(df: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Print the generated source of a gradient function (see ``source``)."""
    print(source(df, *args, **kwargs))


def export(df: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The generated code of a gradient function, for arguments like ``args``, as the
    source of a module of its own.

    The module defines the generated function and ``gradient`` (``value_and_gradient``
    for ``value_and_grad``), which checks that its arguments are of the forms of
    ``args`` and hands out gradients as ``df`` does.  It imports NumPy and the user's
    modules, holds copies of the run-time helpers the code calls (it does not need
    adtrans), and constants the code reads are written into it with their values now.
    Raises ``AdtransError`` for a name it cannot write out (an object with no
    importable name and no literal form) and for arguments that are objects.
    """
    if not args and not kwargs:
        raise AdtransError("export(df, *args): give arguments like the ones the gradient "
                           "will be called with; the exported code is specialised on "
                           "their kinds (number or array, ndim, container structure)")
    transformed = _transformed_of(df, args, kwargs)      # refuses what adtrans did not make
    f, _, mode = df.__adtrans__          # type: ignore[attr-defined]
    values = _bind(f, args, kwargs)
    (generated_name, function), = transformed.generated.functions.items()
    environment: dict[str, Any] = dict(function.__globals__)
    for name, cell in zip(function.__code__.co_freevars, function.__closure__ or (),
                          strict=True):
        try:
            environment[name] = cell.cell_contents
        except ValueError:
            raise AdtransError(f"cannot export: {name!r} is not bound yet (a closure "
                               "variable assigned after the function was made)") from None
    src = get_source(f)
    defaults = {name: p.default for name, p in inspect.signature(f).parameters.items()
                if p.default is not inspect.Parameter.empty}
    what = "Gradient" if mode == "grad" else "Value and gradient"
    title = f"{what} of `{src.name}` ({src.filename}) with respect to " \
            f"{', '.join(transformed.wrt)}."
    from .exporting import Entry, argument_forms, export_module, refuse_objects
    refuse_objects(values)
    entry = Entry(src.name, transformed.params, defaults, argument_forms(values),
                  mode == "value_and_grad")
    return export_module(transformed.text, generated_name, environment, title, entry)
