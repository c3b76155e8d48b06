"""The throttle's back-off arithmetic and the sealing of secrets at rest."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casino.sealed import seal, unseal
from casino.throttle import ACCOUNT_LOGIN, ThrottlePolicy

POLICY = ThrottlePolicy("t", free_attempts=5, base_ms=1_000, max_ms=60_000, forget_ms=3_600_000)


def test_the_first_attempts_are_free_then_the_wait_doubles_up_to_the_cap():
    assert [POLICY.wait_ms(n) for n in range(1, 5)] == [0, 0, 0, 0]
    assert [POLICY.wait_ms(n) for n in range(5, 12)] == [1_000, 2_000, 4_000, 8_000, 16_000,
                                                        32_000, 60_000]  # fmt: skip
    assert POLICY.wait_ms(10_000) == 60_000


def test_retry_after_counts_from_the_last_attempt_and_ends_with_the_forget_window():
    assert POLICY.retry_after_ms(attempts=6, last_ms=10_000, now_ms=10_500) == 1_500
    assert POLICY.retry_after_ms(attempts=6, last_ms=10_000, now_ms=12_000) == 0
    assert POLICY.retry_after_ms(attempts=99, last_ms=0, now_ms=3_600_000) == 0


@given(st.integers(min_value=0, max_value=10**6))
def test_no_wait_is_ever_longer_than_the_cap(attempts):
    assert 0 <= ACCOUNT_LOGIN.wait_ms(attempts) <= ACCOUNT_LOGIN.max_ms


class XorAead:
    """A stand-in AEAD for the format's tests (the real ones are checked against each other)."""

    async def seal(self, key, nonce, plaintext, aad):
        tag = bytes(
            a ^ b for a, b in zip((key + aad)[:16].ljust(16, b"\0"), nonce * 2, strict=False)
        )
        return bytes(p ^ key[i % 32] for i, p in enumerate(plaintext)) + tag

    async def open(self, key, nonce, ciphertext, aad):
        body, tag = ciphertext[:-16], ciphertext[-16:]
        if await self.seal(key, nonce, b"", aad) != tag:
            raise ValueError("tag")
        return bytes(c ^ key[i % 32] for i, c in enumerate(body))


def test_a_sealed_value_opens_only_with_its_key_and_purpose():
    aead = XorAead()
    sealed = asyncio.run(seal(b"JBSWY3DP", b"k1", "totp-secret", bytes(12), aead))
    assert sealed.startswith("v1.") and "JBSWY3DP" not in sealed
    assert asyncio.run(unseal(sealed, b"k1", "totp-secret", aead)) == b"JBSWY3DP"
    for key, purpose in ((b"k2", "totp-secret"), (b"k1", "other")):
        with pytest.raises(ValueError):
            asyncio.run(unseal(sealed, key, purpose, aead))
    for broken in ("", "v2.AAAA.BBBB", "v1.not-base64!.x", "v1.AAAA.BBBB"):
        with pytest.raises(ValueError):
            asyncio.run(unseal(broken, b"k1", "totp-secret", aead))
