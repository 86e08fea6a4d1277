"""One lock per private chat, so that a chat's updates are handled one at a time, in order,
while other chats go on."""

from __future__ import annotations

import asyncio
import weakref

from telegram import Update


class ChatLocks:
    """The locks of the private chats that have an update in hand (a lock goes away with the
    last handler holding it)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def of(self, update: Update) -> tuple[int, asyncio.Lock] | None:
        """The private chat of `update` and its lock; None for an update from any other chat."""
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            return None
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        return chat.id, lock
