"""The WalletDO's outbox and its followers.

Every fact the WalletDO commits (events, rounds, payments, behavioural alerts) is also written to
its outbox in the same storage transaction. Each follower ("consumer") reads the outbox from its
own position, in order, and handles the topics it knows, idempotently; a row is deleted only once
every consumer has passed it, so a new follower is a new consumer, not a new code path, and a
topic one follower does not know is kept for the others. The D1 projection is the first
consumer: `INSERT OR IGNORE` (or an upsert by key) per row, in batches. The fraud queue is the
second: every wallet event the D1 consumer has passed is sent to the queue (at least once: the
position moves only after `sendBatch` has returned), so the AML consumer finds in D1 every event
up to the one it scores.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from infra.ports import ActorStorage, Database, Queue, Statement

BATCH = 500
QUEUE_BATCH = 100  # Cloudflare's sendBatch takes at most 100 messages (and 256 KB)
D1_ONLY = ("d1",)
WITH_FRAUD = ("d1", "fraud")
FRAUD_TOPICS = frozenset({"wallet_event"})
OUTBOX_ROWS_PER_INSERT = 40  # two bound parameters a row: well within the 100 a statement binds


class Outbox:
    """The outbox rows one storage transaction adds, kept in order and written at its end as
    one statement (ids are given in the order of the rows, so the order is what it was)."""

    def __init__(self, storage: ActorStorage) -> None:
        self.storage = storage
        self.rows: list[tuple[str, str]] = []

    def add(self, topic: str, payload: Any, compact: bool = True) -> None:
        separators = (",", ":") if compact else None
        self.rows.append((topic, json.dumps(payload, separators=separators)))

    def discard(self) -> None:
        self.rows = []

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        for start in range(0, len(rows), OUTBOX_ROWS_PER_INSERT):
            chunk = rows[start : start + OUTBOX_ROWS_PER_INSERT]
            self.storage.exec(
                "INSERT INTO outbox (topic, payload) VALUES " + ", ".join(["(?, ?)"] * len(chunk)),
                *[value for row in chunk for value in row],
            )


def _event(db: Database, player_id: str, _: int, e: dict[str, Any]) -> Statement:
    return db.prepare(
        "INSERT OR IGNORE INTO wallet_events "
        "(player_id, seq, type, amount, balance_after, created_at, ref) VALUES (?, ?, ?, ?, ?, ?, ?)"
    ).bind(
        player_id, e["seq"], e["type"], e["amount"], e["balance_after"], e["created_at"], e["ref"]
    )


def _round(db: Database, player_id: str, _: int, r: dict[str, Any]) -> Statement:
    return db.prepare(
        "INSERT OR IGNORE INTO rounds (round_id, session_id, player_id, game_id, nonce, "
        "server_seed_hash, client_seed, rtp_bps, stake, params, outcome, payout, "
        "expected_payout, payout_variance, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ).bind(
        r["round_id"], r["session_id"], player_id, r["game_id"], r["nonce"],
        r["server_seed_hash"], r["client_seed"], r["rtp_bps"], r["stake"],
        json.dumps(r["params"], sort_keys=True), json.dumps(r["outcome"], sort_keys=True),
        r["payout"], float(r["expected_payout"]), float(r["payout_variance"]), r["created_at"],
    )  # fmt: skip


def _rg_alert(db: Database, player_id: str, outbox_id: int, a: dict[str, Any]) -> Statement:
    return db.prepare(
        "INSERT OR IGNORE INTO rg_alerts (alert_id, player_id, rule, level, intervention, detail, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    ).bind(
        f"{player_id}:{outbox_id}", player_id, a["rule"], a["level"], a["intervention"],
        json.dumps(a, sort_keys=True), a["created_at"],
    )  # fmt: skip


def _payment(db: Database, player_id: str, _: int, p: dict[str, Any]) -> Statement:
    """A payment's latest state (a withdrawal is projected when asked for and when paid)."""
    return db.prepare(
        "INSERT INTO payments (player_id, ref, kind, method, amount, own_account, status, "
        "created_at, due_by, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (player_id, ref) DO UPDATE SET status = excluded.status, "
        "paid_at = excluded.paid_at"
    ).bind(
        player_id, p["ref"], p["kind"], p["method"], p["amount"], p["own_account"], p["status"],
        p["created_at"], p["due_by"], p["paid_at"],
    )  # fmt: skip


def _provider_tx(db: Database, player_id: str, _: int, t: dict[str, Any]) -> Statement:
    """A provider's transaction; a trigger adds it to the game's statistics (once: INSERT OR
    IGNORE by the provider's transaction id)."""
    return db.prepare(
        "INSERT OR IGNORE INTO provider_transactions (provider_id, transaction_id, player_id, "
        "kind, game_id, round_id, bet_transaction_id, amount, rtp_bps, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ).bind(
        t["provider_id"], t["transaction_id"], player_id, t["kind"], t["game_id"], t["round_id"],
        t["bet_transaction_id"], t["amount"], t["rtp_bps"], t["created_at"],
    )  # fmt: skip


def _limit_change(db: Database, player_id: str, _: int, c: dict[str, Any]) -> Statement:
    """A raised limit waiting for its cooling-off (the `limit_activations` job's to-do list)."""
    return db.prepare(
        "INSERT INTO pending_limit_changes (player_id, kind, effective_at, recorded_at, "
        "activated_at) VALUES (?, ?, ?, ?, NULL) ON CONFLICT (player_id, kind) DO UPDATE SET "
        "effective_at = excluded.effective_at, recorded_at = excluded.recorded_at, "
        "activated_at = NULL"
    ).bind(player_id, c["limit"], c["effective_at"], c["recorded_at"])


