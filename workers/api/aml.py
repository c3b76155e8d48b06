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
    """The fraud queue's batch: each message acked once scored, retried with back-off when
    anything failed (D1 or a Durable Object unavailable, a malformed body: after its retries
    the queue dead-letters it)."""
    rules, countries = await configuration(services)
    counts = {"scored": 0, "alerts": 0, "retried": 0}
    for message in messages:
        try:
            counts["alerts"] += await score(services, rules, countries, message.body)
        except Exception:
            log.exception("fraud event %s failed (attempt %d)", message.id, message.attempts)
            message.retry(min(2 ** max(message.attempts, 1), RETRY_MAX_SECONDS))
            counts["retried"] += 1
        else:
            message.ack()
            counts["scored"] += 1
    return counts


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
    body: Mapping[str, Any],
) -> int:
    """Score one wallet event; the number of new alerts it raised."""
    event = _event(body)
    await _remember_fingerprints(services, event)
    looking = aml.triggered(rules, event)
    if not looking:
        return 0
    ctx = await _context(services, looking, countries, event)
    raised = 0
    for alert in aml.evaluate(looking, event, ctx):
        raised += await _raise(services, alert, str(body["created_at"]))
    return raised


async def _remember_fingerprints(services: Services, event: aml.WalletEvent) -> None:
    if not event.attributes:
        return
    await services.db.batch(
        [
            services.db.prepare(
                "INSERT OR IGNORE INTO aml_fingerprints (attribute, value_hash, player_id, "
                "first_seen) VALUES (?, ?, ?, ?)"
            ).bind(attribute, value, event.player_id, event.at)
            for attribute, value in sorted(event.attributes.items())
        ]
    )


def _since(event: aml.WalletEvent, window_s: int) -> str:
    return rfc3339(datetime.fromtimestamp(event.at - window_s, UTC))


async def _context(
    services: Services,
    rules: Sequence[Mapping[str, Any]],
    countries: frozenset[str],
    event: aml.WalletEvent,
) -> aml.Context:
    db = services.db
    horizon = max(int(r["window_s"]) for r in rules)
    min_bet = min(
        (int(r["min_amount"]) for r in rules if r["kind"] == "high_value_play"), default=None
    )
    statements: list[Statement] = [
        db.prepare(
            "SELECT seq, type, amount, created_at FROM wallet_events WHERE player_id = ? AND "
            "created_at > ? AND seq <= ? AND (type IN ('DEPOSIT', 'WITHDRAWAL') OR "
            "(type = 'BET' AND amount >= ?)) ORDER BY seq"
        ).bind(event.player_id, _since(event, horizon), event.seq, min_bet or 2**53 - 1),
        db.prepare("SELECT kyc_status, country, pep FROM players WHERE player_id = ?").bind(
            event.player_id
        ),
    ]
    windows = sorted(aml.windows_totalled(rules))
    for window_s in windows:
        statements.append(
            db.prepare(
                "SELECT type, count(*) AS n, coalesce(sum(amount), 0) AS total FROM wallet_events "
                "WHERE player_id = ? AND created_at > ? AND seq <= ? GROUP BY type"
            ).bind(event.player_id, _since(event, window_s), event.seq)
        )
    shared = [r for r in rules if r["kind"] == "shared" and str(r["attribute"]) in event.attributes]
    for rule in shared:
        attribute = str(rule["attribute"])
        statements.append(
            db.prepare(
                "SELECT count(DISTINCT player_id) AS n FROM aml_fingerprints WHERE attribute = ? "
                "AND value_hash = ? AND first_seen > ?"
            ).bind(attribute, event.attributes[attribute], event.at - int(rule["window_s"]))
        )
    results = await db.batch(statements)
    history = [
        aml.WalletEvent(
            f"{event.player_id}:{r['seq']}",
            event.player_id,
            r["type"],
            int(r["amount"]),
            int(parse_rfc3339(r["created_at"]).timestamp()),
            int(r["seq"]),
        )  # fmt: skip
        for r in results[0]
    ]
    player = results[1][0] if results[1] else {}
    totals = {
        window_s: {r["type"]: (int(r["n"]), int(r["total"])) for r in rows}
        for window_s, rows in zip(windows, results[2 : 2 + len(windows)], strict=True)
    }
    sharing = {
        str(rule["attribute"]): int(rows[0]["n"]) if rows else 1
        for rule, rows in zip(shared, results[2 + len(windows) :], strict=True)
    }
    factors = aml.player_factors(
        pep=bool(player.get("pep")),
        high_risk_country=str(player.get("country", "")).upper() in countries,
        kyc_verified=player.get("kyc_status") == "verified",
    )
    return aml.Context(history, totals, sharing, factors)


async def _raise(services: Services, alert: aml.Alert, at: str) -> int:
    db = services.db
    links = [
        db.prepare(
            "INSERT OR IGNORE INTO aml_alert_events (alert_id, event_id) VALUES (?, ?)"
        ).bind(alert.alert_id, event_id)
        for event_id in alert.event_ids
    ]
    known = (
        await db.prepare("SELECT 1 AS x FROM aml_alerts WHERE alert_id = ?")
        .bind(alert.alert_id)
        .first()
    )
    if known:
        await db.batch(links)  # the events that came after it in its window, for the record
        return 0
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
            "reason, created_at, updated_at, action) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)"
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
        ),  # fmt: skip
        db.prepare(
            "INSERT OR IGNORE INTO aml_alert_history (alert_id, at, status, reason, actor_id) "
            "VALUES (?, ?, 'open', ?, 'aml-engine')"
        ).bind(alert.alert_id, now, alert.reason),
        *links,
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
                f"SELECT {ALERT_COLUMNS}, reason, status_reason, updated_at, action "
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
    return {**alert[0], "events": events, "history": history, "cos": cos[0] if cos else None}


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
