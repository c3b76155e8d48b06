"""The API's handle on one game session's SessionDO: typed commands (`casino.messages`), each
addressed to the object named by the session's id."""

from __future__ import annotations

from typing import Any

from casino.messages import OpenSession, PlayRound, RotateSeed, SessionQuery, addressed
from infra.ports import ActorNamespace

Answer = dict[str, Any]  # `{status, body}`, the body as the HTTP answer shows it


class SessionClient:
    def __init__(self, sessions: ActorNamespace, session_id: str) -> None:
        self.session_id = session_id
        self._stub = sessions.get(session_id)

    async def _call(self, method: str, payload: dict[str, Any]) -> Answer:
        return await self._stub.call(method, addressed(payload, self.session_id))

    async def open(self, command: OpenSession) -> Answer:
        return await self._call("open", command.to_dict())

    async def describe(self, player_id: str) -> Answer:
        return await self._call("describe", SessionQuery(self.session_id, player_id).to_dict())

    async def play(self, command: PlayRound) -> Answer:
        """Reserve the next nonce for the round and have the player's wallet settle it."""
        return await self._call("play", command.to_dict())

    async def rounds(self, player_id: str) -> Answer:
        return await self._call("rounds", SessionQuery(self.session_id, player_id).to_dict())

    async def rotate(self, player_id: str, client_seed: str | None) -> Answer:
        command = RotateSeed(self.session_id, player_id, client_seed)
        return await self._call("rotate", command.to_dict())
