"""Latency bookkeeping shared by the benchmarks: one `Timings` per measured phase."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Timings:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0  # seconds the whole phase took, where the bench measures it

    def add(self, seconds: float, error: str | None = None) -> None:
        self.latencies.append(seconds)
        if error:
            self.errors.append(error)

    def ms(self, percentile: float) -> float:
        """The given percentile of the latencies, in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(percentile / 100 * len(ordered)))] * 1000

    @property
    def max_ms(self) -> float:
        return max(self.latencies) * 1000
