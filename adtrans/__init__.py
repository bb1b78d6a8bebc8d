"""adtrans: ahead-of-time reverse-mode automatic differentiation by source transformation.

``adtrans.grad(f)`` reads ``f``'s source, writes its adjoint as Python code,
and compiles it; ``adtrans.source(df)`` shows that code.
"""

from . import rules, testing  # noqa: F401  (rules registers the rule table)
from .api import grad, show, source, value_and_grad, vjp
from .errors import AdtransError
from .rules import supported
from .runtime import stop_gradient

__all__ = ["AdtransError", "grad", "show", "source", "stop_gradient", "supported",
           "value_and_grad", "vjp"]
__version__ = "0.1.0"
