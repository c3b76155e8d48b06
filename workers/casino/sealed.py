"""Small secrets sealed for storage (TOTP secrets): AES-256-GCM under a key derived from a Worker
secret, in a self-describing text format.

    v1.<nonce, urlsafe base64>.<ciphertext + 16-byte tag, urlsafe base64>

The key for each purpose is `HMAC-SHA256(secret, "acmetocasino/" + purpose)`, and the purpose is
the associated data too, so a value sealed for one use cannot be opened as another. The AES-GCM
primitive is injected, as PBKDF2 is: `cryptography` on CPython, Web Crypto on the edge (the same
bytes: the conformance suite checks a vector made here).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Protocol

VERSION = "v1"
NONCE_BYTES = 12


class Aead(Protocol):
    """AES-256-GCM; `open` raises ValueError when the tag does not verify."""

    async def seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes: ...

    async def open(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes: ...


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def purpose_key(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, b"acmetocasino/" + purpose.encode(), hashlib.sha256).digest()


async def seal(plaintext: bytes, secret: bytes, purpose: str, nonce: bytes, aead: Aead) -> str:
    if len(nonce) != NONCE_BYTES:
        raise ValueError("an AES-GCM nonce has 12 bytes")
    sealed = await aead.seal(purpose_key(secret, purpose), nonce, plaintext, purpose.encode())
    return f"{VERSION}.{_b64(nonce)}.{_b64(sealed)}"


async def unseal(text: str, secret: bytes, purpose: str, aead: Aead) -> bytes:
    """The plaintext, or ValueError for a malformed, tampered or foreign value."""
    try:
        version, nonce_text, sealed_text = text.split(".")
        nonce, sealed = _unb64(nonce_text), _unb64(sealed_text)
    except ValueError as exc:
        raise ValueError("not a sealed value") from exc
    if version != VERSION or len(nonce) != NONCE_BYTES:
        raise ValueError("not a sealed value")
    return await aead.open(purpose_key(secret, purpose), nonce, sealed, purpose.encode())
