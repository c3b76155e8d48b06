"""The derivation of docs/fairness.md: known-answer vectors, rejection sampling, the fast paths equal the
plain one, and the draws pass frequency, serial and runs tests."""

from __future__ import annotations

import hashlib
import hmac
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casino.errors import InvalidParams
from casino.fairness import (
    Draws,
    _keyed,
    check_client_seed,
    digest,
    draw,
    first_draws,
    is_server_seed,
    new_server_seed,
    server_seed_hash,
)

ZEROS = "0" * 64
COUNTING = bytes(range(32)).hex()  # 000102...1e1f
EMPTY_SHA = hashlib.sha256(b"").hexdigest()
printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=64)

# (server_seed, client_seed, nonce, cursor) -> full digest hex, u = first 8 bytes, u % 10000.
VECTORS = [
    (ZEROS, "client", 0, 0,
     "fe7c1367538d6ccf4d0be430bde1079389741a0e1ce752a5e8c7ae7321d1d6ec", 18337553117250153679, 3679),
    (ZEROS, "client", 0, 1,
     "672a1ac0c21b4b9e0ba7d382c21e184b158b649feaed6b2154c634edaa8d66cf", 7433783550121036702, 6702),
    (ZEROS, "client", 1, 0,
     "32c6038d565a2ae76f692c9768952f4035c299a47827fdf78c4227e87e000b10", 3658615652859128551, 8551),
    (ZEROS, "my lucky seed", 42, 0,
     "496d98dfb88b4b7d3d8f797b990677f560bbe7811aca2c957016ceca2f9692dc", 5291053223871466365, 6365),
    (COUNTING, "client", 0, 0,
     "c5b894943f7d345a70b5e91dc32cec60ea5f49733ca89eaf0bedd8182efee2f6", 14247300785627804762, 4762),
    (COUNTING, "my lucky seed", 42, 0,
     "9eec530b7427340060a545aa577677389eb01d0c9798559fb0ec618e9026087a", 11451619261154800640, 640),
    (EMPTY_SHA, "client", 0, 0,
     "ec15c4e152ef2e429340762cf912cd02c79c0fee48767b8f9180b8187d5e597f", 17011719639500009026, 9026),
    (EMPTY_SHA, "client", 1, 0,
     "e11be805756a90c0ba9bec93342806ebeb93fe7a695d6b1a7a55df56e7c5f3fb", 16220813593047371968, 1968),
]  # fmt: skip


