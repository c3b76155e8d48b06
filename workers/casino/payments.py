"""Own-account payments (BR: Portaria SPA/MF 615/2024): money comes in only from, and goes out
only to, an account in the player's own CPF, and prizes are paid within 120 minutes.

A payout account is a PIX key or a bank account. Whose it is can be checked here only where the
account itself names the CPF: a PIX key of type CPF, or a bank account with its holder's CPF
(as the payment provider reports it). A PIX e-mail, phone or random key names no one, so it is
refused where payouts must go to the player's own CPF.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .cpf import normalize_cpf, parse_cpf
from .errors import PayerMismatch, PayoutAccountMismatch, ProfileIncomplete, ValidationFailed

PIX_KEY_TYPES = frozenset({"cpf", "email", "phone", "random"})
BANK_ACCOUNT_TYPES = frozenset({"checking", "savings", "payment"})


def check_payer(payer_document: str | None, player_cpf: str | None) -> None:
    """A payer the provider reports (or the client names) must be the player's own CPF."""
    if payer_document is None:
        return
    if player_cpf is None or normalize_cpf(payer_document) != player_cpf:
        raise PayerMismatch("Payments must come from and go to an account in your own CPF")


def payout_account(data: Mapping[str, Any], player_cpf: str | None) -> dict[str, Any]:
    """A payout account as registered: normalized, and checked to be in the player's CPF when
    the player has one."""
    kind = data.get("type")
    if kind == "pix":
        key_type, key = data.get("pix_key_type"), str(data.get("pix_key") or "").strip()
        if key_type not in PIX_KEY_TYPES or not key:
            raise ValidationFailed("A PIX account needs pix_key_type (cpf, email, phone, random)")
        account: dict[str, Any] = {"type": "pix", "pix_key_type": key_type, "pix_key": key}
        holder = parse_cpf(key) if key_type == "cpf" else None
        if key_type == "cpf" and holder is None:
            raise ValidationFailed("The PIX key is not a valid CPF")
        if key_type == "cpf":
            account["pix_key"] = holder
    elif kind == "bank":
        fields = {f: str(data.get(f) or "").strip() for f in ("bank_code", "branch", "account")}
        if not all(fields.values()) or not fields["bank_code"].isdigit():
            raise ValidationFailed("A bank account needs bank_code (digits), branch and account")
        account_type = data.get("account_type", "checking")
        if account_type not in BANK_ACCOUNT_TYPES:
            raise ValidationFailed("account_type is checking, savings or payment")
        holder = parse_cpf(str(data.get("holder_document") or ""))
        if holder is None:
            raise ValidationFailed("holder_document must be the account holder's CPF")
        account = {
            "type": "bank",
            **fields,
            "account_type": account_type,
            "holder_document": holder,
        }
    else:
        raise ValidationFailed("A payout account is of type pix or bank")
    if player_cpf is not None and holder != player_cpf:
        raise PayoutAccountMismatch(
            "Payouts go only to an account in your own CPF: a PIX key that is your CPF, or a "
            "bank account whose holder is you"
        )
    return account


def deposit_source(
    method: str, payer_document: str | None, player_cpf: str | None
) -> dict[str, Any]:
    """Where a deposit came from. Without a payer named, the payment provider's rule (own-CPF
    accounts only, P615) makes it the player's own account."""
    document = normalize_cpf(payer_document) if payer_document else player_cpf
    return {"method": method, "document": document, "own": document is not None}


def withdrawal_destination(
    registered: Mapping[str, Any] | None,
    own_source: Mapping[str, Any] | None,
    required: bool,
) -> dict[str, Any] | None:
    """The registered payout account, else the own-CPF account the deposits came from; where a
    destination is required and there is neither, 403 `profile_incomplete`."""
    if registered:
        return dict(registered)
    if own_source:
        return {"type": "deposit_source", **own_source}
    if required:
        raise ProfileIncomplete(
            "Register a payout account in your own CPF (PUT /v1/players/me) before withdrawing"
        )
    return None


def due_by(requested_at: datetime, within_minutes: int) -> datetime:
    return requested_at + timedelta(minutes=within_minutes)


def masked(account: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An account as shown back to people: the last digits only."""
    if not account:
        return None
    shown = dict(account)
    for name in ("pix_key", "account", "document", "holder_document"):
        value = shown.get(name)
        if isinstance(value, str) and len(value) > 4:
            shown[name] = "*" * (len(value) - 4) + value[-4:]
    return shown
