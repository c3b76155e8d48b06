"""Injected faults for `casino dev --faults RATE --fault-seed N` and the bank-invariant test.

Every call to a Durable Object (from the Worker or from another Durable Object) and every D1
batch draws from one seeded generator. With probability `rate` the call fails: half of the
failures before the callee runs (`before`: nothing happened), half after it has committed
(`after`: it happened, the reply is lost). The caller sees `Unavailable` either way, as on the
edge, where an RPC or D1 call can fail in transit. The bank-invariant test also asks for
`interrupt`: the object is reset while the call is in flight (every request it is running is
cancelled at its current await, and the instance is evicted), as Cloudflare does when it resets
a Durable Object.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

BEFORE, AFTER, INTERRUPT = "before", "after", "interrupt"
SPEC_MODES = (BEFORE, AFTER)


@dataclass
class FaultPlan:
    rate: float
    seed: int = 0
    modes: tuple[str, ...] = SPEC_MODES
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("the fault rate is a probability from 0 to 1")
        unknown = set(self.modes) - {BEFORE, AFTER, INTERRUPT}
        if unknown or not self.modes:
            raise ValueError(f"unknown fault modes: {sorted(unknown)}")
        self._random = random.Random(self.seed)

    def draw(self, where: str) -> str | None:
        """The fault for this call (`before`, `after`, `interrupt`), or None."""
        if self.rate == 0.0 or self._random.random() >= self.rate:
            return None
        mode = self.modes[self._random.randrange(len(self.modes))]
        self.injected[f"{where}:{mode}"] = self.injected.get(f"{where}:{mode}", 0) + 1
        return mode

    def awaits_before_interrupt(self) -> int:
        """How many event-loop turns an interrupted call gets before its object is reset."""
        return self._random.randrange(4)


NO_FAULTS = FaultPlan(0.0)
