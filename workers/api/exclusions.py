"""The national exclusion list: import, checks (registration, first login of the day, the
scheduled re-check) and the closure of a listed player's account."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from casino.errors import SelfExcluded
from casino.jurisdictions import local_time
from casino.national_list import KEY_PREFIX, listed_key, parse_csv

from .accounts import iso
from .audit import audit_entry
from .services import Services

CLOSURE_NOTICE = (
    "Your CPF is on the national list of people barred from betting. Your account is closed to "
    "play and deposits; your balance is available for withdrawal to an account in your own CPF."
)
RECHECK_BATCH = 200


async def import_list(services: Services, actor: str, text: str) -> dict[str, Any]:
    parsed = parse_csv(text)
    secret = services.settings.exclusion_key
    wanted = {listed_key(cpf, secret) for cpf in parsed.cpfs}
    existing = set(await services.kv.list_keys(KEY_PREFIX))
    for key in wanted - existing:
        await services.kv.put(key, "1")
    for key in existing - wanted:
        await services.kv.delete(key)
    summary = {
        "import_id": services.new_id(),
        "entries": len(wanted),
        "added": len(wanted - existing),
        "removed": len(existing - wanted),
        "invalid_rows": parsed.invalid_rows,
    }
    await services.db.prepare(
        "INSERT INTO exclusion_list_imports (import_id, entries, added, removed, imported_by, "
        "imported_at) VALUES (?, ?, ?, ?, ?, ?)"
    ).bind(
        summary["import_id"], summary["entries"], summary["added"], summary["removed"], actor,
        iso(services.clock.now()),
    ).run()  # fmt: skip
    return summary


async def is_listed(services: Services, cpf: str | None) -> bool:
    if not cpf:
        return False
    return await services.kv.get(listed_key(cpf, services.settings.exclusion_key)) is not None


async def refuse_if_listed(services: Services, cpf: str | None) -> None:
    if await is_listed(services, cpf):
        raise SelfExcluded("This CPF is on the national list of people barred from betting")


async def close_if_listed(services: Services, player: dict[str, Any]) -> bool:
    """Check one player against the list; a listed player's account is closed at once."""
    now = services.clock.now()
    listed = await is_listed(services, player.get("cpf"))
    await (
        services.db.prepare("UPDATE players SET exclusion_checked_at = ? WHERE player_id = ?")
        .bind(iso(now), player["player_id"])
        .run()
    )
    if not listed or player.get("account_status") == "closed":
        return listed
    result = await services.wallets.get(player["player_id"]).call(
        "exclude", {"player_id": player["player_id"], "kind": "national"}
    )
    await services.db.batch(
        [
            services.db.prepare(
                "UPDATE players SET account_status = 'closed', excluded_until = 'permanent', "
                "exclusion_kind = 'national' WHERE player_id = ?"
            ).bind(player["player_id"]),
            services.db.prepare(
                "INSERT INTO player_notices (notice_id, player_id, kind, channel, text, at) "
                "VALUES (?, ?, 'national_exclusion', 'api', ?, ?)"
            ).bind(services.new_id(), player["player_id"], CLOSURE_NOTICE, iso(now)),
            audit_entry(
                services,
                "system",
                "system",
                "account.closed",
                player["player_id"],
                {"reason": "national_exclusion_list", "wallet": result["status"]},
                iso(now),
            ),  # fmt: skip
        ]
    )
    return True


async def check_on_login(services: Services, player_id: str) -> None:
    """The first login of each day (in the profile's time zone) re-checks the list."""
    player = (
        await services.db.prepare(
            "SELECT player_id, cpf, country, jurisdiction, account_status, last_login_day "
            "FROM players "
            "WHERE player_id = ?"
        )
        .bind(player_id)
        .first()
    )
    if player is None:
        return
    profile = services.player_profile(player)
    today = local_time(profile, services.clock.now()).date().isoformat()
    if player["last_login_day"] == today:
        return
    await (
        services.db.prepare("UPDATE players SET last_login_day = ? WHERE player_id = ?")
        .bind(today, player_id)
        .run()
    )
    await close_if_listed(services, player)


async def recheck_due(services: Services, now: datetime | None = None) -> int:
    """The scheduled job: every player is re-checked at the profile's interval (BR: 15 days)."""
    now = now or services.clock.now()
    checked = 0
    profile = services.profile(services.settings.jurisdiction or "BR")
    cutoff = iso(now - timedelta(days=profile.exclusion_recheck_days))
    while True:
        players = (
            await services.db.prepare(
                "SELECT player_id, cpf, country, account_status FROM players "
                "WHERE cpf IS NOT NULL AND account_status = 'active' "
                "AND (exclusion_checked_at IS NULL OR exclusion_checked_at < ?) LIMIT ?"
            )
            .bind(cutoff, RECHECK_BATCH)
            .all()
        )
        for player in players:
            await close_if_listed(services, player)
        checked += len(players)
        if len(players) < RECHECK_BATCH:
            return checked


async def close_newly_listed(services: Services) -> int:
    """After an import, players on the list are closed at once, not at the next interval: one
    read of the active players' CPFs, hashed here, then a closure for each match."""
    secret = services.settings.exclusion_key
    listed = set(await services.kv.list_keys(KEY_PREFIX))
    players = await services.db.prepare(
        "SELECT player_id, cpf, country, account_status FROM players "
        "WHERE cpf IS NOT NULL AND account_status = 'active'"
    ).all()
    closed = 0
    for player in players:
        if listed_key(player["cpf"], secret) in listed:
            closed += await close_if_listed(services, player)
    return closed
