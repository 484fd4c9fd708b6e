"""asyncio streams echo server: one coroutine per connection, read() then write() + drain().

Runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal

from _cli import announce, parse_args


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await asyncio.start_server(handle, host, port, backlog=1024)
    stop = loop.create_future()

    def on_signal() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    announce(host, server.sockets[0].getsockname()[1])
    await stop
    server.close()


def main() -> None:
    args = parse_args(__doc__ or "")
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
