"""`casino dev --faults RATE --fault-seed N` and `--jurisdiction BR`, black box (docs/api.md:
"Testing faults" and "Jurisdiction"): a faulty platform answers 503 `unavailable` with
`Retry-After`, a retry with the same key completes the operation exactly once, and a player who
retries only the rounds a revealed seed says were won gains nothing."""

from __future__ import annotations

import math
import shutil
import time
import uuid

import httpx
import pytest

from .support import STRONG_PASSWORD, CasinoServer, assert_problem, new_cpf, new_email

pytestmark = pytest.mark.slow


def definite(send, *retry_codes: str, attempts: int = 300) -> httpx.Response:
    for _ in range(attempts):
        r = send()
        if r.status_code == 503:
            assert_problem(r, 503, "unavailable")
            assert int(r.headers["retry-after"]) >= 1
        elif r.status_code == 409 and r.json().get("code") in retry_codes:
            assert "retry-after" in r.headers
        else:
            return r
        time.sleep(0.01)
    raise AssertionError("no definite answer")


@pytest.fixture(scope="module")
def faulty():
    server = CasinoServer(args=("--faults", "0.3", "--fault-seed", "11")).start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            yield server, client
    finally:
        server.stop()
        shutil.rmtree(server.state, ignore_errors=True)


def verified_player(server: CasinoServer, client: httpx.Client) -> dict[str, str]:
    email, cpf = new_email("faults"), new_cpf()
    body = {"email": email, "password": STRONG_PASSWORD, "full_name": "Ana Souza",
            "birth_date": "1990-01-01", "country": "BR", "cpf": cpf}  # fmt: skip
    for _ in range(100):
        r = client.post("/v1/auth/register", json=body)
        if r.status_code != 503:
            break
    assert r.status_code == 201, r.text
    login = definite(lambda: client.post("/v1/auth/login",
                                         json={"email": email, "password": STRONG_PASSWORD}))  # fmt: skip
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for doc_type in ("id_front", "selfie"):
        from .support import kyc_document

        up = definite(lambda d=doc_type: client.post(
            "/v1/kyc/documents", json=kyc_document(doc_type=d), headers=headers))  # fmt: skip
        assert up.status_code == 201, up.text
    staff_email = new_email("kyc")
    uri = server.create_staff(staff_email, STRONG_PASSWORD, "kyc_reviewer")
    from .support import fresh_totp_code

    staff = definite(lambda: client.post("/v1/auth/login", json={
        "email": staff_email, "password": STRONG_PASSWORD, "otp": fresh_totp_code(uri)}))  # fmt: skip
    assert staff.status_code == 200, staff.text
    player_id = client.get("/v1/players/me", headers=headers).json()["player_id"]
    decided = definite(lambda: client.post(
        f"/v1/ops/kyc/{player_id}/decision", json={"decision": "approve"},
        headers={"Authorization": f"Bearer {staff.json()['access_token']}"}))  # fmt: skip
    assert decided.status_code == 200, decided.text
    return headers


def test_a_retried_deposit_moves_money_once_under_faults(faulty):
    server, client = faulty
    headers = verified_player(server, client)
    balance = 0
    for n in range(20):
        key = {"Idempotency-Key": f"dep-{uuid.uuid4()}"}
        body = {"amount": 1_000 + n, "method": "pix"}
        r = definite(lambda k=key, b=body: client.post(
            "/v1/wallet/deposits", json=b, headers=headers | k))  # fmt: skip
        assert r.status_code == 201, r.text
        balance += body["amount"]
        again = definite(lambda k=key, b=body: client.post(
            "/v1/wallet/deposits", json=b, headers=headers | k))  # fmt: skip
        assert again.json() == r.json()  # the replay, not a second deposit
    wallet = definite(lambda: client.get("/v1/wallet", headers=headers)).json()
    assert wallet["balance"] == balance
    events = definite(lambda: client.get("/v1/wallet/events", headers=headers)).json()["events"]
    assert [e["type"] for e in events] == ["DEPOSIT"] * 20


