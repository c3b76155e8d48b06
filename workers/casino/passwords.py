"""Password hashes: PBKDF2-HMAC-SHA256 with a secret pepper, in a self-describing format.

    pbkdf2_sha256$<iterations>$<salt, urlsafe base64>$<hash, urlsafe base64>

The pepper is applied first (`HMAC-SHA256(pepper, password)`), so a stolen database without
the Worker secret cannot be attacked offline. The PBKDF2 primitive is injected: `hashlib` on
CPython and Web Crypto on the edge (which caps iterations at 100,000) give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 100_000
SALT_BYTES = 16
HASH_BYTES = 32

Pbkdf2 = Callable[[bytes, bytes, int, int], Awaitable[bytes]]
"""(key material, salt, iterations, length) -> derived bytes."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _peppered(password: str, pepper: bytes) -> bytes:
    return hmac.new(pepper, password.encode("utf-8"), hashlib.sha256).digest()


async def hash_password(
    password: str, pepper: bytes, salt: bytes, pbkdf2: Pbkdf2, iterations: int = ITERATIONS
) -> str:
    derived = await pbkdf2(_peppered(password, pepper), salt, iterations, HASH_BYTES)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(derived)}"


async def verify_password(password: str, encoded: str, pepper: bytes, pbkdf2: Pbkdf2) -> bool:
    """Constant-time comparison; a malformed stored hash never matches."""
    try:
        algorithm, iterations_text, salt_text, hash_text = encoded.split("$")
        iterations = int(iterations_text)
        salt, expected = _unb64(salt_text), _unb64(hash_text)
    except ValueError:
        return False
    if algorithm != ALGORITHM or not 1 <= iterations <= ITERATIONS:
        return False
    derived = await pbkdf2(_peppered(password, pepper), salt, iterations, len(expected))
    return hmac.compare_digest(derived, expected)
