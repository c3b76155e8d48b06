"""The ports the application uses: D1-shaped database, KV, actor (Durable Object) stubs,
Durable Object storage, clock and entropy.

Two families of adapters implement them: `infra.cloudflare` over Pyodide's FFI on the edge, and
`local_runtime` on CPython. Everything above this layer sees plain Python values only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

Row = dict[str, Any]
T = TypeVar("T")


class Statement(Protocol):
    """A prepared D1 statement (`DB.prepare(sql)`), optionally with bound parameters."""

    def bind(self, *params: Any) -> Statement: ...

    async def first(self) -> Row | None: ...

    async def all(self) -> list[Row]: ...

    async def run(self) -> int:
        """Execute; returns the number of rows changed."""
        ...


class Database(Protocol):
    """D1: SQLite at the edge. No explicit transactions; `batch` is the atomic group."""

    def prepare(self, sql: str) -> Statement: ...

    async def batch(self, statements: Sequence[Statement]) -> list[list[Row]]: ...


class KeyValue(Protocol):
    """Workers KV: eventually consistent strings by key."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def list_keys(self, prefix: str = "") -> list[str]: ...


class ActorStub(Protocol):
    """A handle on one Durable Object: `await stub.call("deposit", {...})` -> dict."""

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]: ...


class ActorNamespace(Protocol):
    """A Durable Object namespace binding; `get(name)` is `idFromName` + `get`."""

    def get(self, name: str) -> ActorStub: ...


class ActorStorage(Protocol):
    """One Durable Object's own SQLite storage: synchronous, no await in between."""

    def exec(self, sql: str, *params: Any) -> list[Row]: ...

    def transaction(self, fn: Callable[[], T]) -> T:
        """Run `fn` in one storage transaction (`transactionSync`): all of it or none."""
        ...

    async def set_alarm(self, at_epoch_ms: int) -> None: ...

    async def get_alarm(self) -> int | None: ...


class Queue(Protocol):
    """A Cloudflare Queue's producer binding: once `send_batch` returns, the messages are
    stored by the queue and delivered at least once (a consumer must be idempotent)."""

    async def send_batch(self, bodies: Sequence[dict[str, Any]]) -> None: ...


class QueueMessage(Protocol):
    """One message of a consumer's batch (Cloudflare's `Message`): acknowledged, or retried
    after a delay; a message neither acked nor retried counts as acked when the handler returns,
    and every message not acked is retried when it raises."""

    @property
    def id(self) -> str: ...

    @property
    def body(self) -> dict[str, Any]: ...

    @property
    def attempts(self) -> int: ...

    def ack(self) -> None: ...

    def retry(self, delay_seconds: int = 0) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Entropy(Protocol):
    def token_bytes(self, n: int) -> bytes: ...


class ConstraintViolation(Exception):
    """A database constraint (UNIQUE, CHECK, PRIMARY KEY) refused a write."""


class Unavailable(Exception):
    """A call to a Durable Object or D1 failed in transit: it may not have run, or it ran and
    its reply was lost. The caller cannot tell which; a retry with the same idempotency key
    completes it. Answered as 503 `unavailable` with `Retry-After`."""


class BlobStore(Protocol):
    """R2-shaped object storage for large documents (KYC files)."""

    async def put(self, key: str, content: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes | None: ...


class Mailer(Protocol):
    """Sends an e-mail (a provider on the edge; files in the state directory locally)."""

    async def send(self, recipient: str, subject: str, body: str) -> None: ...


class PayoutProvider(Protocol):
    """The payment provider that sends a withdrawal to its account (PIX/TED). `pay` is
    idempotent by the payout's `ref`; it raises when the provider did not take it."""

    async def pay(self, payout: dict[str, Any]) -> None: ...
