"""Named queries against `players` (one row per player: identity, jurisdiction, KYC, profile
fields, account status, the D1 copy of an exclusion, the national list's check)."""

from __future__ import annotations

import json
from typing import Any

from infra.ports import Database, Row, Statement

WALLET_COLUMNS = "player_id, country, cpf, kyc_status, jurisdiction, payout_account"
PROFILE_COLUMNS = (
    "player_id, email, full_name, country, cpf, kyc_status, vip_tier, created_at, "
    "jurisdiction, account_status, address, phone, payout_account"
)
LISTING_COLUMNS = "player_id, email, cpf, country, jurisdiction, account_status"
LISTED_NOW = (
    "cpf_list_hash IN (SELECT hash FROM national_list WHERE version = "
    "(SELECT version FROM national_list_current WHERE singleton = 1))"
)


# Reads -------------------------------------------------------------------------------------
async def for_wallet(db: Database, player_id: str) -> Row | None:
    """What a money movement needs: country, CPF, KYC, jurisdiction, payout account."""
    return await (
        db.prepare(f"SELECT {WALLET_COLUMNS} FROM players WHERE player_id = ?")  # noqa: S608
        .bind(player_id)
        .first()
    )


async def profile(db: Database, player_id: str) -> Row | None:
    """The player's own profile (`/v1/players/me`)."""
    return await (
        db.prepare(f"SELECT {PROFILE_COLUMNS} FROM players WHERE player_id = ?")  # noqa: S608
        .bind(player_id)
        .first()
    )


async def email(db: Database, player_id: str) -> str | None:
    row = await db.prepare("SELECT email FROM players WHERE player_id = ?").bind(player_id).first()
    return str(row["email"]) if row else None


async def search(db: Database, query: str, cpf: str) -> list[Row]:
    """Players by id, e-mail (or its beginning) or CPF, newest first, at most 20."""
    return await (
        db.prepare(
            "SELECT player_id, email, full_name, kyc_status, account_status, jurisdiction, "
            "created_at FROM players WHERE player_id = ?1 OR email = lower(?1) "
            "OR (length(?1) >= 3 AND substr(email, 1, length(?1)) = lower(?1)) OR "
            "(length(?2) = 11 AND cpf = ?2) ORDER BY created_at DESC LIMIT 20"
        )
        .bind(query, cpf)
        .all()
    )


async def for_listing_with_login_day(db: Database, player_id: str) -> Row | None:
    """What the national list's check needs, with the day of the last login."""
    return await (
        db.prepare(
            f"SELECT {LISTING_COLUMNS}, last_login_day FROM players WHERE player_id = ?"  # noqa: S608
        )
        .bind(player_id)
        .first()
    )


async def due_for_listing_check(db: Database, cutoff: str, limit: int) -> list[Row]:
    """Active players with a CPF not checked against the list since `cutoff`."""
    return await (
        db.prepare(
            f"SELECT {LISTING_COLUMNS} FROM players "  # noqa: S608
            "WHERE cpf IS NOT NULL AND account_status = 'active' "
            "AND (exclusion_checked_at IS NULL OR exclusion_checked_at < ?) LIMIT ?"
        )
        .bind(cutoff, limit)
        .all()
    )


async def active_listed_now(db: Database, limit: int) -> list[Row]:
    """Active players whose CPF's keyed hash is on the current national list."""
    return await (
        db.prepare(
            f"SELECT {LISTING_COLUMNS} FROM players WHERE account_status = 'active' "  # noqa: S608
            f"AND {LISTED_NOW} LIMIT ?"
        )
        .bind(limit)
        .all()
    )


async def jurisdictions(db: Database) -> list[str]:
    rows = await db.prepare("SELECT DISTINCT jurisdiction FROM players ORDER BY jurisdiction").all()
    return [r["jurisdiction"] for r in rows]


async def count_by_vip_tier(db: Database) -> dict[Any, int]:
    rows = await db.prepare(
        "SELECT vip_tier, count(*) AS players FROM players GROUP BY vip_tier ORDER BY vip_tier"
    ).all()
    return {r["vip_tier"]: r["players"] for r in rows}


