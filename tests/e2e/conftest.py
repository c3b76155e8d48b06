"""End-to-end fixtures: a real `casino dev` on a free port with a fresh state (or the server at
`E2E_BASE_URL`), an operator, an httpx client and player helpers. Black box: HTTP and the CLI only.

    .venv/bin/pytest tests/e2e                      # starts its own server
    E2E_BASE_URL=http://host:port E2E_OPERATOR_EMAIL=... E2E_OPERATOR_PASSWORD=... \\
        E2E_OPERATOR_OTPAUTH=otpauth://... .venv/bin/pytest tests/e2e   # a running deployment
        (an admin account: the suite reviews KYC, sets RTP, imports lists)
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from .support import (
    STRONG_PASSWORD,
    CasinoServer,
    fresh_totp_code,
    idem,
    kyc_document,
    new_cpf,
    new_email,
)

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass
class Player:
    player_id: str
    email: str
    password: str
    cpf: str | None
    tokens: dict = field(default_factory=dict)

    @property
    def access_token(self) -> str:
        return self.tokens["access_token"]

    @property
    def refresh_token(self) -> str:
        return self.tokens["refresh_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def with_key(self, key: str | None = None) -> dict[str, str]:
        return self.headers | ({"Idempotency-Key": key} if key else idem())


@dataclass
class Operator:
    """A staff member logged in with password and TOTP (the otpauth URI `create-user` printed)."""

    email: str
    password: str
    base_url: str
    otpauth_uri: str
    role: str = "admin"
    _token: str | None = None
    _at: float = 0.0

    def login(self) -> httpx.Response:
        return httpx.post(
            f"{self.base_url}/v1/auth/login",
            json={
                "email": self.email,
                "password": self.password,
                "otp": fresh_totp_code(self.otpauth_uri),
            },
            timeout=TIMEOUT,
        )

    @property
    def token(self) -> str:
        if self._token is None or time.monotonic() - self._at > 600:
            r = self.login()
            assert r.status_code == 200, f"operator login failed: {r.status_code} {r.text}"
            self._token, self._at = r.json()["access_token"], time.monotonic()
        return self._token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def local_server() -> Iterator[CasinoServer | None]:
    """The `casino dev` this session started, or None when E2E_BASE_URL points elsewhere."""
    if os.environ.get("E2E_BASE_URL"):
        yield None
        return
    server = CasinoServer()
    try:
        server.start()
    except RuntimeError as error:
        pytest.exit(f"casino dev did not start: {error}", returncode=3)
    try:
        yield server
    finally:
        server.stop()
        if os.environ.get("E2E_KEEP_STATE"):
            print(f"\ne2e state kept at {server.state}")
        else:
            shutil.rmtree(server.state, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(local_server: CasinoServer | None) -> str:
    if local_server is None:
        return os.environ["E2E_BASE_URL"].rstrip("/")
    return local_server.base_url


@pytest.fixture(scope="session")
def operator(local_server: CasinoServer | None, base_url: str) -> Operator:
    """An admin (every operator endpoint is open to it; role by role: `staff_member`)."""
    if local_server is None:
        email = os.environ.get("E2E_OPERATOR_EMAIL")
        password = os.environ.get("E2E_OPERATOR_PASSWORD")
        uri = os.environ.get("E2E_OPERATOR_OTPAUTH")
        if not email or not password or not uri:
            pytest.skip("E2E_OPERATOR_EMAIL / E2E_OPERATOR_PASSWORD / E2E_OPERATOR_OTPAUTH not set")
        return Operator(email, password, base_url, uri)
    email = f"ops-{uuid.uuid4().hex[:12]}@example.com"
    password = "0perator-Passw0rd!"
    uri = local_server.create_staff(email, password, "admin")
    return Operator(email, password, base_url, uri)


@pytest.fixture(scope="session")
def staff_member(local_server: CasinoServer | None, base_url: str) -> Callable[[str], Operator]:
    """A new staff account of the given role (local server only: `casino ops create-user`)."""
    made: dict[str, Operator] = {}

    def _staff(role: str, fresh: bool = False) -> Operator:
        if local_server is None:
            pytest.skip("staff of each role are created with the CLI of a local server")
        if fresh or role not in made:
            email = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:10]}@example.com"
            password = "St4ff-Passw0rd!"
            made[role] = Operator(
                email, password, base_url, local_server.create_staff(email, password, role), role
            )
        return made[role]

    return _staff


@pytest.fixture(scope="session")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as c:
        yield c


@pytest.fixture(scope="session")
def auth() -> Callable[[str], dict[str, str]]:
    def _auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return _auth


@pytest.fixture(scope="session")
def register_player(client: httpx.Client) -> Callable[..., Player]:
    """Register a player (201 asserted); overrides replace fields of the request body."""

    def _register(country: str = "BR", **overrides) -> Player:
        body = {
            "email": new_email(),
            "password": STRONG_PASSWORD,
            "full_name": "Ana Souza",
            "birth_date": "1990-01-01",
            "country": country,
        }
        if country == "BR":
            body["cpf"] = new_cpf()
        body |= overrides
        r = client.post("/v1/auth/register", json=body)
        assert r.status_code == 201, f"register failed: {r.status_code} {r.text}"
        player_id = r.json()["player_id"]
        return Player(player_id, body["email"], body["password"], body.get("cpf"))

    return _register


@pytest.fixture(scope="session")
def login(client: httpx.Client) -> Callable[[str, str], dict]:
    def _login(email: str, password: str) -> dict:
        r = client.post("/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, f"login failed: {r.status_code} {r.text}"
        return r.json()

    return _login


@pytest.fixture(scope="session")
def player(register_player, login) -> Callable[..., Player]:
    """A registered and logged-in player."""

    def _player(**overrides) -> Player:
        p = register_player(**overrides)
        p.tokens = login(p.email, p.password)
        return p

    return _player


@pytest.fixture(scope="session")
def upload_document(client: httpx.Client) -> Callable[..., httpx.Response]:
    def _upload(p: Player, data: bytes | None = None, **fields) -> httpx.Response:
        return client.post(
            "/v1/kyc/documents", json=kyc_document(data, **fields), headers=p.headers
        )

    return _upload


@pytest.fixture(scope="session")
def upload_documents(upload_document) -> Callable[..., None]:
    """What an approval needs on file: an identity document and a selfie."""

    def _upload(p: Player) -> None:
        for doc_type in ("id_front", "selfie"):
            up = upload_document(p, doc_type=doc_type, filename=f"{doc_type}.png")
            assert up.status_code == 201, f"KYC upload failed: {up.status_code} {up.text}"

    return _upload


@pytest.fixture(scope="session")
def decide(client: httpx.Client, operator: Operator) -> Callable[..., httpx.Response]:
    def _decide(player_id: str, decision: str, reason: str | None = None) -> httpx.Response:
        body = {"decision": decision}
        if reason is not None:
            body["reason"] = reason
        return client.post(f"/v1/ops/kyc/{player_id}/decision", json=body, headers=operator.headers)

    return _decide


@pytest.fixture(scope="session")
def verified_player(player, upload_documents, decide) -> Callable[..., Player]:
    """Register + login + upload a PNG ID document and a selfie + the operator approves."""

    def _verified(**overrides) -> Player:
        p = player(**overrides)
        upload_documents(p)
        r = decide(p.player_id, "approve", "documents match")
        assert r.status_code == 200, f"KYC approval failed: {r.status_code} {r.text}"
        assert r.json()["kyc_status"] == "verified", r.text
        return p

    return _verified


@pytest.fixture(scope="session")
def deposit(client: httpx.Client) -> Callable[..., httpx.Response]:
    def _deposit(p: Player, amount: int, method: str = "pix", key: str | None = None, **extra):
        return client.post(
            "/v1/wallet/deposits",
            json={"amount": amount, "method": method} | extra,
            headers=p.with_key(key),
        )

    return _deposit


@pytest.fixture(scope="session")
def withdraw(client: httpx.Client) -> Callable[..., httpx.Response]:
    def _withdraw(p: Player, amount: int, method: str = "pix", key: str | None = None, **extra):
        return client.post(
            "/v1/wallet/withdrawals",
            json={"amount": amount, "method": method} | extra,
            headers=p.with_key(key),
        )

    return _withdraw


@pytest.fixture(scope="session")
def wallet(client: httpx.Client) -> Callable[[Player], dict]:
    def _wallet(p: Player) -> dict:
        r = client.get("/v1/wallet", headers=p.headers)
        assert r.status_code == 200, r.text
        return r.json()

    return _wallet


@pytest.fixture(scope="session")
def all_events(client: httpx.Client) -> Callable[[Player], list[dict]]:
    def _events(p: Player) -> list[dict]:
        events: list[dict] = []
        after = 0
        while True:
            r = client.get(
                "/v1/wallet/events", params={"after_seq": after, "limit": 1000}, headers=p.headers
            )
            assert r.status_code == 200, r.text
            page = r.json()
            events += page["events"]
            if page["next_after_seq"] is None:
                return events
            after = page["next_after_seq"]

    return _events
