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
from infra.ports import QueueMessage, Row, Statement

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
async def consume(services: Services, messages: Sequence[QueueMessage]) -> dict[str, int]:
    """The fraud queue's batch, one player at a time (one read of D1 for all of a player's
    events in the batch, so a batch of 100 stays far inside the 1,000 D1 queries of an
    invocation): each message acked once scored, retried with back-off when anything failed
    (D1 or a Durable Object unavailable, a malformed body: after its retries the queue
    dead-letters it)."""
    rules, countries = await configuration(services)
    counts = {"scored": 0, "alerts": 0, "retried": 0}
    players: dict[str, list[tuple[QueueMessage, aml.WalletEvent]]] = {}
    for message in messages:
        try:
            event = _event(message.body)
        except (KeyError, ValueError, TypeError, AttributeError):
            log.error("fraud message %s is malformed (attempt %d)", message.id, message.attempts)
            _retry(message, counts)
            continue
        players.setdefault(event.player_id, []).append((message, event))
    links: list[tuple[str, str]] = []  # later events of known alerts, written once for the batch
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
    try:
        if links:
            await _links(services, links).run()
    except Exception:
        log.exception("the links of %d later events failed", len(links))
        for message in scored:
            _retry(message, counts)
        return counts
    for message in scored:
        message.ack()
    counts["scored"] += len(scored)
    return counts


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
) -> tuple[int, list[tuple[str, str]]]:
    """Score one player's events (in `seq` order): the number of new alerts they raised (written
    already), and the links of events that fall in an alert already raised (for the caller to
    write)."""
    await _remember_fingerprints(services, events)
    looking = [(e, t) for e in events if (t := aml.triggered(rules, e))]
    if not looking:
        return 0, []
    contexts, known = await _contexts(services, rules, countries, looking)
    raised, links = 0, list[tuple[str, str]]()
    for (event, triggered), ctx in zip(looking, contexts, strict=True):
        for alert in aml.evaluate(triggered, event, ctx):
            if alert.alert_id in known:  # its window's later events, for the record
                links.append((alert.alert_id, event.event_id))
                continue
            raised += await _raise(services, alert, _instant(event.at))
            known.add(alert.alert_id)
    return raised, links


