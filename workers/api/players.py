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
from .tables import kyc_decisions, players

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
    row = await players.profile(services.db, player_id)
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
        shown["kyc_reason"] = await kyc_decisions.last_rejection_reason(services.db, player_id)
    return shown


async def search(services: Services, query: str) -> list[dict[str, Any]]:
    """Players by id, e-mail (or its beginning) or CPF (with or without punctuation)."""
    query = query.strip()
    digits = normalize_cpf(query)
    return await players.search(services.db, query, digits)


async def update(services: Services, player_id: str, given: dict[str, Any]) -> dict[str, Any]:
    row = await _row(services, player_id)
    columns = profile_columns(given, row["cpf"])
    if columns:
        await players.update_columns(services.db, player_id, columns)
    return await me(services, player_id)


async def email_of(services: Services, player_id: str) -> str:
    """The player's e-mail address (the player's id when there is no such player)."""
    found = await players.email(services.db, player_id)
    return player_id if found is None else found
