"""Shared helpers: timing with medians of several runs, and the results table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    id: str
    what: str
    ours: float
    baseline: float
    unit: str
    target: str
    passed: bool

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("nan")


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, float, float]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), min(values), max(values)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def print_table(figures: list[Figure]) -> None:
    print(f"{'id':4} {'figure':58} {'ours':>12} {'baseline':>12} {'ratio':>7} {'target':>10} ok")
    for f in figures:
        print(
            f"{f.id:4} {f.what[:58]:58} {f.ours:12.4g} {f.baseline:12.4g} {f.ratio:7.3f} "
            f"{f.target:>10} {'PASS' if f.passed else 'FAIL'}"
        )
