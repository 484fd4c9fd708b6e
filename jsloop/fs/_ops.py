"""The fs operations as requests: validate on the loop thread, run on the pool.

Owns: one ``op_*`` function per fs call. Each validates its arguments (raising
Node's TypeError/RangeError at once), submits the blocking work to the loop's
thread pool as a request (``_req.Req``) and later calls ``done(result, error)``
exactly once on the loop thread. ``fs.promises`` wraps them in Promises, the
callback forms of ``jsloop.fs`` in Node-style ``callback(err, result)`` calls.

The chunked whole-file calls (``readFile``, ``writeFile``) live in ``_whole``.

Invariants: ``done`` never runs synchronously inside the call (an early
failure is delivered from a nextTick, as Node's async functions do); errors are
Node's (``_common.syscall`` converts on the worker).

Imports: _common, _runtime, _req, abort, errors, promise, timers (nextTick), and stdlib.
"""

from __future__ import annotations

import errno as errno_mod
import os
import secrets
import shutil
import stat as stat_mod
import string
from collections.abc import Callable
from typing import Any

from .. import abort as abort_mod
from .._req import Req, from_oserror, promise_done
from .._runtime import get_loop
from ..errors import NodeRangeError, invalid_arg_type, invalid_property_type
from ..promise import Promise
from ..timers import nextTick
from . import _common as c
from ._common import Dirent, Stats, syscall

Done = Callable[[Any, "BaseException | None"], Any]


# -- plumbing -----------------------------------------------------------------------------

def job(fn: Callable[..., Any], args: tuple[Any, ...], done: Done, name: str = "") -> Req:
    """Submit ``fn(*args)`` to the loop's pool as a request; ``done`` on the loop thread."""
    req: Req = get_loop().threadpool.submit_req(fn, args, done, syscall=name)
    return req


def as_promise(op: Callable[..., None], *args: Any, **kw: Any) -> Promise[Any]:
    """Run ``op(*args, done=..., **kw)``; its outcome (or argument error) as a Promise."""
    promise, done = promise_done()
    try:
        op(*args, done=done, **kw)
    except (TypeError, ValueError) as exc:  # fs/promises functions are async: reject
        done(None, exc)
    return promise


def fail_soon(done: Done, error: BaseException) -> None:
    """Deliver an early failure asynchronously (never inside the caller's frame)."""
    nextTick(done, None, error)


def check_signal(signal: Any) -> Any:
    if signal is not None:
        abort_mod.validate_abort_signal(signal)
    return signal


def aborted(signal: Any) -> BaseException | None:
    if signal is not None and signal.aborted:
        return abort_mod.abort_error(signal)
    return None


# -- blocking bodies (run on a worker) ---------------------------------------------------

def _open(path: str | bytes, flags: int, mode: int) -> int:
    with syscall("open", path):
        return os.open(path, flags, mode)


def _open_fstat(path: str | bytes, flags: int) -> tuple[int, int]:
    fd = _open(path, flags, 0o666)
    try:
        with syscall("fstat"):
            st = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    return fd, st.st_size if stat_mod.S_ISREG(st.st_mode) else 0


def _fstat_size(fd: int) -> int:
    with syscall("fstat"):
        st = os.fstat(fd)
    return st.st_size if stat_mod.S_ISREG(st.st_mode) else 0


def _read(fd: int, n: int) -> bytes:
    with syscall("read"):
        return os.read(fd, n)


def _write(fd: int, data: memoryview, position: int | None) -> int:
    with syscall("write"):
        if position is None or position < 0:
            return os.write(fd, data)
        return os.pwrite(fd, data, position)


def _close(fd: int) -> None:
    with syscall("close"):
        os.close(fd)


def _readdir(path: str | bytes, with_types: bool, encoding: str | None) -> list[Any]:
    with syscall("scandir", path):
        raw = os.fsencode(path)
        entries = sorted(os.scandir(raw), key=lambda e: e.name)
        result: list[Any] = []
        for entry in entries:
            name: str | bytes = entry.name if encoding is None else os.fsdecode(entry.name)
            if not with_types:
                result.append(name)
                continue
            try:
                kind = stat_mod.S_IFMT(entry.stat(follow_symlinks=False).st_mode)
            except OSError:
                kind = 0
            result.append(Dirent(name=name, path=path, kind=kind))
        return result


