"""The one place that counts throttled attempts: a single conditional UPSERT per bucket in D1.

D1 runs each statement alone on its one primary (and the local D1 runs each one synchronously),
so "charge an attempt if the bucket's back-off has passed" cannot be outrun by parallel requests:
of a burst, only the attempts the policy allows are charged, and only charged attempts are
evaluated. The policy's arithmetic is `casino.throttle`; the SQL (`tables.auth_throttle`) computes the same.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math

from casino.errors import RateLimited
from casino.throttle import ThrottlePolicy

from .services import Services
from .tables import auth_throttle

PRUNE_AFTER_MS = 24 * 60 * 60 * 1000


def bucket(policy: ThrottlePolicy, identity: str) -> str:
    """Bucket names carry no e-mail or address in clear."""
    return f"{policy.name}:" + hashlib.sha256(identity.encode()).hexdigest()


def exempt_address(services: Services, address: str) -> bool:
    """Loopback addresses are not counted on the local runtime (test suites on one machine)."""
    if not services.settings.exempt_loopback_addresses:
        return False
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address in ("localhost", "testclient")


async def charge(services: Services, policy: ThrottlePolicy, name: str, now_ms: int) -> None:
    """Charge one attempt to the bucket, or raise 429 `rate_limited` with `Retry-After`."""
    row = await auth_throttle.charge(
        services.db, name, now_ms, policy.free_attempts, policy.base_ms, policy.max_ms,
        policy.forget_ms,
    )  # fmt: skip
    if row is not None:
        return
    state = await auth_throttle.state(services.db, name)
    wait_ms = (
        policy.retry_after_ms(int(state["attempts"]), int(state["last_ms"]), now_ms) if state else 0
    )
    raise RateLimited(
        "Too many attempts; try again later", retry_after=max(1, math.ceil(wait_ms / 1000))
    )


async def refund(services: Services, name: str) -> None:
    """Take back a charged attempt that turned out not to be a failure."""
    await auth_throttle.refund(services.db, name)


async def reset(services: Services, name: str, now_ms: int) -> None:
    """The owner got in: forget the bucket (and buckets idle for a day)."""
    await services.db.batch(
        [
            auth_throttle.delete(services.db, name),
            auth_throttle.delete_idle(services.db, now_ms - PRUNE_AFTER_MS),
        ]
    )
