"""Throttle policies: how many attempts a bucket (an account, an address) gets before it must
wait, and how the wait grows. Pure arithmetic; the one statement that charges an attempt
atomically lives in `api.throttle` and computes the same numbers in SQL.

An attempt is charged before it is evaluated (a password hashed, a code checked), so a burst of
parallel requests cannot all be evaluated while the first ones are still in flight. After
`free_attempts` attempts, each further one must wait `base_ms * 2**k` (k = 0, 1, 2, ... counted
from the last free attempt) since the previous attempt, up to `max_ms`: exponential back-off,
never a permanent lock-out. A bucket with no attempt for `forget_ms` starts again from zero.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHIFT = 30  # 2**30 * base_ms is far beyond any cap; keeps the SQL shift in range


@dataclass(frozen=True)
class ThrottlePolicy:
    name: str
    free_attempts: int
    base_ms: int
    max_ms: int
    forget_ms: int

    def wait_ms(self, attempts: int) -> int:
        """How long after an attempt that made the count `attempts` the next one must wait."""
        if attempts < self.free_attempts:
            return 0
        return min(self.max_ms, self.base_ms << min(attempts - self.free_attempts, MAX_SHIFT))

    def retry_after_ms(self, attempts: int, last_ms: int, now_ms: int) -> int:
        """0 when an attempt may be made now, else the milliseconds until it may."""
        if now_ms - last_ms >= self.forget_ms:
            return 0
        return max(0, last_ms + self.wait_ms(attempts) - now_ms)


MINUTE_MS = 60_000
# Failed logins of one account (player or staff), everywhere: 5 at once, then 10 s, 20 s, 40 s,
# ... up to 15 minutes between attempts; forgotten after an hour without one. (The first wait is
# long enough that a burst of parallel guesses ends inside it: 5 evaluated of 100.)
ACCOUNT_LOGIN = ThrottlePolicy("account", 5, 10_000, 15 * MINUTE_MS, 60 * MINUTE_MS)
# Failed logins from one address (many players may share one behind a NAT).
ADDRESS_LOGIN = ThrottlePolicy("address", 100, 10_000, 15 * MINUTE_MS, 15 * MINUTE_MS)
# Registrations from one address.
ADDRESS_REGISTRATION = ThrottlePolicy("register", 20, 30_000, 60 * MINUTE_MS, 60 * MINUTE_MS)
