"""A listening socket closed and opened again at will, so that a sandbox can play a server gone
away: while it is closed, new connections are refused.

asyncio's own server cannot be used for this. Closed just after it accepted a connection, and
before that connection's transport was made, it leaves the transport half made and never closed
(Python 3.11: `Server._attach` asserts): a socket leaked, and a client left waiting on it. Here a
connection accepted is always handed to the protocol, or closed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable


class Listener:
    """Accepts connections on host:port for `protocol_factory` while open (port 0: a free port,
    kept when it opens again)."""

    def __init__(
        self, protocol_factory: Callable[[], asyncio.Protocol], host: str, port: int
    ) -> None:
        self._factory = protocol_factory
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._handing: set[asyncio.Task[None]] = set()

    def open(self) -> None:
        """Listen (at once: connections are accepted from the next turn of the loop)."""
        if self._sock is not None:
            return
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.create_server((self.host, self.port), family=family, backlog=128)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        asyncio.get_running_loop().add_reader(sock.fileno(), self._accept, sock)
        self._sock = sock

    def close(self) -> None:
        """Stop listening (at once): connections not accepted yet are refused by the system;
        those accepted already are served."""
        sock, self._sock = self._sock, None
        if sock is not None:
            asyncio.get_running_loop().remove_reader(sock.fileno())
            sock.close()

    async def aclose(self) -> None:
        """Stop listening and wait until every connection accepted is handed over."""
        self.close()
        await asyncio.gather(*self._handing)

    def _accept(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while self._sock is sock:
            try:
                conn, _ = sock.accept()
            except OSError:  # none waiting, aborted before it was accepted, or out of descriptors
                return
            task = loop.create_task(self._hand_over(conn))
            self._handing.add(task)
            task.add_done_callback(self._handing.discard)

    async def _hand_over(self, conn: socket.socket) -> None:
        try:
            await asyncio.get_running_loop().connect_accepted_socket(self._factory, conn)
        except OSError:  # the client went away meanwhile
            conn.close()
