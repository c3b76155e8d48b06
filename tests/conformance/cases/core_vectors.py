"""Vectors of the pure core, computed the same way on CPython and on Pyodide.

The harness runs this file under the project's CPython (`python core_vectors.py` prints JSON)
and `test_core` computes it again inside Pyodide (Python 3.14): the two must be equal. PBKDF2 is
`hashlib.pbkdf2_hmac` on CPython and `infra.cloudflare.pbkdf2_webcrypto` (Web Crypto) on Pyodide,
so the password vectors also prove the two primitives give the same bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from casino import accounts, cpf, kyc, ledger, passwords
from casino.errors import DomainError
from casino.fairness import Draws, digest, first_draws, server_seed_hash
from casino.games import GAMES
from casino.jurisdictions import BRAZIL, GENERIC

Pbkdf2 = Callable[[bytes, bytes, int, int], Awaitable[bytes]]
NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
SEED = "".join(f"{i:02x}" for i in range(32))


def _json(value: Any) -> Any:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_json(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if hasattr(value, "__dataclass_fields__"):
        return {k: _json(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def outcome(fn: Callable[[], Any]) -> Any:
    try:
        return {"ok": _json(fn())}
    except DomainError as error:
        return {"refused": error.code, "status": error.status}
    except (ValueError, TypeError) as error:
        return {"error": type(error).__name__}


def cpf_vectors() -> Any:
    inputs = [
        "529.982.247-25", "52998224725", "529.982.247-24", "111.111.111-11", "12345678909",
        "123.456.789-09", "1234567890", "529 982 247 25", "529.982.247-2a", "",
        "\uff15\uff12\uff19\uff19\uff18\uff12\uff12\uff14\uff17\uff12\uff15",  # full-width digits
        "٥٢٩٩٨٢٢٤٧٢٥",  # Arabic-Indic digits
    ]  # fmt: skip
    return [[s, cpf.is_valid_cpf(s), cpf.normalize_cpf(s)] for s in inputs]


def account_vectors() -> Any:
    births = [date(2008, 2, 29), date(2008, 11, 25), date(2008, 11, 26), date(1990, 1, 1)]
    days = [date(2026, 2, 28), date(2026, 3, 1), date(2026, 11, 25)]
    ages = [[b, d, accounts.age_on(b, d)] for b in births for d in days]
    policy = [
        [pw, outcome(lambda pw=pw: accounts.check_password_policy(pw, "ana.souza@example.com"))]
        for pw in ["short1", "longenoughbutnodigit", "1234567890123", "Str0ng-Passw0rd!",
                   "ana.souza-2026!", "Sénha-Fórte-2026", "x" * 127 + "1", "x" * 128 + "1"]
    ]  # fmt: skip
    registrations = []
    for profile in (BRAZIL, GENERIC):
        for cpf_value in ("529.982.247-25", None, "123"):
            for birth in (date(2008, 11, 25), date(2008, 11, 26)):
                reg = accounts.Registration(
                    email=" Ana.Souza@Example.COM ", password="Str0ng-Passw0rd!",
                    full_name=" Ana Souza ", birth_date=birth, country="br", cpf=cpf_value,
                )  # fmt: skip
                registrations.append(
                    [profile.code, cpf_value, birth,
                     outcome(lambda reg=reg, p=profile: accounts.validate_registration(reg, p, date(2026, 11, 25)))]
                )  # fmt: skip
    return {"ages": _json(ages), "policy": policy, "registrations": _json(registrations)}


async def password_vectors(pbkdf2: Pbkdf2) -> Any:
    cases = [
        ("Str0ng-Passw0rd!", b"pepper", bytes(range(16)), 1),
        ("Str0ng-Passw0rd!", b"pepper", bytes(range(16)), passwords.ITERATIONS),
        ("Sénha-Fórte-2026 ✓", b"another pepper", b"\xff" * 16, 1000),
        ("a" * 128, b"", b"salt", 2),
    ]
    out = []
    for password, pepper, salt, iterations in cases:
        encoded = await passwords.hash_password(password, pepper, salt, pbkdf2, iterations)
        out.append(
            [
                password, pepper.hex(), salt.hex(), iterations, encoded,
                await passwords.verify_password(password, encoded, pepper, pbkdf2),
                await passwords.verify_password(password + "x", encoded, pepper, pbkdf2),
            ]
        )  # fmt: skip
    for malformed in ["", "pbkdf2_sha256$0$AA$AA", "pbkdf2_sha256$100001$AA$AA", "md5$1$AA$AA",
                      "pbkdf2_sha256$x$AA$AA", "pbkdf2_sha256$1$!!$AA"]:  # fmt: skip
        out.append([malformed, await passwords.verify_password("p", malformed, b"", pbkdf2)])
    raw = [
        (await pbkdf2(material, salt, iterations, length)).hex()
        for material, salt, iterations, length in [
            (b"password", b"salt", 1, 32),
            (b"password", b"salt", 4096, 32),
            (b"passwordPASSWORDpassword", b"saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40),
            (bytes(100), b"s" * 100, 3, 64),  # material longer than the SHA-256 block
            (b"\x00\xff", b"\x01", 10, 1),
        ]
    ]
    return {"hashes": out, "raw": raw}


def ledger_vectors() -> Any:
    state = ledger.Ledger()
    events: list[ledger.LedgerEvent] = []
    steps: list[Any] = []
    commands: list[tuple[str, Any]] = [
        ("deposit", ledger.Deposit(1000, "pix:1")),
        ("withdraw", ledger.Withdraw(2000, "w:1")),
        ("bet", (100, 250)),
        ("bet", (300, 0)),
        ("withdraw", ledger.Withdraw(850, "w:2")),
        ("deposit", ledger.Deposit(0, "pix:0")),
        ("deposit", ledger.Deposit(ledger.MAX_AMOUNT + 1, "pix:big")),
        ("deposit", ledger.Deposit(True, "pix:bool")),  # type: ignore[arg-type]
        ("deposit", ledger.Deposit(ledger.MAX_AMOUNT, "pix:max")),
        ("bet", (10, -1)),
        ("withdraw", ledger.Withdraw(ledger.MAX_AMOUNT, "w:max")),
    ]
    for i, (kind, command) in enumerate(commands):
        now = NOW + timedelta(seconds=i)

        def decide(
            kind: str = kind, command: Any = command, now: datetime = now,
            state: ledger.Ledger = state, i: int = i,
        ) -> Any:  # fmt: skip
            if kind == "deposit":
                return ledger.decide_deposit(state, command, now)
            if kind == "withdraw":
                return ledger.decide_withdrawal(state, command, now)
            return ledger.decide_bet_and_win(state, command[0], command[1], f"round:{i}", now)

        result = outcome(decide)
        steps.append([kind, result])
        if "ok" in result:
            for event in decide():
                events.append(event)
                state = ledger.evolve(state, event)
    tampered = [events[0], events[2], events[1], *events[3:]]
    negative = [ledger.LedgerEvent(1, ledger.EventType.WITHDRAWAL, 5, -5, NOW, "x")]
    return {
        "steps": steps,
        "final": _json(state),
        "signed": [e.signed_amount for e in events],
        "replay": _json(ledger.replay(events)),
        "tampered": _json(ledger.replay(tampered)),
        "negative": _json(ledger.replay(negative)),
        "empty": _json(ledger.replay([])),
    }


def kyc_vectors() -> Any:
    samples = [b"%PDF-1.7\n", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n\x00", b"GIF89a", b"",
               b"%PDF", b"<svg/>", b"\x00" * (kyc.MAX_DOCUMENT_BYTES + 1)]  # fmt: skip
    return {
        "documents": [[s[:12].hex(), len(s), outcome(lambda s=s: kyc.check_document(s))] for s in samples],
        "after_upload": [kyc.status_after_upload(s).value for s in kyc.KycStatus],
        "after_decision": [kyc.status_after_decision(d).value for d in ("approve", "reject", "")],
    }  # fmt: skip


def fairness_vectors() -> Any:
    games: dict[str, Any] = {}
    for game_id, game in sorted(GAMES.items()):
        rtp = game.default_rtp_bps
        described = game.describe(rtp)
        params = game.validate_params(described["example_params"], rtp)
        rounds = []
        for nonce in range(40):
            draws = Draws(SEED, "client seed ✓", nonce)
            rounds.append(_json(game.resolve(draws, 1000, params, rtp)) + [draws.cursor])
        games[game_id] = {
            "describe": _json(described),
            "rtp": _json(game.theoretical_rtp(rtp, params, None)),
            "rounds": rounds,
            "bad_params": outcome(lambda g=game, r=rtp: g.validate_params({"nope": 1}, r)),
        }
    return {
        "hash": server_seed_hash(SEED),
        "digest": digest(SEED, "c", 7, 3).hex(),
        "below": [
            Draws(SEED, "c", n).below(k) for n in range(5) for k in (2, 6, 10_000, 2**63 + 1)
        ],
        "first_draws": first_draws(SEED, "c", 10, 20, 10_000),
        "games": games,
    }


async def compute(pbkdf2: Pbkdf2) -> dict[str, Any]:
    return _json(
        {
            "cpf": cpf_vectors(),
            "accounts": account_vectors(),
            "passwords": await password_vectors(pbkdf2),
            "ledger": ledger_vectors(),
            "kyc": kyc_vectors(),
            "fairness": fairness_vectors(),
        }
    )


async def hashlib_pbkdf2(material: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", material, salt, iterations, length)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(compute(hashlib_pbkdf2)), sort_keys=True, ensure_ascii=False))
