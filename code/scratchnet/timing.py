"""Timing that is fair to every candidate: interleaved medians.

``make bench`` and the chapters that report a speed-up time their
candidates with :func:`interleaved`: all in one process, in turns, so that
a slow spell of the machine (another program, a frequency change) slows
all of them alike, and the medians of many turns, which a few slow turns
do not move. Report the *ratios* of the results: they carry over from one
machine to another far better than the times do.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["interleaved", "repeated"]


def interleaved(candidates: dict[str, tuple[Callable[[], object], int]],
                rounds: int, warm: bool = False) -> dict[str, float]:
    """Median seconds per unit of work of each candidate, timed in turns.

    candidates : name -> (run, units), where ``run()`` does ``units``
        units of work (steps, calls); every ``run`` is called once first,
        untimed, to warm up
    rounds : how many times each candidate is timed; round r starts
        with candidate r (mod their number), so none always runs first
    warm : in every round, run each candidate once untimed right before
        its timed run (the same for all), so that a short block is timed
        in the steady state of a long run, not just after another
        candidate evicted its arrays and code from the caches

    Returns name -> the median over the rounds of (seconds / units).
    """
    if not isinstance(candidates, dict) or not candidates:
        raise ValueError("candidates must be a non-empty dict name -> "
                         f"(run, units), got {candidates!r}")
    for name, value in candidates.items():
        if (not isinstance(value, tuple) or len(value) != 2
                or not callable(value[0]) or not isinstance(value[1], int)
                or value[1] < 1):
            raise ValueError(f"candidates[{name!r}] must be (run, units) "
                             "with a callable and a positive int, got "
                             f"{value!r}")
    if not isinstance(rounds, int) or isinstance(rounds, bool) \
            or rounds < 1:
        raise ValueError(f"rounds must be a positive int, got {rounds!r}")
    if not isinstance(warm, bool):
        raise ValueError(f"warm must be True or False, got {warm!r}")
    names = list(candidates)
    for run, _ in candidates.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            run, units = candidates[name]
            if warm:
                run()
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) / units)
    return {name: statistics.median(t) for name, t in times.items()}


def repeated(work: Callable[[], object], calls: int = 200
             ) -> tuple[Callable[[], None], int]:
    """(run, units) for :func:`interleaved`: ``run()`` calls ``work()``
    ``calls`` times, so that each timing spans many short calls."""
    if not callable(work):
        raise ValueError(f"work must be callable, got {work!r}")
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
        raise ValueError(f"calls must be a positive int, got {calls!r}")

    def run() -> None:
        for _ in range(calls):
            work()
    return run, calls
