"""The pure core on Pyodide (Python 3.14) gives exactly what it gives on CPython, and Web Crypto's
PBKDF2 (the edge's) gives exactly hashlib's bytes."""

from __future__ import annotations

import json
import sys

from _conformance_host import info  # type: ignore[import-not-found]

from cases.core_vectors import compute
from casino.passwords import hash_password, verify_password
from infra.cloudflare import pbkdf2_webcrypto

# hashlib.pbkdf2_hmac("sha256", material, salt, iterations, length).hex() on CPython 3.11.
PBKDF2_VECTORS = [
    (b"material", b"salt" * 4, 1, 32,
     "8ede625ebbeebf83b4acb1ad4b6adbfaf0d4df445e2f4024586d83be9a3b856a"),
    (b"password", b"salt", 4096, 32,
     "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    (b"pass\x00word", b"sa\x00lt", 4096, 16, "89b69d0516f829893c696226650a8687"),
    (bytes(range(200)), bytes(range(64)), 1000, 64,
     "93cd705bc1ce5b3e9cb0407783a13b47916d7e30b64338861398e8676fe4a377"
     "e05351f02d3e682ee0a59a87578a4dbd1edaba655017ca307b4d91c2490557d9"),
    (b"x", b"y", 100_000, 32, "470e1e01528a62aebeadf9c633849b54d0dfd10157d92452939b5f547282b0c2"),
    (b"k" * 64, b"\x00" * 16, 2, 33,
     "545e06ca4c47df3f53b5db311541d585ee84f3717c50276a7b0b537bdb460f418f"),
]  # fmt: skip

# hash_password("Str0ng-Passw0rd!", b"pepper", bytes(range(16)), <hashlib>) on CPython 3.11.
CPYTHON_HASH = (
    "pbkdf2_sha256$100000$AAECAwQFBgcICQoLDA0ODw$FDCLgs-GNbl-3z4l0JbAGZ7sZej8egblHf-Usg1uD-U"
)


async def test_this_is_python_3_14_on_pyodide():
    assert sys.version_info[:2] == (3, 14), sys.version
    assert sys.platform == "emscripten"


async def test_web_crypto_pbkdf2_gives_the_bytes_hashlib_gives():
    for material, salt, iterations, length, expected in PBKDF2_VECTORS:
        derived = await pbkdf2_webcrypto(material, salt, iterations, length)
        assert isinstance(derived, bytes) and len(derived) == length
        assert derived.hex() == expected, (material[:8], iterations, length)


async def test_web_crypto_refuses_more_than_100000_iterations_as_workerd_does():
    try:
        await pbkdf2_webcrypto(b"x", b"y", 100_001, 32)
    except Exception as error:  # noqa: BLE001 - the JS error surfaces as JsException
        assert "100000" in str(error)
    else:
        raise AssertionError("workerd refuses PBKDF2 above 100,000 iterations")


async def test_a_password_hashed_on_the_edge_is_the_one_cpython_makes():
    encoded = await hash_password("Str0ng-Passw0rd!", b"pepper", bytes(range(16)), pbkdf2_webcrypto)
    assert encoded == CPYTHON_HASH
    assert await verify_password("Str0ng-Passw0rd!", CPYTHON_HASH, b"pepper", pbkdf2_webcrypto)
    assert not await verify_password("Str0ng-Passw0rd?", CPYTHON_HASH, b"pepper", pbkdf2_webcrypto)


async def test_the_core_vectors_equal_cpythons():
    """cpf, accounts, passwords, ledger decide/evolve/replay, kyc sniffing, fairness and games."""
    assert info.cpythonVectors, info.cpythonVectorsError
    expected = json.loads(info.cpythonVectors)
    actual = json.loads(json.dumps(await compute(pbkdf2_webcrypto), sort_keys=True))
    differences = [
        f"{section}: CPython {json.dumps(expected[section])[:300]} != Pyodide {json.dumps(actual.get(section))[:300]}"
        for section in expected
        if expected[section] != actual.get(section)
    ]
    assert not differences, "\n".join(differences)
    assert set(actual) == set(expected)


# casino.sealed.seal(b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", b"conformance-mfa-key", "totp-secret",
# bytes(range(12)), <cryptography's AESGCM>) on CPython 3.11.
CPYTHON_SEALED = (
    "v1.AAECAwQFBgcICQoL.j-YdAPnCow_M7sRGkCBHM6DRAurKh8-2Rc3vyxnWEa5TGFCCfbN6J9dAwhw0q9Yv"
)
# AESGCM(bytes(range(32))).encrypt(bytes(12), b"", b"").hex(): the bare tag of an empty message.
CPYTHON_EMPTY_TAG = "f05d76ae4ab99fe5a6f69b3148c2363d"


async def test_web_crypto_aes_gcm_seals_totp_secrets_as_cpython_does():
    from casino.sealed import seal, unseal
    from infra.cloudflare import WebCryptoAesGcm

    aead = WebCryptoAesGcm()
    assert (await aead.seal(bytes(range(32)), bytes(12), b"", b"")).hex() == CPYTHON_EMPTY_TAG
    secret = b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    sealed = await seal(secret, b"conformance-mfa-key", "totp-secret", bytes(range(12)), aead)
    assert sealed == CPYTHON_SEALED
    assert await unseal(CPYTHON_SEALED, b"conformance-mfa-key", "totp-secret", aead) == secret
    for wrong_key, purpose in ((b"another-key", "totp-secret"), (b"conformance-mfa-key", "other")):
        try:
            await unseal(CPYTHON_SEALED, wrong_key, purpose, aead)
        except ValueError:
            continue
        raise AssertionError("a sealed value opened under the wrong key or purpose")


async def test_pyotp_computes_rfc_6238_codes_in_pyodide():
    import pyotp

    # RFC 6238 appendix B, SHA-1, T = 59 s (8 digits there; the last 6 here).
    totp = pyotp.TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", digits=8)
    assert totp.at(59) == "94287082" and totp.at(1111111109) == "07081804"
    assert pyotp.TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").at(59) == "287082"
