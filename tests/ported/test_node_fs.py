"""fs tests ported from Node v20's test/parallel (one test per upstream file).

Each test names its upstream file; ``must`` is common.mustCall
(tests/ported/conftest.py). jsloop has no synchronous fs: the ``*Sync`` halves of
the upstream files are done with Python's ``os``/``pathlib`` where they only set
up or check files, and left out where they test the sync API itself. Streams as
``writeFile`` data, async iterables, URL paths and Node-internal bindings are left
out (jsloop does not have them); what is kept is checked as Node checks it.
"""

# ruff: noqa: RUF001
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from _io_helpers import run_bounded

import jsloop
from jsloop import fs

fsp = fs.promises
BAD_PATHS = [False, 1, {}, [], None]  # Node: [false, 1, {}, [], null, undefined]


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    """test/fixtures' empty.txt and x.txt."""
    d = tmp_path / "fixtures"
    d.mkdir()
    (d / "empty.txt").write_bytes(b"")
    (d / "x.txt").write_bytes(b"xyz\n")
    return d


def run(main: Any) -> Any:
    return run_bounded(main, timeout=30)


def test_promises_readfile(tmp_path: Path, must: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """test/parallel/test-fs-promises-readfile.js"""
    fn = str(tmp_path / "large-file")
    large = bytes(i & 0xFF for i in range(1024 ** 2 + 19))

    async def main() -> None:
        await fsp.writeFile(fn, large)
        assert await fsp.readFile(fn) == large
        if sys.platform.startswith("linux"):
            assert len(await fsp.readFile("/proc/sys/kernel/hostname")) > 0
        # abort before
        try:
            await fsp.readFile(fn, {"signal": jsloop.AbortSignal.abort()})
        except Exception as exc:
            must.call()(exc)
            assert type(exc).__name__ == "AbortError"
        # abort during
        controller = jsloop.AbortController()
        jsloop.nextTick(controller.abort)
        try:
            await fsp.readFile(fn, {"signal": controller.signal})
        except Exception as exc:
            must.call()(exc)
            assert type(exc).__name__ == "AbortError"
        # wrong signal param
        try:
            await fsp.readFile(fn, {"signal": "hello"})
        except TypeError as exc:
            assert exc.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
            must.call()(exc)
        # zero-byte liar: fstat says 0 bytes, readFile reads to EOF anyway
        from jsloop.fs import _ops

        real = _ops._open_fstat
        monkeypatch.setattr(_ops, "_open_fstat", lambda p, f: (real(p, f)[0], 0))
        assert await fsp.readFile(fn) == large

    run(main)


def test_promises_readfile_empty(fixtures: Path) -> None:
    """test/parallel/test-fs-promises-readfile-empty.js"""
    fn = str(fixtures / "empty.txt")

    async def main() -> Any:
        return (await fsp.readFile(fn), await fsp.readFile(fn, "utf8"),
                await fsp.readFile(fn, {"encoding": "utf8"}))

    assert run(main) == (b"", "", "")


def test_readfile_empty(fixtures: Path, must: Any) -> None:
    """test/parallel/test-fs-readfile-empty.js"""
    fn = str(fixtures / "empty.txt")

    def main() -> None:
        fs.readFile(fn, must.call(lambda err, data: check(err, data, b"")))
        fs.readFile(fn, "utf8", must.call(lambda err, data: check(err, data, "")))
        fs.readFile(fn, {"encoding": "utf8"}, must.call(lambda err, data: check(err, data, "")))

    def check(err: Any, data: Any, expected: Any) -> None:
        assert err is None and data == expected

    run(main)


def test_readfile_error(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-readfile-error.js (the fixture reads a directory: EISDIR)"""
    def main() -> None:
        def done(err: Any) -> None:
            assert err.code == "EISDIR"
            assert str(err) == "EISDIR: illegal operation on a directory, read"

        fs.readFile(str(tmp_path), must.call(done))
        with pytest.raises(TypeError) as info:
            fs.readFile(lambda: None, must.not_call())
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        assert str(info.value).startswith(
            'The "path" argument must be of type string or an instance of Buffer or URL. '
            "Received function ")

    run(main)


def test_readfile_unlink(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-readfile-unlink.js"""
    name = tmp_path / "test.bin"
    name.write_bytes(bytes([42]) * (512 * 1024))

    def main() -> None:
        def done(err: Any, data: bytes) -> None:
            assert err is None
            assert len(data) == 512 * 1024 and data[0] == 42
            os.unlink(name)

        fs.readFile(str(name), must.call(done))

    run(main)


def test_readfile_fd(fixtures: Path, tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-readfile-fd.js"""
    fn = str(fixtures / "empty.txt")
    filename = tmp_path / "test.txt"
    filename.write_text("Hello World")

    def main() -> None:
        def temp_fd(callback: Any) -> None:
            def opened(err: Any, fd: int) -> None:
                assert err is None
                callback(fd, lambda: fs.close(fd, must.call(lambda e: None if e is None
                                                             else pytest.fail(str(e)))))
            fs.open(fn, "r", must.call(opened))

        temp_fd(lambda fd, close: fs.readFile(fd, must.call(
            lambda err, data: (check(data == b""), close()))))
        temp_fd(lambda fd, close: fs.readFile(fd, "utf8", must.call(
            lambda err, data: (check(data == ""), close()))))

        def opened2(err: Any, fd: int) -> None:
            assert err is None
            buf = bytearray(5)

            def after_read(err: Any, bytes_read: int) -> None:
                assert err is None and bytes_read == 5 and bytes(buf) == b"Hello"

                def rest(err: Any, data: bytes) -> None:
                    assert err is None and data == b" World"
                    os.close(fd)

                fs.readFile(fd, must.call(rest))

            fs.read(fd, buf, 0, 5, None, must.call(after_read))

        fs.open(str(filename), "r", must.call(opened2))

    def check(ok: bool) -> None:
        assert ok

    run(main)


def test_filehandle_use_after_close() -> None:
    """test/parallel/test-fs-filehandle-use-after-close.js"""
    async def main() -> Any:
        fh = await fsp.open(__file__)
        assert fh.fd != -1
        await fh.close()
        assert fh.fd == -1
        other = await fsp.open(sys.executable)
        try:
            await fh.stat()
        except OSError as exc:
            got = (exc.code, exc.syscall)  # type: ignore[attr-defined]
        await other.close()
        return got

    assert run(main) == ("EBADF", "fstat")


def test_promises_file_handle_close() -> None:
    """test/parallel/test-fs-promises-file-handle-close.js (no GC-close warning in jsloop:
    only the part a user sees, ``open`` giving a FileHandle object, is kept)"""
    async def main() -> Any:
        fh = await fsp.open(__file__)
        kind = type(fh).__name__
        await fh.close()
        return kind

    assert run(main) == "FileHandle"


@pytest.mark.parametrize("use_conf", [False, True])
def test_promises_file_handle_read(tmp_path: Path, fixtures: Path, use_conf: bool,
                                   must: Any) -> None:
    """test/parallel/test-fs-promises-file-handle-read.js (the createReadStream half is
    H4's stream tests)"""
    async def read(fh: Any, buffer: Any, offset: int, length: int, position: Any,
                   conf: bool) -> Any:
        if conf:
            return await fh.read({"buffer": buffer, "offset": offset, "length": length,
                                  "position": position})
        return await fh.read(buffer, offset, length, position)

    async def validate_read(data: str, file: str) -> None:
        path = str(tmp_path / file)
        buffer = data.encode()
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
        fh = await fsp.open(path, "w+")
        os.write(fd, buffer)
        os.close(fd)
        fh.on("close", must.call())
        res = await read(fh, bytearray(11), 0, 11, 0, use_conf)
        assert res["bytesRead"] == len(data)
        if data:
            assert bytes(res["buffer"]) == buffer
        await fh.close()

    async def main() -> None:
        await validate_read("Hello world", "read-file")
        await validate_read("", "read-empty-file")
        x = str(fixtures / "x.txt")
        fh = await fsp.open(x, "r")
        assert (await read(fh, bytearray(1), 0, 1, 0xFFFFFFFF + 1, use_conf))["bytesRead"] == 0
        await fh.read()  # no params
        for i in range(6):
            pos = i % 3
            buf = bytearray(1)
            res = await read(fh, buf, 0, 1, pos, True)
            assert res["bytesRead"] == 1 and buf.decode() == "xyz"[pos]
        for length in (0, 1):
            res = await read(fh, bytearray(4), 0, length, 0, True)
            assert res["bytesRead"] == length
        await fh.close()

    run(main)


def test_promises_file_handle_readfile(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-promises-file-handle-readFile.js"""
    async def main() -> None:
        path = str(tmp_path / "tmp-read-file.txt")
        fh = await fsp.open(path, "w+")
        buffer = ("Hello world" * 100).encode()
        Path(path).write_bytes(buffer)
        assert await fh.readFile() == buffer
        await fh.close()

        if sys.platform.startswith("linux"):
            fh = await fsp.open("/proc/sys/kernel/hostname", "r")
            assert len(await fh.readFile()) > 0
            await fh.close()

        # Signal aborted from the start
        path = str(tmp_path / "dogs-running.txt")
        fh = await fsp.open(path, "w+")
        Path(path).write_bytes(("Dogs running" * 10000).encode())
        try:
            await fsp.readFile(fh, {"signal": jsloop.AbortSignal.abort()})
        except Exception as exc:
            assert type(exc).__name__ == "AbortError"
            must.call()()
        await fh.close()

        # Signal aborted on first tick
        path = str(tmp_path / "dogs-running1.txt")
        fh = await fsp.open(path, "w+")
        Path(path).write_bytes(("Dogs running" * 10000).encode())
        controller = jsloop.AbortController()
        jsloop.nextTick(controller.abort)
        try:
            await fsp.readFile(fh, {"signal": controller.signal})
        except Exception as exc:
            assert type(exc).__name__ == "AbortError"
            must.call()()
        await fh.close()

        # Signal aborted right before buffer read (common/tick.js: tick(1) = one setImmediate)
        path = str(tmp_path / "dogs-running2.txt")
        Path(path).write_bytes(("Dogs running" * 1000).encode())
        fh = await fsp.open(path, "r")
        controller = jsloop.AbortController()
        jsloop.setImmediate(controller.abort)
        try:
            await fh.readFile({"signal": controller.signal, "encoding": "utf8"})
        except Exception as exc:
            assert type(exc).__name__ == "AbortError"
            must.call()()
        await fh.close()

        # Validate file size is within range for reading (a sparse file)
        path = str(tmp_path / "dogs-running3.txt")
        await fsp.writeFile(path, b"0")
        try:
            await fsp.truncate(path, 2**31 - 1 + 1)
        except OSError:
            return  # no room for the (sparse) file: Node skips this part too
        fh = await fsp.open(path, "r")
        try:
            await fh.readFile()
        except ValueError as exc:  # Node's RangeError
            assert exc.code == "ERR_FS_FILE_TOO_LARGE"  # type: ignore[attr-defined]
            must.call()()
        await fh.close()

    run(main)


INVALID_DATA = [42, {}, object(), True, None, float("nan")]


def test_promises_file_handle_writefile(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-promises-file-handle-writeFile.js (no stream or async
    iterable data)"""
    dest = str(tmp_path / "tmp.txt")

    async def main() -> None:
        path = str(tmp_path / "tmp-write-file2.txt")
        fh = await fsp.open(path, "w+")
        buffer = ("Hello world" * 100).encode()
        await fh.writeFile(buffer)
        assert Path(path).read_bytes() == buffer
        await fh.close()

        fh = await fsp.open(str(tmp_path / "dogs-running.txt"), "w+")
        big = ("dogs running" * 512 * 1024).encode()
        controller = jsloop.AbortController()
        jsloop.nextTick(controller.abort)
        try:
            await fsp.writeFile(fh, big, {"signal": controller.signal})
        except Exception as exc:
            assert type(exc).__name__ == "AbortError"
            must.call()()
        await fh.close()

        for data, expected in ((iter(["a", "b", "c"]), "abc"),
                               (iter([b"a", b"b", b"c"]), "abc")):
            fh = await fsp.open(dest, "w+")
            await fh.writeFile(data)
            assert Path(dest).read_text() == expected
            await fh.close()

        fh = await fsp.open(dest, "w+")
        for value in INVALID_DATA:
            for data in (iter([value]), value):
                try:
                    await fh.writeFile(data)
                except TypeError as exc:
                    assert exc.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
                    must.call()()
        await fh.close()

    run(main)


def test_promises_writefile(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-promises-writefile.js (no stream or async iterable data)"""
    dest = str(tmp_path / "tmp.txt")
    other = str(tmp_path / "tmp-2.txt")
    buffer = ("abc" * 1000).encode()
    buffer2 = ("xyz" * 1000).encode()

    async def main() -> None:
        await fsp.writeFile(dest, buffer)
        assert Path(dest).read_bytes() == buffer
        controller = jsloop.AbortController()
        jsloop.nextTick(controller.abort)
        try:
            await fsp.writeFile(other, buffer, {"signal": controller.signal})
        except Exception as exc:
            assert type(exc).__name__ == "AbortError"
            must.call()()
        await fsp.appendFile(dest, buffer2, {"flag": None})
        assert Path(dest).read_bytes() == buffer + buffer2
        assert await fsp.readFile(dest) == Path(dest).read_bytes()
        data = await fsp.readFile(dest, "utf-8")
        assert isinstance(data, str) and data == Path(dest).read_text()
        await fsp.writeFile(dest, iter(["a", "b", "c"]))
        assert Path(dest).read_text() == "abc"
        await fsp.writeFile(dest, iter(["ümlaut", " ", "sechzig"]), "latin1")
        assert Path(dest).read_text("latin1") == "ümlaut sechzig"
        await fsp.writeFile(dest, iter([b"a", b"b", b"c"]))
        assert Path(dest).read_text() == "abc"
        large = "dogs running" * 512 * 1024
        await fsp.writeFile(dest, iter([large.encode()]))
        assert Path(dest).read_text() == large
        for value in INVALID_DATA:
            for data in (iter([value]), value):
                try:
                    await fsp.writeFile(dest, data)
                except TypeError as exc:
                    assert exc.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
                    must.call()()

    run(main)


def test_mkdtemp(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-mkdtemp.js (plain string and Buffer prefixes; no URL, no
    'templates ending with X' warning)"""
    def handler(err: Any, folder: Any) -> None:
        assert err is None
        assert os.path.exists(folder)

    async def promise_part() -> None:
        folder = await fsp.mkdtemp(str(tmp_path / "foo."))
        assert len(os.path.basename(folder)) == len("foo.XXXXXX")
        assert os.path.exists(folder)
        utf8 = await fsp.mkdtemp(str(tmp_path / "\u0222abc."))
        assert len(os.path.basename(utf8).encode()) == len("\u0222abc.XXXXXX".encode())
        from_bytes = await fsp.mkdtemp(os.fsencode(tmp_path / "foo."))
        assert isinstance(from_bytes, str)  # Node: a string unless encoding 'buffer'
        assert len(os.path.basename(from_bytes)) == len("foo.XXXXXX")

    def main() -> Any:
        fs.mkdtemp(str(tmp_path / "bar."), must.call(handler))
        fs.mkdtemp(str(tmp_path / "bar."), {}, must.call(handler))
        fs.mkdtemp(os.fsencode(tmp_path / "bar."), must.call(handler))
        fs.mkdtemp(os.fsencode(tmp_path / "bar."), {}, must.call(handler))
        return jsloop.asyncfn(promise_part)()

    run(main)


def test_mkdir(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-mkdir.js (callback and promise forms)"""
    counter = iter(range(1, 1000))

    def nextdir() -> str:
        return f"test{next(counter)}"

    def ok(err: Any) -> None:
        assert err is None

    def main() -> None:
        fs.mkdir(str(tmp_path / nextdir()), must.call(ok))
        fs.mkdir(str(tmp_path / nextdir()), 0o777, must.call(ok))
        fs.mkdir(str(tmp_path / nextdir()), {"mode": 0o777}, must.call(ok))
        for bad in BAD_PATHS:
            with pytest.raises(TypeError) as info:
                fs.mkdir(bad, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        fs.mkdir(str(tmp_path / nextdir() / nextdir()), {"recursive": True}, must.call(ok))

        existing = tmp_path / nextdir() / nextdir()
        existing.parent.mkdir()
        existing.write_text("")

        def eexist(err: Any) -> None:
            assert (err.code, err.syscall) == ("EEXIST", "mkdir")

        fs.mkdir(str(existing), {"recursive": True}, must.call(eexist))

        filename = tmp_path / nextdir() / nextdir()
        filename.parent.mkdir()
        filename.write_text("")
        pathname = filename / nextdir() / nextdir()

        def enotdir(err: Any) -> None:
            assert (err.code, err.syscall) == ("ENOTDIR", "mkdir")
            assert err.path.startswith(str(filename))

        fs.mkdir(str(pathname), {"recursive": True}, must.call(enotdir))

        for recursive in ["", 1, {}, [], None, lambda: None]:
            if recursive is None:
                continue  # Python: None is "not given" (JS null would be rejected)
            with pytest.raises(TypeError) as info:
                fs.mkdir(str(tmp_path / "x"), {"recursive": recursive}, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
            assert str(info.value).startswith(
                'The "options.recursive" property must be of type boolean.')

        dir1, dir2 = nextdir(), nextdir()
        fs.mkdir(str(tmp_path / dir1 / dir2), {"recursive": True}, must.call(
            lambda err, path: check(err is None and path == str(tmp_path / dir1))))
        dir3, dir4 = nextdir(), nextdir()
        (tmp_path / dir3).mkdir()
        fs.mkdir(str(tmp_path / dir3 / dir4), {"recursive": True}, must.call(
            lambda err, path: check(err is None and path == str(tmp_path / dir3 / dir4))))
        dir5, dir6 = nextdir(), nextdir()
        (tmp_path / dir5 / dir6).mkdir(parents=True)
        fs.mkdir(str(tmp_path / dir5 / dir6), {"recursive": True}, must.call(
            lambda err, path: check(err is None and path is None)))
        dir7, dir8 = nextdir(), nextdir()
        fsp.mkdir(str(tmp_path / dir7 / dir8), {"recursive": True}).then(must.call(
            lambda p: check(p == str(tmp_path / dir7))))

    def check(ok: bool) -> None:
        assert ok

    run(main)


def test_mkdir_rmdir(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-mkdir-rmdir.js"""
    d = str(tmp_path / "dir")

    def main() -> None:
        def made(err: Any) -> None:
            assert err is None

            def again(err: Any) -> None:
                assert str(err).startswith("EEXIST")
                assert (err.code, err.path) == ("EEXIST", d)
                fs.rmdir(d, must.call(lambda e: check(e is None)))

            fs.mkdir(d, 0o666, must.call(again))

        fs.mkdir(d, 0o666, must.call(made))

    def check(ok: bool) -> None:
        assert ok

    run(main)
    assert not os.path.exists(d)


@pytest.mark.parametrize("name", ["rename", "unlink", "rmdir", "stat", "lstat"])
def test_type_checks(name: str, must: Any) -> None:
    """test/parallel/test-fs-rename-type-check.js, test-fs-unlink-type-check.js,
    test-fs-rmdir-type-check.js, and the type checks of test-fs-stat.js"""
    def main() -> None:
        for bad in BAD_PATHS:
            calls: list[tuple[Any, ...]] = [(bad,)]
            if name == "rename":
                calls = [(bad, "does-not-exist"), ("does-not-exist", bad)]
            for args, which in zip(calls, ("oldPath", "newPath"), strict=False):
                with pytest.raises(TypeError) as info:
                    getattr(fs, name)(*args, must.not_call())
                assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
                arg = which if name == "rename" else "path"
                assert str(info.value).startswith(
                    f'The "{arg}" argument must be of type string or an instance of '
                    "Buffer or URL.")

    run(main)


def test_stat(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-stat.js (callback forms; Dates are datetimes)"""
    import datetime

    def main() -> None:
        def stats_ok(err: Any, s: Any) -> None:
            assert err is None
            assert isinstance(s.mtime, datetime.datetime)
            assert hasattr(s, "blksize") and hasattr(s, "blocks")

        fs.stat(".", must.call(stats_ok))
        fs.lstat(".", must.call(stats_ok))

        def opened(err: Any, fd: int) -> None:
            assert err is None and fd
            fs.fstat(0, must.call(lambda e, s: check(e is None)))

            def fstat_ok(err: Any, s: Any) -> None:
                stats_ok(err, s)
                fs.close(fd, must.call(lambda e: check(e is None)))

            fs.fstat(fd, must.call(fstat_ok))

        fs.open(".", "r", None, must.call(opened))

        def file_stats(err: Any, s: Any) -> None:
            assert err is None
            assert (s.isDirectory(), s.isFile(), s.isSocket(), s.isBlockDevice(),
                    s.isCharacterDevice(), s.isFIFO(), s.isSymbolicLink()) == (
                False, True, False, False, False, False, False)
            for k in ("dev", "mode", "nlink", "uid", "gid", "rdev", "blksize", "ino", "size",
                      "blocks", "atimeMs", "mtimeMs", "ctimeMs", "birthtimeMs"):
                assert isinstance(getattr(s, k), (int, float)), k
            for k in ("atime", "mtime", "ctime", "birthtime"):
                assert isinstance(getattr(s, k), datetime.datetime), k

        fs.stat(__file__, must.call(file_stats))
        for bad in ["", False, None, {}, []]:
            with pytest.raises(TypeError) as info:
                fs.fstat(bad, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        fs.stat(__file__, None, must.call())

    def check(ok: bool) -> None:
        assert ok

    run(main)


def _invalid_fd() -> int:
    """common.runWithInvalidFD: the first bad fd below 1 << 30."""
    fd = 1 << 30
    while True:
        try:
            os.fstat(fd)
        except OSError:
            return fd
        fd -= 1


def test_error_messages(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-error-messages.js (the calls jsloop has, callback forms)"""
    nonexistent = str(tmp_path / "non-existent")
    nonexistent_dir = str(tmp_path / "non-existent" / "foo" / "bar")
    existing = str(tmp_path / "existingFile.js")
    existing2 = str(tmp_path / "existingFile2.js")
    existing_dir = str(tmp_path / "dir")
    existing_dir2 = str(tmp_path / "keys")
    os.mkdir(existing_dir)
    os.mkdir(existing_dir2)
    Path(existing_dir2, "k").write_text("k")
    Path(existing).write_text("test")
    Path(existing2).write_text("test")
    bad_fd = _invalid_fd()

    def expect(message: str, code: str, syscall: str, path: Any = None, dest: Any = None,
               startswith: bool = False) -> Any:
        def validate(err: Any, *_rest: Any) -> None:
            if startswith:
                assert str(err).startswith(message), str(err)
            else:
                assert str(err) == message
            assert err.code == code
            assert err.errno == -getattr(errno, code)
            assert err.syscall == syscall
            if path is not None:
                assert err.path == path
            if dest is not None:
                assert err.dest == dest

        return must.call(validate)

    enoent = "ENOENT: no such file or directory"

    def main() -> None:
        fs.stat(nonexistent, expect(f"{enoent}, stat '{nonexistent}'", "ENOENT", "stat",
                                    nonexistent))
        fs.lstat(nonexistent, expect(f"{enoent}, lstat '{nonexistent}'", "ENOENT", "lstat",
                                     nonexistent))
        fs.fstat(bad_fd, expect("EBADF: bad file descriptor, fstat", "EBADF", "fstat"))
        fs.realpath(nonexistent, expect(f"{enoent}, lstat '{nonexistent}'", "ENOENT", "lstat",
                                        nonexistent))
        fs.readlink(nonexistent, expect(f"{enoent}, readlink '{nonexistent}'", "ENOENT",
                                        "readlink", nonexistent))
        fs.link(nonexistent, "foo", expect(f"{enoent}, link '{nonexistent}' -> 'foo'",
                                           "ENOENT", "link", nonexistent, "foo"))
        fs.link(existing, existing2, expect(
            f"EEXIST: file already exists, link '{existing}' -> '{existing2}'", "EEXIST",
            "link", existing, existing2))
        fs.symlink(existing, existing2, expect(
            f"EEXIST: file already exists, symlink '{existing}' -> '{existing2}'", "EEXIST",
            "symlink", existing, existing2))
        fs.unlink(nonexistent, expect(f"{enoent}, unlink '{nonexistent}'", "ENOENT", "unlink",
                                      nonexistent))
        dest = str(tmp_path / "foo")
        fs.rename(nonexistent, dest, expect(f"{enoent}, rename '{nonexistent}' -> '{dest}'",
                                            "ENOENT", "rename", nonexistent, dest))
        fs.rename(existing_dir, existing_dir2, expect(
            f"ENOTEMPTY: directory not empty, rename '{existing_dir}' -> '{existing_dir2}'",
            "ENOTEMPTY", "rename", existing_dir, existing_dir2))
        fs.rmdir(nonexistent, expect(f"{enoent}, rmdir '{nonexistent}'", "ENOENT", "rmdir",
                                     nonexistent))
        fs.rmdir(existing, expect(f"ENOTDIR: not a directory, rmdir '{existing}'", "ENOTDIR",
                                  "rmdir", existing))
        fs.mkdir(existing, 0o666, expect(f"EEXIST: file already exists, mkdir '{existing}'",
                                         "EEXIST", "mkdir", existing))
        fs.chmod(nonexistent, 0o666, expect(f"{enoent}, chmod '{nonexistent}'", "ENOENT",
                                            "chmod", nonexistent))
        fs.open(nonexistent, "r", 0o666, expect(f"{enoent}, open '{nonexistent}'", "ENOENT",
                                                "open", nonexistent))
        fs.close(bad_fd, expect("EBADF: bad file descriptor, close", "EBADF", "close"))
        fs.readdir(nonexistent, expect(f"{enoent}, scandir '{nonexistent}'", "ENOENT",
                                       "scandir", nonexistent))
        fs.utimes(nonexistent, 0, 0, expect(f"{enoent}, utime '{nonexistent}'", "ENOENT",
                                            "utime", nonexistent))
        fs.mkdtemp(nonexistent_dir, expect(f"{enoent}, mkdtemp '{nonexistent_dir}",
                                           "ENOENT", "mkdtemp", startswith=True))
        with pytest.raises(ValueError) as info:
            fs.copyFile(existing, nonexistent, -1, lambda *a: None)
        assert info.value.code == "ERR_OUT_OF_RANGE"  # type: ignore[attr-defined]
        fs.copyFile(existing, existing2, fs.constants.COPYFILE_EXCL, expect(
            f"EEXIST: file already exists, copyfile '{existing}' -> '{existing2}'", "EEXIST",
            "copyfile"))
        fs.copyFile(nonexistent, existing2, fs.constants.COPYFILE_EXCL, expect(
            f"{enoent}, copyfile '{nonexistent}' -> '{existing2}'", "ENOENT", "copyfile"))
        fs.read(bad_fd, bytearray(1), 0, 1, 1, expect("EBADF: bad file descriptor, read",
                                                       "EBADF", "read"))
        fs.write(bad_fd, b"a", 0, 1, 1, expect("EBADF: bad file descriptor, write", "EBADF",
                                                "write"))
        fs.write(bad_fd, "test", 1, expect("EBADF: bad file descriptor, write", "EBADF",
                                           "write"))

    run(main)


def test_copyfile(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-copyfile.js (callback form; FICLONE/FICLONE_FORCE too)"""
    src = str(tmp_path / "a.js")
    Path(src).write_text("module.exports = 'a';\n" * 50)
    os.chmod(src, 0o640)
    dest = str(tmp_path / "copyfile.out")
    k = fs.constants
    assert (k.COPYFILE_EXCL, k.COPYFILE_FICLONE, k.COPYFILE_FICLONE_FORCE) == (
        k.UV_FS_COPYFILE_EXCL, k.UV_FS_COPYFILE_FICLONE, k.UV_FS_COPYFILE_FICLONE_FORCE)

    def verify() -> None:
        assert Path(src).read_bytes() == Path(dest).read_bytes()
        s, d = os.stat(src), os.stat(dest)
        assert (s.st_mode, s.st_size) == (d.st_mode, d.st_size)

    @jsloop.asyncfn
    async def clone_modes() -> None:
        os.unlink(dest)
        await fsp.copyFile(src, dest, k.COPYFILE_FICLONE)
        verify()
        os.unlink(dest)
        try:
            await fsp.copyFile(src, dest, k.COPYFILE_FICLONE_FORCE)
            verify()
        except OSError as err:  # no reflink support on this file system
            assert err.syscall == "copyfile"  # type: ignore[attr-defined]
            assert err.code in ("ENOTSUP", "EOPNOTSUPP", "ENOTTY", "ENOSYS", "EXDEV",  # type: ignore[attr-defined]
                                "EINVAL")
            assert (err.path, err.dest) == (src, dest)  # type: ignore[attr-defined]

    def main() -> None:
        def copied(err: Any) -> None:
            assert err is None
            verify()

            def excl(err: Any) -> None:
                assert str(err) == f"EEXIST: file already exists, copyfile '{src}' -> '{dest}'"
                assert (err.errno, err.code, err.syscall) == (-errno.EEXIST, "EEXIST",
                                                              "copyfile")
                clone_modes().then(must.call())

            fs.copyFile(src, dest, k.COPYFILE_EXCL, must.call(excl))

        fs.copyFile(src, dest, must.call(copied))
        with pytest.raises(TypeError) as info:
            fs.copyFile(src, dest, 0, 0)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        for bad in BAD_PATHS:
            for args, name in (((bad, dest), "src"), ((src, bad), "dest")):
                with pytest.raises(TypeError, match=name) as info:
                    fs.copyFile(*args, must.not_call())
                assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        with pytest.raises(TypeError, match="mode") as info:
            fs.copyFile(src, dest, "r", must.not_call())
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        with pytest.raises(ValueError) as rinfo:
            fs.copyFile(src, dest, 8, must.not_call())
        assert rinfo.value.code == "ERR_OUT_OF_RANGE"  # type: ignore[attr-defined]

    run(main)


@pytest.mark.skipif(os.getuid() == 0, reason="Node skips it as root (root may write anything)")
def test_access(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-access.js"""
    does_not_exist = str(tmp_path / "__this_should_not_exist")
    read_only = tmp_path / "read_only_file"
    read_write = tmp_path / "read_write_file"
    read_only.write_text("")
    read_only.chmod(0o444)
    read_write.write_text("")
    read_write.chmod(0o666)

    def main() -> None:
        ok = must.call(lambda *args: check(list(args) == [None]), times=3)
        fs.access(__file__, ok)
        fs.access(__file__, fs.constants.R_OK, ok)
        fs.access(str(read_only), fs.constants.R_OK, ok)
        fsp.access(__file__).then(must.call())
        fsp.access(__file__, fs.constants.R_OK).then(must.call())
        fsp.access(str(read_only), fs.constants.R_OK).then(must.call())

        def enoent(err: Any) -> None:
            assert err is not None and err.code == "ENOENT" and err.path == does_not_exist
            assert str(err) == f"ENOENT: no such file or directory, access '{does_not_exist}'"
            assert (err.syscall, err.errno) == ("access", -errno.ENOENT)

        fs.access(does_not_exist, must.call(enoent))
        fsp.access(does_not_exist).then(must.not_call(), must.call(enoent))

        def no_write(err: Any) -> None:
            assert err is not None and err.path == str(read_only)

        fs.access(str(read_only), fs.constants.W_OK, must.call(no_write))
        fsp.access(str(read_only), fs.constants.W_OK).then(must.not_call(), must.call(no_write))

        with pytest.raises(TypeError) as info:
            fs.access(100, fs.constants.F_OK, must.not_call())
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        fsp.access(100, fs.constants.F_OK).then(must.not_call(), must.call(
            lambda e: check(e.code == "ERR_INVALID_ARG_TYPE")))
        for mode in [False, [1], "r"]:
            with pytest.raises(TypeError) as info:
                fs.access(str(read_write), mode, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        for mode in [-1, 8, float("inf"), float("nan")]:
            with pytest.raises(ValueError) as rinfo:
                fs.access(str(read_write), mode, must.not_call())
            assert rinfo.value.code == "ERR_OUT_OF_RANGE"  # type: ignore[attr-defined]

    def check(ok: bool) -> None:
        assert ok

    run(main)


def _make_non_empty_directory(depth: int, files: int, folders: int, dirname: Path,
                              links: bool) -> None:
    dirname.mkdir(parents=True, exist_ok=True)
    (dirname / "text.txt").write_text("hello")
    for f in range(files, 0, -1):
        (dirname / f"f-{depth}-{f}").write_text("")
    if links:
        os.symlink(f"f-{depth}-1", dirname / f"link-{depth}-good")
        os.symlink("does-not-exist", dirname / f"link-{depth}-bad")
        for x, y in (("a", "b"), ("b", "a")):
            os.symlink(f"link-{depth}-loop-{x}", dirname / f"link-{depth}-loop-{y}")
    (dirname / "[a-z0-9].txt").write_text("")
    depth -= 1
    if depth <= 0:
        return
    for f in range(folders, 0, -1):
        (dirname / f"folder-{depth}-{f}").mkdir(parents=True, exist_ok=True)
        _make_non_empty_directory(depth, files, folders, dirname / f"d-{depth}-{f}", links)


def test_rm(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-rm.js (the callback half; no URL paths, no git fixture)"""
    counter = iter(range(100))

    def next_dir() -> Path:
        return tmp_path / f"rm-{next(counter)}"

    def remove_async(d: Path) -> None:
        def first(err: Any) -> None:
            assert err.syscall == "rm"

            def second(err: Any) -> None:
                assert err.syscall == "rm"

                def removed(err: Any) -> None:
                    assert err is None
                    fs.rm(str(d), must.call(lambda err: check(err.syscall == "lstat")))

                fs.rm(str(d), {"recursive": True}, must.call(removed))

            fs.rm(str(d), {"recursive": False}, must.call(second))

        fs.rm(str(d), must.call(first))

    def main() -> None:
        for depth, links in ((4, True), (2, False), (1, True)):
            d = next_dir()
            _make_non_empty_directory(depth, 10, 2, d, links)
            remove_async(d)
        fs.rm(str(tmp_path / "noexist.txt"), {"recursive": True}, must.call(
            lambda err: check(err.code == "ENOENT")))
        file_path = tmp_path / "rm-async-file.txt"
        file_path.write_text("")
        fs.rm(str(file_path), {"recursive": True}, must.call(
            lambda err: check(err is None and not file_path.exists())))
        target = tmp_path / "link-target-async.txt"
        target.write_text("")
        valid = tmp_path / "valid-link-async"
        os.symlink(target, valid)
        fs.rm(str(valid), {"recursive": True}, must.call(
            lambda err: check(err is None and not os.path.lexists(valid) and target.exists())))
        dangling = tmp_path / "invalid-link-async"
        os.symlink("definitely-does-not-exist-async", dangling)
        fs.rm(str(dangling), {"recursive": True}, must.call(
            lambda err: check(err is None and not os.path.lexists(dangling))))
        loop_a, loop_b = tmp_path / "loop-link-async-a", tmp_path / "loop-link-async-b"
        os.symlink(loop_a, loop_b)
        os.symlink(loop_b, loop_a)
        fs.rm(str(loop_a), {"recursive": True}, must.call(
            lambda err: check(err is None and not os.path.lexists(loop_a))))

    def check(ok: bool) -> None:
        assert ok

    run(main)


# test-fs-write-file.js's text, verbatim (full-width punctuation included)
CHINESE = (
    "南越国是前203年至前111年存在于岭南地区的一个国家，国都位于番禺，疆域包括今天中国的广东、"
    "广西两省区的大部份地区，福建省、湖南、贵州、云南的一小部份地区和越南的北部。"
    "南越国是秦朝灭亡后，由南海郡尉赵佗于前203年起兵兼并桂林郡和象郡后建立。"
    "前196年和前179年，南越国曾先后两次名义上臣属于西汉，成为西汉的“外臣”。前112年，"
    "南越国末代君主赵建德与西汉发生战争，被汉武帝于前111年所灭。南越国共存在93年，"
    "历经五代君主。南越国是岭南地区的第一个有记载的政权国家，采用封建制和郡县制并存的制度，"
    "它的建立保证了秦末乱世岭南地区社会秩序的稳定，有效的改善了岭南地区落后的政治、##济现状。\n"
)


def test_readfile(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-readfile.js"""
    import random

    infos = []
    for name, length in (("1K", 1024), ("64K", 64 * 1024), ("64KLessOne", 64 * 1024 - 1),
                         ("1M", 1024 * 1024), ("1MPlusOne", 1024 * 1024 + 1)):
        contents = bytearray(length)
        for offset in range(0, length, 512):
            n = min(512, length - offset)
            contents[offset:offset + n] = bytes([random.randrange(256)]) * n
        path = tmp_path / f"readfile-{name}.txt"
        path.write_bytes(contents)
        infos.append((str(path), bytes(contents)))
    too_large = tmp_path / "readfile-too-large.txt"
    too_large.write_bytes(b"")
    try:
        os.truncate(too_large, 2**31 - 1 + 1)  # sparse
        sparse = True
    except OSError:
        sparse = False

    def main() -> None:
        for name, contents in infos:
            fs.readFile(name, must.call(
                lambda err, buf, contents=contents: check(err is None and buf == contents)))
        if sparse:
            fs.readFile(str(too_large), must.call(
                lambda err: check(err.code == "ERR_FS_FILE_TOO_LARGE"
                                  and isinstance(err, ValueError))))
        fs.readFile(infos[0][0], {"signal": jsloop.AbortSignal.abort()}, must.call(
            lambda err, buf: check(type(err).__name__ == "AbortError")))
        controller = jsloop.AbortController()
        fs.readFile(infos[0][0], {"signal": controller.signal}, must.call(
            lambda err, buf: check(type(err).__name__ == "AbortError")))
        jsloop.nextTick(controller.abort)
        with pytest.raises(TypeError) as info:
            fs.readFile(infos[0][0], {"signal": "hello"}, must.not_call())
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]

    def check(ok: bool) -> None:
        assert ok

    run(main)


def test_write_file(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-write-file.js"""
    size = len(CHINESE.encode())

    def main() -> None:
        f1 = str(tmp_path / "test.txt")
        fs.writeFile(f1, CHINESE, must.call(lambda err: (check(err is None), fs.readFile(
            f1, must.call(lambda e, buf: check(e is None and len(buf) == size))))))
        f2 = str(tmp_path / "test2.txt")
        fs.writeFile(f2, CHINESE.encode(), must.call(lambda err: (check(err is None), fs.readFile(
            f2, must.call(lambda e, buf: check(e is None and len(buf) == size))))))
        f4 = str(tmp_path / "test4.txt")

        def opened(err: Any, fd: int) -> None:
            def written(err: Any) -> None:
                assert err is None
                fs.close(fd, must.call(lambda e: (check(e is None), fs.readFile(
                    f4, must.call(lambda e2, buf: check(len(buf) == size))))))

            fs.writeFile(fd, CHINESE, must.call(written))

        fs.open(f4, "w+", must.call(opened))

        controller = jsloop.AbortController()
        fs.writeFile(str(tmp_path / "test3.txt"), CHINESE, {"signal": controller.signal},
                     must.call(lambda err: check(type(err).__name__ == "AbortError")))
        controller.abort()
        controller2 = jsloop.AbortController()
        fs.writeFile(str(tmp_path / "test5.txt"), CHINESE, {"signal": controller2.signal},
                     must.call(lambda err: check(type(err).__name__ == "AbortError")))
        jsloop.nextTick(controller2.abort)
        (tmp_path / "test6.txt").write_text("")
        fs.writeFile(str(tmp_path / "test6.txt"), CHINESE, {"flag": "r"}, must.call(
            lambda err: check("EBADF" in str(err))))

    def check(ok: bool) -> None:
        assert ok

    run(main)


def test_append_file(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-append-file.js"""
    current = "ABCD"
    size = len(CHINESE.encode())

    def main() -> None:
        def appended(path: Path, expected: int) -> Any:
            return must.call(lambda err: (check(err is None), fs.readFile(
                str(path), must.call(lambda e, buf: check(len(buf) == expected)))))

        p = tmp_path / "append.txt"
        fs.appendFile(str(p), CHINESE, appended(p, size))
        p2 = tmp_path / "append-promise.txt"
        fsp.appendFile(str(p2), CHINESE).then(lambda _v: fsp.readFile(str(p2))).then(
            must.call(lambda buf: check(len(buf) == size)))
        p3 = tmp_path / "append-non-empty.txt"
        p3.write_text(current)
        fs.appendFile(str(p3), CHINESE, appended(p3, size + 4))
        p4 = tmp_path / "append-buffer.txt"
        p4.write_text(current)
        fs.appendFile(str(p4), CHINESE.encode(), appended(p4, size + 4))
        bad_target = tmp_path / "append-invalid-data.txt"
        for data in [False, 5, {}, None]:
            with pytest.raises(TypeError) as info:
                fs.appendFile(str(bad_target), data, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
            assert '"data"' in str(info.value)
            fsp.appendFile(str(bad_target), data).then(must.not_call(), must.call(
                lambda e: check(e.code == "ERR_INVALID_ARG_TYPE")))
        p5 = tmp_path / "append-descriptors.txt"
        p5.write_text(current)

        def opened(err: Any, fd: int) -> None:
            fs.appendFile(fd, CHINESE, must.call(lambda err: fs.close(fd, must.call(
                lambda e: fs.readFile(str(p5), must.call(
                    lambda e2, buf: check(len(buf) == size + 4)))))))

        fs.open(str(p5), "a+", must.call(opened))
        p6 = tmp_path / "append-descriptors-promises.txt"
        p6.write_text(current)

        @jsloop.asyncfn
        async def with_handle() -> None:
            fh = await fsp.open(str(p6), "a+")
            await fsp.appendFile(fh, CHINESE)
            await fh.close()
            assert len(await fsp.readFile(str(p6))) == size + 4

        with_handle().then(must.call())
        with pytest.raises(TypeError) as info:
            fs.appendFile(str(tmp_path / "append6.txt"), print)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]

    def check(ok: bool) -> None:
        assert ok

    run(main)
    assert not (tmp_path / "append-invalid-data.txt").exists()


def test_promises_file_handle_small_ops(tmp_path: Path) -> None:
    """test/parallel/test-fs-promises-file-handle-stat.js, -truncate.js, -write.js,
    -sync.js, -append-file.js, -chmod.js, test-fs-promises-readfile-with-fd.js and
    test-fs-promises-writefile-with-fd.js"""
    import datetime

    @jsloop.asyncfn
    async def main() -> None:
        # stat
        fh = await fsp.open(str(tmp_path / "tmp-read-file.txt"), "w+")
        assert isinstance((await fh.stat()).mtime, datetime.datetime)
        await fh.close()
        # truncate
        name = str(tmp_path / "truncate-file.txt")
        fh = await fsp.open(name, "w+")
        await fh.write(b"Hello world", 0, 11)
        assert await fsp.readFile(name) == b"Hello world"
        await fh.truncate(5)
        assert await fsp.readFile(name) == b"Hello"
        await fh.close()
        # write
        name = str(tmp_path / "tmp-write.txt")
        fh = await fsp.open(name, "w+")
        buffer = ("Hello world" * 100).encode()
        await fh.write(buffer, 0, len(buffer))
        assert Path(name).read_bytes() == buffer
        await fh.close()
        name = str(tmp_path / "tmp-empty-write.txt")
        fh = await fsp.open(name, "w+")
        await fh.write(b"", 0, 0)
        assert Path(name).read_bytes() == b""
        await fh.close()
        name = str(tmp_path / "tmp-data-write.txt")
        fh = await fsp.open(name, "w+")
        text = "SGVsbG8gd29ybGQ="  # a base64 string, written as utf8 text
        await fh.write(text, 0, len(text))
        assert Path(name).read_bytes() == text.encode()
        for value in [123, {}, {1: 2}, None, lambda: None, object(), True]:
            try:
                await fh.write(value)
            except TypeError as exc:
                assert exc.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
                assert '"buffer"' in str(exc)
            else:
                raise AssertionError(f"write({value!r}) did not reject")
        await fh.close()
        # sync
        dest = str(tmp_path / "baz.js")
        Path(tmp_path / "src-baz.js").write_text("baz")
        try:
            await fsp.copyFile(str(tmp_path / "src-baz.js"), dest, "r")
        except TypeError as exc:
            assert exc.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        await fsp.copyFile(str(tmp_path / "src-baz.js"), dest)
        try:
            await fsp.access(dest, "r")
        except TypeError as exc:
            assert exc.code == "ERR_INVALID_ARG_TYPE" and "mode" in str(exc)  # type: ignore[attr-defined]
        await fsp.access(dest)
        fh = await fsp.open(dest, "r+")
        await fh.datasync()
        await fh.sync()
        await fh.write(b"hello world")
        ret = await fh.read(bytearray(11), 0, 11, 0)
        assert ret["bytesRead"] == 11 and ret["buffer"] == b"hello world"
        await fh.close()
        # append-file
        name = str(tmp_path / "tmp-append-file-buffer.txt")
        fh = await fsp.open(name, "a")
        await fh.appendFile(("a&Dp" * 100).encode())
        await fh.appendFile("x~yz" * 100)
        assert Path(name).read_bytes() == ("a&Dp" * 100 + "x~yz" * 100).encode()
        await fh.close()
        # chmod
        name = str(tmp_path / "tmp-chmod.txt")
        fh = await fsp.open(name, "w+", 0o444)
        assert os.stat(name).st_mode & 0o444 == 0o444
        await fh.chmod(0o765)
        assert os.stat(name).st_mode & 0o765 == 0o765
        await fh.close()
        # readfile-with-fd / writefile-with-fd: from the current position
        name = str(tmp_path / "test.txt")
        Path(name).write_text("Hello World")
        fh = await fsp.open(name, "r")
        buf = bytearray(5)
        assert (await fh.read(buf, 0, 5, None))["bytesRead"] == 5 and buf == b"Hello"
        assert await fh.readFile() == b" World"
        await fh.close()
        fh = await fsp.open(name, "w")
        assert (await fh.write(b"Hello", 0, 5, None))["bytesWritten"] == 5
        await fh.writeFile("World")
        assert Path(name).read_text() == "HelloWorld"
        await fh.close()

    run(main)


def test_readdir(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-readdir.js"""
    files = ["empty", "files", "for", "just", "testing"]
    for name in files:
        (tmp_path / name).write_text("")

    def main() -> None:
        fs.readdir(str(tmp_path), must.call(lambda err, f: check(err is None and
                                                                 sorted(f) == files)))
        fs.readdir(__file__, must.call(lambda err: check(err.code == "ENOTDIR")))
        for bad in BAD_PATHS:
            with pytest.raises(TypeError) as info:
                fs.readdir(bad, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]

    def check(ok: bool) -> None:
        assert ok

    run(main)


def test_readdir_types(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-readdir-types.js (not the binding mock that hides the types,
    nor ``new fs.Dirent(name, UV_DIRENT_*)``)"""
    files = ["empty", "files", "for", "just", "testing"]
    for name in files:
        (tmp_path / name).write_text("")

    def assert_dirents(dirents: list[Any]) -> None:
        assert len(dirents) == len(files)
        for dirent, name in zip(dirents, files, strict=True):
            assert isinstance(dirent, fs.Dirent)
            assert dirent.name == name
            assert dirent.isFile() is True
            assert not any((dirent.isDirectory(), dirent.isSocket(), dirent.isBlockDevice(),
                            dirent.isCharacterDevice(), dirent.isFIFO(),
                            dirent.isSymbolicLink()))

    def main() -> None:
        def enotdir(err: Any) -> None:
            assert err.code == "ENOTDIR"
            assert str(err) == f"ENOTDIR: not a directory, scandir '{__file__}'"

        fs.readdir(__file__, {"withFileTypes": True}, must.call(enotdir))
        fs.readdir(str(tmp_path), {"withFileTypes": True}, must.call(
            lambda err, dirents: assert_dirents(dirents)))
        fsp.readdir(str(tmp_path), {"withFileTypes": True}).then(must.call(assert_dirents))

    run(main)


def test_truncate(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-truncate.js (callback forms; the deprecated
    truncate(fd) is not ported)"""
    filename = str(tmp_path / "truncate-file.txt")
    data = b"x" * (1024 * 16)

    def main() -> None:
        def test_truncate(cb: Any) -> None:
            def written(er: Any) -> None:
                def stat1(er: Any, st: Any) -> None:
                    assert st.size == 1024 * 16

                    def truncated(er: Any) -> None:
                        def stat2(er: Any, st: Any) -> None:
                            assert st.size == 1024
                            fs.truncate(filename, lambda er: fs.stat(
                                filename, lambda er, st: (check(st.size == 0), cb())))

                        fs.stat(filename, stat2)

                    fs.truncate(filename, 1024, truncated)

                fs.stat(filename, stat1)

            fs.writeFile(filename, data, written)

        def test_ftruncate(cb: Any) -> None:
            def written(er: Any) -> None:
                def opened(er: Any, fd: int) -> None:
                    def truncated(er: Any) -> None:
                        def stat2(er: Any, st: Any) -> None:
                            assert st.size == 1024
                            fs.ftruncate(fd, lambda er: fs.stat(filename, lambda er, st: (
                                check(st.size == 0), fs.close(fd, cb))))

                        fs.stat(filename, stat2)

                    fs.ftruncate(fd, 1024, truncated)

                fs.open(filename, "w", opened)

            fs.writeFile(filename, data, written)

        test_truncate(must.call(lambda *a: test_ftruncate(must.call())))

        file3 = tmp_path / "truncate-file-3.txt"
        file3.write_text("Hi")
        fs.truncate(str(file3), 4, must.call(
            lambda err: check(err is None and file3.read_bytes() == b"Hi\0\0")))
        file4 = tmp_path / "truncate-file-4.txt"
        file4.write_text("Hi")
        fd4 = os.open(file4, os.O_RDWR)
        fs.ftruncate(fd4, 4, must.call(
            lambda err: (check(err is None and file4.read_bytes() == b"Hi\0\0"), os.close(fd4))))
        file5 = tmp_path / "truncate-file-5.txt"
        file5.write_text("Hi")
        fd5 = os.open(file5, os.O_RDWR)
        for bad in ["", False, {}, []]:
            with pytest.raises(TypeError) as info:
                fs.truncate(str(file5), bad, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
            assert str(info.value).startswith('The "len" argument must be of type number.')
        for bad_len in [-1.5, 1.5]:
            with pytest.raises(ValueError) as rinfo:
                fs.truncate(str(file5), bad_len, must.not_call())
            assert str(rinfo.value) == (
                f'The value of "len" is out of range. It must be an integer. Received {bad_len}')
        fs.ftruncate(fd5, None, must.call(
            lambda err: (check(err is None and file5.read_bytes() == b""), os.close(fd5))))
        file6 = tmp_path / "truncate-file-6.txt"
        file6.write_text("Hi")
        fd6 = os.open(file6, os.O_RDWR)
        fs.ftruncate(fd6, -1, must.call(
            lambda err: (check(err is None and file6.read_bytes() == b""), os.close(fd6))))
        file7 = tmp_path / "truncate-file-7.txt"
        file7.write_text("Hi")
        fs.truncate(str(file7), None, must.call(
            lambda err: check(err is None and file7.read_bytes() == b"")))

    def check(ok: bool) -> None:
        assert ok

    run(main)


def test_open(must: Any) -> None:
    """test/parallel/test-fs-open.js (a call without callback is the promise form in
    jsloop, so only the 'bad callback' case of the missing-callback checks applies)"""
    def main() -> None:
        for args in [(), ("r",), ("rs",), ("r", 0), ("r", None)]:
            fs.open(__file__, *args, must.call(
                lambda err, fd: (check(err is None), os.close(fd))))

        @jsloop.asyncfn
        async def promise() -> None:
            await (await fsp.open(__file__)).close()
            await (await fsp.open(__file__, "r")).close()

        promise().then(must.call(), must.not_call())
        with pytest.raises(TypeError) as info:
            fs.open(__file__, "r", "boom", must.not_call())
        assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]
        with pytest.raises(TypeError) as info:
            fs.open(__file__, "r", 0, "bad callback")
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        for bad in BAD_PATHS:
            with pytest.raises(TypeError) as info:
                fs.open(bad, "r", must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
            fsp.open(bad, "r").then(must.not_call(), must.call(
                lambda e: check(e.code == "ERR_INVALID_ARG_TYPE")))
        for mode in [False, [], {}]:
            with pytest.raises(TypeError) as info:
                fs.open(__file__, "r", mode, must.not_call())
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
            fsp.open(__file__, "r", mode).then(must.not_call(), must.call(
                lambda e: check(e.code == "ERR_INVALID_ARG_TYPE")))

    def check(ok: bool) -> None:
        assert ok

    run(main)


def test_link(tmp_path: Path, must: Any) -> None:
    """test/parallel/test-fs-link.js"""
    src = tmp_path / "hardlink-target.txt"
    dst = tmp_path / "link1.js"
    src.write_text("hello world")

    def main() -> None:
        fs.link(str(src), str(dst), must.call(
            lambda err: check(err is None and dst.read_text() == "hello world")))
        for bad in BAD_PATHS:
            for args in ((bad, ""), ("", bad)):
                with pytest.raises(TypeError) as info:
                    fs.link(*args, must.not_call())
                assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]

    def check(ok: bool) -> None:
        assert ok

    run(main)
