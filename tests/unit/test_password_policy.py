"""The password blocklist: common passwords and words, with affixes and substitutions undone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from casino.accounts import check_password_policy
from casino.errors import WeakPassword
from casino.password_policy import common_password_reason

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "password",
    ["password123", "Password123!", "P@ssw0rd2024", "qwerty12345", "Flamengo2024!", "Senha@12345",
     "iloveyou12", "1qaz2wsx3edc", "aaaaaaaaa1", "abcdefghi1", "0987654321x", "Casino2026!!",
     "Corinthians10"],
)  # fmt: skip
def test_common_and_patterned_passwords_are_refused(password):
    assert common_password_reason(password) is not None
    with pytest.raises(WeakPassword):
        check_password_policy(password, "someone@example.com")


@pytest.mark.parametrize(
    "password", ["Str0ng-Passw0rd!x", "0perator-Passw0rd!", "kiwi7tapir", "tapir-kin9-lamp",
                 "Ch4ngeMe-N0w!", "correct horse battery staple 9"],
)  # fmt: skip
def test_passphrases_built_of_several_words_pass(password):
    assert common_password_reason(password) is None
    check_password_policy(password, "someone@example.com")


@pytest.mark.skipif(not shutil.which("node"), reason="node is needed to regenerate the list")
def test_the_shipped_blocklist_is_exactly_what_the_pinned_packages_give():
    if not (ROOT / "node_modules/@zxcvbn-ts/language-common").is_dir():
        pytest.skip("node_modules not installed (make setup)")
    result = subprocess.run(
        ["node", "scripts/build_password_blocklist.mjs", "--check"], cwd=ROOT,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
