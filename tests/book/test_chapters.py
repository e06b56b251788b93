"""The chapters: their helper code equals scratchnet's, and their form.

Where a chapter builds a piece by hand before importing it from
scratchnet, the page's version must equal the package's. The chapters
must also keep the shape the book promises: a setup cell first, code
lines of 79 columns or fewer (the PDF's width), labelled equations,
figures and 2-4 exercises with solutions.
"""

from __future__ import annotations

import ast
import re

import jupytext
import numpy as np
import pytest
import scratchnet
from conftest import ROOT, notebook_chapters
from scratchnet import data, functional, nn, twolayer

CHAPTERS = notebook_chapters()


def code_cells(chapter):
    nb = jupytext.read(ROOT / f"{chapter}.md")
    return [c.source for c in nb.cells if c.cell_type == "code"]


def load_helper(chapter, name, kind=ast.FunctionDef):
    """Exec the chapter's setup cell, then only the def (or, with
    ``kind=ast.ClassDef``, the class) of ``name``."""
    cells = code_cells(chapter)
    namespace: dict = {}
    exec(compile(cells[0], f"{chapter}:setup", "exec"), namespace)
    for source in cells[1:]:
        for node in ast.parse(source).body:
            if isinstance(node, kind) and node.name == name:
                segment = ast.get_source_segment(source, node)
                exec(compile(segment, f"{chapter}:{name}", "exec"),
                     namespace)
                return namespace[name]
    raise AssertionError(f"{chapter} defines no {kind.__name__} {name}")


def random_net(seed, m, d, h, n):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=(1, h)),
              "W2": rng.normal(size=(h, n)), "b2": rng.normal(size=(1, n))}
    X = rng.normal(size=(m, d))
    y = rng.integers(0, n, size=m)
    return params, X, y


SHAPES = [(1, 1, 1, 2), (5, 2, 4, 3), (300, 2, 4, 3), (17, 3, 9, 5)]


def test_forward_chapter_softmax_equals_package():
    softmax = load_helper("book/forward", "softmax")
    rng = np.random.default_rng(0)
    for shape in [(1, 2), (4, 3), (50, 10)]:
        for scale in (1.0, 30.0, 1e4):
            Z = scale * rng.normal(size=shape)
            np.testing.assert_allclose(softmax(Z), functional.softmax(Z),
                                       rtol=1e-12, atol=1e-300)


def test_output_chapter_backward_equals_package():
    helper = load_helper("book/backprop-output", "output_layer_backward")
    for i, shape in enumerate(SHAPES):
        params, X, y = random_net(i, *shape)
        P, cache = twolayer.forward(params, X)
        dZ2, dW2, db2 = helper(cache["A1"], P, y)
        grads = twolayer.backward(params, cache, y)
        np.testing.assert_allclose(dZ2, P - data.one_hot(y, shape[3]))
        np.testing.assert_allclose(dW2, grads["W2"], rtol=1e-12)
        np.testing.assert_allclose(db2, grads["b2"], rtol=1e-12,
                                   atol=1e-15)


def test_hidden_chapter_backward_equals_package():
    helper = load_helper("book/backprop-hidden", "backward")
    for i, shape in enumerate(SHAPES):
        params, X, y = random_net(10 + i, *shape)
        P, cache = twolayer.forward(params, X)
        mine = helper(params, cache, y)
        ref = twolayer.backward(params, cache, y)
        for k in ("W1", "b1", "W2", "b2"):
            np.testing.assert_allclose(mine[k], ref[k], rtol=1e-12,
                                       atol=1e-15, err_msg=k)


def test_training_chapter_update_equals_sgd_step():
    sgd_update = load_helper("book/training", "sgd_update")
    for i, shape in enumerate(SHAPES):
        params, X, y = random_net(20 + i, *shape)
        grads = twolayer.backward(params, twolayer.forward(params, X)[1], y)
        mine = {k: v.copy() for k, v in params.items()}
        sgd_update(mine, grads, lr=0.3)
        twolayer.sgd_step(params, grads, lr=0.3)
        for k in params:
            np.testing.assert_array_equal(mine[k], params[k])


REGISTERED = {("book/forward", "softmax"),
              ("book/training", "sgd_update"),
              ("book/backprop-output", "output_layer_backward"),
              ("book/backprop-hidden", "backward")}


