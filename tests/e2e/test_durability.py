"""Durability: SIGKILL `casino dev` (its whole process group) and restart it on the same state;
everything acknowledged before the kill must still be there. Each test starts its own server."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from .support import STRONG_PASSWORD, CasinoServer, new_cpf, new_email

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("E2E_BASE_URL")), reason="needs a local `casino dev` to kill"
)


@pytest.fixture
def own_server() -> Iterator[CasinoServer]:
    server = CasinoServer().start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.state, ignore_errors=True)


def restart(server: CasinoServer) -> None:
    """kill -9 the group, then `casino dev` again on the same state and port."""
    server.kill_hard()
    server.start()


def register(c: httpx.Client) -> dict:
    body = {
        "email": new_email("durable"),
        "password": STRONG_PASSWORD,
        "full_name": "Durable Player",
        "birth_date": "1990-01-01",
        "country": "BR",
        "cpf": new_cpf(),
    }
    r = c.post("/v1/auth/register", json=body)
    assert r.status_code == 201, r.text
    return body | {"player_id": r.json()["player_id"]}


def login(c: httpx.Client, email: str, password: str = STRONG_PASSWORD) -> dict:
    r = c.post("/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, f"login failed: {r.status_code} {r.text}"
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def events_of(c: httpx.Client, headers: dict) -> list[dict]:
    r = c.get("/v1/wallet/events", params={"limit": 1000}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["next_after_seq"] is None
    return r.json()["events"]


def test_acknowledged_deposits_survive_a_sigkill(own_server):
    server = own_server
    with httpx.Client(base_url=server.base_url, timeout=30.0) as c:
        player = register(c)
        headers = login(c, player["email"])
        acked: list[dict] = []
        replay_key, replay_body = str(uuid.uuid4()), None
        for i in range(12):
            key = replay_key if i == 5 else str(uuid.uuid4())
            r = c.post(
                "/v1/wallet/deposits",
                json={"amount": 1_000 + i, "method": "pix" if i % 2 else "ted"},
                headers=headers | {"Idempotency-Key": key},
            )
            assert r.status_code == 201, r.text
            acked.append(r.json()["event"])
            if i == 5:
                replay_body = r.json()
        before = c.get("/v1/wallet", headers=headers).json()
    assert before == {"balance": sum(1_000 + i for i in range(12)), "currency": "BRL",
                      "last_seq": 12}  # fmt: skip

    # deposits still in flight while the server dies: the acknowledged ones must survive
    stop = threading.Event()
    in_flight_acks: list[dict] = []
    lock = threading.Lock()

    def hammer(n: int) -> None:
        with httpx.Client(base_url=server.base_url, timeout=5.0) as hc:
            while not stop.is_set():
                try:
                    r = hc.post(
                        "/v1/wallet/deposits",
                        json={"amount": 10 + n, "method": "pix"},
                        headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
                    )
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    with lock:
                        in_flight_acks.append(r.json()["event"])

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.7)
    server.kill_hard()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    server.start()
    assert in_flight_acks, "no deposit was acknowledged while the kill was prepared"

    with httpx.Client(base_url=server.base_url, timeout=30.0) as c:
        headers = login(c, player["email"])
        events = events_of(c, headers)
        state = c.get("/v1/wallet", headers=headers).json()
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert events[:12] == acked, "acknowledged deposits changed or vanished after SIGKILL"
        by_seq = {e["seq"]: e for e in events}
        for ack in in_flight_acks:
            assert by_seq.get(ack["seq"]) == ack, f"acknowledged in-flight deposit lost: {ack}"
        running = 0
        for e in events:
            running += e["amount"]
            assert e["type"] == "DEPOSIT" and e["balance_after"] == running
        assert state == {"balance": running, "currency": "BRL", "last_seq": len(events)}

        # the idempotency record survived too: the replay answers the original, moves nothing
        again = c.post(
            "/v1/wallet/deposits",
            json={"amount": 1_005, "method": "pix"},
            headers=headers | {"Idempotency-Key": replay_key},
        )
        assert again.status_code == 201 and again.json() == replay_body, again.text
        # and the ledger continues without a fork
        nxt = c.post(
            "/v1/wallet/deposits",
            json={"amount": 1, "method": "pix"},
            headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
        )
        assert nxt.status_code == 201, nxt.text
        assert nxt.json()["event"]["seq"] == len(events) + 1
        assert nxt.json()["balance"] == running + 1


def test_a_registration_acknowledged_just_before_a_sigkill_can_log_in_after_restart(own_server):
    server = own_server
    with httpx.Client(base_url=server.base_url, timeout=30.0) as c:
        earlier = register(c)
        login(c, earlier["email"])
        last = register(c)  # acknowledged immediately before the kill, never used
    restart(server)
    with httpx.Client(base_url=server.base_url, timeout=30.0) as c:
        for player in (earlier, last):
            headers = login(c, player["email"])
            me = c.get("/v1/players/me", headers=headers)
            assert me.status_code == 200, me.text
            assert me.json()["player_id"] == player["player_id"]
            assert me.json()["email"] == player["email"]
        again = c.post(
            "/v1/auth/register", json={k: v for k, v in last.items() if k != "player_id"}
        )
        assert again.status_code == 409 and again.json()["code"] in {"email_taken", "cpf_taken"}