def _links(services: Services, pairs: Sequence[tuple[str, str]]) -> Statement:
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
    events = [event for event, _ in looking]
    player_id = events[0].player_id
    horizon = max(int(r["window_s"]) for _, triggered in looking for r in triggered)
    since = _instant(min(e.at for e in events) - horizon)
    min_bet = min(
        (int(r["min_amount"]) for r in rules if r["kind"] == "high_value_play"), default=2**53 - 1
    )
    statements: list[Statement] = [
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
    asks: list[tuple[int, str, int | str]] = []  # (event index, "totals" | "sharing", key)
    for i, (event, triggered) in enumerate(looking):
        for window_s in sorted(aml.windows_totalled(triggered)):
            asks.append((i, "totals", window_s))
            statements.append(
                db.prepare(
                    "SELECT type, count(*) AS n, coalesce(sum(amount), 0) AS total "
                    "FROM wallet_events WHERE player_id = ? AND created_at > ? AND seq <= ? "
                    "GROUP BY type"
                ).bind(player_id, _instant(event.at - window_s), event.seq)
            )
        for rule in triggered:
            attribute = str(rule.get("attribute", ""))
            if rule["kind"] != "shared" or attribute not in event.attributes:
                continue
            asks.append((i, "sharing", attribute))
            statements.append(
                db.prepare(
                    "SELECT count(DISTINCT player_id) AS n FROM aml_fingerprints WHERE "
                    "attribute = ? AND value_hash = ? AND first_seen > ?"
                ).bind(attribute, event.attributes[attribute], event.at - int(rule["window_s"]))
            )
    results = await db.batch(statements)
    history = [
        aml.WalletEvent(
            f"{player_id}:{r['seq']}",
            player_id,
            r["type"],
            int(r["amount"]),
            int(parse_rfc3339(r["created_at"]).timestamp()),
            int(r["seq"]),
        )  # fmt: skip
        for r in results[0]
    ]
    player = results[1][0] if results[1] else {}
    known = {str(r["alert_id"]) for r in results[2]}
    factors = aml.player_factors(
        pep=bool(player.get("pep")),
        high_risk_country=str(player.get("country", "")).upper() in countries,
        kyc_verified=player.get("kyc_status") == "verified",
    )
    totals: list[dict[int, dict[str, tuple[int, int]]]] = [{} for _ in events]
    sharing: list[dict[str, int]] = [{} for _ in events]
    for (i, kind, key), rows in zip(asks, results[3:], strict=True):
        if kind == "totals":
            totals[i][int(key)] = {r["type"]: (int(r["n"]), int(r["total"])) for r in rows}
        else:
            sharing[i][str(key)] = int(rows[0]["n"]) if rows else 1
    contexts = [aml.Context(history, totals[i], sharing[i], factors) for i in range(len(events))]
    return contexts, known


async def _raise(services: Services, alert: aml.Alert, at: str) -> int:
    """A new alert: its action first (idempotent), then its rows in one batch, so a crash in
    between acts again on redelivery and the alert never exists without its action."""
    db = services.db
    links = _links(services, [(alert.alert_id, event_id) for event_id in alert.event_ids])
    if alert.action is not None:
        answer = await services.wallets.get(alert.player_id).call(
            "aml_restrict", {"player_id": alert.player_id, "level": alert.action}
        )
        if answer.get("status") != 200:
            raise RuntimeError(f"the wallet refused the restriction: {answer}")
    now = rfc3339(services.clock.now())
    writes = [
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
        links,
    ]
    if alert.risk == "critical":
        due = rfc3339(services.clock.now() + timedelta(hours=aml.COS_DUE_HOURS))
        draft = {
            "player_id": alert.player_id, "rule": alert.rule, "risk": alert.risk,
            "score": alert.score, "reason": alert.reason, "events": list(alert.event_ids),
            "detected_at": at,
        }  # fmt: skip
        writes.append(
            db.prepare(
                "INSERT OR IGNORE INTO aml_cos_reports (alert_id, player_id, due_by, body, "
                "created_at) VALUES (?, ?, ?, ?, ?)"
            ).bind(alert.alert_id, alert.player_id, due, json.dumps(draft, sort_keys=True), now)
        )
    await db.batch(writes)
    log.info("aml alert %s: %s %s for a player", alert.alert_id, alert.rule, alert.risk)
    return 1


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
    db = services.db
    alert, links, history, cos = await db.batch(
        [
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
    )
    if not alert:
        raise NotFound("No such alert")
    events = [
        {
            "event_id": f"{e['player_id']}:{e['seq']}",
            "seq": e["seq"],
            "type": e["type"],
            "amount": e["amount"],
            "balance_after": e["balance_after"],
            "at": e["created_at"],
            "created_at": e["created_at"],
            "ref": e["ref"],
        }  # fmt: skip
        for e in links
    ]
    row = alert[0]
    return {
        **row,
        "facts": json.loads(row["facts"]) if row.get("facts") else {},
        "events": events,
        "history": history,
        "cos": cos[0] if cos else None,
    }


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
    db = services.db
    current = (
        await db.prepare("SELECT player_id, status FROM aml_alerts WHERE alert_id = ?")
        .bind(alert_id)
        .first()
    )
    if current is None:
        raise NotFound("No such alert")
    aml.check_transition(current["status"], status)
    now = rfc3339(services.clock.now())
    update, *_ = await db.batch(
        [
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
    )
    if not update:  # another reviewer moved it in between: judge against what it is now
        fresh = (
            await db.prepare("SELECT status FROM aml_alerts WHERE alert_id = ?")
            .bind(alert_id)
            .first()
        )
        aml.check_transition(str((fresh or {}).get("status")), status)
    if status == "closed":
        await _lift_if_clear(services, str(current["player_id"]))
    return await alert_detail(services, alert_id)


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
        await services.wallets.get(player_id).call(
            "aml_restrict", {"player_id": player_id, "level": None, "lift": True}
        )


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
