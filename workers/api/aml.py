"""The AML pipeline's application side: the fraud queue's consumer and the alerts' lifecycle.

The consumer scores each wallet event (one queue message) with the core's rules
(`casino.aml`), read from KV (`aml:rules`) or the defaults. What a rule sees comes from D1: the
WalletDO sends an event to the queue only after its D1 projection has passed it, so the
player's events up to this one are all there, and the verdict does not depend on when the
message arrives. Processing is idempotent by event id: an alert's id is a function of the
player, the rule and the window, so a redelivered event finds its alert and raises nothing new.

A new alert acts before it is written (the WalletDO holds withdrawals for `high`, freezes for
`critical`, both idempotent), so a crash in between acts again on redelivery and never leaves
an alert whose action was lost. A `critical` alert drafts a COS for COAF, due in 24 hours.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from casino import aml
from casino.errors import NotFound, ValidationFailed
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import Database, QueueMessage, Row, Statement
from wallet_do.client import WalletClient

from .alerts import raise_alert
from .audit import audit_entry
from .services import Services

log = logging.getLogger("casino.aml")
RULES_KEY = "aml:rules"
COUNTRIES_KEY = "aml:high_risk_countries"
# FATF's "call for action" list (February 2025): a player from one of these adds to every risk.
HIGH_RISK_COUNTRIES = frozenset({"KP", "IR", "MM"})
CONFIG_TTL_SECONDS = 60.0
RETRY_MAX_SECONDS = 300
ALERT_COLUMNS = "alert_id, player_id, rule, score, risk, created_at, status"
_config: dict[int, tuple[float, tuple[dict[str, Any], ...], frozenset[str]]] = {}


# Configuration ---------------------------------------------------------------------------
async def configuration(services: Services) -> tuple[tuple[dict[str, Any], ...], frozenset[str]]:
    """The rules and high-risk countries, from KV (checked; on an invalid value the defaults,
    and an operator alert), cached for a minute per isolate."""
    cached = _config.get(id(services))
    if cached and time.monotonic() - cached[0] < CONFIG_TTL_SECONDS:
        return cached[1], cached[2]
    rules, countries = aml.DEFAULT_RULES, HIGH_RISK_COUNTRIES
    raw_rules, raw_countries = (
        await services.kv.get(RULES_KEY),
        await services.kv.get(COUNTRIES_KEY),
    )
    try:
        if raw_rules is not None:
            rules = aml.validate(json.loads(raw_rules))
        if raw_countries is not None:
            countries = frozenset(str(c).upper() for c in json.loads(raw_countries))
    except (ValueError, TypeError, AttributeError) as error:
        await raise_alert(services, "invalid_config", RULES_KEY, str(error), raw_rules or "")
    _config[id(services)] = (time.monotonic(), rules, countries)
    return rules, countries


# The consumer ------------------------------------------------------------------------------
Link = tuple[str, str]  # (alert id, event id): an event an alert names
Batch = dict[str, list[tuple[QueueMessage, aml.WalletEvent]]]  # a batch's events by player
Ask = tuple[
    int, str, int | str
]  # what an event's rules ask: (event index, "totals" | "sharing", key)


async def consume(services: Services, messages: Sequence[QueueMessage]) -> dict[str, int]:
    """The fraud queue's batch, one player at a time (one read of D1 for all of a player's
    events in the batch, so a batch of 100 stays far inside the 1,000 D1 queries of an
    invocation): each message acked once scored, retried with back-off when anything failed
    (D1 or a Durable Object unavailable, a malformed body: after its retries the queue
    dead-letters it)."""
    rules, countries = await configuration(services)
    counts = {"scored": 0, "alerts": 0, "retried": 0}
    players = _by_player(messages, counts)
    links, scored = await _score_players(services, rules, countries, players, counts)
    await _acknowledge(services, links, scored, counts)
    return counts


def _by_player(messages: Sequence[QueueMessage], counts: dict[str, int]) -> Batch:
    """The batch's events by player; a malformed message is retried (then dead-lettered)."""
    players: Batch = {}
    for message in messages:
        try:
            event = _event(message.body)
        except (KeyError, ValueError, TypeError, AttributeError):
            log.error("fraud message %s is malformed (attempt %d)", message.id, message.attempts)
            _retry(message, counts)
            continue
        players.setdefault(event.player_id, []).append((message, event))
    return players


