"""Every RPC command of the Durable Objects, run in Pyodide on their DO storage the way the edge
runs them: through the Worker's `fetch` where an endpoint reaches the command, else through the
DO host as the app calls it; each case asserts what the command did (a stored row, a balance, a
D1 projection row, an answer's fields). The harness counts the commands run (`edge functions
run: N of M`), listed from the classes: a new command counts as not run until a case runs it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

from _conformance_host import host  # type: ignore[import-not-found]

from cases.edge_client import call, deposit, key, player, rows, staff, wallet_call

DICE = {"stake": 100, "params": {"target": 5000}}


async def dice_session(p: dict) -> dict:
    status, _, session = await call("POST", "/v1/games/dice/sessions", {}, p["auth"])
    assert status == 201, session
    return session


async def dice_round(p: dict, session_id: str) -> dict:
    status, _, played = await call(
        "POST", f"/v1/sessions/{session_id}/rounds", DICE, p["auth"] | key()
    )
    assert status == 201, played
    return played


async def test_a_session_is_described_and_lists_its_rounds():
    """SessionDO `describe` (GET /v1/sessions/{id}) and `rounds` (GET .../rounds)."""
    p = await player(verified=True)
    await deposit(p, 10_000)
    opened = await dice_session(p)
    sid = opened["session_id"]
    played = [await dice_round(p, sid) for _ in range(2)]
    status, _, described = await call("GET", f"/v1/sessions/{sid}", headers=p["auth"])
    assert status == 200, described
    assert described == opened | {"nonce": 2}, (described, opened)
    status, _, listed = await call("GET", f"/v1/sessions/{sid}/rounds", headers=p["auth"])
    assert status == 200, listed
    assert [(r["nonce"], r["payout"]) for r in listed["rounds"]] == [
        (r["nonce"], r["payout"]) for r in played
    ]
    assert listed["void_rounds"] == [] and listed["revealed_seeds"] == []
    other = await player()
    status, _, body = await call("GET", f"/v1/sessions/{sid}", headers=other["auth"])
    assert status in (403, 404), body  # another player's session is not theirs to read


async def test_withdrawals_are_listed_and_projected_into_d1():
    """WalletDO `withdrawals` (GET /v1/wallet/withdrawals) after a `withdraw`."""
    p = await player(verified=True)
    await deposit(p, 1_000)
    status, _, out = await call(
        "POST", "/v1/wallet/withdrawals", {"amount": 300, "method": "pix"}, p["auth"] | key()
    )
    assert status == 201, out
    status, _, listed = await call("GET", "/v1/wallet/withdrawals", headers=p["auth"])
    assert status == 200, listed
    [withdrawal] = listed["withdrawals"]
    assert (withdrawal["amount"], withdrawal["method"], withdrawal["status"]) == (
        300, "pix", "requested")  # fmt: skip
    assert withdrawal["due_by"] and not withdrawal["overdue"], withdrawal
    await host.settled()
    projected = await rows(
        "SELECT kind, amount, status FROM payments WHERE player_id = ? ORDER BY kind", p["id"]
    )
    assert projected == [
        {"kind": "deposit", "amount": 1_000, "status": "received"},
        {"kind": "withdrawal", "amount": 300, "status": "requested"},
    ], projected


async def test_deposit_limits_are_set_read_and_enforced_and_a_raise_waits_in_d1():
    """WalletDO `set_limits` (PUT /v1/limits/deposit) and `get_limits` (GET /v1/limits)."""
    p = await player()
    status, _, limits = await call("PUT", "/v1/limits/deposit", {"daily": 1_000}, headers=p["auth"])
    assert status == 200 and limits["deposit"]["daily"] == 1_000, limits
    status, _, read = await call("GET", "/v1/limits", headers=p["auth"])
    assert status == 200 and read == limits, (read, limits)
    await deposit(p, 600)
    status, _, refused = await call(
        "POST", "/v1/wallet/deposits", {"amount": 401, "method": "pix"}, p["auth"] | key()
    )
    assert (status, refused["code"]) == (403, "deposit_limit_exceeded"), refused
    status, _, raised = await call("PUT", "/v1/limits/deposit", {"daily": 5_000}, p["auth"])
    assert status == 200 and raised["deposit"]["daily"] == 1_000, raised
    [pending] = raised["pending"]
    assert (pending["limit"], pending["value"]) == ("deposit_daily", 5_000), pending
    await host.settled()
    waiting = await rows(
        "SELECT kind, effective_at, activated_at FROM pending_limit_changes WHERE player_id = ?",
        p["id"],
    )
    assert waiting == [
        {"kind": "deposit_daily", "effective_at": pending["effective_at"], "activated_at": None}
    ], waiting


async def test_a_break_is_taken_read_back_enforced_and_mirrored_into_d1():
    """WalletDO `exclude` (POST /v1/breaks, /v1/self-exclusion) and `rg_status`
    (GET /v1/self-exclusion)."""
    p = await player(verified=True)
    await deposit(p, 1_000)
    status, _, taken = await call("POST", "/v1/breaks", {"hours": 24}, p["auth"])
    assert status == 201 and taken["kind"] == "break" and taken["excluded_until"], taken
    status, _, read = await call("GET", "/v1/self-exclusion", headers=p["auth"])
    assert status == 200 and read == taken, (read, taken)
    status, _, refused = await call(
        "POST", "/v1/wallet/deposits", {"amount": 100, "method": "pix"}, p["auth"] | key()
    )
    assert status == 403, refused
    status, _, longer = await call("POST", "/v1/self-exclusion", {"days": 30}, p["auth"])
    assert status == 201 and longer["excluded_until"] > taken["excluded_until"], longer
    mirrored = await rows(
        "SELECT kind FROM player_exclusions WHERE player_id = ? ORDER BY created_at", p["id"]
    )
    assert [r["kind"] for r in mirrored] == ["break", "self_exclusion"], mirrored
    [row] = await rows("SELECT excluded_until FROM players WHERE player_id = ?", p["id"])
    assert row["excluded_until"] == longer["excluded_until"], row


async def test_the_reality_check_reports_the_rounds_played():
    """WalletDO `reality_check` (GET /v1/reality-check) after two rounds."""
    p = await player(verified=True)
    await deposit(p, 10_000)
    session = await dice_session(p)
    payouts = [(await dice_round(p, session["session_id"]))["payout"] for _ in range(2)]
    status, _, check = await call("GET", "/v1/reality-check", headers=p["auth"])
    assert status == 200, check
    assert (check["rounds"], check["total_staked"], check["total_won"]) == (2, 200, sum(payouts))
    assert check["net_position"] == sum(payouts) - 200 and check["active"] is True, check


async def test_an_admin_grants_a_bonus_with_wagering_where_bonuses_are_allowed():
    """WalletDO `grant_bonus` (POST /v1/ops/players/{id}/bonuses) and `bonus_status`
    (GET /v1/wallet/bonus)."""
    admin = await staff("admin")
    p = await player(verified=True, country="PT")
    await deposit(p, 5_000)
    url = f"/v1/ops/players/{p['id']}/bonuses"
    status, _, granted = await call(
        "POST", url, {"amount": 1_000, "wagering_multiplier": 3}, admin | key()
    )
    assert status == 201, granted
    assert granted["event"]["type"] == "BONUS_CREDIT" and granted["balance"] == 6_000, granted
    assert granted["bonus"] == {"locked": 1_000, "wagering_remaining": 3_000}
    await dice_round(p, (await dice_session(p))["session_id"])
    status, _, bonus = await call("GET", "/v1/wallet/bonus", headers=p["auth"])
    assert status == 200 and bonus == {"locked": 1_000, "wagering_remaining": 2_900}, bonus
    audit = await rows(
        "SELECT actor_role, action FROM audit_log WHERE subject = ? AND action = 'wallet.bonus'",
        p["id"],
    )
    assert audit == [{"actor_role": "admin", "action": "wallet.bonus"}], audit
    br = await player()
    status, _, refused = await call(
        "POST", f"/v1/ops/players/{br['id']}/bonuses",
        {"amount": 1_000, "wagering_multiplier": 3}, admin | key(),
    )  # fmt: skip
    assert (status, refused["code"]) == (403, "bonus_not_allowed"), refused


async def test_staff_replay_a_players_ledger():
    """WalletDO `audit` (GET /v1/ops/players/{id}/wallet/audit)."""
    compliance = await staff("compliance")
    p = await player()
    await deposit(p, 700)
    await deposit(p, 300)
    await host.settled()
    status, _, audit = await call(
        "GET", f"/v1/ops/players/{p['id']}/wallet/audit", headers=compliance
    )
    assert status == 200, audit
    assert audit == {
        "player_id": p["id"], "events": 2, "replayed_balance": 1_000, "stored_balance": 1_000,
        "consistent": True, "last_seq": 2, "d1_projected_seq": 2, "first_error": None,
    }, audit  # fmt: skip
    status, _, body = await call(
        "GET", f"/v1/ops/players/{p['id']}/wallet/audit", headers=p["auth"]
    )
    assert status == 403, body


def signed(provider: dict, kind: str, body: dict) -> tuple[str, str, dict]:
    """A provider's callback as the provider signs it: path, body, headers."""
    path = f"/v1/providers/{provider['id']}/wallet/{kind}"
    raw = json.dumps(body)
    stamp = str(int(time.time()))
    message = f"{stamp}\nPOST\n{path}\n{hashlib.sha256(raw.encode()).hexdigest()}".encode()
    signature = hmac.new(provider["secret"].encode(), message, hashlib.sha256).hexdigest()
    return path, raw, {"x-provider-timestamp": stamp, "x-provider-signature": signature}


