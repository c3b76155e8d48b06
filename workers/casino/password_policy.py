"""Whether a password is built on a common one (NIST SP 800-63B 3.1.1.2: refuse passwords from
breach corpuses, dictionary words, repetitive or sequential characters, context-specific words).

A password is refused when, lower-cased, it is a listed password or word, or becomes one after its
leading and trailing digits and symbols are stripped (`Flamengo2024!`), with or without the usual
character substitutions undone (`P@ssw0rd1` -> `password`), or when it has too few distinct
characters (`aaaaaaaaa1`) or is one run of a keyboard or alphabet sequence (`1qaz2wsx3edc`).
"""

from __future__ import annotations

import re

from .common_passwords import COMMON

# Words of this service and of Brazilian life that the generated lists lack.
CONTEXT_WORDS = frozenset(
    {
        "acmetocasino", "acme", "casino", "cassino", "aposta", "apostas", "bet", "betbr",
        "senha", "senhaforte", "minhasenha", "mudar", "trocar", "corinthians", "palmeiras",
        "saopaulo", "gremio", "cruzeiro", "botafogo", "fluminense", "vasco", "santos",
        "internacional", "atletico", "bahia", "brasil", "brazil",
    }
)  # fmt: skip
MIN_DISTINCT_CHARACTERS = 5
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l", "+": "t"})  # fmt: skip
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "zaq12wsxcde34rfvbgt56yhnmju78ik,lo90p",
)


def _listed(candidate: str) -> bool:
    return candidate in COMMON or candidate in CONTEXT_WORDS


def _is_sequence(text: str) -> bool:
    for sequence in _SEQUENCES:
        for run in (sequence, sequence[::-1]):
            if len(text) >= 4 and text in run * 2:
                return True
    return False


def common_password_reason(password: str) -> str | None:
    """Why `password` is too guessable, or None when it is not built on anything common."""
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        return "The password repeats too few characters"
    stripped = _AFFIXES.sub("", lowered)
    for candidate in {lowered, stripped, lowered.translate(_LEET), stripped.translate(_LEET)}:
        if _listed(candidate) or _listed(_AFFIXES.sub("", candidate)):
            return "The password is a common password or word; choose a less guessable one"
    if _is_sequence(lowered) or (len(stripped) >= 4 and _is_sequence(stripped)):
        return "The password is a keyboard or alphabet sequence"
    if len(stripped) < 4:  # hardly any letters: then its digit and letter runs must not be common
        for run in re.findall(r"[a-z]+|\d+", lowered):
            if len(run) >= 6 and (_listed(run) or _is_sequence(run)):
                return "The password is built on a common number or sequence"
    return None
