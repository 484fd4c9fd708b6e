"""``jsloop.fs.promises``: Node's ``fs/promises`` — every call returns a ``jsloop.Promise``.

Owns: the promise-only namespace (API.md). Each function starts the request(s)
of the matching ``_ops.op_*`` and settles its Promise on the loop thread in
the poll phase. As in Node's ``fs/promises``, whose functions are ``async``,
bad arguments *reject* (ERR_INVALID_ARG_TYPE...) rather than raise; a number
where a path is expected is such an error.

Imports: _ops, _filehandle, _common, promise.
"""

from __future__ import annotations

from typing import Any

from ..promise import Promise
from . import _ops, _whole
from ._common import (
    COPYFILE_EXCL,
    F_OK,
    R_OK,
    W_OK,
    X_OK,
    Dirent,
    Stats,
    constants,
)
from ._filehandle import FileHandle
from ._ops import Done, as_promise

__all__ = [
    "COPYFILE_EXCL", "F_OK", "R_OK", "W_OK", "X_OK", "Dirent", "FileHandle", "Stats",
    "access", "appendFile", "chmod", "constants", "copyFile", "link", "lstat", "mkdir",
    "mkdtemp", "open", "readFile", "readdir", "readlink", "realpath", "rename", "rm", "rmdir",
    "stat", "symlink", "truncate", "unlink", "utimes", "writeFile",
]


def readFile(path: Any, options: Any = None, **kw: Any) -> Promise[Any]:
    """``readFile(path | FileHandle, options)``: bytes, or str with an encoding.

    ``options``: an encoding string or ``{'encoding', 'flag', 'signal'}`` (also as
    keywords). Read in chunks, one pool job each; ``signal`` aborts between them.
    """
    return as_promise(_whole.op_read_file, path, options, **kw)


def writeFile(path: Any, data: Any, options: Any = None, **kw: Any) -> Promise[Any]:
    """``writeFile(path | FileHandle, data, {encoding, mode, flag, signal})``; None."""
    return as_promise(_whole.op_write_file, path, data, options, **kw)


def appendFile(path: Any, data: Any, options: Any = None, **kw: Any) -> Promise[Any]:
    """``appendFile(path | FileHandle, data, options)``; None."""
    return as_promise(_whole.op_write_file, path, data, options, append=True, **kw)


def readdir(path: Any, options: Any = None, **kw: Any) -> Promise[Any]:
    """``readdir(path, {encoding, withFileTypes})``: sorted names, or ``Dirent``s."""
    return as_promise(_ops.op_readdir, path, options, **kw)


def stat(path: Any, options: Any = None) -> Promise[Any]:
    """``stat(path)`` → ``Stats``."""
    return as_promise(_ops.op_stat, path, options)


def lstat(path: Any, options: Any = None) -> Promise[Any]:
    """``lstat(path)`` → ``Stats`` of the link itself."""
    return as_promise(_ops.op_lstat, path, options)


def mkdir(path: Any, options: Any = None, **kw: Any) -> Promise[Any]:
    """``mkdir(path, {recursive, mode} | mode)``; with ``recursive`` resolves to the first
    directory created (None if it already existed), as Node does."""
    return as_promise(_ops.op_mkdir, path, options, **kw)


def mkdtemp(prefix: Any, options: Any = None) -> Promise[Any]:
    """``mkdtemp(prefix)`` → the new directory's path (``prefix`` + 6 characters)."""
    return as_promise(_ops.op_mkdtemp, prefix, options)


def rm(path: Any, options: Any = None, **kw: Any) -> Promise[Any]:
    """``rm(path, {recursive, force})``; a directory without ``recursive`` rejects with
    ``IsADirectoryError`` whose code is ``ERR_FS_EISDIR`` (Node's SystemError)."""
    return as_promise(_ops.op_rm, path, options, **kw)


def rmdir(path: Any, options: Any = None, **kw: Any) -> Promise[Any]:
    """``rmdir(path)``: ENOTEMPTY, ENOTDIR... as Node."""
    return as_promise(_ops.op_rmdir, path, options, **kw)


def rename(oldPath: Any, newPath: Any) -> Promise[Any]:
    """``rename(oldPath, newPath)``."""
    return as_promise(_ops.op_rename, oldPath, newPath)


def unlink(path: Any) -> Promise[Any]:
    """``unlink(path)``."""
    return as_promise(_ops.op_unlink, path)


def copyFile(src: Any, dest: Any, mode: int = 0) -> Promise[Any]:
    """``copyFile(src, dest, mode)``; ``mode=COPYFILE_EXCL`` fails if ``dest`` exists."""
    return as_promise(_ops.op_copy_file, src, dest, mode)


def access(path: Any, mode: int = F_OK) -> Promise[Any]:
    """``access(path, mode)``: resolves to None, rejects (ENOENT, EACCES) otherwise."""
    return as_promise(_ops.op_access, path, mode)


def truncate(path: Any, len: int = 0) -> Promise[Any]:
    """``truncate(path, len)``."""
    return as_promise(_ops.op_truncate, path, len)


def chmod(path: Any, mode: Any) -> Promise[Any]:
    """``chmod(path, mode)``."""
    return as_promise(_ops.op_chmod, path, mode)


def symlink(target: Any, path: Any, type: Any = None) -> Promise[Any]:
    """``symlink(target, path)``."""
    return as_promise(_ops.op_symlink, target, path, type)


def link(existingPath: Any, newPath: Any) -> Promise[Any]:
    """``link(existingPath, newPath)``."""
    return as_promise(_ops.op_link, existingPath, newPath)


def readlink(path: Any, options: Any = None) -> Promise[Any]:
    """``readlink(path)``."""
    return as_promise(_ops.op_readlink, path, options)


def realpath(path: Any, options: Any = None) -> Promise[Any]:
    """``realpath(path)``."""
    return as_promise(_ops.op_realpath, path, options)


def utimes(path: Any, atime: Any, mtime: Any) -> Promise[Any]:
    """``utimes(path, atime, mtime)`` (seconds, or datetimes)."""
    return as_promise(_ops.op_utimes, path, atime, mtime)


def op_open_handle(path: Any, flags: Any = "r", mode: Any = 0o666, *, done: Done) -> None:
    """``open`` whose result is a ``FileHandle``."""
    _ops.op_open(path, flags, mode, done=lambda fd, err: done(
        None if err is not None else FileHandle(fd), err))


def open(path: Any, flags: Any = "r", mode: Any = 0o666) -> Promise[Any]:
    """``open(path, flags, mode)`` → ``FileHandle``."""
    return as_promise(op_open_handle, path, flags, mode)

