"""Bad input gets a clear error: a table covering every public function.

Each row is (call, exception type, words the message must contain). The
message must name the argument and say what it got.
"""

import dis
import inspect
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from scratchnet import (
    autograd,
    book,
    checks,
    data,
    fast,
    functional,
    gradcheck,
    linear,
    nn,
    optim,
    plotting,
    timing,
    training,
    twolayer,
)

X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
y = np.array([0, 1, 2, 1])
P = functional.softmax(np.arange(12.0).reshape(4, 3))


def spiral_model(seed=0):
    return nn.Sequential(nn.Dense(2, 100, seed=seed), nn.ReLU(),
                         nn.Dense(100, 3, seed=seed + 1))


def params(**changes):
    p = twolayer.init_params(2, 3, 3, seed=0)
    p.update(changes)
    return p


def cache():
    return twolayer.forward(params(), X)[1]


def forward_then(change):
    """params and the cache of their forward pass, then ``change(p, c)``
    (backward trusts a cache that forward made from the same arrays)."""
    p = params()
    c = twolayer.forward(p, X)[1]
    change(p, c)
    return p, c


nan_X = X.copy()
nan_X[1, 1] = np.nan
inf_W1 = params()["W1"].copy()
inf_W1[0, 0] = np.inf

CASES = {
    # data
    "spiral n_per_class=0": (lambda: data.make_spiral(0), ValueError,
                             ["n_per_class", ">= 1", "0"]),
    "spiral float classes": (lambda: data.make_spiral(10, 2.5), TypeError,
                             ["n_classes", "integer", "float"]),
    "spiral negative noise": (lambda: data.make_spiral(noise=-1),
                              ValueError, ["noise", ">= 0", "-1"]),
    "fish negative seed": (lambda: data.make_fish(seed=-3), ValueError,
                           ["seed", "-3"]),
    "one_hot y (m,1)": (lambda: data.one_hot(y[:, None], 3), ValueError,
                        ["y", "1-D", "(4, 1)"]),
    "one_hot float labels": (lambda: data.one_hot(np.array([0.5, 1]), 2),
                             TypeError, ["y", "integer", "float64"]),
    "one_hot label too big": (lambda: data.one_hot(y, 2), ValueError,
                              ["y", "< 2", "2"]),
    "one_hot negative label": (lambda: data.one_hot(np.array([-1, 0]), 2),
                               ValueError, ["y", ">= 0", "-1"]),
    "one_hot empty": (lambda: data.one_hot(np.array([], dtype=int), 2),
                      ValueError, ["y", "empty", "(0,)"]),
    "standardize 1-D": (lambda: data.standardize(np.ones(3)), ValueError,
                        ["X", "2-D", "1-D"]),
    "standardize NaN": (lambda: data.standardize(nan_X), ValueError,
                        ["X", "finite", "1 NaN"]),
    "standardize mean only": (lambda: data.standardize(X, np.zeros((1, 2))),
                              ValueError, ["mean", "std", "None"]),
    "standardize wrong mean": (
        lambda: data.standardize(X, np.zeros((1, 3)), np.ones((1, 3))),
        ValueError, ["mean", "(1, 2)", "(1, 3)"]),
    "split rows differ": (lambda: data.train_test_split(X, y[:3]),
                          ValueError, ["y", "4 entries", "3"]),
    "split fraction 1": (lambda: data.train_test_split(X, y, 1.0),
                         ValueError, ["test_fraction", "(0, 1)", "1.0"]),
    "split string X": (lambda: data.train_test_split("abc", y), TypeError,
                       ["X", "numeric", "str"]),
    "fashion bad kind": (lambda: data.load_fashion_mnist("valid"),
                         ValueError, ["kind", '"train" or "test"',
                                      "'valid'"]),
    # functional
    "relu 1-D": (lambda: functional.relu(np.ones(3)), ValueError,
                 ["Z", "2-D", "(3,)"]),
    "relu inf": (lambda: functional.relu(np.array([[np.inf]])), ValueError,
                 ["Z", "finite", "inf"]),
    "relu_backward shapes": (
        lambda: functional.relu_backward(np.ones((2, 3)), np.ones((3, 2))),
        ValueError, ["dA", "(3, 2)", "(2, 3)"]),
    "softmax empty": (lambda: functional.softmax(np.ones((0, 3))),
                      ValueError, ["Z", "empty", "(0, 3)"]),
    "softmax object": (lambda: functional.softmax([[1, "a"]]), TypeError,
                       ["Z", "numeric"]),
    "cross_entropy logits": (
        lambda: functional.cross_entropy(np.array([[2.0, -1.0]]), [0]),
        ValueError, ["P", "probabilities", "softmax"]),
    "cross_entropy negative P summing to 1": (
        lambda: functional.cross_entropy(np.array([[0.6, 0.6, -0.2]]),
                                         [0]),
        ValueError, ["P", "probabilities", "[-0.2, 0.6]"]),
    "cross_entropy NaN P": (
        lambda: functional.cross_entropy(np.array([[np.nan, 1.0]]), [0]),
        ValueError, ["P", "finite"]),
    "loss NaN b1 with reg": (
        lambda: twolayer.loss(P, y, {**twolayer.init_params(2, 3, 2),
                                     "b1": np.full((1, 3), np.nan)},
                              reg=0.1),
        ValueError, ["params['b1']", "finite"]),
    "cross_entropy y (m,1)": (
        lambda: functional.cross_entropy(P, y[:, None]), ValueError,
        ["y", "1-D", "(4, 1)"]),
    "cross_entropy rows differ": (
        lambda: functional.cross_entropy(P, y[:2]), ValueError,
        ["y", "4 entries", "2"]),
    "cross_entropy rows don't sum": (
        lambda: functional.cross_entropy(np.array([[0.2, 0.2]]), [0]),
        ValueError, ["P", "sum to 1", "0.4"]),
    "accuracy label range": (
        lambda: functional.accuracy(P, np.array([0, 1, 2, 3])),
        ValueError, ["y", "< 3", "3"]),
    # twolayer
    "init h=0": (lambda: twolayer.init_params(2, 0, 3), ValueError,
                 ["h", ">= 1", "0"]),
    "init n=1": (lambda: twolayer.init_params(2, 3, 1), ValueError,
                 ["n", ">= 2", "1"]),
    "init scale<=0": (lambda: twolayer.init_params(2, 3, 3, scale=0),
                      ValueError, ["scale", "> 0", "0"]),
    "forward X columns": (lambda: twolayer.forward(params(), np.ones((4, 3))),
                          ValueError, ["X", "2 columns", "(4, 3)"]),
    "forward NaN X": (lambda: twolayer.forward(params(), nan_X), ValueError,
                      ["X", "finite", "NaN"]),
    "forward inf W1": (lambda: twolayer.forward(params(W1=inf_W1), X),
                       ValueError, ["params['W1']", "finite", "inf"]),
    "forward W2 shape": (
        lambda: twolayer.forward(params(W2=np.ones((4, 3))), X),
        ValueError, ["params['W2']", "(3, n)", "(4, 3)"]),
    "forward b1 shape": (
        lambda: twolayer.forward(params(b1=np.zeros((3, 1))), X),
        ValueError, ["params['b1']", "(1, 3)", "(3, 1)"]),
    "forward b2 1-D": (
        lambda: twolayer.forward(params(b2=np.zeros(3)), X),
        ValueError, ["params['b2']", "2-D", "1-D"]),
    "forward missing key": (
        lambda: twolayer.forward({"W1": np.ones((2, 2))}, X), ValueError,
        ["params", "missing", "b1"]),
    "forward list params": (lambda: twolayer.forward([1, 2], X), TypeError,
                            ["params", "dict", "list"]),
    "forward empty batch": (lambda: twolayer.forward(params(), X[:0]),
                            ValueError, ["X", "empty", "(0, 2)"]),
    "loss reg without params": (lambda: twolayer.loss(P, y, reg=0.1),
                                ValueError, ["params", "reg", "None"]),
    "loss negative reg": (lambda: twolayer.loss(P, y, params(), reg=-1),
                          ValueError, ["reg", ">= 0", "-1"]),
    "backward y (m,1)": (
        lambda: twolayer.backward(params(), cache(), y[:, None]),
        ValueError, ["y", "1-D", "(4, 1)"]),
    "backward y rows": (lambda: twolayer.backward(params(), cache(), y[:3]),
                        ValueError, ["y", "4 entries", "3"]),
    "backward cache edited after forward": (
        lambda: twolayer.backward(*forward_then(
            lambda p, c: c.update(P=c["P"][:, :2])), y),
        ValueError, ["cache", "forward", "(4, 2)"]),
    "backward params replaced after forward": (
        lambda: twolayer.backward(*forward_then(
            lambda p, c: p.update(W1=inf_W1)), y),
        ValueError, ["params['W1']", "finite"]),
    "backward bad cache": (lambda: twolayer.backward(params(), {}, y),
                           TypeError, ["cache", "forward", "dict"]),
    "sgd lr=0": (lambda: twolayer.sgd_step(params(), params(), 0.0),
                 ValueError, ["lr", "> 0", "0.0"]),
    "sgd lr<0": (lambda: twolayer.sgd_step(params(), params(), -1.0),
                 ValueError, ["lr", "> 0", "-1.0"]),
    "sgd params b1 1-D": (
        lambda: twolayer.sgd_step(params(b1=np.zeros(3)), params(), 0.1),
        ValueError, ["params['b1']", "2-D", "1-D"]),
    "sgd grads shape": (
        lambda: twolayer.sgd_step(params(), twolayer.init_params(2, 4, 3),
                                  0.1),
        ValueError, ["grads['W1']", "(2, 3)", "(2, 4)"]),
    "train lr=0": (lambda: twolayer.train(X, y, lr=0), ValueError,
                   ["lr", "> 0", "0"]),
    "train y (m,1)": (lambda: twolayer.train(X, y[:, None]), ValueError,
                      ["y", "1-D", "(4, 1)"]),
    "train rows differ": (lambda: twolayer.train(X, y[:3]), ValueError,
                          ["y", "4 entries", "3"]),
    "train epochs float": (lambda: twolayer.train(X, y, epochs=2.0),
                           TypeError, ["epochs", "integer", "float"]),
    "train params for 3 columns": (
        lambda: twolayer.train(np.ones((4, 3)), y,
                               params=twolayer.init_params(2, 3, 3)),
        ValueError, ["X", "2 columns", "(4, 3)"]),
    "train labels beyond params": (
        lambda: twolayer.train(X, np.array([0, 1, 2, 3]),
                               params=twolayer.init_params(2, 3, 3)),
        ValueError, ["y", "< 3", "3"]),
    "predict 3-D X": (lambda: twolayer.predict(params(), X[None]),
                      ValueError, ["X", "2-D", "3-D"]),
    # linear
    "train_linear NaN": (lambda: linear.train_linear(nan_X, y), ValueError,
                         ["X", "finite", "NaN"]),
    "train_linear lr<0": (lambda: linear.train_linear(X, y, lr=-0.5),
                          ValueError, ["lr", "> 0", "-0.5"]),
    "predict_linear W rows": (
        lambda: linear.predict_linear(
            {"W": np.ones((3, 3)), "b": np.ones((1, 3))}, X),
        ValueError, ["W", "2 rows", "(3, 3)"]),
    "predict_linear not a dict": (lambda: linear.predict_linear(None, X),
                                  TypeError, ["params", "dict", "NoneType"]),
    # gradcheck
    "numgrad int x": (
        lambda: gradcheck.numerical_gradient(np.sum, np.arange(3)),
        TypeError, ["x", "float64", "int64"]),
    "numgrad not callable": (
        lambda: gradcheck.numerical_gradient(3, np.ones(2)), TypeError,
        ["f", "callable", "int"]),
    "numgrad eps": (
        lambda: gradcheck.numerical_gradient(np.sum, np.ones(2), eps=0),
        ValueError, ["eps", "> 0", "0"]),
    "relative_error shapes": (
        lambda: gradcheck.relative_error(np.ones(2), np.ones(3)),
        ValueError, ["a", "b", "(2,)", "(3,)"]),
    "check_gradients y range": (
        lambda: gradcheck.check_gradients(params(), X, np.array([0, 1, 2, 5])),
        ValueError, ["y", "< 3", "5"]),
    # plotting
    "plot_data 3 columns": (lambda: plotting.plot_data(np.ones((4, 3)), y),
                            ValueError, ["X", "2 columns", "(4, 3)"]),
    "plot_data y (m,1)": (lambda: plotting.plot_data(X, y[:, None]),
                          ValueError, ["y", "1-D", "(4, 1)"]),
    "plot_decision_boundary model": (
        lambda: plotting.plot_decision_boundary(42, X, y), TypeError,
        ["model", "callable", "int"]),
    "plot_loss empty": (lambda: plotting.plot_loss({}), ValueError,
                        ["histories", "empty"]),
    "plot_loss 2-D": (lambda: plotting.plot_loss(np.ones((2, 2))),
                      ValueError, ["histories", "1-D", "(2, 2)"]),
    "plot_network too wide": (lambda: plotting.plot_network(2, 100, 3),
                               ValueError, ["h", "<= 12", "100"]),
    "plot_network h=0": (lambda: plotting.plot_network(2, 0, 3),
                         ValueError, ["h", ">= 1", "0"]),
    "glue empty name": (lambda: book.glue("", 1.0), TypeError,
                        ["name", "non-empty", "str"]),
    "checks.run no name": (lambda: checks.run("", lambda: None), TypeError,
                           ["name", "non-empty", "str"]),
    "checks.shape value": (lambda: checks.shape("dW2", 3.0, (4, 3)),
                           TypeError, ["get", "function", "float"]),
    "checks.gradient loss": (
        lambda: checks.gradient("dW2", lambda: 0, "loss", np.ones(2)),
        TypeError, ["loss", "function", "str"]),
    "checks.value get": (lambda: checks.value("L", None, 1.0), TypeError,
                         ["get", "function", "NoneType"]),
    "checks.grading points": (
        lambda: checks.grading("2").__enter__(), TypeError,
        ["points", "integer", "str"]),
    "checks.grading forbid": (
        lambda: checks.grading(1, forbid="twolayer.backward").__enter__(),
        TypeError, ["forbid", "sequence", "str"]),
    "checks.backward get": (
        lambda: checks.backward(params(), params(), X, y), TypeError,
        ["get", "function", "dict"]),
    "checks.backward y": (
        lambda: checks.backward(lambda: None, params(), X, y[:, None]),
        ValueError, ["y", "(m,)"]),
    "plot_graph root": (lambda: plotting.plot_graph(np.ones(2)), TypeError,
                        ["root", "Tensor", "ndarray"]),
    "autograd loss scores": (
        lambda: autograd.softmax_cross_entropy(np.ones((2, 2)), [0, 1]),
        TypeError, ["scores", "Tensor", "ndarray"]),
    "plot ax": (lambda: plotting.plot_data(X, y, ax="left"), TypeError,
                ["ax", "Axes", "str"]),
    # nn, optim, training (the table that was test_nn.py's)
    "Dense in_features": (
        lambda: nn.Dense(0, 3), ValueError, ["in_features", ">= 1", "0"]),
    "Dense init": (
        lambda: nn.Dense(2, 3, init="zeros"), ValueError, ["init", "zeros"]),
    "Dense.forward x": (
        lambda: nn.Dense(2, 3).forward(np.ones((4, 5))), ValueError,
        ["x", "2 columns", "(4, 5)"]),
    "Dense.backward before forward": (
        lambda: nn.Dense(2, 3).backward(np.ones((4, 3))), ValueError,
        ["forward pass first"]),
    "ReLU.backward before forward": (
        lambda: nn.ReLU().backward(np.ones((2, 2))), ValueError,
        ["forward pass first"]),
    "Sequential no layers": (
        lambda: nn.Sequential(), ValueError, ["at least one layer"]),
    "Sequential layers[1]": (
        lambda: nn.Sequential(nn.ReLU(), "relu"), TypeError,
        ["layers[1]", "Layer", "str"]),
    "SoftmaxCrossEntropy.forward y": (
        lambda: nn.SoftmaxCrossEntropy().forward(np.ones((3, 2)),
                                                 np.ones((3, 1), int)),
        ValueError, ["y", "1-D", "(3, 1)"]),
    "SoftmaxCrossEntropy.backward before forward": (
        lambda: nn.SoftmaxCrossEntropy().backward(), ValueError,
        ["forward pass first"]),
    "SGD parameters": (
        lambda: optim.SGD([], lr=0.1), ValueError, ["parameters", "empty"]),
    "SGD lr": (
        lambda: optim.SGD(spiral_model().parameters(), lr=0), ValueError,
        ["lr", "> 0", "0"]),
    "SGD momentum": (
        lambda: optim.SGD(spiral_model().parameters(), momentum=1.0),
        ValueError, ["momentum", "< 1", "1.0"]),
    "Adam parameters": (
        lambda: optim.Adam([("p", 1.0, 2.0)]), TypeError,
        ["parameters[0]", "triple"]),
    "StepLR optimizer": (
        lambda: optim.StepLR("opt", 2), TypeError, ["optimizer", "str"]),
    "fit model": (
        lambda: training.fit("model", np.ones((2, 2)), [0, 1], 1, 1, None),
        TypeError, ["model", "Sequential", "str"]),
    "fit batch_size": (
        lambda: training.fit(spiral_model(), np.ones((2, 2)), [0, 1], 1, 0,
                             optim.SGD(spiral_model().parameters())),
        ValueError, ["batch_size", ">= 1", "0"]),
    "fit X empty": (
        lambda: training.fit(spiral_model(), np.ones((0, 2)), [], 1, 1,
                             optim.SGD(spiral_model().parameters())),
        ValueError, ["X", "empty", "(0, 2)"]),
    "fit X NaN": (
        lambda: training.fit(spiral_model(), np.full((2, 2), np.nan), [0, 1],
                             1, 1, optim.SGD(spiral_model().parameters())),
        ValueError, ["X", "finite", "4 NaN"]),
    "fit X columns": (
        lambda: training.fit(spiral_model(), np.ones((4, 3)), [0, 1, 2, 1],
                             1, 1, optim.SGD(spiral_model().parameters())),
        ValueError, ["X must have 2 columns", "(4, 3)"]),
    "fit validation X": (
        lambda: training.fit(spiral_model(), np.ones((2, 2)), [0, 1], 1, 1,
                             optim.SGD(spiral_model().parameters()),
                             validation=(np.ones((2, 3)), [0, 1])),
        ValueError, ["validation X must have 2 columns", "(2, 3)"]),
    "save path": (
        lambda: training.save(spiral_model(), "model.txt"), ValueError,
        ["path", ".npz", "model.txt"]),
    "load path": (
        lambda: training.load("no/such/file.npz"), ValueError,
        ["path", "existing", "no/such/file.npz"]),
    # nn, optim, training, fast, timing: the rows the extended coverage
    # check asked for
    "Layer without forward": (
        lambda: nn.Layer().forward(np.ones((2, 2))), NotImplementedError,
        ["Layer", "must define forward(x)"]),
    "Sigmoid.forward x": (lambda: nn.Sigmoid().forward(np.ones(3)),
                          ValueError, ["x", "2-D", "(3,)"]),
    "Tanh.backward before forward": (
        lambda: nn.Tanh().backward(np.ones((2, 2))), ValueError,
        ["Tanh.backward", "forward pass first"]),
    "layers_from_config type": (
        lambda: nn.layers_from_config([{"type": "Conv"}]), ValueError,
        ["config[0]", "Dense", "Conv"]),
    "Sequential.forward x": (
        lambda: spiral_model().forward(np.ones((4, 3))), ValueError,
        ["x", "2 columns", "(4, 3)"]),
    "Sequential.backward before forward": (
        lambda: spiral_model().backward(np.ones((4, 3))), ValueError,
        ["Sequential.backward", "forward pass first"]),
    "Sequential.check_x": (
        lambda: spiral_model().check_x(np.ones((4, 3)), "X"), ValueError,
        ["X", "2 columns", "(4, 3)"]),
    "Sequential.predict x": (lambda: spiral_model().predict(np.ones(2)),
                             ValueError, ["x", "2-D", "(2,)"]),
    "CosineLR t_max": (
        lambda: optim.CosineLR(optim.SGD(spiral_model().parameters()), 0),
        ValueError, ["t_max", ">= 1", "0"]),
    "LayerStep model": (lambda: training.LayerStep("model"), TypeError,
                        ["model", "Sequential", "str"]),
    "fast.Step model": (
        lambda: fast.Step(nn.Sequential(nn.Dense(2, 3), nn.Tanh())),
        ValueError, ["model", "Dense and ReLU", "Tanh()"]),
    "interleaved candidates": (lambda: timing.interleaved({}, 3),
                               ValueError,
                               ["candidates", "non-empty dict", "{}"]),
    "repeated calls": (lambda: timing.repeated(lambda: 0, calls=0),
                       ValueError, ["calls", "positive int", "0"]),
    "flatten layers": (lambda: nn.flatten([nn.Dense(2, 3), "relu"]),
                       TypeError, ["layers[1]", "Layer", "str"]),
    "run_solution label": (
        lambda: book.run_solution(
            Path(__file__).resolve().parents[1] / "book" / "layers.md",
            "ex-none", {}),
        ValueError, ["label", "a solution of", "layers.md", "'ex-none'"]),
    "probabilities scores": (
        lambda: nn.SoftmaxCrossEntropy().probabilities(np.ones(3)),
        ValueError, ["scores", "2-D", "(3,)"]),
    "StepLR.lr_at epoch": (
        lambda: optim.StepLR(optim.SGD(spiral_model().parameters()),
                             2).lr_at(-1),
        ValueError, ["epoch", ">= 0", "-1"]),
    "CosineLR.lr_at epoch": (
        lambda: optim.CosineLR(optim.SGD(spiral_model().parameters()),
                               5).lr_at("1"),
        TypeError, ["epoch", "integer", "str"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_raises_a_clear_error(name):
    call, exc_type, words = CASES[name]
    with pytest.raises(exc_type) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)


MODULES = {"book": book, "checks": checks, "data": data,
           "functional": functional, "twolayer": twolayer,
           "gradcheck": gradcheck, "linear": linear, "plotting": plotting,
           "autograd": autograd, "nn": nn, "optim": optim,
           "training": training, "fast": fast, "timing": timing}
# In these modules a public class counts too: its constructor (a row
# must call it), and, for the classes of METHOD_MODULES (the layers,
# Sequential, the optimizers, the schedules), every public method that
# takes an argument (a row must call it directly).
CLASS_MODULES = {"nn", "optim", "training", "fast", "timing"}
METHOD_MODULES = {"nn", "optim"}
# Public functions and methods that cannot have a row today: they do not
# check their input (a row would assert on an accident of NumPy, or on a
# message that names another function's argument). The check below
# fails when one of them gets a row, or when a new gap appears.
KNOWN_GAPS = {
    ("fast", "supports"),           # a predicate: anything -> True/False
}


def functions_used(cases) -> set[tuple[str, str]]:
    """The ``(module, function)`` pairs that the cases' code uses.

    Read from the bytecode of each case's call (and of the lambdas
    nested in it): a module of MODULES loaded as a global, then one of
    its attributes. A name in a comment or a string is not code, so it
    does not count.
    """
    found = set()

    def walk(code):
        ops = list(dis.get_instructions(code))
        for a, b in zip(ops, ops[1:], strict=False):
            if (a.opname == "LOAD_GLOBAL" and a.argval in MODULES
                    and b.opname in ("LOAD_ATTR", "LOAD_METHOD")):
                found.add((a.argval, b.argval))
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                walk(const)

    for call, _, _ in cases.values():
        walk(call.__code__)
    return found


def public_functions() -> set[tuple[str, str]]:
    """Every public function, and in CLASS_MODULES every public class
    but the exceptions, as ``(module, name)``."""
    def counts(mod_name, obj):
        if isinstance(obj, type):
            return (mod_name in CLASS_MODULES
                    and not issubclass(obj, BaseException))
        return callable(obj)

    return {(mod_name, name) for mod_name, mod in MODULES.items()
            for name in mod.__all__
            if counts(mod_name, getattr(mod, name))}


def public_methods() -> dict[str, types.FunctionType]:
    """The public methods of the public classes of METHOD_MODULES that
    take an argument, by qualified name (``Layer.backward``: a method
    inherited counts once, under the class that defines it)."""
    found = {}
    for mod_name in METHOD_MODULES:
        mod = MODULES[mod_name]
        for cls in (getattr(mod, name) for name in mod.__all__):
            if not isinstance(cls, type) or issubclass(cls, BaseException):
                continue
            for name in dir(cls):
                method = inspect.getattr_static(cls, name)
                if (name.startswith("_")
                        or not isinstance(method, types.FunctionType)):
                    continue
                if len(inspect.signature(method).parameters) > 1:
                    found[f"{mod_name}.{method.__qualname__}"] = method
    return found


def methods_called(cases) -> set[types.CodeType]:
    """The code objects of the functions that the cases' calls call
    directly (the caller is a lambda of this file), found by running
    each case under a profiler."""
    called = set()

    def profile(frame, event, arg):
        if (event == "call" and frame.f_back is not None
                and frame.f_back.f_code.co_filename == __file__):
            called.add(frame.f_code)

    for call, exc_type, _ in cases.values():
        sys.setprofile(profile)
        try:
            call()
        except exc_type:
            pass
        finally:
            sys.setprofile(None)
    return called


def test_every_public_function_is_covered():
    missing = public_functions() - functions_used(CASES)
    assert missing == {g for g in KNOWN_GAPS if isinstance(g, tuple)}, \
        sorted(missing)


def test_every_public_method_is_covered():
    called = methods_called(CASES)
    missing = {name for name, method in public_methods().items()
               if method.__code__ not in called}
    assert missing == {g for g in KNOWN_GAPS if isinstance(g, str)}, \
        sorted(missing)


def test_a_function_named_only_in_a_comment_is_not_covered():
    table = {
        # data.one_hot(y, 3) and "data.standardize(X)" are not calls
        "spiral": (lambda: data.make_spiral(0, note="data.one_hot("),
                   ValueError, []),
        "nested": (lambda: checks.run("x", lambda: functional.relu(X)),
                   TypeError, []),
    }
    assert functions_used(table) == {("data", "make_spiral"),
                                     ("checks", "run"),
                                     ("functional", "relu")}


# K5 _checks.py: a bool is not an integer size
def test_a_bool_size_is_refused():
    with pytest.raises(TypeError, match="h must be an integer, got bool"):
        twolayer.init_params(2, True, 3)
