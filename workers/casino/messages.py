"""Typed messages at the Durable Object boundary, shared by the callers and the objects.

On the wire (RPC on the edge, a JSON clone locally) every message is a plain dict; here each has
one definition, a frozen dataclass with `to_dict`/`from_dict`, so a parameter can be followed
across the boundary by a reader and by mypy.

An object is addressed by a name (`idFromName`): a WalletDO by the player's id, a SessionDO by
the session's. On the edge an object does not learn its own name, so a client sends it along as
`_address` and the object refuses a command whose own id disagrees with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import DomainError

ADDRESS = "_address"


class AddressMismatch(DomainError):
    """A command reached an object other than the one its ids name: a bug of the caller, never
    of the player, so it is refused before anything is read or written."""

    code = "address_mismatch"
    status = 500
    title = "The command reached the wrong object"


def addressed(payload: Mapping[str, Any], address: str) -> dict[str, Any]:
    """`payload` as a client sends it to the object named `address`."""
    return {**payload, ADDRESS: address}


def unaddressed(payload: Mapping[str, Any], field: str) -> dict[str, Any]:
    """`payload` without its `_address`, once the address agrees with the payload's `field`
    (the object's own id: `player_id` for a wallet, `session_id` for a session). A payload sent
    without an address (an untyped caller) or without the field is taken as it is."""
    rest = {k: v for k, v in payload.items() if k != ADDRESS}
    address = payload.get(ADDRESS)
    if address is not None and field in rest and rest[field] != address:
        raise AddressMismatch(
            f"A command for {field} {rest[field]!r} was sent to the object named {address!r}"
        )
    return rest
