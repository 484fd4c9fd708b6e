"""``jsloop.fs``: Node's ``fs`` in Python form — callbacks or Promises, on the thread pool.

Owns: the public namespace. Every call takes an optional trailing Node-style
callback (positionally last, or ``callback=``): with one it returns None and
calls the callback on the loop thread in the poll phase with what Node passes —
``(err, result)``; ``(err)`` for calls that have no result (writeFile, rename,
unlink, access...); ``(err, bytesRead, buffer)`` for ``read`` and
``(err, bytesWritten, buffer)`` for ``write`` — an exception it raises is an
uncaught exception, as in Node, and a callback taking fewer parameters gets
fewer arguments. Without a callback the call returns a ``jsloop.Promise``, as
``fs.promises`` does. ``jsloop.fs.promises`` is the
promise-only namespace.

Argument errors follow Node: the callback forms raise at the call site; the
promise forms reject. ``readFile``/``writeFile``/``appendFile`` accept an fd
(int) in the callback form only, as Node's ``fs`` does (``fs/promises`` takes a
``FileHandle`` instead). ``open`` with a callback gives an fd (use ``read``,
``write``, ``fstat``, ``close`` on it); without one, a ``FileHandle``.

Package layout (see docs/io.md): ``_common`` (flags, encodings, checks, errors,
Stats/Dirent), ``_ops`` (each call as pool requests), ``_whole`` (chunked
readFile and writeFile), ``_filehandle`` (FileHandle with its in-flight count),
``promises`` (the Promise namespace). ``createReadStream``/``createWriteStream``
come from ``jsloop._fs_stream`` when that module exists (loaded on first use).

Imports: promises, _ops, _whole, _common, _filehandle, _threadpool, _compat, errors.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from .._compat import call_js
from .._threadpool import runInThreadPool
from ..errors import ensure_callable
from . import _ops, _whole, promises
from ._common import (
    COPYFILE_EXCL,
    F_OK,
    R_OK,
    W_OK,
    X_OK,
    Dirent,
    Stats,
    annotate,
    constants,
    decode,
    encode,
)
from ._filehandle import FileHandle

__all__ = [
    "COPYFILE_EXCL", "F_OK", "R_OK", "W_OK", "X_OK", "Dirent", "FileHandle", "Stats",
    "access", "annotate", "appendFile", "chmod", "close", "constants", "copyFile", "decode",
    "encode", "fstat", "ftruncate", "link", "lstat", "mkdir", "mkdtemp", "open", "promises", "read",
    "readFile", "readdir", "readlink", "realpath", "rename", "rm", "rmdir", "runInThreadPool",
    "stat", "symlink", "truncate", "unlink", "utimes", "write", "writeFile",
]


def _dual(op: Callable[..., None], promise_fn: Callable[..., Any], *,
          fd_ok: bool = False, results: int = 1) -> Callable[..., Any]:
    """A ``jsloop.fs`` function: callback form (``op``) or promise form (``promise_fn``).

    The callback gets what Node passes: ``(err)`` for calls without a result
    (``results=0``), ``(err, result)``, or ``(err, bytes, buffer)`` for read/write
    (``results=2``); on error the result slots are None.
    """
    max_args, required = _positional_count(op)

    def call(*args: Any, **kw: Any) -> Any:
        callback = kw.pop("callback", None)
        if callback is None and args and (callable(args[-1]) or len(args) > max_args):
            callback, args = args[-1], args[:-1]
            ensure_callable(callback, "cb")  # one argument too many: Node's callback check
        if len(args) < required:  # JS passes undefined: let the op reject it with Node's error
            args = (*args, *(None,) * (required - len(args)))
        if callback is None:
            return promise_fn(*args, **kw)
        if fd_ok:
            kw["allow_fd"] = True
        cb = callback

        def done(result: Any, err: BaseException | None) -> None:
            if err is not None:
                call_js(cb, err, *(None,) * results)
            elif results == 0:
                call_js(cb, None)
            elif results == 2:
                values = list(result.values())  # {'bytesRead'|'bytesWritten', 'buffer'}
                call_js(cb, None, values[0], values[1])
            else:
                call_js(cb, None, result)

        op(*args, done=done, **kw)
        return None

    call.__name__ = call.__qualname__ = promise_fn.__name__
    call.__doc__ = (promise_fn.__doc__ or "") + (
        "\n\nWith a trailing ``callback(err, result)``: calls it instead and returns None.")
    return call


def _positional_count(op: Callable[..., Any]) -> tuple[int, int]:
    """How many positional parameters ``op`` takes, and how many of them are required."""
    params = [p for p in inspect.signature(op).parameters.values()
              if p.kind is p.POSITIONAL_OR_KEYWORD]
    return len(params), sum(p.default is p.empty for p in params)


def _promise_of(op: Callable[..., None]) -> Callable[..., Any]:
    def call(*args: Any, **kw: Any) -> Any:
        return _ops.as_promise(op, *args, **kw)

    call.__name__ = op.__name__.removeprefix("op_")
    call.__doc__ = op.__doc__
    return call


def _append(path: Any, data: Any, options: Any = None, *, done: Any, **kw: Any) -> None:
    _whole.op_write_file(path, data, options, done=done, append=True, **kw)


readFile = _dual(_whole.op_read_file, promises.readFile, fd_ok=True)
writeFile = _dual(_whole.op_write_file, promises.writeFile, fd_ok=True, results=0)
appendFile = _dual(_append, promises.appendFile, fd_ok=True, results=0)
readdir = _dual(_ops.op_readdir, promises.readdir)
stat = _dual(_ops.op_stat, promises.stat)
lstat = _dual(_ops.op_lstat, promises.lstat)
mkdir = _dual(_ops.op_mkdir, promises.mkdir)
mkdtemp = _dual(_ops.op_mkdtemp, promises.mkdtemp)
rm = _dual(_ops.op_rm, promises.rm, results=0)
rmdir = _dual(_ops.op_rmdir, promises.rmdir, results=0)
rename = _dual(_ops.op_rename, promises.rename, results=0)
unlink = _dual(_ops.op_unlink, promises.unlink, results=0)
copyFile = _dual(_ops.op_copy_file, promises.copyFile, results=0)
access = _dual(_ops.op_access, promises.access, results=0)
truncate = _dual(_ops.op_truncate, promises.truncate, results=0)
chmod = _dual(_ops.op_chmod, promises.chmod, results=0)
symlink = _dual(_ops.op_symlink, promises.symlink, results=0)
link = _dual(_ops.op_link, promises.link, results=0)
readlink = _dual(_ops.op_readlink, promises.readlink)
realpath = _dual(_ops.op_realpath, promises.realpath)
utimes = _dual(_ops.op_utimes, promises.utimes, results=0)
# fd calls: Node's callback ``open`` gives a number; the promise form a FileHandle.
open = _dual(_ops.op_open, promises.open)
close = _dual(_ops.op_close, _promise_of(_ops.op_close), results=0)
read = _dual(_ops.op_read, _promise_of(_ops.op_read), results=2)
write = _dual(_ops.op_write, _promise_of(_ops.op_write), results=2)
fstat = _dual(_ops.op_fstat, _promise_of(_ops.op_fstat))
ftruncate = _dual(_ops.op_ftruncate, _promise_of(_ops.op_ftruncate), results=0)

_STREAM_NAMES = ("createReadStream", "createWriteStream", "ReadStream", "WriteStream")


def __getattr__(name: str) -> Any:
    """``createReadStream`` & co. live in ``jsloop._fs_stream`` (loaded on first use)."""
    if name in _STREAM_NAMES:
        try:
            module = importlib.import_module("jsloop._fs_stream")
        except ModuleNotFoundError as exc:
            raise AttributeError(f"module 'jsloop.fs' has no attribute {name!r}") from exc
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jsloop.fs' has no attribute {name!r}")
