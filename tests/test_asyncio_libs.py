"""Real asyncio libraries on jsloop.new_event_loop(), loopback only.

aiohttp (server and client: GET, a 5 MB POST, a streamed response, websocket echo),
httpx.AsyncClient, the websockets library.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os

import pytest

import jsloop
from jsloop.aio import JsloopEventLoop

aiohttp = pytest.importorskip("aiohttp")
from aiohttp import web  # noqa: E402


def run(coro_fn):
    with asyncio.Runner(loop_factory=jsloop.new_event_loop) as runner:
        assert isinstance(runner.get_loop(), JsloopEventLoop)
        return runner.run(coro_fn())


def _app() -> web.Application:
    async def hello(request):
        return web.Response(text="Hello, World!")

    async def upload(request):
        h = hashlib.sha256()
        size = 0
        async for chunk in request.content.iter_chunked(65536):
            h.update(chunk)
            size += len(chunk)
        return web.json_response({"size": size, "sha256": h.hexdigest()})

    async def stream(request):
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for i in range(50):
            await resp.write(f"chunk {i}\n".encode())
            await asyncio.sleep(0)
        await resp.write_eof()
        return resp

    async def ws(request):
        sock = web.WebSocketResponse()
        await sock.prepare(request)
        async for msg in sock:
            if msg.type == aiohttp.WSMsgType.TEXT:
                await sock.send_str("echo:" + msg.data)
            elif msg.type == aiohttp.WSMsgType.BINARY:
                await sock.send_bytes(msg.data)
        return sock

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_get("/", hello)
    app.router.add_post("/upload", upload)
    app.router.add_get("/stream", stream)
    app.router.add_get("/ws", ws)
    return app


class _Server:
    async def __aenter__(self):
        self.runner = web.AppRunner(_app())
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc):
        await self.runner.cleanup()


def test_aiohttp_get_post_5mb_stream_and_websocket():
    async def main():
        async with _Server() as srv, aiohttp.ClientSession() as session:
            async with session.get(srv.url + "/") as resp:
                assert resp.status == 200
                assert await resp.text() == "Hello, World!"

            body = os.urandom(5 * 1024 * 1024)
            async with session.post(srv.url + "/upload", data=io.BytesIO(body)) as resp:
                assert await resp.json() == {
                    "size": len(body), "sha256": hashlib.sha256(body).hexdigest()
                }

            async with session.get(srv.url + "/stream") as resp:
                lines = [line async for line in resp.content]
                assert lines == [f"chunk {i}\n".encode() for i in range(50)]

            async with session.ws_connect(srv.url + "/ws") as ws:
                for i in range(20):
                    await ws.send_str(f"m{i}")
                    assert (await ws.receive()).data == f"echo:m{i}"
                blob = os.urandom(200_000)
                await ws.send_bytes(blob)
                assert (await ws.receive()).data == blob
                await ws.close()

    run(main)


def test_aiohttp_many_concurrent_requests():
    async def main():
        async with _Server() as srv, aiohttp.ClientSession() as session:
            async def one(_):
                async with session.get(srv.url + "/") as resp:
                    return await resp.text()

            results = await asyncio.gather(*(one(i) for i in range(100)))
            assert results == ["Hello, World!"] * 100

    run(main)


def test_httpx_async_client():
    httpx = pytest.importorskip("httpx")

    async def main():
        async with _Server() as srv, httpx.AsyncClient() as client:
            r = await client.get(srv.url + "/")
            assert r.status_code == 200 and r.text == "Hello, World!"
            body = os.urandom(1_000_000)
            r = await client.post(srv.url + "/upload", content=body)
            assert r.json()["sha256"] == hashlib.sha256(body).hexdigest()
            async with client.stream("GET", srv.url + "/stream") as r:
                text = "".join([chunk async for chunk in r.aiter_text()])
            assert text == "".join(f"chunk {i}\n" for i in range(50))

    run(main)


def test_websockets_library_echo():
    websockets = pytest.importorskip("websockets")
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import serve

    async def echo(conn):
        async for message in conn:
            await conn.send(message)

    async def main():
        async with serve(echo, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            async with connect(f"ws://127.0.0.1:{port}") as ws:
                for i in range(50):
                    await ws.send(f"hello {i}")
                    assert await ws.recv() == f"hello {i}"
                blob = os.urandom(100_000)
                await ws.send(blob)
                assert await ws.recv() == blob
        assert websockets.__version__

    run(main)
