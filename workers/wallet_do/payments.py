"""The WalletDO's payments: where each deposit came from and where each withdrawal goes, written
in the same storage transaction as the ledger events, with an outbox row so D1 (and the
regulatory reports) see them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from casino.payments import due_by, masked
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ActorStorage

from .projection import Outbox


class Payments:
    def __init__(self, storage: ActorStorage, outbox: Outbox) -> None:
        self.storage, self.outbox = storage, outbox

    def _outbox(self, ref: str) -> None:
        [row] = self.storage.exec("SELECT * FROM payments WHERE ref = ?", ref)
        self.outbox.add("payment", row)

    def record_deposit(self, ref: str, amount: int, source: dict[str, Any], now: datetime) -> None:
        self.storage.exec(
            "INSERT INTO payments (ref, kind, method, amount, account, own_account, status, "
            "created_at) VALUES (?, 'deposit', ?, ?, ?, ?, 'received', ?)",
            ref, source["method"], amount, json.dumps(source), int(bool(source.get("own"))),
            rfc3339(now),
        )  # fmt: skip
        self._outbox(ref)

    def own_source(self) -> dict[str, Any] | None:
        """The own-CPF account of the latest deposit, where a withdrawal can go back to."""
        rows = self.storage.exec(
            "SELECT account FROM payments WHERE kind = 'deposit' AND own_account = 1 "
            "ORDER BY created_at DESC LIMIT 1"
        )
        return dict(json.loads(rows[0]["account"])) if rows else None

    def request_withdrawal(
        self,
        ref: str,
        method: str,
        amount: int,
        destination: dict[str, Any] | None,
        now: datetime,
        within_minutes: int,
    ) -> dict[str, Any]:
        self.storage.exec(
            "INSERT INTO payments (ref, kind, method, amount, account, own_account, status, "
            "created_at, due_by) VALUES (?, 'withdrawal', ?, ?, ?, ?, 'requested', ?, ?)",
            ref, method, amount, json.dumps(destination) if destination else None,
            int(destination is not None), rfc3339(now), rfc3339(due_by(now, within_minutes)),
        )  # fmt: skip
        self._outbox(ref)
        return self.describe(self._row(ref), now)

    def _row(self, ref: str) -> dict[str, Any]:
        return self.storage.exec("SELECT * FROM payments WHERE ref = ?", ref)[0]

    def open_withdrawals(self, limit: int = 50) -> list[dict[str, Any]]:
        return self.storage.exec(
            "SELECT * FROM payments WHERE status = 'requested' ORDER BY created_at LIMIT ?", limit
        )

    def mark_paid(self, ref: str, now: datetime) -> None:
        self.storage.exec(
            "UPDATE payments SET status = 'paid', paid_at = ? WHERE ref = ? AND status = "
            "'requested'",
            rfc3339(now), ref,
        )  # fmt: skip
        self._outbox(ref)

    def withdrawals(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.storage.exec(
            "SELECT * FROM payments WHERE kind = 'withdrawal' ORDER BY created_at DESC LIMIT ?",
            limit,
        )
        return [self.describe(row, now) for row in rows]

    @staticmethod
    def describe(row: dict[str, Any], now: datetime) -> dict[str, Any]:
        """A withdrawal as the player (and an operator) sees it: where, since when, by when."""
        requested = parse_rfc3339(row["created_at"])
        paid = parse_rfc3339(row["paid_at"]) if row["paid_at"] else None
        age = ((paid or now) - requested).total_seconds() / 60
        return {
            "withdrawal_id": row["ref"],
            "amount": row["amount"],
            "method": row["method"],
            "destination": masked(json.loads(row["account"])) if row["account"] else None,
            "status": row["status"],
            "requested_at": row["created_at"],
            "due_by": row["due_by"],
            "paid_at": row["paid_at"],
            "age_minutes": int(age),
            "overdue": row["due_by"] is not None and (paid or now) > parse_rfc3339(row["due_by"]),
        }
