"""Interleaved pairs: the one way these benchmarks compare two things.

Other work shares these two cores, so a load spike during all of A's runs and none of B's
would end up in the ratio. Timing A, B, A, B ... puts each pair under the same load, and the
median and range of the pairs' ratios say how much the load moved the figure.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Ratios:
    """A over B for each interleaved pair, with both sides' own figures."""

    a: list[float]
    b: list[float]

    @property
    def ratios(self) -> list[float]:
        return [x / y for x, y in zip(self.a, self.b, strict=True)]

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def low(self) -> float:
        return min(self.ratios)

    @property
    def high(self) -> float:
        return max(self.ratios)

    def describe(self, unit: str = "s") -> str:
        return (
            f"{self.median:.2f}x (range {self.low:.2f}-{self.high:.2f}; "
            f"medians {statistics.median(self.a):.2f} {unit} / {statistics.median(self.b):.2f} {unit}; "
            f"{len(self.a)} pairs)"
        )


def interleaved(a: Callable[[], float], b: Callable[[], float], pairs: int) -> Ratios:
    """Run ``a`` then ``b``, ``pairs`` times; each call returns its own measure (seconds,
    bytes ...)."""
    xs, ys = [], []
    for _ in range(pairs):
        xs.append(a())
        ys.append(b())
    return Ratios(xs, ys)
