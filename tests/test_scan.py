"""The readers behind graded checks and the tamper report (scratchnet._scan).

Each shortcut a student might take is read in the kernel (names resolved
in a namespace, as a graded check cell does) and in a notebook's text (as
the tamper report does); the chapter's own code is not held against the
student.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest
from scratchnet import _scan, checks, functional, twolayer

SETUP = ("import numpy as np\n"
         "from scratchnet import checks, functional, twolayer")
FORBID = ("twolayer.backward", "twolayer._backward")


def namespace(**extra):
    ns = {"np": np, "checks": checks, "functional": functional,
          "twolayer": twolayer}
    ns.update(extra)
    return ns


def findings(*student, ns=None, forbid=FORBID, window=1):
    inputs = [SETUP, *student, "checks.grading(1)"]
    return _scan.runtime_findings(inputs, ns or namespace(), window, forbid)


@pytest.mark.parametrize("line", [
    "checks.raise_on_failure = lambda *a, **k: None",
    "np.allclose = lambda *a, **k: True",
    "twolayer.backward.__defaults__ = (1.0,)",
    "import sys; sys.modules['scratchnet.checks'] = None",
    "setattr(checks, 'gradient', print)",
    "del functional.softmax",
    "checks.run, x = print, 1",
])
def test_a_change_to_a_library_is_found_in_any_earlier_cell(line):
    import sys
    ns = namespace(sys=sys)
    # In the setup window (before the task's window) too.
    found = _scan.runtime_findings([SETUP, line, "x = 1", "grading"], ns,
                                   2, FORBID)
    assert len(found) == 1 and "changes a library" in found[0], found


@pytest.mark.parametrize("line", [
    "params['W1'] = np.zeros((2, 4))",
    "cache = dict(cache, P=1)",
    "import matplotlib; matplotlib.rcParams['font.size'] = 10",
    "def f():\n    pass\nf.note = 'mine'",
])
def test_changes_to_ones_own_objects_are_fine(line):
    import matplotlib
    ns = namespace(params={}, cache={}, matplotlib=matplotlib)
    exec(compile("def f():\n    pass", "<cell>", "exec"), ns)
    assert findings(line, ns=ns) == []


def test_the_package_answer_is_found_however_it_is_named():
    def wrapper(*args):                      # defined in an earlier cell
        return twolayer.backward(*args)
    wrapper.__module__ = "__main__"
    for code, ns in [
        ("grads = twolayer.backward(params, cache, y)", namespace()),
        ("from scratchnet.twolayer import backward as b\ng = b(p, c, y)",
         namespace(b=twolayer.backward)),
        ("g = f(p, c, y)", namespace(f=twolayer.backward)),
        ("g = tl._backward(p, c, y, 0.0)", namespace(tl=twolayer)),
    ]:
        found = findings(code, ns=ns)
        assert found and "own implementation" in found[0], code


def test_a_wrapper_defined_outside_the_task_is_followed(tmp_path):
    # inspect.getsource needs a file, as IPython's cell cache gives it.
    source = ("from scratchnet import twolayer\n\n"
              "def helper(*args):\n    return twolayer.backward(*args)\n")
    path = tmp_path / "cell.py"
    path.write_text(source)
    ns = {"__name__": "__main__"}
    exec(compile(source, str(path), "exec"), ns)
    found = findings("g = helper(p, c, y)", ns=namespace(helper=ns["helper"]))
    assert found and "twolayer.backward" in found[0]


def test_the_package_answer_before_the_task_is_not_held_against_it():
    # The chapter's own cells before the task use twolayer.backward.
    inputs = [SETUP, "g = twolayer.backward(p, c, y)", "dW2 = A1.T @ G",
              "checks.grading(1)"]
    assert _scan.runtime_findings(inputs, namespace(), 2, FORBID) == []
    assert _scan.runtime_findings(inputs, namespace(), 1, FORBID) != []
    # Other package functions are allowed in the task.
    assert findings("P = functional.softmax(Z)") == []


def static(code, forbidden=("scratchnet.twolayer.backward",), dynamic=True):
    bindings = _scan.Bindings()
    bindings.learn(ast.parse(SETUP))
    tree = ast.parse(code)
    bindings.learn(tree)
    return _scan.static_findings(tree, bindings, set(forbidden), dynamic)


@pytest.mark.parametrize("code, expected", [
    ("checks.raise_on_failure = lambda *a, **k: None",
     "changes a library"),
    ("import scratchnet.checks as c\nc.run = print", "changes a library"),
    ("np.testing.assert_allclose = print", "changes a library"),
    ("import sys\nsys.modules['scratchnet'] = None", "changes a library"),
    ("g = twolayer.backward(p, c, y)", "own implementation"),
    ("f = twolayer.backward\ng = f(p, c, y)", "own implementation"),
    ("from scratchnet.twolayer import backward\ng = backward(p, c, y)",
     "own implementation"),
    ("g = getattr(twolayer, 'back' + 'ward')(p, c, y)", "dynamic code"),
    ("exec('x = 1')", "dynamic code"),
])
def test_the_tamper_reader_flags_each_shortcut(code, expected):
    found = static(code)
    assert any(expected in f for f in found), found


@pytest.mark.parametrize("code", [
    "dW2 = A1.T @ dZ2 / m",
    "params['W1'] -= 0.1 * grads['W1']",
    "P = functional.softmax(Z)",
    "class L:\n    def __init__(self):\n        self.W = np.zeros(2)",
])
def test_the_tamper_reader_passes_plain_student_code(code):
    assert static(code) == []


def test_a_forbidden_name_must_exist():
    with pytest.raises(AttributeError):
        _scan.resolve_forbidden(["twolayer.no_such_function"])
    assert _scan.fingerprint(" x = 1\n") == _scan.fingerprint("x = 1")


# S2 _scan.py: an augmented assignment to a library is a change too
def test_an_augmented_assignment_to_a_library_is_found():
    found = _scan.runtime_findings(["checks.BACKWARD_HINTS |= {}", "cur"],
                                   {"checks": checks}, 0, ())
    assert len(found) == 1 and "changes a library" in found[0]


# S6 _scan.py: `from m import f as g` binds g
def test_the_tamper_reader_follows_an_import_alias():
    import ast
    bindings = _scan.Bindings()
    tree = ast.parse("from scratchnet.twolayer import backward as bw\n"
                     "g = bw(p, c, y)")
    bindings.learn(tree)
    found = _scan.static_findings(tree, bindings,
                                  {"scratchnet.twolayer.backward"})
    assert any("own implementation" in f for f in found), found


# S7 _scan.py: `sys.modules[...] = ...` is flagged even with no import seen
def test_the_tamper_reader_flags_sys_modules_without_its_import():
    import ast
    found = _scan.static_findings(
        ast.parse("sys.modules['scratchnet.checks'] = None"),
        _scan.Bindings(), set())
    assert any("changes a library" in f for f in found), found
