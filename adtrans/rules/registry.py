"""The rule table: how each primitive's cotangent is computed.

A rule is a Python function ``rule(g, ans, *args)`` whose body is a single
``return`` of one expression per differentiable argument (a tuple when there
are several).  ``g`` is the cotangent of the result, ``ans`` the result.  The
transformer inlines the returned expressions into generated code with the
names substituted, so the rule reads like the line of a derivative table and
the generated code reads like the chain rule.  The same function is callable
at run time.  Rules whose work depends on run-time structure are *called*
rules (``defvjp_called``): generated code calls them by name.

Forward mode will need a JVP beside each VJP.  A rule declares ``linear=True``
where its primitive is linear in its differentiable arguments (reshape, sum,
stack, matmul in each argument): the JVP is then the primitive applied to the
tangents, with nothing to write.  Others get ``jvp=`` beside the VJP when forward
mode comes (``Rule.jvp``).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import inspect
import sys
import textwrap
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..sourcelines import def_module

NO_DEFAULT = object()


@dataclass
class Rule:
    """A vector-Jacobian product rule for one primitive.

    A *template* rule's body is one return of one cotangent expression per
    differentiable parameter, inlined into generated code.  A *called* rule
    (``called``) is a function ``vjp(g, ans, *args, **kwargs)`` returning a tuple
    with one cotangent per positional argument (None where there is none);
    generated code calls it by name.  Long rules and users' rules are called.

    A template rule's source is parsed when it is first used, not when it is
    registered: importing adtrans stays quick however large the table grows.
    """

    name: str
    function: Callable[..., Any]
    # parameter -> why a value other than its default is refused (retstep=True)
    refuse: dict[str, str] = field(default_factory=dict)
    called: bool = False
    linear: bool = False          # linear in its differentiable arguments: JVP = itself
    jvp: Callable[..., Any] | None = None     # the forward-mode rule, where written
    # Templates for operands of known ranks (ranks.py), in the order of the differentiable
    # parameters: matmul of two matrices is `g @ y.T`, with no helper call.
    by_rank: dict[tuple[int, ...], Rule] = field(default_factory=dict)
    # A NumPy (or scipy) ufunc: it makes an array of a list operand, as its templates must.
    ufunc: bool = False
    _parsed: tuple | None = field(default=None, repr=False)

    def _parts(self) -> tuple:
        if self._parsed is None:
            self._parsed = ([], {}, [], {}) if self.called else _parse_template(self.function)
        return self._parsed

    @property
    def params(self) -> list[str]:
        """The primitive's parameters, after g and ans."""
        return self._parts()[0]

    @property
    def defaults(self) -> dict[str, Any]:
        """Parameter -> default value (constants only)."""
        return self._parts()[1]

    @property
    def templates(self) -> list[ast.expr]:
        """One cotangent expression per differentiable parameter."""
        return self._parts()[2]

    @property
    def helpers(self) -> dict[str, Any]:
        """The free names the templates use, and what they denote."""
        return self._parts()[3]

    @property
    def differentiable(self) -> list[str]:
        return self.params[: len(self.templates)]


FUNCTION_RULES: dict[int, Rule] = {}     # id(primitive) -> rule
PRIMITIVES: dict[int, Any] = {}          # id(primitive) -> primitive (keeps ids alive)
OPERATOR_RULES: dict[type, Rule] = {}    # ast operator class -> rule
METHOD_RULES: dict[str, Rule] = {}       # ndarray method name -> rule (receiver is 1st param)
ATTRIBUTE_RULES: dict[str, Rule] = {}    # ndarray attribute (x.T) -> rule
UNLISTED: dict[int, Any] = {}            # primitives with rules supported() leaves out
USER_RULES: dict[int, Any] = {}          # functions given a rule by register_vjp
# (receiver kind, method) -> rule, for methods of lists, tuples and dicts: ("dict", "get")
CONTAINER_METHOD_RULES: dict[tuple[str, str], Rule] = {}
# id(primitive) -> what it returns where that is not one array: ("tuple", n) for a tuple
# of n arrays, ("list", None) for a list of arrays (kinds.py reads it)
RESULT_KINDS: dict[int, tuple[str, int | None]] = {}
# id(primitive) -> the name supported() and docs/rules.md give it (scipy.special.expit)
DISPLAY_NAMES: dict[int, str] = {}
# Bound methods of library objects (scipy.stats.norm.logpdf is rv_continuous.logpdf bound
# to the object scipy.stats.norm).  Each attribute access makes a new method object, so its
# id identifies nothing: such a primitive is found by (id(owner), method name), which maps
# to the id of the one method object registered (kept alive, with its owner, in PRIMITIVES).
BOUND_METHODS: dict[tuple[int, str], int] = {}
# Rule modules for optional libraries, imported only once the library is (importing scipy
# takes far longer than importing adtrans): rule module (in adtrans.rules) -> the module
# whose presence in sys.modules loads it.  A library function can only reach a function
# being transformed after its module was imported, so rule_for_function loads the rules
# on the first lookup it cannot answer; supported() and the catalog load every installed one.
OPTIONAL_RULES: dict[str, str] = {"scipy_special": "scipy.special",
                                  "scipy_stats": "scipy.stats",
                                  "scipy_linalg": "scipy.linalg"}
