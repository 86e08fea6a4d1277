"""What the sandbox's servers (the Telegram Bot API sandbox, the SMTP sink) share: `async with`
starts one and stops it."""

from __future__ import annotations

import abc
from typing import Self


class Server(abc.ABC):
    """A server started by `start()` and stopped by `stop()`, also as an async context."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Start serving."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop serving and release what `start` took."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
