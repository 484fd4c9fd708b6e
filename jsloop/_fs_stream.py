"""fs.ReadStream / fs.WriteStream and createReadStream / createWriteStream.

Owns: Node's file streams (lib/internal/fs/streams.js): a Readable that
reads a file range in ``highWaterMark``-sized pieces (64 KiB by default), and
a Writable that writes (``pwrite`` at ``start``, or appends at the file
position) — every open/read/write/close runs on the loop's thread pool, one
request at a time per stream, so a stream never holds more than its
highWaterMarks of data in memory.

Node's order is kept: the file is opened from ``_construct`` ('open' (fd)
then 'ready'), ``end`` is inclusive, ``autoClose`` is the streams'
``autoDestroy``, destroy waits for an in-flight read/write before closing
the fd, and 'close' follows. Errors are OSErrors carrying Node's ``code``,
``syscall`` and ``path``.

Imports: stream, _runtime (the loop, for its thread pool), errors.
"""

from __future__ import annotations

import errno as errno_mod
import os
from typing import Any

from ._runtime import get_loop
from .errors import NodeRangeError, invalid_arg_type
from .fs._common import annotate, check_encoding, check_fd, check_flags, check_path
from .stream import Readable, Writable, finished
from .stream._destroy import errorOrDestroy
from .stream._utils import ERR_STREAM_DESTROYED, StreamError

_kIoDone: Any = object()

def _annotate(exc: OSError, syscall: str, path: Any = None) -> OSError:
    return annotate(exc, syscall, path)


# -- blocking bodies (run on a worker) ------------------------------------------------------

def _open(path: Any, flags: int, mode: int) -> int:
    try:
        return os.open(path, flags, mode)
    except OSError as exc:
        raise _annotate(exc, "open", path) from None


def _read(fd: int, n: int, pos: int | None) -> bytes:
    try:
        return os.pread(fd, n, pos) if pos is not None else os.read(fd, n)
    except OSError as exc:
        raise _annotate(exc, "read") from None


def _write_all(fd: int, data: Any, pos: int | None) -> int:
    view = memoryview(data)
    total = 0
    try:
        while total < len(view):
            part = view[total:]
            n = os.pwrite(fd, part, pos + total) if pos is not None else os.write(fd, part)
            if n == 0:
                raise OSError(errno_mod.EIO, "write failed")
            total += n
    except OSError as exc:
        raise _annotate(exc, "write") from None
    return total


def _writev_all(fd: int, chunks: list[bytes], pos: int | None) -> int:
    try:
        n = os.writev(fd, chunks) if pos is None else os.pwritev(fd, chunks, pos)
    except OSError as exc:
        raise _annotate(exc, "write") from None
    size = sum(len(c) for c in chunks)
    if n < size:  # short write: finish the rest plainly
        rest = b"".join(chunks)[n:]
        n += _write_all(fd, rest, None if pos is None else pos + n)
    return n


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError as exc:
        raise _annotate(exc, "close") from None


