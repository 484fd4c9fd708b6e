"""Whole-file reads and writes: ``readFile``, ``writeFile``/``appendFile``, chunked.

Owns: ``ReadFile``/``WriteFile`` (Node's ReadFileContext and writeFileHandle as
chains of pool requests) and their ``op_*`` entry points.

Whole-file calls are chunked, as Node's are, so that no pool job is long:
``readFile`` = open+fstat, then one job per chunk (512 KiB for a regular file
of known size, 64 KiB until EOF otherwise — pipes, ``/dev/zero``, ``/proc``),
then close; a file that reaches 2 GiB fails with ERR_FS_FILE_TOO_LARGE
(Node's kIoMaxLength). ``writeFile`` writes 512 KiB per job. Between chunks the
``signal`` is checked (an abort rejects with AbortError after closing the fd),
the loop can exit and other pool work gets its turn. On a ``FileHandle`` the
whole chain runs under one of its operation references.

The blocking bodies are looked up on ``_ops`` at each use (tests replace them).

Imports: _ops, _common (and stdlib).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from . import _common as c
from . import _ops
from ._ops import Done, aborted, check_signal, fail_soon, job


class ReadFile:
    """Node's ReadFileContext: open+fstat, read chunk by chunk, close, then ``done``."""

    __slots__ = ("chunks", "done", "encoding", "fd", "owned", "signal", "size", "total")

    def __init__(self, encoding: str | None, signal: Any, done: Done) -> None:
        self.encoding = encoding
        self.signal = signal
        self.done = done
        self.chunks: list[bytes] = []
        self.fd = -1
        self.owned = False
        self.size = 0
        self.total = 0

    def start_path(self, path: str | bytes, flags: int) -> None:
        self.owned = True
        job(_ops._open_fstat, (path, flags), self._opened, "open")

    def start_fd(self, fd: int) -> None:
        job(_ops._fstat_size, (fd,), lambda size, err: self._opened((fd, size), err), "fstat")

    def _opened(self, result: Any, err: BaseException | None) -> None:
        if err is not None:
            self.done(None, err)
            return
        self.fd, self.size = result
        if self.size > c.IO_MAX_LENGTH:
            self._finish(None, c.file_too_large(self.size))
            return
        self._next()

    def _next(self) -> None:
        err = aborted(self.signal)
        if err is not None:
            self._finish(None, err)
            return
        n = min(self.size - self.total, c.READ_CHUNK) if self.size else c.READ_CHUNK_UNKNOWN
        job(_ops._read, (self.fd, n), self._read, "read")

    def _read(self, data: bytes | None, err: BaseException | None) -> None:
        if err is not None or data is None:
            self._finish(None, err)
            return
        if data:
            self.chunks.append(data)
            self.total += len(data)
        if not data or self.total == self.size:
            raw = b"".join(self.chunks)
            self.chunks = []
            self._finish(raw if self.encoding is None else c.decode(raw, self.encoding), None)
        elif self.total > c.IO_MAX_LENGTH:
            self.chunks = []
            self._finish(None, c.file_too_large(self.total))
        else:
            self._next()

    def _finish(self, result: Any, err: BaseException | None) -> None:
        finish_owned(self.fd if self.owned else -1, result, err, self.done)


class WriteFile:
    """open, write 512 KiB per job (checking ``signal``), close, then ``done``."""

    __slots__ = ("data", "done", "fd", "offset", "owned", "signal")

    def __init__(self, data: bytes, signal: Any, done: Done) -> None:
        self.data = memoryview(data).cast("B")
        self.signal = signal
        self.done = done
        self.fd = -1
        self.owned = False
        self.offset = 0

    def start_path(self, path: str | bytes, flags: int, mode: int) -> None:
        self.owned = True
        job(_ops._open, (path, flags, mode), self._opened, "open")

    def start_fd(self, fd: int) -> None:
        self.fd = fd
        self._next()

    def _opened(self, fd: int | None, err: BaseException | None) -> None:
        if err is not None or fd is None:
            self.done(None, err)
            return
        self.fd = fd
        self._next()

    def _next(self) -> None:
        err = aborted(self.signal)
        if err is not None:
            self._finish(err)
            return
        if self.offset >= len(self.data):
            self._finish(None)
            return
        chunk = self.data[self.offset:self.offset + c.WRITE_CHUNK]
        job(_ops._write, (self.fd, chunk, None), self._wrote, "write")

    def _wrote(self, n: int | None, err: BaseException | None) -> None:
        if err is not None or n is None:
            self._finish(err)
            return
        self.offset += n
        self._next()

    def _finish(self, err: BaseException | None) -> None:
        finish_owned(self.fd if self.owned else -1, None, err, self.done)


