"""Node's ``FileHandle`` (from ``fs.promises.open``): an fd whose operations are counted.

Owns: ``FileHandle`` and its reference count of in-flight operations.

Invariants (Node's lib/internal/fs/promises.js ``fsCall``/``close``)
-------------------------------------------------------------------
* Every operation takes a reference for as long as it is in flight (all its
  pool jobs, e.g. every chunk of ``readFile``), and releases it just before
  its result is delivered.
* ``close()`` drops the handle's own reference; the fd is closed only when the
  count reaches zero. So a ``close()`` issued while a read is in flight waits
  for that read: the fd number cannot be closed (and reused by another
  ``open``) under it, and the read never returns another file's bytes.
  ``close()`` returns the same promise until the fd is closed, then resolves
  at once; it emits ``'close'`` when called, as Node does.
* After the fd is closed every method rejects with EBADF ('file closed').

Imports: _ops, _common, events, promise (and stdlib).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .._req import promise_done
from ..events import EventEmitter
from ..promise import Promise
from ..timers import nextTick
from . import _common as c
from . import _ops, _whole
from ._ops import Done, as_promise, job


class FileHandle(EventEmitter):
    """Node's ``FileHandle``: read/write/stat/close on the pool; emits ``'close'``."""

    __slots__ = ("_close_promise", "_close_settle", "_fd", "_refs")

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._refs = 1  # the handle's own reference, dropped by close()
        self._close_promise: Promise[Any] | None = None
        self._close_settle: Done | None = None

    def __repr__(self) -> str:
        return f"<FileHandle fd={self._fd}>"

    @property
    def fd(self) -> int:
        """The file descriptor; -1 once closed."""
        return self._fd

    # -- reference counting -----------------------------------------------------------

    def run_op(self, syscall: str, start: Callable[[int, Done], None], done: Done) -> None:
        """Node's ``fsCall``: ``start(fd, finished)`` under a reference; EBADF if closed."""
        if self._fd < 0:
            _ops.fail_soon(done, c.closed_error(syscall))
            return
        self._refs += 1

        def finished(result: Any, error: BaseException | None) -> None:
            self._unref()
            done(result, error)

        try:
            start(self._fd, finished)
        except BaseException:
            self._unref()
            raise

    def _unref(self) -> None:
        self._refs -= 1
        if self._refs == 0 and self._close_settle is not None:
            settle, self._close_settle = self._close_settle, None
            self._close_fd(settle)

    def _close_fd(self, settle: Done) -> None:
        fd, self._fd = self._fd, -1

        def closed(result: Any, error: BaseException | None) -> None:
            self._close_promise = None
            settle(result, error)

        job(_ops._close, (fd,), closed, "close")

    def _call(self, syscall: str, body: Callable[..., Any], *args: Any) -> Promise[Any]:
        """A single-job operation ``body(fd, *args)`` as a Promise."""
        def op(*, done: Done) -> None:
            def start(fd: int, d: Done) -> None:
                job(body, (fd, *args), d, syscall)

            self.run_op(syscall, start, done)

        return as_promise(op)

    # -- operations -------------------------------------------------------------------

    def read(self, buffer: Any = None, offset: Any = None, length: Any = None,
             position: Any = None) -> Promise[Any]:
        """``filehandle.read`` → ``{'bytesRead': n, 'buffer': buffer}``.

        Without a buffer a 16 KiB ``bytearray`` is allocated (Node's default);
        ``position`` None (or -1) reads from the current file position. Also
        ``read(buffer, {offset, length, position})``.
        """
        def op(*, done: Done) -> None:
            buf, target, pos = _ops.read_target(buffer, offset, length, position)
            if not len(target):  # Node: no syscall for a zero-length read
                nextTick(done, {"bytesRead": 0, "buffer": buf}, None)
                return

            def start(fd: int, d: Done) -> None:
                job(_ops._readv, (fd, target, pos), lambda n, err: d(
                    None if err else {"bytesRead": n, "buffer": buf}, err), "read")

            self.run_op("read", start, done)

        return as_promise(op)

    def write(self, data: c.Data, offset: Any = None, length: Any = None,
              position: Any = None, encoding: str = "utf8") -> Promise[Any]:
        """``filehandle.write`` → ``{'bytesWritten': n, 'buffer': data}``.

        Both Node forms: ``write(buffer, offset, length, position)`` and
        ``write(string, position, encoding)``.
        """
        def op(*, done: Done) -> None:
            chunk, pos = _ops.write_payload(data, offset, length, position, encoding)

            def start(fd: int, d: Done) -> None:
                job(_ops._write, (fd, memoryview(chunk), pos), lambda n, err: d(
                    None if err else {"bytesWritten": n, "buffer": data}, err), "write")

            self.run_op("write", start, done)

        return as_promise(op)

    def readFile(self, options: Any = None, **kw: Any) -> Promise[Any]:
        """``filehandle.readFile({encoding, signal})``: the rest of the file, in chunks."""
        return as_promise(_whole.op_read_file, self, options, **kw)

    def writeFile(self, data: c.Data, options: Any = None, **kw: Any) -> Promise[Any]:
        """``filehandle.writeFile(data, {encoding, signal})``."""
        return as_promise(_whole.op_write_file, self, data, options, **kw)

    def appendFile(self, data: c.Data, options: Any = None, **kw: Any) -> Promise[Any]:
        """``filehandle.appendFile`` (the same as ``writeFile`` on a handle)."""
        return as_promise(_whole.op_write_file, self, data, options, **kw)

    def stat(self, options: Any = None) -> Promise[Any]:
        """``filehandle.stat`` → ``Stats``."""
        return self._call("fstat", _ops._fstat)

    def truncate(self, len: int = 0) -> Promise[Any]:
        """``filehandle.truncate``."""
        def op(*, done: Done) -> None:
            n = _ops.check_len(len)

            def start(fd: int, d: Done) -> None:
                job(_fcall, (fd, "ftruncate", os.ftruncate, n), d, "ftruncate")

            self.run_op("ftruncate", start, done)

        return as_promise(op)

    def sync(self) -> Promise[Any]:
        """``filehandle.sync``."""
        return self._call("fsync", _fcall, "fsync", os.fsync)

    def datasync(self) -> Promise[Any]:
        """``filehandle.datasync``."""
        return self._call("fdatasync", _fcall, "fdatasync", os.fdatasync)

    def chmod(self, mode: Any) -> Promise[Any]:
        """``filehandle.chmod``."""
        return self._call("fchmod", _fcall, "fchmod", os.fchmod, c.check_mode(mode, 0))

    def close(self) -> Promise[Any]:
        """``filehandle.close``: waits for operations in flight, then closes the fd."""
        if self._fd < 0:
            return Promise.resolve(None)
        if self._close_promise is not None:
            return self._close_promise
        promise, settle = promise_done()
        self._close_promise = promise
        self._refs -= 1
        if self._refs == 0:
            self._close_fd(settle)
        else:
            self._close_settle = settle
        self.emit("close")
        return promise


def _fcall(fd: int, name: str, fn: Callable[..., Any], *args: Any) -> Any:
    with c.syscall(name):
        return fn(fd, *args)
