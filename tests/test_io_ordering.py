"""Differential tests: I/O callback ordering against node 20 (ORDERING.md §1).

Each case is a JavaScript program and its jsloop translation; both print one
label per line and the outputs must be identical. Skipped when ``node`` is not
on PATH. The expected outputs are also pinned (checked with node v20.20.2), so
the Python half still runs where node is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from _io_helpers import REPO

NODE = shutil.which("node")

PRELUDE_JS = "const log = (s) => process.stdout.write(s + '\\n');\n"
PRELUDE_PY = textwrap.dedent(
    """
    import os, signal, sys
    import jsloop
    from jsloop import fs, net, process, nextTick, setImmediate, setTimeout, clearTimeout
    from jsloop import Promise
    def log(s):
        sys.stdout.write(s + "\\n")
        sys.stdout.flush()
    """
)

CASES: dict[str, tuple[str, str, str]] = {
    # ORDERING.md §1: check (immediate) runs before close (the socket's 'close').
    "socket_destroy": (
        """
        const net = require('net');
        const server = net.createServer((conn) => conn.on('error', () => {}));
        server.listen(0, '127.0.0.1', () => {
          const sock = net.connect(server.address().port, '127.0.0.1', () => {
            sock.on('close', () => { log('socket close'); server.close(); });
            sock.destroy();
            setImmediate(() => log('immediate'));
            process.nextTick(() => log('tick'));
            log('destroy called');
          });
        });
        """,
        """
        def main():
            server = net.createServer(lambda conn: conn.on("error", lambda e: None))
            def listening():
                def connected():
                    sock.on("close", lambda *a: (log("socket close"), server.close()))
                    sock.destroy()
                    setImmediate(lambda: log("immediate"))
                    nextTick(lambda: log("tick"))
                    log("destroy called")
                sock = net.connect(server.address().port, "127.0.0.1", connected)
            server.listen(0, "127.0.0.1", listening)
        jsloop.run(main)
        """,
        "destroy called\ntick\nimmediate\nsocket close\n",
    ),
    # ORDERING.md §1 with fs.promises: the completion is a poll-phase callback.
    "readfile": (
        """
        require('fs').promises.readFile(__filename).then(() => {
          setTimeout(() => log('timeout'), 0);
          setImmediate(() => log('immediate'));
          Promise.resolve().then(() => log('promise'));
          process.nextTick(() => log('tick'));
          log('io callback');
        });
        """,
        """
        def main():
            def done(_data):
                setTimeout(lambda: log("timeout"), 0)
                setImmediate(lambda: log("immediate"))
                Promise.resolve().then(lambda _v: log("promise"))
                nextTick(lambda: log("tick"))
                log("io callback")
            fs.readFile(__file__).then(done)
        jsloop.run(main)
        """,
        "io callback\npromise\ntick\nimmediate\ntimeout\n",
    ),
    # ORDERING.md §1: net.Server's close callback comes through process.nextTick.
    "server_close": (
        """
        const net = require('net');
        const server = net.createServer();
        server.listen(0, '127.0.0.1', () => {
          log('listening');
          server.close(() => log('server close callback'));
          setImmediate(() => log('immediate'));
          process.nextTick(() => log('tick'));
        });
        """,
        """
        def main():
            server = net.createServer()
            def listening():
                log("listening")
                server.close(lambda *a: log("server close callback"))
                setImmediate(lambda: log("immediate"))
                nextTick(lambda: log("tick"))
            server.listen(0, "127.0.0.1", listening)
        jsloop.run(main)
        """,
        "listening\nserver close callback\ntick\nimmediate\n",
    ),
    # A refused connect: 'error' in the poll phase, 'close' in the close phase.
    "econnrefused": (
        """
        const net = require('net');
        const s = net.connect(+process.argv[2], '127.0.0.1');
        s.on('error', (e) => {
          log('error ' + e.code + ' ' + e.syscall);
          process.nextTick(() => log('err tick'));
          setImmediate(() => log('err imm'));
        });
        s.on('close', (h) => log('close ' + h));
        process.nextTick(() => log('main tick'));
        setImmediate(() => log('main imm'));
        """,
        """
        def main():
            s = net.connect(int(sys.argv[1]), "127.0.0.1")
            def on_error(e):
                log(f"error {e.code} {e.syscall}")
                nextTick(lambda: log("err tick"))
                setImmediate(lambda: log("err imm"))
            s.on("error", on_error)
            s.on("close", lambda h: log(f"close {str(h).lower()}"))
            nextTick(lambda: log("main tick"))
            setImmediate(lambda: log("main imm"))
        jsloop.run(main)
        """,
        "main tick\nerror ECONNREFUSED connect\nerr tick\nmain imm\nerr imm\nclose true\n",
    ),
    # A Unix connect that fails at once is reported in the pending phase.
    "unix_enoent": (
        """
        const net = require('net');
        const s = net.connect(process.argv[3]);
        s.on('error', (e) => log('error ' + e.code + ' ' + e.syscall));
        s.on('close', (h) => log('close ' + h));
        process.nextTick(() => log('main tick'));
        setImmediate(() => log('main imm'));
        """,
        """
        def main():
            s = net.connect(sys.argv[2])
            s.on("error", lambda e: log(f"error {e.code} {e.syscall}"))
            s.on("close", lambda h: log(f"close {str(h).lower()}"))
            nextTick(lambda: log("main tick"))
            setImmediate(lambda: log("main imm"))
        jsloop.run(main)
        """,
        "main tick\nerror ENOENT connect\nmain imm\nclose true\n",
    ),
    # A write that completes at once calls back via nextTick (before promise jobs).
    "sync_write": (
        """
        const net = require('net');
        const server = net.createServer((c) => {
          c.on('data', () => {});
          c.on('error', () => {});
        });
        server.listen(0, '127.0.0.1', () => {
          const s = net.connect(server.address().port, '127.0.0.1', () => {
            log('ret ' + s.write(Buffer.alloc(20000), () => log('cb')));
            log('ret ' + s.write('y', () => log('cb2')));
            process.nextTick(() => log('tick'));
            Promise.resolve().then(() => log('micro'));
            setImmediate(() => { log('imm'); s.destroy(); server.close(); });
          });
        });
        """,
        """
        def main():
            def on_conn(c):
                c.on("data", lambda d: None)
                c.on("error", lambda e: None)
            server = net.createServer(on_conn)
            def listening():
                def connected():
                    log("ret " + str(s.write(b"\\0" * 20000, lambda e: log("cb"))).lower())
                    log("ret " + str(s.write("y", lambda e: log("cb2"))).lower())
                    nextTick(lambda: log("tick"))
                    Promise.resolve().then(lambda _v: log("micro"))
                    setImmediate(lambda: (log("imm"), s.destroy(), server.close()))
                s = net.connect(server.address().port, "127.0.0.1", connected)
            server.listen(0, "127.0.0.1", listening)
        jsloop.run(main)
        """,
        "ret true\nret true\ncb\ncb2\ntick\nmicro\nimm\n",
    ),
    # A signal listener runs in the poll phase; it does not keep the loop alive.
    "signal": (
        """
        const t = setTimeout(() => {}, 5000);
        process.on('SIGUSR2', (name, num) => {
          log('got ' + name + ' ' + num);
          process.nextTick(() => log('tick'));
          setImmediate(() => log('imm'));
          clearTimeout(t);
        });
        process.kill(process.pid, 'SIGUSR2');
        log('sent');
        process.nextTick(() => log('main tick'));
        setImmediate(() => log('main imm'));
        """,
        """
        def main():
            t = setTimeout(lambda: None, 5000)
            def on_signal(name, num):
                log(f"got {name} {num}")
                nextTick(lambda: log("tick"))
                setImmediate(lambda: log("imm"))
                clearTimeout(t)
            process.on("SIGUSR2", on_signal)
            os.kill(os.getpid(), signal.SIGUSR2)
            log("sent")
            nextTick(lambda: log("main tick"))
            setImmediate(lambda: log("main imm"))
        jsloop.run(main)
        """,
        "sent\nmain tick\ngot SIGUSR2 12\ntick\nmain imm\nimm\n",
    ),
}


@pytest.fixture
def argv(tmp_path: Path) -> Iterator[list[str]]:
    # A bound, never-listening socket: connecting to its port is refused, and no
    # other process can take the port while the test runs.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    try:
        yield [str(holder.getsockname()[1]), str(tmp_path / "missing.sock")]
    finally:
        holder.close()


def _run_python(name: str, tmp_path: Path, argv: list[str]) -> str:
    script = tmp_path / f"case_{name}.py"  # not signal.py: it would shadow the stdlib
    script.write_text(PRELUDE_PY + textwrap.dedent(CASES[name][1]))
    out = subprocess.run([sys.executable, str(script), *argv], capture_output=True, text=True,
                         timeout=30, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_jsloop_matches_pinned_node_output(name: str, tmp_path: Path, argv: list[str]) -> None:
    assert _run_python(name, tmp_path, argv) == CASES[name][2]


@pytest.mark.skipif(NODE is None, reason="node is not on PATH")
@pytest.mark.parametrize("name", sorted(CASES))
def test_node_agrees(name: str, tmp_path: Path, argv: list[str]) -> None:
    assert NODE is not None
    script = tmp_path / f"case_{name}.js"
    script.write_text(PRELUDE_JS + textwrap.dedent(CASES[name][0]))
    out = subprocess.run([NODE, str(script), *argv], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == CASES[name][2]
    assert _run_python(name, tmp_path, argv) == out.stdout
