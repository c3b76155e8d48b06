"""Wallet application: checks that need the player's profile, then one call to the WalletDO; its
answer comes back as an `Answer` (a refusal raised), never as an HTTP response."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from casino.errors import (
    IdempotencyKeyInvalid,
    IdempotencyKeyRequired,
    KycRequired,
    NotFound,
    PaymentMethodNotAllowed,
)
from casino.jurisdictions import Jurisdiction
from casino.payments import check_payer, deposit_source

from .answers import Answer, unwrap
from .audit import audit_entry
from .caller import Caller
from .services import Services


def idempotency_key(header: str | None) -> str:
    if header is None:
        raise IdempotencyKeyRequired("Money-moving requests need an Idempotency-Key header")
    if not 1 <= len(header) <= 255 or any(not 0x20 <= ord(c) <= 0x7E for c in header):
        raise IdempotencyKeyInvalid()
    return header


def request_hash(operation: str, body: dict[str, Any]) -> str:
    canonical = json.dumps([operation, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def load_player(services: Services, player_id: str) -> dict[str, Any]:
    row = (
        await services.db.prepare(
            "SELECT player_id, country, cpf, kyc_status, jurisdiction, payout_account FROM players "
            "WHERE player_id = ?"
        )
        .bind(player_id)
        .first()
    )
    if row is None:
        raise NotFound("No such player")
    return row


def check_payment(
    profile: Jurisdiction, player: dict[str, Any], method: str, payer_document: str | None
) -> None:
    if method not in profile.payment_methods:
        allowed = ", ".join(sorted(profile.payment_methods))
        raise PaymentMethodNotAllowed(f"Payment method '{method}' is not allowed; use {allowed}")
    check_payer(payer_document, player.get("cpf"))  # in every jurisdiction


async def move_money(
    services: Services,
    player_id: str,
    operation: str,
    key_header: str | None,
    body: dict[str, Any],
    device: str | None = None,
) -> Answer:
    key = idempotency_key(key_header)
    player = await load_player(services, player_id)
    profile = services.player_profile(player)
    check_payment(profile, player, body["method"], body.get("payer_document"))
    if operation == "withdraw" and player["kyc_status"] != "verified":
        raise KycRequired("Withdrawals require a verified identity (KYC)")
    payload = {
        "player_id": player_id,
        "idempotency_key": key,
        "request_hash": request_hash(operation, body),
        "amount": body["amount"],
        "method": body["method"],
        "ref": f"payment:{services.new_id()}",
        "rg": {
            "idle_minutes": profile.idle_timeout_minutes,
            "utc_offset_minutes": profile.utc_offset_minutes,
        },
    }
    if operation == "deposit":
        payload["source"] = deposit_source(
            body["method"], body.get("payer_document"), player.get("cpf")
        )
        if device:  # for the shared-device AML rule: a keyed hash, never the id itself
            payload["aml_context"] = {"device": fingerprint(services, "device", device)}
    else:
        registered = player.get("payout_account")
        payload["payout_account"] = json.loads(registered) if registered else None
        payload["destination_required"] = profile.withdrawal_destination_required
        payload["payout_within_minutes"] = profile.payout_within_minutes
    result = await services.wallets.get(player_id).call(operation, payload)
    return unwrap(result)


def fingerprint(services: Services, attribute: str, value: str) -> str:
    key = services.settings.exclusion_key or services.settings.jwt_secret.encode()
    return hmac.new(key, f"{attribute}|{value}".encode(), hashlib.sha256).hexdigest()[:32]


async def grant_bonus(
    services: Services, staff: Caller, player_id: str, key_header: str | None, body: dict[str, Any]
) -> Answer:
    from casino.errors import BonusNotAllowed
    from casino.jurisdictions import to_dict

    key = idempotency_key(key_header)
    player = await load_player(services, player_id)
    profile = services.player_profile(player)
    if not profile.bonuses_allowed:
        raise BonusNotAllowed(f"Bonuses are not allowed in the {profile.code} jurisdiction")
    payload = {
        "player_id": player_id,
        "idempotency_key": f"ops:{key}",
        "request_hash": request_hash("bonus", body),
        "amount": body["amount"],
        "wagering_multiplier": body["wagering_multiplier"],
        "ref": f"bonus:{services.new_id()}",
        "profile": to_dict(profile),
    }
    result = await services.wallets.get(player_id).call("grant_bonus", payload)
    if result["status"] == 201:
        await audit_entry(
            services, staff.subject, staff.role, "wallet.bonus", player_id, body,
            result["body"]["event"]["created_at"],
        ).run()  # fmt: skip
    return unwrap(result)