def finish_owned(fd: int, result: Any, err: BaseException | None, done: Done) -> None:
    """Close ``fd`` (if >= 0) on the pool, then ``done``; a close error counts only
    when the operation itself succeeded (Node's handleFdClose)."""
    if fd < 0:
        done(result, err)
        return

    def closed(_r: Any, close_err: BaseException | None) -> None:
        if err is not None:
            done(None, err)
        elif close_err is not None:
            done(None, close_err)
        else:
            done(result, None)

    job(_ops._close, (fd,), closed, "close")


def _file_target(target: Any, allow_fd: bool) -> tuple[int | None, Any]:
    """A FileHandle, an fd (callback forms only) or a path."""
    from ._filehandle import FileHandle

    if isinstance(target, FileHandle):
        return None, target
    if allow_fd and isinstance(target, int) and not isinstance(target, bool):
        return c.check_fd(target), None
    return None, c.check_path(target)


def op_read_file(target: Any, options: Any = None, *, done: Done, allow_fd: bool = False,
                 **kw: Any) -> None:
    """``readFile(path | FileHandle [| fd], options)``: bytes, or str with an encoding."""
    opts = c.options_of(options, {"encoding": None, "flag": "r", "signal": None, **kw})
    enc = c.check_encoding(opts["encoding"])
    flags = c.check_flags(opts["flag"] or "r")
    signal = check_signal(opts["signal"])
    _start_whole(target, allow_fd, signal, done, lambda d: ReadFile(enc, signal, d),
                 (flags,), "read")


def op_write_file(target: Any, data: Any, options: Any = None, *, done: Done,
                  allow_fd: bool = False, append: bool = False, **kw: Any) -> None:
    """``writeFile``/``appendFile(path | FileHandle [| fd], data, options)``."""
    defaults = {"encoding": "utf8", "mode": 0o666, "flag": "a" if append else "w",
                "signal": None, **kw}
    opts = c.options_of(options, defaults)
    enc = c.check_encoding(opts["encoding"]) or "utf8"
    payload = _file_data(data, enc)
    flags = c.check_flags(opts["flag"] or defaults["flag"])  # Node: `options.flag || 'w'`
    mode = c.check_mode(opts["mode"], 0o666)
    signal = check_signal(opts["signal"])
    _start_whole(target, allow_fd, signal, done, lambda d: WriteFile(payload, signal, d),
                 (flags, mode), "write")


def _file_data(data: Any, encoding: str) -> bytes:
    """writeFile's data: str/bytes-like, or an iterable (list, generator) of them.

    Copied (or joined) now: the caller may mutate a buffer while workers write.
    Async iterables and streams are not supported (Node accepts them).
    """
    if isinstance(data, (str, bytes, bytearray, memoryview)) or not isinstance(
            data, (list, tuple, Iterator)):
        return bytes(c.check_data(data, encoding))
    return b"".join(
        c.encode(part, encoding) if isinstance(part, str) else bytes(c.check_data(part, None))
        for part in data)


def _start_whole(target: Any, allow_fd: bool, signal: Any, done: Done,
                 make: Callable[[Done], ReadFile | WriteFile], open_args: tuple[Any, ...],
                 name: str) -> None:
    """Start a whole-file read/write on a path, an fd or a FileHandle (under its ref)."""
    fd, path = _file_target(target, allow_fd)
    err = aborted(signal)
    if err is not None:
        fail_soon(done, err)
    elif fd is not None:
        make(done).start_fd(fd)
    elif isinstance(path, (str, bytes)):
        make(done).start_path(path, *open_args)
    else:
        path.run_op(name, lambda f, d: make(d).start_fd(f), done)
