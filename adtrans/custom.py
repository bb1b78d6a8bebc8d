"""The user's own derivative rules (``register_vjp``) and gradient surgery (``grad_of``).

``@adtrans.register_vjp(f)`` decorates ``rule(g, ans, *args, **kwargs)``, which
returns a tuple with one cotangent per positional argument of ``f`` (None for
those without one).  The rule wins over transformation: a function with
source (a numerically stable log-sum-exp) is then called and differentiated by
the rule, not inlined; one without source (a C function) becomes usable.  It
is the signature of adtrans' own called rules, and generated code calls it by
the rule's name.

``with adtrans.grad_of(y) as dy:`` inside a differentiated function is a block
that runs in the backward sweep, where ``y``'s adjoint is complete (all uses
of ``y`` after the block have contributed); it may replace it
(``dy = np.clip(dy, -1, 1)``).  The forward sweep skips it; run as plain
Python, the block sees ``dy`` as zeros and its result is discarded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .errors import AdtransError
from .rules import registry


def register_vjp(function: Callable[..., Any]) -> Callable[[Callable[..., Any]],
                                                          Callable[..., Any]]:
    """Decorator: give ``function`` the derivative rule it decorates."""
    if not callable(function):
        raise AdtransError(f"register_vjp expects the function the rule is for, got "
                           f"{function!r}")

    def decorate(rule: Callable[..., Any]) -> Callable[..., Any]:
        key = registry._key(function)       # a bound method: by its object and name
        registry.FUNCTION_RULES[key] = registry.called_rule(rule)
        registry.UNLISTED[key] = function
        registry.USER_RULES[key] = function
        from .api import clear_cache
        clear_cache()             # code compiled before inlined or refused the function
        return rule

    return decorate


@contextlib.contextmanager
def grad_of(value: Any) -> Iterator[Any]:
    """``with grad_of(y) as dy:`` marks gradient surgery (see the module docstring); run
    as plain Python, ``dy`` is zeros shaped like ``y`` and nothing else happens."""
    yield np.zeros_like(value) if np.ndim(value) else 0.0