async def new_provider() -> dict:
    operator = await staff("operator")
    provider_id = f"rgs-{uuid.uuid4().hex[:8]}"
    status, _, made = await call("POST", "/v1/ops/providers", {
        "provider_id": provider_id, "name": "Acme RGS",
        "games": {"blackjack": {"name": "Blackjack", "rtp_bps": 9900, "min_stake": 100,
                                "max_stake": 50_000}},
        "launch_url": "https://rgs.example/launch?token={token}&game={game}"}, operator)  # fmt: skip
    assert status == 201, made
    return {"id": provider_id, "secret": made["secret"]}


async def test_a_providers_bet_and_win_move_the_wallet_and_reach_d1():
    """WalletDO `provider_transaction` (the signed seamless-wallet callbacks)."""
    provider = await new_provider()
    p = await player(verified=True)
    await deposit(p, 10_000)
    status, _, launched = await call(
        "POST", f"/v1/games/{provider['id']}:blackjack/sessions", {}, p["auth"]
    )
    assert status == 201, launched
    token = launched["session_token"]
    bet = {"session_token": token, "transaction_id": "bet-1", "round_id": "r1", "amount": 1_000}
    win = {"session_token": token, "transaction_id": "win-1", "round_id": "r1",
           "bet_transaction_id": "bet-1", "amount": 2_500}  # fmt: skip
    answers = []
    for kind, body in (("bet", bet), ("win", win), ("bet", bet)):  # the bet again: answered once
        path, raw, headers = signed(provider, kind, body)
        status, _, answer = await call("POST", path, raw, headers)
        assert status == 200, answer
        answers.append(answer)
    assert [(a["kind"], a["amount"], a["balance"]) for a in answers] == [
        ("bet", 1_000, 9_000), ("win", 2_500, 11_500), ("bet", 1_000, 9_000)]  # fmt: skip
    assert (await call("GET", "/v1/wallet", headers=p["auth"]))[2]["balance"] == 11_500
    await host.settled()
    projected = await rows(
        "SELECT transaction_id, kind, amount, game_id FROM provider_transactions "
        "WHERE player_id = ? ORDER BY transaction_id",
        p["id"],
    )
    game = f"{provider['id']}:blackjack"
    assert projected == [
        {"transaction_id": "bet-1", "kind": "bet", "amount": 1_000, "game_id": game},
        {"transaction_id": "win-1", "kind": "win", "amount": 2_500, "game_id": game},
    ], projected


