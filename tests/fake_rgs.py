"""A small fake remote game server (RGS): it plays rounds of its own game for a player by calling
the casino's seamless-wallet callbacks, signed as a real provider signs them, and retries a
callback whose answer was lost with the same transaction id (as providers must)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx


def signature(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    message = f"{timestamp}\n{method}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class FakeRgs:
    client: httpx.AsyncClient
    provider_id: str
    secret: str
    retries: int = 200
    sent: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)

    def signed(self, kind: str, body: dict[str, Any], at: float | None = None) -> dict[str, Any]:
        path = f"/v1/providers/{self.provider_id}/wallet/{kind}"
        raw = json.dumps(body).encode()
        stamp = str(int(time.time() if at is None else at))
        return {
            "url": path,
            "content": raw,
            "headers": {
                "content-type": "application/json",
                "X-Provider-Timestamp": stamp,
                "X-Provider-Signature": signature(self.secret, stamp, "POST", path, raw),
            },
        }

    async def call(self, kind: str, body: dict[str, Any]) -> httpx.Response:
        for _ in range(self.retries):
            r = await self.client.post(**self.signed(kind, body))
            if r.status_code != 503:
                self.sent.append((kind, body, r.status_code))
                return r
            await asyncio.sleep(0.002)
        raise AssertionError(f"the casino never answered {kind} {body}")

    async def balance(self, token: str) -> httpx.Response:
        return await self.call("balance", {"session_token": token})

    async def bet(self, token: str, round_id: str, amount: int, tx: str | None = None):
        return await self.call("bet", {"session_token": token, "transaction_id": tx or f"b-{uuid.uuid4()}",
                                       "round_id": round_id, "amount": amount})  # fmt: skip

    async def credit(self, kind: str, token: str, round_id: str, bet_tx: str,
                     amount: int | None = None, tx: str | None = None):  # fmt: skip
        body = {"session_token": token, "transaction_id": tx or f"{kind[0]}-{uuid.uuid4()}",
                "round_id": round_id, "bet_transaction_id": bet_tx}  # fmt: skip
        if amount is not None:
            body["amount"] = amount
        return await self.call(kind, body)

    async def play(self, token: str, stake: int, rng: random.Random) -> dict[str, Any]:
        """One round of the provider's game: a bet, then a win (twice the stake, half the time)
        or a closing win of 0."""
        round_id, bet_tx = f"r-{uuid.uuid4()}", f"b-{uuid.uuid4()}"
        bet = await self.bet(token, round_id, stake, bet_tx)
        if bet.status_code != 200:
            return {"bet": bet, "win": None, "paid": 0, "staked": 0}
        payout = 2 * stake if rng.random() < 0.5 else 0
        win = await self.credit("win", token, round_id, bet_tx, payout)
        assert win.status_code == 200, win.text
        return {"bet": bet, "win": win, "paid": payout, "staked": stake}