def test_retrying_only_winning_rounds_after_a_rotation_gains_nothing(faulty):
    server, client = faulty
    headers = verified_player(server, client)
    deposit = definite(lambda: client.post("/v1/wallet/deposits",
                                           json={"amount": 100_000, "method": "pix"},
                                           headers=headers | {"Idempotency-Key": "d1"}))  # fmt: skip
    assert deposit.status_code == 201
    session = definite(lambda: client.post("/v1/games/dice/sessions", json={}, headers=headers))
    session_id = session.json()["session_id"]
    body = {"stake": 100, "params": {"target": 5000}}
    lost = []
    for _ in range(60):
        key = {"Idempotency-Key": str(uuid.uuid4())}
        r = client.post(f"/v1/sessions/{session_id}/rounds", json=body, headers=headers | key)
        if r.status_code == 503:
            lost.append(key)
    assert lost, "with 30% faults some answers are lost"
    rotation = definite(lambda: client.post(f"/v1/sessions/{session_id}/seed-rotation",
                                            json={}, headers=headers), "rounds_pending")  # fmt: skip
    assert rotation.status_code == 200, rotation.text
    listed = definite(lambda: client.get(f"/v1/sessions/{session_id}/rounds", headers=headers))
    rounds = listed.json()["rounds"]
    assert listed.json()["pending_rounds"] == []
    won = {r["round_id"] for r in rounds if r["payout"] > 0}
    assert won and len(won) < len(rounds)
    before = definite(lambda: client.get("/v1/wallet", headers=headers)).json()["balance"]
    for key in lost:
        r = definite(lambda k=key: client.post(f"/v1/sessions/{session_id}/rounds", json=body,
                                               headers=headers | k))  # fmt: skip
        if r.status_code == 201 and r.json()["round_id"] in {x["round_id"] for x in rounds}:
            assert r.json()["payout"] == next(
                x["payout"] for x in rounds if x["round_id"] == r.json()["round_id"]
            )
    new_rounds = [
        x
        for x in definite(
            lambda: client.get(f"/v1/sessions/{session_id}/rounds", headers=headers)
        ).json()["rounds"]  # fmt: skip
        if x["round_id"] not in {r["round_id"] for r in rounds}
    ]
    after = definite(lambda: client.get("/v1/wallet", headers=headers)).json()["balance"]
    assert after == before + sum(x["payout"] - x["stake"] for x in new_rounds)
    for x in new_rounds:  # a retry that never reached the session plays on the new seed
        assert x["server_seed_hash"] == rotation.json()["server_seed_hash"]
    # Every round of the revealed seed counts, won or lost: dice's return, within 4 sigma.
    rtp = rounds[0]["rtp_bps"]
    win = 100 * rtp // 5000
    z = (sum(r["payout"] for r in rounds) - len(rounds) * win / 2) / math.sqrt(
        len(rounds) * win**2 / 4
    )
    assert abs(z) < 4


def test_without_the_flag_there_are_no_faults(client, player):
    """The default server of the suite runs without --faults: nothing answers 503."""
    for _ in range(15):
        p = player()
        for n in range(5):
            r = client.post("/v1/wallet/deposits", json={"amount": 100, "method": "pix"},
                            headers=p.headers | {"Idempotency-Key": f"k{n}"})  # fmt: skip
            assert r.status_code == 201, r.text


def test_a_brazilian_deployment_puts_every_request_under_brazil():
    server = CasinoServer(args=("--jurisdiction", "BR")).start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            body = {"email": new_email("us"), "password": STRONG_PASSWORD, "full_name": "Joe",
                    "birth_date": "1990-01-01", "country": "US"}  # fmt: skip
            assert_problem(client.post("/v1/auth/register", json=body), 422, "invalid_cpf")
            games = client.get("/v1/games").json()["games"]
            assert all(g["jurisdiction"] == "BR" and g["rtp_bps"] >= 8500 for g in games)
    finally:
        server.stop()
        shutil.rmtree(server.state, ignore_errors=True)


def test_a_brazilian_network_puts_a_request_under_brazil(client):
    body = {"email": new_email("us"), "password": STRONG_PASSWORD, "full_name": "Joe",
            "birth_date": "1990-01-01", "country": "US"}  # fmt: skip
    r = client.post("/v1/auth/register", json=body, headers={"CF-IPCountry": "BR"})
    assert_problem(r, 422, "invalid_cpf")
    r = client.post("/v1/auth/register", json=body, headers={"Host": "jogo.acmetocasino.bet.br"})
    assert_problem(r, 422, "invalid_cpf")
    assert client.post("/v1/auth/register", json=body).status_code == 201


def test_a_provider_retrying_lost_callbacks_keeps_money_conserved(faulty):
    """The reference RGS plays through the signed callbacks while 30% of the platform's calls
    fail; it retries each lost callback with the same transaction id."""
    import asyncio
    import random

    from tests.fake_rgs import FakeRgs

    server, client = faulty
    headers = verified_player(server, client)
    created = subprocess_casino(server, "ops", "providers", "add", "--id", "e2e-rgs", "--name",
                                "E2E RGS", "--game", "coinflip:9800",
                                "--launch-url", "https://rgs.test/launch?t={token}")  # fmt: skip
    secret = created.stdout.splitlines()[1].strip()
    deposit = definite(lambda: client.post("/v1/wallet/deposits",
                                           json={"amount": 50_000, "method": "pix"},
                                           headers=headers | {"Idempotency-Key": "rgs-dep"}))  # fmt: skip
    assert deposit.status_code == 201
    launch = definite(lambda: client.post("/v1/games/e2e-rgs:coinflip/sessions", json={},
                                          headers=headers))  # fmt: skip
    assert launch.status_code == 201, launch.text
    token = launch.json()["session_token"]

    async def play() -> tuple[int, int]:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as async_client:
            rgs = FakeRgs(async_client, "e2e-rgs", secret)
            rng, staked, paid = random.Random(1), 0, 0
            for _ in range(30):
                result = await rgs.play(token, 200, rng)
                staked, paid = staked + result["staked"], paid + result["paid"]
            return staked, paid

    staked, paid = asyncio.run(play())
    wallet = definite(lambda: client.get("/v1/wallet", headers=headers)).json()
    assert wallet["balance"] == 50_000 - staked + paid and staked == 30 * 200


def subprocess_casino(server: CasinoServer, *args: str):
    import subprocess

    from .support import CASINO

    done = subprocess.run([str(CASINO), *args, "--state", str(server.state)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done