def _mkdir(path: str | bytes, recursive: bool, mode: int) -> str | bytes | None:
    with syscall("mkdir", path):
        if not recursive:
            os.mkdir(path, mode)
            return None
        first: str | bytes | None = None
        probe = path
        while probe and not os.path.lexists(probe):
            first = probe
            parent = os.path.dirname(probe)
            if parent == probe:
                break
            probe = parent
        if os.path.lexists(path) and not os.path.isdir(path):
            raise c.os_error(errno_mod.EEXIST, "mkdir", path)
        os.makedirs(path, mode, exist_ok=True)
        return first


_TEMP_CHARS = string.ascii_letters + string.digits


def _mkdtemp(prefix: str | bytes) -> str | bytes:
    for _ in range(100):
        suffix = "".join(secrets.choice(_TEMP_CHARS) for _ in range(6))
        path: str | bytes = (prefix + suffix.encode() if isinstance(prefix, bytes)
                             else prefix + suffix)
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise c.os_error(exc.errno or errno_mod.EIO, "mkdtemp", path) from None
    raise c.os_error(errno_mod.EEXIST, "mkdtemp", prefix)


def _rm(path: str | bytes, recursive: bool, force: bool) -> None:
    try:
        st = os.lstat(path)
    except OSError as exc:
        if force and exc.errno == errno_mod.ENOENT:
            return
        raise from_oserror(exc, "lstat", path) from None
    if stat_mod.S_ISDIR(st.st_mode):
        if not recursive:
            shown = os.fsdecode(path)
            isdir = IsADirectoryError(errno_mod.EISDIR, "Path is a directory", path)
            isdir.message = (  # type: ignore[attr-defined]
                f"Path is a directory: rm returned EISDIR (is a directory) {shown}")
            isdir.code = "ERR_FS_EISDIR"  # type: ignore[attr-defined]
            isdir.errno = 21
            isdir.syscall = "rm"  # type: ignore[attr-defined]
            isdir.path = path  # type: ignore[attr-defined]
            raise isdir
        with syscall("rm", path):
            shutil.rmtree(path)
        return
    with syscall("rm", path):
        os.unlink(path)


def _rmdir(path: str | bytes, recursive: bool) -> None:
    if recursive:  # Node 20 (deprecated, DEP0147): rm -r, ENOENT from stat
        with syscall("stat", path):
            os.stat(path)
        with syscall("rmdir", path):
            shutil.rmtree(path)
        return
    with syscall("rmdir", path):
        os.rmdir(path)


def _copy_file(src: str | bytes, dst: str | bytes, mode: int) -> None:
    with syscall("copyfile", src, dst):
        if os.path.isdir(src):
            raise c.os_error(errno_mod.EISDIR, "copyfile", src, dst)
        sfd = os.open(src, os.O_RDONLY | c.O_CLOEXEC)
        try:
            st = os.fstat(sfd)
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | c.O_CLOEXEC
            if mode & c.COPYFILE_EXCL:
                flags |= os.O_EXCL
            dfd = os.open(dst, flags, stat_mod.S_IMODE(st.st_mode))
            try:
                if mode & (c.COPYFILE_FICLONE | c.COPYFILE_FICLONE_FORCE) and _clone(
                        sfd, dfd, bool(mode & c.COPYFILE_FICLONE_FORCE)):
                    os.fchmod(dfd, stat_mod.S_IMODE(st.st_mode))
                    return
                offset = 0
                while True:  # sendfile to EOF: also copies /proc-style size-0 files
                    sent = os.sendfile(dfd, sfd, offset, 1 << 30)
                    if sent == 0:
                        break
                    offset += sent
                os.fchmod(dfd, stat_mod.S_IMODE(st.st_mode))
            finally:
                os.close(dfd)
        finally:
            os.close(sfd)


_FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)


def _clone(sfd: int, dfd: int, force: bool) -> bool:
    """Copy-on-write clone (libuv's COPYFILE_FICLONE); ``force``: fail if unsupported."""
    import fcntl

    try:
        fcntl.ioctl(dfd, _FICLONE, sfd)
        return True
    except OSError:
        if force:
            raise
        return False


def _access(path: str | bytes, mode: int) -> None:
    with syscall("access", path):
        os.stat(path)
        if not os.access(path, mode):
            raise c.os_error(errno_mod.EACCES, "access", path)


def _stat(path: str | bytes, follow: bool) -> Stats:
    with syscall("stat" if follow else "lstat", path):
        return Stats.from_stat_result(os.stat(path, follow_symlinks=follow))


def _fstat(fd: int) -> Stats:
    with syscall("fstat"):
        return Stats.from_stat_result(os.fstat(fd))


def _call(name: str, fn: Callable[..., Any], path: Any, dest: Any, *args: Any) -> Any:
    with syscall(name, path, dest):
        return fn(*args)


def _readv(fd: int, target: memoryview, position: int | None) -> int:
    with syscall("read"):
        if position is None or position < 0:
            return os.readv(fd, [target])
        return os.preadv(fd, [target], position)


# -- the other calls ---------------------------------------------------------------------

def op_readdir(path: Any, options: Any = None, *, done: Done, **kw: Any) -> None:
    """``readdir``: names sorted as libuv's scandir sorts them; Dirents on request."""
    opts = c.options_of(options, {"encoding": "utf8", "withFileTypes": False, **kw})
    enc = c.check_encoding(opts["encoding"])
    job(_readdir, (c.check_path(path), bool(opts["withFileTypes"]), enc), done, "scandir")


def op_stat(path: Any, options: Any = None, *, done: Done, **kw: Any) -> None:
    job(_stat, (c.check_path(path), True), done, "stat")


def op_lstat(path: Any, options: Any = None, *, done: Done, **kw: Any) -> None:
    job(_stat, (c.check_path(path), False), done, "lstat")


def op_mkdir(path: Any, options: Any = None, *, done: Done, **kw: Any) -> None:
    """``mkdir``; with ``recursive`` the result is the first directory created (or None)."""
    if isinstance(options, (int, str)) and not isinstance(options, bool):
        options = {"mode": options}
    opts = c.options_of(options, {"recursive": False, "mode": 0o777, **kw})
    if not isinstance(opts["recursive"], bool):
        raise invalid_property_type("options.recursive", "of type boolean", opts["recursive"])
    mode = c.check_mode(opts["mode"], 0o777)
    job(_mkdir, (c.check_path(path), opts["recursive"], mode), done, "mkdir")


def op_mkdtemp(prefix: Any, options: Any = None, *, done: Done, **kw: Any) -> None:
    """``mkdtemp(prefix)``: ``prefix`` + 6 random characters, mode 0o700."""
    opts = c.options_of(options, {"encoding": "utf8", **kw})
    enc = c.check_encoding(opts["encoding"])
    job(_mkdtemp, (c.check_path(prefix, "prefix"),), lambda path, err: done(
        None if err else (os.fsencode(path) if enc is None else os.fsdecode(path)), err),
        "mkdtemp")


def op_rm(path: Any, options: Any = None, *, done: Done, **kw: Any) -> None:
    opts = c.options_of(options, {"recursive": False, "force": False, **kw})
    for key in ("recursive", "force"):
        if not isinstance(opts[key], bool):
            raise invalid_property_type(f"options.{key}", "of type boolean", opts[key])
    job(_rm, (c.check_path(path), opts["recursive"], opts["force"]), done, "rm")


def op_rmdir(path: Any, options: Any = None, *, done: Done, **kw: Any) -> None:
    opts = c.options_of(options, {"recursive": False, **kw})
    job(_rmdir, (c.check_path(path), bool(opts["recursive"])), done, "rmdir")


