"""The national exclusion list: import, checks (registration, first login of the day, the
scheduled re-check) and the closure of a listed player's account.

The list lives in D1 as keyed hashes by version (`national_list`). An import streams the file,
stages a new version in a few large statements (a JSON array bound as one parameter, so a
million CPFs take about fifty statements: well inside D1's 1,000 queries and 100 bound
parameters per invocation), checks the file, computes the difference with the list in force and
then switches to it in one statement. The re-check job works through the players due in bounded
batches, a constant number of queries per batch whatever the number of players.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from casino.errors import DomainError, RegistrationRefused
from casino.jurisdictions import local_time
from casino.national_list import ListReader, list_hash
from infra.ports import Statement
from wallet_do.client import WalletClient

from .accounts import iso
from .audit import audit_entry
from .messages import email
from .services import Services
from .tables import exclusion_list_imports, national_list, player_notices, players

STAGE_ROWS = 20_000  # hashes per INSERT (a ~700 kB JSON parameter; D1 allows 2 MB)
STAGE_STATEMENTS_PER_BATCH = 5
DELETE_ROWS = 200_000
RECHECK_BATCH = 1_000
RECHECK_BATCHES_PER_RUN = 10
CLOSURES_PER_RUN = 200  # each a Durable Object call: bounded per invocation

CLOSURE_SUBJECT = "Sua conta foi encerrada / Your account is closed"
CLOSURE_NOTICE = (
    "Seu CPF consta na lista nacional de pessoas impedidas de apostar. Sua conta está encerrada "
    "para apostas e depósitos; o saldo está disponível para saque para uma conta no seu próprio "
    "CPF.\n\nYour CPF is on the national list of people barred from betting. Your account is "
    "closed to play and deposits; your balance is available for withdrawal to an account in "
    "your own CPF."
)
REFUSAL_SUBJECT = "Seu cadastro não foi concluído / Your registration was not completed"
REFUSAL_NOTICE = (
    "Não pudemos abrir uma conta com este CPF: ele consta na lista nacional de pessoas impedidas "
    "de apostar (gov.br/autoexclusaoapostas). Se acredita que isto é um erro, procure a "
    "plataforma nacional.\n\nWe could not open an account with this CPF: it is on the national "
    "list of people barred from betting. If you believe this is a mistake, contact the national "
    "platform."
)
REFUSED_DETAIL = (
    "We cannot open an account with these details. We have sent the reason to the e-mail "
    "address you gave."
)


# The list in force ---------------------------------------------------------------------------
async def current_version(services: Services) -> int | None:
    return await national_list.current_version(services.db)


def cpf_hash(services: Services, cpf: str) -> str:
    return list_hash(cpf, services.settings.exclusion_key)


async def is_listed(services: Services, cpf: str | None) -> bool:
    if not cpf:
        return False
    return await national_list.has(services.db, cpf_hash(services, cpf))


async def refuse_if_listed(services: Services, cpf: str | None, recipient: str) -> None:
    """Sign-up of a listed CPF: the same refusal whatever the reason, which goes to the e-mail
    the person gave (never to whoever is asking)."""
    if not await is_listed(services, cpf):
        return
    await email(
        services, recipient, "registration_refused", REFUSAL_SUBJECT, REFUSAL_NOTICE, None
    ).run()
    raise RegistrationRefused(REFUSED_DETAIL)


# Import ----------------------------------------------------------------------------------------
async def import_list(
    services: Services,
    actor: tuple[str, str],
    body: AsyncIterator[bytes],
    dry_run: bool = False,
) -> dict[str, Any]:
    """Stage the file as a new version, refuse it whole if it is not a plausible list, else
    report the difference and (unless `dry_run`) switch to it. Nothing changes on a refusal."""
    actor_id, actor_role = actor
    version = secrets.randbits(52)
    import_id = services.new_id()
    now = iso(services.clock.now())
    await exclusion_list_imports.start(services.db, import_id, actor_id, now, version)
    reader = ListReader()
    try:
        await _stage(services, version, _cpfs(reader, body))
        reader.check()
    except DomainError:
        await _finish(services, import_id, "refused", reader, {})
        await _drop_version(services, version)
        raise
    current = await current_version(services)
    summary: dict[str, Any] = await national_list.difference(services.db, version, current)
    summary |= {"import_id": import_id, "invalid_rows": reader.invalid_rows, "rows": reader.rows}
    if dry_run:
        await _finish(services, import_id, "dry_run", reader, summary)
        await _drop_version(services, version)
        return summary | {"dry_run": True}
    await _switch(services, version, (import_id, actor_id, actor_role), reader, summary, now)
    if current is not None:
        await _drop_version(services, current)
    return summary | {"dry_run": False}


async def _switch(
    services: Services, version: int, by: tuple[str, str, str], reader: ListReader,
    summary: dict[str, Any], now: str,
) -> None:  # fmt: skip
    """Put `version` in force, mark the import (`by`: import id, actor id and role) applied and
    the one before superseded, and audit it: one batch, all of it or none of it."""
    import_id, actor_id, actor_role = by
    await services.db.batch(
        [
            national_list.put_in_force(services.db, version),
            exclusion_list_imports.supersede_others(services.db, import_id),
            _finish_statement(services, import_id, "applied", reader, summary),
            audit_entry(
                services, actor_id, actor_role, "exclusions.import", import_id, summary, now
            ),
        ]
    )


async def _cpfs(reader: ListReader, body: AsyncIterator[bytes]) -> AsyncIterator[str]:
    # UTF-8 or Latin-1 (gov.br files are often ISO-8859-1): CPFs are ASCII either way.
    async for chunk in body:
        for cpf in reader.feed(chunk.decode("utf-8", errors="replace")):
            yield cpf
    for cpf in reader.finish():
        yield cpf


async def _stage(services: Services, version: int, cpfs: AsyncIterator[str]) -> None:
    statements: list[Statement] = []
    hashes: list[str] = []
    async for cpf in cpfs:
        hashes.append(cpf_hash(services, cpf))
        if len(hashes) == STAGE_ROWS:
            statements.append(national_list.stage(services.db, version, hashes))
            hashes = []
            if len(statements) == STAGE_STATEMENTS_PER_BATCH:
                await services.db.batch(statements)
                statements = []
    if hashes:
        statements.append(national_list.stage(services.db, version, hashes))
    if statements:
        await services.db.batch(statements)


def _finish_statement(
    services: Services, import_id: str, status: str, reader: ListReader, summary: dict[str, Any]
) -> Statement:
    return exclusion_list_imports.finish(
        services.db, import_id, status, reader.rows, reader.invalid_rows, summary
    )


async def _finish(
    services: Services, import_id: str, status: str, reader: ListReader, summary: dict[str, Any]
) -> None:
    await _finish_statement(services, import_id, status, reader, summary).run()


async def _drop_version(services: Services, version: int) -> None:
    """Delete a version that is not in force, in bounded statements."""
    while await national_list.delete_some(services.db, version, DELETE_ROWS) == DELETE_ROWS:
        pass


# Closing a listed player's account -------------------------------------------------------------
async def close_if_listed(services: Services, player: dict[str, Any]) -> bool:
    """Check one player against the list; a listed player's account is closed at once."""
    now = services.clock.now()
    listed = await is_listed(services, player.get("cpf"))
    known = cpf_hash(services, player["cpf"]) if player.get("cpf") else None
    await players.mark_listing_checked(services.db, player["player_id"], iso(now), known)
    if listed and player.get("account_status") != "closed":
        await close_account(services, player, now)
    return listed


