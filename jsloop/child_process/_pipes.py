"""The parent's ends of a child's stdio pipes, as Node streams.

Owns: ``PipeReader`` (a ``stream.Readable`` over the read end of a pipe: the
child's stdout/stderr) and ``PipeWriter`` (a ``stream.Writable`` over the
write end: the child's stdin). Node gives a child ``net.Socket``s over libuv
pipes; these are the same thing without the socket API, built on jsloop's
stream layer so backpressure, encodings, ``pipe`` and ``async for`` are the
stream layer's.

Invariants:
* the fd is non-blocking and close-on-exec; it is watched with
  ``loop.io_watch`` and only while there is something to do: a reader watches
  for readability while the stream wants data (``_read`` was called and the
  last ``push`` returned True), a writer for writability while a write is
  partly done. An idle pipe therefore does not keep the loop alive (a libuv
  pipe that is neither reading nor writing is not an active handle);
* a read takes at most 64 KiB (libuv's read size) per readiness event, so one
  busy child cannot starve other fds;
* the watcher is closed before the fd is (``_destroy``), exactly once.

Imports: stream, _poller, _runtime (and stdlib).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import Any

from .._poller import READABLE, WRITABLE
from .._runtime import get_loop
from ..stream import Readable, Writable

READ_SIZE = 64 * 1024


def errno_error(err: int, syscall: str) -> OSError:
    """Node's ``ErrnoException``: message ``'<syscall> <CODE>'``, ``errno`` negative."""
    code = errno.errorcode.get(err, f"E{err}")
    exc = OSError(f"{syscall} {code}")
    exc.errno = -err
    exc.code = code  # type: ignore[attr-defined]
    exc.syscall = syscall  # type: ignore[attr-defined]
    return exc


class _FdBox:
    """An fd and its watcher; closing is idempotent."""

    __slots__ = ("fd", "watcher")

    def __init__(self, fd: int, callback: Callable[[int], None]) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self.watcher: Any = get_loop().io_watch(fd, callback)

    def close(self) -> None:
        if self.fd >= 0:
            self.watcher.close()
            os.close(self.fd)
            self.fd = -1


class PipeReader(Readable):
    """The read end of a child's stdout/stderr pipe."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._box = _FdBox(fd, self._on_io)
        self._watching = False

    @property
    def fd(self) -> int:
        return self._box.fd

    def _read(self, n: int) -> None:
        if not self._watching and self._box.fd >= 0:
            self._watching = True
            self._box.watcher.start(READABLE)

    def _stop(self) -> None:
        if self._watching:
            self._watching = False
            self._box.watcher.stop()

    def _on_io(self, _events: int) -> None:
        try:
            data = os.read(self._box.fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:
            self._stop()
            self.destroy(errno_error(exc.errno or errno.EIO, "read"))
            return
        if not data:
            self._stop()
            self.push(None)
        elif not self.push(data):
            self._stop()

    def _destroy(self, err: Any, cb: Any) -> None:
        self._watching = False
        self._box.close()
        cb(err)

    def ref(self) -> PipeReader:
        self._box.watcher.ref()
        return self

    def unref(self) -> PipeReader:
        self._box.watcher.unref()
        return self


class PipeWriter(Writable):
    """The write end of a child's stdin pipe."""

    readable = False  # Node's child.stdin is a socket opened write-only

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._box = _FdBox(fd, self._on_io)
        self._pending: memoryview | None = None
        self._pending_cb: Any = None

    @property
    def fd(self) -> int:
        return self._box.fd

    def _write(self, chunk: Any, encoding: str, callback: Any) -> None:
        self._pending = memoryview(bytes(chunk) if not isinstance(chunk, bytes) else chunk)
        self._pending_cb = callback
        self._flush(from_poll=False)

    def _flush(self, from_poll: bool) -> None:
        view = self._pending
        while view is not None and len(view):
            try:
                n = os.write(self._box.fd, view)
            except BlockingIOError:
                self._pending = view
                if not from_poll:
                    self._box.watcher.start(WRITABLE)
                return
            except OSError as exc:
                self._done(errno_error(exc.errno or errno.EIO, "write"))
                return
            view = view[n:]
        self._done(None)

    def _done(self, err: Any) -> None:
        if self._box.fd >= 0:
            self._box.watcher.stop()
        cb, self._pending, self._pending_cb = self._pending_cb, None, None
        if cb is not None:
            cb(err)

    def _on_io(self, _events: int) -> None:
        self._flush(from_poll=True)

    def _final(self, callback: Any) -> None:
        # A pipe has no half-close: closing the write end is the child's EOF.
        self._box.close()
        callback()

    def _destroy(self, err: Any, cb: Any) -> None:
        self._pending = None
        self._pending_cb = None
        self._box.close()
        cb(err)

    def ref(self) -> PipeWriter:
        self._box.watcher.ref()
        return self

    def unref(self) -> PipeWriter:
        self._box.watcher.unref()
        return self
