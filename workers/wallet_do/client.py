"""The callers' handle on one player's WalletDO (the API's and the SessionDO's): one typed method
per `Wallet` command (`casino.messages`), each payload addressed to the object named by the
player's id and naming that player, so the object can check the two agree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from casino.messages import SettleRound, addressed
from infra.ports import ActorNamespace

Answer = dict[str, Any]  # `{status, body}`, the body as the HTTP answer shows it
Json = Mapping[str, Any]
ExclusionKind = Literal["self_exclusion", "break", "national"]


def done(answer: Answer, command: str) -> Answer:
    """The answer of a command that must have been done (a write the caller's own D1 write
    follows): anything but 200 stops the caller before D1 gets ahead of the WalletDO."""
    if answer.get("status") != 200:
        raise RuntimeError(f"WalletDO {command} answered {answer.get('status')}")
    return answer


class WalletClient:
    def __init__(self, wallets: ActorNamespace, player_id: str) -> None:
        self.player_id = player_id
        self._stub = wallets.get(player_id)

    async def _call(self, method: str, payload: Mapping[str, Any]) -> Answer:
        body = {"player_id": self.player_id, **payload}
        return await self._stub.call(method, addressed(body, self.player_id))

    # Reads: answered as they are (`balance`, `events`, `audit`) or as `{status, body}` -------
    async def balance(self) -> Answer:
        """`{balance, last_seq}` straight from the ledger."""
        return await self._call("balance", {})

    async def events(self, after_seq: int = 0, limit: int = 100) -> Answer:
        """A page of the ledger's events after `after_seq`: `{events, next_after_seq}`."""
        return await self._call("events", {"after_seq": after_seq, "limit": limit})

    async def audit(self) -> Answer:
        """The ledger replayed from its first event, against its stored balance."""
        return await self._call("audit", {})

    async def withdrawals(self) -> Answer:
        return await self._call("withdrawals", {})

    async def bonus_status(self) -> Answer:
        return await self._call("bonus_status", {})

    async def get_limits(self, rules: Json) -> Answer:
        """The limits in force and pending, under the jurisdiction's `LimitRules` (as a dict)."""
        return await self._call("get_limits", {"rules": dict(rules)})

    async def rg_status(self) -> Answer:
        return await self._call("rg_status", {})

    async def reality_check(self, rules: Json) -> Answer:
        """The current play session's figures, under the jurisdiction's `PlayRules` (a dict)."""
        return await self._call("reality_check", dict(rules))

    # Money: exactly once per idempotency key -------------------------------------------------
    async def deposit(
        self, *, idempotency_key: str, request_hash: str, ref: str, amount: int, method: str,
        rg: Json, source: Json, aml_context: Json | None = None,
    ) -> Answer:  # fmt: skip
        """DEPOSIT `amount` (minor units) under the player's deposit limits."""
        payload: dict[str, Any] = {
            "idempotency_key": idempotency_key, "request_hash": request_hash, "ref": ref,
            "amount": amount, "method": method, "rg": dict(rg), "source": dict(source),
        }  # fmt: skip
        if aml_context:
            payload["aml_context"] = dict(aml_context)
        return await self._call("deposit", payload)

    async def withdraw(
        self, *, idempotency_key: str, request_hash: str, ref: str, amount: int, method: str,
        rg: Json, payout_account: Json | None, destination_required: bool,
        payout_within_minutes: int,
    ) -> Answer:  # fmt: skip
        """WITHDRAW `amount` (minor units) to the registered or own account, paid by the alarm."""
        return await self._call("withdraw", {
            "idempotency_key": idempotency_key, "request_hash": request_hash, "ref": ref,
            "amount": amount, "method": method, "rg": dict(rg), "payout_account": payout_account,
            "destination_required": destination_required,
            "payout_within_minutes": payout_within_minutes,
        })  # fmt: skip

    async def grant_bonus(
        self, *, idempotency_key: str, request_hash: str, ref: str, amount: int,
        wagering_multiplier: int, profile: Json,
    ) -> Answer:  # fmt: skip
        """BONUS_CREDIT with its wagering requirement, under the jurisdiction `profile` (a dict)."""
        return await self._call("grant_bonus", {
            "idempotency_key": idempotency_key, "request_hash": request_hash, "ref": ref,
            "amount": amount, "wagering_multiplier": wagering_multiplier, "profile": dict(profile),
        })  # fmt: skip

    async def provider_transaction(
        self, *, idempotency_key: str, request_hash: str, ref: str, transaction: Json, rg: Json
    ) -> Answer:
        """A provider's bet, win, refund or rollback, at most once per its transaction id."""
        return await self._call("provider_transaction", {
            "idempotency_key": idempotency_key, "request_hash": request_hash, "ref": ref,
            "transaction": dict(transaction), "rg": dict(rg),
        })  # fmt: skip

    # Responsible gaming ----------------------------------------------------------------------
    async def set_limits(self, changes: Mapping[str, int | None], rules: Json) -> Answer:
        """Each change by the lower-at-once rule; no change settles the limits that are due."""
        return await self._call("set_limits", {"changes": dict(changes), "rules": dict(rules)})

    async def exclude(
        self, kind: ExclusionKind, *, days: int | None = None, permanent: bool = False,
        hours: int | None = None,
    ) -> Answer:  # fmt: skip
        """A self-exclusion (`days` or `permanent`), a break (`hours`) or the national list's."""
        payload: dict[str, Any] = {"kind": kind}
        if kind == "break":
            payload["hours"] = hours
        elif kind == "self_exclusion":
            payload.update(days=days, permanent=permanent)
        return await self._call("exclude", payload)

    async def check_can_play(self) -> Answer:
        """200 when the player may open a session (no exclusion in force), else the refusal."""
        return await self._call("check_can_play", {})

    async def settle_round(self, command: SettleRound) -> Answer:
        """BET and WIN of a resolved round, at most once per round id."""
        return await self._call("settle_round", command.to_dict())

    async def aml_restrict(self, level: str | None, *, lift: bool = False) -> Answer:
        """The AML restriction an alert asks (`hold`, `freeze`); `lift` with None lifts it."""
        payload: dict[str, Any] = {"player_id": self.player_id, "level": level}
        if lift:
            payload["lift"] = True
        return await self._call("aml_restrict", payload)

    # Logins and KYC status: what an authenticated request asks, without D1 (a write that is not
    # done raises: the caller's D1 write must not go ahead of it) ------------------------------
    async def start_login(self, family_id: str, at: str, until: str | None = None) -> Answer:
        """The login `family_id` started (at login or refresh), usable until `until` (its
        refresh token's expiry); an ended login stays ended."""
        payload = {"family_id": family_id, "at": at, "until": until}
        return done(await self._call("start_login", payload), "start_login")

    async def end_logins(self, family_ids: list[str], why: str) -> Answer:
        """Those logins ended: their access tokens are refused from now on."""
        payload = {"family_ids": list(family_ids), "why": why}
        return done(await self._call("end_logins", payload), "end_logins")

    async def set_kyc_status(self, status: str) -> Answer:
        """The player's KYC status now (set before D1's, by the app's KYC writers)."""
        payload = {"kyc_status": status}
        return done(await self._call("set_kyc_status", payload), "set_kyc_status")

    async def login_state(self, family_id: str) -> Answer:
        """`{status, body: {known, ended, kyc_status}}` of one login of the player."""
        return await self._call("login_state", {"family_id": family_id})
