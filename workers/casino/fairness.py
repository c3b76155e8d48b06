"""The provably-fair derivation, exactly as API.md states it (independent verifiers rely on it).

server_seed       32 CSPRNG bytes as 64 lowercase hex characters
server_seed_hash  sha256(server_seed.encode("ascii")).hexdigest()
digest(c)         hmac_sha256(key=server_seed.encode("ascii"),
                              msg=f"{client_seed}:{nonce}:{c}".encode())   c = 0, 1, 2, ...
draw in [0, k)    u = int.from_bytes(digest(c)[:8], "big"); accept u % k when
                  u < (2**64 // k) * k, else try c + 1 (rejection: no modulo bias)
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable

from .errors import InvalidParams

SEED_BYTES = 32
_TWO_64 = 2**64


def new_server_seed(token_bytes: Callable[[int], bytes]) -> str:
    """A fresh server seed from the injected CSPRNG (never at import time on the edge)."""
    return token_bytes(SEED_BYTES).hex()


def server_seed_hash(server_seed: str) -> str:
    return hashlib.sha256(server_seed.encode("ascii")).hexdigest()


def check_client_seed(client_seed: str) -> str:
    if not 1 <= len(client_seed) <= 64 or any(not 0x20 <= ord(ch) <= 0x7E for ch in client_seed):
        raise InvalidParams("client_seed must be 1-64 printable ASCII characters")
    return client_seed


def digest(server_seed: str, client_seed: str, nonce: int, cursor: int) -> bytes:
    message = f"{client_seed}:{nonce}:{cursor}".encode()
    return hmac.new(server_seed.encode("ascii"), message, hashlib.sha256).digest()


@functools.lru_cache(maxsize=256)
def _keyed(server_seed: str) -> hmac.HMAC:
    """The HMAC keyed with a server seed, ready to copy: keying costs as much as a digest."""
    return hmac.new(server_seed.encode("ascii"), digestmod=hashlib.sha256)


class Draws:
    """The unbiased draws of one round (server seed, client seed, nonce), in cursor order: a
    second draw in the same round continues at the next unused cursor."""

    __slots__ = ("_keyed", "_prefix", "cursor")

    def __init__(self, server_seed: str, client_seed: str, nonce: int) -> None:
        self._keyed = _keyed(server_seed)
        self._prefix = f"{client_seed}:{nonce}:".encode()
        self.cursor = 0

    def _next_u64(self) -> int:
        mac = self._keyed.copy()
        mac.update(self._prefix + b"%d" % self.cursor)
        self.cursor += 1
        return int.from_bytes(mac.digest()[:8], "big")

    def below(self, k: int) -> int:
        """One unbiased integer in [0, k)."""
        if not 1 <= k <= _TWO_64:
            raise ValueError("k must be in [1, 2**64]")
        limit = (_TWO_64 // k) * k
        while True:
            u = self._next_u64()
            if u < limit:
                return u % k
