"""The examples as programs: --help, examples/echo.py with 1,000 concurrent
clients, SIGINT/SIGTERM shutdown with exit code 0, and the two baselines."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

import pytest
from _io_helpers import EXAMPLES, REPO, start_example, stop, wait_for_line

sys.path.insert(0, str(EXAMPLES))
from echo_client import run_clients

LISTENING = r"listening on (\S+):(\d+)"


@pytest.mark.parametrize(
    "name", ["echo.py", "blocking_echo.py", "threaded_echo.py", "echo_client.py", "files.py"]
)
def test_example_help(name: str) -> None:
    out = subprocess.run([sys.executable, str(EXAMPLES / name), "--help"], capture_output=True,
                         text=True, timeout=30, cwd=REPO,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout


def _serve(name: str, *args: str) -> tuple[subprocess.Popen[str], int]:
    proc = start_example(name, "--host", "127.0.0.1", "--port", "0", *args)
    m = wait_for_line(proc, LISTENING)
    assert m.group(1) == "127.0.0.1"
    port = int(m.group(2))
    assert port > 0
    return proc, port


@pytest.mark.timeout(90)
def test_echo_serves_1000_concurrent_clients_then_sigint_exits_0() -> None:
    proc, port = _serve("echo.py")
    try:
        res = run_clients("127.0.0.1", port, clients=1000, nbytes=4096, chunk=1024,
                          timeout=60, seed=1)
        assert (res.ok, res.failed) == (1000, 0), res.errors[:5]
        big = run_clients("127.0.0.1", port, clients=4, nbytes=2_000_000, chunk=65536,
                          timeout=60, seed=2)
        assert big.ok == 4, big.errors[:5]
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    finally:
        stop(proc)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_echo_signal_with_open_connection_closes_cleanly(sig: Any) -> None:
    import socket

    proc, port = _serve("echo.py")
    try:
        client = socket.create_connection(("127.0.0.1", port), timeout=20)
        client.sendall(b"hello")
        assert client.recv(5) == b"hello"
        proc.send_signal(sig)
        # The server ends our connection (FIN) and exits once it is closed.
        assert client.recv(5) == b""
        client.close()
        _out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
    finally:
        stop(proc)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_echo_signal_with_an_idle_client_exits_0_within_2s(sig: Any) -> None:
    """A client that never closes its side: ended, then destroyed after a grace period."""
    import socket
    import time

    proc, port = _serve("echo.py")
    client = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        client.sendall(b"hello")
        assert client.recv(5) == b"hello"
        start = time.monotonic()
        proc.send_signal(sig)
        assert client.recv(5) == b""  # ended (FIN) at once; we keep our side open
        _out, err = proc.communicate(timeout=20)
        elapsed = time.monotonic() - start
        assert proc.returncode == 0, err
        assert elapsed < 2.0, elapsed
    finally:
        client.close()
        stop(proc)


@pytest.mark.parametrize(("name", "clients"), [("blocking_echo.py", 1),
                                                ("threaded_echo.py", 50)])
def test_baselines_echo(name: str, clients: int) -> None:
    proc, port = _serve(name)
    try:
        res = run_clients("127.0.0.1", port, clients=clients, nbytes=20000, timeout=30, seed=3)
        assert res.ok == clients, res.errors[:5]
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
        assert proc.returncode == 0
    finally:
        stop(proc)
