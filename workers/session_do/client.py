"""The API's handle on one game session's SessionDO: one typed method per `GameSession` command
(`casino.messages`), each addressed to the object named by the session's id (the SessionDO
refuses a command without its address)."""

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
        """Create the session under its id, with its first server seed committed."""
        return await self._call("open", command.to_dict())

    async def describe(self, player_id: str) -> Answer:
        """The session as its player sees it (seed hash, client seed, next nonce)."""
        return await self._call("describe", SessionQuery(self.session_id, player_id).to_dict())

    async def play(self, command: PlayRound) -> Answer:
        """Reserve the next nonce for the round and have the player's wallet settle it."""
        return await self._call("play", command.to_dict())

    async def rounds(self, player_id: str) -> Answer:
        """The session's rounds: settled, void, and pending settlement."""
        return await self._call("rounds", SessionQuery(self.session_id, player_id).to_dict())

    async def rotate(self, player_id: str, client_seed: str | None) -> Answer:
        """Settle the current seed's pending rounds, reveal it and commit a new one."""
        command = RotateSeed(self.session_id, player_id, client_seed)
        return await self._call("rotate", command.to_dict())
