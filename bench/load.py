"""HTTP load against a running `casino dev`: players made over the API, closed-loop saturation,
open-loop latency, and the server's own CPU and memory from /proc.

Open loop: request i is due at `start + i / rate` whatever the earlier ones did, and its latency
is measured from that due time, so time spent waiting (for a connection, for the server's event
loop) is counted; a closed loop would hide it (coordinated omission). Percentiles come from an
HdrHistogram in microseconds (3 significant digits).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from hdrh.histogram import HdrHistogram

from tests.e2e.support import (
    STRONG_PASSWORD,
    CasinoServer,
    fresh_totp_code,
    kyc_document,
    new_cpf,
    new_email,
)

Request = tuple[str, str, dict[str, str], bytes]  # method, path, headers, body
Make = Callable[[int], Request]
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


@dataclass
class Player:
    player_id: str
    token: str
    session_id: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Run:
    """What one load run measured: completions, errors, latency histogram (µs), and CPU."""

    seconds: float
    done: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    histogram: HdrHistogram = field(default_factory=lambda: HdrHistogram(1, 600_000_000, 3))
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.done / self.seconds

    def percentile_ms(self, p: float) -> float:
        return float(self.histogram.get_value_at_percentile(p)) / 1000

    def record(self, status: int, latency_s: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 400:
            self.errors += 1
        else:
            self.done += 1
        self.histogram.record_value(max(1, int(latency_s * 1_000_000)))


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Connection:
    """One keep-alive HTTP/1.1 connection, as lean as a client can be in Python: httpx spent
    most of a core to send 600 requests/s, so it measured itself rather than the server."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, base_url: str) -> Connection:
        host, port = base_url.removeprefix("http://").split(":")
        return cls(*await asyncio.open_connection(host, int(port)))

    async def send(self, request: Request) -> tuple[int, bytes]:
        method, path, headers, body = request
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(head.encode() + b"\r\n" + body)
        status_and_headers = await self.reader.readuntil(b"\r\n\r\n")
        lines = status_and_headers.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {
            k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:] if x)
        }
        if "content-length" in fields:
            return status, await self.reader.readexactly(int(fields["content-length"]))
        chunks = []  # chunked
        while size := int((await self.reader.readline()).strip(), 16):
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return status, b"".join(chunks)

    def close(self) -> None:
        self.writer.close()


class Pool:
    """At most `size` connections; a request waits for a free one (and that wait is timed)."""

    def __init__(self, base_url: str, size: int) -> None:
        self.base_url, self.size = base_url, size
        self.free: asyncio.Queue[Connection] = asyncio.Queue()
        self.all: list[Connection] = []

    async def __aenter__(self) -> Pool:
        for _ in range(self.size):
            connection = await Connection.open(self.base_url)
            self.all.append(connection)
            self.free.put_nowait(connection)
        return self

    async def __aexit__(self, *_: object) -> None:
        for connection in self.all:
            connection.close()

    async def send(self, request: Request) -> int:
        connection = await self.free.get()
        try:
            status, _ = await connection.send(request)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.all.remove(connection)
            connection = await Connection.open(self.base_url)
            self.all.append(connection)
            status = 599
        self.free.put_nowait(connection)
        return status


async def closed_loop(
    base_url: str, make: Make, concurrency: int, seconds: float, server_pid: int
) -> Run:
    """`concurrency` callers, each sending its next request when the last one is answered."""
    async with Pool(base_url, concurrency) as pool:
        counter = iter(range(10**12))
        for _ in range(concurrency):  # warm the connections
            await pool.send(make(next(counter)))
        deadline = time.perf_counter() + seconds
        run = Run(seconds)

        async def caller() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                status = await pool.send(make(next(counter)))
                run.record(status, time.perf_counter() - started)

        cpu0, scpu0, t0 = time.process_time(), process_cpu(server_pid), time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(concurrency)))
        run.seconds = time.perf_counter() - t0
        run.client_cpu = time.process_time() - cpu0
        run.server_cpu = process_cpu(server_pid) - scpu0
    return run


async def open_loop(
    base_url: str, make: Make, rate: float, seconds: float, server_pid: int, connections: int = 64
) -> Run:
    """Requests due at a fixed rate; latency from each one's due time to its answer."""
    async with Pool(base_url, connections) as pool:
        run = Run(seconds)
        total = int(rate * seconds)
        loop = asyncio.get_running_loop()
        tasks = []

        async def one(request: Request, due: float) -> None:
            status = await pool.send(request)
            run.record(status, time.perf_counter() - due)

        cpu0, scpu0 = time.process_time(), process_cpu(server_pid)
        start = time.perf_counter() + 0.05
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(loop.create_task(one(make(i), due)))
        await asyncio.gather(*tasks)
        run.seconds = max(seconds, time.perf_counter() - start)
        run.client_cpu = time.process_time() - cpu0
        run.server_cpu = process_cpu(server_pid) - scpu0
    return run


