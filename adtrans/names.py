"""Fresh-name allocation that never collides with a name of the user's function."""

from __future__ import annotations

import ast
import builtins


def names_in(tree: ast.AST) -> set[str]:
    """Every identifier that appears in ``tree``: variables, parameters, attributes aside."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
    return found


class Namer:
    """Hands out names that are unused so far; remembers every name it gave."""

    def __init__(self, taken: set[str], shadowed: set[str] = frozenset()) -> None:
        self.taken = set(taken)
        self._temp_count = 0
        self.shadowed = set(shadowed)          # builtins the user's code rebinds
        self.builtin_names: dict[str, str] = {}
        self.builtin_cells: dict[str, object] = {}

    def builtin(self, name: str) -> str:
        """The name generated code uses for builtin ``name`` (renamed where the user's
        function binds that name to something else, e.g. a variable called ``len``)."""
        if name not in self.builtin_names:
            if name in self.shadowed:
                emitted = self.fresh(name)
                self.builtin_cells[emitted] = getattr(builtins, name)
            else:
                emitted = name
            self.builtin_names[name] = emitted
        return self.builtin_names[name]

    def bind_object(self, base: str, obj: object) -> str:
        """A fresh name that generated code binds to ``obj`` (a callee's global, a default
        value): it reaches the code as a closure cell, like a renamed builtin."""
        for name, bound in self.builtin_cells.items():
            if bound is obj and name.startswith(base):
                return name
        name = self.fresh(base)
        self.builtin_cells[name] = obj
        return name

    def fresh(self, base: str) -> str:
        name = base
        suffix = 1
        while name in self.taken:
            name = f"{base}_{suffix}"
            suffix += 1
        self.taken.add(name)
        return name

    def temp(self) -> str:
        while True:
            self._temp_count += 1
            name = f"t{self._temp_count}"
            if name not in self.taken:
                self.taken.add(name)
                return name
