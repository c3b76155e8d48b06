"""Local stand-ins for the outside world a casino pays and writes to: a payment provider that
takes every payout (recorded in a JSON-lines file, idempotent by ref, as a PSP's API is) and a
mailbox directory where each e-mail lands as an .eml file (the local "mail server")."""

from __future__ import annotations

import asyncio
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any


class LocalPayouts:
    """Every payout is taken at once (an instant PIX); the ledger of what was paid is a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._paid: set[str] | None = None

    def _known(self) -> set[str]:
        if self._paid is None:
            lines = self.path.read_text().splitlines() if self.path.exists() else []
            self._paid = {json.loads(line)["ref"] for line in lines if line.strip()}
        return self._paid

    async def pay(self, payout: dict[str, Any]) -> None:
        if payout["ref"] in self._known():
            return
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(payout, sort_keys=True) + "\n")
        self._known().add(payout["ref"])
        await asyncio.sleep(0)


class LocalMailbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["To"], message["From"], message["Subject"] = (
            recipient,
            "noreply@casino.local",
            subject,
        )
        message.set_content(body)
        name = f"{len(list(self.directory.iterdir())):06d}.eml"
        (self.directory / name).write_bytes(bytes(message))
        await asyncio.sleep(0)
