"""The national exclusion list (docs/api.md): a bad import never wipes it, the usual file
shapes are read, the difference is shown before it applies, a real list (a million CPFs) fits
Cloudflare's per-invocation limits, and sign-up of a listed CPF says nothing of the list."""

from __future__ import annotations

import time
import tracemalloc
import uuid

import pytest

from casino.cpf import _check_digit
from local_runtime.invocation import D1_QUERIES, invocation

from .conftest import STRONG, cpf_for, register_and_login, staff_login

pytestmark = pytest.mark.anyio
LISTED = "529.982.247-25"


def cpf_number(i: int) -> str:
    base = f"{100_000_000 + i:09d}"
    first = _check_digit(base)
    return base + str(first) + str(_check_digit(base + str(first)))


async def staff(client, runtime, role: str = "operator") -> dict[str, str]:
    return (await staff_login(client, runtime, role))["headers"]


async def post_list(client, ops, text: str | bytes, dry_run: bool = False):
    return await client.post(
        "/v1/ops/exclusions/import" + ("?dry_run=true" if dry_run else ""),
        content=text, headers=ops | {"content-type": "text/csv"},
    )  # fmt: skip


async def register(client, cpf: str, email: str | None = None):
    return await client.post(
        "/v1/auth/register",
        json={"email": email or f"n-{uuid.uuid4().hex[:10]}@example.com", "password": STRONG,
              "full_name": "Ana Souza", "birth_date": "1990-01-01", "country": "BR", "cpf": cpf},
    )  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    ["", "cpf\n", "CPF;NOME\n", "nome;idade\nAna;30\n", "52998224725\n" * 50 + "1\n2\n"],
    ids=["empty", "header-only", "semicolon-header-only", "no-cpf-column", "over-1pct-invalid"],
)
async def test_a_bad_import_changes_nothing(client, runtime, bad):
    """The finding: an empty, header-only or semicolon file deleted every entry."""
    ops = await staff(client, runtime)
    assert (await post_list(client, ops, f"cpf\n{LISTED}\n")).status_code == 200
    r = await post_list(client, ops, bad)
    assert r.status_code == 422 and r.json()["code"] == "invalid_list", r.text
    assert "nothing" in r.json()["detail"] or "no " in r.json()["detail"]
    refused = await register(client, LISTED)
    assert refused.status_code == 403 and refused.json()["code"] == "registration_refused"


async def test_a_semicolon_file_from_gov_br_with_names_and_latin1_is_read(client, runtime):
    ops = await staff(client, runtime)
    text = f"CPF;NOME\n{LISTED};José da Silva\n{cpf_number(1)};Conceição\n".encode("latin-1")
    r = await post_list(client, ops, text)
    assert r.status_code == 200, r.text
    assert (r.json()["entries"], r.json()["added"], r.json()["invalid_rows"]) == (2, 2, 0)
    assert (await register(client, cpf_number(1))).status_code == 403


async def test_a_dry_run_shows_the_difference_and_changes_nothing(client, runtime):
    ops = await staff(client, runtime)
    first = "\n".join([LISTED, cpf_number(1), cpf_number(2)])
    assert (await post_list(client, ops, first)).status_code == 200
    second = "\n".join([cpf_number(2), cpf_number(3)])  # drops two, adds one
    preview = await post_list(client, ops, second, dry_run=True)
    assert preview.status_code == 200
    body = preview.json()
    assert (body["entries"], body["added"], body["removed"], body["invalid_rows"]) == (2, 1, 2, 0)
    assert body["dry_run"] is True
    assert (await register(client, cpf_number(1))).status_code == 403  # still listed
    applied = await post_list(client, ops, second)
    assert (applied.json()["added"], applied.json()["removed"]) == (1, 2)
    assert (await register(client, cpf_number(1))).status_code == 201  # no longer listed
    assert (await register(client, cpf_number(3))).status_code == 403


async def test_signing_up_with_a_listed_cpf_says_nothing_and_mails_the_person(client, runtime):
    """The finding: registration answered 403 naming the list, to anyone asking."""
    ops = await staff(client, runtime)
    await post_list(client, ops, f"{LISTED}\n")
    email = f"who-{uuid.uuid4().hex[:8]}@example.com"
    r = await register(client, LISTED, email)
    assert r.status_code == 403 and r.json()["code"] == "registration_refused"
    text = r.text.lower()
    assert all(word not in text for word in ("list", "exclu", "sigap", "barred", "impedid"))
    mail = await runtime.services.db.prepare(
        "SELECT kind, subject FROM outbound_messages WHERE recipient = ?"
    ).bind(email).all()  # fmt: skip
    assert [m["kind"] for m in mail] == ["registration_refused"]


async def test_a_listed_player_is_closed_by_the_import_and_told_by_email(client, runtime):
    ops = await staff(client, runtime)
    player = await register_and_login(client)
    r = await post_list(client, ops, f"cpf\n{player['cpf']}\n")
    assert r.json()["closed_accounts"] == 1
    mail = await runtime.services.db.prepare(
        "SELECT kind FROM outbound_messages WHERE player_id = ?"
    ).bind(player["player_id"]).all()  # fmt: skip
    assert mail == [{"kind": "national_exclusion"}]


