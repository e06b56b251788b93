"""Every check cell of the chapters can fail.

Each chapter runs top to bottom in one kernel, as a student runs it. At
each check cell, the solution cell above it is first run with a wrong
answer (a bug a student would plausibly write, from the table below), and
the check cell must print a failing verdict; then the right answer is run
again and the check cell must print "passed". No book build is needed.
"""

from __future__ import annotations

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient
from scratchnet import assign

pytestmark = pytest.mark.slow

#: For each chapter, one wrong answer per check cell, in order: a
#: replacement (old, new) in the solution cell just above the check.
WRONG = {
    "forward": [
        ("np.sum(Z2_exp, axis=1, keepdims=True)", "np.sum(Z2_exp)"),
        ("Z - np.max(Z, axis=1, keepdims=True)", "Z - np.max(Z)"),
    ],
    "loss": [
        ("-np.log(P[range(m), y])", "-np.log(P[:, y])"),
    ],
    "backprop-output": [
        ("dZ2[range(m), y] -= 1", "dZ2[range(m), y] = 1"),
        ("np.dot(A1.T, dZ2) / m", "np.dot(A1.T, dZ2)"),
        ("np.sum(dZ2, axis=0, keepdims=True) / m",
         "np.sum(dZ2, axis=1, keepdims=True).T[:, :3] / m"),
        ("dW2 = A1.T @ dZ2 / m", "dW2 = dZ2.T @ A1 / m"),
    ],
    "backprop-hidden": [
        ("dA1 = dZ2 @ W2.T ", "dA1 = dZ2 @ W2.T / m "),
        ("dZ1[Z1 <= 0] = 0                  # the ReLU mask",
         "pass                              # no mask"),
        ("np.dot(X.T, dZ1) / m", "np.dot(X.T, dZ1)"),
        ("dZ2 = P.copy()", "dZ2 = P"),
    ],
    "training": [
        ("params[key] -= lr * grads[key]", "params[key] += lr * grads[key]"),
    ],
    "autograd": [
        ("return ((1 - t ** 2) * G,)", "return ((1 - t) * G,)"),
        ("return (s * (1 - s) * G,)", "return (s * G,)"),
    ],
}


def check_cells_with_solutions(chapter):
    """(solution cell, check cell) index pairs, in order."""
    solutions = chapter.solution_cells()
    pairs = []
    for c in chapter.check_cells():
        above = [i for i in solutions if i < c]
        assert above, f"check cell {c} has no solution cell above it"
        pairs.append((max(above), c))
    return pairs


def test_the_table_covers_every_chapter_with_checks():
    with_checks = {p.stem for p in (ROOT / "book").glob("*.md")
                   if assign.load(p).check_cells()}
    assert with_checks == set(WRONG)


def fresh(source):
    """A new code cell (copy.deepcopy of a cell shares its source)."""
    return nbformat.v4.new_code_cell(source)


def text_of(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        elif "text/plain" in out.get("data", {}):
            parts.append(out.data["text/plain"])
    return "".join(parts)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_every_check_cell_fails_on_a_wrong_answer(name, tmp_path):
    chapter = assign.load(ROOT / "book" / f"{name}.md")
    nb = assign.key_notebook(chapter)
    pairs = check_cells_with_solutions(chapter)
    assert len(pairs) == len(WRONG[name]), (
        f"{name}: {len(pairs)} check cells, {len(WRONG[name])} wrong "
        "answers in the table")
    wrong_for = dict(zip((s for s, _ in pairs), WRONG[name], strict=True))
    check_of = {s: c for s, c in pairs}
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True,
                            timeout=600, resources={
                                "metadata": {"path": str(tmp_path)}})
    # execute_cell(cell, i) writes the cell into nb.cells[i]: keep the
    # chapter's own sources apart, and run fresh cells made from them.
    sources = [c.source if c.cell_type == "code" else None
               for c in nb.cells]
    verdicts = []
    with client.setup_kernel():
        i = 0
        while i < len(nb.cells):
            if i in wrong_for:
                old, new = wrong_for[i]
                c = check_of[i]
                assert old in sources[i], (name, i, old)
                wrong = fresh(sources[i].replace(old, new))
                client.execute_cell(wrong, i)
                for j in range(i + 1, c + 1):
                    if sources[j] is not None:
                        cell = fresh(sources[j])
                        client.execute_cell(cell, j)
                out = text_of(cell)
                verdicts.append((c, new, out))
                assert out.strip(), (name, c, "the check printed nothing")
                assert not any(o.output_type == "error"
                               for o in cell.outputs), (name, c, out)
                assert "FAILED" in out, (name, c, new, out)
            if sources[i] is not None:
                cell = fresh(sources[i])
                client.execute_cell(cell, i)
                if i in check_of.values():
                    out = text_of(cell)
                    assert "passed" in out and "FAILED" not in out, (
                        name, i, "the right answer fails", out)
                    assert not any(o.output_type == "execute_result"
                                   for o in cell.outputs), (
                        name, i, "a check cell shows a stray value")
            i += 1
    assert len(verdicts) == len(pairs)
    nbformat.validate(nb)
    print("\n".join(f"{name} cell {c}: {out.strip()}"
                    for c, _, out in verdicts))

