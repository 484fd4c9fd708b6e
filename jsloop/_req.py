"""Requests: libuv's ``uv_req_t`` — one unit of in-flight work, completed exactly once.

Owns: ``Req`` (the request object every pool job, DNS lookup, connect and write
is, or wraps), the ECANCELED completion, and ``uv_exception`` — Node's error
objects for failed system calls (``"ENOENT: no such file or directory, open
'x'"`` with ``code``, a negative ``errno``, ``syscall``, ``path``, ``dest``).

Invariants
----------
* A request holds one loop ref (``loop.ref_req()``) from creation until it
  completes, so the loop cannot exit under it (libuv: ``uv__req_register``).
* ``done(result, error)`` is called exactly once, on the loop thread: either by
  the owner (``complete``), or with an ECANCELED error after a successful
  ``cancel()``. Any later ``complete`` is ignored and returns False.
* ``cancel()`` never calls ``done`` synchronously: the ECANCELED completion is
  posted and runs in the poll phase, as libuv's ``uv_cancel`` does. It succeeds
  only while the work has not started (the owner's ``cancel_hook`` decides: a
  pool job still queued can be cancelled, a running one cannot; it completes
  normally and the owner may ignore its result).
* Everything here runs on the loop thread except ``Loop.post``.

Imports: promise (for ``promise_done``); the loop is passed in.
"""

from __future__ import annotations

import errno as errno_mod
import os
from collections.abc import Callable
from typing import Any

from .promise import Promise

__all__ = ["Req", "cancelled_error", "from_oserror", "promise_done", "uv_exception"]

DoneCallback = Callable[[Any, "BaseException | None"], Any]

PENDING = 0
CANCELLED = 1  # cancel() succeeded; the ECANCELED completion is posted
DONE = 2


class Req:
    """One in-flight request (libuv's ``uv_req_t``).

    ``Req(loop, done, syscall, cancel_hook)``: refs the loop now. The owner
    finishes it with ``complete(result, error)``; ``cancel()`` asks
    ``cancel_hook()`` whether the work can still be withdrawn and, if so,
    completes the request with ECANCELED in the next poll phase.
    """

    __slots__ = ("_cancel_hook", "_done", "_loop", "_state", "syscall")

    def __init__(
        self, loop: Any, done: DoneCallback, syscall: str = "",
        cancel_hook: Callable[[], bool] | None = None,
    ) -> None:
        self._loop = loop
        self._done: DoneCallback | None = done
        self._state = PENDING
        self._cancel_hook = cancel_hook
        self.syscall = syscall
        loop.ref_req()

    def __repr__(self) -> str:
        state = ("pending", "cancelled", "done")[self._state]
        return f"<{type(self).__name__} {self.syscall or '?'} {state}>"

    @property
    def active(self) -> bool:
        """True until the request completed (or a cancel succeeded)."""
        return self._state == PENDING

    @property
    def cancelled(self) -> bool:
        return self._state == CANCELLED or (self._state == DONE and self._done is _CANCELLED)

    def try_cancel(self) -> bool:
        """Subclasses/owners: withdraw the work if it has not started. Default: the hook."""
        hook = self._cancel_hook
        return hook is not None and hook()

    def cancel(self) -> bool:
        """libuv's ``uv_cancel``: True if the work was withdrawn before it started.

        Then ``done(None, ECANCELED error)`` runs later, in the poll phase.
        False if it already runs, already completed, or cannot be cancelled.
        """
        if self._state != PENDING or not self.try_cancel():
            return False
        self._state = CANCELLED
        self._loop.post(_complete_cancelled, self)
        return True

    def complete(self, result: Any, error: BaseException | None = None) -> bool:
        """Finish the request on the loop thread: drop its ref, call ``done`` once.

        Returns False (and does nothing) if it had already completed or a
        ``cancel()`` succeeded (its ECANCELED completion is on its way).
        """
        done = self._done
        if self._state != PENDING or done is None:
            return False
        self._state = DONE
        self._done = None
        self._cancel_hook = None
        self._loop.unref_req()
        done(result, error)
        return True


_CANCELLED: Any = object()


def promise_done() -> tuple[Promise[Any], DoneCallback]:
    """A Promise and the ``done(result, error)`` that settles it (for promise APIs)."""
    resolvers = Promise.withResolvers()
    resolve, reject = resolvers.resolve, resolvers.reject

    def done(result: Any, error: BaseException | None) -> None:
        if error is None:
            resolve(result)
        else:
            reject(error)

    return resolvers.promise, done


def _complete_cancelled(req: Req) -> None:
    done = req._done
    if req._state == DONE or done is None:
        return
    req._state = DONE
    req._done = _CANCELLED
    req._cancel_hook = None
    req._loop.unref_req()
    done(None, cancelled_error(req.syscall))


# -- Node's errors for failed system calls ------------------------------------------------

