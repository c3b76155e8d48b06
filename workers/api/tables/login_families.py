"""Named queries against `login_families` (one per login: its refresh tokens rotate within it,
and revoking it ends every token of that login)."""

from __future__ import annotations

from infra.ports import Database, Row

STATE = (
    "SELECT f.revoked_at, p.kyc_status FROM login_families f "
    "LEFT JOIN players p ON p.player_id = f.subject WHERE f.family_id = ?"
)


async def state(db: Database, family_id: str) -> Row | None:
    """Whether the login has ended (`revoked_at`) and its player's KYC status now (None for
    staff): one primary-key row and its player, the one D1 read of an authenticated request."""
    return await db.prepare(STATE).bind(family_id).first()
