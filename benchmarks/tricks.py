"""What each trick of scratchnet.fast is worth: a whole training step
with the trick, against the same step with it swapped for the plain form.

`python benchmarks/tricks.py` times, in one process, interleaved, on one
BLAS thread, whole steps (forward, loss, backward, optimizer update) of

- the spiral: 2 -> 100 -> 3, all 300 rows, SGD, float64 and float32;
- the digits: 64 -> 64 -> 10, batches of 32, Adam, float64;

for ``fast.Step`` as it is, for variants that each undo one of its
tricks (a leading "-") or add one that it does not use (a "+"), for the
optimizer given each parameter in turn instead of the flat vector, and
for the readable step through ``nn``'s layers. The ratio is the variant's
time over ``fast.Step``'s: a "-" ratio of 1.10 means that the step
takes 10 % longer without the trick. The rule: a trick stays if on one
of the workloads its step without it takes at least 10 % longer
(ratio >= 1.10) on both of two OpenBLAS kernels; run this
once with ``OPENBLAS_CORETYPE`` unset (the CPU's kernel) and once with
``OPENBLAS_CORETYPE=Haswell``. ``--out FILE`` writes the ratios as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scratchnet import data, fast, nn, optim, training
from scratchnet.timing import interleaved
from threadpoolctl import threadpool_info, threadpool_limits


class NoKeptArrays(fast.Step):
    """- arrays kept: every step makes its arrays anew."""

    def _arrays(self, m):
        return fast._Arrays(self, m)


class FusedLoss(fast.Step):
    """+ fused loss: dL/dscores made in the array of P, not a copy."""

    def loss_gradient(self, y, a):
        a.P.reshape(-1)[a.at + y] -= 1.0
        a.P /= y.shape[0]
        return a.P


class InPlaceReLU(fast.Step):
    """+ ReLU in place: into the dense layer's output, not its own array."""

    def forward(self, X, a):
        x = X
        for k, layer in enumerate(self.dense):
            np.matmul(x, layer.params["W"], out=a.Z[k])
            a.Z[k] += layer.params["b"]
            x = np.maximum(a.Z[k], 0.0, out=a.Z[k]) if self.relu[k] \
                else a.Z[k]
            a.A[k] = x
        return x


#: The tricks that failed the rule and were taken out (the folded bias,
#: a ReLU against an array of zeros, column sums as ones @ G, the row max
#: over columns, a copy of W^T) were measured by this script at commit
#: 8c8bbb4, where fast.Step still had them; the fused loss at ebe66a0
#: (as "- fused loss", against nn's loss).
VARIANTS = [NoKeptArrays, FusedLoss, InPlaceReLU]


def spiral(dtype):
    X, y = data.make_spiral(seed=0)

    def model():
        return nn.Sequential(nn.Dense(2, 100, seed=0, weight_decay=1e-3),
                             nn.ReLU(),
                             nn.Dense(100, 3, seed=1, weight_decay=1e-3),
                             dtype=dtype)
    return model, X, y, lambda m: optim.SGD(m.parameters(flat=True), 1.0), \
        len(y)


def digits():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    X = data.standardize(X)[0]

    def model():
        return nn.Sequential(nn.Dense(64, 64, seed=0), nn.ReLU(),
                             nn.Dense(64, 10, seed=1))
    return model, X, y, \
        lambda m: optim.Adam(m.parameters(flat=True), 1e-3), 32


def candidates(workload, steps):
    make, X, y, make_opt, batch = workload
    order = np.random.default_rng(0).permutation(len(y))

    def timed(step_of, per_param=False):
        model = make()
        Xc = model.check_x(X)
        opt = (optim.Adam(model.parameters(), 1e-3)
               if per_param and isinstance(make_opt(model), optim.Adam)
               else optim.SGD(model.parameters(), 1.0) if per_param
               else make_opt(model))
        step = step_of(model)
        batches = [(Xc[order[s:s + batch]], y[order[s:s + batch]])
                   for s in range(0, len(y), batch)][:steps]

        def run():
            for k in range(steps):
                Xb, yb = batches[k % len(batches)]
                step(Xb, yb)
                opt.step()
        return run, steps

    out = {"fast.Step": timed(fast.Step),
           "readable (nn layers)": timed(training.LayerStep),
           "- one flat vector": timed(fast.Step, per_param=True)}
    for cls in VARIANTS:
        out[cls.__doc__.split(":")[0]] = timed(cls)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with threadpool_limits(limits=1, user_api="blas"):
        kernel = [i.get("architecture") for i in threadpool_info()
                  if i.get("internal_api") == "openblas"]
        print(f"OpenBLAS kernel: {kernel}")
        results = {"kernel": kernel}
        for name, workload in (("spiral f64", spiral(np.float64)),
                               ("spiral f32", spiral(np.float32)),
                               ("digits f64", digits())):
            seconds = interleaved(candidates(workload, 50),
                                  rounds=args.rounds)
            base = seconds["fast.Step"]
            results[name] = {k: t / base for k, t in seconds.items()}
            results[name]["fast.Step us"] = 1e6 * base
            print(f"\n{name}: fast.Step {1e6 * base:.1f} us a step")
            for k, t in seconds.items():
                print(f"  {k:<28} {t / base:6.3f}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
