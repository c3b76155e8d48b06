"""Wallet: balance, deposits, withdrawals, money validation, idempotency, the event list, audit."""

from __future__ import annotations

import time
import uuid

import pytest

from .support import assert_problem, assert_rfc3339_utc, punctuate_cpf

BAD_AMOUNTS = {
    "float": 100.5,
    "integral-float": 100.0,
    "string": "100",
    "negative": -100,
    "zero": 0,
    "above-10^12": 10**12 + 1,
    "boolean": True,
    "null": None,
}


def assert_event(event: dict, *, seq: int, type_: str, amount: int, balance_after: int) -> None:
    assert event["seq"] == seq, event
    assert event["type"] == type_, event
    assert event["amount"] == amount, event
    assert event["balance_after"] == balance_after, event
    assert_rfc3339_utc(event["created_at"])
    assert "ref" in event, event


# ---------------------------------------------------------------- GET /v1/wallet


def test_a_new_player_has_an_empty_brl_wallet(player, wallet):
    assert wallet(player()) == {"balance": 0, "currency": "BRL", "last_seq": 0}


def test_the_wallet_needs_a_token(client):
    assert_problem(client.get("/v1/wallet"), 401, "invalid_token")
    assert_problem(
        client.get("/v1/wallet", headers={"Authorization": "Bearer nope"}), 401, "invalid_token"
    )


# ---------------------------------------------------------------- deposits


def test_a_pix_deposit_returns_the_event_and_the_new_balance(player, deposit, wallet):
    p = player()
    r = deposit(p, 12_345, "pix")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["balance"] == 12_345
    assert_event(body["event"], seq=1, type_="DEPOSIT", amount=12_345, balance_after=12_345)
    assert wallet(p) == {"balance": 12_345, "currency": "BRL", "last_seq": 1}


def test_a_ted_deposit_is_accepted_and_seq_counts_up(player, deposit, wallet):
    p = player()
    assert deposit(p, 100, "pix").status_code == 201
    r = deposit(p, 250, "ted")
    assert r.status_code == 201, r.text
    assert_event(r.json()["event"], seq=2, type_="DEPOSIT", amount=250, balance_after=350)
    assert wallet(p)["last_seq"] == 2


def test_a_deposit_of_exactly_10_to_the_12_is_accepted(player, deposit):
    r = deposit(player(), 10**12)
    assert r.status_code == 201, r.text
    assert r.json()["balance"] == 10**12


@pytest.mark.parametrize("method", ["card", "crypto", "cash", "boleto", "credit_card"])
def test_a_brazilian_player_cannot_deposit_with_other_methods(player, deposit, wallet, method):
    p = player()
    assert_problem(deposit(p, 1_000, method), 422, "payment_method_not_allowed")
    assert wallet(p) == {"balance": 0, "currency": "BRL", "last_seq": 0}


def test_a_deposit_from_another_persons_cpf_is_a_payer_mismatch(player, deposit, wallet):
    p, other = player(), player()
    assert_problem(deposit(p, 1_000, payer_document=other.cpf), 422, "payer_mismatch")
    assert wallet(p)["balance"] == 0


def test_a_deposit_from_the_players_own_cpf_is_accepted_with_or_without_punctuation(
    player, deposit, wallet
):
    p = player()
    assert deposit(p, 1_000, payer_document=p.cpf).status_code == 201
    assert deposit(p, 1_000, payer_document=punctuate_cpf(p.cpf)).status_code == 201
    assert wallet(p)["balance"] == 2_000


@pytest.mark.parametrize("amount", list(BAD_AMOUNTS.values()), ids=list(BAD_AMOUNTS))
def test_a_deposit_with_an_invalid_amount_is_refused_and_moves_nothing(
    player, deposit, wallet, amount
):
    p = player()
    assert_problem(deposit(p, amount), 422, "validation_error")
    assert wallet(p) == {"balance": 0, "currency": "BRL", "last_seq": 0}


