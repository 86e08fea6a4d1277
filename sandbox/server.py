"""What the sandbox's servers (the Telegram Bot API sandbox, the SMTP sink) share: `async with`
starts one and stops it."""

from __future__ import annotations

from typing import Self


class Server:
    """A server started by `start()` and stopped by `stop()`, also as an async context."""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
