"""Benchmarks: `make bench` prints a table and writes _build/bench.json.

Every library is pinned to one BLAS thread (threadpoolctl; torch's own
pool with torch.set_num_threads(1)), and each timing is the median over
repeated runs. Measures:

1. one full-batch training step of the spiral net, 300x2 -> 100 -> 3 in
   float64: scratchnet.twolayer, scratchnet.nn, and PyTorch autograd on
   the CPU when torch is installed;
2. the time for the spiral net to reach 98% training accuracy;
3. digits: the time to reach >= 97% test accuracy, scratchnet against
   sklearn's MLPClassifier on the same split;
4. the book build: cold HTML, unchanged rebuild, PDF (skip: --no-book).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from scratchnet import data, nn, optim, training, twolayer  # noqa: E402

TORCH_HINT = ("torch not installed: skipped (pip install torch==2.13.0 "
              "installs a CPU build)")


def median_step_us(step, steps=200, repeats=7, warmup=20):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - start) / steps * 1e6)
    return statistics.median(times)


def spiral_step_twolayer(X, y):
    params = twolayer.init_params(2, 100, 3, seed=0)

    def step():
        P, cache = twolayer.forward(params, X)
        twolayer.loss(P, y, params, reg=1e-3)
        grads = twolayer.backward(params, cache, y, reg=1e-3)
        twolayer.sgd_step(params, grads, lr=1.0)
    return step


def spiral_model(reg=1e-3):
    return nn.Sequential(nn.Dense(2, 100, seed=0, weight_decay=reg),
                         nn.ReLU(),
                         nn.Dense(100, 3, seed=1, weight_decay=reg))


def spiral_step_nn(X, y):
    model = spiral_model()
    loss_fn = nn.SoftmaxCrossEntropy()
    opt = optim.SGD(model.parameters(), lr=1.0)

    def step():
        loss_fn.forward(model.forward(X), y)
        model.penalty()
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
    return step


def spiral_step_torch(X, y):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    W1 = (0.01 * torch.randn(2, 100, generator=g, dtype=torch.float64)
          ).requires_grad_()
    b1 = torch.zeros(1, 100, dtype=torch.float64, requires_grad=True)
    W2 = (0.01 * torch.randn(100, 3, generator=g, dtype=torch.float64)
          ).requires_grad_()
    b2 = torch.zeros(1, 3, dtype=torch.float64, requires_grad=True)
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y)
    params = [W1, b1, W2, b2]

    def step():
        scores = torch.relu(Xt @ W1 + b1) @ W2 + b2
        loss = torch.nn.functional.cross_entropy(scores, yt) + 0.5e-3 * (
            (W1 * W1).sum() + (W2 * W2).sum())
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 1.0 * p.grad
    return step


def time_to_98_twolayer(X, y, check_every=10, max_epochs=20000):
    params = twolayer.init_params(2, 100, 3, seed=0)
    start = time.perf_counter()
    for epoch in range(1, max_epochs + 1):
        P, cache = twolayer.forward(params, X)
        grads = twolayer.backward(params, cache, y, reg=1e-3)
        twolayer.sgd_step(params, grads, lr=1.0)
        if epoch % check_every == 0 and np.mean(
                twolayer.predict(params, X) == y) >= 0.98:
            return time.perf_counter() - start, epoch
    return float("nan"), max_epochs


def time_to_98_nn(X, y, max_epochs=20000):
    model = spiral_model()
    opt = optim.SGD(model.parameters(), lr=1.0)
    start = time.perf_counter()
    hist = training.fit(model, X, y, max_epochs, len(y), opt, target=0.98,
                        progress=False)
    return time.perf_counter() - start, len(hist["loss"])


def time_to_98_adam(X, y, max_epochs=2000):
    model = spiral_model(reg=0.0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    start = time.perf_counter()
    hist = training.fit(model, X, y, max_epochs, 32, opt, target=0.98,
                        progress=False)
    return time.perf_counter() - start, len(hist["loss"])


def digits_split():
    from sklearn.datasets import load_digits
    digits = load_digits()
    X_tr, X_te, y_tr, y_te = data.train_test_split(
        digits.data, digits.target, test_fraction=0.2, seed=0)
    X_tr, mean, std = data.standardize(X_tr)
    X_te, _, _ = data.standardize(X_te, mean, std)
    return X_tr, X_te, y_tr, y_te


def digits_scratchnet(split, target=0.97):
    X_tr, X_te, y_tr, y_te = split
    model = nn.Sequential(nn.Dense(64, 64, seed=0), nn.ReLU(),
                          nn.Dense(64, 10, seed=1))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    hist = training.fit(model, X_tr, y_tr, 200, 32, opt,
                        validation=(X_te, y_te), target=target,
                        progress=False)
    return (time.perf_counter() - start, len(hist["loss"]),
            hist["val_accuracy"][-1])


def digits_mlp(split, target=0.97):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    X_tr, X_te, y_tr, y_te = split
    mlp = MLPClassifier(hidden_layer_sizes=(64,), batch_size=32,
                        learning_rate_init=1e-3, random_state=0)
    start = time.perf_counter()
    classes = np.arange(10)
    epochs = 0
    while epochs < 200:
        epochs += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.partial_fit(X_tr, y_tr, classes=classes)
        acc = float(np.mean(mlp.predict(X_te) == y_te))
        if acc >= target:
            break
    return time.perf_counter() - start, epochs, acc


def median_of(fn, repeats):
    runs = [fn() for _ in range(repeats)]
    times = sorted(r[0] for r in runs)
    return statistics.median(times), runs[0][1:]


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-book", action="store_true",
                        help="skip the book build timings")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "_build" / "bench.json")
    args = parser.parse_args(argv)
    X, y = data.make_spiral(seed=0)
    rows, results = [], {"machine": platform.platform(),
                         "python": platform.python_version(),
                         "numpy": np.__version__}
    with threadpool_limits(limits=1):
        results["blas"] = [f"{i['internal_api']} {i.get('version')} "
                           f"threads={i['num_threads']}"
                           for i in threadpool_info()]
        step = {
            "twolayer": median_step_us(spiral_step_twolayer(X, y)),
            "nn": median_step_us(spiral_step_nn(X, y)),
        }
        torch_step = spiral_step_torch(X, y)
        step["torch"] = (median_step_us(torch_step) if torch_step
                         else None)
        results["spiral_step_us"] = step
        for name, value in step.items():
            rows.append((f"spiral step, {name}",
                         f"{value:.0f} us" if value else TORCH_HINT))
        if step["torch"]:
            rows.append(("nn step / torch step",
                         f"{step['nn'] / step['torch']:.2f}"))
        t98 = {}
        for name, fn in (("twolayer, full batch", time_to_98_twolayer),
                         ("nn, full batch", time_to_98_nn),
                         ("nn, Adam, batch 32", time_to_98_adam)):
            seconds, (epochs,) = median_of(lambda fn=fn: fn(X, y),
                                           max(1, args.repeats // 2))
            t98[name] = {"seconds": seconds, "epochs": epochs}
            rows.append((f"spiral to 98% train, {name}",
                         f"{seconds:.2f} s ({epochs} epochs)"))
        results["spiral_to_98"] = t98
        split = digits_split()
        sn_s, (sn_ep, sn_acc) = median_of(lambda: digits_scratchnet(split),
                                          args.repeats)
        mlp_s, (mlp_ep, mlp_acc) = median_of(lambda: digits_mlp(split),
                                             args.repeats)
        results["digits_to_97"] = {
            "scratchnet": {"seconds": sn_s, "epochs": sn_ep,
                           "test_accuracy": sn_acc},
            "MLPClassifier": {"seconds": mlp_s, "epochs": mlp_ep,
                              "test_accuracy": mlp_acc},
            "ratio": sn_s / mlp_s}
        rows.append(("digits to 97% test, scratchnet",
                     f"{sn_s:.2f} s ({sn_ep} epochs, {sn_acc:.1%})"))
        rows.append(("digits to 97% test, MLPClassifier",
                     f"{mlp_s:.2f} s ({mlp_ep} epochs, {mlp_acc:.1%})"))
        rows.append(("digits time ratio, scratchnet / MLP",
                     f"{sn_s / mlp_s:.2f}"))
    if not args.no_book:
        builds = book_builds()
        results["book_build_s"] = builds
        rows += [(name, f"{value:.0f} s") for name, value in builds.items()]
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
