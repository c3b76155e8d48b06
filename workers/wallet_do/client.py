"""The callers' handle on one player's WalletDO (the API's and the SessionDO's): typed commands
(`casino.messages`), each addressed to the object named by the player's id."""

from __future__ import annotations

from typing import Any

from casino.messages import SettleRound, addressed
from infra.ports import ActorNamespace

Answer = dict[str, Any]  # `{status, body}`, the body as the HTTP answer shows it


class WalletClient:
    def __init__(self, wallets: ActorNamespace, player_id: str) -> None:
        self.player_id = player_id
        self._stub = wallets.get(player_id)

    async def _call(self, method: str, payload: dict[str, Any]) -> Answer:
        return await self._stub.call(method, addressed(payload, self.player_id))

    async def check_can_play(self) -> Answer:
        """200 when the player may open a session (no exclusion in force), else the refusal."""
        return await self._call("check_can_play", {"player_id": self.player_id})

    async def settle_round(self, command: SettleRound) -> Answer:
        """BET and WIN of a resolved round, at most once per round id."""
        return await self._call("settle_round", command.to_dict())

    async def aml_restrict(self, level: str | None, *, lift: bool = False) -> Answer:
        """The AML restriction an alert asks (`hold`, `freeze`); `lift` with None lifts it."""
        payload: dict[str, Any] = {"player_id": self.player_id, "level": level}
        if lift:
            payload["lift"] = True
        return await self._call("aml_restrict", payload)
