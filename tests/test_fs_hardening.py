"""jsloop.fs hardening: FileHandle close waits for operations in flight, chunked
readFile (abortable, bounded, exits promptly), callback forms, Node's error objects,
mkdtemp/rmdir, Stats dates, signal on readFile/writeFile."""

from __future__ import annotations

import datetime
import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from _io_helpers import REPO, MustCall, no_leaks, run_bounded  # noqa: F401

import jsloop
from jsloop import fs

pytestmark = pytest.mark.usefixtures("no_leaks")
NODE_CHUNK = 512 * 1024


# -- item 4: FileHandle.close() while a read is in flight ----------------------------------

def test_close_during_read_never_returns_another_files_bytes(tmp_path: Path) -> None:
    # Each round: open A, start a read, close at once, then open B (which may get
    # A's fd number). Before: close ran under the read and the read could see B.
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"A" * 64)
    b.write_bytes(b"B" * 64)
    seen: list[bytes] = []
    errors: list[str] = []

    @jsloop.asyncfn
    async def round_() -> None:
        fh = await fs.open(str(a))
        reading = fh.read(bytearray(64), 0, 64, 0)
        closing = fh.close()
        other = await fs.open(str(b))
        other_read = other.read(bytearray(64), 0, 64, 0)
        try:
            got = await reading
            seen.append(bytes(got["buffer"][:got["bytesRead"]]))
        except OSError as exc:
            errors.append(exc.code)  # type: ignore[attr-defined]
        await closing
        await other_read
        await other.close()

    async def main() -> None:
        await jsloop.Promise.all([round_() for _ in range(150)])

    run_bounded(main, timeout=30)
    assert errors == []  # Node: the read completes, then the fd is closed
    assert seen == [b"A" * 64] * 150