async def _score_players(
    services: Services,
    rules: Sequence[Mapping[str, Any]],
    countries: frozenset[str],
    players: Batch,
    counts: dict[str, int],
) -> tuple[list[Link], list[QueueMessage]]:
    """Each player's events scored in `seq` order: the later events' links (for one statement
    for the batch) and the messages scored; a player whose scoring failed is retried whole."""
    links: list[Link] = []  # later events of known alerts, written once for the batch
    scored: list[QueueMessage] = []
    for items in players.values():
        items.sort(key=lambda item: item[1].seq)
        try:
            raised, later = await score(services, rules, countries, [e for _, e in items])
        except Exception:
            log.exception("fraud events of a player failed (%d messages)", len(items))
            for message, _ in items:
                _retry(message, counts)
        else:
            counts["alerts"] += raised
            links += later
            scored += [message for message, _ in items]
    return links, scored


async def _acknowledge(
    services: Services,
    links: Sequence[Link],
    scored: Sequence[QueueMessage],
    counts: dict[str, int],
) -> None:
    """The batch's links written, then every scored message acked; if the links fail, the
    scored messages are retried (their alerts, already written, are found again)."""
    try:
        if links:
            await _links(services, links).run()
    except Exception:
        log.exception("the links of %d later events failed", len(links))
        for message in scored:
            _retry(message, counts)
        return
    for message in scored:
        message.ack()
    counts["scored"] += len(scored)


def _retry(message: QueueMessage, counts: dict[str, int]) -> None:
    """Back-off: 1 s after the first delivery, then 2, 4, 8, ... up to five minutes."""
    message.retry(min(2 ** max(message.attempts - 1, 0), RETRY_MAX_SECONDS))
    counts["retried"] += 1


def _event(body: Mapping[str, Any]) -> aml.WalletEvent:
    return aml.WalletEvent(
        event_id=str(body["event_id"]),
        player_id=str(body["player_id"]),
        type=str(body["type"]),
        amount=int(body["amount"]),
        at=int(parse_rfc3339(str(body["created_at"])).timestamp()),
        seq=int(body["seq"]),
        attributes={str(k): str(v) for k, v in (body.get("attributes") or {}).items()},
    )


async def score(
    services: Services,
    rules: Sequence[Mapping[str, Any]],
    countries: frozenset[str],
    events: Sequence[aml.WalletEvent],
) -> tuple[int, list[Link]]:
    """Score one player's events (in `seq` order): the number of new alerts they raised (written
    already), and the links of events that fall in an alert already raised (for the caller to
    write)."""
    await _remember_fingerprints(services, events)
    looking = [(e, t) for e in events if (t := aml.triggered(rules, e))]
    if not looking:
        return 0, []
    contexts, known = await _contexts(services, rules, countries, looking)
    raised, links = 0, list[Link]()
    for (event, triggered), ctx in zip(looking, contexts, strict=True):
        for alert in aml.evaluate(triggered, event, ctx):
            if alert.alert_id in known:  # its window's later events, for the record
                links.append((alert.alert_id, event.event_id))
                continue
            raised += await _raise(services, alert, _instant(event.at))
            known.add(alert.alert_id)
    return raised, links


def _links(services: Services, pairs: Sequence[Link]) -> Statement:
    """Every (alert, event) pair in one statement (one of an invocation's 1,000 D1 queries,
    however many events an alert names)."""
    return services.db.prepare(
        "INSERT OR IGNORE INTO aml_alert_events (alert_id, event_id) "
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)"
    ).bind(json.dumps([list(p) for p in pairs]))


