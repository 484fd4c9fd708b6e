"""jsloop.http server under real clients: curl, httpx (sync and async, on asyncio),
node's own http client, and 500 keep-alive connections x 20 requests with every
response checked."""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
from typing import Any

import httpx
import pytest
from test_http_helpers import CURL, NODE, ServerThread, needs_curl, needs_node

pytestmark = pytest.mark.timeout(60)


def echo_handler(req: Any, res: Any) -> None:
    chunks: list[bytes] = []
    req.on("data", chunks.append)

    def done() -> None:
        body = b"".join(chunks)
        res.setHeader("Content-Type", "application/octet-stream")
        res.setHeader("X-Method", req.method)
        res.setHeader("X-Url", req.url)
        res.end(body if body else req.url.encode())

    req.on("end", done)


@needs_curl
def test_curl_get_post_and_keep_alive() -> None:
    with ServerThread(echo_handler) as st:
        base = f"http://127.0.0.1:{st.port}"
        r = subprocess.run([CURL or "curl", "-s", "-i", base + "/one", base + "/two"],
                           capture_output=True, timeout=30)
        out = r.stdout
        assert out.count(b"HTTP/1.1 200 OK") == 2
        assert out.endswith(b"/two")
        r = subprocess.run([CURL or "curl", "-s", "-v", base + "/a", base + "/b"],
                           capture_output=True, timeout=30)
        assert b"Re-using existing connection" in r.stderr or b"left intact" in r.stderr
        data = bytes(range(256)) * 1000
        r = subprocess.run([CURL or "curl", "-s", "--data-binary", "@-", base + "/up"],
                           input=data, capture_output=True, timeout=30)
        assert r.stdout == data
        # chunked upload
        r = subprocess.run([CURL or "curl", "-s", "-H", "Transfer-Encoding: chunked",
                            "--data-binary", "@-", base + "/chunked"],
                           input=b"z" * 100000, capture_output=True, timeout=30)
        assert r.stdout == b"z" * 100000


def test_httpx_sync_and_async() -> None:
    with ServerThread(echo_handler) as st:
        base = f"http://127.0.0.1:{st.port}"
        with httpx.Client(timeout=10) as client:
            for i in range(20):
                r = client.post(base + f"/p{i}", content=b"x" * (i * 1000))
                assert r.status_code == 200
                assert r.headers["x-url"] == f"/p{i}"
                assert r.content == (b"x" * (i * 1000) or f"/p{i}".encode())
            r = client.get(base + "/q?a=1&b=2")
            assert r.text == "/q?a=1&b=2"
            assert r.headers["connection"] == "keep-alive"

        async def many() -> list[str]:
            async with httpx.AsyncClient(timeout=10) as ac:
                rs = await asyncio.gather(*(ac.get(base + f"/c{i}") for i in range(50)))
                return [r.text for r in rs]

        assert asyncio.run(many()) == [f"/c{i}" for i in range(50)]


NODE_CLIENT = r"""
const http = require('http');
const port = +process.argv[1];
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const results = [];
let pending = 40;
for (let i = 0; i < 40; i++) {
  const body = 'b'.repeat(i * 100);
  const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/n' + i, agent },
    (res) => {
      let data = '';
      res.setEncoding('latin1');
      res.on('data', (d) => data += d);
      res.on('end', () => {
        results[i] = [res.statusCode, res.headers['x-url'], data.length];
        if (--pending === 0) { agent.destroy(); console.log(JSON.stringify(results)); }
      });
    });
  req.end(body);
}
"""


@needs_node
def test_node_http_client() -> None:
    with ServerThread(echo_handler) as st:
        r = subprocess.run([NODE or "node", "-e", NODE_CLIENT, str(st.port)],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        results = json.loads(r.stdout)
    assert results == [[200, f"/n{i}", i * 100 or len(f"/n{i}")] for i in range(40)]


def test_500_keep_alive_clients_x_20_requests() -> None:
    """Every response is checked: status, the per-request header and the body."""

    def handler(req: Any, res: Any) -> None:
        res.setHeader("X-Id", req.url)
        res.end("r" + req.url)

    async def client(port: int, c: int) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        ok = 0
        try:
            for i in range(20):
                path = f"/{c}-{i}"
                writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                assert lines[0] == "HTTP/1.1 200 OK"
                hdrs = dict(line.split(": ", 1) for line in lines[1:] if line)
                assert hdrs["X-Id"] == path
                assert hdrs["Connection"] == "keep-alive"
                body = await reader.readexactly(int(hdrs["Content-Length"]))
                assert body == ("r" + path).encode()
                ok += 1
        finally:
            writer.close()
            await writer.wait_closed()
        return ok

    async def run_all(port: int) -> list[int]:
        return await asyncio.wait_for(
            asyncio.gather(*(client(port, c) for c in range(500))), 50)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:  # both ends of 500 connections live in this process
        if hard != resource.RLIM_INFINITY and hard < 2048:
            pytest.skip(f"needs 2048 fds, hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))
    with ServerThread(handler) as st:
        counts = asyncio.run(run_all(st.port))
    assert counts == [20] * 500
