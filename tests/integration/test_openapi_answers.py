"""Every answer is described by the served OpenAPI document: representative calls, made in
process, are validated against the schema `/openapi.json` gives for their path, method and status,
and no field of an answer may be missing from that schema."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.fake_rgs import FakeRgs

from .conftest import register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio
GAME = {"blackjack": {"name": "Blackjack", "rtp_bps": 9900, "min_stake": 100, "max_stake": 50_000}}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def valid(value: Any, schema: dict[str, Any], document: dict[str, Any]) -> bool:
    return bool(jsonschema_rs.validator_for(schema | {"components": document["components"]})
                .is_valid(value))  # fmt: skip


def undescribed(value: Any, schema: dict[str, Any], document: dict[str, Any], at: str) -> list[str]:
    """The places in `value` that `schema` does not name (a free-form object names everything)."""
    schema = resolve(schema, document)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        fitting = [b for b in branches if valid(value, b, document)] or branches
        return min((undescribed(value, b, document, at) for b in fitting), key=len)
    if isinstance(value, dict):
        properties = schema.get("properties")
        if properties is None:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return [m for k, v in value.items() for m in undescribed(v, extra, document,
                                                                         f"{at}.{k}")]  # fmt: skip
            return [] if schema.get("type") == "object" or extra is not None else [at]
        missing = [f"{at}.{k}" for k in value if k not in properties]
        return missing + [
            m
            for k, v in value.items()
            if k in properties
            for m in undescribed(v, properties[k], document, f"{at}.{k}")
        ]
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [m for i, v in enumerate(value) for m in undescribed(v, schema["items"], document,
                                                                    f"{at}[{i}]")]  # fmt: skip
    return []


class Recorder:
    """Makes calls and keeps each answer with the path template and method it was made on."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.answers: list[tuple[str, str, httpx.Response]] = []

    async def __call__(
        self, method: str, template: str, expect: int = 200, **kwargs: Any
    ) -> dict[str, Any]:
        params = kwargs.pop("path", {})
        r = await self.client.request(method, template.format(**params), **kwargs)
        assert r.status_code == expect, (method, template, r.status_code, r.text)
        self.answers.append((method.lower(), template, r))
        return r.json() if r.content else {}

    async def signed(self, rgs: FakeRgs, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await self.client.post(**rgs.signed(kind, body))
        assert r.status_code == 200, r.text
        self.answers.append(("post", f"/v1/providers/{{provider_id}}/wallet/{kind}", r))
        return dict(r.json())


async def test_every_answer_of_a_players_and_an_operators_day_is_described_by_the_schema(
    client, runtime
):
    call = Recorder(client)
    await call("get", "/healthz")
    await call("get", "/v1/stats/live")
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    h = player["headers"]
    await call("post", "/v1/auth/login", json={"email": player["email"],
               "password": "Str0ng-Passw0rd!x"})  # fmt: skip
    await call(
        "post", "/v1/auth/refresh", json={"refresh_token": player["tokens"]["refresh_token"]}
    )
    await call("get", "/v1/players/me", headers=h)
    await call("get", "/v1/wallet", headers=h)
    await call("post", "/v1/wallet/deposits", 201, json={"amount": 100_000, "method": "pix"},
               headers=h | key())  # fmt: skip
    await call("post", "/v1/wallet/withdrawals", 201, json={"amount": 1_000, "method": "pix"},
               headers=h | key())  # fmt: skip
    await call("get", "/v1/wallet/withdrawals", headers=h)
    await call("get", "/v1/wallet/events", headers=h)
    await call("get", "/v1/wallet/bonus", headers=h)
    await call("get", "/v1/games")
    await call("get", "/v1/games/{game_id}", path={"game_id": "dice"})
    session = await call("post", "/v1/games/{game_id}/sessions", 201, path={"game_id": "dice"},
                         json={}, headers=h)  # fmt: skip
    ids = {"session_id": session["session_id"]}
    await call("get", "/v1/sessions/{session_id}", path=ids, headers=h)
    for _ in range(2):
        await call("post", "/v1/sessions/{session_id}/rounds", 201, path=ids, headers=h | key(),
                   json={"stake": 100, "params": {"target": 5000}})  # fmt: skip
    await call("post", "/v1/sessions/{session_id}/seed-rotation", path=ids, json={}, headers=h)
    await call("get", "/v1/sessions/{session_id}/rounds", path=ids, headers=h)
    await call("get", "/v1/limits", headers=h)
    for family, daily in (("deposit", 500_000), ("loss", 500_000), ("time", 600)):
        await call("put", f"/v1/limits/{family}", json={"daily": daily}, headers=h)
    await call("put", "/v1/limits/session", json={"max_minutes": 500}, headers=h)
    await call("get", "/v1/reality-check", headers=h)
    await call("get", "/v1/self-exclusion", headers=h)

    ops = (await staff_login(client, runtime, "admin"))["headers"]
    pid = {"player_id": player["player_id"]}
    await call("get", "/v1/ops/kyc", headers=ops)
    await call("get", "/v1/ops/players", params={"q": player["email"]}, headers=ops)
    await call("get", "/v1/ops/players/{player_id}/wallet/events", path=pid, headers=ops)
    await call("get", "/v1/ops/players/{player_id}/wallet/audit", path=pid, headers=ops)
    await call("get", "/v1/ops/games/{game_id}/stats", path={"game_id": "dice"}, headers=ops)
    await call("get", "/v1/ops/games/{game_id}/rtp/history", path={"game_id": "dice"},
               headers=ops)  # fmt: skip
    await call("get", "/v1/ops/alerts", headers=ops)
    await call("get", "/v1/ops/staff", headers=ops)
    await call("get", "/v1/ops/audit", headers=ops)
    await call("get", "/v1/ops/rg/alerts", headers=ops)
    await call("get", "/v1/ops/aml/alerts", headers=ops)
    created = await call("post", "/v1/ops/providers", 201, headers=ops, json={
        "provider_id": f"rgs-{uuid.uuid4().hex[:8]}", "name": "Acme RGS", "games": GAME,
        "launch_url": "https://rgs.example/launch?token={token}&game={game}"})  # fmt: skip
    await call("get", "/v1/ops/providers", headers=ops)
    rgs = FakeRgs(client, created["provider_id"], created["secret"])
    launched = await call("post", "/v1/games/{game_id}/sessions", 201, headers=h, json={},
                          path={"game_id": f"{rgs.provider_id}:blackjack"})  # fmt: skip
    token = launched["session_token"]
    await call.signed(rgs, "balance", {"session_token": token})
    bet = {"session_token": token, "transaction_id": "b-1", "round_id": "r-1", "amount": 1_000}
    await call.signed(rgs, "bet", bet)
    await call.signed(rgs, "win", bet | {"transaction_id": "w-1", "bet_transaction_id": "b-1",
                                          "amount": 500})  # fmt: skip

    await call("post", "/v1/breaks", 201, json={"hours": 24}, headers=h)
    await call("get", "/v1/self-exclusion", headers=h)
    await call("post", "/v1/self-exclusion", 201, json={"days": 30}, headers=h)

    document = (await client.get("/openapi.json")).json()
    problems = []
    for method, template, answer in call.answers:
        responses = document["paths"][template][method]["responses"]
        described = responses.get(str(answer.status_code))
        assert described is not None, f"{method} {template} {answer.status_code}: not in OpenAPI"
        schema = described["content"]["application/json"]["schema"]
        body = answer.json()
        if not valid(body, schema, document):
            problems.append(f"{method} {template}: the answer does not validate: {body}")
        problems += [f"{method} {template}: {m}" for m in undescribed(body, schema, document, "$")]
    assert problems == [], "\n".join(problems)


def test_the_check_sees_a_field_the_schema_does_not_name() -> None:
    document = {"components": {"schemas": {"A": {"type": "object", "properties": {"a": {}}}}}}
    schema = {"$ref": "#/components/schemas/A"}
    assert undescribed({"a": 1, "b": {"c": 2}}, schema, document, "$") == ["$.b"]
    assert undescribed({"a": 1}, {"type": "object", "additionalProperties": True}, document,
                       "$") == []  # fmt: skip
    assert undescribed({"a": 1}, {}, document, "$") == ["$"]