def plain_draw(seed: str, client_seed: str, nonce: int, k: int, cursor: int = 0):
    """An independent implementation, straight from the text of docs/fairness.md."""
    while True:
        key, msg = seed.encode("ascii"), f"{client_seed}:{nonce}:{cursor}".encode()
        u = int.from_bytes(hmac.new(key, msg, hashlib.sha256).digest()[:8], "big")
        cursor += 1
        if u < (2**64 // k) * k:
            return u % k, cursor


def test_seed_hashes_match_the_published_vectors():
    assert server_seed_hash(ZEROS) == (
        "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
    )
    assert server_seed_hash(COUNTING) == (
        "6c86c6aac5fb24bcf5d9939cb7d7d5645ce39418f449e03b262dd4fa14b4b92b"
    )
    assert server_seed_hash(EMPTY_SHA) == (
        "cd372fb85148700fa88095e3492d3f9f5beb43e555e5ff26d95f5a6adc36f8e6"
    )


@pytest.mark.parametrize(("seed", "client_seed", "nonce", "cursor", "hex_", "u", "roll"), VECTORS)
def test_known_answer_vectors(seed, client_seed, nonce, cursor, hex_, u, roll):
    message = f"{client_seed}:{nonce}:{cursor}".encode()
    assert hmac.new(seed.encode("ascii"), message, hashlib.sha256).hexdigest() == hex_
    assert digest(seed, client_seed, nonce, cursor).hex() == hex_
    draws = Draws(seed, client_seed, nonce)
    draws.cursor = cursor
    assert draws.digest().hex() == hex_
    assert int.from_bytes(bytes.fromhex(hex_)[:8], "big") == u and u % 10_000 == roll


def test_the_first_draw_of_a_round_is_the_dice_roll_of_the_vectors():
    for seed, client_seed, nonce, cursor, _, _, roll in VECTORS:
        if cursor == 0:
            assert Draws(seed, client_seed, nonce).below(10_000) == roll


def test_a_rejected_digest_moves_the_draw_to_the_next_cursor():
    # k = 2**63 + 1 rejects about half of all u: the bound is (2**64 // k) * k = k.
    k = 2**63 + 1
    assert VECTORS[0][5] >= k > VECTORS[1][5]  # cursor 0 of (zeros, client, 0) is rejected
    draws = Draws(ZEROS, "client", 0)
    assert draws.below(k) == 7433783550121036702 % k == 7433783550121036702
    assert draws.cursor == 2
    assert draw(ZEROS, "client", 0, k) == (7433783550121036702, 2)
    assert plain_draw(ZEROS, "client", 0, k) == (7433783550121036702, 2)


def test_rejections_advance_the_cursor_exactly_like_the_plain_text_over_many_rounds():
    k, rejected = 2**63 + 1, 0
    for nonce in range(200):
        draws = Draws(COUNTING, "rejection", nonce)
        values = [draws.below(k) for _ in range(3)]
        expected, cursor = [], 0
        for _ in range(3):
            value, cursor = plain_draw(COUNTING, "rejection", nonce, k, cursor)
            expected.append(value)
        assert values == expected and draws.cursor == cursor
        rejected += cursor - 3
    # Each draw is accepted with probability ~1/2: ~1 extra cursor per draw, 600 in all.
    assert 400 < rejected < 800


def test_a_second_draw_in_a_round_continues_at_the_next_unused_cursor():
    draws = Draws(ZEROS, "client", 0)
    assert draws.below(10_000) == 3679 and draws.cursor == 1
    assert draws.below(10_000) == 6702 and draws.cursor == 2  # cursor 1 of the vectors


@given(printable, st.integers(0, 10**12), st.integers(1, 2**64), st.integers(1, 4))
def test_draws_equal_the_plain_text_for_any_seed_nonce_range_and_count(client_seed, nonce, k, n):
    seed = hashlib.sha256(client_seed.encode()).hexdigest()
    draws = Draws(seed, client_seed, nonce)
    cursor, expected = 0, []
    for _ in range(n):
        value, cursor = plain_draw(seed, client_seed, nonce, k, cursor)
        expected.append(value)
    assert [draws.below(k) for _ in range(n)] == expected
    assert draws.cursor == cursor


@given(st.binary(min_size=0, max_size=200).map(bytes.hex), st.binary(max_size=300))
def test_the_precomputed_hmac_states_equal_hmac_new_for_any_key_length(key_hex, msg):
    # Keys longer than the 64-byte block are hashed first (RFC 2104): cover both sides of it.
    inner, outer = _keyed(key_hex)
    mac = inner.copy()
    mac.update(msg)
    out = outer.copy()
    out.update(mac.digest())
    assert out.digest() == hmac.new(key_hex.encode("ascii"), msg, hashlib.sha256).digest()


@given(printable, st.integers(0, 10**9), st.integers(1, 300), st.sampled_from([20, 10_000, 10**8]))
def test_batched_first_draws_equal_one_draws_object_per_round(client_seed, first, count, k):
    seed = hashlib.sha256(b"batch" + client_seed.encode()).hexdigest()
    batch = first_draws(seed, client_seed, first, count, k)
    assert batch == [Draws(seed, client_seed, n).below(k) for n in range(first, first + count)]


def test_batched_first_draws_handle_rejections():
    k = 2**63 + 1
    assert first_draws(ZEROS, "client", 0, 64, k) == [
        Draws(ZEROS, "client", n).below(k) for n in range(64)
    ]


@pytest.mark.parametrize("k", [0, -1, 2**64 + 1, True, 10.0])
def test_a_draw_range_must_be_an_integer_from_1_to_2_pow_64(k):
    with pytest.raises(ValueError):
        Draws(ZEROS, "client", 0).below(k)


def test_the_extreme_ranges_draw_without_rejection():
    assert Draws(ZEROS, "client", 0).below(1) == 0
    assert Draws(ZEROS, "client", 0).below(2**64) == VECTORS[0][5]


@pytest.mark.parametrize("nonce", [-1, True, 1.0, "0"])
def test_a_nonce_is_a_non_negative_integer(nonce):
    with pytest.raises(ValueError):
        Draws(ZEROS, "client", nonce)


def test_seeds_come_from_the_injected_entropy_as_64_lowercase_hex():
    asked = []

    def entropy(n: int) -> bytes:
        asked.append(n)
        return bytes([0xAB]) * n

    seed = new_server_seed(entropy)
    assert seed == "ab" * 32 and asked == [32] and is_server_seed(seed)
    with pytest.raises(ValueError):
        new_server_seed(lambda n: b"short")


@pytest.mark.parametrize("value", ["AB" * 32, "ab" * 31, "ab" * 33, "g" * 64, 7, None])
def test_a_server_seed_is_exactly_64_lowercase_hex(value):
    assert not is_server_seed(value)


@pytest.mark.parametrize("good", ["x", " ", "~" * 64, "my lucky seed: 42!"])
def test_client_seeds_of_1_to_64_printable_ascii_are_accepted(good):
    assert check_client_seed(good) == good


@pytest.mark.parametrize("bad", ["", "x" * 65, "caf\u00e9", "tab\there", "nl\n", "\x7f", None, 5])
def test_other_client_seeds_are_refused(bad):
    with pytest.raises(InvalidParams):
        check_client_seed(bad)


# Uniformity (docs/domain.md, section 5: frequency, serial correlation, runs). The seeds are fixed,
# so every test is deterministic; the bounds are two-sided p = 0.001 quantiles.
Z_999 = 3.0902  # the standard normal 99.9th percentile


def chi2_bounds(df: int) -> tuple[float, float]:
    """Two-sided 0.1% bounds of chi-square(df), Wilson-Hilferty (within 2% of the exact
    quantiles at df = 19, closer as df grows)."""
    c = 2 / (9 * df)
    return tuple(df * (1 - c + z * math.sqrt(c)) ** 3 for z in (-Z_999, Z_999))  # type: ignore[return-value]


def chi2(counts: list[int], expected: float) -> float:
    return sum((n - expected) ** 2 / expected for n in counts)


@pytest.fixture(scope="module")
def rolls() -> list[int]:
    """1,000,000 dice rolls: the first draw in [0, 10000) of nonces 0 .. 999,999."""
    return first_draws("ab" * 32, "uniformity", 0, 1_000_000, 10_000)


def test_a_million_rolls_are_uniform_over_the_10000_values(rolls):
    counts = [0] * 10_000
    for r in rolls:
        counts[r] += 1
    low, high = chi2_bounds(9_999)
    assert low < chi2(counts, 100) < high


def test_consecutive_rolls_are_independent_by_a_serial_chi_square(rolls):
    # Pairs of successive rounds' rolls, each bucketed into tenths: 100 cells, 500,000 pairs.
    counts = [0] * 100
    for a, b in zip(rolls[0::2], rolls[1::2], strict=True):
        counts[(a // 1000) * 10 + b // 1000] += 1
    low, high = chi2_bounds(99)
    assert low < chi2(counts, 5_000) < high


def test_consecutive_rolls_are_uncorrelated(rolls):
    n = len(rolls) - 1
    mean = sum(rolls) / len(rolls)
    var = sum((r - mean) ** 2 for r in rolls) / len(rolls)
    lag1 = sum((a - mean) * (b - mean) for a, b in zip(rolls, rolls[1:], strict=False)) / n / var
    assert abs(lag1) < Z_999 / math.sqrt(n)


def test_runs_above_and_below_the_median_are_as_many_as_chance_gives(rolls):
    # Wald-Wolfowitz: the number of runs of (roll >= 5000) is normal with known mean, variance.
    signs = [r >= 5_000 for r in rolls]
    n1 = sum(signs)
    n2 = len(signs) - n1
    runs = 1 + sum(1 for a, b in zip(signs, signs[1:], strict=False) if a != b)
    mean = 2 * n1 * n2 / (n1 + n2) + 1
    var = (mean - 1) * (mean - 2) / (n1 + n2 - 1)
    assert abs(runs - mean) / math.sqrt(var) < Z_999


def test_draws_at_later_cursors_are_uniform_and_independent_of_the_first():
    # Three draws in [0, 20) per round (a slot's reels) over 100,000 rounds: each position is
    # uniform (20 cells), and reel 1 against reel 2 is uniform over the 400 pairs.
    per_reel = [[0] * 20 for _ in range(3)]
    pairs = [0] * 400
    for nonce in range(100_000):
        draws = Draws("cd" * 32, "reels", nonce)
        stops = [draws.below(20) for _ in range(3)]
        for reel, stop in enumerate(stops):
            per_reel[reel][stop] += 1
        pairs[stops[0] * 20 + stops[1]] += 1
    low, high = chi2_bounds(19)
    for counts in per_reel:
        assert low < chi2(counts, 5_000) < high
    low, high = chi2_bounds(399)
    assert low < chi2(pairs, 250) < high