# Writes ------------------------------------------------------------------------------------
async def update_columns(db: Database, player_id: str, columns: dict[str, Any]) -> int:
    """`columns` (names from the code, never from a request) set on the player's row."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    return await (
        db.prepare(f"UPDATE players SET {assignments} WHERE player_id = ?")  # noqa: S608
        .bind(*columns.values(), player_id)
        .run()
    )


async def set_exclusion(db: Database, player_id: str, until: str | None, kind: str) -> int:
    """The D1 copy of the exclusion in force (the WalletDO stays the authority)."""
    return await (
        db.prepare("UPDATE players SET excluded_until = ?, exclusion_kind = ? WHERE player_id = ?")
        .bind(until, kind, player_id)
        .run()
    )


async def set_login_day(db: Database, player_id: str, day: str) -> int:
    return await (
        db.prepare("UPDATE players SET last_login_day = ? WHERE player_id = ?")
        .bind(day, player_id)
        .run()
    )


async def mark_listing_checked(db: Database, player_id: str, at: str, cpf_hash: str | None) -> int:
    return await (
        db.prepare(
            "UPDATE players SET exclusion_checked_at = ?, cpf_list_hash = ? WHERE player_id = ?"
        )
        .bind(at, cpf_hash, player_id)
        .run()
    )


async def mark_many_listing_checked(db: Database, at: str, hashes: dict[str, str]) -> int:
    """Each of `hashes` (player id -> CPF's keyed hash) checked at `at`, in one statement."""
    return await db.prepare(
        "UPDATE players SET exclusion_checked_at = ?1, cpf_list_hash = "
        "json_extract(?2, '$.\"' || player_id || '\"') "
        "WHERE player_id IN (SELECT key FROM json_each(?2))"
    ).bind(at, json.dumps(hashes)).run()  # fmt: skip


async def make_listing_due(db: Database, player_ids: list[str]) -> int:
    return await db.prepare(
        "UPDATE players SET exclusion_checked_at = NULL "
        "WHERE player_id IN (SELECT value FROM json_each(?))"
    ).bind(json.dumps(player_ids)).run()  # fmt: skip


async def make_unknown_or_listed_due(db: Database) -> int:
    """Active players with a CPF whose hash is unknown or on the current list: due for the
    re-check job."""
    return await db.prepare(
        "UPDATE players SET exclusion_checked_at = NULL WHERE account_status = 'active' "  # noqa: S608
        f"AND cpf IS NOT NULL AND (cpf_list_hash IS NULL OR {LISTED_NOW})"
    ).run()


def close_national(db: Database, player_id: str) -> Statement:
    """The account closed under the national list (for a batch)."""
    return db.prepare(
        "UPDATE players SET account_status = 'closed', excluded_until = 'permanent', "
        "exclusion_kind = 'national' WHERE player_id = ?"
    ).bind(player_id)


async def set_vip_tiers(db: Database, case: str, params: list[Any], since: str) -> int:
    """Every player's tier from their BET events since `since`, by `case` (a `CASE` over the
    wagered sum built from the tiers, its values bound as `params`): the rows that change."""
    return await (
        db.prepare(
            "UPDATE players SET vip_tier = t.tier FROM ("  # noqa: S608 (no value is spliced)
            f" SELECT p.player_id, {case} AS tier FROM players p LEFT JOIN ("
            "  SELECT player_id, sum(amount) AS wagered FROM wallet_events "
            "  WHERE type = 'BET' AND created_at >= ? GROUP BY player_id"
            " ) w ON w.player_id = p.player_id"
            ") t WHERE players.player_id = t.player_id AND players.vip_tier IS NOT t.tier"
        )
        .bind(*params, since)
        .run()
    )


# KYC and AML -------------------------------------------------------------------------------
async def kyc_status(db: Database, player_id: str) -> Row | None:
    """The player's `kyc_status` (none: no such player)."""
    return await (
        db.prepare("SELECT kyc_status FROM players WHERE player_id = ?").bind(player_id).first()
    )


def set_kyc_status(db: Database, player_id: str, status: str) -> Statement:
    """The player's KYC status (for a batch with the document or decision that moves it)."""
    return db.prepare("UPDATE players SET kyc_status = ? WHERE player_id = ?").bind(
        status, player_id
    )


async def kyc_queue(db: Database, status: str) -> list[Row]:
    """Players in KYC `status` with when they last submitted a document, the longest waiting
    first, at most 500."""
    return await (
        db.prepare(
            "SELECT p.player_id, p.email, p.full_name, p.kyc_status, max(d.created_at) AS submitted_at "
            "FROM players p LEFT JOIN kyc_documents d ON d.player_id = p.player_id "
            "WHERE p.kyc_status = ? GROUP BY p.player_id ORDER BY submitted_at, p.player_id LIMIT 500"
        )
        .bind(status)
        .all()
    )


def risk_factors(db: Database, player_id: str) -> Statement:
    """What the AML rules weigh of the player: KYC status, country, PEP (for a batch)."""
    return db.prepare("SELECT kyc_status, country, pep FROM players WHERE player_id = ?").bind(
        player_id
    )


def set_pep(db: Database, player_id: str, pep: bool) -> Statement:
    """The player marked (or no longer) a politically exposed person, returning their id when
    there is such a player (for a batch with the audit entry)."""
    return db.prepare("UPDATE players SET pep = ? WHERE player_id = ? RETURNING player_id").bind(
        int(pep), player_id
    )


# Accounts ----------------------------------------------------------------------------------
INSERT_COLUMNS = (
    "player_id, email, password_hash, full_name, birth_date, "
    "country, cpf, jurisdiction, created_at, cpf_list_hash"
)


async def email_taken(db: Database, email: str) -> Row | None:
    """Whether a player or a staff member has this e-mail (`taken`)."""
    return await (
        db.prepare(
            "SELECT EXISTS (SELECT 1 FROM players WHERE email = ?1) "
            "OR EXISTS (SELECT 1 FROM staff WHERE email = ?1) AS taken"
        )
        .bind(email)
        .first()
    )


async def insert(db: Database, values: tuple[Any, ...], columns: dict[str, Any]) -> int:
    """A new player: `values` for `INSERT_COLUMNS` in their order, then the optional `columns`
    (names from the code, never from a request)."""
    return await (
        db.prepare(
            f"INSERT INTO players ({INSERT_COLUMNS}"  # noqa: S608
            + "".join(f", {name}" for name in columns)
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
            + ", ?" * len(columns)
            + ")"
        )
        .bind(*values, *columns.values())
        .run()
    )


async def cpf_holder(db: Database, cpf: str) -> Row | None:
    """The player holding this CPF, with how many wallet events they have."""
    return await (
        db.prepare(
            "SELECT p.player_id, p.email, p.kyc_status, p.created_at, "
            "(SELECT count(*) FROM wallet_events w WHERE w.player_id = p.player_id) AS events "
            "FROM players p WHERE p.cpf = ?"
        )
        .bind(cpf)
        .first()
    )


def release_cpf(db: Database, player_id: str) -> Statement:
    """The player's CPF released and the account closed (for a batch)."""
    return db.prepare(
        "UPDATE players SET cpf = NULL, cpf_list_hash = NULL, "
        "account_status = 'closed' WHERE player_id = ?"
    ).bind(player_id)


async def for_login(db: Database, email: str) -> Row | None:
    """The player's login: subject, password hash, role, status, home, KYC status."""
    return await (
        db.prepare(
            "SELECT player_id AS subject, password_hash, 'player' AS role, 'active' AS status, "
            "coalesce(nullif(jurisdiction, ''), country) AS home, kyc_status "
            "FROM players WHERE email = ?"
        )
        .bind(email)
        .first()
    )


async def credentials(db: Database, player_id: str) -> Row | None:
    """The player's e-mail and password hash."""
    return await (
        db.prepare("SELECT email, password_hash FROM players WHERE player_id = ?")
        .bind(player_id)
        .first()
    )


def set_password_hash(db: Database, player_id: str, password_hash: str) -> Statement:
    """The player's new password hash (for a batch)."""
    return db.prepare("UPDATE players SET password_hash = ? WHERE player_id = ?").bind(
        password_hash, player_id
    )


# Games -------------------------------------------------------------------------------------
async def with_session(db: Database, player_id: str, session_id: str) -> Row | None:
    """The player's wallet fields with `session_id` when that session is theirs (else NULL)."""
    return await (
        db.prepare(
            "SELECT p.player_id, p.country, p.jurisdiction, p.cpf, p.kyc_status, s.session_id "
            "FROM players p "
            "LEFT JOIN game_sessions s ON s.session_id = ? AND s.player_id = p.player_id "
            "WHERE p.player_id = ?"
        )
        .bind(session_id, player_id)
        .first()
    )


# Reports -----------------------------------------------------------------------------------
# One UTC day, `?1 <= created_at < ?2`, of the players of jurisdiction `?3`.
DAY_COUNTS = (
    "SELECT "
    "(SELECT count(*) FROM players WHERE jurisdiction = ?3 AND created_at >= ?1 "
    " AND created_at < ?2) AS registered, "
    "(SELECT count(*) FROM ("
    " SELECT r.player_id FROM rounds r JOIN players p ON p.player_id = r.player_id "
    " WHERE r.created_at >= ?1 AND r.created_at < ?2 AND p.jurisdiction = ?3 "
    " UNION SELECT t.player_id FROM provider_transactions t "
    " JOIN players p ON p.player_id = t.player_id WHERE t.kind = 'bet' "
    " AND t.created_at >= ?1 AND t.created_at < ?2 AND p.jurisdiction = ?3)) AS active_bettors, "
    "(SELECT count(DISTINCT y.player_id) FROM payments y JOIN players p "
    " ON p.player_id = y.player_id WHERE y.kind = 'deposit' AND y.created_at >= ?1 "
    " AND y.created_at < ?2 AND p.jurisdiction = ?3) AS depositors, "
    "(SELECT count(*) FROM player_exclusions e JOIN players p ON p.player_id = e.player_id "
    " WHERE e.kind = 'self_exclusion' AND e.created_at >= ?1 AND e.created_at < ?2 "
    " AND p.jurisdiction = ?3) AS self_exclusions, "
    "(SELECT count(*) FROM player_exclusions e JOIN players p ON p.player_id = e.player_id "
    " WHERE e.kind = 'break' AND e.created_at >= ?1 AND e.created_at < ?2 "
    " AND p.jurisdiction = ?3) AS breaks, "
    "(SELECT count(*) FROM player_notices n JOIN players p ON p.player_id = n.player_id "
    " WHERE n.kind = 'national_exclusion' AND n.at >= ?1 AND n.at < ?2 "
    " AND p.jurisdiction = ?3) AS national_exclusions"
)


def day_counts(db: Database, start: str, end: str, jurisdiction: str) -> Statement:
    """One UTC day's counts of a jurisdiction's players: registered, active bettors, depositors,
    self-exclusions, breaks, national exclusions (for the report's batch)."""
    return db.prepare(DAY_COUNTS).bind(start, end, jurisdiction)
