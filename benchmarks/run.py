"""Benchmarks: `make bench` prints a table and writes _build/bench.json.

Every library runs on one BLAS thread (threadpoolctl; torch's own pools
with torch.set_num_threads(1) and set_num_interop_threads(1)).
Candidates that are compared are timed in one process, interleaved
round-robin (a round times each candidate once, in a rotating order),
and each result is the median over rounds. The short spiral blocks are
timed warm: in every round each candidate first runs once untimed.
The targets of issue 13, as ratios:

1. the spiral step of ``nn`` (2 -> 100 -> 3, SGD, float64) as ``fit``
   runs it (per epoch of full-batch ``fit``), against torch autograd f64;
2. one epoch of ``fit`` on digits (64-64-10, batch 32, Adam) against
   the same loop in torch with torch.optim.Adam; and the time to 97%
   test accuracy against sklearn's MLPClassifier (defaults), median
   over 5 seeds;
3. a step through the public ``twolayer`` functions against its
   unchecked inner loop;
4. one epoch of ``fit`` on Fashion-MNIST's training set (60,000 x 784,
   784-256-10, batch 128, Adam, float64; issue 14 and the large batches
   of issue 13) against the same loop in torch with torch.optim.Adam.
   The data come from Debian's package ``dataset-fashion-mnist``
   through ``data.load_fashion_mnist("train")``; without it the row is
   skipped, with the reason printed and kept in bench.json under
   ``skipped`` (no synthetic stand-in);
5. the spiral step in float32 against torch f64, and a long run of
   ``fit`` (2000 full-batch epochs) against as many torch steps;
6. the spiral step through ``scratchnet.autograd`` (the last chapter's
   engine, float64) against ``nn``'s and torch's.

The book build timings come last (skip them with --no-book). OpenBLAS
picks its kernel from the CPU unless OPENBLAS_CORETYPE forces one, so
the script prints the kernel and warns when that variable or
OPENBLAS_L2_SIZE is set (`make bench` unsets both).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from scratchnet import data, nn, optim, training, twolayer  # noqa: E402
from scratchnet.timing import interleaved  # noqa: E402

TORCH_HINT = ("torch not installed: pip install -r requirements-bench.txt "
              "(a CPU build)")
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: target name -> the largest ratio that meets it (issue 13)
TARGETS = {
    "spiral step nn f64 / torch f64": 0.30,
    "digits epoch fit / torch": 0.25,
    "digits time to 97% fit / MLPClassifier": 0.5,
    "twolayer public / inner": 1.3,
    "Fashion-MNIST epoch fit / torch": 1.0,
    "spiral step nn f32 / torch f64": 0.20,
}


def import_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)           # before any torch op
    torch.set_num_interop_threads(1)
    return torch


# -- 1, 3, 5: the spiral step ---------------------------------------------

def spiral_model(reg=1e-3, dtype=np.float64):
    layers = (nn.Dense(2, 100, seed=0, weight_decay=reg), nn.ReLU(),
              nn.Dense(100, 3, seed=1, weight_decay=reg))
    if dtype == np.float64:
        return nn.Sequential(*layers)
    return nn.Sequential(*layers, dtype=dtype)


def spiral_fit(X, y, epochs, dtype=np.float64):
    """``epochs`` full-batch epochs of fit, as a user runs it."""
    model = spiral_model(dtype=dtype)
    opt = optim.SGD(model.parameters(flat=True), lr=1.0)
    return lambda: training.fit(model, X, y, epochs, len(y), opt,
                                progress=False)


def spiral_twolayer_public(X, y, steps):
    params = twolayer.init_params(2, 100, 3, seed=0)

    def run():
        for _ in range(steps):
            P, cache = twolayer.forward(params, X)
            twolayer.loss(P, y, params, reg=1e-3)
            grads = twolayer.backward(params, cache, y, reg=1e-3)
            twolayer.sgd_step(params, grads, lr=1.0)
    return run


def spiral_twolayer_inner(X, y, steps):
    """The loop of twolayer.train: the inner functions, no checks."""
    params = twolayer.init_params(2, 100, 3, seed=0)

    def run():
        for _ in range(steps):
            P, cache = twolayer._forward(params, X)
            twolayer._loss(P, y, params, 1e-3)
            grads = twolayer._backward(params, cache, y, 1e-3)
            for key in ("W1", "b1", "W2", "b2"):
                params[key] -= 1.0 * grads[key]
    return run


def spiral_autograd(X, y, steps):
    """The last chapter's training step: the graph built anew each step."""
    from scratchnet import autograd
    from scratchnet.autograd import Tensor
    T = {k: Tensor(v) for k, v in
         twolayer.init_params(2, 100, 3, seed=0).items()}
    X_t = Tensor(X)

    def run():
        for _ in range(steps):
            for t in T.values():
                t.grad = None
            A1 = (X_t @ T["W1"] + T["b1"]).relu()
            loss = (autograd.softmax_cross_entropy(A1 @ T["W2"] + T["b2"],
                                                   y)
                    + 0.5e-3 * ((T["W1"] * T["W1"]).sum()
                                + (T["W2"] * T["W2"]).sum()))
            loss.backward()
            for t in T.values():
                t.data -= 1.0 * t.grad
    return run