def test_every_rebuilt_package_function_is_registered_here():
    public = set()
    for mod in (scratchnet.data, scratchnet.functional, scratchnet.twolayer,
                scratchnet.gradcheck, scratchnet.linear,
                scratchnet.plotting):
        public |= set(mod.__all__)
    public |= {"output_layer_backward", "sgd_update"}
    for chapter in CHAPTERS:
        for source in code_cells(chapter):
            for node in ast.parse(source).body:
                if (isinstance(node, ast.FunctionDef)
                        and node.name in public):
                    assert (chapter, node.name) in REGISTERED, (
                        f"{chapter} re-implements {node.name}: add a test "
                        f"that it equals scratchnet's")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_code_lines_fit_the_pdf(chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    in_code = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            in_code = line.startswith("```{code-cell}") or (
                line.strip() in {"```python", "```bash"})
            continue
        indented = line.startswith("    ") and not line.startswith("     *")
        if (in_code or indented) and len(line) > 79:
            pytest.fail(f"{chapter}.md:{number} has {len(line)} columns")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_form(chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    cells = code_cells(chapter)
    assert "import" in cells[0], "the first code cell is the setup cell"
    assert re.search(r"^\(ch-[\w-]+\)=$", text, re.M), "chapter label"
    exercises = len(re.findall(r"^```\{exercise\}", text, re.M))
    solutions = len(re.findall(r"^```\{solution\}", text, re.M))
    assert 2 <= exercises <= 4 and solutions == exercises
    assert text.count(":class: dropdown") >= solutions
    if chapter != "book/shapes":
        assert "figure:" in text or "{glue:figure}" in text
    assert "glue(" in "\n".join(cells), "numbers are glued"
    nb = jupytext.read(ROOT / f"{chapter}.md")
    for cell in nb.cells:                # ... in cells the reader never sees
        if cell.cell_type == "code" and "glue" in cell.source:
            assert "remove-cell" in cell.metadata.get("tags", []), (
                f"{chapter}: a visible cell glues: {cell.source[:60]!r}")
    assert "assert" in "\n".join(cells), "identities are checked"
    name = chapter.split("/")[-1]
    assert f"{{nb-download}}`{name}.ipynb`" in text, "download link"


BACKPROP = ["book/backprop-output", "book/backprop-hidden",
            "book/gradient-checking"]


@pytest.mark.parametrize("chapter", BACKPROP)
def test_backprop_chapters_have_labelled_equations_and_coding_exercises(
        chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    assert len(re.findall(r"^\$\$ \(eq-[\w-]+\)$", text, re.M)) >= 2
    assert "(Coding.)" in text


SMALL_FONT = re.compile(
    r"\b(?:fontsize|labelsize|title_fontsize)\s*=\s*(?:([0-9.]+)|[\"']"
    r"(xx-small|x-small|small|smaller)[\"'])")


@pytest.mark.parametrize("source", [*(f"{c}.md" for c in CHAPTERS),
                                    "code/scratchnet/plotting.py"])
def test_figure_text_is_10_pt_or_more(source):
    """Figure text stays at matplotlib's 10 pt or more, so that the
    browser test's bound (9 pt as shown) holds for every figure."""
    lines = (ROOT / source).read_text().splitlines()
    for number, line in enumerate(lines, start=1):
        for points, name in SMALL_FONT.findall(line):
            assert not name and float(points) >= 10, (
                f"{source}:{number} sets a font below 10 pt: {line.strip()}")


def test_layers_chapter_dense_equals_package():
    """The chapter's hand-built dense layer is nn.Dense (bug: a chapter
    that teaches dW = dZ^T x, or a package that sums db over axis 1)."""
    MyDense = load_helper("book/layers", "MyDense", ast.ClassDef)
    rng = np.random.default_rng(0)
    for m, d, n in [(1, 1, 1), (5, 2, 3), (300, 100, 3), (7, 4, 9)]:
        x, dZ = rng.normal(size=(m, d)), rng.normal(size=(m, n))
        W, b = rng.normal(size=(d, n)), rng.normal(size=(1, n))
        mine, dense = MyDense(W, b), nn.Dense(d, n)
        dense.params["W"][...], dense.params["b"][...] = W, b
        np.testing.assert_allclose(mine.forward(x), dense.forward(x),
                                   rtol=1e-12)
        np.testing.assert_allclose(mine.backward(dZ), dense.backward(dZ),
                                   rtol=1e-12)
        np.testing.assert_allclose(mine.dW, dense.grads["W"], rtol=1e-12)
        np.testing.assert_allclose(mine.db, dense.grads["b"], rtol=1e-12)