# libuv's messages (uv_strerror), as Node prints them: util.getSystemErrorMap().
UV_MESSAGES: dict[str, str] = {
    "E2BIG": "argument list too long", "EACCES": "permission denied",
    "EADDRINUSE": "address already in use", "EADDRNOTAVAIL": "address not available",
    "EAFNOSUPPORT": "address family not supported", "EAGAIN": "resource temporarily unavailable",
    "EALREADY": "connection already in progress", "EBADF": "bad file descriptor",
    "EBUSY": "resource busy or locked", "ECANCELED": "operation canceled",
    "ECONNABORTED": "software caused connection abort", "ECONNREFUSED": "connection refused",
    "ECONNRESET": "connection reset by peer", "EDESTADDRREQ": "destination address required",
    "EEXIST": "file already exists", "EFAULT": "bad address in system call argument",
    "EFBIG": "file too large", "EHOSTDOWN": "host is down", "EHOSTUNREACH": "host is unreachable",
    "EILSEQ": "illegal byte sequence", "EINTR": "interrupted system call",
    "EINVAL": "invalid argument", "EIO": "i/o error", "EISCONN": "socket is already connected",
    "EISDIR": "illegal operation on a directory", "ELOOP": "too many symbolic links encountered",
    "EMFILE": "too many open files", "EMLINK": "too many links", "EMSGSIZE": "message too long",
    "ENAMETOOLONG": "name too long", "ENETDOWN": "network is down",
    "ENETUNREACH": "network is unreachable", "ENFILE": "file table overflow",
    "ENOBUFS": "no buffer space available", "ENODATA": "no data available",
    "ENODEV": "no such device", "ENOENT": "no such file or directory",
    "ENOMEM": "not enough memory", "ENONET": "machine is not on the network",
    "ENOPROTOOPT": "protocol not available", "ENOSPC": "no space left on device",
    "ENOSYS": "function not implemented", "ENOTCONN": "socket is not connected",
    "ENOTDIR": "not a directory", "ENOTEMPTY": "directory not empty",
    "ENOTSOCK": "socket operation on non-socket", "ENOTSUP": "operation not supported on socket",
    "ENOTTY": "inappropriate ioctl for device", "ENXIO": "no such device or address",
    "EOVERFLOW": "value too large for defined data type", "EPERM": "operation not permitted",
    "EPIPE": "broken pipe", "EPROTO": "protocol error",
    "EPROTONOSUPPORT": "protocol not supported", "EPROTOTYPE": "protocol wrong type for socket",
    "ERANGE": "result too large", "EREMOTEIO": "remote I/O error",
    "EROFS": "read-only file system",
    "ESHUTDOWN": "cannot send after transport endpoint shutdown",
    "ESOCKTNOSUPPORT": "socket type not supported", "ESPIPE": "invalid seek",
    "ESRCH": "no such process", "ETIMEDOUT": "connection timed out",
    "ETXTBSY": "text file is busy", "EUNATCH": "protocol driver not attached",
    "EXDEV": "cross-device link not permitted",
}

_NODE_CLASSES: dict[type[OSError], type[OSError]] = {}


def node_class(base: type[OSError]) -> type[OSError]:
    """A subclass of ``base`` whose ``str()`` is Node's message (``except`` still works)."""
    cls = _NODE_CLASSES.get(base)
    if cls is None:
        cls = type(base.__name__, (base,), {
            "__str__": _node_str, "__module__": base.__module__,
            "__qualname__": base.__qualname__,
        })
        _NODE_CLASSES[base] = cls
    return cls


def _node_str(self: OSError) -> str:
    return str(getattr(self, "message", OSError.__str__(self)))


def _show(path: Any) -> str:
    if isinstance(path, bytes):
        return os.fsdecode(path)
    return str(path)


def uv_exception(
    err: int | str, syscall: str, path: Any = None, dest: Any = None,
) -> OSError:
    """Node's ``UVException``: an OSError whose ``str()`` is Node's message.

    ``err`` is an errno number (positive, Python's) or name (``'ENOENT'``). The
    result is the OSError subclass Python would raise (``FileNotFoundError``...),
    with ``code``, ``errno`` (negative, as Node's), ``syscall``, ``path``,
    ``dest`` and ``message`` set.
    """
    if isinstance(err, str):
        code, num = err, getattr(errno_mod, err, 0)
    else:
        num = abs(err)
        code = errno_mod.errorcode.get(num, "UNKNOWN")
    desc = UV_MESSAGES.get(code) or (os.strerror(num) if num else "unknown error")
    message = f"{code}: {desc}, {syscall}"
    if path is not None:
        message += f" '{_show(path)}'"
    if dest is not None:
        message += f" -> '{_show(dest)}'"
    probe = OSError(num, desc)  # OSError(errno, ...) picks the subclass (FileNotFoundError...)
    cls = node_class(type(probe))
    if path is None:
        exc = cls(num, desc)
    elif dest is None:
        exc = cls(num, desc, path)
    else:
        exc = cls(num, desc, path, None, dest)
    exc.message = message  # type: ignore[attr-defined]
    exc.code = code  # type: ignore[attr-defined]
    exc.errno = -num
    exc.syscall = syscall  # type: ignore[attr-defined]
    if path is not None:
        exc.path = path  # type: ignore[attr-defined]
    if dest is not None:
        exc.dest = dest  # type: ignore[attr-defined]
    return exc


def from_oserror(exc: OSError, syscall: str, path: Any = None, dest: Any = None) -> OSError:
    """Node's error for a Python ``OSError`` raised by ``syscall`` (``path``: the caller's)."""
    if getattr(exc, "message", None) is not None and getattr(exc, "syscall", None):
        return exc  # already converted
    num = exc.errno or 0
    if num == 0:
        return exc
    out = uv_exception(num, syscall, path, dest)
    out.__traceback__ = exc.__traceback__
    return out


def cancelled_error(syscall: str = "") -> OSError:
    """The ECANCELED error a cancelled request completes with."""
    return uv_exception(errno_mod.ECANCELED, syscall or "cancel")
