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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from casino.bonus import Bonus, after_stake
from casino.errors import DepositLimitExceeded, DomainError, IdempotencyKeyReused
from casino.exclusion import Exclusion, check_not_excluded, extend
from casino.jurisdictions import from_dict
from casino.ledger import EventType, Ledger, LedgerEvent, replay
from casino.limits import WINDOWS, LimitRules
from casino.messages import PlayRules, Settlement, SettleRound
from casino.timefmt import parse_rfc3339, rfc3339
from casino.wallet import (
    PlaySession,
    WalletState,
    Withdrawal,
    check_losses,
    check_may_move_money,
    check_restriction,
    check_time,
    decide_deposit,
    decide_grant_bonus,
    decide_limit_changes,
    decide_restriction,
    decide_stake,
    decide_withdraw,
    deposit_limited,
    elapsed_minutes,
    loss_limited,
    play_round,
    requested_exclusion,
)
from infra.ports import ActorStorage, Clock, Database, PayoutProvider, Queue, Unavailable
from infra.storage_schema import migrate

from . import logins
from .behaviour_watch import BehaviourWatch
from .payments import Payments
from .projection import Drain, Outbox
from .provider_wallet import ProviderBets, bet_ref, credit_events
from .responsible import ResponsibleGaming
from .rpc import answers_refusals, refusal
from .schema import STEPS

