"""The callers' handle on one player's WalletDO (the API's and the SessionDO's): each command is
addressed to the object named by the player's id and carries that id (`casino.messages`)."""

from __future__ import annotations

from typing import Any

from casino.messages import addressed
from infra.ports import ActorNamespace

Answer = dict[str, Any]


class WalletClient:
    def __init__(self, wallets: ActorNamespace, player_id: str) -> None:
        self.player_id = player_id
        self._stub = wallets.get(player_id)

    async def _call(self, method: str, payload: dict[str, Any]) -> Answer:
        return await self._stub.call(method, addressed(payload, self.player_id))

    async def check_can_play(self) -> Answer:
        """200 when the player may open a session (no exclusion in force), else the refusal."""
        return await self._call("check_can_play", {"player_id": self.player_id})

    async def settle_round(self, payload: dict[str, Any]) -> Answer:
        return await self._call("settle_round", payload)