def test_a_deposit_without_amount_or_method_is_a_validation_error(client, player):
    p = player()
    for body in ({"method": "pix"}, {"amount": 100}, {}):
        r = client.post("/v1/wallet/deposits", json=body, headers=p.with_key())
        assert_problem(r, 422, "validation_error")


def test_a_deposit_without_an_idempotency_key_is_refused(client, player, wallet):
    p = player()
    r = client.post("/v1/wallet/deposits", json={"amount": 100, "method": "pix"}, headers=p.headers)
    assert_problem(r, 400, "idempotency_key_required")
    assert wallet(p)["balance"] == 0


@pytest.mark.parametrize(
    "key",
    ["k" * 256, "tab\tinside", b"caf\xe9-key"],
    ids=["256-chars", "tab", "non-ascii"],
)
def test_a_deposit_with_an_invalid_idempotency_key_is_refused(client, player, wallet, key):
    p = player()
    r = client.post(
        "/v1/wallet/deposits",
        json={"amount": 100, "method": "pix"},
        headers=p.headers | {"Idempotency-Key": key},
    )
    assert_problem(r, 400, "idempotency_key_invalid")
    assert wallet(p)["balance"] == 0


def test_an_empty_idempotency_key_is_refused(client, player, wallet):
    p = player()
    r = client.post(
        "/v1/wallet/deposits",
        json={"amount": 100, "method": "pix"},
        headers=p.headers | {"Idempotency-Key": ""},
    )
    assert_problem(r, 400, {"idempotency_key_required", "idempotency_key_invalid"})
    assert wallet(p)["balance"] == 0


def test_a_255_character_printable_idempotency_key_is_accepted(player, deposit):
    key = ("K-~!@#$%^&*()_+ " * 16)[:254] + "z"
    assert len(key) == 255
    assert deposit(player(), 100, key=key).status_code == 201


# ---------------------------------------------------------------- withdrawals


def test_an_unverified_player_cannot_withdraw(player, deposit, withdraw, wallet):
    p = player()
    assert deposit(p, 5_000).status_code == 201
    assert_problem(withdraw(p, 1_000), 403, "kyc_required")
    assert wallet(p) == {"balance": 5_000, "currency": "BRL", "last_seq": 1}


def test_a_verified_player_withdraws_and_the_event_is_a_withdrawal(
    verified_player, deposit, withdraw, wallet
):
    p = verified_player()
    assert deposit(p, 5_000).status_code == 201
    r = withdraw(p, 1_500, "pix")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["balance"] == 3_500
    assert_event(body["event"], seq=2, type_="WITHDRAWAL", amount=1_500, balance_after=3_500)
    r = withdraw(p, 3_500, "ted")
    assert r.status_code == 201, r.text
    assert r.json()["balance"] == 0
    assert wallet(p) == {"balance": 0, "currency": "BRL", "last_seq": 3}


def test_withdrawing_more_than_the_balance_is_insufficient_funds(
    verified_player, deposit, withdraw, wallet
):
    p = verified_player()
    assert_problem(withdraw(p, 1), 409, "insufficient_funds")
    assert deposit(p, 1_000).status_code == 201
    assert_problem(withdraw(p, 1_001), 409, "insufficient_funds")
    assert wallet(p) == {"balance": 1_000, "currency": "BRL", "last_seq": 1}


@pytest.mark.parametrize("amount", list(BAD_AMOUNTS.values()), ids=list(BAD_AMOUNTS))
def test_a_withdrawal_with_an_invalid_amount_is_refused_and_moves_nothing(
    verified_player, deposit, withdraw, wallet, amount
):
    p = verified_player()
    assert deposit(p, 10_000).status_code == 201
    assert_problem(withdraw(p, amount), 422, "validation_error")
    assert wallet(p) == {"balance": 10_000, "currency": "BRL", "last_seq": 1}


def test_a_brazilian_player_cannot_withdraw_to_crypto(verified_player, deposit, withdraw, wallet):
    p = verified_player()
    assert deposit(p, 10_000).status_code == 201
    assert_problem(withdraw(p, 1_000, "crypto"), 422)
    assert wallet(p)["balance"] == 10_000


