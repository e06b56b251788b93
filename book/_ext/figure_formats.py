"""Sharp figures: every chapter's kernel draws matplotlib figures at 2x.

The book build starts each chapter's kernel with an IPython profile of its
own (``_build/ipython``, through ``IPYTHONDIR``) whose only setting is
``InlineBackend.figure_formats = {"retina"}``: PNGs with twice the pixels,
and their 1x size in the output's metadata, which myst-nb turns into the
image's width and height. They are sharp on HiDPI screens and, at 2x,
in print. The setting lives in the build, not in the chapters, so a
reader's own kernel keeps its own choice.

The kernels also run on one BLAS thread. OpenBLAS splits a matrix
product differently for different thread counts, and float32 results
then differ in their last bits (the Fashion-MNIST chapter's accuracies
moved in the third digit between one and two threads). With one thread
the book's numbers are the same on a laptop, a two-core runner or a
many-core server with the same BLAS kernel.
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG = 'c.InlineBackend.figure_formats = {"retina"}\n'


def _kernel_profile(app, config) -> None:
    ipython = Path(app.outdir).parent / "ipython"
    profile = ipython / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(CONFIG)
    os.environ["IPYTHONDIR"] = str(ipython)
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                     "MKL_NUM_THREADS"):
        os.environ[variable] = "1"


def setup(app):
    app.connect("config-inited", _kernel_profile)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
