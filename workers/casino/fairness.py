"""The provably-fair derivation, exactly as API.md states it (independent verifiers rely on it).

server_seed       32 CSPRNG bytes as 64 lowercase hex characters
server_seed_hash  sha256(server_seed.encode("ascii")).hexdigest()
digest(c)         hmac_sha256(key=server_seed.encode("ascii"),
                              msg=f"{client_seed}:{nonce}:{c}".encode())   c = 0, 1, 2, ...
draw in [0, k)    u = int.from_bytes(digest(c)[:8], "big"); accept u % k when
                  u < (2**64 // k) * k, else try c + 1 (rejection: no modulo bias)

`digest` and `draw` are the text of API.md as code (one `hmac.new` per digest). `Draws` gives the
same values fast: HMAC (RFC 2104) is H((K ^ opad) || H((K ^ ipad) || msg)), so the two keyed
SHA-256 states are computed once per seed and copied per digest, which costs a third of keying
`hmac.new` again. Tests prove both paths equal `hmac.new` byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import sys
from array import array
from collections.abc import Callable
from typing import Any

from .errors import InvalidParams

SEED_BYTES = 32
TWO_64 = 2**64
_BLOCK = 64  # the SHA-256 block size: HMAC pads (or first hashes) the key to it
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))
_SEED_RE = re.compile(r"[0-9a-f]{64}")


def new_server_seed(token_bytes: Callable[[int], bytes]) -> str:
    """A fresh server seed from the injected CSPRNG (never at import time on the edge)."""
    raw = token_bytes(SEED_BYTES)
    if len(raw) != SEED_BYTES:
        raise ValueError(f"the entropy source returned {len(raw)} bytes, not {SEED_BYTES}")
    return raw.hex()


def is_server_seed(value: object) -> bool:
    """64 lowercase hex characters, the only form a server seed is published in."""
    return isinstance(value, str) and _SEED_RE.fullmatch(value) is not None


def server_seed_hash(server_seed: str) -> str:
    return hashlib.sha256(server_seed.encode("ascii")).hexdigest()


def check_client_seed(client_seed: object) -> str:
    """1-64 printable ASCII characters (0x20-0x7e), else `InvalidParams`."""
    if (
        not isinstance(client_seed, str)
        or not 1 <= len(client_seed) <= 64
        or any(not 0x20 <= ord(ch) <= 0x7E for ch in client_seed)
    ):
        raise InvalidParams("client_seed must be 1-64 printable ASCII characters")
    return client_seed


def message(client_seed: str, nonce: int, cursor: int) -> bytes:
    return f"{client_seed}:{nonce}:{cursor}".encode()


def digest(server_seed: str, client_seed: str, nonce: int, cursor: int) -> bytes:
    """digest(c) of API.md, computed the plain way."""
    key = server_seed.encode("ascii")
    return hmac.new(key, message(client_seed, nonce, cursor), hashlib.sha256).digest()


def draw(
    server_seed: str, client_seed: str, nonce: int, k: int, cursor: int = 0
) -> tuple[int, int]:
    """(value in [0, k), next unused cursor): the rejection rule of API.md, the plain way."""
    limit = _limit(k)
    while True:
        u = int.from_bytes(digest(server_seed, client_seed, nonce, cursor)[:8], "big")
        cursor += 1
        if u < limit:
            return u % k, cursor


_LIMITS: dict[int, int] = {}


def _limit(k: int) -> int:
    """The rejection bound (2**64 // k) * k, memoised for the few ranges games use."""
    # type() first: True == 1 would find 1's entry; a bool is not a range.
    if type(k) is not int:
        raise ValueError("k must be an integer in [1, 2**64]")
    limit = _LIMITS.get(k)
    if limit is None:
        # k > 2**64 would make the bound 0 and the rejection loop endless.
        if not 1 <= k <= TWO_64:
            raise ValueError("k must be an integer in [1, 2**64]")
        limit = (TWO_64 // k) * k
        if len(_LIMITS) < 1024:
            _LIMITS[k] = limit
    return limit


@functools.lru_cache(maxsize=256)
def _keyed(server_seed: str) -> tuple[Any, Any]:
    """The inner and outer SHA-256 states of HMAC keyed with the seed, ready to copy."""
    key = server_seed.encode("ascii")
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


class Draws:
    """The unbiased draws of one round (server seed, client seed, nonce), in cursor order: a
    second draw in the same round continues at the next unused cursor."""

    __slots__ = ("_inner", "_outer", "_prefix", "cursor")

    def __init__(self, server_seed: str, client_seed: str, nonce: int) -> None:
        if type(nonce) is not int or nonce < 0:
            raise ValueError("nonce must be a non-negative integer")
        self._inner, self._outer = _keyed(server_seed)
        self._prefix = f"{client_seed}:{nonce}:".encode()
        self.cursor = 0

    def digest(self) -> bytes:
        """digest(cursor), then move to the next cursor."""
        inner = self._inner.copy()
        inner.update(self._prefix + b"%d" % self.cursor)
        outer = self._outer.copy()
        outer.update(inner.digest())
        self.cursor += 1
        return outer.digest()  # type: ignore[no-any-return]

    def below(self, k: int) -> int:
        """One unbiased integer in [0, k)."""
        limit = _limit(k)
        while True:
            # digest() inlined: this is the hot path of every round (benchmark B6).
            inner = self._inner.copy()
            inner.update(self._prefix + b"%d" % self.cursor)
            outer = self._outer.copy()
            outer.update(inner.digest())
            self.cursor += 1
            u = int.from_bytes(outer.digest()[:8], "big")
            if u < limit:
                return u % k


def first_draws(
    server_seed: str, client_seed: str, first_nonce: int, count: int, k: int
) -> list[int]:
    """`Draws(server_seed, client_seed, n).below(k)` for n in [first_nonce, first_nonce + count):
    the same values, batched without an object per round (simulation of one-draw games)."""
    limit = _limit(k)
    inner, outer = _keyed(server_seed)
    head = inner.copy()
    head.update(client_seed.encode() + b":")  # the message prefix, hashed once
    head_copy, outer_copy = head.copy, outer.copy
    digests: list[bytes] = []
    append = digests.append
    for nonce in range(first_nonce, first_nonce + count):
        mac = head_copy()
        mac.update(b"%d:0" % nonce)
        out = outer_copy()
        out.update(mac.digest())
        append(out.digest())
    # Every digest's first 8 bytes as a big-endian u64, converted in C: array words of the
    # concatenated digests, byte-swapped on little-endian machines, one word in four.
    words = array("Q", b"".join(digests))
    if words.itemsize != 8:
        raise AssertionError("array('Q') is not 64 bits here")
    if sys.byteorder == "little":
        words.byteswap()
    firsts = words[::4]
    values = [u % k for u in firsts]
    if firsts and max(firsts) >= limit:
        # A rejection (probability < 2**-50 for k = 10000) continues at cursor 1, 2, ...
        for i, u in enumerate(firsts):
            if u >= limit:
                values[i] = Draws(server_seed, client_seed, first_nonce + i).below(k)
    return values