def spiral_torch(torch, X, y, steps):
    g = torch.Generator().manual_seed(0)
    W1 = (0.01 * torch.randn(2, 100, generator=g, dtype=torch.float64)
          ).requires_grad_()
    b1 = torch.zeros(1, 100, dtype=torch.float64, requires_grad=True)
    W2 = (0.01 * torch.randn(100, 3, generator=g, dtype=torch.float64)
          ).requires_grad_()
    b2 = torch.zeros(1, 3, dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    params = [W1, b1, W2, b2]

    def run():
        for _ in range(steps):
            scores = torch.relu(Xt @ W1 + b1) @ W2 + b2
            loss = torch.nn.functional.cross_entropy(scores, yt) + 0.5e-3 * (
                (W1 * W1).sum() + (W2 * W2).sum())
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= 1.0 * p.grad
    return run


# -- 2, 4: epochs of mini-batch fit against torch ---------------------------

def mlp_model(sizes, seed=0, dtype=np.float64):
    layers = []
    for i, (d, n) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Dense(d, n, seed=seed + i))
    if dtype == np.float64:
        return nn.Sequential(*layers)
    return nn.Sequential(*layers, dtype=dtype)


def fit_epochs(X, y, sizes, batch_size, epochs):
    model = mlp_model(sizes)
    opt = optim.Adam(model.parameters(flat=True), lr=1e-3)
    return lambda: training.fit(model, X, y, epochs, batch_size, opt,
                                progress=False)


def torch_epochs(torch, X, y, sizes, batch_size, epochs):
    torch.manual_seed(0)
    layers = []
    for i, (d, n) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if i:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(d, n, dtype=torch.float64))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)
    m = len(y)

    def run():
        for _ in range(epochs):
            order = torch.randperm(m, generator=g)
            for start in range(0, m, batch_size):
                rows = order[start:start + batch_size]
                loss = torch.nn.functional.cross_entropy(model(Xt[rows]),
                                                         yt[rows])
                opt.zero_grad()
                loss.backward()
                opt.step()
    return run


def digits_split():
    from sklearn.datasets import load_digits
    digits = load_digits()
    X_tr, X_te, y_tr, y_te = data.train_test_split(
        digits.data, digits.target, test_fraction=0.2, seed=0)
    X_tr, mean, std = data.standardize(X_tr)
    X_te, _, _ = data.standardize(X_te, mean, std)
    return X_tr, X_te, y_tr, y_te


def digits_fit_to(split, seed, target=0.97):
    X_tr, X_te, y_tr, y_te = split
    model = mlp_model((64, 64, 10), seed=2 * seed)
    opt = optim.Adam(model.parameters(flat=True), lr=1e-3)
    start = time.perf_counter()
    hist = training.fit(model, X_tr, y_tr, 200, 32, opt, seed=seed,
                        validation=(X_te, y_te), target=target,
                        progress=False)
    return (time.perf_counter() - start, len(hist["loss"]),
            hist["val_accuracy"][-1])