# Functions (function, method name) -> a message or None, for calls without a rule where
# a library's rule module has better advice than the generic one (library_advice).
ADVISERS: list[Callable[[Any, str], str | None]] = []

# The closed world's other entries (see closed_world.py).  Each table is checked by
# tests/test_closed_world.py, not trusted: every piecewise-constant function there is
# run against finite differences and must have a zero derivative in every float argument.
PIECEWISE_CONSTANT: dict[int, Any] = {}  # numeric result, zero derivative everywhere it exists
PIECEWISE_CONSTANT_METHODS: set[str] = set()
# Functions with a rule that are piecewise constant when given one positional argument
# alone: np.where(c) is np.nonzero(c), where np.where(c, x, y) is differentiable.
PIECEWISE_CONSTANT_ALONE: dict[int, Any] = {}
PIECEWISE_CONSTANT_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes"}
NON_NUMERIC: dict[int, Any] = {}         # the result is not a number (str, type, ...)
EFFECT_FREE: dict[int, Any] = {}         # called for an effect the result does not depend on
MUTATING: dict[int, tuple[Any, int]] = {}  # writes into its argument at this position
MUTATING_METHODS: set[str] = set()       # write into their receiver (list, dict or array)
IMPLICIT_SCOPE: dict[int, Any] = {}      # read or write variables without naming them
DECLARED_CONSTANT: dict[int, Any] = {}   # the user's own say-so: adtrans.stop_gradient
# id(function) -> what to write instead, said where adtrans refuses a call of it (no rule,
# or an in-place change): np.resize, np.put_along_axis
REFUSAL_HINTS: dict[int, str] = {}


