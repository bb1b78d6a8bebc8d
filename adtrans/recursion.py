"""Recursive calls, differentiated through a call to the callee's own vjp.

Inlining cannot unroll recursion whose depth depends on data, so a recursive
call is kept as a call: ``pair = recursive_call(f, a, b)`` runs ``adtrans.vjp``
of ``f`` (compiled once per argument kinds and cached, like any vjp), giving
the value and a pullback with its own tape; the pair is saved like any value
the backward sweep reads, and ``recursive_vjp`` calls the pullback.  Each
level of the recursion thus records its own tape, and the depth may change
from call to call.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .errors import AdtransError
from .rules.registry import defvjp_called


def _has_numbers(value: Any) -> bool:
    if isinstance(value, (bool, int, float, np.ndarray, np.generic)):
        return not np.iscomplexobj(value)
    if isinstance(value, (list, tuple)):
        return any(_has_numbers(v) for v in value)
    if isinstance(value, dict):
        return any(_has_numbers(v) for v in value.values())
    return False


def recursive_call(function: Any, *args: Any) -> tuple[Any, Any]:
    """The value of ``function(*args)`` and what its pullback needs."""
    from .api import vjp
    positions = tuple(k for k, value in enumerate(args) if _has_numbers(value))
    if not positions:
        return function(*args), None
    value, pullback = vjp(function, *args, wrt=positions)
    if not isinstance(value, (bool, int, float, np.ndarray, np.generic)):
        raise AdtransError(f"{function.__name__} calls itself and returns "
                           f"{type(value).__name__}; adtrans differentiates recursive "
                           "functions that return numbers or arrays (for now)")
    return value, (pullback, positions)


@defvjp_called(recursive_call, listed=False)
def recursive_vjp(g, ans, function, *args):
    """The cotangents of a recursive call's arguments, from the callee's pullback."""
    _, record = ans
    cotangents: list[Any] = [None] * (1 + len(args))
    if record is None or g is None or g[0] is None:
        return tuple(cotangents)
    pullback, positions = record
    for position, cotangent in zip(positions, pullback(g[0]), strict=True):
        cotangents[1 + position] = cotangent
    return tuple(cotangents)


def arguments_in_order(function: Any, args: list, keywords: dict) -> list | None:
    """The arguments of a call bound to ``function``'s parameters, positionally (None
    where its signature does not allow that)."""
    try:
        bound = inspect.signature(function).bind(*args, **keywords)
    except TypeError:
        return None
    bound.apply_defaults()
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY)
           for p in inspect.signature(function).parameters.values()):
        return None
    return list(bound.arguments.values())
