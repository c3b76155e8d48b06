"""Plain helpers shared by the end-to-end suite: starting `casino dev`, CPFs, tiny files, and the
RFC 9457 problem-details assertion. Nothing here knows the server's internals: HTTP only."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import tempfile
import time
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
CASINO = REPO / ".venv" / "bin" / "casino"
STRONG_PASSWORD = "Str0ng-Passw0rd!x"
STARTUP_TIMEOUT = 90.0
PROBLEM_JSON = "application/problem+json"

RFC3339_UTC = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|\+00:00|\+0000|-00:00)?$"
)
LEAK_MARKERS = ("Traceback", 'File "', "SELECT ", "INSERT ", "sqlite", "password_hash")


# ---------------------------------------------------------------- CPF (docs/domain.md, section 4)


def cpf_check_digit(digits: str) -> int:
    """The CPF check digit over `digits` (9 digits for DV1, 10 for DV2)."""
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    r = (total * 10) % 11
    return 0 if r == 10 else r


def cpf_from_base(base: str) -> str:
    assert len(base) == 9 and base.isdigit()
    dv1 = cpf_check_digit(base)
    dv2 = cpf_check_digit(base + str(dv1))
    return f"{base}{dv1}{dv2}"


def is_valid_cpf(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    return cpf_from_base(digits[:9]) == digits


def new_cpf() -> str:
    """A random, valid, 11-digit CPF (unique in practice: 10^9 bases)."""
    while True:
        base = f"{secrets.randbelow(10**9):09d}"
        if len(set(base)) > 1:
            return cpf_from_base(base)


def punctuate_cpf(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def invalid_cpf_from(cpf: str) -> str:
    """The same CPF with a wrong second check digit."""
    return cpf[:10] + str((int(cpf[10]) + 1) % 10)


def new_email(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex}@example.com"


def idem() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


# ---------------------------------------------------------------- tiny valid documents


def png_bytes() -> bytes:
    """A real 1x1 RGBA PNG (signature, IHDR, IDAT, IEND with correct CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """A minimal JPEG-shaped file: SOI + JFIF APP0 + EOI (JPEG by its magic bytes)."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xd9"


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def kyc_document(
    data: bytes | None = None,
    *,
    doc_type: str = "id_front",
    filename: str = "id.png",
    content_type: str = "image/png",
) -> dict:
    return {
        "doc_type": doc_type,
        "filename": filename,
        "content_type": content_type,
        "content_base64": b64(png_bytes() if data is None else data),
    }


# ---------------------------------------------------------------- assertions


def assert_problem(response: httpx.Response, status: int, code: str | set[str] | None = None):
    """An RFC 9457 problem: type/title/status/detail/code, no leaks; returns the body."""
    assert response.status_code == status, (
        f"expected {status} {code}, got {response.status_code}: {response.text[:500]}"
    )
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    assert media_type == PROBLEM_JSON, f"content-type {media_type!r}: {response.text[:300]}"
    body = response.json()
    assert isinstance(body, dict), body
    for field in ("type", "title", "detail", "code"):
        assert isinstance(body.get(field), str), f"problem field {field!r} missing: {body}"
    assert body["type"] and body["title"] and body["code"], body
    assert body.get("status") == status and type(body["status"]) is int, body
    if code is not None:
        allowed = {code} if isinstance(code, str) else code
        assert body["code"] in allowed, f"expected code {allowed}, got {body}"
    for marker in LEAK_MARKERS:
        assert marker not in response.text, f"error leaks {marker!r}: {response.text[:500]}"
    return body


def assert_rfc3339_utc(value: object) -> datetime:
    assert isinstance(value, str) and RFC3339_UTC.match(value), f"not RFC 3339 UTC: {value!r}"
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise AssertionError(f"timestamp without an offset: {value!r}")
    assert parsed.utcoffset().total_seconds() == 0, value
    return parsed.astimezone(UTC)


# ---------------------------------------------------------------- running `casino dev`


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_pids(port: int) -> set[int]:
    """The pids that hold a socket listening on 127.0.0.1/0.0.0.0:`port` (Linux /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    pids: set[int] = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    pids.add(int(proc.name))
                    break
        except OSError:
            continue
    return pids


class CasinoServer:
    """`casino dev` in its own process group, logging to `<state>/casino-dev.log`."""

    def __init__(
        self, state: Path | None = None, port: int | None = None, args: tuple[str, ...] = ()
    ):
        self.args = args  # more `casino dev` options, e.g. ("--faults", "0.2")
        self.state = Path(state) if state else Path(tempfile.mkdtemp(prefix="casino-e2e-"))
        self.state.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.log_path = self.state / "casino-dev.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def start(self, timeout: float = STARTUP_TIMEOUT) -> CasinoServer:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
        try:
            self.process = subprocess.Popen(
                [
                    str(CASINO),
                    "dev",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--state",
                    str(self.state),
                    *self.args,
                ],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"casino dev exited with {self.process.returncode} during startup; "
                    f"log tail ({self.log_path}):\n{self.log_tail()}"
                )
            try:
                r = httpx.get(f"{self.base_url}/healthz", timeout=2.0)
                if r.status_code == 200 and r.json() == {"status": "ok"}:
                    return self
                last_error = f"{r.status_code} {r.text[:200]}"
            except (httpx.HTTPError, ValueError) as error:
                last_error = repr(error)
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"casino dev not healthy after {timeout:.0f}s (last: {last_error}); "
            f"log tail ({self.log_path}):\n{self.log_tail()}"
        )

    def kill_hard(self) -> None:
        """SIGKILL the whole process group, after checking the group owns the listening socket."""
        assert self.process is not None
        pgid = os.getpgid(self.process.pid)
        owners = listening_pids(self.port)
        assert owners, f"nothing listens on port {self.port}"
        for pid in owners:
            with contextlib.suppress(ProcessLookupError):
                assert os.getpgid(pid) == pgid, (
                    f"pid {pid} listening on {self.port} is not in casino dev's group {pgid}"
                )
        os.killpg(pgid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and listening_pids(self.port):
            time.sleep(0.05)
        assert not listening_pids(self.port), f"port {self.port} still listening after SIGKILL"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            pgid = os.getpgid(self.process.pid)
            os.killpg(pgid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(pgid, signal.SIGKILL)
                self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def create_staff(self, email: str, password: str, role: str = "operator") -> str:
        """`casino ops create-user`; the otpauth URI it prints (once) for the TOTP factor."""
        result = subprocess.run(
            [
                str(CASINO),
                "ops",
                "create-user",
                "--state",
                str(self.state),
                "--email",
                email,
                "--password",
                password,
                "--role",
                role,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (
            f"casino ops create-user failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
        return otpauth_uri_from(result.stdout)


# ---------------------------------------------------------------- staff second factor (TOTP)


def otpauth_uri_from(output: str) -> str:
    """The `otpauth://` URI that `casino ops create-user` prints on its own line."""
    uris = [line.strip() for line in output.splitlines() if line.strip().startswith("otpauth://")]
    assert len(uris) == 1, f"expected one otpauth URI in:\n{output}"
    return uris[0]


def totp_code(otpauth_uri: str, at: float | None = None) -> str:
    """The code an authenticator app shows now for this factor (RFC 6238 through pyotp)."""
    import pyotp

    return pyotp.parse_uri(otpauth_uri).at(time.time() if at is None else at)


_last_step: dict[str, int] = {}


def fresh_totp_code(otpauth_uri: str) -> str:
    """A code not used before in this process: the server accepts each code once (RFC 6238
    5.2), so a second login within the same 30-second step waits for the next one."""
    import pyotp

    totp = pyotp.parse_uri(otpauth_uri)
    step = int(time.time()) // totp.interval
    if _last_step.get(otpauth_uri, -1) >= step:
        time.sleep((step + 1) * totp.interval - time.time() + 0.05)
        step = int(time.time()) // totp.interval
    _last_step[otpauth_uri] = step
    return totp.at(step * totp.interval)
