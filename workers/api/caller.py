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
