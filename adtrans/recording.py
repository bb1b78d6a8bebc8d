"""To-be-recorded analysis: which overwritten values the backward sweep needs.

A forward dataflow over the structured core form (fixpoint at loops) of
"values some adjoint will read": overwriting one of them requires saving it
first, in a local when the statement runs once, on the tape inside a loop.
The same dataflow tells, at each in-place change, what the backward sweep
still needs, which refusals.py checks.
"""

from __future__ import annotations

import ast

from .aliasing import derived_from, relations
from .analysis import target_name, walk_assignments
from .astutil import enclosing_loops, names_read, walk_statements
from .fresh_objects import fresh_objects
from .refusals import check_mutation
from .surgery import block_reads

# A name with this suffix in the to-be-recorded set: the backward sweep reads the shape of
# that variable's value only (unbroadcast, add_at); an index write, which keeps shapes,
# need not be undone for it, but a new value (of maybe another shape) is still saved.
SHAPE = "#shape"


def shape_of(name: str) -> str:
    return name + SHAPE


def _value_and_shape_reads(adjoint) -> set[str]:
    return (adjoint.reads_args - adjoint.shape_reads) | {
        shape_of(n) for n in adjoint.shape_reads}


class Recording:
    """Mixin of ReverseBuilder: fills ``self.saved``, ``self.index_saved``, ``uses_tape``."""

    # ------------------------------------------------------------ to-be-recorded
    def to_be_recorded(self, stmts: list[ast.stmt], needed: set[str],
                       in_loop: bool = False) -> set[str]:
        """Forward dataflow of 'values an adjoint will read'; marks assignments to save.

        ``needed`` holds the variables whose current value some adjoint reads
        (or will read); overwriting one of them requires saving it first.
        """
        for stmt in stmts:
            self.note_mutations(stmt, needed)
            change = self.changes.get(id(stmt))
            if change is not None:
                if change.kind == "array.setitem":
                    self.record_array_write(change, needed, in_loop)
                elif change.record is not None and in_loop:
                    self.uses_tape = True
                    stmt._adtrans_on_tape = True  # type: ignore[attr-defined]
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                target = target_name(stmt)
                adjoint = self.adjoints.get(id(stmt))
                reads = (_value_and_shape_reads(adjoint) if adjoint else set()) | (
                    change.reads - {target} if change else set())
                before = needed | reads
                if target in before or shape_of(target) in before:
                    self.mark_saved(stmt, target, in_loop, self.saved)
                    if target in before:
                        self.value_saved.add(id(stmt))
                needed = before - {target, shape_of(target)}
                if adjoint and adjoint.reads_ans or change and target in change.reads:
                    needed = needed | {target}
            elif change is not None:
                needed = needed | change.reads
            elif isinstance(stmt, ast.With) and self.surgery_active(stmt):
                needed = needed | (block_reads(stmt) & self.local_names)
            elif isinstance(stmt, ast.If):
                needed = (self.to_be_recorded(stmt.body, needed, in_loop)
                          | self.to_be_recorded(stmt.orelse, needed, in_loop))
            elif isinstance(stmt, ast.While):
                entry = needed
                while True:
                    out = self.to_be_recorded(stmt.body, entry, True)
                    if out <= entry:
                        break
                    entry = entry | out
                self.note_mutations(stmt, entry)      # the test runs at every iteration
                needed = entry
            elif isinstance(stmt, ast.For):
                index = stmt.target.id
                if index in needed:
                    self.mark_saved(stmt, index, in_loop, self.index_saved)
                entry = needed - {index}
                while True:
                    out = self.to_be_recorded(stmt.body, entry, True) - {index}
                    if out <= entry:
                        break
                    entry = entry | out
                needed = entry | (names_read(stmt.iter) & self.local_names)
        return needed

    def note_mutations(self, stmt: ast.stmt, needed: set[str]) -> None:
        """Remember what the backward sweep needs where ``stmt`` changes values in place."""
        for operation in self.all_operations.get(id(stmt), []):
            if operation.mutates:
                self.mutation_points.append((stmt, operation, frozenset(needed)))

    def check_mutations(self) -> None:
        """Refuse in-place changes of the caller's data or of values still needed (changes
        mutations.py undoes are exempt from the second)."""
        if not self.mutation_points:
            return
        related = relations(self.src, self.core, self.all_operations)
        derived = derived_from(self.src, self.core, self.all_operations)
        saved = {target_name(s) for s in walk_assignments(self.core.body)
                 if id(s) in self.saved}
        saved |= {s.target.id for s in walk_statements(self.core.body) if id(s) in self.index_saved}
        # Numbers and strings cannot change in place, whatever shares their name's class.
        immutable = self.immutable
        loops = enclosing_loops(self.core.body)
        fresh = fresh_objects(self.src, self.core.body, self.kinds, self.local_names,
                              self.known)
        for stmt, operation, needed in self.mutation_points:
            walked = {name for loop in loops.get(id(stmt), [])
                      for name in getattr(loop, "_adtrans_iterated", [])}
            protected = set() if id(stmt) in self.changes else (
                {name.removesuffix(SHAPE) for name in needed} | saved
                | self.global_reads) - immutable
            check_mutation(self.src, stmt, operation, related, protected,
                           set(self.core.params), walked, derived,
                           fresh.at.get(id(stmt), frozenset()))

    def mark_saved(self, stmt: ast.stmt, name: str, in_loop: bool, into: dict[int, str]) -> None:
        if id(stmt) not in into:
            into[id(stmt)] = self.namer.fresh(f"{name}_prev")
        if in_loop:
            self.uses_tape = True
            stmt._adtrans_on_tape = True  # type: ignore[attr-defined]

    def shape_only(self, stmt: ast.stmt) -> bool:
        """Whether the backward sweep reads only the shape of the value ``stmt`` overwrites."""
        return id(stmt) in self.saved and id(stmt) not in self.value_saved

    def on_tape(self, stmt: ast.stmt) -> bool:
        return getattr(stmt, "_adtrans_on_tape", False)

    def has_backward(self, stmts: list[ast.stmt]) -> bool:
        """Whether the backward sweep has anything to do for these statements."""
        for stmt in walk_statements(stmts):
            if id(stmt) in self.changes or self.surgery_active(stmt):
                return True
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and (
                    id(stmt) in self.adjoints or id(stmt) in self.saved
                    or target_name(stmt) in self.adjoint_name
                    or target_name(stmt) in self.accumulator):
                return True
            if isinstance(stmt, ast.For) and id(stmt) in self.index_saved:
                return True
        return False
