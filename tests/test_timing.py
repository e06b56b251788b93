"""scratchnet.timing: medians per unit, in turns, with clear errors."""

from __future__ import annotations

import pytest
from scratchnet import timing


class FakeClock:
    """perf_counter that advances only when a candidate works."""

    def __init__(self):
        self.now = 0.0
        self.order: list[str] = []

    def __call__(self):
        return self.now

    def work(self, name, seconds):
        def run():
            self.order.append(name)
            self.now += seconds
        return run


def test_medians_per_unit_and_turns(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(timing.time, "perf_counter", clock)
    result = timing.interleaved({"a": (clock.work("a", 2.0), 4),
                                 "b": (clock.work("b", 3.0), 1),
                                 "c": (clock.work("c", 1.0), 2)}, rounds=3)
    assert result == {"a": 0.5, "b": 3.0, "c": 0.5}
    # one untimed warm-up each, then rounds starting from a, b, c
    assert clock.order == ["a", "b", "c",
                           "a", "b", "c", "b", "c", "a", "c", "a", "b"]


def test_the_median_ignores_a_slow_turn(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(timing.time, "perf_counter", clock)
    costs = iter([1.0, 1.0, 9.0, 1.0, 1.0, 1.0])   # warm-up, then 5 turns

    def run():
        clock.now += next(costs)
    assert timing.interleaved({"a": (run, 1)}, rounds=5) == {"a": 1.0}


def test_warm_runs_each_candidate_untimed_before_its_turn(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(timing.time, "perf_counter", clock)
    costs = {"a": iter([0.0, 5.0, 1.0, 5.0, 1.0])}  # warm-ups cost 5

    def run():
        clock.order.append("a")
        clock.now += next(costs["a"])
    assert timing.interleaved({"a": (run, 1)}, rounds=2,
                              warm=True) == {"a": 1.0}
    assert clock.order == ["a"] * 5


@pytest.mark.parametrize("candidates, rounds, needle", [
    ({}, 3, "candidates must be a non-empty dict"),
    ({"a": print}, 3, r"candidates\['a'\] must be \(run, units\)"),
    ({"a": (print, 0)}, 3, "positive int"),
    ({"a": (1, 1)}, 3, "callable"),
    ({"a": (print, 1)}, 0, "rounds must be a positive int, got 0"),
    ({"a": (print, 1)}, True, "rounds must be a positive int, got True"),
])
def test_bad_input_is_named(candidates, rounds, needle):
    with pytest.raises(ValueError, match=needle):
        timing.interleaved(candidates, rounds)


def test_bad_warm_is_named():
    with pytest.raises(ValueError, match="warm must be True or False, "
                       "got 1"):
        timing.interleaved({"a": (print, 1)}, 1, warm=1)


def test_repeated_calls_the_work_that_many_times():
    calls = []
    run, units = timing.repeated(lambda: calls.append(1), calls=7)
    assert units == 7 and not calls
    run()
    assert len(calls) == 7


@pytest.mark.parametrize("work, calls, needle", [
    (1, 3, "work must be callable, got 1"),
    (print, 0, "calls must be a positive int, got 0"),
    (print, 2.0, "calls must be a positive int, got 2.0"),
])
def test_repeated_bad_input_is_named(work, calls, needle):
    with pytest.raises(ValueError, match=needle):
        timing.repeated(work, calls)