def client(base_url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT, limits=limits)


class Casino:
    """A fresh `casino dev` with an admin, and verified, funded players with a dice session."""

    def __init__(self, args: tuple[str, ...] = ()) -> None:
        self.server = CasinoServer(args=args)

    def __enter__(self) -> Casino:
        # A long run (B10) outlives the default 15-minute access token.
        saved = os.environ.get("CASINO_ACCESS_TOKEN_MINUTES")
        os.environ["CASINO_ACCESS_TOKEN_MINUTES"] = "600"
        try:
            self.server.start()
        finally:
            if saved is None:
                del os.environ["CASINO_ACCESS_TOKEN_MINUTES"]
            else:
                os.environ["CASINO_ACCESS_TOKEN_MINUTES"] = saved
        email = f"bench-ops-{uuid.uuid4().hex[:8]}@example.com"
        self.ops_password = "0perator-Passw0rd!"
        self.ops_email = email
        self.ops_uri = self.server.create_staff(email, self.ops_password, "admin")
        return self

    def __exit__(self, *_: object) -> None:
        import shutil

        self.server.stop()
        shutil.rmtree(self.server.state, ignore_errors=True)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def pid(self) -> int:
        assert self.server.process is not None
        return self.server.process.pid

    async def _operator_token(self, c: httpx.AsyncClient) -> str:
        r = await c.post("/v1/auth/login", json={"email": self.ops_email,
                         "password": self.ops_password, "otp": fresh_totp_code(self.ops_uri)})  # fmt: skip
        r.raise_for_status()
        return str(r.json()["access_token"])

    async def players(self, n: int, deposit: int = 1_000_000, parallel: int = 8) -> list[Player]:
        async with client(self.base_url, parallel) as c:
            ops = {"Authorization": f"Bearer {await self._operator_token(c)}"}
            gate = asyncio.Semaphore(parallel)

            async def make() -> Player:
                async with gate:
                    return await self._player(c, ops, deposit)

            return list(await asyncio.gather(*(make() for _ in range(n))))

    async def _player(self, c: httpx.AsyncClient, ops: dict[str, str], deposit: int) -> Player:
        email = new_email("bench")
        body = {"email": email, "password": STRONG_PASSWORD, "full_name": "Ana Souza",
                "birth_date": "1990-01-01", "country": "BR", "cpf": new_cpf()}  # fmt: skip
        r = await c.post("/v1/auth/register", json=body)
        assert r.status_code == 201, r.text
        player_id = r.json()["player_id"]
        r = await c.post("/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD})
        assert r.status_code == 200, r.text
        p = Player(player_id, r.json()["access_token"])
        for doc_type in ("id_front", "selfie"):
            r = await c.post("/v1/kyc/documents", headers=p.headers,
                             json=kyc_document(doc_type=doc_type, filename=f"{doc_type}.png"))  # fmt: skip
            assert r.status_code == 201, r.text
        r = await c.post(f"/v1/ops/kyc/{player_id}/decision", headers=ops,
                         json={"decision": "approve", "reason": "bench"})  # fmt: skip
        assert r.status_code == 200, r.text
        r = await c.post("/v1/wallet/deposits", json={"amount": deposit, "method": "pix"},
                         headers=p.headers | {"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
        assert r.status_code == 201, r.text
        r = await c.post("/v1/games/dice/sessions", json={}, headers=p.headers)
        assert r.status_code == 201, r.text
        p.session_id = r.json()["session_id"]
        return p


def round_requests(players: list[Player], stake: int = 100) -> Make:
    """Dice rounds, the players in turn, each with its own Idempotency-Key."""
    body = json.dumps({"stake": stake, "params": {"target": 5000}}).encode()

    def make(i: int) -> Request:
        p = players[i % len(players)]
        headers = p.headers | {"Idempotency-Key": str(uuid.uuid4())}
        return "POST", f"/v1/sessions/{p.session_id}/rounds", headers, body

    return make


def healthz(i: int) -> Request:
    return "GET", "/healthz", {}, b""


def balance_reads(players: list[Player]) -> Make:
    """`GET /v1/wallet`, the players in turn: the contract's most trivial authenticated JSON
    endpoint (the token checked, the login's state and the balance read from the WalletDO)."""

    def make(i: int) -> Request:
        return "GET", "/v1/wallet", players[i % len(players)].headers, b""

    return make
