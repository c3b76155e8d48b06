"""Own-account payments and bonuses (docs/api.md): money comes only from and goes only
to an account in the player's own CPF, a withdrawal reports where it goes and how old it is,
and a bonus always carries a wagering requirement and a per-grant maximum."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from casino.errors import ProfileIncomplete
from casino.payments import withdrawal_destination

from .conftest import STRONG, cpf_for, register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def deposit(client, player, amount=10_000, **extra):
    return await client.post(
        "/v1/wallet/deposits", json={"amount": amount, "method": "pix", **extra},
        headers=player["headers"] | key(),
    )  # fmt: skip


async def test_a_payer_other_than_the_player_is_refused_in_every_jurisdiction(client, runtime):
    br = await register_and_login(client)
    other = cpf_for(uuid.uuid4().int)
    r = await deposit(client, br, payer_document=other)
    assert r.status_code == 422 and r.json()["code"] == "payer_mismatch"
    assert (await deposit(client, br, payer_document=br["cpf"])).status_code == 201
    foreign = await register_and_login(client, country="PT", cpf=cpf_for(uuid.uuid4().int))
    r = await deposit(client, foreign, payer_document=other)
    assert r.status_code == 422 and r.json()["code"] == "payer_mismatch"
    no_cpf = await register_and_login(client, country="PT", cpf=None)
    r = await deposit(client, no_cpf, payer_document=other)
    assert r.status_code == 422 and r.json()["code"] == "payer_mismatch"


@pytest.mark.parametrize(
    "account",
    [
        {"type": "pix", "pix_key_type": "cpf", "pix_key": "OTHER"},
        {"type": "bank", "bank_code": "341", "branch": "1234", "account": "56789-0",
         "holder_document": "OTHER"},
        {"type": "pix", "pix_key_type": "email", "pix_key": "ana@example.com"},
    ],
    ids=["pix-cpf-of-someone-else", "bank-of-someone-else", "pix-email-names-no-one"],
)  # fmt: skip
async def test_a_payout_account_not_in_the_players_cpf_is_refused(client, account):
    account = {k: cpf_for(uuid.uuid4().int) if v == "OTHER" else v for k, v in account.items()}
    r = await client.post(
        "/v1/auth/register",
        json={"email": f"a-{uuid.uuid4().hex[:8]}@example.com", "password": STRONG,
              "full_name": "Ana Souza", "birth_date": "1990-01-01", "country": "BR",
              "cpf": cpf_for(uuid.uuid4().int), "payout_account": account},
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "payout_account_mismatch", r.text
    player = await register_and_login(client)
    r = await client.put(
        "/v1/players/me", json={"payout_account": account}, headers=player["headers"]
    )
    assert r.status_code == 422 and r.json()["code"] == "payout_account_mismatch"


async def test_registration_keeps_address_phone_payout_account_and_the_signup_ip(client, runtime):
    cpf = cpf_for(uuid.uuid4().int)
    address = {"street": "Rua Augusta", "number": "100", "city": "São Paulo", "state": "SP",
               "postal_code": "01305-000"}  # fmt: skip
    player = await register_and_login(
        client, cpf=cpf, address=address, phone="+55 11 98765-4321",
        payout_account={"type": "pix", "pix_key_type": "cpf", "pix_key": cpf},
    )  # fmt: skip
    me = (await client.get("/v1/players/me", headers=player["headers"])).json()
    assert me["address"]["city"] == "São Paulo" and me["phone"] == "+55 11 98765-4321"
    assert me["payout_account"] == {"type": "pix", "pix_key_type": "cpf", "pix_key": cpf}
    assert me["missing_fields"] == [] and "cpf" not in me
    row = await runtime.services.db.prepare(
        "SELECT signup_ip FROM players WHERE player_id = ?"
    ).bind(player["player_id"]).first()  # fmt: skip
    assert row["signup_ip"] == "127.0.0.1"


async def test_the_profile_is_settable_later_and_says_what_is_missing(client):
    player = await register_and_login(client)
    me = (await client.get("/v1/players/me", headers=player["headers"])).json()
    assert set(me["missing_fields"]) == {"address", "phone", "payout_account"}
    bank = {"type": "bank", "bank_code": "001", "branch": "0001", "account": "12345-6",
            "holder_document": player["cpf"]}  # fmt: skip
    r = await client.put(
        "/v1/players/me", json={"payout_account": bank, "phone": "+5511999990000"},
        headers=player["headers"],
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["payout_account"]["holder_document"] == player["cpf"]
    assert r.json()["missing_fields"] == ["address"]


async def test_a_withdrawal_goes_to_the_own_account_and_reports_its_age(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    assert (await deposit(client, player)).status_code == 201
    w = await client.post(
        "/v1/wallet/withdrawals", json={"amount": 2_000, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert w.status_code == 201, w.text
    withdrawal = w.json()["withdrawal"]
    # No payout account registered: back to the own-CPF account the deposit came from.
    assert withdrawal["destination"]["type"] == "deposit_source"
    assert withdrawal["destination"]["document"].endswith(player["cpf"][-4:])
    assert player["cpf"] not in str(withdrawal)  # masked
    assert withdrawal["status"] == "requested" and withdrawal["age_minutes"] == 0
    assert withdrawal["due_by"] > withdrawal["requested_at"]
    await asyncio.sleep(0.05)
    await runtime.drain()  # the wallet's alarm hands it to the payment provider
    listed = (await client.get("/v1/wallet/withdrawals", headers=player["headers"])).json()
    [paid] = listed["withdrawals"]
    assert paid["status"] == "paid" and paid["paid_at"] and not paid["overdue"]
    d1 = await runtime.services.db.prepare(
        "SELECT kind, status FROM payments WHERE player_id = ? ORDER BY created_at"
    ).bind(player["player_id"]).all()  # fmt: skip
    assert d1 == [
        {"kind": "deposit", "status": "received"},
        {"kind": "withdrawal", "status": "paid"},
    ]


async def test_a_registered_payout_account_is_where_withdrawals_go(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    account = {"type": "pix", "pix_key_type": "cpf", "pix_key": player["cpf"]}
    await client.put("/v1/players/me", json={"payout_account": account}, headers=player["headers"])
    await deposit(client, player)
    w = await client.post(
        "/v1/wallet/withdrawals", json={"amount": 1_000, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert w.json()["withdrawal"]["destination"]["type"] == "pix"


def test_without_an_own_account_a_destination_required_is_profile_incomplete():
    with pytest.raises(ProfileIncomplete):
        withdrawal_destination(None, None, required=True)
    assert withdrawal_destination(None, None, required=False) is None
    source = {"method": "pix", "document": "52998224725", "own": True}
    assert withdrawal_destination(None, source, required=True)["type"] == "deposit_source"


async def test_a_bonus_needs_wagering_a_maximum_and_an_admin(client, runtime):
    """The finding: any operator could grant a withdrawable bonus of 10^12 with no wagering."""
    player = await register_and_login(client, country="PT", cpf=None)
    admin = (await staff_login(client, runtime, "admin"))["headers"]
    operator = (await staff_login(client, runtime, "operator"))["headers"]
    url = f"/v1/ops/players/{player['player_id']}/bonuses"
    r = await client.post(url, json={"amount": 1_000, "wagering_multiplier": 0},
                          headers=admin | key())  # fmt: skip
    assert r.status_code == 422
    r = await client.post(url, json={"amount": 10**12, "wagering_multiplier": 5},
                          headers=admin | key())  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "bonus_too_large"
    maximum = runtime.services.profiles["generic"].bonus_max_amount
    r = await client.post(url, json={"amount": maximum, "wagering_multiplier": 5},
                          headers=operator | key())  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = await client.post(url, json={"amount": maximum, "wagering_multiplier": 5},
                          headers=admin | key())  # fmt: skip
    assert r.status_code == 201 and r.json()["bonus"]["wagering_remaining"] == maximum * 5
