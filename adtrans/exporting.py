"""Write a gradient function's generated code out as a Python module of its own.

The module holds the generated function as ``adtrans.source`` prints it, and a
binding for every name it reads that is not its own (bundling.py): the user's
modules (``import numpy as np``) and importable functions, constants written as
literals with the values they have when exporting, and copies of the run-time
helpers of adtrans the code calls, with what those read.  It needs NumPy (and
whatever the user's own code imports), not adtrans.  Anything that cannot be
written out so is refused with ``AdtransError``: an exported module that bound
a name to something else would compute a different gradient.

The code is the specialisation that was exported (it may assume a number where
a number came, and drop the summing an array would need), so the module's entry
function checks each call's arguments against the ones exported with.
"""

from __future__ import annotations

import ast
import builtins
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

from .bundling import Bundle, literal_of
from .errors import AdtransError
from .runtime import owned

# Containers with more items than this are described by the set of their items' forms.
_LISTED_ITEMS = 64


def export_module(text: str, generated_name: str, environment: dict[str, Any], title: str,
                  entry: Entry) -> str:
    """Module source for the generated ``text``, which defines ``generated_name``.

    ``environment``: what each name the generated code may read refers to (helpers,
    the user's closure variables and globals); ``title``: the first line of the module's
    docstring; ``entry``: the function the module offers its users.
    """
    tree = ast.parse(text)
    needed = sorted(_free_names(tree) - {generated_name})
    changed = _changed_names(tree)
    bundle = Bundle()
    for name in needed:
        if name in environment:
            value = environment[name]
            if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "adtrans":
                bundle.bind_namespace(name, value, _attributes_read(tree, name))
            elif isinstance(value, (list, dict)) and name in changed:
                raise AdtransError(f"cannot export: the code changes the {type(value).__name__}"
                                   f" {name!r} of its module in place; the exported module "
                                   "would change a copy of its own. Pass it as an argument")
            elif isinstance(value, (list, dict)) and \
                    literal_of(value, containers=True) is not None:
                # Read, never changed: its value now, as for a number or an array.
                bundle.bind_literal(name, literal_of(value, containers=True))
            else:
                bundle.bind(name, value)
        elif not hasattr(builtins, name):
            raise AdtransError(f"cannot export: the generated code reads {name!r}, which is "
                               "not defined where the function was defined")
    reserved = {entry.public, generated_name, "_SIGNATURE"}
    clash = reserved & set(bundle.bound)
    if clash:
        raise AdtransError(f"cannot export: the generated code reads {sorted(clash)[0]!r}, a "
                           "name the exported module needs for itself; rename it")
    bundle.bind("check_arguments", check_arguments)
    bundle.bind("owned", owned)
    bundle.check()
    signature = literal_of(entry.forms)
    if signature is None:
        raise AdtransError("cannot export: the arguments include objects of the user's "
                           "classes; export a function of numbers, arrays, strings, and "
                           "lists, tuples and dicts of them")
    lines = [f'"""{title}', "", "Written by adtrans.export; regenerate it rather than edit it.",
             "It does not need adtrans: the helpers the code calls are copied below.",
             '"""', "", "from __future__ import annotations", ""]
    lines += bundle.header()
    lines += ["", "# The forms of the arguments this code was generated for.",
              f"_SIGNATURE = {signature}"]
    helpers = "\n\n\n".join(bundle.statements)
    return ("\n".join(lines) + "\n\n\n" + helpers + "\n\n\n" + text.rstrip() + "\n\n\n"
            + entry.source(generated_name) + "\n")


def _free_names(tree: ast.Module) -> set[str]:
    """Names the module's functions read without binding them (globals and builtins)."""
    free: set[str] = set()
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        bound = {a.arg for a in function.args.args + function.args.kwonlyargs
                 + function.args.posonlyargs}
        for node in ast.walk(function):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
        free |= {node.id for node in ast.walk(function)
                 if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                 and node.id not in bound}
    return free


