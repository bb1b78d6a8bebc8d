"""Reverse mode: turn a core-form function into forward and backward sweeps.

The forward sweep runs the core statements and records what the backward
sweep will need but would otherwise lose:

* a variable about to be overwritten whose old value some adjoint still
  reads (the *to-be-recorded* analysis below) is saved, in a local when the
  statement runs once, on the tape when it sits in a loop;
* an ``if`` with adjoint work inside records its decision, a ``while`` its
  trip count (a ``for`` over ``range`` only when it can break early: the
  backward sweep walks the same range reversed);
* inside loops these records go on a tape, a plain local list.

The backward sweep visits statements in reverse.  At each statement the
primal variables hold the values they had right after it ran forward (saved
values are restored as the sweep passes their assignment), so rule templates
can read operands and results directly.  Adjoints start absent (``None``);
the first contribution assigns, later ones add, and a static three-valued
state (absent / present / maybe) decides which: only where control flow
merges does generated code test ``is not None``.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from . import iterables, kinds, runtime
from .activity import Activity, activity
from .adjoints import AdjointExpressions, StatementAdjoint
from .aliasing import mark_in_place_risks, relations
from .analysis import IMMUTABLE, Classifier, Operation, target_name, walk_assignments
from .astutil import assign, call, load, mark_loop_context, names_read, walk_statements
from .backward_sweep import ABSENT, PRESENT, BackwardSweep
from .deadstores import eliminate_dead_resets
from .forward_sweep import ForwardSweep
from .kind_analysis import Env, analyse
from .mutations import Mutations
from .names import Namer
from .normalize import CoreFunction
from .ranks import analyse_ranks
from .recording import Recording
from .refusals import check_operations
from .source import FunctionSource
from .surgery import Surgery


@dataclass
class Sweeps:
    """The pieces a code generator assembles into functions."""

    params: list[str]
    wrt: list[str]
    result: str
    seed: str                          # name of the result's adjoint (the seed parameter)
    forward: list[ast.stmt]
    backward: list[ast.stmt]
    gradients: list[ast.expr]          # one per wrt parameter
    uses_tape: bool
    tape: str
    push: str
    pop: str
    value: str                         # holds the result while the backward sweep runs
    inits: list[str]                   # variables to bind to None before the forward sweep
    split_inits: list[str]             # ... and those only the vjp form needs bound
    saved_for_backward: list[str]      # primal names the backward sweep reads
    helpers: dict[str, Any]            # emitted helper name -> object
    list_name: str                     # how generated code spells the builtin list
    comments: dict[str, str]           # marker name -> comment text
    check_scalar: str
    check_cotangent: str
    owned: list[str] = field(default_factory=list)   # containers the backward sweep changes
    own: str | None = None                 # how generated code spells the copying helper
    # ... and the helpers that save a container's state with it and put it back (vjp)
    with_snapshot: str | None = None
    restored: str | None = None
    result_changed: bool = False           # the result is one of them


class ReverseBuilder(AdjointExpressions, Recording, Mutations, Surgery, ForwardSweep,
                     BackwardSweep):
    """Builds the forward and backward sweeps for one (function, wrt) pair."""

    def __init__(self, src: FunctionSource, core: CoreFunction, wrt: list[str],
                 namer: Namer, param_kinds: Env,
                 param_ranks: dict[str, int | None] | None = None) -> None:
        self.src = src
        self.core = core
        self.wrt = wrt
        self.namer = namer
        self.local_names = set(core.params) | {target_name(s) for s in
                                               walk_assignments(core.body)}
        self.local_names |= {s.target.id for s in walk_statements(core.body)
                             if isinstance(s, ast.For)}
        self.helpers: dict[str, Any] = {}
        self.helper_names: dict[str, str] = {}
        self.comments: dict[str, str] = {}
        known = dict(namer.builtin_cells)
        self.kinds = analyse(src, core.body, param_kinds, self.local_names, known)
        list_name = namer.builtin("list")
        # Convert what is surely not a sequence first: the kinds that come out may tell what
        # a value of unknown kind is; convert those last.
        for unknown in (False, False, False, True):
            if not iterables.convert(core.body, self.kinds, namer, list_name, unknown):
                continue
            known = {**namer.builtin_cells, list_name: builtins.list}
            self.local_names |= {target_name(s) for s in walk_assignments(core.body)}
            self.kinds = analyse(src, core.body, param_kinds, self.local_names, known)
        self.known = known
        self.ranks = analyse_ranks(src, core.body, param_ranks or {}, self.kinds,
                                   self.local_names, known)
        self.immutable = {name for name in self.local_names
                          if all(kinds.is_only(env[name], IMMUTABLE)
                                 for env in self.kinds.values() if name in env)}
        mark_in_place_risks(src, core, self.immutable)
        classifier = Classifier(src, self.local_names, self.kinds, known)
        self.operations: dict[int, Operation] = {
            id(s): classifier.classify(s) for s in walk_assignments(core.body)}
        # Every operation of every statement, calls inside conditions included.
        self.all_operations: dict[int, list[Operation]] = {}
        for stmt in walk_statements(core.body):
            if isinstance(stmt, ast.Assign) and id(stmt) in self.operations:
                found = [self.operations[id(stmt)]]
            elif isinstance(stmt, ast.Assign):
                found = [classifier.classify_store(stmt)]
            elif isinstance(stmt, ast.Delete):
                found = [classifier.classify_delete(stmt)]
            elif isinstance(stmt, ast.Expr):
                found = [classifier.classify_effect(stmt)]
            elif isinstance(stmt, (ast.If, ast.While, ast.Assert)):
                found = classifier.nested_operations(stmt, stmt.test)
            elif isinstance(stmt, ast.Raise) and stmt.exc is not None:
                found = classifier.nested_operations(stmt, stmt.exc)
            else:
                found = []
            self.all_operations[id(stmt)] = found
        self.activity: Activity = activity(core.body, self.all_operations, wrt, core.result)
        # Names that may hold a list, tuple or dict somewhere: their adjoints are containers.
        self.tree_names = {name for env in self.kinds.values() for name, kind in env.items()
                           if kinds.may_be(kind, kinds.LIST, kinds.TUPLE, kinds.DICT)}
        for stmt in walk_assignments(core.body):
            if self.operations[id(stmt)].kind == "pack":
                self.tree_names.add(target_name(stmt))
        check_operations(src, core.body, self.all_operations, self.activity.varied,
                         relations(src, core, self.all_operations))
        self.mutation_points: list[tuple[ast.stmt, Operation, frozenset[str]]] = []
        self.global_reads: set[str] = set()      # names outside the function adjoints read
        self.adjoint_name: dict[str, str] = {}
        for name in sorted(self.activity.varied & self.activity.useful | set(wrt)
                           | {core.result}):
            self.adjoint_name[name] = namer.fresh(f"d_{name}")
        self.accumulator: dict[str, str] = {}
        self.adjoints: dict[int, StatementAdjoint] = {}
        for stmt in walk_assignments(core.body):
            self.adjoints_of(stmt)
        self.tape = namer.fresh("tape")
        self.push = namer.fresh("push")
        self.pop = namer.fresh("pop")
        self.uses_tape = False
        self.saved: dict[int, str] = {}          # statement -> slot variable
        # Saved statements whose old value some adjoint reads (not only its shape): the
        # others push only the shape (runtime.shape_of), so the array itself is freed.
        self.value_saved: set[int] = set()
        self.index_saved: dict[int, str] = {}    # for loop -> slot of the index's old value
        # A reassigned parameter keeps its entry value under another name for the final
        # as_gradient(d_x, x), so the loop that overwrites it need not save every value.
        reassigned = {target_name(s) for s in walk_assignments(core.body)} | {
            s.target.id for s in walk_statements(core.body) if isinstance(s, ast.For)}
        self.entry_value = {name: (namer.fresh(f"{name}_in") if name in reassigned else name)
                            for name in wrt}
        self.prepare_changes()
        self.to_be_recorded(core.body, {n for n in wrt if n not in reassigned})
        self.check_mutations()
        self.bookkeeping: dict[int, str] = {}    # if -> decision var, loop -> trip counter
        self.inits: list[str] = []
        self.underscore: str | None = None
        self.value = namer.fresh("value")

    # ------------------------------------------------------------ helpers
    def helper(self, name: str, obj: Any) -> str:
        """The name generated code uses for a helper object (never shadowing a user name)."""
        if name in self.helper_names:
            return self.helper_names[name]
        base = _identifier(name)
        resolved = self.src.resolve(load(base), self.local_names, self.namer.builtin_cells)
        if resolved is obj and base == name:
            emitted = name                       # the user's own binding is the same object
        else:
            emitted = self.namer.fresh(base)
            self.helpers[emitted] = obj
        self.helper_names[name] = emitted
        return emitted

    def runtime(self, name: str) -> str:
        return self.helper(name, getattr(runtime, name))

    def comment(self, text: str) -> ast.stmt:
        marker = f"__adtrans_comment_{len(self.comments)}__"
        self.comments[marker] = text
        return ast.Expr(value=load(marker))

    def d(self, name: str) -> str:
        return self.adjoint_name[name]

    def active(self, name: str) -> bool:
        return self.activity.active(name)

    def starts_at_zero(self, name: str) -> bool:
        """Whether the adjoint of parameter ``name`` may start at 0.0: the parameter is
        a number (0-d) never assigned, with no accumulator, and read inside a loop."""
        if self.ranks.rank(ast.Name(id=name, ctx=ast.Load())) != 0 or \
                name in self.mutable_names or name in self.accumulator or \
                name in self.tree_names or name == self.core.result or \
                self.d(name) not in self.adjoint_name.values():
            return False
        body = self.core.body
        if any(isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
               for stmt in body for n in ast.walk(stmt)):
            return False
        return any(isinstance(n, ast.Name) and n.id == name
                   for stmt in walk_statements(body) if isinstance(stmt, (ast.For, ast.While))
                   for inner in stmt.body for n in ast.walk(inner))

    # ------------------------------------------------------------ assembly
    def build(self) -> Sweeps:
        mark_loop_context(self.core.body, False)
        forward, assigned = self.forward(self.core.body, False, set(self.core.params))
        forward = [assign(alias, load(name)) for name, alias in self.entry_value.items()
                   if alias != name] + forward
        assigned |= set(self.entry_value.values())
        state = {name: ABSENT for name in self.adjoint_name.values()}
        state.update({name: ABSENT for name in self.accumulator.values()})
        seed = self.d(self.core.result)
        state[seed] = PRESENT
        seeded: list[ast.stmt] = []
        if self.core.result in self.mutable_names:
            # A result changed in place keeps its adjoint in its accumulator: start it there.
            acc = self.accumulator[self.core.result]
            seeded = [assign(acc, call(self.runtime_mutation("acc_add"), ast.Constant(None),
                                       load(self.core.result), load(seed)))]
            state[acc] = PRESENT
            state[seed] = ABSENT
        # A number parameter read in a loop: its adjoint starts at 0.0, so the loop adds
        # with `+` rather than add(d_a, ...), which must test for None on every step.
        zeroed = [name for name in self.wrt if self.starts_at_zero(name)]
        for name in zeroed:
            state[self.d(name)] = PRESENT
        seeded += [assign(self.d(name), ast.Constant(0.0)) for name in zeroed]
        backward, state = self.backward(self.core.body, state)
        backward = seeded + backward
        gradients = []
        for name in self.wrt:
            backward += self.merge_accumulator(name, state)
            raw = load(self.d(name)) if state[self.d(name)] != ABSENT else ast.Constant(None)
            gradients.append(call(self.helper("as_gradient", runtime.as_gradient_strict
                                              if self.strict_dtypes else runtime.as_gradient),
                                  raw,
                                  load(self.entry_value[name])))
        starts = [assign(n, ast.Constant(None)) for n in sorted(state) if n != seed]
        read_by_gradients = {g.args[0].id for g in gradients if isinstance(g.args[0], ast.Name)}
        backward = eliminate_dead_resets(starts + backward, set(state), read_by_gradients)
        primal = (set(self.core.params) | self.local_names | set(self.bookkeeping.values())
                  | set(self.entry_value.values())
                  | set(self.saved.values()) | set(self.index_saved.values())
                  | {c.record for c in self.changes.values() if c.record}) - set(state)
        read_back = set()
        for stmt in backward:
            read_back |= names_read(stmt)
        for g in gradients:
            read_back |= names_read(g)
        saved_for_backward = sorted(read_back & primal)
        split_inits = [n for n in saved_for_backward if n not in assigned | set(self.inits)]
        # The backward sweep undoes in-place changes: a vjp's pullback, which may run again,
        # and the output handed out must not see that, so it works on copies.
        changed = {c.container for c in self.changes.values()}
        owned = [n for n in saved_for_backward if n in changed]
        own = self.runtime_mutation("own") if changed else None
        with_snapshot = self.runtime_mutation("with_snapshot") if changed else None
        restored = self.runtime_mutation("restored") if changed else None
        # Names codegen adds come first, so their helpers are in place below.
        check_scalar = self.runtime("check_scalar_output")
        check_cotangent = self.runtime("check_cotangent")
        list_name = self.namer.builtin("list")
        return Sweeps(
            params=list(self.core.params), wrt=list(self.wrt), result=self.core.result,
            seed=seed, forward=forward, backward=backward, gradients=gradients,
            uses_tape=self.uses_tape, tape=self.tape, push=self.push, pop=self.pop,
            value=self.value, inits=self.inits, split_inits=split_inits,
            saved_for_backward=saved_for_backward,
            helpers={**self.helpers, **self.namer.builtin_cells}, list_name=list_name,
            comments=self.comments, check_scalar=check_scalar,
            check_cotangent=check_cotangent, owned=owned, own=own,
            with_snapshot=with_snapshot, restored=restored,
            result_changed=self.core.result in changed)


def _identifier(name: str) -> str:
    """A name generated code can spell for a helper called ``name``: a rule registered as
    a lambda is named ``<lambda>``."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    base = re.sub(r"\W+", "_", name).strip("_")
    if not base or base[0].isdigit():
        base = f"rule_{base}" if base else "rule"
    return base if not keyword.iskeyword(base) else f"{base}_rule"


def build_sweeps(src: FunctionSource, core: CoreFunction, wrt: list[str],
                 namer: Namer, param_kinds: Env, strict_dtypes: bool = False,
                 param_ranks: dict[str, int | None] | None = None) -> Sweeps:
    """Reverse-mode sweeps of ``core`` with respect to the parameters ``wrt``."""
    builder = ReverseBuilder(src, core, wrt, namer, param_kinds, param_ranks)
    builder.strict_dtypes = strict_dtypes
    return builder.build()


__all__ = ["Sweeps", "build_sweeps"]
