"""The WalletDO application: the single writer of one player's money movements.

Each command is decided by the core against the ledger in this object's own storage and written
in one storage transaction, with no await in between, together with its idempotency record and
its outbox rows. The alarm then projects the outbox into D1 in `seq` order (idempotently), so
D1 is the queryable copy and never on the hot path.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from casino.bonus import Bonus, after_stake, decide_bonus, forfeit_before_withdrawal
from casino.errors import (
    AccountRestricted,
    DepositLimitExceeded,
    DomainError,
    IdempotencyKeyReused,
    LossLimitReached,
    SessionTimeLimitReached,
)
from casino.exclusion import check_not_excluded, extend, self_exclusion, take_a_break
from casino.jurisdictions import from_dict
from casino.ledger import (
    Deposit,
    EventType,
    Ledger,
    LedgerEvent,
    Withdraw,
    check_amount,
    decide_bet_and_win,
    decide_deposit,
    decide_withdrawal,
    replay,
)
from casino.limits import (
    WINDOWS,
    LimitRules,
    check_required,
    deposit_refusal,
    eventual_values,
    kind_of,
    loss_refusal,
    request_change,
    time_refusal,
)
from casino.payments import withdrawal_destination
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ActorStorage, Clock, Database, PayoutProvider, Queue, Unavailable
from infra.storage_schema import migrate

from .behaviour_watch import BehaviourWatch
from .payments import Payments
from .projection import D1_ONLY, WITH_FRAUD, project_to_d1, stream_to_queue
from .provider_wallet import ProviderBets, bet_events, bet_ref, credit_events
from .responsible import ResponsibleGaming
from .rpc import answers_refusals, refusal
from .schema import STEPS

Result = dict[str, Any]
T = TypeVar("T")
RETRY_FIRST_MS = 1_000
RETRY_MAX_MS = 60_000


def event_json(event: LedgerEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": str(event.type),
        "amount": event.amount,
        "balance_after": event.balance_after,
        "created_at": rfc3339(event.created_at),
        "ref": event.ref,
    }


_EVENT_TYPES = {str(t): t for t in EventType}
AUDIT_PAGE = 10_000  # events read at once by an audit: memory stays flat with the ledger


def _row_event(row: dict[str, Any]) -> LedgerEvent:
    return LedgerEvent(
        seq=row["seq"],
        type=_EVENT_TYPES[row["type"]],
        amount=row["amount"],
        balance_after=row["balance_after"],
        created_at=parse_rfc3339(row["created_at"]),
        ref=row["ref"],
    )


@dataclass
class WalletDeps:
    clock: Clock
    db: Database
    payouts: PayoutProvider | None = None
    queue: Queue | None = None  # the fraud queue (every wallet event, at least once)


class Wallet:
    def __init__(self, storage: ActorStorage, deps: WalletDeps) -> None:
        self.storage, self.deps = storage, deps
        migrate(storage, STEPS)
        self.rg = ResponsibleGaming(storage)
        self.payments = Payments(storage)
        self.provider_bets = ProviderBets(storage)
        self.behaviour = BehaviourWatch(storage, self.rg)

    # Reads -----------------------------------------------------------------------------
    def _ledger(self) -> Ledger:
        rows = self.storage.exec("SELECT seq, balance_after FROM events ORDER BY seq DESC LIMIT 1")
        return Ledger(rows[0]["balance_after"], rows[0]["seq"]) if rows else Ledger()

    def _meta(self, key: str, default: str | None = None) -> str | None:
        value = self.rg.raw(key)
        return default if value is None else value

    def _transaction(self, fn: Callable[[], T]) -> T:
        """One storage transaction, with the ledger's meta read at most once in it."""
        return self.storage.transaction(lambda: self.rg.within(fn))

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

    def _chain(self) -> Iterator[LedgerEvent]:
        """Every event in order, a page at a time (read between no awaits: one snapshot)."""
        after = 0
        while True:
            rows = self.storage.exec(
                "SELECT seq, type, amount, balance_after, created_at, ref FROM events "
                "WHERE seq > ? ORDER BY seq LIMIT ?",
                after,
                AUDIT_PAGE,
            )
            yield from map(_row_event, rows)
            if len(rows) < AUDIT_PAGE:
                return
            after = rows[-1]["seq"]

    async def audit(self, payload: dict[str, Any]) -> Result:
        result = replay(self._chain())
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
        def decide(ledger: Ledger, now: datetime, ref: str) -> list[LedgerEvent]:
            self._check_may_move_money(now)
            limits = self.rg.limits(now)
            limited = any(limits[f"deposit_{p}"].value is not None for p in WINDOWS)
            totals = self.rg.deposit_totals(now) if limited else {}
            period = deposit_refusal(limits, totals, payload["amount"]) if limited else None
            if period is not None:
                raise DepositLimitExceeded(f"The deposit would exceed your {period} deposit limit")
            return decide_deposit(ledger, Deposit(payload["amount"], ref), now)

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            source = payload.get("source") or {"method": payload["method"], "own": False}
            self.payments.record_deposit(events[-1].ref, payload["amount"], source, now)
            return {
                "event": event_json(events[-1]),
                "balance": events[-1].balance_after,
                "interventions": self.behaviour.observe("deposit", now, payload.get("rg") or {}),
            }

        return await self._command(payload, decide, after)

    async def withdraw(self, payload: dict[str, Any]) -> Result:
        def decide(ledger: Ledger, now: datetime, ref: str) -> list[LedgerEvent]:
            check_amount(payload["amount"])
            if payload["amount"] > ledger.balance:
                decide_withdrawal(ledger, Withdraw(payload["amount"], ref), now)  # the refusal
            destination.update(
                withdrawal_destination(
                    payload.get("payout_account"),
                    self.payments.own_source(),
                    bool(payload.get("destination_required")),
                )
                or {}
            )
            forfeit, ledger = forfeit_before_withdrawal(
                ledger, self._bonus(), payload["amount"], f"bonus-forfeit:{ref}", now
            )
            if forfeit:
                self.rg.put("bonus", None)
            return forfeit + decide_withdrawal(ledger, Withdraw(payload["amount"], ref), now)

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            withdrawal = self.payments.request_withdrawal(
                events[-1].ref, payload["method"], payload["amount"], destination or None, now,
                int(payload.get("payout_within_minutes", 120)),
            )  # fmt: skip
            return {
                "event": event_json(events[-1]),
                "balance": events[-1].balance_after,
                "withdrawal": withdrawal,
            }

        destination: dict[str, Any] = {}
        return await self._command(payload, decide, after)

    @answers_refusals
    async def withdrawals(self, payload: dict[str, Any]) -> Result:
        now = self.deps.clock.now()
        return {"status": 200, "body": {"withdrawals": self.payments.withdrawals(now)}}

    def _bonus(self) -> Bonus:
        data = self.rg.get("bonus")
        return Bonus(**data) if data else Bonus()

    async def grant_bonus(self, payload: dict[str, Any]) -> Result:
        """BONUS_CREDIT with a wagering requirement, where the jurisdiction allows bonuses."""
        profile = from_dict(payload["profile"])

        def decide(ledger: Ledger, now: datetime, ref: str) -> list[LedgerEvent]:
            events, bonus = decide_bonus(
                ledger, self._bonus(), profile, payload["amount"],
                payload["wagering_multiplier"], ref, now,
            )  # fmt: skip
            self.rg.put("bonus", vars(bonus) if bonus.active else None)
            return events

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            bonus = self._bonus()
            return {
                "event": event_json(events[-1]),
                "balance": events[-1].balance_after,
                "bonus": {"locked": bonus.locked, "wagering_remaining": bonus.wagering_remaining},
            }

        return await self._command(payload, decide, after)

    @answers_refusals
    async def bonus_status(self, payload: dict[str, Any]) -> Result:
        bonus = self._bonus()
        return {
            "status": 200,
            "body": {"locked": bonus.locked, "wagering_remaining": bonus.wagering_remaining},
        }

    async def settle_round(self, payload: dict[str, Any]) -> Result:
        """BET, WIN (when the payout is positive), the round record and their outbox rows, in
        one storage transaction: all of it or none of it."""
        record = payload["round"]
        rules = payload.get("rg") or {}
        reality_every = timedelta(minutes=int(rules.get("reality_check_minutes", 60)))
        play: dict[str, Any] = {}

        def decide(ledger: Ledger, now: datetime, ref: str) -> list[LedgerEvent]:
            self._check_may_move_money(now)
            # Funds first: a round the player cannot afford is insufficient_funds, whatever
            # the limits say.
            events = decide_bet_and_win(ledger, record["stake"], record["payout"], ref, now)
            play.update(self._check_play(now, rules, record["stake"]))
            return events

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            stored = {**record, "created_at": rfc3339(now)}
            bonus = after_stake(self._bonus(), record["stake"])
            self.rg.put("bonus", vars(bonus) if bonus.active else None)
            play.update(
                last_play_at=rfc3339(now),
                rounds=play["rounds"] + 1,
                staked=play["staked"] + record["stake"],
                won=play["won"] + record["payout"],
            )
            due = now - parse_rfc3339(play["last_reality_check_at"]) >= reality_every
            if due:
                play["last_reality_check_at"] = rfc3339(now)
            play.pop("active", None)
            self.rg.put("play_session", play)
            interventions = self.behaviour.observe("round", now, rules)
            self.storage.exec(
                "INSERT INTO rounds (round_id, session_id, game_id, nonce, server_seed_hash, "
                "stake, payout, bet_seq, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                record["round_id"], record["session_id"], record["game_id"], record["nonce"],
                record["server_seed_hash"], record["stake"], record["payout"], events[0].seq,
                stored["created_at"], json.dumps(stored, separators=(",", ":")),
            )  # fmt: skip
            self.storage.exec(
                "INSERT INTO outbox (topic, payload) VALUES ('round', ?)",
                json.dumps(stored, separators=(",", ":")),
            )
            return {
                "round_id": record["round_id"],
                "nonce": record["nonce"],
                "outcome": record["outcome"],
                "payout": record["payout"],
                "stake": record["stake"],
                "balance": events[-1].balance_after,
                "server_seed_hash": record["server_seed_hash"],
                "client_seed": record["client_seed"],
                "rtp_bps": record["rtp_bps"],
                "game_id": record["game_id"],
                "params": record["params"],
                "reality_check": {
                    "due": due,
                    "session_started_at": play["started_at"],
                    "elapsed_minutes": int(
                        (now - parse_rfc3339(play["started_at"])).total_seconds() // 60
                    ),
                    "rounds": play["rounds"],
                    "net_position": play["won"] - play["staked"],
                },
                "interventions": interventions,
            }

        payload = {**payload, "ref": f"round:{record['round_id']}"}
        return await self._command(payload, decide, after)

    async def provider_transaction(self, payload: dict[str, Any]) -> Result:
        """A provider's bet (BET, under every rule a stake of ours passes), or its win, refund or
        rollback of a known bet (WIN, never more back than was staked). Idempotent by the
        provider's transaction id: a repeat answers the first answer."""
        tx, rules = payload["transaction"], payload.get("rg") or {}
        bet_key = bet_ref(tx["provider_id"], tx["transaction_id"])
        amounts: dict[str, int] = {}

        def decide(ledger: Ledger, now: datetime, ref: str) -> list[LedgerEvent]:
            if tx["kind"] == "bet":
                self._check_may_move_money(now)
                events = bet_events(ledger, tx, ref, now)
                self._check_play(now, rules, int(tx["amount"]))
                self.provider_bets.record_bet(bet_key, tx, now)
                bonus = after_stake(self._bonus(), int(tx["amount"]))
                self.rg.put("bonus", vars(bonus) if bonus.active else None)
                amounts["amount"] = int(tx["amount"])
                return events
            events, amount = credit_events(self.provider_bets, ledger, tx, ref, now)
            self.provider_bets.record_credit(
                bet_ref(tx["provider_id"], tx["bet_transaction_id"]), tx["kind"], amount
            )
            amounts["amount"] = amount
            return events

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            self.provider_bets.outbox({**tx, "amount": amounts["amount"]}, now)
            return {
                "transaction_id": tx["transaction_id"],
                "kind": tx["kind"],
                "amount": amounts["amount"],
                "balance": events[-1].balance_after if events else self._ledger().balance,
                "event": event_json(events[-1]) if events else None,
            }

        return await self._command(payload, decide, after)

    def _check_play(self, now: datetime, rules: dict[str, Any], stake: int) -> dict[str, Any]:
        """What any stake must pass, our games' or a provider's: the mandatory limits in force,
        the time limits over their windows (the attempt itself counts as time at the table and
        is kept when refused) and the loss limits. Returns the current play session."""
        idle = timedelta(minutes=int(rules.get("idle_minutes", 30)))
        limits = self.rg.ensure_required(now, LimitRules.from_dict(rules.get("limits")))
        opened = rules.get("session_opened_at")
        opened_at = parse_rfc3339(opened) if opened else None
        session = self.rg.play_session(now, idle, opened_at)
        self.rg.record_play(now, idle, opened_at)
        used_up = time_refusal(limits, self.rg.play_spans(now, idle), now)
        if used_up is not None:
            time_period, minutes = used_up
            raise SessionTimeLimitReached(
                f"You reached your {time_period} time limit of {minutes} minutes of play; take a break"
            )
        if any(limits[f"loss_{p}"].value is not None for p in WINDOWS):
            period = loss_refusal(limits, self.rg.net_losses(now), stake)
            if period is not None:
                raise LossLimitReached(f"This round could take you past your {period} loss limit")
        return session

    async def _command(
        self,
        payload: dict[str, Any],
        decide: Callable[[Ledger, datetime, str], list[LedgerEvent]],
        after: Callable[[list[LedgerEvent], datetime], dict[str, Any]] | None = None,
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
            except DomainError as error:
                answer: Result = refusal(error)
            else:
                context = payload.get("aml_context") or None
                for event in events:
                    self._append(event, context if event is events[-1] else None)
                self.rg.record_flows(events)
                body = (
                    after(events, now)
                    if after
                    else {"event": event_json(events[-1]), "balance": events[-1].balance_after}
                )
                answer = {"status": 201, "body": body}
            self.storage.exec(
                "INSERT INTO idempotency (key, request_hash, status, body, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                key,
                request_hash,
                answer["status"],
                json.dumps(answer["body"], separators=(",", ":")),
                rfc3339(now),
            )
            if answer["status"] == DepositLimitExceeded.status and "deposit_limit" in json.dumps(
                answer["body"]
            ):
                self.behaviour.observe("deposit_declined", now, payload.get("rg") or {})
            return answer

        # Armed before the write: if this object is reset right after the commit, the alarm
        # still projects what it committed (an alarm with nothing to do costs one wake-up).
        await self._schedule_projection()
        try:
            return self._transaction(write)
        except DomainError as error:
            return refusal(error)

    def _remember_player(self, player_id: str) -> None:
        if self.rg.raw("player_id") is None:
            self.rg.put_raw("player_id", player_id)

    def _append(self, event: LedgerEvent, context: dict[str, str] | None = None) -> None:
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
        # The fraud consumer also reads the request's fingerprints (keyed hashes of the
        # device), kept with the event they came with; the D1 projection ignores them.
        outbox_row = {**row, "attributes": context} if context else row
        self.storage.exec(
            "INSERT INTO outbox (topic, payload) VALUES ('wallet_event', ?)",
            json.dumps(outbox_row, separators=(",", ":")),
        )

    # AML -------------------------------------------------------------------------------
    def _restriction(self) -> str | None:
        value = self.rg.get("aml_restriction")
        return str(value) if value else None

    def _check_may_move_money(self, now: datetime) -> None:
        """What every deposit and stake must pass: no exclusion in force, no AML freeze."""
        check_not_excluded(self.rg.exclusion(), now)
        if self._restriction() == "freeze":
            raise AccountRestricted()

    async def aml_restrict(self, payload: dict[str, Any]) -> Result:
        """What an AML risk level does to this account (the fraud consumer asks): `hold` keeps
        every withdrawal requested but unpaid (enhanced due diligence), `freeze` also refuses
        deposits and stakes; `None` lifts it (compliance closed the alerts). Only the order
        hold < freeze is kept unless `lift` says otherwise; nothing of it shows in what the
        player reads (no tipping off)."""
        order = {None: 0, "hold": 1, "freeze": 2}
        wanted = payload.get("level")
        if wanted not in order:
            return refusal(DomainError(f"unknown restriction {wanted!r}"))

        def write() -> str | None:
            current = self._restriction()
            if payload.get("lift") or order[wanted] > order[current]:
                self.rg.put("aml_restriction", wanted)
                return wanted
            return current

        level = self._transaction(write)
        if level is None and self.payments.open_withdrawals(1):
            await self._schedule_projection()  # held withdrawals are paid by the alarm
        return {"status": 200, "body": {"restriction": level}}

    # Responsible gaming ----------------------------------------------------------------
    def _limits_view(self, now: datetime, rules: LimitRules) -> dict[str, Any]:
        limits = self.rg.ensure_required(now, rules)
        pending = [
            {
                "limit": kind,
                "value": limit.pending_value,
                "effective_at": rfc3339(limit.effective_at) if limit.effective_at else None,
            }
            for kind, limit in limits.items()
            if limit.pending
        ]
        return {
            "deposit": {p: limits[f"deposit_{p}"].value for p in WINDOWS},
            "loss": {p: limits[f"loss_{p}"].value for p in WINDOWS},
            "time": {p: limits[f"time_{p}"].value for p in WINDOWS},
            "session_minutes": limits["time_daily"].value,
            "pending": pending,
        }

    @answers_refusals
    async def get_limits(self, payload: dict[str, Any]) -> Result:
        rules = LimitRules.from_dict(payload.get("rules"))
        body = self._transaction(lambda: self._limits_view(self.deps.clock.now(), rules))
        return {"status": 200, "body": body}

    @answers_refusals
    async def set_limits(self, payload: dict[str, Any]) -> Result:
        """`{changes: {kind: value or None}, rules}`: each change by the lower-at-once rule,
        under the jurisdiction's rules (mandatory kinds, maxima); all of them or none."""
        now = self.deps.clock.now()
        rules = LimitRules.from_dict(payload.get("rules"))

        def write() -> dict[str, Any]:
            self._remember_player(payload["player_id"])
            limits = self.rg.limits(now)
            for name, value in payload["changes"].items():
                kind = kind_of(name)
                limits[kind] = request_change(limits[kind], value, now, rules)
            check_required(eventual_values(limits), rules)
            for limit in limits.values():
                self.rg.save_limit(limit)
            view = self._limits_view(now, rules)
            # Raised limits waiting for their cooling-off reach D1 through the outbox, so the
            # `limit_activations` job knows whose WalletDO to visit once they are due.
            for change in view["pending"]:
                if change["effective_at"]:
                    self.storage.exec(
                        "INSERT INTO outbox (topic, payload) VALUES ('limit_change', ?)",
                        json.dumps({**change, "recorded_at": rfc3339(now)}),
                    )
            return view

        await self._schedule_projection()
        return {"status": 200, "body": self._transaction(write)}

    @answers_refusals
    async def exclude(self, payload: dict[str, Any]) -> Result:
        """Self-exclusion (`days` or `permanent`), a break (`hours`) or the national list."""
        now = self.deps.clock.now()
        kind = payload["kind"]
        if kind == "break":
            requested = take_a_break(payload.get("hours"), now)  # type: ignore[arg-type]  # checked there
        elif kind == "national":
            requested = self_exclusion(None, True, now)
            requested = type(requested)("national", None, True)
        else:
            requested = self_exclusion(payload.get("days"), bool(payload.get("permanent")), now)

        def write() -> Any:
            self._remember_player(payload["player_id"])
            merged = extend(self.rg.exclusion(), requested, now)
            self.rg.save_exclusion(merged)
            return merged

        merged = self._transaction(write)
        return {
            "status": 201,
            "body": {
                "excluded_until": rfc3339(merged.until) if merged.until else None,
                "permanent": merged.permanent,
                "kind": merged.kind,
            },
        }

    @answers_refusals
    async def rg_status(self, payload: dict[str, Any]) -> Result:
        now = self.deps.clock.now()
        exclusion = self.rg.exclusion()
        return {
            "status": 200,
            "body": {
                "excluded": exclusion.active(now),
                "kind": exclusion.kind if exclusion.active(now) else None,
                "excluded_until": rfc3339(exclusion.until) if exclusion.until else None,
                "permanent": exclusion.permanent,
            },
        }

    @answers_refusals
    async def check_can_play(self, payload: dict[str, Any]) -> Result:
        check_not_excluded(self.rg.exclusion(), self.deps.clock.now())
        return {"status": 200, "body": {}}

    @answers_refusals
    async def reality_check(self, payload: dict[str, Any]) -> Result:
        now = self.deps.clock.now()
        idle = timedelta(minutes=int(payload.get("idle_minutes", 30)))
        session = self.rg.play_session(now, idle)
        started = parse_rfc3339(session["started_at"])
        return {
            "status": 200,
            "body": {
                "session_started_at": session["started_at"],
                "elapsed_minutes": int((now - started).total_seconds() // 60),
                "rounds": session["rounds"],
                "total_staked": session["staked"],
                "total_won": session["won"],
                "net_position": session["won"] - session["staked"],
                "active": session["active"],
            },
        }

    # Projection into D1 ----------------------------------------------------------------
    async def _schedule_projection(self) -> None:
        if await self.storage.get_alarm() is None:
            await self.storage.set_alarm(int(self.deps.clock.now().timestamp() * 1000))

    async def alarm(self) -> None:
        """Pay what is due, then drain the outbox to its followers (D1). A follower that is
        unavailable is retried by this alarm with back-off, without end: a committed fact is
        never left behind (the runtime's own alarm retries stop after a few attempts)."""
        player_id = self._meta("player_id")
        if player_id is None:
            return
        try:
            await self._pay_withdrawals(player_id)
            consumers = WITH_FRAUD if self.deps.queue is not None else D1_ONLY
            await project_to_d1(self.storage, self.deps.db, player_id, consumers)
            if self.deps.queue is not None:
                await stream_to_queue(self.storage, self.deps.queue, player_id)
        except Unavailable:
            attempts = int(self.rg.get("alarm_attempts", 0))
            self.rg.put("alarm_attempts", attempts + 1)
            delay = min(RETRY_FIRST_MS * 2**attempts, RETRY_MAX_MS)
            await self.storage.set_alarm(int(self.deps.clock.now().timestamp() * 1000) + delay)
            return
        if self.rg.get("alarm_attempts", 0):
            self.rg.put("alarm_attempts", 0)

    async def _pay_withdrawals(self, player_id: str) -> None:
        """Hand each requested withdrawal to the payment provider (idempotent by its ref, so a
        retry after a lost answer pays once) and record it paid."""
        if self.deps.payouts is None or self._restriction() is not None:
            return  # held for enhanced due diligence: paid when compliance lifts the hold
        for row in self.payments.open_withdrawals():
            await self.deps.payouts.pay(
                {"ref": row["ref"], "player_id": player_id, "amount": row["amount"],
                 "method": row["method"], "account": json.loads(row["account"] or "null")}
            )  # fmt: skip
            ref: str = row["ref"]
            self._transaction(
                functools.partial(self.payments.mark_paid, ref, self.deps.clock.now())
            )
