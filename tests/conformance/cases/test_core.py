"""The pure core behaves on Pyodide (Python 3.14) exactly as on CPython."""

from __future__ import annotations

from datetime import UTC, datetime

from casino.cpf import is_valid_cpf
from casino.fairness import Draws, server_seed_hash
from casino.games import GAMES, theoretical_rtp
from casino.kyc import check_document
from casino.ledger import Deposit, Ledger, decide_bet_and_win, decide_deposit, evolve, replay
from casino.passwords import hash_password, verify_password
from infra.cloudflare import pbkdf2_webcrypto

NOW = datetime(2026, 11, 25, tzinfo=UTC)

# Computed on CPython: hashlib.pbkdf2_hmac("sha256", b"material", b"salt" * 4, 1, 32).
PBKDF2_ONE_ROUND = "8ede625ebbeebf83b4acb1ad4b6adbfaf0d4df445e2f4024586d83be9a3b856a"


async def test_cpf_ledger_kyc_and_fairness_match_cpython():
    assert is_valid_cpf("529.982.247-25") and not is_valid_cpf("529.982.247-24")
    [deposit] = decide_deposit(Ledger(), Deposit(1000, "p"), NOW)
    bet, win = decide_bet_and_win(evolve(Ledger(), deposit), 100, 250, "r", NOW)
    assert replay([deposit, bet, win]).balance == 1150
    assert check_document(b"%PDF-1.7") == "application/pdf"
    assert server_seed_hash("0" * 64) == (
        "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
    )
    assert Draws("0" * 64, "client", 0).below(10_000) == 3679
    assert Draws(bytes(range(32)).hex(), "my lucky seed", 42).below(10_000) == 640


async def test_exact_rtp_is_computed_the_same():
    for game in GAMES.values():
        params = game.describe(9700)["example_params"]
        assert abs(float(theoretical_rtp(game, 9700, params, 1_000_000)) - 0.97) < 1e-6


async def test_web_crypto_pbkdf2_gives_the_bytes_hashlib_gives():
    derived = await pbkdf2_webcrypto(b"material", b"salt" * 4, 1, 32)
    assert derived.hex() == PBKDF2_ONE_ROUND


async def test_password_hashes_made_on_the_edge_verify_the_same_way():
    encoded = await hash_password("Str0ng-Passw0rd!", b"pepper", bytes(range(16)), pbkdf2_webcrypto)
    assert encoded.startswith("pbkdf2_sha256$100000$AAECAwQFBgcICQoLDA0ODw$")
    assert encoded == EDGE_HASH
    assert await verify_password("Str0ng-Passw0rd!", encoded, b"pepper", pbkdf2_webcrypto)
    assert not await verify_password("wrong-passw0rd", encoded, b"pepper", pbkdf2_webcrypto)


# hash_password("Str0ng-Passw0rd!", b"pepper", bytes(range(16)), hashlib) on CPython:
EDGE_HASH = (
    "pbkdf2_sha256$100000$AAECAwQFBgcICQoLDA0ODw$FDCLgs-GNbl-3z4l0JbAGZ7sZej8egblHf-Usg1uD-U"
)
