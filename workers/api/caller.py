"""Who is calling: the identity an access token carries, as a plain value (no HTTP in sight)."""

from __future__ import annotations

from dataclasses import dataclass

# Staff roles; what each may do is the table in `api.permissions`.
STAFF_ROLES = frozenset({"kyc_reviewer", "compliance", "operator", "admin"})


@dataclass(frozen=True)
class Caller:
    subject: str
    role: str
    family_id: str
    # A player's standing as of the token's issue (claims `jur`, `kyc`); None in a staff token
    # or one issued before the claims existed. `home` is the jurisdiction the player registered
    # under (never changes); `kyc_status` may have moved on since, so a refusal re-reads it.
    home: str | None = None
    kyc_status: str | None = None
    expires_at: int = 0  # the token's `exp` (epoch seconds)
