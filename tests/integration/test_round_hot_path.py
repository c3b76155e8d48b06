"""The round's hot path: no D1 statement at all (the SessionDO answers the session's ownership,
the token's claims the market, the player's WalletDO whether the login has ended and the KYC
status now), with every refusal the round gave before still given: another player's session
404, an unverified player 403 where the market needs KYC, an ended login 401 at once. A login
or a KYC status the WalletDO was never told of (from before it kept them) reads D1, as before."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import jwt
import pytest

from api import tokens
from api.tables import login_families
from api.tokens import decode_access_token, issue_access_token
from casino.errors import TokenExpired
from infra.ports import Unavailable
from wallet_do.client import WalletClient

from .conftest import STRONG, register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio
BR_NETWORK = {"CF-IPCountry": "BR"}
DICE = {"stake": 100, "params": {"target": 5000}}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


class CountingDb:
    """The API's D1 binding with every statement it prepares (and every batch) written down."""

    def __init__(self, db: Any) -> None:
        self.db, self.statements = db, []

    def prepare(self, sql: str) -> Any:
        self.statements.append(sql)
        return self.db.prepare(sql)

    async def batch(self, statements: list[Any]) -> Any:
        self.statements.append(f"batch of {len(statements)}")
        return await self.db.batch(statements)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


@pytest.fixture
def d1(runtime) -> CountingDb:
    counting = CountingDb(runtime.services.db)
    runtime.services.db = counting
    return counting


async def login(client, email: str) -> dict[str, str]:
    r = await client.post("/v1/auth/login", json={"email": email, "password": STRONG})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def decide_kyc(client, runtime, player: dict[str, Any], decision: str) -> None:
    """A KYC reviewer's decision through the API, on the documents an approval needs."""
    for doc_type in ("id_front", "selfie"):
        document = {"doc_type": doc_type, "filename": "d.png", "content_type": "image/png",
                    "content_base64": base64.b64encode(PNG).decode()}  # fmt: skip
        r = await client.post("/v1/kyc/documents", json=document, headers=player["headers"])
        assert r.status_code == 201, r.text
    ops = (await staff_login(client, runtime, "kyc_reviewer"))["headers"]
    r = await client.post(
        f"/v1/ops/kyc/{player['player_id']}/decision",
        json={"decision": decision, "reason": "checked"}, headers=ops,
    )  # fmt: skip
    assert r.status_code == 200, r.text


