"""The WalletDO application: the single writer of one player's money movements.

Each command is decided by the core against the ledger in this object's own storage and written
in one storage transaction, with no await in between, together with its idempotency record and
its outbox rows. The alarm then projects the outbox into D1 in `seq` order (idempotently), so
D1 is the queryable copy and never on the hot path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from casino.errors import DomainError, IdempotencyKeyReused
from casino.ledger import (
    Deposit,
    EventType,
    Ledger,
    LedgerEvent,
    Withdraw,
    decide_deposit,
    decide_withdrawal,
    replay,
)
from infra.ports import ActorStorage, Clock, Database

from .schema import STATEMENTS

PROJECTION_BATCH = 500
Result = dict[str, Any]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_json(event: LedgerEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": str(event.type),
        "amount": event.amount,
        "balance_after": event.balance_after,
        "created_at": rfc3339(event.created_at),
        "ref": event.ref,
    }


def _row_event(row: dict[str, Any]) -> LedgerEvent:
    return LedgerEvent(
        seq=row["seq"],
        type=EventType(row["type"]),
        amount=row["amount"],
        balance_after=row["balance_after"],
        created_at=datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")),
        ref=row["ref"],
    )


@dataclass
class WalletDeps:
    clock: Clock
    db: Database


class Wallet:
    def __init__(self, storage: ActorStorage, deps: WalletDeps) -> None:
        self.storage, self.deps = storage, deps
        for statement in STATEMENTS:
            storage.exec(statement)

    # Reads -----------------------------------------------------------------------------
    def _ledger(self) -> Ledger:
        rows = self.storage.exec(
            "SELECT seq, balance_after FROM events ORDER BY seq DESC LIMIT 1"
        )
        return Ledger(rows[0]["balance_after"], rows[0]["seq"]) if rows else Ledger()

    def _meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.storage.exec("SELECT v FROM meta WHERE k = ?", key)
        return rows[0]["v"] if rows else default

    async def balance(self, payload: dict[str, Any]) -> Result:
        ledger = self._ledger()
        return {"balance": ledger.balance, "last_seq": ledger.last_seq}

    async def events(self, payload: dict[str, Any]) -> Result:
        after, limit = int(payload.get("after_seq", 0)), int(payload.get("limit", 100))
        rows = self.storage.exec(
            "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", after, limit + 1
        )
        more = len(rows) > limit
        events = [event_json(_row_event(r)) for r in rows[:limit]]
        return {"events": events, "next_after_seq": events[-1]["seq"] if more else None}

    async def audit(self, payload: dict[str, Any]) -> Result:
        rows = self.storage.exec("SELECT * FROM events ORDER BY seq")
        result = replay(_row_event(r) for r in rows)
        stored = self._ledger()
        return {
            "events": result.events,
            "replayed_balance": result.balance,
            "stored_balance": stored.balance,
            "consistent": result.consistent and result.balance == stored.balance,
            "first_error": result.first_error,
            "last_seq": stored.last_seq,
            "d1_projected_seq": int(self._meta("projected_seq", "0") or 0),
        }

    # Commands --------------------------------------------------------------------------
    async def deposit(self, payload: dict[str, Any]) -> Result:
        return await self._command(
            payload,
            lambda ledger, now, ref: decide_deposit(ledger, Deposit(payload["amount"], ref), now),
        )

    async def withdraw(self, payload: dict[str, Any]) -> Result:
        return await self._command(
            payload,
            lambda ledger, now, ref: decide_withdrawal(
                ledger, Withdraw(payload["amount"], ref), now
            ),
        )

    async def _command(
        self,
        payload: dict[str, Any],
        decide: Callable[[Ledger, datetime, str], list[LedgerEvent]],
    ) -> Result:
        """Decide and write one command atomically; the same key replays the first answer."""
        now = self.deps.clock.now()
        key, request_hash = payload["idempotency_key"], payload["request_hash"]

        def write() -> Result:
            known = self.storage.exec(
                "SELECT request_hash, status, body FROM idempotency WHERE key = ?", key
            )
            if known:
                if known[0]["request_hash"] != request_hash:
                    raise IdempotencyKeyReused(
                        "This Idempotency-Key was already used with a different request"
                    )
                return {"status": known[0]["status"], "body": json.loads(known[0]["body"])}
            self._remember_player(payload["player_id"])
            try:
                events = decide(self._ledger(), now, payload["ref"])
            except DomainError as refusal:
                answer: Result = {
                    "status": refusal.status,
                    "body": {"error": {"code": refusal.code, "detail": refusal.detail}},
                }
            else:
                for event in events:
                    self._append(event)
                answer = {
                    "status": 201,
                    "body": {
                        "event": event_json(events[-1]),
                        "balance": events[-1].balance_after,
                    },
                }
            self.storage.exec(
                "INSERT INTO idempotency (key, request_hash, status, body, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                key,
                request_hash,
                answer["status"],
                json.dumps(answer["body"], separators=(",", ":")),
                rfc3339(now),
            )
            return answer

        try:
            answer = self.storage.transaction(write)
        except DomainError as refusal:
            return {
                "status": refusal.status,
                "body": {"error": {"code": refusal.code, "detail": refusal.detail}},
            }
        await self._schedule_projection()
        return answer

    def _remember_player(self, player_id: str) -> None:
        self.storage.exec("INSERT OR IGNORE INTO meta (k, v) VALUES ('player_id', ?)", player_id)

    def _append(self, event: LedgerEvent) -> None:
        row = event_json(event)
        self.storage.exec(
            "INSERT INTO events (seq, type, amount, balance_after, created_at, ref) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            row["seq"],
            row["type"],
            row["amount"],
            row["balance_after"],
            row["created_at"],
            row["ref"],
        )
        self.storage.exec(
            "INSERT INTO outbox (topic, payload) VALUES ('wallet_event', ?)",
            json.dumps(row, separators=(",", ":")),
        )

    # Projection into D1 ----------------------------------------------------------------
    async def _schedule_projection(self) -> None:
        if await self.storage.get_alarm() is None:
            await self.storage.set_alarm(int(self.deps.clock.now().timestamp() * 1000))

    async def alarm(self) -> None:
        """Drain the outbox into D1 in order; a failure leaves the rows for the next alarm."""
        player_id = self._meta("player_id")
        while player_id is not None:
            rows = self.storage.exec(
                "SELECT id, topic, payload FROM outbox ORDER BY id LIMIT ?", PROJECTION_BATCH
            )
            if not rows:
                return
            events = [json.loads(r["payload"]) for r in rows if r["topic"] == "wallet_event"]
            statements = [
                self.deps.db.prepare(
                    "INSERT OR IGNORE INTO wallet_events "
                    "(player_id, seq, type, amount, balance_after, created_at, ref) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)"
                ).bind(
                    player_id,
                    e["seq"],
                    e["type"],
                    e["amount"],
                    e["balance_after"],
                    e["created_at"],
                    e["ref"],
                )
                for e in events
            ]
            if statements:
                await self.deps.db.batch(statements)
            last_id = rows[-1]["id"]
            top_seq = max((e["seq"] for e in events), default=0)

            def acknowledge(last_id: int = last_id, top_seq: int = top_seq) -> None:
                self.storage.exec("DELETE FROM outbox WHERE id <= ?", last_id)
                self.storage.exec(
                    "INSERT INTO meta (k, v) VALUES ('projected_seq', ?) ON CONFLICT (k) "
                    "DO UPDATE SET v = max(CAST(v AS INTEGER), CAST(excluded.v AS INTEGER))",
                    str(top_seq),
                )

            self.storage.transaction(acknowledge)