def digits_mlp_to(split, seed, target=0.97):
    """MLPClassifier with its defaults, one partial_fit per epoch."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    X_tr, X_te, y_tr, y_te = split
    mlp = MLPClassifier(random_state=seed)
    classes = np.arange(10)
    start = time.perf_counter()
    epoch = 0
    while epoch < 200:
        epoch += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.partial_fit(X_tr, y_tr, classes=classes)
        acc = float(np.mean(mlp.predict(X_te) == y_te))
        if acc >= target:
            break
    return time.perf_counter() - start, epoch, acc


def book_builds():
    from conftest import copy_book, jupyter_book
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        book = copy_book(Path(tmp) / "book")
        for name in ("cold HTML build", "unchanged rebuild"):
            start = time.perf_counter()
            result = jupyter_book(book)
            out[name] = time.perf_counter() - start
            if result.returncode != 0:
                out[name] = float("nan")
        if shutil.which("xelatex"):
            start = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "scripts/build_pdf.py"),
                            str(book)], check=True, capture_output=True)
            out["PDF build"] = time.perf_counter() - start
        else:
            out["PDF build"] = float("nan")
    return out


def blas_report():
    lines = []
    for info in threadpool_info():
        lines.append(f"{info['internal_api']} {info.get('version')} "
                     f"kernel={info.get('architecture')} "
                     f"threads={info['num_threads']} ({info['prefix']})")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-book", action="store_true",
                        help="skip the book build timings")
    parser.add_argument("--rounds", type=int, default=40,
                        help="rounds of the interleaved step timings")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "_build" / "bench.json")
    args = parser.parse_args(argv)
    torch = import_torch()
    results = {"machine": platform.platform(),
               "python": platform.python_version(),
               "numpy": np.__version__,
               "torch": torch.__version__ if torch else None,
               "env": {k: os.environ.get(k) for k in BLAS_ENV}}
    for key in BLAS_ENV:
        if key in os.environ:
            print(f"WARNING: {key}={os.environ[key]} is set: OpenBLAS may "
                  "run another kernel than it would pick; `make bench` "
                  "unsets it")
    us, ratios, rows, skipped = {}, {}, [], {}
    with threadpool_limits(limits=1):
        results["blas"] = blas_report()
        results["kernel"] = [info.get("architecture")
                             for info in threadpool_info()
                             if info["internal_api"] == "openblas"]
        for line in results["blas"]:
            print("BLAS:", line)
        X, y = data.make_spiral(seed=0)
        n = 20
        cands = {
            "spiral step nn f64 (fit)": (spiral_fit(X, y, n), n),
            "spiral step twolayer public": (
                spiral_twolayer_public(X, y, n), n),
            "spiral step twolayer inner": (
                spiral_twolayer_inner(X, y, n), n),
            "spiral step autograd f64": (spiral_autograd(X, y, n), n),
        }
        try:
            cands["spiral step nn f32 (fit)"] = (
                spiral_fit(X, y, n, dtype=np.float32), n)
        except TypeError:                   # no dtype option yet
            pass
        if torch:
            cands["spiral step torch f64"] = (spiral_torch(torch, X, y, n), n)
        us.update({k: v * 1e6 for k, v in
                   interleaved(cands, args.rounds, warm=True).items()})
        ratios["twolayer public / inner"] = (
            us["spiral step twolayer public"]
            / us["spiral step twolayer inner"])
        ratios["spiral step autograd / nn f64"] = (
            us["spiral step autograd f64"] / us["spiral step nn f64 (fit)"])
        if torch:
            t = us["spiral step torch f64"]
            ratios["spiral step nn f64 / torch f64"] = (
                us["spiral step nn f64 (fit)"] / t)
            ratios["spiral step autograd / torch f64"] = (
                us["spiral step autograd f64"] / t)
            if "spiral step nn f32 (fit)" in us:
                ratios["spiral step nn f32 / torch f64"] = (
                    us["spiral step nn f32 (fit)"] / t)

        # A long run as a reader trains: 2000 full-batch epochs.
        long = 2000
        cands = {"spiral fit 2000 epochs nn f64": (
            spiral_fit(X, y, long), 1)}
        if torch:
            cands["spiral fit 2000 epochs torch f64"] = (
                spiral_torch(torch, X, y, long), 1)
        us.update({k: v * 1e6 for k, v in
                   interleaved(cands, max(3, args.rounds // 8)).items()})
        if torch:
            ratios["spiral fit 2000 epochs nn / torch f64"] = (
                us["spiral fit 2000 epochs nn f64"]
                / us["spiral fit 2000 epochs torch f64"])

        split = digits_split()
        X_tr, _, y_tr, _ = split
        e = 3
        cands = {"digits epoch fit": (
            fit_epochs(X_tr, y_tr, (64, 64, 10), 32, e), e)}
        if torch:
            cands["digits epoch torch"] = (
                torch_epochs(torch, X_tr, y_tr, (64, 64, 10), 32, e), e)
        us.update({k: v * 1e6 for k, v in
                   interleaved(cands, max(5, args.rounds // 4)).items()})
        if torch:
            ratios["digits epoch fit / torch"] = (
                us["digits epoch fit"] / us["digits epoch torch"])

        runs = {"fit": [], "MLPClassifier": []}
        for seed in range(5):               # interleaved, seed by seed
            runs["fit"].append(digits_fit_to(split, seed))
            runs["MLPClassifier"].append(digits_mlp_to(split, seed))
        to97 = {name: {"seconds": statistics.median(r[0] for r in rs),
                       "epochs": [r[1] for r in rs],
                       "test_accuracy": [r[2] for r in rs],
                       "reached": sum(r[2] >= 0.97 for r in rs)}
                for name, rs in runs.items()}
        results["digits_to_97"] = to97
        ratios["digits time to 97% fit / MLPClassifier"] = (
            to97["fit"]["seconds"] / to97["MLPClassifier"]["seconds"])

        try:
            X_big, y_big = data.load_fashion_mnist("train")
        except FileNotFoundError as err:
            X_big = None
            skipped["Fashion-MNIST epoch"] = (
                "skipped: the Fashion-MNIST training set is missing "
                "(install the Debian package dataset-fashion-mnist, or "
                f"set SCRATCHNET_DATA): {err}")
            print("Fashion-MNIST epoch:", skipped["Fashion-MNIST epoch"])
        if X_big is not None:
            cands = {"Fashion-MNIST epoch fit": (
                fit_epochs(X_big, y_big, (784, 256, 10), 128, 1), 1)}
            if torch:
                cands["Fashion-MNIST epoch torch"] = (
                    torch_epochs(torch, X_big, y_big, (784, 256, 10), 128,
                                 1), 1)
            us.update({k: v * 1e6 for k, v in
                       interleaved(cands, max(3, args.rounds // 10)).items()})
            if torch:
                ratios["Fashion-MNIST epoch fit / torch"] = (
                    us["Fashion-MNIST epoch fit"]
                    / us["Fashion-MNIST epoch torch"])

    results["us"] = us
    results["ratios"] = ratios
    results["targets"] = TARGETS
    results["skipped"] = skipped
    if not args.no_book:
        results["book_build_s"] = book_builds()
    rows = [(name, f"{value:,.0f} us" if value < 1e6 else
             f"{value / 1e6:.2f} s") for name, value in us.items()]
    for name, s in ((n, r["seconds"]) for n, r in to97.items()):
        ep = to97[name]["epochs"]
        rows.append((f"digits to 97% test, {name}",
                     f"{s:.2f} s (median; epochs {ep}; reached "
                     f"{to97[name]['reached']}/5, else 200 epochs)"))
    for name, ratio in ratios.items():
        goal = TARGETS.get(name)
        verdict = ("" if goal is None else
                   f"  target <= {goal}: "
                   f"{'met' if ratio <= goal else 'NOT met'}")
        rows.append((f"ratio {name}", f"{ratio:.3f}{verdict}"))
    for name in skipped:
        rows.append((name, "SKIPPED: no Fashion-MNIST training set "
                     "(Debian package dataset-fashion-mnist)"))
    if not torch:
        rows.append(("torch", TORCH_HINT))
    for name, value in results.get("book_build_s", {}).items():
        rows.append((name, f"{value:.0f} s"))
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  result")
    print("-" * (width + 40))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nresults: {args.out}")


if __name__ == "__main__":
    main()