async def _remember_fingerprints(services: Services, events: Sequence[aml.WalletEvent]) -> None:
    statements = [
        services.db.prepare(
            "INSERT OR IGNORE INTO aml_fingerprints (attribute, value_hash, player_id, "
            "first_seen) VALUES (?, ?, ?, ?)"
        ).bind(attribute, value, event.player_id, event.at)
        for event in events
        for attribute, value in sorted(event.attributes.items())
    ]
    if statements:
        await services.db.batch(statements)


def _instant(epoch_s: int) -> str:
    return rfc3339(datetime.fromtimestamp(epoch_s, UTC))


# What a rule sees ---------------------------------------------------------------------------
async def _contexts(
    services: Services,
    rules: Sequence[Mapping[str, Any]],
    countries: frozenset[str],
    looking: Sequence[tuple[aml.WalletEvent, Sequence[Mapping[str, Any]]]],
) -> tuple[list[aml.Context], set[str]]:
    """What each event's rules see, in one D1 batch: the player's detail events over the largest
    window (each event then sees those up to its own `seq`), the player's risk factors, the
    alerts already raised in that time, and per event the totals and sharing its rules ask."""
    db = services.db
    player_id = looking[0][0].player_id
    reads = _player_reads(db, rules, looking)
    asked = [
        ask
        for i, (event, triggered) in enumerate(looking)
        for ask in _event_asks(db, player_id, i, event, triggered)
    ]
    results = await db.batch(reads + [statement for _, statement in asked])
    history = _history(player_id, results[0])
    factors = _factors(results[1][0] if results[1] else {}, countries)
    known = {str(r["alert_id"]) for r in results[2]}
    totals, sharing = _answers(len(looking), [ask for ask, _ in asked], results[3:])
    contexts = [aml.Context(history, totals[i], sharing[i], factors) for i in range(len(looking))]
    return contexts, known


def _player_reads(
    db: Database,
    rules: Sequence[Mapping[str, Any]],
    looking: Sequence[tuple[aml.WalletEvent, Sequence[Mapping[str, Any]]]],
) -> list[Statement]:
    """The player's detail events over the largest window the triggered rules look at (deposits,
    withdrawals, and the bets a high-value rule counts), their risk factors, and their alerts
    raised in that time."""
    events = [event for event, _ in looking]
    player_id = events[0].player_id
    horizon = max(int(r["window_s"]) for _, triggered in looking for r in triggered)
    since = _instant(min(e.at for e in events) - horizon)
    min_bet = min(
        (int(r["min_amount"]) for r in rules if r["kind"] == "high_value_play"), default=2**53 - 1
    )
    return [
        db.prepare(
            "SELECT seq, type, amount, created_at FROM wallet_events WHERE player_id = ? AND "
            "created_at > ? AND seq <= ? AND (type IN ('DEPOSIT', 'WITHDRAWAL') OR "
            "(type = 'BET' AND amount >= ?)) ORDER BY seq"
        ).bind(player_id, since, max(e.seq for e in events), min_bet),
        db.prepare("SELECT kyc_status, country, pep FROM players WHERE player_id = ?").bind(
            player_id
        ),
        db.prepare("SELECT alert_id FROM aml_alerts WHERE player_id = ? AND created_at >= ?").bind(
            player_id, since
        ),
    ]


def _event_asks(
    db: Database,
    player_id: str,
    i: int,
    event: aml.WalletEvent,
    triggered: Sequence[Mapping[str, Any]],
) -> list[tuple[Ask, Statement]]:
    """What event `i`'s rules ask beyond the history: the totals of every window a rule totals
    (up to the event's `seq`), and how many players share an attribute a `shared` rule watches."""
    asks: list[tuple[Ask, Statement]] = [
        ((i, "totals", window_s), _totals(db, player_id, event, window_s))
        for window_s in sorted(aml.windows_totalled(triggered))
    ]
    for rule in triggered:
        attribute = str(rule.get("attribute", ""))
        if rule["kind"] == "shared" and attribute in event.attributes:
            window_s = int(rule["window_s"])
            asks.append(((i, "sharing", attribute), _sharing(db, event, attribute, window_s)))
    return asks


