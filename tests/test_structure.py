"""The package's shape: its modules import each other without a cycle,
and the layers that the book prints stay short.

A cycle (a module importing one that imports it back, perhaps through
others or inside a function) would make the package's floors meaningless:
each module should stand on the ones below it. The bug this catches: an
``from .training import ...`` added to nn or fast.
"""

from __future__ import annotations

import ast
from pathlib import Path

import scratchnet

PACKAGE = Path(scratchnet.__file__).parent


def imports(path: Path) -> set[str]:
    """The package modules that ``path`` imports, anywhere in its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("scratchnet."):
            found.add(node.module.split(".")[1])
    return found - {"__init__"}


def graph() -> dict[str, set[str]]:
    return {path.stem: imports(path) for path in PACKAGE.glob("*.py")
            if path.stem != "__init__"}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_package_imports_have_no_cycle():
    edges = graph()
    assert {"nn", "fast", "training", "optim"} <= set(edges)
    assert "nn" in edges["fast"] and "fast" in edges["training"]
    assert cycle(edges) is None, " -> ".join(cycle(edges))


def test_the_cycle_finder_finds_a_cycle():
    edges = graph()
    edges["nn"] = edges["nn"] | {"training"}     # training -> nn -> ...
    found = cycle(edges)
    assert found and found[0] == found[-1] and "nn" in found


def test_no_class_of_nn_is_over_100_lines():
    tree = ast.parse((PACKAGE / "nn.py").read_text())
    sizes = {node.name: node.end_lineno - node.lineno + 1
             for node in tree.body if isinstance(node, ast.ClassDef)}
    assert {"Dense", "Sequential", "SoftmaxCrossEntropy"} <= set(sizes)
    assert max(sizes.values()) <= 100, sizes


def test_importing_the_package_leaves_matplotlib_alone():
    import subprocess
    import sys
    code = ("import sys, scratchnet; scratchnet.nn; scratchnet.training; "
            "assert 'matplotlib' not in sys.modules, 'imported'; "
            "scratchnet.plotting; assert 'matplotlib' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
