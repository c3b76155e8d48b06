"""The SessionDO application: one game session's seeds, nonces and round audit trail.

The server seed is generated here (CSPRNG, inside a request) and never leaves this object's
storage until rotation reveals it; its hash is committed to D1 before any round uses it. A
round reserves the next nonce in one storage transaction (so a nonce is never reused, also
across restarts), computes the outcome with the fairness derivation, and asks the player's
WalletDO to settle it; a refused settlement leaves the nonce marked void.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from casino import fairness
from casino.errors import (
    DomainError,
    IdempotencyKeyReused,
    InvalidStake,
    NotFound,
    SessionClosed,
)
from casino.games import GAMES, payout_moments
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ActorNamespace, ActorStorage, Clock, Database, Entropy
from wallet_do.rpc import answers_refusals, refusal

from .schema import STATEMENTS

Result = dict[str, Any]


@dataclass
class SessionDeps:
    clock: Clock
    entropy: Entropy
    db: Database
    wallets: ActorNamespace


class GameSession:
    def __init__(self, storage: ActorStorage, deps: SessionDeps) -> None:
        self.storage, self.deps = storage, deps
        for statement in STATEMENTS:
            storage.exec(statement)

    # State -------------------------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        return {r["k"]: json.loads(r["v"]) for r in self.storage.exec("SELECT k, v FROM meta")}

    def _set_meta(self, **values: Any) -> None:
        for key, value in values.items():
            self.storage.exec(
                "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                key,
                json.dumps(value),
            )

    def _current_seed(self) -> dict[str, Any]:
        return self.storage.exec(
            "SELECT * FROM seeds WHERE revealed_at IS NULL ORDER BY seed_id DESC LIMIT 1"
        )[0]

    def _owned(self, player_id: str) -> dict[str, Any]:
        meta = self._meta()
        if meta.get("player_id") != player_id:
            raise NotFound("No such session")
        return meta

    def _new_seed(self, client_seed: str, now: datetime) -> dict[str, Any]:
        server_seed = fairness.new_server_seed(self.deps.entropy.token_bytes)
        seed_hash = fairness.server_seed_hash(server_seed)
        self.storage.exec(
            "INSERT INTO seeds (server_seed, server_seed_hash, client_seed, created_at) "
            "VALUES (?, ?, ?, ?)",
            server_seed,
            seed_hash,
            client_seed,
            rfc3339(now),
        )
        return self._current_seed()

    async def _commit_seed(self, session_id: str) -> None:
        """Record the current seed's hash in D1 before any round may use it."""
        while True:
            seed = self._current_seed()
            if seed["committed"]:
                return
            await (
                self.deps.db.prepare(
                    "INSERT OR IGNORE INTO seed_commitments (server_seed_hash, session_id, "
                    "client_seed, committed_at) VALUES (?, ?, ?, ?)"
                )
                .bind(seed["server_seed_hash"], session_id, seed["client_seed"], seed["created_at"])
                .run()
            )
            self.storage.exec("UPDATE seeds SET committed = 1 WHERE seed_id = ?", seed["seed_id"])

    # Commands ----------------------------------------------------------------------------
    @answers_refusals
    async def open(self, payload: dict[str, Any]) -> Result:
        now = self.deps.clock.now()
        client_seed = payload.get("client_seed") or self.deps.entropy.token_bytes(8).hex()
        fairness.check_client_seed(client_seed)

        def create() -> None:
            if self._meta():
                raise NotFound("Session id already in use")
            self._set_meta(
                session_id=payload["session_id"],
                player_id=payload["player_id"],
                game_id=payload["game_id"],
                rtp_bps=payload["rtp_bps"],
                min_stake=payload["min_stake"],
                max_stake=payload["max_stake"],
                idle_timeout_minutes=payload["idle_timeout_minutes"],
                opened_at=rfc3339(now),
                last_activity_at=rfc3339(now),
                closed=False,
            )
            self._new_seed(client_seed, now)

        self.storage.transaction(create)
        await self.deps.db.prepare(
            "INSERT OR IGNORE INTO game_sessions (session_id, player_id, game_id, rtp_bps, "
            "created_at) VALUES (?, ?, ?, ?, ?)"
        ).bind(
            payload["session_id"], payload["player_id"], payload["game_id"], payload["rtp_bps"],
            rfc3339(now),
        ).run()  # fmt: skip
        await self._commit_seed(payload["session_id"])
        return {"status": 201, "body": self._describe()}

    def _describe(self) -> dict[str, Any]:
        meta, seed = self._meta(), self._current_seed()
        return {
            "session_id": meta["session_id"],
            "game_id": meta["game_id"],
            "rtp_bps": meta["rtp_bps"],
            "server_seed_hash": seed["server_seed_hash"],
            "client_seed": seed["client_seed"],
            "nonce": seed["next_nonce"],
            "min_stake": meta["min_stake"],
            "max_stake": meta["max_stake"],
            "opened_at": meta["opened_at"],
        }

    @answers_refusals
    async def describe(self, payload: dict[str, Any]) -> Result:
        self._owned(payload["player_id"])
        return {"status": 200, "body": self._describe()}

    def _check_open(self, meta: dict[str, Any], now: datetime) -> None:
        idle = timedelta(minutes=meta["idle_timeout_minutes"])
        last = parse_rfc3339(meta["last_activity_at"])
        if meta.get("closed") or now - last > idle:
            if not meta.get("closed"):
                self._set_meta(closed=True, closed_reason="idle")
            raise SessionClosed(
                f"The session was closed after {meta['idle_timeout_minutes']} idle minutes"
            )

    @answers_refusals
    async def play(self, payload: dict[str, Any]) -> Result:
        """Reserve a nonce, resolve the round, settle it in the player's WalletDO."""
        meta = self._owned(payload["player_id"])
        await self._commit_seed(meta["session_id"])
        now = self.deps.clock.now()
        key, request_hash = payload["idempotency_key"], payload["request_hash"]

        def reserve() -> dict[str, Any]:
            known = self.storage.exec("SELECT * FROM rounds WHERE idempotency_key = ?", key)
            if known:
                if known[0]["request_hash"] != request_hash:
                    raise IdempotencyKeyReused(
                        "This Idempotency-Key was already used with a different request"
                    )
                return known[0]
            current = self._meta()
            self._check_open(current, now)
            game = GAMES[current["game_id"]]
            stake = payload["stake"]
            if not current["min_stake"] <= stake <= current["max_stake"]:
                raise InvalidStake(
                    f"Stakes in this game are {current['min_stake']} to {current['max_stake']}"
                )
            params = game.validate_params(payload.get("params") or {}, current["rtp_bps"])
            seed = self._current_seed()
            if not seed["committed"]:
                raise SessionClosed("The seed is being rotated; try again")
            nonce = seed["next_nonce"]
            draws = fairness.Draws(seed["server_seed"], seed["client_seed"], nonce)
            outcome, payout = game.resolve(draws, stake, params, current["rtp_bps"])
            mean, variance = payout_moments(game, stake, params, current["rtp_bps"])
            round_id = payload["round_id"]
            record = {
                "round_id": round_id,
                "session_id": current["session_id"],
                "game_id": current["game_id"],
                "nonce": nonce,
                "server_seed_hash": seed["server_seed_hash"],
                "client_seed": seed["client_seed"],
                "rtp_bps": current["rtp_bps"],
                "stake": stake,
                "params": params,
                "outcome": outcome,
                "payout": payout,
                "expected_payout": mean,
                "payout_variance": variance,
            }
            self.storage.exec(
                "UPDATE seeds SET next_nonce = next_nonce + 1 WHERE seed_id = ?", seed["seed_id"]
            )
            self.storage.exec(
                "INSERT INTO rounds (round_id, seed_id, nonce, idempotency_key, request_hash, "
                "status, record, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                round_id, seed["seed_id"], nonce, key, request_hash,
                json.dumps(record, separators=(",", ":")), rfc3339(now),
            )  # fmt: skip
            self._set_meta(last_activity_at=rfc3339(now))
            return self.storage.exec("SELECT * FROM rounds WHERE round_id = ?", round_id)[0]

        try:
            row = self.storage.transaction(reserve)
        except DomainError as error:
            return refusal(error)
        if row["status"] != "pending":
            return dict(json.loads(row["answer"]))
        record = json.loads(row["record"])
        answer = await self.deps.wallets.get(payload["player_id"]).call(
            "settle_round",
            {
                "player_id": payload["player_id"],
                "idempotency_key": key,
                "request_hash": request_hash,
                "round": record,
                "rg": {**payload.get("rg", {}), "session_opened_at": meta["opened_at"]},
            },
        )
        status = "settled" if answer["status"] == 201 else "void"
        self.storage.exec(
            "UPDATE rounds SET status = ?, answer = ? WHERE round_id = ? AND status = 'pending'",
            status,
            json.dumps(answer, separators=(",", ":")),
            record["round_id"],
        )
        return answer

    @answers_refusals
    async def rounds(self, payload: dict[str, Any]) -> Result:
        self._owned(payload["player_id"])
        rows = self.storage.exec(
            "SELECT status, record, nonce FROM rounds WHERE status != 'pending' "
            "ORDER BY seed_id, nonce"
        )
        fields = ("round_id", "nonce", "server_seed_hash", "client_seed", "rtp_bps", "stake",
                  "params", "outcome", "payout", "game_id")  # fmt: skip
        settled, void = [], []
        for row in rows:
            record = json.loads(row["record"])
            if row["status"] == "settled":
                settled.append({f: record[f] for f in fields})
            else:
                void.append({"nonce": row["nonce"], "server_seed_hash": record["server_seed_hash"]})
        return {"status": 200, "body": {"rounds": settled, "void_rounds": void}}

    @answers_refusals
    async def rotate(self, payload: dict[str, Any]) -> Result:
        meta = self._owned(payload["player_id"])
        now = self.deps.clock.now()

        def swap() -> tuple[dict[str, Any], dict[str, Any]]:
            old = self._current_seed()
            self.storage.exec(
                "UPDATE seeds SET revealed_at = ? WHERE seed_id = ?", rfc3339(now), old["seed_id"]
            )
            client_seed = payload.get("client_seed") or old["client_seed"]
            fairness.check_client_seed(client_seed)
            return old, self._new_seed(client_seed, now)

        try:
            old, new = self.storage.transaction(swap)
        except DomainError as error:
            return refusal(error)
        await (
            self.deps.db.prepare(
                "UPDATE seed_commitments SET revealed_server_seed = ?, revealed_at = ?, final_nonce = ? "
                "WHERE server_seed_hash = ?"
            )
            .bind(old["server_seed"], rfc3339(now), old["next_nonce"], old["server_seed_hash"])
            .run()
        )
        await self._commit_seed(meta["session_id"])
        return {
            "status": 200,
            "body": {
                "revealed_server_seed": old["server_seed"],
                "revealed_server_seed_hash": old["server_seed_hash"],
                "previous_client_seed": old["client_seed"],
                "final_nonce": old["next_nonce"],
                "client_seed": new["client_seed"],
                "server_seed_hash": new["server_seed_hash"],
                "nonce": 0,
            },
        }