def op_rename(old: Any, new: Any, *, done: Done) -> None:
    o, n = c.check_path(old, "oldPath"), c.check_path(new, "newPath")
    job(_call, ("rename", os.rename, o, n, o, n), done, "rename")


def op_unlink(path: Any, *, done: Done) -> None:
    p = c.check_path(path)
    job(_call, ("unlink", os.unlink, p, None, p), done, "unlink")


def op_copy_file(src: Any, dest: Any, mode: int = 0, *, done: Done) -> None:
    s, d = c.check_path(src, "src"), c.check_path(dest, "dest")
    mode = check_int_range(mode, "mode", 0, 7, 0)
    job(_copy_file, (s, d, mode), done, "copyfile")


def op_access(path: Any, mode: Any = c.F_OK, *, done: Done) -> None:
    p = c.check_path(path)
    job(_access, (p, check_int_range(mode, "mode", 0, 7, c.F_OK)), done, "access")


def check_int_range(value: Any, name: str, low: int, high: int, default: int) -> int:
    """Node's ``getValidMode``-style check: an integer in ``[low, high]``."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_arg_type(name, "of type number", value)
    if value != value or not low <= value <= high or int(value) != value:
        raise NodeRangeError(
            f'The value of "{name}" is out of range. It must be an integer >= {low} && '
            f"<= {high}. Received {value}", "ERR_OUT_OF_RANGE")
    return int(value)


def check_len(length: Any) -> int:
    """Node's ``validateInteger(len, 'len')`` then ``MathMax(0, len)``; None is 0."""
    if length is None:
        return 0
    if isinstance(length, bool) or not isinstance(length, (int, float)):
        raise invalid_arg_type("len", "of type number", length)
    if length != length or int(length) != length:
        raise NodeRangeError(
            f'The value of "len" is out of range. It must be an integer. Received {length}',
            "ERR_OUT_OF_RANGE")
    return max(0, int(length))


def op_truncate(path: Any, len: Any = 0, *, done: Done) -> None:
    p = c.check_path(path)
    job(_call, ("open", os.truncate, p, None, p, check_len(len)), done, "open")


def op_ftruncate(fd: Any, len: Any = 0, *, done: Done) -> None:
    f = c.check_fd(fd)
    job(_call, ("ftruncate", os.ftruncate, None, None, f, check_len(len)), done, "ftruncate")


def op_chmod(path: Any, mode: Any, *, done: Done) -> None:
    p = c.check_path(path)
    job(_call, ("chmod", os.chmod, p, None, p, c.check_mode(mode, 0)), done, "chmod")


def op_symlink(target: Any, path: Any, type: Any = None, *, done: Done) -> None:
    t, p = c.check_path(target, "target"), c.check_path(path)
    job(_call, ("symlink", os.symlink, t, p, t, p), done, "symlink")


def op_link(existing: Any, new: Any, *, done: Done) -> None:
    e, n = c.check_path(existing, "existingPath"), c.check_path(new, "newPath")
    job(_call, ("link", os.link, e, n, e, n), done, "link")


def op_readlink(path: Any, options: Any = None, *, done: Done) -> None:
    p = c.check_path(path)
    job(_call, ("readlink", os.readlink, p, None, p), done, "readlink")


def op_realpath(path: Any, options: Any = None, *, done: Done) -> None:
    """``realpath``: errors name ``lstat`` and the missing component, as Node's JS
    ``fs.realpath`` (which lstats its way along the path) does."""
    p = c.check_path(path)

    def body() -> Any:
        try:
            return os.path.realpath(p, strict=True)
        except OSError as exc:
            raise from_oserror(exc, "lstat", exc.filename if exc.filename else p) from None

    job(body, (), done, "lstat")


def op_utimes(path: Any, atime: Any, mtime: Any, *, done: Done) -> None:
    p = c.check_path(path)
    times = (_seconds(atime, "atime"), _seconds(mtime, "mtime"))
    job(_call, ("utime", os.utime, p, None, p, times), done, "utime")


def _seconds(value: Any, name: str) -> float:
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise invalid_arg_type(name, "of type number or an instance of Date", value)


