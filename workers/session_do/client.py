"""The API's handle on one game session's SessionDO: each command is addressed to the object named
by the session's id and carries that id (`casino.messages`)."""

from __future__ import annotations

from typing import Any

from casino.messages import addressed
from infra.ports import ActorNamespace

Answer = dict[str, Any]


class SessionClient:
    def __init__(self, sessions: ActorNamespace, session_id: str) -> None:
        self.session_id = session_id
        self._stub = sessions.get(session_id)

    async def _call(self, method: str, payload: dict[str, Any]) -> Answer:
        command = {"session_id": self.session_id, **payload}
        return await self._stub.call(method, addressed(command, self.session_id))

    async def open(self, payload: dict[str, Any]) -> Answer:
        return await self._call("open", payload)

    async def describe(self, player_id: str) -> Answer:
        return await self._call("describe", {"player_id": player_id})

    async def play(self, payload: dict[str, Any]) -> Answer:
        return await self._call("play", payload)

    async def rounds(self, player_id: str) -> Answer:
        return await self._call("rounds", {"player_id": player_id})

    async def rotate(self, player_id: str, client_seed: str | None) -> Answer:
        return await self._call("rotate", {"player_id": player_id, "client_seed": client_seed})