def test_a_withdrawal_without_an_idempotency_key_is_refused(client, verified_player, deposit):
    p = verified_player()
    assert deposit(p, 1_000).status_code == 201
    r = client.post(
        "/v1/wallet/withdrawals", json={"amount": 100, "method": "pix"}, headers=p.headers
    )
    assert_problem(r, 400, "idempotency_key_required")


# ---------------------------------------------------------------- idempotency


def test_replaying_a_deposit_returns_the_original_answer_and_moves_money_once(
    player, deposit, wallet, all_events
):
    p = player()
    key = str(uuid.uuid4())
    first = deposit(p, 777, key=key)
    assert first.status_code == 201, first.text
    for _ in range(2):
        again = deposit(p, 777, key=key)
        assert again.status_code == 201
        assert again.json() == first.json()
    assert wallet(p) == {"balance": 777, "currency": "BRL", "last_seq": 1}
    assert len(all_events(p)) == 1


def test_reusing_a_key_with_a_different_body_is_refused(player, deposit, wallet):
    p = player()
    key = str(uuid.uuid4())
    assert deposit(p, 777, key=key).status_code == 201
    assert_problem(deposit(p, 778, key=key), 422, "idempotency_key_reused")
    assert_problem(deposit(p, 777, "ted", key=key), 422, "idempotency_key_reused")
    assert wallet(p) == {"balance": 777, "currency": "BRL", "last_seq": 1}


def test_a_deposit_key_cannot_be_reused_for_a_withdrawal(
    verified_player, deposit, withdraw, wallet
):
    p = verified_player()
    key = str(uuid.uuid4())
    assert deposit(p, 1_000, key=key).status_code == 201
    r = withdraw(p, 1_000, key=key)
    assert_problem(r, 422, "idempotency_key_reused")
    assert wallet(p)["balance"] == 1_000


