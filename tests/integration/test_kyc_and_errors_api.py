from __future__ import annotations

import base64

import pytest

from .conftest import register_and_login, staff_login

pytestmark = pytest.mark.anyio
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def operator_headers(client, runtime) -> dict[str, str]:
    """A KYC reviewer (the role that decides identities)."""
    return (await staff_login(client, runtime, "kyc_reviewer"))["headers"]


def document(content: bytes = PNG, **changes) -> dict:
    return {
        "doc_type": "id_front", "filename": "rg.png", "content_type": "image/png",
        "content_base64": base64.b64encode(content).decode(),
    } | changes  # fmt: skip


async def test_kyc_from_upload_to_operator_approval_then_withdrawal(client, runtime):
    player = await register_and_login(client)
    up = await client.post("/v1/kyc/documents", json=document(), headers=player["headers"])
    assert up.status_code == 201 and up.json()["kyc_status"] == "pending"
    ops = await operator_headers(client, runtime)
    queue = (await client.get("/v1/ops/kyc?status=pending", headers=ops)).json()["players"]
    [entry] = [p for p in queue if p["player_id"] == player["player_id"]]
    [doc] = entry["documents"]
    assert doc["size"] == len(PNG) and doc["content_type"] == "image/png"
    served = await client.get(f"/v1/ops/kyc/documents/{doc['document_id']}", headers=ops)
    assert served.content == PNG
    refused = await client.post(
        f"/v1/ops/kyc/{player['player_id']}/decision", json={"decision": "approve"}, headers=ops
    )
    assert refused.status_code == 409 and refused.json()["code"] == "documents_missing"
    assert "selfie" in refused.json()["detail"]
    selfie = await client.post(
        "/v1/kyc/documents", json=document(doc_type="selfie"), headers=player["headers"]
    )
    assert selfie.status_code == 201
    decided = await client.post(
        f"/v1/ops/kyc/{player['player_id']}/decision", json={"decision": "approve", "reason": "ok"},
        headers=ops,
    )  # fmt: skip
    assert decided.json() == {"player_id": player["player_id"], "kyc_status": "verified"}
    audit = (
        await runtime.services.db.prepare("SELECT action, subject FROM audit_log WHERE subject = ?")
        .bind(player["player_id"])
        .all()
    )
    assert audit == [{"action": "kyc.decision", "subject": player["player_id"]}]


async def test_a_rejection_needs_a_reason_and_the_player_can_resubmit(client, runtime):
    player = await register_and_login(client)
    await client.post("/v1/kyc/documents", json=document(), headers=player["headers"])
    ops = await operator_headers(client, runtime)
    url = f"/v1/ops/kyc/{player['player_id']}/decision"
    assert (await client.post(url, json={"decision": "reject"}, headers=ops)).status_code == 422
    r = await client.post(url, json={"decision": "reject", "reason": "blurred"}, headers=ops)
    assert r.json()["kyc_status"] == "rejected"
    again = await client.post("/v1/kyc/documents", json=document(), headers=player["headers"])
    assert again.json()["kyc_status"] == "pending"


@pytest.mark.parametrize(
    "doc",
    [
        document(b"MZ\x90\x00 not an image"),
        document(content_type="application/pdf", content_base64="!!!not-base64"),
        document(doc_type="passport"),
    ],
)
async def test_other_files_are_refused_with_422(client, doc):
    player = await register_and_login(client)
    r = await client.post("/v1/kyc/documents", json=doc, headers=player["headers"])
    assert r.status_code == 422
    me = (await client.get("/v1/players/me", headers=player["headers"])).json()
    assert me["kyc_status"] == "none"


async def test_players_get_403_on_operator_endpoints(client):
    player = await register_and_login(client)
    r = await client.get("/v1/ops/kyc", headers=player["headers"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


async def test_framework_errors_are_problem_details(client):
    cases = [
        (await client.get("/v1/nowhere"), 404, "not_found"),
        (await client.delete("/v1/wallet"), 405, "method_not_allowed"),
        (await client.post("/v1/auth/login", content=b"{not json",
                           headers={"content-type": "application/json"}), 400, "malformed_request"),
        (await client.post("/v1/auth/login", content=b"x" * (1024 * 1024 + 1),
                           headers={"content-type": "application/json"}), 413, "payload_too_large"),
        (await client.get("/v1/wallet"), 401, "invalid_token"),
    ]  # fmt: skip
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code and response.json()["status"] == status


async def test_openapi_describes_every_contract_path(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/v1/auth/register", "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout",
                 "/v1/players/me", "/v1/wallet", "/v1/wallet/deposits", "/v1/wallet/withdrawals",
                 "/v1/wallet/events", "/v1/kyc/documents", "/v1/ops/kyc",
                 "/v1/ops/kyc/{player_id}/decision", "/v1/ops/players/{player_id}/wallet/audit",
                 "/healthz", "/v1/stats/live"):  # fmt: skip
        assert path in paths, path


async def test_a_rejected_player_reads_why_and_staff_find_players(client, runtime):
    from .conftest import staff_login

    player = await register_and_login(client)
    await client.post("/v1/kyc/documents", json=document(), headers=player["headers"])
    reviewer = (await staff_login(client, runtime, "kyc_reviewer"))["headers"]
    r = await client.post(f"/v1/ops/kyc/{player['player_id']}/decision",
                          json={"decision": "reject", "reason": "The photo is blurred"},
                          headers=reviewer)  # fmt: skip
    assert r.status_code == 200
    me = (await client.get("/v1/players/me", headers=player["headers"])).json()
    assert me["kyc_status"] == "rejected" and me["kyc_reason"] == "The photo is blurred"
    for query in (player["email"], player["cpf"], player["player_id"], player["email"][:8]):
        found = await client.get("/v1/ops/players", params={"q": query}, headers=reviewer)
        assert player["player_id"] in [p["player_id"] for p in found.json()["players"]], query
    compliance = (await staff_login(client, runtime, "compliance"))["headers"]
    events = await client.get(f"/v1/ops/players/{player['player_id']}/wallet/events",
                              headers=compliance)  # fmt: skip
    assert events.status_code == 200 and events.json()["events"] == []