def _totals(db: Database, player_id: str, event: aml.WalletEvent, window_s: int) -> Statement:
    return db.prepare(
        "SELECT type, count(*) AS n, coalesce(sum(amount), 0) AS total "
        "FROM wallet_events WHERE player_id = ? AND created_at > ? AND seq <= ? "
        "GROUP BY type"
    ).bind(player_id, _instant(event.at - window_s), event.seq)


def _sharing(db: Database, event: aml.WalletEvent, attribute: str, window_s: int) -> Statement:
    return db.prepare(
        "SELECT count(DISTINCT player_id) AS n FROM aml_fingerprints WHERE "
        "attribute = ? AND value_hash = ? AND first_seen > ?"
    ).bind(attribute, event.attributes[attribute], event.at - window_s)


def _history(player_id: str, rows: Sequence[Row]) -> list[aml.WalletEvent]:
    return [
        aml.WalletEvent(
            f"{player_id}:{r['seq']}",
            player_id,
            r["type"],
            int(r["amount"]),
            int(parse_rfc3339(r["created_at"]).timestamp()),
            int(r["seq"]),
        )  # fmt: skip
        for r in rows
    ]


def _factors(player: Row, countries: frozenset[str]) -> int:
    return aml.player_factors(
        pep=bool(player.get("pep")),
        high_risk_country=str(player.get("country", "")).upper() in countries,
        kyc_verified=player.get("kyc_status") == "verified",
    )


def _answers(
    n: int, asks: Sequence[Ask], results: Sequence[Sequence[Row]]
) -> tuple[list[dict[int, dict[str, tuple[int, int]]]], list[dict[str, int]]]:
    """Each of `n` events' totals (by window, then type: count and sum) and sharing counts."""
    totals: list[dict[int, dict[str, tuple[int, int]]]] = [{} for _ in range(n)]
    sharing: list[dict[str, int]] = [{} for _ in range(n)]
    for (i, kind, key), rows in zip(asks, results, strict=True):
        if kind == "totals":
            totals[i][int(key)] = {r["type"]: (int(r["n"]), int(r["total"])) for r in rows}
        else:
            sharing[i][str(key)] = int(rows[0]["n"]) if rows else 1
    return totals, sharing


# Raising an alert ---------------------------------------------------------------------------
async def _raise(services: Services, alert: aml.Alert, at: str) -> int:
    """A new alert: its action first (idempotent), then its rows in one batch, so a crash in
    between acts again on redelivery and the alert never exists without its action."""
    if alert.action is not None:
        answer = await WalletClient(services.wallets, alert.player_id).aml_restrict(alert.action)
        if answer.get("status") != 200:
            raise RuntimeError(f"the wallet refused the restriction: {answer}")
    now = rfc3339(services.clock.now())
    writes = _alert_rows(services, alert, at, now)
    if alert.risk == "critical":
        writes.append(_cos_draft(services, alert, at, now))
    await services.db.batch(writes)
    log.info("aml alert %s: %s %s for a player", alert.alert_id, alert.rule, alert.risk)
    return 1


def _alert_rows(services: Services, alert: aml.Alert, at: str, now: str) -> list[Statement]:
    """The alert, its first history entry (`open`, by the engine) and the events it names."""
    db = services.db
    return [
        db.prepare(
            "INSERT OR IGNORE INTO aml_alerts (alert_id, player_id, rule, score, risk, status, "
            "reason, created_at, updated_at, action, facts) "
            "VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)"
        ).bind(
            alert.alert_id,
            alert.player_id,
            alert.rule,
            alert.score,
            alert.risk,
            alert.reason,
            at,
            now,
            alert.action,
            json.dumps(dict(alert.facts), sort_keys=True),
        ),  # fmt: skip
        db.prepare(
            "INSERT OR IGNORE INTO aml_alert_history (alert_id, at, status, reason, actor_id) "
            "VALUES (?, ?, 'open', ?, 'aml-engine')"
        ).bind(alert.alert_id, now, alert.reason),
        _links(services, [(alert.alert_id, event_id) for event_id in alert.event_ids]),
    ]