def _parse_template(function: Callable[..., Any]) -> tuple:
    """(params, defaults, templates, helpers) of a template rule's source."""
    found = def_module(function)
    tree = found[0] if found else ast.parse(textwrap.dedent(inspect.getsource(function)))
    fdef = tree.body[0]
    assert isinstance(fdef, ast.FunctionDef)
    body = [s for s in fdef.body if not (isinstance(s, ast.Expr)
                                         and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        raise ValueError(f"rule {function.__name__} must be a single return statement")
    value = body[0].value
    templates = list(value.elts) if isinstance(value, ast.Tuple) else [value]
    signature = inspect.signature(function)
    names = list(signature.parameters)
    if names[:2] != ["g", "ans"]:
        raise ValueError(f"rule {function.__name__} must start with (g, ans, ...)")
    params = names[2:]
    defaults = {p: signature.parameters[p].default for p in params
                if signature.parameters[p].default is not inspect.Parameter.empty}
    used = {n.id for t in templates for n in ast.walk(t) if isinstance(n, ast.Name)}
    helpers = {n: function.__globals__[n] for n in used
               if n not in names and n in function.__globals__}
    missing = used - set(names) - set(helpers) - set(dir(__builtins__))
    if missing:
        raise ValueError(f"rule {function.__name__} uses unknown names {sorted(missing)}")
    return params, defaults, templates, helpers


def for_ranks(primitive: Any, ranks: tuple[int, ...]) -> Callable[[Callable[..., Any]],
                                                                     Callable[..., Any]]:
    """Decorator: a template used instead of ``primitive``'s own where its differentiable
    operands surely have these ranks; the same parameters, the same cotangents, quicker
    and easier to read.  Tested against the general rule."""
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTION_RULES[id(primitive)].by_rank[ranks] = Rule(function.__name__, function)
        return function
    return register


def defvjp(*primitives: Any, ops: tuple[type, ...] = (), methods: tuple[str, ...] = (),
           attributes: tuple[str, ...] = (), refuse: dict[str, str] | None = None,
           linear: bool = False, prefix: str | None = None
           ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated rule for functions, AST operators, methods and attributes.

    ``refuse`` names parameters whose non-default values the rule does not cover,
    each with the reason given to the user; ``linear``: the primitive is linear in
    its differentiable arguments; ``prefix``: how supported() spells the module
    (``"scipy.special."``) where the primitive's own ``__module__`` does not say.
    """

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        rule = Rule(function.__name__, function, refuse=dict(refuse or {}), linear=linear,
                    ufunc=any(isinstance(p, np.ufunc) for p in primitives))
        _name(primitives, prefix)
        for primitive in _not_users(primitives):
            FUNCTION_RULES[_key(primitive)] = rule
            PRIMITIVES[_key(primitive)] = primitive
        for op in ops:
            OPERATOR_RULES[op] = rule
        for method in methods:
            METHOD_RULES[method] = rule
        for attribute in attributes:
            ATTRIBUTE_RULES[attribute] = rule
        return function

    return register


def called_rule(function: Callable[..., Any], name: str | None = None) -> Rule:
    """A rule that generated code calls: ``function(g, ans, *args, **kwargs)`` returns one
    cotangent per positional argument."""
    return Rule(name or function.__name__, function, called=True)


def defvjp_called(*primitives: Any, methods: tuple[str, ...] = (),
                  receivers: tuple[str, ...] = (), listed: bool = True,
                  linear: bool = False, prefix: str | None = None,
                  returns: tuple[str, int | None] | None = None
                  ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a called rule for functions, and for methods of receivers of the given
    kinds (``receivers=("dict",)``; without, of arrays).  ``listed``: whether
    ``supported()`` names the functions (not adtrans' own machinery); ``linear`` and
    ``prefix`` as for ``defvjp``; ``returns``: what the functions return where it is not
    one array, ``("tuple", 2)`` or ``("list", None)`` (then ``g`` is a list of the
    parts' cotangents, None for parts nothing used)."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        rule = called_rule(function)
        rule.linear = linear
        _name(primitives, prefix)
        mine = _not_users(primitives)
        if returns is not None:
            for primitive in mine:
                RESULT_KINDS[_key(primitive)] = returns
        for primitive in mine:
            FUNCTION_RULES[_key(primitive)] = rule
            if listed:
                PRIMITIVES[_key(primitive)] = primitive
            else:
                UNLISTED[_key(primitive)] = primitive
        for method in methods:
            if receivers:
                for receiver in receivers:
                    CONTAINER_METHOD_RULES[(receiver, method)] = rule
            else:
                METHOD_RULES[method] = rule
        return function

    return register


def _name(primitives: tuple[Any, ...], prefix: str | None) -> None:
    if prefix is not None:
        for primitive in primitives:
            DISPLAY_NAMES[_key(primitive)] = prefix + primitive.__name__


def _bound(primitive: Any) -> bool:
    """A method bound to its owner: of a library object (scipy.stats.norm.logpdf), or of
    a ufunc (np.add.reduce, a new builtin method object at each attribute access)."""
    return inspect.ismethod(primitive) or (
        isinstance(primitive, types.BuiltinMethodType)
        and isinstance(getattr(primitive, "__self__", None), np.ufunc))


def _key(primitive: Any) -> int:
    """The key of a primitive in the tables: its id, or for a bound method of a library
    object the id of the method object registered first for that owner and name."""
    if _bound(primitive):
        return BOUND_METHODS.setdefault((id(primitive.__self__), primitive.__name__),
                                        id(primitive))
    return id(primitive)


def _not_users(primitives: tuple[Any, ...]) -> tuple[Any, ...]:
    """The primitives the user has not given a rule of their own (register_vjp): rules
    of optional libraries load late, and must not replace the user's."""
    return tuple(p for p in primitives if _key(p) not in USER_RULES)


def result_kind(returns: tuple[str, int | None], *primitives: Any) -> None:
    """Declare what functions without a rule of their own return (np.frexp: a tuple)."""
    for primitive in primitives:
        RESULT_KINDS[id(primitive)] = returns


def piecewise_constant(*primitives: Any, methods: tuple[str, ...] = (),
                       alone: bool = False) -> None:
    """Declare functions whose numeric result has a zero derivative in every argument
    wherever it exists (floor, sign, comparisons, argmax, len, shape, ...); ``alone``:
    only when called with one positional argument and nothing else."""
    for primitive in primitives:
        (PIECEWISE_CONSTANT_ALONE if alone else PIECEWISE_CONSTANT)[id(primitive)] = primitive
    PIECEWISE_CONSTANT_METHODS.update(methods)


def non_numeric(*primitives: Any) -> None:
    """Declare functions whose result is not a number (str, repr, type, isinstance)."""
    for primitive in primitives:
        NON_NUMERIC[id(primitive)] = primitive


def effect_free(*primitives: Any) -> None:
    """Declare functions called only for an effect that nothing computed depends on
    (print, logging): they may see any value, and are run in the forward sweep only."""
    for primitive in primitives:
        EFFECT_FREE[id(primitive)] = primitive


def mutating(primitive: Any, position: int = 0) -> None:
    """Declare a function that writes into its argument at ``position`` (np.copyto)."""
    MUTATING[id(primitive)] = (primitive, position)


def mutating_methods(*names: str) -> None:
    """Declare methods that write into their receiver (append, sort, fill, update)."""
    MUTATING_METHODS.update(names)


def implicit_scope(*primitives: Any) -> None:
    """Declare functions that reach variables without naming them (eval, locals)."""
    for primitive in primitives:
        IMPLICIT_SCOPE[id(primitive)] = primitive


def declared_constant(*primitives: Any) -> None:
    """Declare functions whose result the user asks to treat as a constant."""
    for primitive in primitives:
        DECLARED_CONSTANT[id(primitive)] = primitive


def refusal_hint(primitive: Any, text: str) -> None:
    """Say what to write instead where adtrans refuses a call of ``primitive``."""
    REFUSAL_HINTS[id(primitive)] = text


def rule_for_function(primitive: Any) -> Rule | None:
    rule = FUNCTION_RULES.get(_lookup_key(primitive))
    if rule is None and OPTIONAL_RULES:
        load_optional_rules()
        rule = FUNCTION_RULES.get(_lookup_key(primitive))
    return rule


def _lookup_key(primitive: Any) -> int:
    if _bound(primitive):
        return BOUND_METHODS.get((id(primitive.__self__), primitive.__name__), id(primitive))
    return id(primitive)


_LOADING = threading.RLock()


def load_optional_rules(installed: bool = False) -> None:
    """Load the rule modules of optional libraries already imported (``installed``: of
    every one installed, importing it).  Another thread asking meanwhile waits for the
    loading to finish (an entry leaves OPTIONAL_RULES only once its rules are in)."""
    with _LOADING:
        for name, library in list(OPTIONAL_RULES.items()):
            if library in sys.modules or installed and _installed(library):
                # Installed but broken or too old: its functions stay without rules.
                with contextlib.suppress(ImportError, AttributeError):
                    importlib.import_module(f"{__package__}.{name}")
                OPTIONAL_RULES.pop(name, None)


def library_advice(function: Any, method: str) -> str | None:
    """What to tell a user whose call of ``function`` (for a method, of the attribute
    ``method``; the function may be unknown) has no rule, where a library's rule module
    knows better than the generic advice (ADVISERS)."""
    load_optional_rules()
    for hint in ADVISERS:
        message = hint(function, method)
        if message:
            return message
    return None


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def supported() -> list[str]:
    """Names of every primitive with a derivative rule, sorted (with the rules of optional
    libraries that are installed, such as scipy: this imports them)."""
    load_optional_rules(installed=True)
    names = set()
    for primitive in PRIMITIVES.values():
        names.add(display_name(primitive))
    names.update(f"ndarray.{m}()" for m in METHOD_RULES)
    names.update(f"{kind}.{m}()" for kind, m in CONTAINER_METHOD_RULES)
    names.update(f"ndarray.{a}" for a in ATTRIBUTE_RULES)
    names.update(f"operator {op.__name__}" for op in OPERATOR_RULES)
    return sorted(names)


def display_name(primitive: Any) -> str:
    """How supported() and docs/rules.md name a primitive: np.sum, math.log, sum."""
    if id(primitive) in DISPLAY_NAMES:
        return DISPLAY_NAMES[id(primitive)]
    if isinstance(getattr(primitive, "__self__", None), np.ufunc):
        return f"np.{primitive.__self__.__name__}.{primitive.__name__}"   # np.add.reduce
    module = getattr(primitive, "__module__", None) or ""
    prefix = "np." if module.startswith("numpy") or type(primitive).__name__ == "ufunc" else ""
    if module.startswith("numpy.") and "._" not in module and not module.startswith("numpy._"):
        prefix = "np." + module.removeprefix("numpy.") + "."     # np.linalg.inv, np.fft.fft
    elif module in ("math", "_operator"):
        prefix = module.lstrip("_") + "."
    return prefix + getattr(primitive, "__name__", repr(primitive))
