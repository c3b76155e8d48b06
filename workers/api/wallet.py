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
from wallet_do.client import WalletClient

from .answers import Answer, unwrap
from .audit import audit_entry
from .caller import Caller
from .services import Services
from .tables import players


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
    """The player's row as a money movement needs it; 404 when there is no such player."""
    row = await players.for_wallet(services.db, player_id)
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
    client, ref = WalletClient(services.wallets, player_id), f"payment:{services.new_id()}"
    common: dict[str, Any] = {
        "idempotency_key": key, "request_hash": request_hash(operation, body), "ref": ref,
        "amount": body["amount"], "method": body["method"],
        "rg": {
            "idle_minutes": profile.idle_timeout_minutes,
            "utc_offset_minutes": profile.utc_offset_minutes,
        },
    }  # fmt: skip
    if operation == "deposit":
        source = deposit_source(body["method"], body.get("payer_document"), player.get("cpf"))
        # For the shared-device AML rule: a keyed hash, never the id itself.
        context = {"device": fingerprint(services, "device", device)} if device else None
        return unwrap(await client.deposit(**common, source=source, aml_context=context))
    registered = player.get("payout_account")
    return unwrap(
        await client.withdraw(
            **common,
            payout_account=json.loads(registered) if registered else None,
            destination_required=profile.withdrawal_destination_required,
            payout_within_minutes=profile.payout_within_minutes,
        )
    )


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
    result = await WalletClient(services.wallets, player_id).grant_bonus(
        idempotency_key=f"ops:{key}",
        request_hash=request_hash("bonus", body),
        ref=f"bonus:{services.new_id()}",
        amount=body["amount"],
        wagering_multiplier=body["wagering_multiplier"],
        profile=to_dict(profile),
    )
    if result["status"] == 201:
        await audit_entry(
            services, staff.subject, staff.role, "wallet.bonus", player_id, body,
            result["body"]["event"]["created_at"],
        ).run()  # fmt: skip
    return unwrap(result)


# Reads ---------------------------------------------------------------------------------------
async def balance(services: Services, player_id: str) -> dict[str, Any]:
    """`{balance, currency, last_seq}`: the ledger's balance in the player's currency."""
    player = await load_player(services, player_id)
    state = await WalletClient(services.wallets, player_id).balance()
    currency = services.player_profile(player).currency
    return {"balance": state["balance"], "currency": currency, "last_seq": state["last_seq"]}


async def events(
    services: Services, player_id: str, after_seq: int, limit: int, check_player: bool = False
) -> dict[str, Any]:
    """A page of the player's ledger (`check_player`: 404 unless the player exists)."""
    if check_player:
        await load_player(services, player_id)
    return await WalletClient(services.wallets, player_id).events(after_seq, limit)


async def withdrawals(services: Services, player_id: str) -> dict[str, Any]:
    await load_player(services, player_id)
    return await WalletClient(services.wallets, player_id).withdrawals()


async def bonus_status(services: Services, player_id: str) -> dict[str, Any]:
    await load_player(services, player_id)
    return await WalletClient(services.wallets, player_id).bonus_status()


async def audit(services: Services, player_id: str) -> dict[str, Any]:
    """The player's ledger replayed against its stored balance (for staff)."""
    await load_player(services, player_id)
    return await WalletClient(services.wallets, player_id).audit()
