"""asyncio Protocol echo server (default event loop, or uvloop with --loop uvloop).

The plain Protocol shape that asyncio's docs show: write back what data_received got. Runs until
SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from _cli import announce, parse_args


class Echo(asyncio.Protocol):
    transport: Any

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # uvloop's transport is not an asyncio.Transport subclass

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, host, port, backlog=1024)
    stop = loop.create_future()

    def on_signal() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    sock = server.sockets[0]
    announce(host, sock.getsockname()[1])
    await stop
    server.close()
    await server.wait_closed()


def main() -> None:
    args = parse_args(__doc__ or "", extra=True)
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(serve(args.host, args.port))
    else:
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