async def test_an_aml_freeze_stops_deposits_until_it_is_lifted():
    """WalletDO `aml_restrict` through the DO host (the fraud consumer's call): `freeze`
    refuses deposits and stakes, a lift lets them through again."""
    p = await player()
    await deposit(p, 500)
    payload = {"player_id": p["id"], "level": "freeze"}
    assert await wallet_call(p["id"], "aml_restrict", payload) == {
        "status": 200, "body": {"restriction": "freeze"}}  # fmt: skip
    status, _, refused = await call(
        "POST", "/v1/wallet/deposits", {"amount": 100, "method": "pix"}, p["auth"] | key()
    )
    assert (status, refused["code"]) == (403, "account_restricted"), refused
    hold = {"player_id": p["id"], "level": "hold"}  # never lowers a freeze
    assert (await wallet_call(p["id"], "aml_restrict", hold))["body"] == {"restriction": "freeze"}
    lift = {"player_id": p["id"], "level": None, "lift": True}
    assert (await wallet_call(p["id"], "aml_restrict", lift))["body"] == {"restriction": None}
    assert (await deposit(p, 100))["balance"] == 600


def login_of(p: dict) -> str:
    """The login (family id, claim `sid`) of a player's access token."""
    claims = p["tokens"]["access_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sid"]