def _changed_names(tree: ast.Module) -> set[str]:
    """Names whose object the code may change in place: a method called on it, an item or
    attribute assigned or deleted, an augmented assignment."""
    changed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name):
            changed.add(node.func.value.id)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and \
                not isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name):
            changed.add(node.value.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            changed.add(node.target.id)
    return changed


def _attributes_read(tree: ast.Module, name: str) -> set[str] | None:
    """The attributes the code reads of ``name`` (``adtrans.stop_gradient``), or None where
    it uses ``name`` otherwise."""
    attributes: set[str] = set()
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name:
            parent = parents.get(id(node))
            if not (isinstance(parent, ast.Attribute) and parent.value is node):
                return None
            attributes.add(parent.attr)
    return attributes


@dataclass
class Entry:
    """The exported module's public function: what ``adtrans.grad(f)`` does around the
    generated code, for arguments of the forms it was exported with."""

    name: str                            # of the user's function
    params: list[str]
    defaults: dict[str, Any]
    forms: Any                           # argument_forms of the arguments exported with
    with_value: bool                     # value_and_grad rather than grad

    @property
    def public(self) -> str:
        return "value_and_gradient" if self.with_value else "gradient"

    def source(self, generated: str) -> str:
        params = []
        for name in self.params:
            if name in self.defaults:
                literal = literal_of(self.defaults[name])
                if literal is None:
                    raise AdtransError(f"cannot export: the default value of {name!r} has no "
                                       "literal form")
                params.append(f"{name}={literal}")
            else:
                params.append(name)
        arguments = ", ".join(self.params) + ("," if len(self.params) == 1 else "")
        result = "result[0], owned(result[1], arguments)" if self.with_value \
            else "owned(result, arguments)"
        what = "(value, gradient)" if self.with_value else "The gradient"
        return (f"def {self.public}({', '.join(params)}):\n"
                f'    """{what} of `{self.name}`, as the function adtrans made returns it:\n'
                f"    for arguments of the forms in _SIGNATURE (others raise TypeError),\n"
                f'    each gradient an array of its own."""\n'
                f"    arguments = [{arguments}]\n"
                f"    check_arguments(arguments, _SIGNATURE, {self.name!r})\n"
                f"    result = {generated}(*arguments)\n"
                f"    return {result}\n")


def argument_forms(values):
    """What the code generated for ``values`` assumes of them: for each, its type, and for
    an array its ndim and whether it is complex; for a list, tuple or dict, the forms of
    its items (of up to 64; of more, the set of their forms).  Arguments of the same
    forms have the same kinds and ranks (api.signature_of), so the same code serves."""
    return tuple(_form(value) for value in values)


def _form(value):
    if isinstance(value, np.ndarray):
        return ("ndarray", value.ndim, value.dtype.kind == "c")
    if isinstance(value, np.generic):
        return ("scalar", value.dtype.kind)
    if isinstance(value, (list, tuple)):
        items = [_form(item) for item in value]
        if len(items) > _LISTED_ITEMS:
            return (type(value).__name__, frozenset(items))
        return (type(value).__name__, tuple(items))
    if isinstance(value, dict):
        if len(value) > _LISTED_ITEMS or not all(isinstance(k, str) for k in value):
            return ("dict", frozenset(_form(v) for v in value.values()))
        return ("dict", tuple((key, _form(item)) for key, item in value.items()))
    return (type(value).__name__,)


def refuse_objects(values: list[Any]) -> None:
    """Export only for arguments whose forms say all the code assumes: numbers, arrays,
    strings, None, and lists, tuples and dicts of them (code specialised on an object's
    class inlines its methods, and a class name does not say which class)."""
    for value in values:
        if isinstance(value, dict):
            refuse_objects(list(value.values()))
        elif isinstance(value, (list, tuple)):
            refuse_objects(list(value))
        elif not isinstance(value, (np.ndarray, np.generic, bool, int, float, complex, str,
                                    type(None))):
            raise AdtransError(f"cannot export for an argument of type {type(value).__name__}: "
                               "export a function of numbers, arrays, strings, and lists, "
                               "tuples and dicts of them")


def check_arguments(values, expected, name):
    """Stop where an exported gradient is called with arguments of other forms than the
    ones its code was generated for (it may assume a number where an array came)."""
    got = argument_forms(values)
    if got != expected:
        raise TypeError(f"the exported gradient of {name!r} was generated for arguments of "
                        f"the forms {expected!r}, and is called with {got!r}: export it "
                        "again with arguments like these")
