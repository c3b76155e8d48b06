import asyncio
import hashlib

from casino.passwords import ITERATIONS, hash_password, verify_password

PEPPER = b"pepper"


async def pbkdf2(material: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", material, salt, iterations, length)


def run(coro):
    return asyncio.run(coro)


def test_a_hash_is_self_describing_and_verifies():
    encoded = run(hash_password("Str0ng-Passw0rd!", PEPPER, b"s" * 16, pbkdf2))
    algorithm, iterations, _salt, _hash = encoded.split("$")
    assert algorithm == "pbkdf2_sha256" and int(iterations) == ITERATIONS
    assert run(verify_password("Str0ng-Passw0rd!", encoded, PEPPER, pbkdf2))


def test_a_wrong_password_or_a_wrong_pepper_does_not_verify():
    encoded = run(hash_password("Str0ng-Passw0rd!", PEPPER, b"s" * 16, pbkdf2))
    assert not run(verify_password("Str0ng-Passw0rd?", encoded, PEPPER, pbkdf2))
    assert not run(verify_password("Str0ng-Passw0rd!", encoded, b"other", pbkdf2))


def test_the_salt_makes_equal_passwords_hash_differently():
    a = run(hash_password("Str0ng-Passw0rd!", PEPPER, b"a" * 16, pbkdf2))
    b = run(hash_password("Str0ng-Passw0rd!", PEPPER, b"b" * 16, pbkdf2))
    assert a != b


def test_malformed_stored_hashes_never_match():
    for stored in ("", "plain", "md5$1$a$b", "pbkdf2_sha256$x$a$b", "pbkdf2_sha256$999999999$a$b"):
        assert not run(verify_password("anything1", stored, PEPPER, pbkdf2))


def test_the_hash_is_pinned_so_edge_and_local_agree():
    # Web Crypto on the edge must produce these very bytes (the conformance suite checks it).
    encoded = run(hash_password("Str0ng-Passw0rd!", PEPPER, bytes(range(16)), pbkdf2))
    assert encoded == ("pbkdf2_sha256$100000$AAECAwQFBgcICQoLDA0ODw$" + encoded.rsplit("$", 1)[1])
    assert len(encoded.rsplit("$", 1)[1]) == 43
