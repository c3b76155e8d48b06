"""Every staff role against every operator endpoint (docs/api.md, "Staff"): the allowed roles get past
authorization (any answer but 401/403), the others get 403 `forbidden`, players get 403 too, and
each staff request is in the audit log with the role used.

Mutating endpoints are sent bodies that fail validation or name nothing that exists, so an allowed
role's request changes nothing (422/404) while a refused one is 403 before the body is looked at.
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from .support import assert_problem, new_cpf

ROLES = ("kyc_reviewer", "compliance", "operator", "admin")
KYC, COMPLIANCE, OPERATOR, ADMIN = ROLES
NOBODY = "00000000-0000-4000-8000-000000000000"

# (method, path, body, content type, roles allowed)
ENDPOINTS = [
    ("GET", "/v1/ops/kyc?status=pending", None, None, {KYC, COMPLIANCE, ADMIN}),
    ("POST", f"/v1/ops/kyc/{NOBODY}/decision", {"decision": "maybe"}, None, {KYC, ADMIN}),
    ("GET", f"/v1/ops/kyc/documents/{NOBODY}", None, None, {KYC, ADMIN}),
    ("GET", f"/v1/ops/players/{NOBODY}/wallet/audit", None, None, {COMPLIANCE, OPERATOR, ADMIN}),
    ("GET", "/v1/ops/games/dice/stats", None, None, {OPERATOR, ADMIN}),
    ("PUT", "/v1/ops/games/dice/rtp", {"rtp_bps": "high"}, None, {OPERATOR, ADMIN}),
    ("GET", "/v1/ops/games/dice/rtp/history", None, None, {OPERATOR, ADMIN}),
    ("GET", "/v1/ops/alerts", None, None, {OPERATOR, ADMIN}),
    ("GET", "/v1/ops/rg/alerts?limit=5", None, None, {COMPLIANCE, OPERATOR, ADMIN}),
    ("POST", "/v1/ops/exclusions/import", "cpf\n{cpf}\n", "text/csv", {OPERATOR, ADMIN}),
    ("POST", f"/v1/ops/players/{NOBODY}/bonuses", {"amount": 0}, None, {ADMIN}),
    ("GET", "/v1/ops/staff", None, None, {ADMIN}),
    ("POST", "/v1/ops/staff", {"email": "not-an-email"}, None, {ADMIN}),
    ("PATCH", f"/v1/ops/staff/{NOBODY}", {"role": "king"}, None, {ADMIN}),
    ("POST", f"/v1/ops/staff/{NOBODY}/reset", {}, None, {ADMIN}),
    ("GET", "/v1/ops/audit?limit=5", None, None, {COMPLIANCE, ADMIN}),
    ("GET", "/v1/ops/reports/daily?date=2026-01-01", None, None, {COMPLIANCE, ADMIN}),
    ("GET", "/v1/ops/reports", None, None, {COMPLIANCE, ADMIN}),
    ("GET", "/v1/ops/aml/alerts?risk=high", None, None, {COMPLIANCE, ADMIN}),
    ("GET", "/v1/ops/aml/alerts/aml_nobody", None, None, {COMPLIANCE, ADMIN}),
    ("POST", "/v1/ops/aml/alerts/aml_nobody/status", {"status": "open"}, None, {COMPLIANCE, ADMIN}),
    ("PUT", f"/v1/ops/aml/players/{NOBODY}/pep", {"pep": "maybe"}, None, {COMPLIANCE, ADMIN}),
    ("GET", "/v1/ops/players?q=nobody@example.com", None, None, {KYC, COMPLIANCE, OPERATOR, ADMIN}),
    ("GET", f"/v1/ops/players/{NOBODY}/wallet/events", None, None, {COMPLIANCE, OPERATOR, ADMIN}),
    ("GET", "/v1/ops/providers", None, None, {OPERATOR, ADMIN}),
    ("POST", "/v1/ops/providers", {"provider_id": "X"}, None, {OPERATOR, ADMIN}),
    ("PATCH", "/v1/ops/providers/nobody-rgs", {"status": "gone"}, None, {OPERATOR, ADMIN}),
    ("POST", "/v1/ops/providers/nobody-rgs/secret", None, None, {OPERATOR, ADMIN}),
]


def _send(client, method, path, body, content_type, headers):
    headers = headers | {"Idempotency-Key": str(uuid.uuid4())}
    if content_type:
        return client.request(method, path, content=body.format(cpf=new_cpf()).encode(),
                              headers=headers | {"content-type": content_type})  # fmt: skip
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "allowed"),
    ENDPOINTS,
    ids=[f"{m} {p.split('?')[0]}" for m, p, *_ in ENDPOINTS],
)
def test_each_role_gets_exactly_the_operator_endpoints_of_its_permissions(
    client, staff_member, role, method, path, body, content_type, allowed
):
    staff = staff_member(role)
    r = _send(client, method, path, body, content_type, staff.headers)
    if role in allowed:
        assert r.status_code not in (401, 403), (role, method, path, r.status_code, r.text)
        assert r.status_code < 500, r.text
    else:
        assert_problem(r, 403, "forbidden")


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "allowed"),
    ENDPOINTS,
    ids=[f"{m} {p.split('?')[0]}" for m, p, *_ in ENDPOINTS],
)
def test_a_player_gets_403_on_every_operator_endpoint(
    client, player, method, path, body, content_type, allowed
):
    r = _send(client, method, path, body, content_type, player().headers)
    assert_problem(r, 403, "forbidden")


def test_the_operator_role_is_not_the_admin_role(client, staff_member, player):
    """The finding: `operator` had every right of `admin`."""
    operator = staff_member(OPERATOR)
    p = player()
    for method, path, body in (
        ("GET", "/v1/ops/staff", None),
        ("POST", f"/v1/ops/players/{p.player_id}/bonuses", {"amount": 100,
                                                            "wagering_multiplier": 1}),
        ("POST", f"/v1/ops/kyc/{p.player_id}/decision", {"decision": "approve", "reason": "x"}),
    ):  # fmt: skip
        r = client.request(method, path, json=body, headers=operator.headers | idem_key())
        assert_problem(r, 403, "forbidden")


def subject_of(token: str) -> str:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def idem_key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_staff_actions_are_audited_with_the_role_used(client, staff_member, operator):
    member = staff_member(OPERATOR)
    client.get("/v1/ops/games/dice/stats", headers=member.headers)
    client.get("/v1/ops/staff", headers=member.headers)  # refused, and audited as refused
    me = client.get("/v1/players/me", headers=member.headers)
    assert me.status_code == 403  # staff are not players
    staff_id = subject_of(member.token)
    audit = client.get("/v1/ops/audit", params={"actor_id": staff_id}, headers=operator.headers)
    assert audit.status_code == 200, audit.text
    mine = audit.json()["entries"]
    actions = {(e["action"], e["subject"]) for e in mine}
    assert ("access", "/v1/ops/games/dice/stats") in actions, mine
    assert ("access.denied", "/v1/ops/staff") in actions, mine
    assert any(e["action"] == "auth.login" for e in mine), mine
    assert all(e["actor_role"] == OPERATOR for e in mine)