async def test_the_wallet_keeps_the_players_logins_and_kyc_status():
    """WalletDO `start_login` (POST /v1/auth/login), `login_state` (every authenticated
    request), `set_kyc_status` (an operator's KYC decision) and `end_logins` (POST
    /v1/auth/logout): the login's access token is refused at once once it has ended."""
    p = await player(verified=True)
    await deposit(p, 10_000)
    sid = (await dice_session(p))["session_id"]
    await dice_round(p, sid)
    family = login_of(p)
    asked = {"player_id": p["id"], "family_id": family}
    state = await wallet_call(p["id"], "login_state", asked)
    assert state == {"status": 200, "body": {
        "known": True, "ended": False, "kyc_status": None}}, state  # fmt: skip
    withdrawn = {"player_id": p["id"], "kyc_status": "rejected"}
    assert (await wallet_call(p["id"], "set_kyc_status", withdrawn))["status"] == 200
    again = {"player_id": p["id"], "family_id": family, "at": "2026-12-01T00:00:00.000Z"}
    assert (await wallet_call(p["id"], "start_login", again))["body"]["known"] is True
    refresh = {"refresh_token": p["tokens"]["refresh_token"]}
    status, _, _ = await call("POST", "/v1/auth/logout", refresh)
    assert status == 204
    state = await wallet_call(p["id"], "login_state", asked)
    assert state["body"] == {"known": True, "ended": True, "kyc_status": "rejected"}, state
    status, _, ended = await call("GET", "/v1/wallet", headers=p["auth"])
    assert (status, ended["code"]) == (401, "invalid_token"), ended
    ended_rows = await rows("SELECT revoked_why FROM login_families WHERE family_id = ?", family)
    assert ended_rows == [{"revoked_why": "logout"}], ended_rows
    more = {"player_id": p["id"], "family_ids": ["f-1"], "why": "password_changed"}
    assert (await wallet_call(p["id"], "end_logins", more))["body"] == {"ended": 1}