def _exclusion(db: Database, player_id: str, _: int, x: dict[str, Any]) -> list[Statement]:
    """An exclusion the WalletDO took itself (a break the behaviour watch enforced): the one in
    force on the player's row, and the one taken in `player_exclusions` (once)."""
    return [
        db.prepare(
            "UPDATE players SET excluded_until = ?, exclusion_kind = ? WHERE player_id = ?"
        ).bind(x["excluded_until"], x["kind"], player_id),
        db.prepare(
            "INSERT INTO player_exclusions (player_id, kind, excluded_until, created_at) "
            "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM player_exclusions "
            "WHERE player_id = ? AND kind = ? AND created_at = ?)"
        ).bind(
            player_id,
            x["asked"],
            x["excluded_until"],
            x["created_at"],
            player_id,
            x["asked"],
            x["created_at"],
        ),  # fmt: skip
    ]


D1_TOPICS: dict[
    str, Callable[[Database, str, int, dict[str, Any]], Statement | list[Statement]]
] = {
    "wallet_event": _event,
    "round": _round,
    "rg_alert": _rg_alert,
    "payment": _payment,
    "provider_tx": _provider_tx,
    "limit_change": _limit_change,
    "exclusion": _exclusion,
}


def positions(storage: ActorStorage, consumers: tuple[str, ...]) -> dict[str, int]:
    """Each consumer's position (0 before its first row), in one read."""
    rows = storage.exec("SELECT consumer, last_id FROM outbox_positions")
    known = {str(r["consumer"]): int(r["last_id"]) for r in rows}
    return {consumer: known.get(consumer, 0) for consumer in consumers}


def advance(storage: ActorStorage, moved: dict[str, int], every: dict[str, int]) -> None:
    """Move the consumers of `moved` to their new positions and delete what every consumer
    (`every`: all positions, the moved ones included) has passed."""
    pairs = list(moved.items())
    storage.exec(
        "INSERT INTO outbox_positions (consumer, last_id) VALUES "
        + ", ".join(["(?, ?)"] * len(pairs))
        + " ON CONFLICT (consumer) DO UPDATE SET last_id = max(last_id, excluded.last_id)",
        *[value for pair in pairs for value in pair],
    )
    storage.exec("DELETE FROM outbox WHERE id <= ?", min({**every, **moved}.values()))


def fraud_message(player_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What the AML consumer receives for a wallet event: the event, named by a stable id."""
    return {"event_id": f"{player_id}:{payload['seq']}", "player_id": player_id, **payload}


class Drain:
    """One alarm's pass over the outbox: every row the D1 projection has not passed goes to D1
    in batches, then every wallet event D1 now has goes to the fraud queue (when there is one),
    and both positions move in one storage transaction after what they follow has answered.
    A failure leaves the rows (and the position) for the next alarm, so a row reaches each
    follower at least once and is never skipped; D1 always has an event before the queue."""

    def __init__(
        self, storage: ActorStorage, db: Database, queue: Queue | None, player_id: str
    ) -> None:
        self.storage, self.db, self.queue, self.player_id = storage, db, queue, player_id
        self.consumers = WITH_FRAUD if queue is not None else D1_ONLY
        self.at = positions(storage, self.consumers)

    async def run(self) -> None:
        while True:
            rows = self.storage.exec(
                "SELECT id, topic, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                min(self.at.values()),
                BATCH,
            )
            if not rows:
                return
            await self._pass(rows)
            if len(rows) < BATCH:
                return

    async def _pass(self, rows: list[dict[str, Any]]) -> None:
        payloads = [json.loads(r["payload"]) for r in rows]
        await self._to_d1(rows, payloads)
        last_id = int(rows[-1]["id"])
        moved = {"d1": max(self.at["d1"], last_id)}
        try:
            if self.queue is not None:
                await self._to_queue(self.queue, rows, payloads)
                moved["fraud"] = max(self.at["fraud"], last_id)
        finally:  # what D1 took is acknowledged even when the queue did not answer
            self.storage.transaction(functools.partial(self._acknowledge, moved, rows, payloads))
            self.at.update(moved)

    async def _to_d1(self, rows: list[dict[str, Any]], payloads: list[Any]) -> None:
        statements: list[Statement] = []
        for r, payload in zip(rows, payloads, strict=True):
            if r["id"] > self.at["d1"] and r["topic"] in D1_TOPICS:
                made = D1_TOPICS[r["topic"]](self.db, self.player_id, r["id"], payload)
                statements.extend(made if isinstance(made, list) else [made])
        if statements:
            await self.db.batch(statements)

    async def _to_queue(
        self, queue: Queue, rows: list[dict[str, Any]], payloads: list[Any]
    ) -> None:
        bodies = [
            fraud_message(self.player_id, payload)
            for r, payload in zip(rows, payloads, strict=True)
            if r["id"] > self.at["fraud"] and r["topic"] in FRAUD_TOPICS
        ]
        for start in range(0, len(bodies), QUEUE_BATCH):
            await queue.send_batch(bodies[start : start + QUEUE_BATCH])

    def _acknowledge(
        self, moved: dict[str, int], rows: list[dict[str, Any]], payloads: list[Any]
    ) -> None:
        advance(self.storage, moved, self.at)
        top_seq = max(
            (p["seq"] for r, p in zip(rows, payloads, strict=True) if r["topic"] == "wallet_event"),
            default=0,
        )
        if top_seq:
            self.storage.exec(
                "INSERT INTO meta (k, v) VALUES ('projected_seq', ?) ON CONFLICT (k) "
                "DO UPDATE SET v = max(CAST(v AS INTEGER), CAST(excluded.v AS INTEGER))",
                str(top_seq),
            )