def _cos_draft(services: Services, alert: aml.Alert, at: str, now: str) -> Statement:
    """A critical alert's COS for COAF, drafted, due in `COS_DUE_HOURS`."""
    due = rfc3339(services.clock.now() + timedelta(hours=aml.COS_DUE_HOURS))
    draft = {
        "player_id": alert.player_id, "rule": alert.rule, "risk": alert.risk,
        "score": alert.score, "reason": alert.reason, "events": list(alert.event_ids),
        "detected_at": at,
    }  # fmt: skip
    return services.db.prepare(
        "INSERT OR IGNORE INTO aml_cos_reports (alert_id, player_id, due_by, body, "
        "created_at) VALUES (?, ?, ?, ?, ?)"
    ).bind(alert.alert_id, alert.player_id, due, json.dumps(draft, sort_keys=True), now)


# Alerts for compliance ---------------------------------------------------------------------
async def list_alerts(
    services: Services,
    risk: str | None = None,
    player_id: str | None = None,
    status: str | None = None,
    rule: str | None = None,
    limit: int = 100,
) -> list[Row]:
    where, params = [], []
    for column, value in (
        ("risk", risk),
        ("player_id", player_id),
        ("status", status),
        ("rule", rule),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"SELECT {ALERT_COLUMNS} FROM aml_alerts"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created_at DESC, alert_id LIMIT ?"
    return await services.db.prepare(sql).bind(*params, limit).all()


async def alert_detail(services: Services, alert_id: str) -> dict[str, Any]:
    """An alert with its facts, the events it names, its history and its COS (404 if none)."""
    alert, links, history, cos = await services.db.batch(_detail_reads(services.db, alert_id))
    if not alert:
        raise NotFound("No such alert")
    events = [_event_view(e) for e in links]
    row = alert[0]
    return {
        **row,
        "facts": json.loads(row["facts"]) if row.get("facts") else {},
        "events": events,
        "history": history,
        "cos": cos[0] if cos else None,
    }


def _detail_reads(db: Database, alert_id: str) -> list[Statement]:
    """An alert's row, the wallet events it names, its history and its COS report."""
    return [
        db.prepare(
            f"SELECT {ALERT_COLUMNS}, reason, status_reason, updated_at, action, facts "
            "FROM aml_alerts WHERE alert_id = ?"
        ).bind(alert_id),
        db.prepare(
            "SELECT e.player_id, e.seq, e.type, e.amount, e.balance_after, e.created_at, e.ref "
            "FROM aml_alert_events l JOIN aml_alerts a ON a.alert_id = l.alert_id "
            "JOIN wallet_events e ON e.player_id = a.player_id "
            "AND l.event_id = e.player_id || ':' || e.seq WHERE l.alert_id = ? ORDER BY e.seq"
        ).bind(alert_id),
        db.prepare(
            "SELECT at, status, reason, actor_id FROM aml_alert_history WHERE alert_id = ? "
            "ORDER BY at, status"
        ).bind(alert_id),
        db.prepare(
            "SELECT status, due_by, created_at, filed_at FROM aml_cos_reports WHERE alert_id = ?"
        ).bind(alert_id),
    ]


def _event_view(e: Row) -> dict[str, Any]:
    return {
        "event_id": f"{e['player_id']}:{e['seq']}",
        "seq": e["seq"],
        "type": e["type"],
        "amount": e["amount"],
        "balance_after": e["balance_after"],
        "at": e["created_at"],
        "created_at": e["created_at"],
        "ref": e["ref"],
    }  # fmt: skip


async def change_status(
    services: Services,
    actor_id: str,
    actor_role: str,
    alert_id: str,
    status: str,
    reason: str | None,
) -> dict[str, Any]:
    """Move an alert through its lifecycle (409 `illegal_transition` otherwise). `reported`
    files its COS; `closed` lifts the player's hold or freeze when no other acting alert of
    theirs is still open."""
    if status == "closed" and not (reason or "").strip():
        raise ValidationFailed("An alert is closed with a reason")
    current = await _current(services.db, alert_id)
    aml.check_transition(current["status"], status)
    now = rfc3339(services.clock.now())
    writes = _status_writes(services, actor_id, actor_role, current, alert_id, status, reason, now)
    update, *_ = await services.db.batch(writes)
    if not update:  # another reviewer moved it in between: judge against what it is now
        fresh = await _status(services.db, alert_id)
        aml.check_transition(str((fresh or {}).get("status")), status)
    if status == "closed":
        await _lift_if_clear(services, str(current["player_id"]))
    return await alert_detail(services, alert_id)


async def _current(db: Database, alert_id: str) -> Row:
    current = (
        await db.prepare("SELECT player_id, status FROM aml_alerts WHERE alert_id = ?")
        .bind(alert_id)
        .first()
    )
    if current is None:
        raise NotFound("No such alert")
    return current


async def _status(db: Database, alert_id: str) -> Row | None:
    return (
        await db.prepare("SELECT status FROM aml_alerts WHERE alert_id = ?").bind(alert_id).first()
    )


def _status_writes(
    services: Services,
    actor_id: str,
    actor_role: str,
    current: Row,
    alert_id: str,
    status: str,
    reason: str | None,
    now: str,
) -> list[Statement]:
    """For one batch: the move (only from the status read, `current`), its history entry, the
    COS filed when it is `reported`, and the audit entry."""
    db = services.db
    return [
        db.prepare(
            "UPDATE aml_alerts SET status = ?, status_reason = ?, updated_at = ? "
            "WHERE alert_id = ? AND status = ? RETURNING alert_id"
        ).bind(status, reason, now, alert_id, current["status"]),
        db.prepare(
            "INSERT OR IGNORE INTO aml_alert_history (alert_id, at, status, reason, actor_id) "
            "SELECT ?, ?, ?, ?, ? WHERE changes() = 1"
        ).bind(alert_id, now, status, reason, actor_id),
        db.prepare(
            "UPDATE aml_cos_reports SET status = 'filed', filed_at = ? WHERE alert_id = ? "
            "AND status = 'draft' AND ? = 'reported'"
        ).bind(now, alert_id, status),
        audit_entry(
            services,
            actor_id,
            actor_role,
            f"aml.alert.{status}",
            alert_id,
            {"from": current["status"], "to": status, "reason": reason},
            now,
        ),  # fmt: skip
    ]


async def _lift_if_clear(services: Services, player_id: str) -> None:
    remaining = (
        await services.db.prepare(
            "SELECT count(*) AS n FROM aml_alerts WHERE player_id = ? AND action IS NOT NULL AND "
            "status IN ('open', 'under_review', 'reported')"
        )
        .bind(player_id)
        .first()
    )
    if remaining and int(remaining["n"]) == 0:
        await WalletClient(services.wallets, player_id).aml_restrict(None, lift=True)


async def set_pep(
    services: Services, actor_id: str, actor_role: str, player_id: str, pep: bool, reason: str
) -> None:
    db = services.db
    changed, _ = await db.batch(
        [
            db.prepare("UPDATE players SET pep = ? WHERE player_id = ? RETURNING player_id").bind(
                int(pep), player_id
            ),
            audit_entry(
                services,
                actor_id,
                actor_role,
                "aml.pep",
                player_id,
                {"pep": pep, "reason": reason},
            ),  # fmt: skip
        ]
    )
    if not changed:
        raise NotFound("No such player")