def _fsync(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError as exc:
        raise _annotate(exc, "fsync") from None


def _queue(fn: Any, args: tuple[Any, ...], done: Any) -> None:
    get_loop().threadpool.queue_work(fn, args, done)


# -- shared pieces ---------------------------------------------------------------------------

def _prepare(stream: Any, path: Any, opts: dict[str, Any], default_flags: str) -> None:
    fd = opts.get("fd")
    if fd is None:
        stream.fd = None
        stream.path = check_path(path)
        stream.flags = opts.get("flags", default_flags)
        stream._oflags = check_flags(stream.flags)
        stream.mode = opts.get("mode", 0o666)
    else:
        stream.fd = check_fd(fd)
        stream.path = path
    stream._performing_io = False


def _validate_int(name: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_arg_type(name, "of type number", value)
    if value < 0:
        raise NodeRangeError(
            f'The value of "{name}" is out of range. It must be >= 0 && <= 9007199254740991. '
            f"Received {value}", "ERR_OUT_OF_RANGE",
        )
    return value


def _construct(stream: Any, callback: Any) -> None:
    if isinstance(stream.fd, int):
        callback()
        return

    def done(fd: Any, err: BaseException | None) -> None:
        if err is not None:
            callback(err)
        else:
            stream.fd = fd
            callback()
            stream.emit("open", fd)
            stream.emit("ready")

    _queue(_open, (stream.path, stream._oflags, stream.mode), done)


def _close_stream(stream: Any, err: Any, cb: Any) -> None:
    fd = stream.fd
    if fd is None:
        cb(err)
        return

    def after_close(_r: Any, er: BaseException | None) -> None:
        cb(er or err)

    def do_close(flush_err: Any = None) -> None:
        nonlocal err
        err = err or flush_err
        stream.fd = None
        _queue(_close, (fd,), after_close)

    if getattr(stream, "flush", False):
        _queue(_fsync, (fd,), lambda _r, e: do_close(e))
    else:
        do_close()


def _destroy(stream: Any, err: Any, cb: Any) -> None:
    if stream._performing_io:
        stream.once(_kIoDone, lambda er=None: _close_stream(stream, err or er, cb))
    else:
        _close_stream(stream, err, cb)


def _options(options: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(options, str):
        options = {"encoding": options}
    elif options is None:
        options = {}
    elif not isinstance(options, dict):
        raise invalid_arg_type("options", "one of type string or object", options)
    opts = {**options, **kwargs}
    check_encoding(opts.get("encoding"))
    return opts


class ReadStream(Readable):
    """Node's ``fs.ReadStream`` (``fs.createReadStream(path, options)``)."""

    fd: int | None
    path: Any

    def __init__(self, path: Any, options: Any = None, **kwargs: Any) -> None:
        opts = _options(options, kwargs)
        if opts.get("highWaterMark") is None:
            opts["highWaterMark"] = 64 * 1024
        _prepare(self, path, opts, "r")
        auto_close = opts.pop("autoClose", None)
        opts["autoDestroy"] = True if auto_close is None else bool(auto_close)
        for key in ("fd", "flags", "mode", "fs"):
            opts.pop(key, None)
        self.start = opts.pop("start", None)
        end = opts.pop("end", None)
        self.pos: int | None = None
        self.bytesRead = 0
        if self.start is not None:
            self.start = _validate_int("start", self.start)
            self.pos = self.start
        if end is None or end == float("inf"):
            self.end: float = float("inf")
        else:
            self.end = _validate_int("end", end)
            if self.start is not None and self.start > self.end:
                raise NodeRangeError(
                    f'The value of "start" is out of range. It must be <= "end" '
                    f'(here: {self.end}). Received {self.start}', "ERR_OUT_OF_RANGE",
                )
        Readable.__init__(self, opts)

    def _construct(self, callback: Any) -> None:
        _construct(self, callback)

    def _read(self, n: int) -> None:
        if self.pos is not None:
            n = int(min(self.end - self.pos + 1, n))
        else:
            n = int(min(self.end - self.bytesRead + 1, n))
        if n <= 0:
            self.push(None)
            return
        self._performing_io = True
        _queue(_read, (self.fd, n, self.pos), self._after_read)

    def _after_read(self, data: Any, er: BaseException | None) -> None:
        self._performing_io = False
        if self.destroyed:
            self.emit(_kIoDone, er)
            return
        if er is not None:
            errorOrDestroy(self, er)
        elif data:
            if self.pos is not None:
                self.pos += len(data)
            self.bytesRead += len(data)
            self.push(data)
        else:
            self.push(None)

    def _destroy(self, err: Any, cb: Any) -> None:
        _destroy(self, err, cb)

    def close(self, cb: Any = None) -> None:
        """``readStream.close([cb])``: destroy; ``cb`` runs when it is finished."""
        if callable(cb):
            finished(self, cb)
        self.destroy()

    @property
    def pending(self) -> bool:
        return self.fd is None

    @property
    def autoClose(self) -> bool:
        return bool(self._readableState.autoDestroy)

    @autoClose.setter
    def autoClose(self, val: bool) -> None:
        self._readableState.autoDestroy = val


class WriteStream(Writable):
    """Node's ``fs.WriteStream`` (``fs.createWriteStream(path, options)``)."""

    fd: int | None
    path: Any

    def __init__(self, path: Any, options: Any = None, **kwargs: Any) -> None:
        opts = _options(options, kwargs)
        opts["decodeStrings"] = True
        _prepare(self, path, opts, "w")
        auto_close = opts.pop("autoClose", None)
        opts["autoDestroy"] = True if auto_close is None else bool(auto_close)
        for key in ("fd", "flags", "mode", "fs"):
            opts.pop(key, None)
        flush = opts.pop("flush", None)
        if flush is not None and not isinstance(flush, bool):
            raise invalid_arg_type("options.flush", "of type boolean", flush)
        self.flush = bool(flush)
        self.start = opts.pop("start", None)
        self.pos: int | None = None
        self.bytesWritten = 0
        if self.start is not None:
            self.start = _validate_int("start", self.start)
            self.pos = self.start
        encoding = opts.pop("encoding", None)
        Writable.__init__(self, opts)
        if encoding:
            self.setDefaultEncoding(encoding)

    def _construct(self, callback: Any) -> None:
        _construct(self, callback)

    def _write(self, data: Any, encoding: str, cb: Any) -> None:
        self._performing_io = True
        _queue(_write_all, (self.fd, data, self.pos), self._after_write(cb, "write"))
        if self.pos is not None:
            self.pos += len(data)

    def _writev(self, data: Any, cb: Any) -> None:
        chunks = [req.chunk for req in data]
        size = sum(len(c) for c in chunks)
        self._performing_io = True
        _queue(_writev_all, (self.fd, chunks, self.pos), self._after_write(cb, "writev"))
        if self.pos is not None:
            self.pos += size

    def _after_write(self, cb: Any, name: str) -> Any:
        def done(n: Any, er: BaseException | None) -> None:
            self._performing_io = False
            if er is None and not self.destroyed:
                self.bytesWritten += n
            if self.destroyed:
                cb(er or ERR_STREAM_DESTROYED(name))
                self.emit(_kIoDone, er)
                return
            cb(er)

        return done

    def _destroy(self, err: Any, cb: Any) -> None:
        _destroy(self, err, cb)

    def close(self, cb: Any = None) -> None:
        """``writeStream.close([cb])``: end, then close the fd; ``cb`` on 'close'."""
        from .timers import nextTick

        if cb is not None:
            if self.closed:
                nextTick(cb)
                return
            self.on("close", cb)
        if not self.autoClose:
            self.on("finish", lambda: self.destroy())
        self.end()

    destroySoon = Writable.end

    @property
    def pending(self) -> bool:
        return self.fd is None

    @property
    def autoClose(self) -> bool:
        return bool(self._writableState.autoDestroy)

    @autoClose.setter
    def autoClose(self, val: bool) -> None:
        self._writableState.autoDestroy = val


def createReadStream(path: Any, options: Any = None, **kwargs: Any) -> ReadStream:
    """``fs.createReadStream(path[, options])``: options ``start``, ``end`` (inclusive),
    ``highWaterMark`` (64 KiB), ``flags`` ('r'), ``encoding``, ``fd``, ``mode``,
    ``autoClose``, ``emitClose``, ``signal``."""
    return ReadStream(path, options, **kwargs)


def createWriteStream(path: Any, options: Any = None, **kwargs: Any) -> WriteStream:
    """``fs.createWriteStream(path[, options])``: options ``flags`` ('w'), ``start``,
    ``encoding``, ``fd``, ``mode``, ``autoClose``, ``emitClose``, ``flush``, ``highWaterMark``."""
    return WriteStream(path, options, **kwargs)


__all__ = ["ReadStream", "StreamError", "WriteStream", "createReadStream", "createWriteStream"]
