"""examples/http_hello.py and examples/http_file_server.py as programs: the
API.md contract line (listening line, 200 Hello, keep-alive) and graceful
shutdown on SIGINT/SIGTERM (idle keep-alive connections closed, in-flight
downloads finished, exit 0 within 2 s)."""

from __future__ import annotations

import http.client as httpclient
import io
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from _io_helpers import start_example, stop, wait_for_line
from test_http_helpers import read_response

pytestmark = pytest.mark.timeout(60)
LISTENING = r"listening on (\S+):(\d+)"


def serve(name: str, *args: str) -> tuple[subprocess.Popen[str], int]:
    proc = start_example(name, "--host", "127.0.0.1", "--port", "0", *args)
    m = wait_for_line(proc, LISTENING)
    assert m.group(1) == "127.0.0.1"
    return proc, int(m.group(2))


def exits_0_within(proc: subprocess.Popen[str], secs: float) -> float:
    t0 = time.monotonic()
    assert proc.wait(secs + 3) == 0
    return time.monotonic() - t0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_hello_contract_and_graceful_shutdown(sig: Any) -> None:
    proc, port = serve("http_hello.py")
    try:
        conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(3):
            conn.request("GET", "/anything")
            r = conn.getresponse()
            assert (r.status, r.read()) == (200, b"Hello, World!\n")
            assert r.getheader("Content-Type") == "text/plain"
            assert r.getheader("Connection") == "keep-alive"
        idle = conn.sock  # an idle keep-alive connection stays open
        assert idle is not None
        proc.send_signal(sig)
        assert idle.recv(1) == b""  # closed by the server at shutdown
        assert exits_0_within(proc, 2.0) < 2.0
        conn.close()
    finally:
        stop(proc)


def test_file_server_streams_and_finishes_in_flight_download(tmp_path: Path) -> None:
    big = bytes(range(256)) * 40000  # 10 MB
    (tmp_path / "big.bin").write_bytes(big)
    (tmp_path / "a.txt").write_text("hi\n")
    proc, port = serve("http_file_server.py", "--root", str(tmp_path))
    try:
        conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/a.txt")
        r = conn.getresponse()
        assert (r.status, r.read(), r.getheader("Content-Type")) == (200, b"hi\n", "text/plain")
        for path, code in (("/nope", 404), ("/../../etc/passwd", 403)):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            assert r.status == code
        conn.request("POST", "/a.txt", body=b"x")
        r = conn.getresponse()
        r.read()
        assert r.status == 405
        conn.request("HEAD", "/big.bin")
        r = conn.getresponse()
        assert r.getheader("Content-Length") == str(len(big)) and r.read() == b""
        # start a download, read a little, then ask the server to stop
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        f = s.makefile("rb")
        first = f.read(1000)
        assert first.startswith(b"HTTP/1.1 200 OK")
        proc.send_signal(signal.SIGTERM)
        rest = f.read()  # the server finishes this download, then closes
        status, _headers, body = read_response(io.BytesIO(first + rest))
        assert status == "HTTP/1.1 200 OK" and body == big
        assert exits_0_within(proc, 2.0) < 2.0
        s.close()
        conn.close()
    finally:
        stop(proc)
