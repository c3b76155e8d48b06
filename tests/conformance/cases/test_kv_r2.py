"""`infra.cloudflare.KVNamespace` and `R2Bucket` against miniflare's real KV and R2, reached
through the `workers` SDK's env wrapper as the Worker reaches them."""

from __future__ import annotations

import asyncio
import json

from _conformance_host import env  # type: ignore[import-not-found]

from infra.cloudflare import KVNamespace, R2Bucket
from workers import _EnvWrapper  # type: ignore[import-not-found]

bindings = _EnvWrapper(env)


async def test_kv_get_put_delete():
    kv = KVNamespace(bindings.KV)
    assert await kv.get("conformance:missing") is None
    value = json.dumps({"rtp_bps": 9700, "name": "Dados ✓"}, ensure_ascii=False)
    await kv.put("conformance:a", value)
    assert await kv.get("conformance:a") == value
    await kv.put("conformance:a", "2")  # overwrite
    assert await kv.get("conformance:a") == "2"
    await kv.put("conformance:empty", "")
    assert await kv.get("conformance:empty") == ""
    await kv.delete("conformance:a")
    assert await kv.get("conformance:a") is None
    await kv.delete("conformance:never-there")  # deleting a missing key is not an error


async def test_kv_lists_keys_by_prefix_across_pages():
    """KV lists at most 1000 keys a page: 1005 keys take two pages and a cursor."""
    kv = KVNamespace(bindings.KV)
    keys = [f"page:{i:05d}" for i in range(1005)]
    for start in range(0, len(keys), 200):
        await asyncio.gather(*(kv.put(k, "v") for k in keys[start : start + 200]))
    await kv.put("pagf:outside", "v")
    await kv.put("pag", "v")
    listed = await kv.list_keys("page:")
    assert listed == keys  # all of them, in order, once
    assert await kv.list_keys("page:0100") == [f"page:{i:05d}" for i in range(1000, 1005)]
    assert await kv.list_keys("nothing-here:") == []
    assert "pagf:outside" in await kv.list_keys("pag")


async def test_r2_stores_documents_byte_for_byte():
    bucket = R2Bucket(bindings.DOCUMENTS)
    content = bytes(range(256)) * 40 + b"\x00"
    await bucket.put("kyc/p/d", content, "image/png")
    assert await bucket.get("kyc/p/d") == content
    assert await bucket.get("kyc/p/missing") is None
    await bucket.put("kyc/p/empty", b"", "application/pdf")
    assert await bucket.get("kyc/p/empty") == b""
    head = await bindings.DOCUMENTS._binding.head("kyc/p/d")
    assert head.httpMetadata.contentType == "image/png" and head.size == len(content)
