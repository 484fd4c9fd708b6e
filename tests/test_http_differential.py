"""Differential: the same handler on node 20's http server and on jsloop.http;
the same raw bytes (valid, pipelined and malformed requests) sent to both over a
fresh connection (then half-closed); the bytes that come back must be equal
(only the ``Date`` value is masked). Skipped without node."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from typing import Any

import pytest
from test_http_helpers import NODE, ServerThread, needs_node

pytestmark = [needs_node, pytest.mark.timeout(60)]

NODE_HANDLER = r"""
const http = require('http');
function handler(req, res) {
  const u = req.url;
  if (u === '/chunked') { res.write('a'); res.write('bc'); res.end(); }
  else if (u === '/obj') {
    res.writeHead(200, {'Content-Type': 'text/plain', 'X-A': ['1', '2']}); res.end('obj');
  } else if (u === '/echo') {
    const c = [];
    req.on('data', (d) => c.push(d));
    req.on('end', () => {
      const b = Buffer.concat(c);
      res.setHeader('X-Len', String(b.length));
      res.end(b);
    });
  } else if (u === '/204') { res.statusCode = 204; res.end('x'); }
  else if (u === '/304') { res.statusCode = 304; res.end(); }
  else if (u === '/headers') {
    res.end(JSON.stringify([req.method, req.httpVersion, req.headers, req.rawHeaders]));
  } else if (u === '/trailers') {
    res.writeHead(200, {'Trailer': 'X-T'}); res.write('t'); res.addTrailers({'X-T': 'v'});
    res.end();
  } else if (u === '/close') { res.setHeader('Connection', 'close'); res.end('bye'); }
  else if (u === '/len') { res.setHeader('Content-Length', '5'); res.end('hello'); }
  else if (u === '/status') { res.writeHead(418, 'Short And Stout'); res.end(); }
  else if (u === '/array') { res.writeHead(201, ['X-B', '1', 'X-B', '2']); res.end('arr'); }
  else if (u === '/remove') {
    res.setHeader('X-Gone', '1'); res.removeHeader('x-gone'); res.removeHeader('Date');
    res.end('r');
  } else if (u === '/flush') { res.setHeader('X-F', '1'); res.flushHeaders(); res.end('late'); }
  else if (u === '/write-head-pairs') {
    res.writeHead(202, 'Fine', [['X-P', 'a'], ['X-P', 'b']]); res.end();
  } else { res.setHeader('Content-Type', 'text/plain'); res.end('Hello, World!\n'); }
}
const s = http.createServer(handler);
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
"""


def py_handler(req: Any, res: Any) -> None:
    u = req.url
    if u == "/chunked":
        res.write("a")
        res.write("bc")
        res.end()
    elif u == "/obj":
        res.writeHead(200, {"Content-Type": "text/plain", "X-A": ["1", "2"]})
        res.end("obj")
    elif u == "/echo":
        chunks: list[bytes] = []
        req.on("data", chunks.append)

        def done() -> None:
            body = b"".join(chunks)
            res.setHeader("X-Len", str(len(body)))
            res.end(body)

        req.on("end", done)
    elif u == "/204":
        res.statusCode = 204
        res.end("x")
    elif u == "/304":
        res.statusCode = 304
        res.end()
    elif u == "/headers":
        res.end(json.dumps([req.method, req.httpVersion, req.headers, req.rawHeaders],
                           separators=(",", ":"), ensure_ascii=False))
    elif u == "/trailers":
        res.writeHead(200, {"Trailer": "X-T"})
        res.write("t")
        res.addTrailers({"X-T": "v"})
        res.end()
    elif u == "/close":
        res.setHeader("Connection", "close")
        res.end("bye")
    elif u == "/len":
        res.setHeader("Content-Length", "5")
        res.end("hello")
    elif u == "/status":
        res.writeHead(418, "Short And Stout")
        res.end()
    elif u == "/array":
        res.writeHead(201, ["X-B", "1", "X-B", "2"])
        res.end("arr")
    elif u == "/remove":
        res.setHeader("X-Gone", "1")
        res.removeHeader("x-gone")
        res.removeHeader("Date")
        res.end("r")
    elif u == "/flush":
        res.setHeader("X-F", "1")
        res.flushHeaders()
        res.end("late")
    elif u == "/write-head-pairs":
        res.writeHead(202, "Fine", [["X-P", "a"], ["X-P", "b"]])
        res.end()
    else:
        res.setHeader("Content-Type", "text/plain")
        res.end("Hello, World!\n")


H = b"Host: x\r\n"
CASES: dict[str, bytes] = {
    "hello": b"GET / HTTP/1.1\r\n" + H + b"\r\n",
    "head": b"HEAD / HTTP/1.1\r\n" + H + b"\r\n",
    "http10": b"GET / HTTP/1.0\r\n\r\n",
    "http10-keepalive": b"GET /len HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "http10-keepalive-nolen": b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "pipelined": (b"GET /len HTTP/1.1\r\n" + H + b"\r\nGET /chunked HTTP/1.1\r\n" + H
                  + b"\r\nGET /obj HTTP/1.1\r\n" + H + b"\r\n"),
    "echo-chunked": (b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                     b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
    "echo-length": b"PUT /echo HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello",
    "headers": (b"GET /headers HTTP/1.1\r\n" + H + b"Set-Cookie: a\r\nset-cookie: b\r\n"
                b"Cookie: x=1\r\nCookie: y=2\r\nAccept: a\r\nAccept: b\r\nContent-Type: t1\r\n"
                b"Content-Type: t2\r\nX-Dup: 1\r\nX-Dup: 2\r\nUser-Agent: u1\r\n"
                b"User-Agent: u2\r\nX-Latin: caf\xe9\r\n\r\n"),
    "204": b"GET /204 HTTP/1.1\r\n" + H + b"\r\n",
    "304": b"GET /304 HTTP/1.1\r\n" + H + b"\r\n",
    "trailers": b"GET /trailers HTTP/1.1\r\n" + H + b"\r\n",
    "close": b"GET /close HTTP/1.1\r\n" + H + b"\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
    "connection-close": b"GET / HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n",
    "status-message": b"GET /status HTTP/1.1\r\n" + H + b"\r\n",
    "array-headers": b"GET /array HTTP/1.1\r\n" + H + b"\r\n",
    "removed-headers": b"GET /remove HTTP/1.1\r\n" + H + b"\r\n",
    "missing-host": b"GET / HTTP/1.1\r\n\r\n",
    "expect-continue": (b"POST /echo HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\n"
                        b"Content-Length: 2\r\n\r\nok"),
    "expect-other": b"GET / HTTP/1.1\r\n" + H + b"Expect: other\r\n\r\n",
    "double-space": b"GET  / HTTP/1.1\r\n" + H + b"\r\n",
    "leading-crlf": b"\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
    "bad-method": b"GARBAGE\r\n\r\n",
    "smuggling-cl-te": (b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    "duplicate-cl": (b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n"
                     b"Content-Length: 4\r\n\r\nabcd"),
    "bad-cl": b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: x\r\n\r\n",
    "bad-header-name": b"GET / HTTP/1.1\r\n" + H + b"Bad Header: x\r\n\r\n",
    "bad-header-value": b"GET / HTTP/1.1\r\n" + H + b"X: a\x01b\r\n\r\n",
    "bad-version": b"GET / HTTP/9.1\r\n" + H + b"\r\n",
    "bad-protocol": b"GET / FOO/1.1\r\n\r\n",
    "bad-chunk": (b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                  b"zz\r\n"),
    "bad-te": b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n",
    "lf-only": b"GET / HTTP/1.1\nHost: x\n\n",
    "obs-fold": b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n",
    "header-overflow": b"GET / HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 17000 + b"\r\n\r\n",
    "url-ctl": b"GET /\x7f HTTP/1.1\r\n" + H + b"\r\n",
    "h2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "incomplete-body": b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 10\r\n\r\nabc",
    "incomplete-head": b"GET / HTTP/1.1\r\nHost: x\r\n",
    "upgrade-without-listener": (b"GET /len HTTP/1.1\r\n" + H + b"Upgrade: websocket\r\n"
                                 b"Connection: Upgrade\r\n\r\nGET /chunked HTTP/1.1\r\n" + H
                                 + b"\r\n"),
    "flush-headers": b"GET /flush HTTP/1.1\r\n" + H + b"\r\n",
    "write-head-pairs": b"GET /write-head-pairs HTTP/1.1\r\n" + H + b"\r\n",
    "connect-without-listener": b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
}

DATE = re.compile(rb"Date: [^\r]*\r\n")


def exchange(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                d = s.recv(65536)
            except ConnectionResetError:
                break
            if not d:
                break
            chunks.append(d)
    return DATE.sub(b"Date: <masked>\r\n", b"".join(chunks))


@pytest.fixture(scope="module")
def node_port() -> Any:
    proc = subprocess.Popen([NODE or "node", "-e", NODE_HANDLER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        yield int(proc.stdout.readline())
    finally:
        proc.stdin.close()
        proc.wait(10)
        proc.stdout.close()


@pytest.fixture(scope="module")
def jsloop_port() -> Any:
    with ServerThread(py_handler, timeout=120) as st:
        yield st.port


@pytest.mark.parametrize("name", list(CASES))
def test_same_bytes_as_node(name: str, node_port: int, jsloop_port: int) -> None:
    payload = CASES[name]
    expected = exchange(node_port, payload)
    got = exchange(jsloop_port, payload)
    assert got == expected


def test_status_codes_and_methods_match_node() -> None:
    from jsloop import http

    out = subprocess.run(
        [NODE or "node", "-e",
         "const h = require('http'); console.log(JSON.stringify([h.STATUS_CODES, h.METHODS, "
         "h.maxHeaderSize]))"], capture_output=True, text=True, timeout=30)
    codes, methods, max_header = json.loads(out.stdout)
    assert {int(k): v for k, v in codes.items()} == http.STATUS_CODES
    assert methods == http.METHODS
    assert max_header == http.maxHeaderSize
