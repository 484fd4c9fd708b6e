"""jsloop.fs: Node's fs/promises on the thread pool — round trips, encodings,
error classes and Node codes, FileHandle."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from _io_helpers import no_leaks, run_bounded  # noqa: F401

from jsloop import fs

pytestmark = pytest.mark.usefixtures("no_leaks")


def run_async(fn: Any) -> Any:
    return run_bounded(fn)


def test_write_read_append_round_trip(tmp_path: Path) -> None:
    p = str(tmp_path / "a.txt")

    async def main() -> Any:
        assert await fs.writeFile(p, "héllo") is None
        await fs.appendFile(p, b" world")
        raw = await fs.readFile(p)
        text = await fs.readFile(p, "utf8")
        opts = await fs.readFile(p, {"encoding": "hex"})
        return raw, text, opts

    raw, text, hexed = run_async(main)
    assert raw == "héllo world".encode()
    assert text == "héllo world"
    assert hexed == "héllo world".encode().hex()


def test_binary_round_trip_large(tmp_path: Path) -> None:
    p = str(tmp_path / "big.bin")
    payload = os.urandom(300_000)

    async def main() -> bytes:
        await fs.writeFile(p, bytearray(payload))
        return await fs.readFile(p)

    assert run_async(main) == payload


def test_missing_file_rejects_with_file_not_found_and_node_code(tmp_path: Path) -> None:
    p = str(tmp_path / "nope")

    async def main() -> Any:
        try:
            await fs.readFile(p)
        except FileNotFoundError as exc:
            return exc
        return None

    exc = run_async(main)
    assert exc.code == "ENOENT"
    assert exc.syscall == "open"
    assert exc.path == p


def test_error_codes(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    d = str(tmp_path)

    async def code_of(promise: Any) -> Any:
        try:
            await promise
        except OSError as exc:
            return type(exc).__name__, exc.code, exc.syscall  # type: ignore[attr-defined]
        return None

    async def main() -> list[Any]:
        return [
            await code_of(fs.mkdir(f"{d}/dir")),
            await code_of(fs.mkdir(f"{d}/file/sub", recursive=True)),
            await code_of(fs.readdir(f"{d}/missing")),
            await code_of(fs.unlink(f"{d}/dir")),
            await code_of(fs.rm(f"{d}/dir")),
            await code_of(fs.rm(f"{d}/missing")),
            await code_of(fs.rename(f"{d}/missing", f"{d}/x")),
            await code_of(fs.access(f"{d}/missing")),
            await code_of(fs.stat(f"{d}/missing")),
            await code_of(fs.copyFile(f"{d}/file", f"{d}/file", fs.COPYFILE_EXCL)),
            await code_of(fs.open(f"{d}/file", "wx")),
        ]

    assert run_async(main) == [
        ("FileExistsError", "EEXIST", "mkdir"),
        ("NotADirectoryError", "ENOTDIR", "mkdir"),
        ("FileNotFoundError", "ENOENT", "scandir"),
        ("IsADirectoryError", "EISDIR", "unlink"),
        ("IsADirectoryError", "ERR_FS_EISDIR", "rm"),
        ("FileNotFoundError", "ENOENT", "lstat"),
        ("FileNotFoundError", "ENOENT", "rename"),
        ("FileNotFoundError", "ENOENT", "access"),
        ("FileNotFoundError", "ENOENT", "stat"),
        ("FileExistsError", "EEXIST", "copyfile"),
        ("FileExistsError", "EEXIST", "open"),
    ]


def test_directories_stat_readdir_rm(tmp_path: Path) -> None:
    base = str(tmp_path / "t")

    async def main() -> Any:
        first = await fs.mkdir(f"{base}/a/b", recursive=True)
        again = await fs.mkdir(f"{base}/a/b", recursive=True)
        await fs.writeFile(f"{base}/z.txt", "z")
        await fs.writeFile(f"{base}/m.txt", "m")
        os.symlink(f"{base}/z.txt", f"{base}/link")
        names = await fs.readdir(base)
        ents = await fs.readdir(base, withFileTypes=True)
        st = await fs.stat(f"{base}/link")
        lst = await fs.lstat(f"{base}/link")
        dst = await fs.stat(f"{base}/a")
        await fs.rm(base, recursive=True)
        await fs.rm(base, force=True)  # missing + force: fine
        gone = not os.path.exists(base)
        kinds = {e.name: (e.isFile(), e.isDirectory(), e.isSymbolicLink()) for e in ents}
        return first, again, names, kinds, st, lst, dst, gone

    first, again, names, kinds, st, lst, dst, gone = run_async(main)
    assert first == f"{base}"
    assert again is None
    assert names == ["a", "link", "m.txt", "z.txt"]
    assert kinds == {"a": (False, True, False), "link": (False, False, True),
                     "m.txt": (True, False, False), "z.txt": (True, False, False)}
    assert st.isFile() and st.size == 1 and not st.isSymbolicLink()
    assert lst.isSymbolicLink()
    assert dst.isDirectory() and dst.mtimeMs > 0
    assert gone


def test_copy_rename_unlink_access(tmp_path: Path) -> None:
    src = str(tmp_path / "src")
    os.chmod(tmp_path, 0o755)

    async def main() -> Any:
        await fs.writeFile(src, b"payload")
        os.chmod(src, 0o640)
        await fs.copyFile(src, src + ".copy")
        await fs.rename(src + ".copy", src + ".moved")
        moved = await fs.readFile(src + ".moved")
        mode = (await fs.stat(src + ".moved")).mode & 0o777
        await fs.access(src + ".moved", fs.R_OK | fs.W_OK)
        await fs.unlink(src + ".moved")
        return moved, mode, os.path.exists(src + ".moved")

    assert run_async(main) == (b"payload", 0o640, False)


def test_file_handle_read_write_close(tmp_path: Path) -> None:
    p = str(tmp_path / "h")

    async def main() -> Any:
        fh = await fs.open(p, "w+")
        w1 = await fh.write(b"hello world")
        w2 = await fh.write("HELLO", 0)  # string form: (string, position)
        buf = bytearray(5)
        r1 = await fh.read(buf, 0, 5, 6)
        r2 = await fh.read(None, 0, None, 0)
        size = (await fh.stat()).size
        await fh.close()
        await fh.close()  # idempotent
        try:
            await fh.read()
        except OSError as exc:
            closed = exc.code  # type: ignore[attr-defined]
        return w1["bytesWritten"], w2["bytesWritten"], r1, r2["bytesRead"], bytes(
            r2["buffer"][:11]), size, closed

    w1, w2, r1, n2, data, size, closed = run_async(main)
    assert (w1, w2) == (11, 5)
    assert r1 == {"bytesRead": 5, "buffer": bytearray(b"world")}
    assert (n2, data, size) == (11, b"HELLO world", 11)
    assert closed == "EBADF"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: fs.readFile(123.5), "ERR_INVALID_ARG_TYPE"),
        (lambda: fs.readFile("x", "bogus"), "ERR_INVALID_ARG_VALUE"),
        (lambda: fs.writeFile("x", 12), "ERR_INVALID_ARG_TYPE"),
        (lambda: fs.stat(None), "ERR_INVALID_ARG_TYPE"),
        (lambda: fs.open("x", "nope"), "ERR_INVALID_ARG_VALUE"),
        (lambda: fs.unlink("a\0b"), "ERR_INVALID_ARG_VALUE"),
    ],
)
def test_bad_arguments_reject_with_node_codes(call: Any, code: str) -> None:
    async def main() -> Any:
        try:
            await call()
        except TypeError as exc:
            return exc.code  # type: ignore[attr-defined]
        return None

    assert run_async(main) == code


def test_readfile_completion_orders_like_node(tmp_path: Path) -> None:
    # ORDERING.md §1 with fs.promises (checked with node 20): the completion is a
    # poll-phase callback, so its immediate beats its timer.
    import jsloop

    log: list[str] = []
    p = tmp_path / "x"
    p.write_text("x")

    def main() -> None:
        def done(_data: bytes) -> None:
            jsloop.setTimeout(lambda: log.append("timeout"), 0)
            jsloop.setImmediate(lambda: log.append("immediate"))
            jsloop.Promise.resolve().then(lambda _v: log.append("promise"))
            jsloop.nextTick(lambda: log.append("tick"))
            log.append("io callback")

        fs.readFile(str(p)).then(done)

    run_bounded(main)
    assert log == ["io callback", "promise", "tick", "immediate", "timeout"]