def cpf_file(count: int, block: int = 50_000):
    async def body():
        for start in range(0, count, block):
            yield "".join(
                f"{cpf_number(i)}\n" for i in range(start, min(count, start + block))
            ).encode()

    return body()


async def test_a_million_cpfs_import_within_the_per_invocation_limits(runtime):
    """1,000,000 CPFs through the import as the edge runs it (streamed), under D1's 1,000
    queries per invocation and with no KV operation (KV allows 1,000)."""
    from api import exclusions

    count = 1_000_000
    began = time.perf_counter()
    with invocation() as budget:
        summary = await exclusions.import_list(runtime.services, ("test", "admin"), cpf_file(count))
    elapsed = time.perf_counter() - began
    assert (summary["entries"], summary["added"], summary["invalid_rows"]) == (count, count, 0)
    assert budget.d1_queries < D1_QUERIES and budget.kv_operations == 0
    print(f"\n1M CPFs: {elapsed:.1f} s with the file made on the fly, {budget.d1_queries} queries")
    assert await exclusions.is_listed(runtime.services, cpf_number(123_456))
    assert not await exclusions.is_listed(runtime.services, cpf_for(7))


async def test_an_import_never_holds_the_list_in_memory(runtime):
    """Peak memory does not grow with the list: it is read and staged block by block."""
    from api import exclusions

    peaks = []
    for count in (20_000, 200_000):
        tracemalloc.start()
        await exclusions.import_list(
            runtime.services, ("test", "admin"), cpf_file(count, 10_000), dry_run=True
        )
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 2 * peaks[0] + 4 * 2**20, [p / 2**20 for p in peaks]


async def test_the_recheck_job_costs_the_same_queries_at_any_number_of_players(client, runtime):
    from api import exclusions

    db = runtime.services.db
    ops = await staff(client, runtime)
    await post_list(client, ops, f"{cpf_number(5)}\n")

    async def add_players(n: int, offset: int) -> None:
        for i in range(offset, offset + n):
            await db.prepare(
                "INSERT INTO players (player_id, email, password_hash, full_name, birth_date, "
                "country, cpf, jurisdiction, created_at) VALUES (?, ?, 'x', 'A', '1990-01-01', "
                "'BR', ?, 'BR', '2026-01-01T00:00:00.000Z')"
            ).bind(f"p{i}", f"p{i}@example.com", cpf_number(i)).run()  # fmt: skip

    async def one_run() -> tuple[int, int]:
        await db.prepare("UPDATE players SET exclusion_checked_at = NULL").run()
        with invocation() as budget:
            checked = await exclusions.recheck_due(runtime.services)
        return checked, budget.d1_queries

    await add_players(1_500, 0)
    small = await one_run()
    await add_players(8_000, 1_500)
    large = await one_run()
    assert small[0] == 1_500 and large[0] == 9_499  # p5 was closed by the first run
    assert large[1] < 100, large  # ten batches of a few queries each, plus one closure
    closed = await db.prepare("SELECT account_status FROM players WHERE player_id = 'p5'").first()
    assert closed == {"account_status": "closed"}


async def test_an_unverified_squatter_cannot_hold_someone_elses_cpf_for_long(client, runtime):
    """The finding: anyone could register another person's CPF first and keep it. Within the
    claim period the sign-up is 409 `cpf_taken` (and the holder is told); after it, an account
    never verified that never moved money loses the CPF to the new sign-up."""
    db = runtime.services.db
    cpf = cpf_for(uuid.uuid4().int)
    squatter = await register(client, cpf, "squatter@example.com")
    assert squatter.status_code == 201
    owner_email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    taken = await register(client, cpf, owner_email)
    assert taken.status_code == 409 and taken.json()["code"] == "cpf_taken"
    told = await db.prepare(
        "SELECT kind FROM outbound_messages WHERE recipient = 'squatter@example.com'"
    ).all()  # fmt: skip
    assert told == [{"kind": "cpf_attempt"}]
    await db.prepare(
        "UPDATE players SET created_at = '2026-01-01T00:00:00.000Z' WHERE player_id = ?"
    ).bind(squatter.json()["player_id"]).run()  # fmt: skip
    owner = await register(client, cpf, owner_email)
    assert owner.status_code == 201, owner.text
    old = await db.prepare("SELECT cpf, account_status FROM players WHERE player_id = ?").bind(
        squatter.json()["player_id"]
    ).first()  # fmt: skip
    assert old == {"cpf": None, "account_status": "closed"}


async def test_a_verified_or_funded_account_keeps_its_cpf(client, runtime):
    db = runtime.services.db
    player = await register_and_login(client)
    await db.prepare(
        "UPDATE players SET created_at = '2026-01-01T00:00:00.000Z', kyc_status = 'verified' "
        "WHERE player_id = ?"
    ).bind(player["player_id"]).run()  # fmt: skip
    r = await register(client, player["cpf"])
    assert r.status_code == 409 and r.json()["code"] == "cpf_taken"
