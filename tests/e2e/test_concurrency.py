"""Concurrency: many clients on one wallet, one idempotency key raced, registration and refresh
races. Every thread uses its own HTTP connection pool."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from .support import STRONG_PASSWORD, assert_problem, new_cpf, new_email

CLIENTS = 16
OPS_PER_CLIENT = 10


def race(base_url: str, n: int, fn) -> list:
    """Run fn(i, client) in n threads released together by a barrier."""
    barrier = threading.Barrier(n)

    def run(i: int):
        with httpx.Client(base_url=base_url, timeout=60.0) as c:
            barrier.wait(timeout=30)
            return fn(i, c)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_sixteen_clients_depositing_and_withdrawing_keep_the_wallet_exact(
    base_url, verified_player, deposit, wallet, all_events
):
    p = verified_player()
    assert deposit(p, 1_000).status_code == 201
    seed = {"type": "DEPOSIT", "amount": 1_000, "seq": 1}

    def worker(i: int, c: httpx.Client) -> list[dict]:
        acknowledged = []
        for j in range(OPS_PER_CLIENT):
            withdrawing = (i + j) % 2 == 1
            path = "/v1/wallet/withdrawals" if withdrawing else "/v1/wallet/deposits"
            amount = (300 + 13 * i + j) if withdrawing else (200 + 7 * i + j)
            r = c.post(path, json={"amount": amount, "method": "pix"}, headers=p.with_key())
            if r.status_code == 201:
                event = r.json()["event"]
                assert event["amount"] == amount
                assert event["type"] == ("WITHDRAWAL" if withdrawing else "DEPOSIT")
                assert r.json()["balance"] == event["balance_after"] >= 0
                acknowledged.append(event)
            else:
                assert withdrawing, f"deposit refused: {r.status_code} {r.text}"
                assert_problem(r, 409, "insufficient_funds")
        return acknowledged

    acked = [seed] + [e for batch in race(base_url, CLIENTS, worker) for e in batch]
    expected = sum(e["amount"] if e["type"] == "DEPOSIT" else -e["amount"] for e in acked)

    state = wallet(p)
    assert state["balance"] == expected >= 0
    events = all_events(p)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "seq has gaps/forks"
    assert len(events) == len(acked) == state["last_seq"]
    running = 0
    for event in events:
        assert event["amount"] > 0
        running += event["amount"] if event["type"] == "DEPOSIT" else -event["amount"]
        assert event["balance_after"] == running >= 0, f"broken chain at seq {event['seq']}"
    by_seq = {e["seq"]: e for e in events}
    for ack in acked:
        listed = by_seq.get(ack["seq"])
        assert listed is not None, f"acknowledged event {ack} missing from the list"
        assert (listed["type"], listed["amount"]) == (ack["type"], ack["amount"])
        if "balance_after" in ack:
            assert listed == ack
    assert any(e["type"] == "WITHDRAWAL" for e in events), "no withdrawal ever succeeded"


def test_eight_simultaneous_deposits_with_one_key_move_money_once(
    base_url, player, wallet, all_events
):
    p = player()
    headers = p.with_key(str(uuid.uuid4()))

    def send(_: int, c: httpx.Client) -> httpx.Response:
        return c.post(
            "/v1/wallet/deposits", json={"amount": 4_321, "method": "pix"}, headers=headers
        )

    answers = race(base_url, 8, send)
    assert [r.status_code for r in answers] == [201] * 8, [(r.status_code, r.text) for r in answers]
    assert all(r.json() == answers[0].json() for r in answers)
    assert wallet(p) == {"balance": 4_321, "currency": "BRL", "last_seq": 1}
    assert len(all_events(p)) == 1


def test_eight_simultaneous_withdrawals_with_one_key_move_money_once(
    base_url, verified_player, deposit, wallet
):
    p = verified_player()
    assert deposit(p, 10_000).status_code == 201
    headers = p.with_key(str(uuid.uuid4()))

    def send(_: int, c: httpx.Client) -> httpx.Response:
        return c.post(
            "/v1/wallet/withdrawals", json={"amount": 1_000, "method": "pix"}, headers=headers
        )

    answers = race(base_url, 8, send)
    assert [r.status_code for r in answers] == [201] * 8, [(r.status_code, r.text) for r in answers]
    assert all(r.json() == answers[0].json() for r in answers)
    assert wallet(p) == {"balance": 9_000, "currency": "BRL", "last_seq": 2}


def test_simultaneous_registrations_with_one_email_create_one_account(base_url):
    email = new_email()

    def register(_: int, c: httpx.Client) -> httpx.Response:
        body = {
            "email": email,
            "password": STRONG_PASSWORD,
            "full_name": "Race Condition",
            "birth_date": "1990-01-01",
            "country": "BR",
            "cpf": new_cpf(),
        }
        return c.post("/v1/auth/register", json=body)

    answers = race(base_url, 8, register)
    assert sorted(r.status_code for r in answers) == [201] + [409] * 7, [r.text for r in answers]
    for r in answers:
        if r.status_code == 409:
            assert_problem(r, 409, "email_taken")


def test_simultaneous_registrations_with_one_cpf_create_one_account(base_url):
    cpf = new_cpf()

    def register(_: int, c: httpx.Client) -> httpx.Response:
        body = {
            "email": new_email(),
            "password": STRONG_PASSWORD,
            "full_name": "Race Condition",
            "birth_date": "1990-01-01",
            "country": "BR",
            "cpf": cpf,
        }
        return c.post("/v1/auth/register", json=body)

    answers = race(base_url, 8, register)
    assert sorted(r.status_code for r in answers) == [201] + [409] * 7, [r.text for r in answers]
    for r in answers:
        if r.status_code == 409:
            assert_problem(r, 409, "cpf_taken")


def test_a_refresh_token_raced_by_eight_clients_is_honoured_at_most_once(base_url, player):
    p = player()

    def refresh(_: int, c: httpx.Client) -> httpx.Response:
        return c.post("/v1/auth/refresh", json={"refresh_token": p.refresh_token})

    answers = race(base_url, 8, refresh)
    statuses = [r.status_code for r in answers]
    assert statuses.count(200) <= 1, statuses
    assert set(statuses) <= {200, 401}, [r.text for r in answers]
    for r in answers:
        if r.status_code == 401:
            assert_problem(r, 401, {"refresh_token_reused", "invalid_token"})
