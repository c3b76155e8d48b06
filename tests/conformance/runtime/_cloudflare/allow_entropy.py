"""How many getentropy calls the top level may make right now (see the package docstring).

The counter lives in the harness (JS), which checks it on every call of the random source that
Pyodide's getentropy uses, as workerd checks a byte shared with Python."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from _conformance_host import entropy as _gate  # type: ignore[import-not-found]


def in_request_context() -> bool:
    return bool(_gate.inRequest)


def is_bad_entropy_enabled() -> bool:
    return int(_gate.allowed) > 0


def should_allow_entropy_call() -> bool:
    return in_request_context() or is_bad_entropy_enabled()


def raise_unless_entropy_allowed() -> None:
    if not should_allow_entropy_call():
        raise OSError(29, "Cannot get entropy outside of request context")  # EIO


@contextmanager
def allow_bad_entropy_calls(n: int) -> Iterator[None]:
    """Let exactly `n` getentropy calls through; fewer is an error, as on the edge."""
    previous = int(_gate.allowed)
    _gate.allowed = n
    yield
    left = int(_gate.allowed)
    if left > 0:
        raise RuntimeError(f"{left} unexpected leftover getentropy calls ")
    _gate.allowed = previous
