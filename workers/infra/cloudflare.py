"""Cloudflare adapters: D1, KV, R2, Queues, Durable Object stubs and storage, Web Crypto, over Pyodide's
FFI. JS values are converted here, at the boundary; nothing above sees a JsProxy.

Conversions (both directions), checked by the conformance suite in real Pyodide:
- Python -> JS (`js_value`): None -> null (D1 and DO SQL refuse `undefined`), dicts -> plain
  objects (not Maps), lists/tuples -> arrays, bytes -> Uint8Array, bool -> true/false (SQL
  bindings: 1/0), int -> number; an int beyond +-(2**53 - 1) raises ValueError instead of
  silently losing precision (or becoming a BigInt that D1 and DO SQL refuse).
- JS -> Python (`to_py`): objects -> dict, arrays -> list, null/undefined -> None at any depth,
  integral numbers -> int, ArrayBuffer/typed arrays -> bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, JsProxy, create_once_callable, to_js  # type: ignore

from .ports import ConstraintViolation, Row, Statement, Unavailable

T = TypeVar("T")
MAX_SAFE_INTEGER = 2**53 - 1

try:  # Pyodide >= 0.26 has a real JS null; D1 refuses `undefined` as a bound value.
    from pyodide.ffi import jsnull  # type: ignore[attr-defined, unused-ignore]
except ImportError:  # pragma: no cover
    jsnull = js.JSON.parse("null")


def unwrap(binding: Any) -> Any:
    """The raw JS object behind the `workers` SDK's wrappers (`self.env.DB` is a
    `_BindingWrapper`, `ctx.storage` too, a DO namespace a `_DurableObjectNamespaceWrapper`):
    the adapters below convert values themselves."""
    return getattr(binding, "_binding", binding)


def to_py(value: Any) -> Any:
    """A JS value as plain Python: objects -> dict, arrays -> list, null/undefined -> None."""
    if value is None or value is jsnull:
        return None
    if isinstance(value, JsProxy):
        if value.typeof == "undefined":
            return None
        return _plain(value.to_py())
    return _plain(value)


def to_py_is_null(value: Any) -> bool:
    return (
        value is None
        or value is jsnull
        or (isinstance(value, JsProxy) and value.typeof == "undefined")
    )


def _plain(value: Any) -> Any:
    """`to_py` leaves JS null as `jsnull` inside containers and buffers as memoryviews."""
    if value is jsnull:
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, memoryview):
        return value.tobytes()
    return value


def _js_ready(value: Any) -> Any:
    """Python values `to_js` maps the way the Workers APIs expect (None -> null)."""
    if value is None:
        return jsnull
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"{value} does not fit a JS number exactly (|n| > 2**53 - 1)")
        # Pyodide makes a BigInt of any int from 2**53 - 1 down to about 2**52 (D1 and DO SQL
        # refuse BigInts); as a float it is the same integer, and a JS number.
        return float(value) if abs(value) > 2**52 else value
    if isinstance(value, dict):
        return {str(k): _js_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_js_ready(v) for v in value]
    return value


def js_value(value: Any) -> Any:
    """A plain Python value as JS: dicts -> objects (not Maps), None -> null at any depth."""
    value = _js_ready(value)
    if value is jsnull or isinstance(value, str | int | float):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return to_js(bytes(value))
    return to_js(value, dict_converter=js.Object.fromEntries)


def _sql_param(value: Any) -> Any:
    """A SQL binding: SQLite has no boolean, so True/False bind as 1/0 (as CPython's sqlite3)."""
    if isinstance(value, bool):
        return int(value)
    return js_value(value)


# What D1 answers when a call failed in transit or the database was briefly unreachable, as
# opposed to a statement it refuses (those stay errors: they are bugs, not weather).
TRANSIENT_MARKERS = (
    "network connection lost", "internal error", "overloaded", "timed out", "timeout",
    "reset", "temporarily unavailable", "too many requests", "storage operation exceeded",
)  # fmt: skip


def _raise_mapped(exc: JsException) -> None:
    message = str(exc)
    lowered = message.lower()
    if "constraint failed" in lowered:
        raise ConstraintViolation(message) from exc
    if any(marker in lowered for marker in TRANSIENT_MARKERS):
        raise Unavailable(message) from exc
    raise exc


# D1 -----------------------------------------------------------------------------------------
class D1Statement:
    def __init__(self, js_statement: Any) -> None:
        self._stmt = js_statement

    def bind(self, *params: Any) -> D1Statement:
        return D1Statement(self._stmt.bind(*[_sql_param(p) for p in params]))

    async def first(self) -> Row | None:
        try:
            row = await self._stmt.first()
        except JsException as exc:
            _raise_mapped(exc)
        return to_py(row)  # type: ignore[no-any-return]

    async def all(self) -> list[Row]:
        try:
            result = await self._stmt.all()
        except JsException as exc:
            _raise_mapped(exc)
        return list(to_py(result.results) or [])

    async def run(self) -> int:
        try:
            result = await self._stmt.run()
        except JsException as exc:
            _raise_mapped(exc)
        return int((to_py(result.meta) or {}).get("changes") or 0)


def _d1_statement(statement: Statement) -> D1Statement:
    assert isinstance(statement, D1Statement), "a D1 batch takes statements of this database"
    return statement


class D1Database:
    def __init__(self, binding: Any) -> None:
        self._db = unwrap(binding)

    def prepare(self, sql: str) -> D1Statement:
        return D1Statement(self._db.prepare(sql))

    async def batch(self, statements: Sequence[Statement]) -> list[list[Row]]:
        """One implicit transaction: a failing statement rolls the whole batch back."""
        if not statements:
            return []
        try:
            results = await self._db.batch(to_js([_d1_statement(s)._stmt for s in statements]))
        except JsException as exc:
            _raise_mapped(exc)
        return [list(to_py(r.results) or []) for r in results]


# KV and R2 ----------------------------------------------------------------------------------
class KVNamespace:
    def __init__(self, binding: Any) -> None:
        self._kv = unwrap(binding)

    async def get(self, key: str) -> str | None:
        return to_py(await self._kv.get(key))  # type: ignore[no-any-return]

    async def put(self, key: str, value: str) -> None:
        await self._kv.put(key, value)

    async def delete(self, key: str) -> None:
        await self._kv.delete(key)

    async def list_keys(self, prefix: str = "") -> list[str]:
        """Every key with the prefix, following the cursor across pages (1000 keys a page)."""
        keys: list[str] = []
        cursor = None
        while True:
            options = {"prefix": prefix} | ({"cursor": cursor} if cursor else {})
            page = to_py(await self._kv.list(js_value(options)))
            keys.extend(k["name"] for k in page["keys"])
            cursor = page.get("cursor")
            if page.get("list_complete", True) or not cursor:
                return keys


class R2Bucket:
    def __init__(self, binding: Any) -> None:
        self._bucket = unwrap(binding)

    async def put(self, key: str, content: bytes, content_type: str) -> None:
        options = {"httpMetadata": {"contentType": content_type}}
        await self._bucket.put(key, to_js(bytes(content)), js_value(options))

    async def get(self, key: str) -> bytes | None:
        obj = await self._bucket.get(key)
        if to_py_is_null(obj):
            return None
        buffer = await obj.arrayBuffer()
        return bytes(js.Uint8Array.new(buffer).to_bytes())


# Queues -------------------------------------------------------------------------------------
class QueueProducer:
    """A Queue's producer binding: `sendBatch([{body}])` resolves once Queues has stored them.
    A failed send is `Unavailable` (the WalletDO's alarm sends the same rows again)."""

    def __init__(self, binding: Any) -> None:
        self._queue = unwrap(binding)

    async def send_batch(self, bodies: Sequence[dict[str, Any]]) -> None:
        if not bodies:
            return
        try:
            await self._queue.sendBatch(js_value([{"body": body} for body in bodies]))
        except JsException as exc:
            raise Unavailable(str(exc)) from exc


class QueueMessageAdapter:
    """One `Message` of a consumer's `MessageBatch`, with a plain Python body."""

    def __init__(self, message: Any) -> None:
        self._message = unwrap(message)
        self.id = str(self._message.id)
        self.body: dict[str, Any] = dict(to_py(self._message.body) or {})
        self.attempts = int(to_py(self._message.attempts) or 1)

    def ack(self) -> None:
        self._message.ack()

    def retry(self, delay_seconds: int = 0) -> None:
        if delay_seconds > 0:
            self._message.retry(js_value({"delaySeconds": int(delay_seconds)}))
        else:
            self._message.retry()


def batch_messages(batch: Any) -> list[QueueMessageAdapter]:
    """The messages of a queue handler's `MessageBatch` (raw, or the SDK's wrapper)."""
    return [QueueMessageAdapter(m) for m in unwrap(batch).messages]


# Durable Objects ----------------------------------------------------------------------------
class DurableObjectStub:
    def __init__(self, stub: Any) -> None:
        self._stub = stub

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """An RPC call; any failure of the call itself (a reset object, a lost connection, an
        overloaded object) is `Unavailable`: the caller cannot know whether it ran."""
        try:
            result = await getattr(self._stub, method)(js_value(payload))
        except JsException as exc:
            raise Unavailable(str(exc)) from exc
        return dict(to_py(result) or {})


class DurableObjectNamespace:
    def __init__(self, binding: Any) -> None:
        self._ns = unwrap(binding)

    def get(self, name: str) -> DurableObjectStub:
        return DurableObjectStub(self._ns.get(self._ns.idFromName(name)))


class DurableObjectStorage:
    """`ctx.storage`: synchronous SQL and `transactionSync`, async alarms."""

    def __init__(self, storage: Any) -> None:
        self._storage = unwrap(storage)

    def exec(self, sql: str, *params: Any) -> list[Row]:
        try:
            cursor = self._storage.sql.exec(sql, *[_sql_param(p) for p in params])
            return list(to_py(cursor.toArray()) or [])
        except JsException as exc:
            _raise_mapped(exc)
            raise

    def transaction(self, fn: Callable[[], T]) -> T:
        """`fn` runs inside `transactionSync`: committed when it returns, rolled back when it
        raises (the exception propagates unchanged). Nothing may be awaited inside."""
        box: list[T] = []

        def body() -> None:
            box.append(fn())

        self._storage.transactionSync(create_once_callable(body))
        return box[0]

    async def set_alarm(self, at_epoch_ms: int) -> None:
        await self._storage.setAlarm(js_value(int(at_epoch_ms)))

    async def get_alarm(self) -> int | None:
        value = to_py(await self._storage.getAlarm())
        return None if value is None else int(value)


# Web Crypto ---------------------------------------------------------------------------------
async def pbkdf2_webcrypto(material: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    """PBKDF2-HMAC-SHA256 through `crypto.subtle` (Pyodide's hashlib has no pbkdf2_hmac).
    workerd refuses more than 100,000 iterations."""
    subtle = js.crypto.subtle
    key = await subtle.importKey(
        "raw", to_js(bytes(material)), "PBKDF2", False, js_value(["deriveBits"])
    )
    params = js_value({"name": "PBKDF2", "hash": "SHA-256", "iterations": iterations})
    params.salt = to_js(bytes(salt))
    bits = await subtle.deriveBits(params, key, length * 8)
    return bytes(js.Uint8Array.new(bits).to_bytes())


class WebCryptoAesGcm:
    """AES-256-GCM through `crypto.subtle` (Pyodide has no AES); 16-byte tag appended, as
    `cryptography`'s AESGCM does."""

    @staticmethod
    async def _key(key: bytes, usage: str) -> Any:
        return await js.crypto.subtle.importKey(
            "raw", to_js(bytes(key)), "AES-GCM", False, js_value([usage])
        )

    @staticmethod
    def _params(nonce: bytes, aad: bytes) -> Any:
        params = js_value({"name": "AES-GCM", "tagLength": 128})
        params.iv = to_js(bytes(nonce))
        params.additionalData = to_js(bytes(aad))
        return params

    async def seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        subtle = js.crypto.subtle
        out = await subtle.encrypt(
            self._params(nonce, aad), await self._key(key, "encrypt"), to_js(bytes(plaintext))
        )
        return bytes(js.Uint8Array.new(out).to_bytes())

    async def open(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        subtle = js.crypto.subtle
        try:
            out = await subtle.decrypt(
                self._params(nonce, aad), await self._key(key, "decrypt"), to_js(bytes(ciphertext))
            )
        except JsException as exc:
            raise ValueError("the sealed value does not verify") from exc
        return bytes(js.Uint8Array.new(out).to_bytes())
