"""scratchnet: a neural network from scratch in NumPy.

The code of the book *Backprop, Again*. Modules:

- :mod:`scratchnet.data` -- the spiral and fish data sets,
  Fashion-MNIST read from disk, one-hot, standardize, a stratified split;
- :mod:`scratchnet.functional` -- relu, softmax, cross-entropy, accuracy;
- :mod:`scratchnet.twolayer` -- the lecture's two-layer network;
- :mod:`scratchnet.linear` -- a linear softmax classifier, the baseline;
- :mod:`scratchnet.gradcheck` -- finite-difference gradient checks;
- :mod:`scratchnet.nn`, :mod:`scratchnet.optim`,
  :mod:`scratchnet.training` -- layers, optimizers, fit, save and load;
- :mod:`scratchnet.fast` -- the tuned training step that ``fit`` runs;
- :mod:`scratchnet.autograd` -- reverse-mode automatic differentiation;
- :mod:`scratchnet.plotting` -- figures (imported, with matplotlib, on
  first use);
- :mod:`scratchnet.viz`, :mod:`scratchnet.players` -- figures the reader
  scrubs through (a player of frames recorded during training);
- :mod:`scratchnet.checks` -- check cells for assignments;
- :mod:`scratchnet.assign` -- chapters to student notebooks and keys;
- :mod:`scratchnet.tamper` -- the tamper report on nbgrader submissions.
"""

import importlib

from . import (
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
    players,
    timing,
    training,
    twolayer,
    viz,
)

__version__ = "0.1.0"
__all__ = ["autograd", "book", "checks", "data", "fast", "functional",
           "gradcheck", "linear", "nn", "optim", "players", "plotting",
           "timing", "training", "twolayer", "viz"]


def __getattr__(name: str):
    """``scratchnet.plotting`` on first use: matplotlib takes most of
    the package's import time, and only the figures need it."""
    if name == "plotting":
        return importlib.import_module(".plotting", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
