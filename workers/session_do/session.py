"""The SessionDO application: one game session's seeds, nonces and round audit trail.

The server seed is generated here (CSPRNG, inside a request) and never leaves this object's
storage until rotation reveals it; its hash is committed to D1 before any round uses it. A
round reserves the next nonce in one storage transaction (so a nonce is never reused, also
across restarts), which fixes its outcome, and asks the player's WalletDO to settle it.

A round is never an option for the player: once reserved it is `pending` until the platform
itself settles it (or voids it, when the wallet refuses it). The first attempt is the request's;
when that attempt fails in transit, this object's alarm retries it, a retry of the same
Idempotency-Key only reads or completes it, and a seed rotation settles every pending round of
the seed before it reveals the seed. The wallet settles a round at most once (its idempotency
record is keyed by the round id), whoever asks.
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
    RoundsPending,
    RoundVoid,
    SessionClosed,
)
from casino.games import GAMES, payout_moments
from casino.messages import (
    AddressMismatch,
    OpenSession,
    PlayRound,
    PlayRules,
    RotateSeed,
    RoundRecord,
    SessionQuery,
    Settlement,
    SettleRound,
)
from casino.rtp import RTP_MAX_BPS, RTP_MIN_BPS, check_rtp
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ActorNamespace, ActorStorage, Clock, Database, Entropy, Unavailable
from infra.storage_schema import migrate
from wallet_do.client import WalletClient
from wallet_do.rpc import answers_refusals, checks_address, refusal

from .schema import STEPS

Result = dict[str, Any]
RETRY_FIRST_MS = 1_000
RETRY_MAX_MS = 60_000
ROTATION_ATTEMPTS = 3


@dataclass
class SessionDeps:
    clock: Clock
    entropy: Entropy
    db: Database
    wallets: ActorNamespace


class GameSession:
    def __init__(self, storage: ActorStorage, deps: SessionDeps) -> None:
        self.storage, self.deps = storage, deps
        migrate(storage, STEPS)

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

    def _owned(self, player_id: str, session_id: str) -> dict[str, Any]:
        """The session's owner and id (`player_id`, `session_id`), when the command is its
        owner's and names this session: the SessionDO answers a session's ownership (another
        player's session, or one never opened, is 404), reading two keys, not the whole meta."""
        meta = {
            r["k"]: json.loads(r["v"])
            for r in self.storage.exec(
                "SELECT k, v FROM meta WHERE k IN ('player_id', 'session_id')"
            )
        }
        if meta.get("player_id") != player_id:
            raise NotFound("No such session")
        if session_id != meta["session_id"]:
            raise AddressMismatch(
                f"A command for session {session_id!r} reached {meta['session_id']!r}"
            )
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
    @checks_address("session_id")
    @answers_refusals
    async def open(self, payload: dict[str, Any]) -> Result:
        command = OpenSession.from_dict(payload)
        now = self.deps.clock.now()
        client_seed = command.client_seed or self.deps.entropy.token_bytes(8).hex()
        fairness.check_client_seed(client_seed)
        low, high = command.rtp_range or (RTP_MIN_BPS, RTP_MAX_BPS)
        check_rtp(command.rtp_bps, low, high)  # a market's floor holds here too

        def create() -> None:
            if self._meta():
                raise NotFound("Session id already in use")
            self._set_meta(
                session_id=command.session_id,
                player_id=command.player_id,
                game_id=command.game_id,
                rtp_bps=command.rtp_bps,
                min_stake=command.min_stake,
                max_stake=command.max_stake,
                idle_timeout_minutes=command.idle_timeout_minutes,
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
            command.session_id, command.player_id, command.game_id, command.rtp_bps, rfc3339(now)
        ).run()  # fmt: skip
        await self._commit_seed(command.session_id)
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

    @checks_address("session_id")
    @answers_refusals
    async def describe(self, payload: dict[str, Any]) -> Result:
        query = SessionQuery.from_dict(payload)
        self._owned(query.player_id, query.session_id)
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

    def _resolve(self, command: PlayRound, current: dict[str, Any]) -> tuple[RoundRecord, int]:
        """The round the next nonce of the current seed gives (and that seed's id), once the
        market's RTP range and the stake allow it."""
        low, high = command.rtp_range or (RTP_MIN_BPS, RTP_MAX_BPS)
        if not low <= current["rtp_bps"] <= high:
            raise SessionClosed(
                f"This session plays at {current['rtp_bps']} bps, outside the "
                f"{low}-{high} bps allowed where you are playing; open a new session"
            )
        game, stake = GAMES[current["game_id"]], command.stake
        if not current["min_stake"] <= stake <= current["max_stake"]:
            raise InvalidStake(
                f"Stakes in this game are {current['min_stake']} to {current['max_stake']}"
            )
        params = game.validate_params(command.params, current["rtp_bps"])
        seed = self._current_seed()
        if not seed["committed"]:
            raise SessionClosed("The seed is being rotated; try again")
        draws = fairness.Draws(seed["server_seed"], seed["client_seed"], seed["next_nonce"])
        outcome, payout = game.resolve(draws, stake, params, current["rtp_bps"])
        mean, variance = payout_moments(game, stake, params, current["rtp_bps"])
        record = RoundRecord(
            round_id=command.round_id,
            session_id=current["session_id"],
            game_id=current["game_id"],
            nonce=seed["next_nonce"],
            server_seed_hash=seed["server_seed_hash"],
            client_seed=seed["client_seed"],
            rtp_bps=current["rtp_bps"],
            stake=stake,
            params=params,
            outcome=outcome,
            payout=payout,
            expected_payout=mean,
            payout_variance=variance,
        )
        return record, seed["seed_id"]

    def _reserve(self, command: PlayRound, now: datetime) -> tuple[dict[str, Any], bool]:
        """The round of this Idempotency-Key: the known one, or a new one on the next nonce
        (`True`), pending until the wallet settles it. Runs in one storage transaction."""
        known = self.storage.exec(
            "SELECT * FROM rounds WHERE idempotency_key = ?", command.idempotency_key
        )
        if known:
            if known[0]["request_hash"] != command.request_hash:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used with a different request"
                )
            return known[0], False
        current = self._meta()
        self._check_open(current, now)
        record, seed_id = self._resolve(command, current)
        rules = command.rules.opened_at(current["opened_at"])
        self.storage.exec("UPDATE seeds SET next_nonce = next_nonce + 1 WHERE seed_id = ?", seed_id)
        self.storage.exec(
            "INSERT INTO rounds (round_id, seed_id, nonce, idempotency_key, request_hash, "
            "status, record, created_at, rules) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            record.round_id, seed_id, record.nonce, command.idempotency_key,
            command.request_hash, json.dumps(record.to_dict(), separators=(",", ":")),
            rfc3339(now), json.dumps(rules.to_dict()),
        )  # fmt: skip
        self._set_meta(last_activity_at=rfc3339(now))
        [row] = self.storage.exec("SELECT * FROM rounds WHERE round_id = ?", record.round_id)
        return row, True

    @checks_address("session_id")
    @answers_refusals
    async def play(self, payload: dict[str, Any]) -> Result:
        """Reserve a nonce (which fixes the outcome), then settle the round in the WalletDO."""
        command = PlayRound.from_dict(payload)
        meta = self._owned(command.player_id, command.session_id)
        await self._commit_seed(meta["session_id"])
        now = self.deps.clock.now()
        # Armed before the nonce is reserved: if this request dies anywhere after the
        # reservation, the alarm finishes the round (with nothing pending it does nothing).
        await self._arm(now)
        try:
            row, fresh = self.storage.transaction(lambda: self._reserve(command, now))
        except DomainError as error:
            return refusal(error)
        if row["status"] != "pending":
            return dict(json.loads(row["answer"]))
        return await self._settle(row, meta["player_id"], first_attempt=fresh)

    async def _settle(self, row: dict[str, Any], player_id: str, first_attempt: bool) -> Result:
        """Ask the wallet to settle a pending round (idempotent by round id) and record its
        final state. Raises `Unavailable` when the wallet cannot be reached: it stays pending."""
        settle = SettleRound(
            player_id=player_id,
            request_hash=row["request_hash"],
            record=RoundRecord.from_dict(json.loads(row["record"])),
            rules=PlayRules.from_dict(json.loads(row["rules"])),
        )
        answer = await WalletClient(self.deps.wallets, player_id).settle_round(settle)
        if answer["status"] == 201:
            settled = Settlement.from_dict(answer["body"])
            status, final = "settled", {"status": 201, "body": _round_answer(settle, settled)}
        else:
            status = "void"
            # The request that reserved the round hears the wallet's own refusal; anyone asking
            # later learns that the round was void.
            final = answer if first_attempt else _void_answer(answer)
        round_id = settle.record.round_id

        def finish() -> Result:
            [current] = self.storage.exec(
                "SELECT status, answer FROM rounds WHERE round_id = ?", round_id
            )
            if current["status"] != "pending":  # settled meanwhile by a concurrent attempt
                return dict(json.loads(current["answer"]))
            self.storage.exec(
                "UPDATE rounds SET status = ?, answer = ? WHERE round_id = ?",
                status, json.dumps(final, separators=(",", ":")), round_id,
            )  # fmt: skip
            return final

        return self.storage.transaction(finish)

    def _pending(self, seed_id: int | None = None) -> list[dict[str, Any]]:
        if seed_id is None:
            return self.storage.exec(
                "SELECT * FROM rounds WHERE status = 'pending' ORDER BY seed_id, nonce"
            )
        return self.storage.exec(
            "SELECT * FROM rounds WHERE status = 'pending' AND seed_id = ? ORDER BY nonce", seed_id
        )

    async def _arm(self, now: datetime, delay_ms: int = RETRY_FIRST_MS) -> None:
        if await self.storage.get_alarm() is None:
            await self.storage.set_alarm(int(now.timestamp() * 1000) + delay_ms)

    async def alarm(self) -> None:
        """Finish what a request could not: settle pending rounds, publish reveals to D1.
        Re-armed with back-off until nothing is left (a call that fails here fails in transit,
        so it is retried, never given up)."""
        meta = self._meta()
        if not meta:
            return
        unfinished = False
        for row in self._pending():
            try:
                await self._settle(row, meta["player_id"], first_attempt=False)
            except Unavailable:
                unfinished = True
        unfinished = not await self._publish_reveals() or unfinished
        attempts = int(meta.get("alarm_attempts", 0))
        if not unfinished:
            if attempts:
                self._set_meta(alarm_attempts=0)
            return
        self._set_meta(alarm_attempts=attempts + 1)
        delay = min(RETRY_FIRST_MS * 2**attempts, RETRY_MAX_MS)
        await self._arm(self.deps.clock.now(), delay)

    async def _publish_reveals(self) -> bool:
        """Copy every reveal kept in storage to D1 (idempotent); False if D1 failed."""
        for seed in self.storage.exec(
            "SELECT * FROM seeds WHERE revealed_at IS NOT NULL AND reveal_published = 0"
        ):
            try:
                await self.deps.db.batch(
                    [
                        self.deps.db.prepare(
                            "UPDATE seed_commitments SET revealed_server_seed = ?, "
                            "revealed_at = ?, final_nonce = ? WHERE server_seed_hash = ?"
                        ).bind(
                            seed["server_seed"],
                            seed["revealed_at"],
                            seed["next_nonce"],
                            seed["server_seed_hash"],
                        )  # fmt: skip
                    ]
                )
            except Unavailable:
                return False
            self.storage.exec(
                "UPDATE seeds SET reveal_published = 1 WHERE seed_id = ?", seed["seed_id"]
            )
        return True

    def _revealed(self) -> list[dict[str, Any]]:
        """Every revealed seed, with what a player needs to recompute its rounds."""
        return [
            {
                "server_seed_hash": s["server_seed_hash"],
                "revealed_server_seed": s["server_seed"],
                "client_seed": s["client_seed"],
                "final_nonce": s["next_nonce"],
                "revealed_at": s["revealed_at"],
            }
            for s in self.storage.exec(
                "SELECT * FROM seeds WHERE revealed_at IS NOT NULL ORDER BY seed_id"
            )
        ]

    @checks_address("session_id")
    @answers_refusals
    async def rounds(self, payload: dict[str, Any]) -> Result:
        query = SessionQuery.from_dict(payload)
        self._owned(query.player_id, query.session_id)
        rows = self.storage.exec(
            "SELECT round_id, status, record, nonce, created_at FROM rounds ORDER BY seed_id, nonce"
        )
        settled, void, pending = [], [], []
        for row in rows:
            record = json.loads(row["record"])
            if row["status"] == "settled":
                settled.append(RoundRecord.from_dict(record).listed())
            elif row["status"] == "void":
                void.append({"nonce": row["nonce"], "server_seed_hash": record["server_seed_hash"]})
            else:
                pending.append(
                    {
                        "round_id": row["round_id"],
                        "nonce": row["nonce"],
                        "server_seed_hash": record["server_seed_hash"],
                        "created_at": row["created_at"],
                    }
                )
        return {
            "status": 200,
            "body": {
                "rounds": settled,
                "void_rounds": void,
                "pending_rounds": pending,
                "revealed_seeds": self._revealed(),
            },
        }

    async def _settle_current_seed(self, player_id: str, now: datetime) -> None:
        """Settle every pending round of the current seed, or raise `RoundsPending`."""
        for row in self._pending(self._current_seed()["seed_id"]):
            try:
                await self._settle(row, player_id, first_attempt=False)
            except Unavailable as exc:
                await self._arm(now)
                raise RoundsPending(
                    "A round of this seed is still being settled; the seed is revealed once "
                    "it is. Try again in a moment.",
                    retry_after=1,
                ) from exc

    async def _swap_seed(
        self, player_id: str, client_seed: str | None, now: datetime
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the revealed seed, the new one), once no round of the old one is pending."""

        def swap() -> tuple[dict[str, Any], dict[str, Any]] | None:
            old = self._current_seed()
            if self._pending(old["seed_id"]):  # a round was reserved while we settled others
                return None
            self.storage.exec(
                "UPDATE seeds SET revealed_at = ? WHERE seed_id = ?", rfc3339(now), old["seed_id"]
            )
            return old, self._new_seed(client_seed or old["client_seed"], now)

        for _ in range(ROTATION_ATTEMPTS):
            await self._settle_current_seed(player_id, now)
            swapped = self.storage.transaction(swap)
            if swapped is not None:
                return swapped
        raise RoundsPending("Rounds are being played on this seed; try again", retry_after=1)

    @checks_address("session_id")
    @answers_refusals
    async def rotate(self, payload: dict[str, Any]) -> Result:
        """Settle every pending round of the current seed, then reveal it and commit a new one.
        409 `rounds_pending` when a round cannot be settled yet: the seed stays secret."""
        command = RotateSeed.from_dict(payload)
        meta = self._owned(command.player_id, command.session_id)
        if command.client_seed is not None:
            fairness.check_client_seed(command.client_seed)
        now = self.deps.clock.now()
        old, new = await self._swap_seed(meta["player_id"], command.client_seed, now)
        # The reveal is durable in this object's storage; D1 gets it now or from the alarm.
        try:
            published = await self._publish_reveals()
            await self._commit_seed(meta["session_id"])
        except Unavailable:
            published = False
        if not published:
            await self._arm(now)
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


def _round_answer(settle: SettleRound, settled: Settlement) -> dict[str, Any]:
    """The games endpoint's answer for a settled round: the round as this object resolved it,
    with the wallet's facts of its settlement (balance, reality check, interventions)."""
    record = settle.record
    return {
        "round_id": record.round_id,
        "nonce": record.nonce,
        "outcome": record.outcome,
        "payout": record.payout,
        "stake": record.stake,
        "balance": settled.balance,
        "server_seed_hash": record.server_seed_hash,
        "client_seed": record.client_seed,
        "rtp_bps": record.rtp_bps,
        "game_id": record.game_id,
        "params": record.params,
        "reality_check": settled.reality_check.to_dict(),
        "interventions": list(settled.interventions),
    }


def _void_answer(refused: Result) -> Result:
    reason = refused["body"].get("error", {}).get("detail", "the wallet refused it")
    return refusal(RoundVoid(f"The round was void and moved no money: {reason}"))