async def close_account(services: Services, player: dict[str, Any], now: datetime) -> None:
    result = await WalletClient(services.wallets, player["player_id"]).exclude("national")
    statements = [
        players.close_national(services.db, player["player_id"]),
        player_notices.national_exclusion(
            services.db, services.new_id(), player["player_id"], CLOSURE_NOTICE, iso(now)
        ),
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
    if player.get("email"):
        statements.append(
            email(
                services,
                player["email"],
                "national_exclusion",
                CLOSURE_SUBJECT,
                CLOSURE_NOTICE,
                player["player_id"],
            )  # fmt: skip
        )
    await services.db.batch(statements)


async def check_on_login(services: Services, player_id: str) -> None:
    """The first login of each day (in the profile's time zone) re-checks the list."""
    player = await players.for_listing_with_login_day(services.db, player_id)
    if player is None:
        return
    profile = services.player_profile(player)
    today = local_time(profile, services.clock.now()).date().isoformat()
    if player["last_login_day"] == today:
        return
    await players.set_login_day(services.db, player_id, today)
    await close_if_listed(services, player)


async def recheck_due(services: Services, now: datetime | None = None) -> int:
    """The scheduled job: players are re-checked at the profile's interval (BR: 15 days), in
    batches of a constant number of queries, a bounded number of batches per run."""
    now = now or services.clock.now()
    profile = services.profile(services.settings.jurisdiction or "BR")
    cutoff = iso(now - timedelta(days=profile.exclusion_recheck_days))
    checked = closures = 0
    for _ in range(RECHECK_BATCHES_PER_RUN):
        due = await players.due_for_listing_check(services.db, cutoff, RECHECK_BATCH)
        if not due:
            break
        hashes = {p["player_id"]: cpf_hash(services, p["cpf"]) for p in due}
        listed = await national_list.listed_among(services.db, list(hashes.values()))
        await players.mark_many_listing_checked(services.db, iso(now), hashes)
        matches = [p for p in due if hashes[p["player_id"]] in listed]
        for player in matches[: CLOSURES_PER_RUN - closures]:
            await close_account(services, player, now)
        left = [p["player_id"] for p in matches[CLOSURES_PER_RUN - closures :]]
        closures = min(CLOSURES_PER_RUN, closures + len(matches))
        if left:  # the next run closes them: they stay due
            await players.make_listing_due(services.db, left)
        checked += len(due)
        if len(due) < RECHECK_BATCH:
            break
    return checked


async def close_newly_listed(services: Services) -> int:
    """After an import, the players on the new list are found by index (their CPF's keyed hash)
    and closed at once, up to a bounded number per request; the rest, and older accounts whose
    hash is not known yet, are made due for the re-check job (every five minutes)."""
    await players.make_unknown_or_listed_due(services.db)
    listed = await players.active_listed_now(services.db, CLOSURES_PER_RUN)
    now = services.clock.now()
    for player in listed:
        await close_account(services, player, now)
    return len(listed)