def test_replaying_a_withdrawal_moves_money_once(verified_player, deposit, withdraw, wallet):
    p = verified_player()
    assert deposit(p, 1_000).status_code == 201
    key = str(uuid.uuid4())
    first = withdraw(p, 400, key=key)
    assert first.status_code == 201, first.text
    again = withdraw(p, 400, key=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert wallet(p) == {"balance": 600, "currency": "BRL", "last_seq": 2}


def test_a_refused_withdrawal_is_replayed_for_the_same_key(
    verified_player, deposit, withdraw, wallet
):
    p = verified_player()
    key = str(uuid.uuid4())
    first = withdraw(p, 500, key=key)
    assert_problem(first, 409, "insufficient_funds")
    assert deposit(p, 1_000).status_code == 201
    again = withdraw(p, 500, key=key)
    assert again.status_code == 409 and again.json() == first.json()
    assert wallet(p)["balance"] == 1_000


def test_idempotency_keys_are_scoped_per_player(player, deposit, wallet):
    a, b = player(), player()
    key = str(uuid.uuid4())
    ra = deposit(a, 300, key=key)
    rb = deposit(b, 500, key=key)
    assert ra.status_code == 201 and rb.status_code == 201, (ra.text, rb.text)
    assert rb.json()["event"]["amount"] == 500 and rb.json()["balance"] == 500
    assert wallet(a)["balance"] == 300 and wallet(b)["balance"] == 500


# ---------------------------------------------------------------- the event list


@pytest.fixture(scope="module")
def five_deposits(player, deposit):
    p = player()
    for amount in (100, 200, 300, 400, 500):
        assert deposit(p, amount).status_code == 201
    return p


def page(client, p, **params) -> dict:
    r = client.get("/v1/wallet/events", params=params, headers=p.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_event_list_defaults_to_everything_from_the_start(client, five_deposits):
    body = page(client, five_deposits)
    assert body["next_after_seq"] is None
    running = 0
    for seq, (event, amount) in enumerate(
        zip(body["events"], (100, 200, 300, 400, 500), strict=True), start=1
    ):
        running += amount
        assert_event(event, seq=seq, type_="DEPOSIT", amount=amount, balance_after=running)


def test_the_event_list_pages_with_after_seq_and_next_after_seq(client, five_deposits):
    p = five_deposits
    first = page(client, p, limit=2)
    assert [e["seq"] for e in first["events"]] == [1, 2] and first["next_after_seq"] == 2
    second = page(client, p, after_seq=2, limit=2)
    assert [e["seq"] for e in second["events"]] == [3, 4] and second["next_after_seq"] == 4
    last = page(client, p, after_seq=4, limit=2)
    assert [e["seq"] for e in last["events"]] == [5] and last["next_after_seq"] is None


def test_a_page_that_ends_exactly_at_the_last_event_has_no_next(client, five_deposits):
    body = page(client, five_deposits, after_seq=3, limit=2)
    assert [e["seq"] for e in body["events"]] == [4, 5]
    assert body["next_after_seq"] is None


def test_after_the_last_event_the_list_is_empty(client, five_deposits):
    assert page(client, five_deposits, after_seq=5) == {"events": [], "next_after_seq": None}
    assert page(client, five_deposits, after_seq=99) == {"events": [], "next_after_seq": None}


def test_a_limit_of_1000_is_accepted(client, five_deposits):
    assert len(page(client, five_deposits, limit=1000)["events"]) == 5


@pytest.mark.parametrize(
    "params",
    [{"limit": 1001}, {"limit": 0}, {"limit": -1}, {"limit": "ten"}, {"after_seq": "x"}],
    ids=["limit-1001", "limit-0", "limit-negative", "limit-text", "after-seq-text"],
)
def test_the_event_list_refuses_bad_paging(client, five_deposits, params):
    r = client.get("/v1/wallet/events", params=params, headers=five_deposits.headers)
    assert_problem(r, 422, "validation_error")


def test_the_event_list_needs_a_token(client):
    assert_problem(client.get("/v1/wallet/events"), 401, "invalid_token")


def test_a_player_sees_only_their_own_events(client, player, deposit):
    a, b = player(), player()
    assert deposit(a, 1_234).status_code == 201
    assert page(client, b) == {"events": [], "next_after_seq": None}


# ---------------------------------------------------------------- the operator's audit


def test_the_wallet_audit_replays_the_ledger_and_the_projection_catches_up(
    client, operator, verified_player, deposit, withdraw, wallet
):
    p = verified_player()
    for amount in (1_000, 2_000, 3_000):
        assert deposit(p, amount).status_code == 201
    assert withdraw(p, 2_500).status_code == 201
    state = wallet(p)
    assert state == {"balance": 3_500, "currency": "BRL", "last_seq": 4}
    deadline = time.monotonic() + 15
    while True:
        r = client.get(f"/v1/ops/players/{p.player_id}/wallet/audit", headers=operator.headers)
        assert r.status_code == 200, r.text
        audit = r.json()
        if audit["d1_projected_seq"] == 4 or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert audit["events"] == 4
    assert audit["replayed_balance"] == audit["stored_balance"] == 3_500
    assert audit["consistent"] is True
    assert audit["d1_projected_seq"] == 4


def test_the_audit_of_a_new_player_is_empty_and_consistent(client, operator, player):
    p = player()
    r = client.get(f"/v1/ops/players/{p.player_id}/wallet/audit", headers=operator.headers)
    assert r.status_code == 200, r.text
    audit = r.json()
    assert audit["events"] == 0
    assert audit["replayed_balance"] == audit["stored_balance"] == 0
    assert audit["consistent"] is True


def test_the_audit_of_an_unknown_player_is_not_found(client, operator):
    r = client.get(f"/v1/ops/players/{uuid.uuid4()}/wallet/audit", headers=operator.headers)
    assert_problem(r, 404, "not_found")


def test_a_player_cannot_read_a_wallet_audit(client, player):
    p, other = player(), player()
    for target in (p, other):
        r = client.get(f"/v1/ops/players/{target.player_id}/wallet/audit", headers=p.headers)
        assert_problem(r, 403, "forbidden")
    assert_problem(client.get(f"/v1/ops/players/{p.player_id}/wallet/audit"), 401)