# -- fd forms (Node's callback API: open gives a number) ---------------------------------

def op_open(path: Any, flags: Any = "r", mode: Any = 0o666, *, done: Done) -> None:
    p = c.check_path(path)
    job(_open, (p, c.check_flags(flags), c.check_mode(mode, 0o666)), done, "open")


def op_close(fd: Any, *, done: Done) -> None:
    job(_close, (c.check_fd(fd),), done, "close")


def op_fstat(fd: Any, options: Any = None, *, done: Done) -> None:
    job(_fstat, (c.check_fd(fd),), done, "fstat")


def read_target(buffer: Any, offset: Any, length: Any, position: Any
                ) -> tuple[Any, memoryview, int | None]:
    """Validate Node's ``read(buffer, offset, length, position)`` arguments; also the
    ``read({buffer, offset, length, position})`` and ``read(buffer, {offset...})`` forms."""
    if isinstance(buffer, dict):
        opts = buffer
        buffer = opts.get("buffer")
        offset, length, position = opts.get("offset"), opts.get("length"), opts.get("position")
    elif isinstance(offset, dict):
        opts = offset
        offset, length, position = opts.get("offset"), opts.get("length"), opts.get("position")
    buf = bytearray(16384) if buffer is None else buffer
    if not isinstance(buf, (bytearray, memoryview)):
        raise invalid_arg_type("buffer", "an instance of Buffer, TypedArray, or DataView", buf)
    view = memoryview(buf).cast("B")
    start = 0 if offset is None else offset
    if isinstance(start, bool) or not isinstance(start, int):
        raise invalid_arg_type("offset", "of type number", start)
    count = len(view) - start if length is None else length
    if count and not len(view):
        raise c.invalid_value("buffer", buf, "is empty and cannot be written")
    if start < 0 or count < 0 or start + count > len(view):
        raise c.invalid_value("length", count, "is out of range")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int)):
        raise invalid_arg_type("position", "of type number or bigint", position)
    return buf, view[start:start + count], position


def op_read(fd: Any, buffer: Any = None, offset: Any = None, length: Any = None,
            position: Any = None, *, done: Done) -> None:
    """``read(fd, buffer, offset, length, position)`` → ``{'bytesRead', 'buffer'}``."""
    f = c.check_fd(fd)
    buf, target, pos = read_target(buffer, offset, length, position)
    if not len(target):
        nextTick(done, {"bytesRead": 0, "buffer": buf}, None)
        return
    job(_readv, (f, target, pos), lambda n, err: done(
        None if err else {"bytesRead": n, "buffer": buf}, err), "read")


def write_payload(data: Any, offset: Any, length: Any, position: Any, encoding: str
                  ) -> tuple[bytes, int | None]:
    """Both Node forms: ``(buffer, offset, length, position)`` and ``(string, position, enc)``."""
    if isinstance(data, str):
        if position is None and not isinstance(offset, dict):
            position, offset = offset, None
        if isinstance(length, str):
            encoding = length
        return c.encode(data, encoding), position
    if isinstance(offset, dict):
        opts = offset
        offset, length, position = opts.get("offset"), opts.get("length"), opts.get("position")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise invalid_arg_type(
            "buffer", "of type string or an instance of Buffer, TypedArray, or DataView", data)
    view = memoryview(data).cast("B")
    start = offset or 0
    end = len(view) if length is None else start + length
    if start < 0 or end > len(view) or end < start:
        raise c.invalid_value("length", length, "is out of range")
    return bytes(view[start:end]), position


def op_write(fd: Any, data: Any, offset: Any = None, length: Any = None, position: Any = None,
             encoding: str = "utf8", *, done: Done) -> None:
    """``write(fd, ...)`` → ``{'bytesWritten', 'buffer'}``."""
    f = c.check_fd(fd)
    chunk, pos = write_payload(data, offset, length, position, encoding)
    job(_write, (f, memoryview(chunk), pos), lambda n, err: done(
        None if err else {"bytesWritten": n, "buffer": data}, err), "write")
