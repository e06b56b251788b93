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
- :mod:`scratchnet.plotting` -- figures;
- :mod:`scratchnet.checks` -- check cells for assignments;
- :mod:`scratchnet.assign` -- chapters to student notebooks and keys;
- :mod:`scratchnet.tamper` -- the tamper report on nbgrader submissions.
"""

from . import (
               book,
               checks,
               data,
               functional,
               gradcheck,
               linear,
               plotting,
               twolayer,
)

__version__ = "0.1.0"
__all__ = ["book", "checks", "data", "functional", "gradcheck", "linear",
           "nn", "optim", "plotting", "training", "twolayer"]