def test_close_waits_for_a_blocked_read_and_ops_after_close_fail(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    log: list[Any] = []

    async def main() -> None:
        fh = await fs.open(str(fifo), "r+")  # O_RDWR: open does not block on a FIFO
        fd = fh.fd
        reading = fh.read(bytearray(8), 0, 8)
        fh.on("close", lambda: log.append("close event"))
        closing = fh.close()
        assert fh.close() is closing  # the same promise while closing
        log.append(("fd still open", fd_open(fd)))
        # Unblock the worker's read through the FIFO itself.
        wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.write(wfd, b"payload!")
        os.close(wfd)
        got = await reading
        log.append(bytes(got["buffer"][:got["bytesRead"]]))
        await closing
        log.append(("fd closed", not fd_open(fd), fh.fd))
        try:
            await fh.read()
        except OSError as exc:
            log.append(exc.code)  # type: ignore[attr-defined]
        await fh.close()  # closed: resolves at once

    run_bounded(main)
    assert log == ["close event", ("fd still open", True), b"payload!",
                   ("fd closed", True, -1), "EBADF"]


def fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


# -- item 3: chunked readFile -----------------------------------------------------------

def test_read_file_reads_in_chunks_one_pool_job_each(tmp_path: Path) -> None:
    p = tmp_path / "big"
    payload = os.urandom(3 * NODE_CHUNK + 123)
    p.write_bytes(payload)
    reads: list[int] = []
    from jsloop.fs import _ops

    real_read = _ops._read

    def spy(fd: int, n: int) -> bytes:
        reads.append(n)
        return real_read(fd, n)

    async def main() -> bytes:
        return await fs.readFile(str(p))  # type: ignore[no-any-return]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_ops, "_read", spy)
        assert run_bounded(main) == payload
    assert reads == [NODE_CHUNK, NODE_CHUNK, NODE_CHUNK, 123]


def test_read_file_of_dev_zero_is_aborted_by_a_signal() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    controller = jsloop.AbortController()

    async def main() -> Any:
        jsloop.setTimeout(lambda: controller.abort("enough"), 50)
        try:
            await fs.readFile("/dev/zero", signal=controller.signal)
        except Exception as exc:
            return exc
        return None

    exc = run_bounded(main)
    assert type(exc).__name__ == "AbortError"
    assert exc.code == "ABORT_ERR"
    assert exc.cause == "enough"


def test_read_file_of_an_endless_file_fails_at_the_size_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jsloop.fs import _common

    monkeypatch.setattr(_common, "IO_MAX_LENGTH", 1 << 20)

    async def main() -> Any:
        try:
            await fs.readFile("/dev/zero")
        except ValueError as exc:
            return exc
        return None

    exc = run_bounded(main)
    assert exc.code == "ERR_FS_FILE_TOO_LARGE"
    assert str(exc).startswith("File size (")


def test_process_exits_promptly_while_reading_dev_zero() -> None:
    # Before: one pool job read /dev/zero forever; exit waited for it.
    code = (
        "import jsloop, os\n"
        "from jsloop import fs\n"
        "def main():\n"
        "    fs.readFile('/dev/zero').catch(lambda e: None)\n"
        "    jsloop.setTimeout(lambda: (print('exiting', flush=True), os._exit(0)"
        " if False else jsloop.process.exit(0)), 100)\n"
        "jsloop.run(main)\n"
    )
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=20, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    took = time.monotonic() - t0
    assert out.returncode == 0, out.stderr
    assert out.stdout == "exiting\n"
    assert took < 5, took


def test_write_file_signal_and_chunks(tmp_path: Path) -> None:
    p = str(tmp_path / "w")
    controller = jsloop.AbortController()
    controller.abort()

    async def main() -> Any:
        await fs.writeFile(p, b"x" * (3 * NODE_CHUNK))
        size = os.path.getsize(p)
        try:
            await fs.writeFile(p, "y", signal=controller.signal)
        except Exception as exc:
            return size, type(exc).__name__, Path(p).read_bytes()[:1]
        return size, None, None

    assert run_bounded(main) == (3 * NODE_CHUNK, "AbortError", b"x")


# -- item 5: callback forms, errors, new calls --------------------------------------------

def test_callback_forms(tmp_path: Path) -> None:
    p = str(tmp_path / "cb.txt")
    log: list[Any] = []

    def main() -> None:
        def wrote(err: Any) -> None:  # one parameter: gets only err
            log.append(("write", err))
            assert fs.readFile(p, "utf8", read) is None

        def read(err: Any, data: Any) -> None:
            log.append(("read", err, data))
            fs.stat(p, callback=stat)

        def stat(err: Any, st: Any) -> None:
            log.append(("stat", err, st.size))
            fs.readFile(str(tmp_path / "missing"), missing)

        def missing(err: Any, data: Any) -> None:
            log.append(("missing", err.code, data))

        assert fs.writeFile(p, "héllo", wrote) is None

    run_bounded(main)
    assert log == [("write", None), ("read", None, "héllo"), ("stat", None, 6),
                   ("missing", "ENOENT", None)]


def test_callback_exception_is_an_uncaught_exception(tmp_path: Path) -> None:
    class Boom(Exception):
        pass

    def main() -> None:
        def cb(err: Any, st: Any) -> None:
            raise Boom

        fs.stat(str(tmp_path), cb)

    with pytest.raises(Boom):
        run_bounded(main)


def test_callback_form_raises_argument_errors_promise_form_rejects() -> None:
    seen: list[Any] = []

    def main() -> None:
        with pytest.raises(TypeError) as info:
            fs.stat(1, lambda err, st: None)
        seen.append(info.value.code)  # type: ignore[attr-defined]
        fs.promises.stat(1).catch(lambda e: seen.append((e.code, str(e))))
        fs.readFile(1).catch(lambda e: seen.append(e.code))  # no callback: fs/promises

    run_bounded(main)
    assert seen == [
        "ERR_INVALID_ARG_TYPE",
        ("ERR_INVALID_ARG_TYPE", 'The "path" argument must be of type string or an instance '
         "of Buffer or URL. Received type int (1)"),
        "ERR_INVALID_ARG_TYPE",
    ]


def test_fd_callback_forms(tmp_path: Path) -> None:
    p = tmp_path / "fd.txt"
    p.write_bytes(b"0123456789")
    log: list[Any] = []

    def main() -> None:
        def opened(err: Any, fd: int) -> None:
            assert err is None and isinstance(fd, int)
            fs.read(fd, bytearray(4), 0, 4, 2, lambda e, n, buf: got(fd, e, n, buf))

        def got(fd: int, err: Any, n: int, buf: bytearray) -> None:
            log.append((err, n, bytes(buf)))
            fs.readFile(fd, lambda e, d: after(fd, e, d))  # fd form: from the position

        def after(fd: int, err: Any, data: bytes) -> None:
            log.append((err, data))
            fs.close(fd, lambda e: log.append(("closed", e)))

        fs.open(str(p), "r", opened)

    run_bounded(main)
    assert log == [(None, 4, b"2345"), (None, b"0123456789"), ("closed", None)]


def test_node_error_objects(tmp_path: Path) -> None:
    d = str(tmp_path)

    async def err_of(promise: Any) -> Any:
        try:
            await promise
        except OSError as exc:
            return exc
        return None

    async def main() -> list[Any]:
        return [
            await err_of(fs.readFile(f"{d}/nope")),
            await err_of(fs.rename(f"{d}/nope", f"{d}/b")),
            await err_of(fs.copyFile(f"{d}/nope", f"{d}/b")),
        ]

    read, ren, copy = run_bounded(main)
    assert str(read) == f"ENOENT: no such file or directory, open '{d}/nope'"
    assert (read.errno, read.code, read.syscall, read.path) == (-errno.ENOENT, "ENOENT",
                                                                "open", f"{d}/nope")
    assert isinstance(read, FileNotFoundError)
    assert str(ren) == f"ENOENT: no such file or directory, rename '{d}/nope' -> '{d}/b'"
    assert ren.dest == f"{d}/b"
    assert str(copy) == f"ENOENT: no such file or directory, copyfile '{d}/nope' -> '{d}/b'"


def test_mkdtemp_rmdir_and_stats_dates(tmp_path: Path) -> None:
    prefix = str(tmp_path / "tmp-")

    async def main() -> Any:
        made = await fs.mkdtemp(prefix)
        st = await fs.stat(made)
        await fs.writeFile(made + "/f", "x")
        try:
            await fs.rmdir(made)
        except OSError as exc:
            notempty = exc.code  # type: ignore[attr-defined]
        await fs.unlink(made + "/f")
        await fs.rmdir(made)
        return made, st, notempty, os.path.exists(made)

    made, st, notempty, exists = run_bounded(main)
    assert made.startswith(prefix) and len(made) == len(prefix) + 6
    assert st.isDirectory() and st.mode & 0o777 == 0o700
    assert notempty == "ENOTEMPTY" and not exists
    assert isinstance(st.mtime, datetime.datetime)
    assert st.mtime.tzinfo is not None
    assert abs(st.mtime.timestamp() * 1000 - st.mtimeMs) < 1
    assert abs(st.mtime.timestamp() - time.time()) < 60
    for name in ("atime", "ctime", "birthtime"):
        assert isinstance(getattr(st, name), datetime.datetime)


def test_filehandle_readfile_with_signal_and_encoding(tmp_path: Path) -> None:
    p = tmp_path / "h"
    p.write_text("héllo")

    async def main() -> Any:
        fh = await fs.promises.open(str(p))
        text = await fh.readFile("utf8")
        await fh.close()
        return text

    assert run_bounded(main) == "héllo"


def test_threads_are_released_by_an_aborted_read() -> None:
    # The aborted readFile leaves no job behind: the run ends (no_leaks checks threads).
    controller = jsloop.AbortController()
    done = MustCall()

    def main() -> None:
        fs.readFile("/dev/zero", {"signal": controller.signal}, lambda e, d: done(e.code))
        jsloop.setImmediate(controller.abort)

    run_bounded(main)
    done.verify()
    assert done.calls == [("ABORT_ERR",)]
    assert threading.active_count() >= 1


# -- differential: Node's error objects, field by field -----------------------------------

NODE_ERRORS_JS = r"""
const fs = require('fs'); const d = process.argv.at(-1);
const ops = [
  ['readFile', [d + '/nope']], ['stat', [d + '/nope']], ['lstat', [d + '/nope']],
  ['rename', [d + '/nope', d + '/b']], ['copyFile', [d + '/nope', d + '/b']],
  ['rmdir', [d + '/nope']], ['rmdir', [d + '/file']], ['rmdir', [d + '/full']],
  ['mkdir', [d + '/file']], ['unlink', [d + '/nope']], ['unlink', [d + '/full']],
  ['readdir', [d + '/file']], ['open', [d + '/nope', 'r']], ['access', [d + '/nope']],
  ['link', [d + '/file', d + '/file2']], ['symlink', [d + '/file', d + '/file2']],
  ['readlink', [d + '/file']], ['readFile', [d]], ['writeFile', [d + '/full', 'x']],
  ['rm', [d + '/nope']], ['chmod', [d + '/nope', 0o644]],
];
const out = [];
let i = 0;
(function next() {
  if (i === ops.length) { console.log(JSON.stringify(out)); return; }
  const [name, args] = ops[i++];
  fs[name](...args, (err) => {
    out.push(err ? [name, err.message, err.code, err.errno, err.syscall, err.path ?? null,
                    err.dest ?? null] : [name, null]);
    next();
  });
})();
"""


def test_error_objects_match_node(tmp_path: Path) -> None:
    import json
    import shutil

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")

    def fixture(d: Path) -> None:
        d.mkdir()
        (d / "file").write_text("x")
        (d / "file2").write_text("y")
        (d / "full").mkdir()
        (d / "full" / "f").write_text("z")

    fixture(tmp_path / "node")
    fixture(tmp_path / "py")
    proc = subprocess.run([node, "-e", NODE_ERRORS_JS, str(tmp_path / "node")],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    expected = json.loads(proc.stdout.replace(str(tmp_path / "node"), "<d>"))

    d = str(tmp_path / "py")
    ops: list[tuple[str, tuple[Any, ...]]] = [
        ("readFile", (d + "/nope",)), ("stat", (d + "/nope",)), ("lstat", (d + "/nope",)),
        ("rename", (d + "/nope", d + "/b")), ("copyFile", (d + "/nope", d + "/b")),
        ("rmdir", (d + "/nope",)), ("rmdir", (d + "/file",)), ("rmdir", (d + "/full",)),
        ("mkdir", (d + "/file",)), ("unlink", (d + "/nope",)), ("unlink", (d + "/full",)),
        ("readdir", (d + "/file",)), ("open", (d + "/nope", "r")), ("access", (d + "/nope",)),
        ("link", (d + "/file", d + "/file2")), ("symlink", (d + "/file", d + "/file2")),
        ("readlink", (d + "/file",)), ("readFile", (d,)), ("writeFile", (d + "/full", "x")),
        ("rm", (d + "/nope",)), ("chmod", (d + "/nope", 0o644)),
    ]
    got: list[Any] = []

    def main() -> None:
        def run_op(i: int) -> None:
            if i == len(ops):
                return
            name, args = ops[i]

            def done(err: Any, *_rest: Any) -> None:
                got.append([name, str(err), err.code, err.errno, err.syscall,
                            getattr(err, "path", None), getattr(err, "dest", None)]
                           if err else [name, None])
                run_op(i + 1)

            getattr(fs, name)(*args, done)

        run_op(0)

    run_bounded(main)
    assert json.loads(json.dumps(got).replace(d, "<d>")) == expected
