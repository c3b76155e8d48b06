"""Cloudflare adapters: D1, KV, R2, Durable Object stubs and storage, Web Crypto, over Pyodide's
FFI. JS values are converted here, at the boundary; nothing above sees a JsProxy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, JsProxy, create_once_callable, to_js  # type: ignore

from .ports import ConstraintViolation, Row

T = TypeVar("T")

try:  # Pyodide >= 0.26 has a real JS null; D1 refuses `undefined` as a bound value.
    from pyodide.ffi import jsnull  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    jsnull = js.JSON.parse("null")


def unwrap(binding: Any) -> Any:
    """The raw JS object behind the `workers` SDK's wrappers (`self.env.DB` is a
    `_BindingWrapper`, `ctx.storage` too): the adapters below convert values themselves."""
    return getattr(binding, "_binding", binding)


def to_py(value: Any) -> Any:
    """A JS value as plain Python: objects -> dict, arrays -> list, null/undefined -> None."""
    if value is None or value is jsnull:
        return None
    if isinstance(value, JsProxy):
        if value.typeof == "undefined":
            return None
        return _nulls_to_none(value.to_py())
    return value


def to_py_is_null(value: Any) -> bool:
    return (
        value is None
        or value is jsnull
        or (isinstance(value, JsProxy) and value.typeof == "undefined")
    )


def _nulls_to_none(value: Any) -> Any:
    """`to_py` leaves JS null as `jsnull` inside containers: make it None everywhere."""
    if value is jsnull:
        return None
    if isinstance(value, dict):
        return {k: _nulls_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls_to_none(v) for v in value]
    return value


def js_value(value: Any) -> Any:
    """A plain Python value as JS: dicts -> objects (not Maps), None -> null."""
    if value is None:
        return jsnull
    if isinstance(value, dict | list | tuple):
        return to_js(value, dict_converter=js.Object.fromEntries)
    if isinstance(value, bytes):
        return to_js(value)
    return value


def _raise_mapped(exc: JsException) -> None:
    message = str(exc)
    if "constraint failed" in message.lower():
        raise ConstraintViolation(message) from exc
    raise exc


# D1 -----------------------------------------------------------------------------------------
class D1Statement:
    def __init__(self, js_statement: Any) -> None:
        self._stmt = js_statement

    def bind(self, *params: Any) -> D1Statement:
        return D1Statement(self._stmt.bind(*[js_value(p) for p in params]))

    async def first(self) -> Row | None:
        try:
            row = await self._stmt.first()
        except JsException as exc:
            _raise_mapped(exc)
        return to_py(row)

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
        return int(to_py(result.meta).get("changes", 0))


class D1Database:
    def __init__(self, binding: Any) -> None:
        self._db = unwrap(binding)

    def prepare(self, sql: str) -> D1Statement:
        return D1Statement(self._db.prepare(sql))

    async def batch(self, statements: Sequence[D1Statement]) -> list[list[Row]]:
        try:
            results = await self._db.batch(to_js([s._stmt for s in statements]))
        except JsException as exc:
            _raise_mapped(exc)
        return [list(to_py(r.results) or []) for r in results]


# KV and R2 ----------------------------------------------------------------------------------
class KVNamespace:
    def __init__(self, binding: Any) -> None:
        self._kv = unwrap(binding)

    async def get(self, key: str) -> str | None:
        return to_py(await self._kv.get(key))

    async def put(self, key: str, value: str) -> None:
        await self._kv.put(key, value)

    async def delete(self, key: str) -> None:
        await self._kv.delete(key)

    async def list_keys(self, prefix: str = "") -> list[str]:
        keys: list[str] = []
        cursor = None
        while True:
            options = {"prefix": prefix} | ({"cursor": cursor} if cursor else {})
            page = to_py(await self._kv.list(js_value(options)))
            keys.extend(k["name"] for k in page["keys"])
            if page.get("list_complete", True):
                return keys
            cursor = page.get("cursor")


class R2Bucket:
    def __init__(self, binding: Any) -> None:
        self._bucket = unwrap(binding)

    async def put(self, key: str, content: bytes, content_type: str) -> None:
        options = {"httpMetadata": {"contentType": content_type}}
        await self._bucket.put(key, to_js(content), js_value(options))

    async def get(self, key: str) -> bytes | None:
        obj = await self._bucket.get(key)
        if to_py_is_null(obj):
            return None
        buffer = await obj.arrayBuffer()
        return bytes(js.Uint8Array.new(buffer).to_py())


# Durable Objects ----------------------------------------------------------------------------
class DurableObjectStub:
    def __init__(self, stub: Any) -> None:
        self._stub = stub

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        result = await getattr(self._stub, method)(js_value(payload))
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
            cursor = self._storage.sql.exec(sql, *[js_value(p) for p in params])
            return list(to_py(cursor.toArray()) or [])
        except JsException as exc:
            _raise_mapped(exc)
            raise

    def transaction(self, fn: Callable[[], T]) -> T:
        box: list[T] = []

        def body() -> None:
            box.append(fn())

        self._storage.transactionSync(create_once_callable(body))
        return box[0]

    async def set_alarm(self, at_epoch_ms: int) -> None:
        await self._storage.setAlarm(at_epoch_ms)

    async def get_alarm(self) -> int | None:
        value = to_py(await self._storage.getAlarm())
        return None if value is None else int(value)


# Web Crypto ---------------------------------------------------------------------------------
async def pbkdf2_webcrypto(material: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    """PBKDF2-HMAC-SHA256 through `crypto.subtle` (Pyodide's hashlib has no pbkdf2_hmac)."""
    subtle = js.crypto.subtle
    key = await subtle.importKey("raw", to_js(material), "PBKDF2", False, js_value(["deriveBits"]))
    params = js_value({"name": "PBKDF2", "hash": "SHA-256", "iterations": iterations})
    params.salt = to_js(salt)
    bits = await subtle.deriveBits(params, key, length * 8)
    return bytes(js.Uint8Array.new(bits).to_py())
