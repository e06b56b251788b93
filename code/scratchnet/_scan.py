"""Read a student's code for the two shortcuts a grade must not reward.

* **A change to a library**: an assignment to (or deletion of) an
  attribute of a module, or of a function or class that a module
  defines, ``sys.modules[...] = ...`` and ``setattr(module, ...)``. One
  such line, ``checks.raise_on_failure = lambda *a, **k: None``, once
  turned every failing check into a pass.
* **The package's own answer**: a use of the function that the task asks
  the student to write, such as ``twolayer.backward`` in the task that
  asks for ``backward``.

Two readers share the rules: :func:`runtime_findings`, which a graded
check cell runs in the kernel on the cells executed before it (names are
resolved in the kernel's namespace, so ``f = twolayer.backward`` and
``from scratchnet.twolayer import backward`` are both caught), and
:func:`static_findings`, which the tamper report runs on a submitted
notebook's cells (names are resolved by following the cells' imports and
plain assignments). Neither can follow a name that is built at run time
(``getattr(m, "back" + "ward")``, ``exec``); the static reader reports
such dynamic code so that a person reads it.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import sys
import types

#: Calls whose presence in a student's cell a person should read.
DYNAMIC = ("exec", "eval", "compile", "__import__", "getattr", "setattr",
           "delattr", "globals", "vars")


def fingerprint(source: str) -> str:
    """A short hash of a cell's source, as the kernel's history holds
    it (surrounding blank space aside)."""
    return hashlib.sha256(source.strip().encode()).hexdigest()[:12]


def resolve_forbidden(names) -> dict[int, str]:
    """``{id(object): "scratchnet.twolayer.backward"}`` for each dotted
    name relative to ``scratchnet`` (``"twolayer.backward"``)."""
    found = {}
    for name in names:
        module, _, attr = f"scratchnet.{name}".rpartition(".")
        obj = getattr(importlib.import_module(module), attr)
        found[id(obj)] = f"{module}.{attr}"
    return found


def _dotted(node) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``, or None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _lookup(parts, namespace):
    obj = namespace[parts[0]] if parts[0] in namespace else None
    if obj is None:
        return None
    for part in parts[1:]:
        try:
            obj = getattr(obj, part)
        except Exception:  # noqa: BLE001 (any attribute lookup)
            return None
    return obj


def _is_library_object(obj) -> bool:
    """A module, or a function or class that a module (not the
    notebook) defines."""
    if isinstance(obj, types.ModuleType):
        return True
    if obj is sys.modules:
        return True
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType,
                        type)):
        return getattr(obj, "__module__", "__main__") not in (
            "__main__", None)
    return False


def _targets(tree):
    """Each expression that a statement assigns to or deletes, and the
    first argument of ``setattr``/``delattr`` calls."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            yield from node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            yield node.target
        elif isinstance(node, ast.Delete):
            yield from node.targets
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("setattr", "delattr") and node.args):
            yield ast.Attribute(value=node.args[0], attr="?",
                                ctx=ast.Store())


def _changed_objects(tree):
    """(the dotted base, the line as text) of every attribute or item
    assignment; tuples of targets are unpacked."""
    for target in _targets(tree):
        stack = [target]
        while stack:
            t = stack.pop()
            if isinstance(t, (ast.Tuple, ast.List)):
                stack.extend(t.elts)
            elif isinstance(t, ast.Starred):
                stack.append(t.value)
            elif isinstance(t, (ast.Attribute, ast.Subscript)):
                base = _dotted(t.value)
                if base is not None:
                    yield base, ast.unparse(t)


def _parse(source: str):
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


# --- in the kernel ---------------------------------------------------------


def _uses(tree, namespace, forbidden, seen, depth=0):
    """The forbidden objects that ``tree`` names, following the notebook's
    own functions that it names (their source, from IPython's cache)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        parts = _dotted(node)
        if parts is None:
            continue
        obj = _lookup(parts, namespace)
        if obj is None:
            continue
        if id(obj) in forbidden:
            found.append((".".join(parts), forbidden[id(obj)]))
        elif (isinstance(obj, types.FunctionType) and depth < 3
              and obj.__module__ == "__main__" and id(obj) not in seen):
            seen.add(id(obj))
            try:
                inner = _parse(inspect.getsource(obj))
            except (OSError, TypeError):
                inner = None
            if inner is not None:
                found += _uses(inner, obj.__globals__, forbidden, seen,
                               depth + 1)
    return found


def runtime_findings(inputs: list[str], namespace: dict, window: int,
                     forbid) -> list[str]:
    """What graded check cells refuse, in the kernel.

    inputs : the sources executed so far, the current cell last
    window : the index in ``inputs`` where this task's cells start
    forbid : dotted names (relative to ``scratchnet``) of the package's
        own implementations of this task
    """
    findings = []
    forbidden = resolve_forbidden(forbid)
    for k, source in enumerate(inputs[:-1]):
        tree = _parse(source)
        if tree is None:
            continue
        for base, text in _changed_objects(tree):
            if _is_library_object(_lookup(base, namespace)):
                findings.append(
                    f"a cell changes a library: `{text} = ...`; graded "
                    "checks give no points while a cell assigns to an "
                    "attribute of a module (delete that line)")
        if k >= window:
            for name, target in _uses(tree, namespace, forbidden, set()):
                findings.append(
                    f"your code uses `{name}` ({target}), the package's "
                    "own implementation of what this task asks you to "
                    "write: write it yourself")
    return list(dict.fromkeys(findings))


# --- in a submitted notebook ------------------------------------------------


def _is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError, AttributeError):
        return False


class Bindings:
    """What the names of a notebook stand for, from its imports and its
    plain assignments of dotted names (``f = twolayer.backward``)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def learn(self, tree) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module \
                    and not node.level:
                for alias in node.names:
                    self.names[alias.asname or alias.name] = \
                        f"{node.module}.{alias.name}"
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name)):
                value = self.resolve(node.value)
                if value is not None:
                    self.names[node.targets[0].id] = value

    def resolve(self, node) -> str | None:
        parts = _dotted(node)
        if parts is None or parts[0] not in self.names:
            return None
        return ".".join([self.names[parts[0]], *parts[1:]])

    def is_library(self, dotted: str) -> bool:
        module = dotted
        while module:
            if _is_module(module):
                return True
            module = module.rpartition(".")[0]
        return False


def static_findings(tree, bindings: Bindings, forbidden,
                    dynamic: bool = True) -> list[str]:
    """What the tamper report flags in one student cell.

    forbidden : full dotted names (``scratchnet.twolayer.backward``)
    dynamic : also report calls such as ``getattr`` and ``exec``
    """
    findings = []
    for base, text in _changed_objects(tree):
        dotted = bindings.resolve(ast.parse(".".join(base)).body[0].value)
        if base == ["sys", "modules"] or (dotted is not None
                                          and bindings.is_library(dotted)):
            findings.append(f"changes a library: `{text}` ({dotted})")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(
                node.ctx, ast.Load):
            dotted = bindings.resolve(node)
            if dotted in forbidden:
                findings.append(
                    f"uses `{ast.unparse(node)}` ({dotted}), the package's "
                    "own implementation of a task")
        if (dynamic and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in DYNAMIC):
            findings.append(f"dynamic code, read it: `{ast.unparse(node)}`")
    return list(dict.fromkeys(findings))
