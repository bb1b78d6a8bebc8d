"""adtrans: ahead-of-time reverse-mode automatic differentiation by source transformation.

``adtrans.grad(f)`` reads ``f``'s source, writes its adjoint as Python code,
and compiles it; ``adtrans.source(df)`` shows that code.
"""

from . import recursion, rules, testing  # noqa: F401  (they register rules)
from .api import export, grad, show, source, value_and_grad, vjp
from .custom import grad_of, register_vjp
from .errors import AdtransError
from .rules import supported
from .runtime import stop_gradient

__all__ = ["AdtransError", "export", "grad", "grad_of", "register_vjp", "show", "source",
           "stop_gradient", "supported", "value_and_grad", "vjp"]
__version__ = "0.1.0"