async def verified_player_with_a_session(client, runtime) -> tuple[dict[str, Any], str]:
    """A verified, funded Brazilian player (logged in after the verification) and a dice session."""
    player = await register_and_login(client)
    await decide_kyc(client, runtime, player, "approve")
    player["headers"] = await login(client, player["email"])
    r = await client.post(
        "/v1/wallet/deposits", json={"amount": 100_000, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    session = await client.post("/v1/games/dice/sessions", json={}, headers=player["headers"])
    assert session.status_code == 201, session.text
    return player, session.json()["session_id"]


async def play(client, session_id: str, headers: dict[str, str], **extra: str):
    return await client.post(
        f"/v1/sessions/{session_id}/rounds", json=DICE, headers=headers | key() | extra
    )


async def test_a_round_makes_no_d1_statement(client, runtime, d1):
    player, session_id = await verified_player_with_a_session(client, runtime)
    d1.statements.clear()
    r = await play(client, session_id, player["headers"])
    assert r.status_code == 201, r.text
    # The login's end and the KYC status now are the player's WalletDO's answer.
    assert d1.statements == []


async def test_a_token_from_before_the_verification_plays_reading_no_d1(client, runtime, d1):
    player = await register_and_login(client)  # its token says `kyc: none`
    await decide_kyc(client, runtime, player, "approve")
    await client.post(
        "/v1/wallet/deposits", json={"amount": 100_000, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    session = await client.post("/v1/games/dice/sessions", json={}, headers=player["headers"])
    session_id = session.json()["session_id"]
    d1.statements.clear()
    assert (await play(client, session_id, player["headers"])).status_code == 201
    assert d1.statements == []  # the KYC status now, from the WalletDO


async def test_a_withdrawn_verification_stops_play_at_once_whatever_the_token_says(client, runtime):
    """The token's `kyc` claim is as of its issue: a player verified then rejected (an
    operator's later decision) is refused the next round with the same token, 403."""
    player, session_id = await verified_player_with_a_session(client, runtime)
    assert (await play(client, session_id, player["headers"])).status_code == 201
    await decide_kyc(client, runtime, player, "reject")
    assert (await login_state(runtime, player, family_of(runtime, player["headers"])))[
        "kyc_status"
    ] == "rejected"
    r = await play(client, session_id, player["headers"])
    assert r.status_code == 403 and r.json()["code"] == "kyc_required", r.text


async def test_a_login_from_before_the_wallet_kept_logins_plays_reading_d1(client, runtime, d1):
    """A login the WalletDO never heard of (started before it kept them), of a player whose KYC
    status it was never told (verified before): one D1 read of the login and its player, as
    before; the login's end there is still 401 at once."""
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])  # in D1 only, as before the change
    services, family, now = runtime.services, str(uuid.uuid4()), datetime.now(UTC)
    await services.db.prepare(
        "INSERT INTO login_families (family_id, subject, role, created_at) VALUES (?, ?, ?, ?)"
    ).bind(family, player["player_id"], "player", now.isoformat()).run()  # fmt: skip
    assert (await login_state(runtime, player, family))["known"] is False
    standing = {"jur": "BR", "kyc": "verified"}
    token = issue_access_token(services, player["player_id"], "player", family, now, standing)
    headers = {"Authorization": f"Bearer {token}"}
    await client.post(
        "/v1/wallet/deposits", json={"amount": 10_000, "method": "pix"}, headers=headers | key()
    )
    session = await client.post("/v1/games/dice/sessions", json={}, headers=headers)
    assert session.status_code == 201, session.text
    d1.statements.clear()
    assert (await play(client, session.json()["session_id"], headers)).status_code == 201
    assert d1.statements == [login_families.STATE]
    await services.db.prepare(
        "UPDATE login_families SET revoked_at = ? WHERE family_id = ?"
    ).bind(now.isoformat(), family).run()  # fmt: skip
    r = await play(client, session.json()["session_id"], headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token", r.text


async def test_a_changed_password_ends_the_other_logins_for_rounds_at_once(client, runtime):
    player, session_id = await verified_player_with_a_session(client, runtime)
    other = await login(client, player["email"])
    assert (await play(client, session_id, other)).status_code == 201
    r = await client.post(
        "/v1/auth/password",
        json={"current_password": STRONG, "new_password": "An0ther-Passw0rd!y"},
        headers=player["headers"],
    )
    assert r.status_code in (200, 204), r.text
    r = await play(client, session_id, other)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token", r.text
    assert (await play(client, session_id, player["headers"])).status_code == 201
    state = await login_state(runtime, player, family_of(runtime, other))
    assert state == {"known": True, "ended": True, "kyc_status": "verified"}


async def login_state(runtime, player: dict[str, Any], family: str) -> Any:
    """The player's WalletDO's `{known, ended, kyc_status}` of the login `family`."""
    answer = await WalletClient(runtime.services.wallets, player["player_id"]).login_state(family)
    assert answer["status"] == 200, answer
    return answer["body"]


def family_of(runtime, headers: dict[str, str]) -> str:
    """The login (family id, claim `sid`) of a bearer token."""
    token = headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, runtime.services.settings.jwt_secret, algorithms=["HS256"])["sid"])


async def test_another_players_session_is_still_404(client, runtime):
    _, session_id = await verified_player_with_a_session(client, runtime)
    other, _ = await verified_player_with_a_session(client, runtime)
    unverified = await register_and_login(client)  # a market that needs KYC: still 404 first
    for headers in (other["headers"], unverified["headers"]):
        r = await play(client, session_id, headers)
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
        assert r.json()["detail"] == "No such session"
    for path in (f"/v1/sessions/{session_id}", f"/v1/sessions/{session_id}/rounds"):
        r = await client.get(path, headers=other["headers"])
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await client.post(
        f"/v1/sessions/{session_id}/seed-rotation", json={}, headers=other["headers"]
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@pytest.mark.parametrize("session_id", [str(uuid.uuid4()), "not-a-session", "x" * 36])
async def test_an_unknown_session_is_404(client, runtime, session_id):
    player, _ = await verified_player_with_a_session(client, runtime)
    r = await play(client, session_id, player["headers"])
    assert r.status_code == 404 and r.json()["code"] == "not_found"


async def test_the_kyc_gate_holds_when_a_round_comes_from_a_market_that_needs_it(client, runtime):
    """A foreign player opens a session where no KYC is needed, then plays from Brazil's
    network: 403 `kyc_required`, as before; once verified, the same token plays."""
    email = f"us-{uuid.uuid4().hex[:8]}@example.com"
    r = await client.post(
        "/v1/auth/register",
        json={"email": email, "password": STRONG, "full_name": "Joe Doe",
              "birth_date": "1990-01-01", "country": "US"},
    )  # fmt: skip
    assert r.status_code == 201
    headers = await login(client, email)
    await client.post(
        "/v1/wallet/deposits", json={"amount": 10_000, "method": "card"}, headers=headers | key()
    )
    session = await client.post("/v1/games/dice/sessions", json={}, headers=headers)
    assert session.status_code == 201, session.text
    session_id = session.json()["session_id"]
    r = await play(client, session_id, headers, **BR_NETWORK)
    assert r.status_code == 403 and r.json()["code"] == "kyc_required", r.text
    await verify_player(runtime, await player_id(client, headers))
    r = await play(client, session_id, headers, **BR_NETWORK)
    assert r.status_code != 403, r.text


async def player_id(client, headers: dict[str, str]) -> str:
    return str((await client.get("/v1/players/me", headers=headers)).json()["player_id"])


async def test_a_token_without_the_standing_claims_still_plays(client, runtime):
    """A token issued before the claims existed: the round reads the player from D1, as before."""
    player, session_id = await verified_player_with_a_session(client, runtime)
    claims = jwt.decode(
        player["headers"]["Authorization"].removeprefix("Bearer "),
        runtime.services.settings.jwt_secret, algorithms=["HS256"],
    )  # fmt: skip
    assert claims["jur"] == "BR" and claims["kyc"] == "verified"
    old = {k: v for k, v in claims.items() if k not in ("jur", "kyc")}
    token = jwt.encode(old, runtime.services.settings.jwt_secret, algorithm="HS256")
    r = await play(client, session_id, {"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text


async def test_an_ended_login_is_401_on_a_round_at_once(client, runtime, d1):
    player, session_id = await verified_player_with_a_session(client, runtime)
    assert (await play(client, session_id, player["headers"])).status_code == 201
    r = await client.post("/v1/auth/login", json={"email": player["email"], "password": STRONG})
    pair = r.json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await play(client, session_id, headers)).status_code == 201  # verified and cached
    r = await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 204
    d1.statements.clear()
    r = await play(client, session_id, headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token", r.text
    assert d1.statements == []  # the WalletDO's answer
    assert (await login_state(runtime, player, family_of(runtime, headers)))["ended"] is True


async def test_a_reused_refresh_token_ends_the_login_for_rounds_at_once(client, runtime, d1):
    player, session_id = await verified_player_with_a_session(client, runtime)
    r = await client.post("/v1/auth/login", json={"email": player["email"], "password": STRONG})
    first = r.json()
    second = (
        await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    headers = {"Authorization": f"Bearer {second['access_token']}"}
    assert (await play(client, session_id, headers)).status_code == 201
    reused = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_token_reused"
    for token in (first["access_token"], second["access_token"]):
        d1.statements.clear()
        r = await play(client, session_id, {"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.json()["code"] == "invalid_token", r.text
        assert d1.statements == []  # the WalletDO's answer


async def test_a_refreshed_token_carries_the_status_of_its_refresh(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": player["tokens"]["refresh_token"]}
    )
    claims = jwt.decode(
        refreshed.json()["access_token"], runtime.services.settings.jwt_secret,
        algorithms=["HS256"],
    )  # fmt: skip
    assert claims["jur"] == "BR" and claims["kyc"] == "verified"


async def test_a_known_token_still_expires(runtime, monkeypatch):
    services = runtime.services
    token = issue_access_token(services, "p", "player", "f", datetime.now(UTC))
    caller = decode_access_token(services, token)
    assert decode_access_token(services, token) is caller  # verified once
    later = (datetime.now(UTC) + timedelta(minutes=16)).timestamp()
    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: later))
    monkeypatch.setattr(jwt.api_jwt, "datetime", _frozen(later))
    with pytest.raises(TokenExpired):
        decode_access_token(services, token)


def _frozen(at: float) -> Any:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime.fromtimestamp(at, tz)

    return Frozen


async def test_an_unreachable_wallet_leaves_authentication_to_d1(client, runtime, monkeypatch):
    """`casino dev --faults` fails any Durable Object call: a request that needs no object but
    for its authentication (the profile) still answers, from D1's copy of the login, and an
    ended login is still 401 there."""
    player, _ = await verified_player_with_a_session(client, runtime)
    r = await client.post("/v1/auth/login", json={"email": player["email"], "password": STRONG})
    pair = r.json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}

    async def unreachable(self, family_id):
        raise Unavailable("injected fault: login_state did not reach the object")

    monkeypatch.setattr(WalletClient, "login_state", unreachable)
    me = await client.get("/v1/players/me", headers=headers)
    assert me.status_code == 200 and me.json()["player_id"] == player["player_id"], me.text
    monkeypatch.undo()
    r = await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 204
    monkeypatch.setattr(WalletClient, "login_state", unreachable)
    r = await client.get("/v1/players/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token", r.text
