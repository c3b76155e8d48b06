"""Players application: the player's own profile, including what Brazil asks to be kept
(address, phone, a payout account in the player's own CPF), readable and settable later."""

from __future__ import annotations

import json
from typing import Any

from casino.cpf import normalize_cpf
from casino.errors import NotFound
from casino.jurisdictions import Jurisdiction
from casino.payments import payout_account

from .services import Services

PROFILE_FIELDS = ("address", "phone", "payout_account")


def profile_columns(given: dict[str, Any], cpf: str | None) -> dict[str, Any]:
    """The D1 columns for the profile fields given (validated: the payout account must be in
    the player's CPF)."""
    columns: dict[str, Any] = {}
    if given.get("address") is not None:
        columns["address"] = json.dumps(given["address"], sort_keys=True)
    if given.get("phone") is not None:
        columns["phone"] = given["phone"]
    if given.get("payout_account") is not None:
        columns["payout_account"] = json.dumps(payout_account(given["payout_account"], cpf))
    if given.get("gender") is not None:
        columns["gender"] = given["gender"]
    return columns


def missing_fields(profile: Jurisdiction, row: dict[str, Any]) -> list[str]:
    if not profile.withdrawal_destination_required:
        return []
    return [name for name in PROFILE_FIELDS if not row.get(name)]


async def _row(services: Services, player_id: str) -> dict[str, Any]:
    row = (
        await services.db.prepare(
            "SELECT player_id, email, full_name, country, cpf, kyc_status, vip_tier, created_at, "
            "jurisdiction, account_status, address, phone, payout_account FROM players "
            "WHERE player_id = ?"
        )
        .bind(player_id)
        .first()
    )
    if row is None:
        raise NotFound("No such player")
    return row


async def me(services: Services, player_id: str) -> dict[str, Any]:
    row = await _row(services, player_id)
    shown = {k: v for k, v in row.items() if k != "cpf"}
    for name in ("address", "payout_account"):
        shown[name] = json.loads(row[name]) if row[name] else None
    shown["missing_fields"] = missing_fields(services.player_profile(row), row)
    shown["kyc_reason"] = None
    if row["kyc_status"] == "rejected":
        decision = await services.db.prepare(
            "SELECT reason FROM kyc_decisions WHERE player_id = ? AND decision = 'reject' "
            "ORDER BY decided_at DESC LIMIT 1"
        ).bind(player_id).first()  # fmt: skip
        shown["kyc_reason"] = decision["reason"] if decision else None
    return shown


async def search(services: Services, query: str) -> list[dict[str, Any]]:
    """Players by id, e-mail (or its beginning) or CPF (with or without punctuation)."""
    query = query.strip()
    digits = normalize_cpf(query)
    return (
        await services.db.prepare(
            "SELECT player_id, email, full_name, kyc_status, account_status, jurisdiction, "
            "created_at FROM players WHERE player_id = ?1 OR email = lower(?1) "
            "OR (length(?1) >= 3 AND substr(email, 1, length(?1)) = lower(?1)) OR "
            "(length(?2) = 11 AND cpf = ?2) ORDER BY created_at DESC LIMIT 20"
        )
        .bind(query, digits)
        .all()
    )


async def update(services: Services, player_id: str, given: dict[str, Any]) -> dict[str, Any]:
    row = await _row(services, player_id)
    columns = profile_columns(given, row["cpf"])
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        await (
            services.db.prepare(f"UPDATE players SET {assignments} WHERE player_id = ?")  # noqa: S608
            .bind(*columns.values(), player_id)
            .run()
        )
    return await me(services, player_id)