Result = dict[str, Any]
Decide = Callable[[WalletState, datetime, str], list[LedgerEvent]]
After = Callable[[list[LedgerEvent], datetime], dict[str, Any]]
T = TypeVar("T")
RETRY_FIRST_MS = 1_000
RETRY_MAX_MS = 60_000
EVENT_COLUMNS = ("seq", "type", "amount", "balance_after", "created_at", "ref")


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
        self.outbox = Outbox(storage)
        self.rg = ResponsibleGaming(storage)
        self.payments = Payments(storage, self.outbox)
        self.provider_bets = ProviderBets(storage, self.outbox)
        self.behaviour = BehaviourWatch(storage, self.rg, self.outbox)
        self.logins = logins.Logins(storage)

    # Reads -----------------------------------------------------------------------------
    def _ledger(self) -> Ledger:
        rows = self.storage.exec("SELECT seq, balance_after FROM events ORDER BY seq DESC LIMIT 1")
        return Ledger(rows[0]["balance_after"], rows[0]["seq"]) if rows else Ledger()

    def _meta(self, key: str, default: str | None = None) -> str | None:
        value = self.rg.raw(key)
        return default if value is None else value

    def _state(self) -> WalletState:
        return WalletState(self._ledger(), self.rg.exclusion(), self._restriction(), self._bonus())

    def _bonus(self) -> Bonus:
        data = self.rg.get("bonus")
        return Bonus(**data) if data else Bonus()

    def _restriction(self) -> str | None:
        value = self.rg.get("aml_restriction")
        return str(value) if value else None

    def _transaction(self, fn: Callable[[], T]) -> T:
        """One storage transaction, with the ledger's meta read at most once in it and the
        outbox rows it adds written at its end."""
        return self.storage.transaction(lambda: self.rg.within(lambda: self._with_outbox(fn)))

    def _with_outbox(self, fn: Callable[[], T]) -> T:
        try:
            result = fn()
        except BaseException:
            self.outbox.discard()
            raise
        self.outbox.flush()
        return result

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
        amount, rules = payload["amount"], PlayRules.from_dict(payload.get("rg"))

        def decide(state: WalletState, now: datetime, ref: str) -> list[LedgerEvent]:
            check_may_move_money(state, now)  # first: an excluded player's limits are not read
            limits = self.rg.limits(now)
            totals = self.rg.deposit_totals(now) if deposit_limited(limits) else {}
            return decide_deposit(state, amount, ref, limits, totals, now)

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            source = payload.get("source") or {"method": payload["method"], "own": False}
            self.payments.record_deposit(events[-1].ref, amount, source, now)
            return {
                "event": event_json(events[-1]),
                "balance": events[-1].balance_after,
                "interventions": self.behaviour.observe("deposit", now, rules),
            }

        return await self._command(payload, decide, after)

    async def withdraw(self, payload: dict[str, Any]) -> Result:
        decided: list[Withdrawal] = []

        def decide(state: WalletState, now: datetime, ref: str) -> list[LedgerEvent]:
            registered = payload.get("payout_account")
            own = None if registered else self.payments.own_source()
            required = bool(payload.get("destination_required"))
            withdrawal = decide_withdraw(
                state, payload["amount"], ref, registered, own, required, now
            )
            if withdrawal.bonus is not None:
                self._save_bonus(withdrawal.bonus)
            decided.append(withdrawal)
            return withdrawal.events

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            withdrawal = self.payments.request_withdrawal(
                events[-1].ref, payload["method"], payload["amount"], decided[0].destination,
                now, int(payload.get("payout_within_minutes", 120)),
            )  # fmt: skip
            return {
                "event": event_json(events[-1]),
                "balance": events[-1].balance_after,
                "withdrawal": withdrawal,
            }

        return await self._command(payload, decide, after)

    @answers_refusals
    async def withdrawals(self, payload: dict[str, Any]) -> Result:
        now = self.deps.clock.now()
        return {"status": 200, "body": {"withdrawals": self.payments.withdrawals(now)}}

    def _save_bonus(self, bonus: Bonus) -> None:
        self.rg.put("bonus", vars(bonus) if bonus.active else None)

    async def grant_bonus(self, payload: dict[str, Any]) -> Result:
        """BONUS_CREDIT with a wagering requirement, where the jurisdiction allows bonuses."""
        profile = from_dict(payload["profile"])
        amount, multiplier = payload["amount"], payload["wagering_multiplier"]

        def decide(state: WalletState, now: datetime, ref: str) -> list[LedgerEvent]:
            events, bonus = decide_grant_bonus(state, profile, amount, multiplier, ref, now)
            self._save_bonus(bonus)
            return events

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            return {
                "event": event_json(events[-1]),
                "balance": events[-1].balance_after,
                "bonus": _bonus_json(self._bonus()),
            }

        return await self._command(payload, decide, after)

    @answers_refusals
    async def bonus_status(self, payload: dict[str, Any]) -> Result:
        return {"status": 200, "body": _bonus_json(self._bonus())}

    async def settle_round(self, payload: dict[str, Any]) -> Result:
        """BET, WIN (when the payout is positive), the round record and their outbox rows, in
        one storage transaction: all of it or none of it. Answers the settlement's facts
        (`Settlement`); the SessionDO makes the round's answer of them and its record."""
        command = SettleRound.from_dict(payload, any_key=True)
        stake, payout = command.record.stake, command.record.payout
        sessions: list[PlaySession] = []

        def decide(state: WalletState, now: datetime, ref: str) -> list[LedgerEvent]:
            events = decide_stake(state, stake, payout, ref, now)
            sessions.append(self._check_play(now, command.rules, stake))
            return events

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            return self._settle(command, events, sessions[0], now).to_dict()

        payload = {**payload, "ref": f"round:{command.record.round_id}"}
        return await self._command(payload, decide, after)

    def _settle(
        self, command: SettleRound, events: list[LedgerEvent], session: PlaySession, now: datetime
    ) -> Settlement:
        """What a settled round writes besides its events: the bonus's wagering, the play
        session, the behavioural alerts, the round record and its outbox row."""
        record, rules = command.record, command.rules
        self._save_bonus(after_stake(self._bonus(), record.stake))
        if session.recent_stakes is None:  # a session stored before it kept them
            session = replace(session, recent_stakes=tuple(self.behaviour.recent_stakes()))
        reality_every = timedelta(minutes=rules.reality_check_minutes)
        played, reality = play_round(session, record.stake, record.payout, now, reality_every)
        self.rg.save_session(played)
        interventions = self.behaviour.observe("round", now, rules, session.recent_stakes)
        stored = {**record.to_dict(), "created_at": rfc3339(now)}
        self.storage.exec(
            "INSERT INTO rounds (round_id, session_id, game_id, nonce, server_seed_hash, "
            "stake, payout, bet_seq, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            record.round_id, record.session_id, record.game_id, record.nonce,
            record.server_seed_hash, record.stake, record.payout, events[0].seq,
            stored["created_at"], json.dumps(stored, separators=(",", ":")),
        )  # fmt: skip
        self.outbox.add("round", stored)
        return Settlement(events[-1].balance_after, reality, tuple(interventions))

    async def provider_transaction(self, payload: dict[str, Any]) -> Result:
        """A provider's bet (BET, under every rule a stake of ours passes), or its win, refund or
        rollback of a known bet (WIN, never more back than was staked). Idempotent by the
        provider's transaction id: a repeat answers the first answer."""
        tx, rules = payload["transaction"], PlayRules.from_dict(payload.get("rg"))
        amounts: list[int] = []

        def decide(state: WalletState, now: datetime, ref: str) -> list[LedgerEvent]:
            events, amount = self._provider_events(state, tx, rules, ref, now)
            amounts.append(amount)
            return events

        def after(events: list[LedgerEvent], now: datetime) -> dict[str, Any]:
            self.provider_bets.outbox({**tx, "amount": amounts[0]}, now)
            return {
                "transaction_id": tx["transaction_id"],
                "kind": tx["kind"],
                "amount": amounts[0],
                "balance": events[-1].balance_after if events else self._ledger().balance,
                "event": event_json(events[-1]) if events else None,
            }

        return await self._command(payload, decide, after)

    def _provider_events(
        self, state: WalletState, tx: dict[str, Any], rules: PlayRules, ref: str, now: datetime
    ) -> tuple[list[LedgerEvent], int]:
        """A bet's BET (and its bet record), or a credit's WIN of a known bet, and the amount."""
        if tx["kind"] != "bet":
            events, amount = credit_events(self.provider_bets, state.ledger, tx, ref, now)
            bet = bet_ref(tx["provider_id"], tx["bet_transaction_id"])
            self.provider_bets.record_credit(bet, tx["kind"], amount)
            return events, amount
        stake = int(tx["amount"])
        events = decide_stake(state, stake, 0, ref, now)
        self._check_play(now, rules, stake)
        self.provider_bets.record_bet(bet_ref(tx["provider_id"], tx["transaction_id"]), tx, now)
        self._save_bonus(after_stake(state.bonus, stake))
        return events, stake

    def _check_play(self, now: datetime, rules: PlayRules, stake: int) -> PlaySession:
        """What any stake must pass, our games' or a provider's: the mandatory limits in force,
        the time limits over their windows (the attempt itself counts as time at the table and
        is kept when refused) and the loss limits. Returns the current play session."""
        idle = timedelta(minutes=rules.idle_minutes)
        limits = self.rg.ensure_required(now, rules.limits or LimitRules())
        opened = rules.session_opened_at
        opened_at = parse_rfc3339(opened) if opened else None
        session = self.rg.play_session(now, idle, opened_at)
        self.rg.record_play(now, idle, opened_at)
        check_time(limits, self.rg.play_spans(now, idle), now)
        if loss_limited(limits):
            check_losses(limits, self.rg.net_losses(now), stake)
        return session

    async def _command(self, payload: dict[str, Any], decide: Decide, after: After) -> Result:
        """Decide and write one command atomically; the same key replays the first answer."""
        now = self.deps.clock.now()
        # Armed before the write: if this object is reset right after the commit, the alarm
        # still projects what it committed (an alarm with nothing to do costs one wake-up).
        await self._schedule_projection()
        try:
            return self._transaction(lambda: self._write(payload, decide, after, now))
        except DomainError as error:
            return refusal(error)

    def _write(
        self, payload: dict[str, Any], decide: Decide, after: After, now: datetime
    ) -> Result:
        """The body of a command's transaction: the recorded answer of its key, or the answer
        decided now and recorded under it."""
        key, request_hash = payload["idempotency_key"], payload["request_hash"]
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
        answer = self._decide(payload, decide, after, now)
        self.storage.exec(
            "INSERT INTO idempotency (key, request_hash, status, body, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            key, request_hash, answer["status"],
            json.dumps(answer["body"], separators=(",", ":")), rfc3339(now),
        )  # fmt: skip
        if _declined_at_deposit_limit(answer):
            self.behaviour.observe("deposit_declined", now, PlayRules.from_dict(payload.get("rg")))
        return answer

    def _decide(
        self, payload: dict[str, Any], decide: Decide, after: After, now: datetime
    ) -> Result:
        """The command decided against the wallet's state, and its events written (a refusal
        is an answer too)."""
        try:
            events = decide(self._state(), now, payload["ref"])
        except DomainError as error:
            return refusal(error)
        self._append(events, payload.get("aml_context") or None)
        self.rg.record_flows(events)
        return {"status": 201, "body": after(events, now)}

    def _remember_player(self, player_id: str) -> None:
        if self.rg.raw("player_id") is None:
            self.rg.put_raw("player_id", player_id)

    def _append(self, events: list[LedgerEvent], context: dict[str, str] | None = None) -> None:
        """The events, in one statement, and their outbox rows. The fraud consumer also reads
        the request's fingerprints (keyed hashes of the device), kept with the last event; the
        D1 projection ignores them."""
        rows = [event_json(event) for event in events]
        if not rows:
            return
        self.storage.exec(
            "INSERT INTO events (seq, type, amount, balance_after, created_at, ref) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(rows)),
            *[row[column] for row in rows for column in EVENT_COLUMNS],
        )
        for row in rows[:-1]:
            self.outbox.add("wallet_event", row)
        self.outbox.add(
            "wallet_event", {**rows[-1], "attributes": context} if context else rows[-1]
        )

    # AML -------------------------------------------------------------------------------
    @answers_refusals
    async def aml_restrict(self, payload: dict[str, Any]) -> Result:
        """What an AML risk level does to this account (the fraud consumer asks): `hold` keeps
        every withdrawal requested but unpaid (enhanced due diligence), `freeze` also refuses
        deposits and stakes; `None` lifts it (compliance closed the alerts). Only the order
        hold < freeze is kept unless `lift` says otherwise; nothing of it shows in what the
        player reads (no tipping off)."""
        wanted, lift = payload.get("level"), bool(payload.get("lift"))
        check_restriction(wanted)

        def write() -> str | None:
            current = self._restriction()
            level = decide_restriction(current, wanted, lift)
            if lift or level != current:
                self.rg.put("aml_restriction", level)
            return level

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
            limits = decide_limit_changes(self.rg.limits(now), payload["changes"], rules, now)
            for limit in limits.values():
                self.rg.save_limit(limit)
            view = self._limits_view(now, rules)
            # Raised limits waiting for their cooling-off reach D1 through the outbox, so the
            # `limit_activations` job knows whose WalletDO to visit once they are due.
            for change in view["pending"]:
                if change["effective_at"]:
                    recorded = {**change, "recorded_at": rfc3339(now)}
                    self.outbox.add("limit_change", recorded, compact=False)
            return view

        await self._schedule_projection()
        return {"status": 200, "body": self._transaction(write)}

    @answers_refusals
    async def exclude(self, payload: dict[str, Any]) -> Result:
        """Self-exclusion (`days` or `permanent`), a break (`hours`) or the national list."""
        now = self.deps.clock.now()
        requested = requested_exclusion(
            payload["kind"], payload.get("hours"), payload.get("days"),
            bool(payload.get("permanent")), now,
        )  # fmt: skip

        def write() -> Exclusion:
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
        # The payload is the play rules, with the player's id every command carries.
        rules = PlayRules.from_dict({k: v for k, v in payload.items() if k != "player_id"})
        idle = timedelta(minutes=rules.idle_minutes)
        session = self.rg.play_session(now, idle)
        return {
            "status": 200,
            "body": {
                "session_started_at": rfc3339(session.started_at),
                "elapsed_minutes": elapsed_minutes(session, now),
                "rounds": session.rounds,
                "total_staked": session.staked,
                "total_won": session.won,
                "net_position": session.won - session.staked,
                "active": session.active,
            },
        }

    # Logins and KYC status (logins.py): what an authenticated request asks ---------------
    @answers_refusals
    async def start_login(self, payload: dict[str, Any]) -> Result:
        """`{family_id, at, until}`: a login (or its refresh) started, usable until `until`; an
        ended one stays ended."""
        family, at = logins.family_id(payload.get("family_id")), str(payload["at"])
        until = logins.until(payload.get("until"))
        self.storage.transaction(lambda: self.logins.start(family, at, until))
        return {"status": 200, "body": self.logins.state(family)}

    @answers_refusals
    async def end_logins(self, payload: dict[str, Any]) -> Result:
        """`{family_ids, why}`: those logins ended, their access tokens refused from now on."""
        families = logins.family_ids(payload.get("family_ids"))
        why, at = str(payload.get("why") or "ended"), rfc3339(self.deps.clock.now())
        self.storage.transaction(lambda: self.logins.end(families, why, at))
        return {"status": 200, "body": {"ended": len(families)}}

    @answers_refusals
    async def set_kyc_status(self, payload: dict[str, Any]) -> Result:
        """`{kyc_status}`: the player's KYC status as the app's KYC writer sets it."""
        status = logins.kyc_status(payload.get("kyc_status"))
        self.storage.transaction(lambda: self.logins.set_kyc(status))
        return {"status": 200, "body": {"kyc_status": status}}

    @answers_refusals
    async def login_state(self, payload: dict[str, Any]) -> Result:
        """`{known, ended, kyc_status}` of the login `family_id`."""
        family = logins.family_id(payload.get("family_id"))
        return {"status": 200, "body": self.logins.state(family)}

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
            await Drain(self.storage, self.deps.db, self.deps.queue, player_id).run()
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


def _bonus_json(bonus: Bonus) -> dict[str, int]:
    return {"locked": bonus.locked, "wagering_remaining": bonus.wagering_remaining}


def _declined_at_deposit_limit(answer: Result) -> bool:
    """A deposit refused at a deposit limit (a behaviour signal once it repeats)."""
    return answer["status"] == DepositLimitExceeded.status and "deposit_limit" in json.dumps(
        answer["body"]
    )
