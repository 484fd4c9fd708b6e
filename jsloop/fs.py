"""Node's ``fs/promises`` in Python form: file system calls that run on the thread pool.

Owns: the promise-returning fs functions, ``FileHandle``, ``Stats``/``Dirent``
records, Node's encodings and open flags, and the mapping of Python ``OSError``
to Node's ``code``/``syscall``.

Every call returns a ``jsloop.Promise`` at once; the blocking syscall runs on
the loop's thread pool and the promise settles on the loop thread in the poll
phase (ORDERING.md §1, the ``readFile`` example). As in Node's ``fs/promises``
— whose functions are ``async`` — bad arguments *reject* rather than raise.

Errors are the ``OSError`` subclasses Python raises (``FileNotFoundError``,
``IsADirectoryError``...), annotated with Node's ``code`` (``'ENOENT'``),
``syscall`` (``'open'``) and ``path``, so both ``except FileNotFoundError`` and
``err.code == 'ENOENT'`` work.

Imports: _runtime, _threadpool, promise, errors (and stdlib).
"""

from __future__ import annotations

import base64
import errno as errno_mod
import os
import shutil
import stat as stat_mod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

import attrs

from ._runtime import get_loop
from ._threadpool import runInThreadPool
from .errors import NodeTypeError, invalid_arg_type
from .promise import Promise

__all__ = [
    "COPYFILE_EXCL", "F_OK", "R_OK", "W_OK", "X_OK", "Dirent", "FileHandle", "Stats",
    "access", "appendFile", "constants", "copyFile", "lstat", "mkdir", "open", "readFile",
    "readdir", "rename", "rm", "runInThreadPool", "stat", "unlink", "writeFile",
]

PathLike: TypeAlias = "str | bytes | os.PathLike[str] | os.PathLike[bytes]"
Data: TypeAlias = "str | bytes | bytearray | memoryview"

F_OK = os.F_OK
R_OK = os.R_OK
W_OK = os.W_OK
X_OK = os.X_OK
COPYFILE_EXCL = 1


class constants:
    """Node's ``fs.constants`` (the subset jsloop uses)."""

    F_OK = os.F_OK
    R_OK = os.R_OK
    W_OK = os.W_OK
    X_OK = os.X_OK
    COPYFILE_EXCL = 1
    O_RDONLY = os.O_RDONLY
    O_WRONLY = os.O_WRONLY
    O_RDWR = os.O_RDWR
    O_CREAT = os.O_CREAT
    O_EXCL = os.O_EXCL
    O_TRUNC = os.O_TRUNC
    O_APPEND = os.O_APPEND


# Node's string flags (lib/internal/fs/utils.js stringToFlags).
_O = os.O_CLOEXEC
_FLAGS: dict[str, int] = {
    "r": os.O_RDONLY,
    "rs": os.O_RDONLY | os.O_SYNC,
    "sr": os.O_RDONLY | os.O_SYNC,
    "r+": os.O_RDWR,
    "rs+": os.O_RDWR | os.O_SYNC,
    "sr+": os.O_RDWR | os.O_SYNC,
    "w": os.O_TRUNC | os.O_CREAT | os.O_WRONLY,
    "wx": os.O_TRUNC | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "xw": os.O_TRUNC | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "w+": os.O_TRUNC | os.O_CREAT | os.O_RDWR,
    "wx+": os.O_TRUNC | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "xw+": os.O_TRUNC | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "a": os.O_APPEND | os.O_CREAT | os.O_WRONLY,
    "ax": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "xa": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "as": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_SYNC,
    "sa": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_SYNC,
    "a+": os.O_APPEND | os.O_CREAT | os.O_RDWR,
    "ax+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "xa+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "as+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_SYNC,
    "sa+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_SYNC,
}

_ENCODINGS: dict[str, str] = {
    "utf8": "utf8", "utf-8": "utf8", "ascii": "ascii", "latin1": "latin1",
    "binary": "latin1", "base64": "base64", "base64url": "base64url", "hex": "hex",
    "utf16le": "utf16le", "utf-16le": "utf16le", "ucs2": "utf16le", "ucs-2": "utf16le",
}


# -- errors -----------------------------------------------------------------

def annotate(exc: OSError, syscall: str, path: Any = None) -> OSError:
    """Give a Python OSError Node's ``code``/``syscall``/``path`` attributes, in place."""
    code = errno_mod.errorcode.get(exc.errno or 0, "UNKNOWN")
    exc.code = code  # type: ignore[attr-defined]
    exc.syscall = syscall  # type: ignore[attr-defined]
    if path is not None or exc.filename is not None:
        exc.path = exc.filename if exc.filename is not None else path  # type: ignore[attr-defined]
    return exc


@contextmanager
def _syscall(name: str, path: Any = None) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise annotate(exc, name, path)


def _os_error(code: int, syscall: str, path: Any = None) -> OSError:
    exc = OSError(code, os.strerror(code)) if path is None else OSError(
        code, os.strerror(code), path
    )  # OSError(errno, ...) picks the matching subclass (FileNotFoundError...)
    return annotate(exc, syscall, path)


def _invalid_value(name: str, value: Any, reason: str = "is invalid") -> NodeTypeError:
    return NodeTypeError(
        f"The argument '{name}' {reason}. Received {value!r}", "ERR_INVALID_ARG_VALUE"
    )


# -- argument checks (raise; the public wrappers turn them into rejections) --

def _check_path(path: Any, name: str = "path") -> str | bytes:
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, (str, bytes)):
        raise invalid_arg_type(name, "of type string or an instance of Buffer or URL", path)
    if (b"\0" if isinstance(path, bytes) else "\0") in path:  # type: ignore[operator]
        raise NodeTypeError(
            f"The argument '{name}' must be a string or Uint8Array without null bytes. "
            f"Received {path!r}", "ERR_INVALID_ARG_VALUE",
        )
    return path


def _check_encoding(encoding: Any) -> str | None:
    """Normalise an ``encoding`` option: None/'buffer' → None (bytes)."""
    if isinstance(encoding, dict):
        encoding = encoding.get("encoding")
    if encoding is None or encoding == "buffer":
        return None
    if not isinstance(encoding, str) or encoding.lower() not in _ENCODINGS:
        raise _invalid_value("encoding", encoding, "is invalid encoding")
    return _ENCODINGS[encoding.lower()]


def _check_flags(flags: Any) -> int:
    if isinstance(flags, int) and not isinstance(flags, bool):
        return flags | _O
    if isinstance(flags, str) and flags in _FLAGS:
        return _FLAGS[flags] | _O
    raise _invalid_value("flags", flags)


def _check_data(data: Any, encoding: str | None) -> bytes | bytearray | memoryview:
    if isinstance(data, str):
        return encode(data, encoding or "utf8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data
    raise invalid_arg_type(
        "data", "of type string or an instance of Buffer, TypedArray, or DataView", data
    )


def decode(data: bytes, encoding: str) -> str:
    """Node's ``buffer.toString(encoding)`` for the supported encodings."""
    if encoding == "utf8":
        return data.decode("utf-8", "replace")
    if encoding == "hex":
        return data.hex()
    if encoding == "base64":
        return base64.b64encode(data).decode("ascii")
    if encoding == "base64url":
        return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
    if encoding == "utf16le":
        return data.decode("utf-16-le", "replace")
    if encoding == "ascii":
        return bytes(b & 0x7F for b in data).decode("ascii")
    return data.decode("latin-1")


def encode(text: str, encoding: str) -> bytes:
    """Node's ``Buffer.from(text, encoding)`` for the supported encodings."""
    enc = _ENCODINGS.get(encoding.lower(), "utf8")
    if enc == "utf8":
        return text.encode("utf-8", "surrogatepass")
    if enc == "hex":
        return bytes.fromhex(text)
    if enc in ("base64", "base64url"):
        padded = text + "=" * (-len(text) % 4)
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    if enc == "utf16le":
        return text.encode("utf-16-le", "surrogatepass")
    return text.encode("latin-1", "replace")


# -- records ----------------------------------------------------------------

@attrs.frozen
class Stats:
    """Node's ``fs.Stats`` (times in ms since the epoch, as floats)."""

    dev: int
    ino: int
    mode: int
    nlink: int
    uid: int
    gid: int
    rdev: int
    size: int
    blksize: int
    blocks: int
    atimeMs: float
    mtimeMs: float
    ctimeMs: float
    birthtimeMs: float

    @classmethod
    def from_stat_result(cls, st: os.stat_result) -> Stats:
        birth = getattr(st, "st_birthtime", None)
        return cls(
            dev=st.st_dev, ino=st.st_ino, mode=st.st_mode, nlink=st.st_nlink, uid=st.st_uid,
            gid=st.st_gid, rdev=st.st_rdev, size=st.st_size, blksize=st.st_blksize,
            blocks=st.st_blocks, atimeMs=st.st_atime_ns / 1e6, mtimeMs=st.st_mtime_ns / 1e6,
            ctimeMs=st.st_ctime_ns / 1e6,
            birthtimeMs=birth * 1e3 if birth is not None else st.st_ctime_ns / 1e6,
        )

    def isFile(self) -> bool:
        return stat_mod.S_ISREG(self.mode)

    def isDirectory(self) -> bool:
        return stat_mod.S_ISDIR(self.mode)

    def isSymbolicLink(self) -> bool:
        return stat_mod.S_ISLNK(self.mode)

    def isFIFO(self) -> bool:
        return stat_mod.S_ISFIFO(self.mode)

    def isSocket(self) -> bool:
        return stat_mod.S_ISSOCK(self.mode)

    def isBlockDevice(self) -> bool:
        return stat_mod.S_ISBLK(self.mode)

    def isCharacterDevice(self) -> bool:
        return stat_mod.S_ISCHR(self.mode)


@attrs.frozen
class Dirent:
    """Node's ``fs.Dirent`` (``readdir(..., withFileTypes=True)``)."""

    name: str | bytes
    path: str | bytes
    _kind: int = attrs.field(alias="kind")  # stat.S_IFMT bits, 0 if unknown

    def isFile(self) -> bool:
        return self._kind == stat_mod.S_IFREG

    def isDirectory(self) -> bool:
        return self._kind == stat_mod.S_IFDIR

    def isSymbolicLink(self) -> bool:
        return self._kind == stat_mod.S_IFLNK

    def isFIFO(self) -> bool:
        return self._kind == stat_mod.S_IFIFO

    def isSocket(self) -> bool:
        return self._kind == stat_mod.S_IFSOCK


# -- plumbing -----------------------------------------------------------------

def _submit(fn: Callable[..., Any], *args: Any) -> Promise[Any]:
    pool = get_loop().threadpool
    return pool.submit(fn, *args)  # type: ignore[no-any-return]


def _guard(build: Callable[[], Promise[Any]]) -> Promise[Any]:
    """Run ``build``; an argument error it raises becomes a rejected promise (fs/promises)."""
    try:
        return build()
    except (TypeError, ValueError) as exc:
        return Promise.reject(exc)


# -- blocking bodies (run on a worker) ---------------------------------------

def _read_all(path: str | bytes | int, flags: int) -> bytes:
    if isinstance(path, int):
        fd, owned = path, False
    else:
        with _syscall("open", path):
            fd, owned = os.open(path, flags), True
    try:
        with _syscall("read", path):
            chunks: list[bytes] = []
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
    finally:
        if owned:
            os.close(fd)


def _write_all(path: str | bytes | int, data: bytes | bytearray | memoryview, flags: int,
               mode: int) -> None:
    if isinstance(path, int):
        fd, owned = path, False
    else:
        with _syscall("open", path):
            fd, owned = os.open(path, flags, mode), True
    try:
        with _syscall("write", path):
            view = memoryview(data).cast("B")
            while view:
                view = view[os.write(fd, view):]
    finally:
        if owned:
            os.close(fd)


def _readdir(path: str | bytes, with_types: bool, encoding: str | None) -> list[Any]:
    with _syscall("scandir", path):
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
    with _syscall("mkdir", path):
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
            raise _os_error(errno_mod.EEXIST, "mkdir", path)
        os.makedirs(path, mode, exist_ok=True)
        return first


def _rm(path: str | bytes, recursive: bool, force: bool) -> None:
    try:
        st = os.lstat(path)
    except OSError as exc:
        if force and exc.errno == errno_mod.ENOENT:
            return
        raise annotate(exc, "lstat", path)
    if stat_mod.S_ISDIR(st.st_mode):
        if not recursive:
            isdir = IsADirectoryError(errno_mod.EISDIR, "Path is a directory", path)
            annotate(isdir, "rm", path)
            isdir.code = "ERR_FS_EISDIR"  # type: ignore[attr-defined]
            raise isdir
        with _syscall("rm", path):
            shutil.rmtree(path)
        return
    with _syscall("rm", path):
        os.unlink(path)


def _copy_file(src: str | bytes, dst: str | bytes, mode: int) -> None:
    with _syscall("copyfile", src):
        if os.path.isdir(src):
            raise _os_error(errno_mod.EISDIR, "copyfile", src)
        sfd = os.open(src, os.O_RDONLY | _O)
        try:
            st = os.fstat(sfd)
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O
            if mode & COPYFILE_EXCL:
                flags |= os.O_EXCL
            dfd = os.open(dst, flags, stat_mod.S_IMODE(st.st_mode))
            try:
                remaining = st.st_size
                offset = 0
                while remaining > 0:
                    sent = os.sendfile(dfd, sfd, offset, min(remaining, 1 << 30))
                    if sent == 0:
                        break
                    offset += sent
                    remaining -= sent
                # A file that grew while we copied, or a /proc-style size 0 file.
                shutil.copyfileobj(_FdReader(sfd, offset), _FdWriter(dfd))
                os.fchmod(dfd, stat_mod.S_IMODE(st.st_mode))
            finally:
                os.close(dfd)
        finally:
            os.close(sfd)


class _FdReader:
    __slots__ = ("fd", "pos")

    def __init__(self, fd: int, pos: int) -> None:
        self.fd = fd
        self.pos = pos

    def read(self, n: int = 1 << 16) -> bytes:
        chunk = os.pread(self.fd, n, self.pos)
        self.pos += len(chunk)
        return chunk


class _FdWriter:
    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        return len(data)


def _access(path: str | bytes, mode: int) -> None:
    with _syscall("access", path):
        os.stat(path)
        if not os.access(path, mode):
            raise _os_error(errno_mod.EACCES, "access", path)


def _call(syscall: str, fn: Callable[..., Any], *args: Any) -> Any:
    path = args[0] if args and isinstance(args[0], (str, bytes)) else None
    with _syscall(syscall, path):
        return fn(*args)


def _rename(old: str | bytes, new: str | bytes) -> None:
    with _syscall("rename", old):
        os.rename(old, new)


def _stat(path: str | bytes, follow: bool) -> Stats:
    with _syscall("stat" if follow else "lstat", path):
        return Stats.from_stat_result(os.stat(path, follow_symlinks=follow))


# -- public API ---------------------------------------------------------------

def readFile(path: PathLike | int, encoding: Any = None, *, flag: str = "r") -> Promise[Any]:
    """``fsPromises.readFile(path, options)``: bytes, or str when an encoding is given.

    ``encoding`` may be a string or Node's options dict ``{'encoding': ..., 'flag': ...}``.
    """
    def build() -> Promise[Any]:
        opts = encoding if isinstance(encoding, dict) else {}
        enc = _check_encoding(encoding)
        flags = _check_flags(opts.get("flag", flag))
        target = path if isinstance(path, int) else _check_path(path)

        def body() -> bytes | str:
            data = _read_all(target, flags)
            return data if enc is None else decode(data, enc)

        return _submit(body)

    return _guard(build)


def _write_file(
    path: PathLike | int, data: Data, encoding: Any, mode: int, flag: str
) -> Promise[Any]:
    def build() -> Promise[Any]:
        opts = encoding if isinstance(encoding, dict) else {}
        enc = _check_encoding(encoding) if encoding is not None else "utf8"
        payload = _check_data(data, enc)
        if isinstance(payload, (bytearray, memoryview)):
            payload = bytes(payload)  # the caller may mutate it while a worker writes
        flags = _check_flags(opts.get("flag", flag))
        target = path if isinstance(path, int) else _check_path(path)
        return _submit(_write_all, target, payload, flags, opts.get("mode", mode))

    return _guard(build)


def writeFile(path: PathLike | int, data: Data, encoding: Any = "utf8", *, mode: int = 0o666,
              flag: str = "w") -> Promise[Any]:
    """``fsPromises.writeFile(path, data, options)``; resolves to None."""
    return _write_file(path, data, encoding, mode, flag)


def appendFile(path: PathLike | int, data: Data, encoding: Any = "utf8", *, mode: int = 0o666,
               flag: str = "a") -> Promise[Any]:
    """``fsPromises.appendFile(path, data, options)``; resolves to None."""
    return _write_file(path, data, encoding, mode, flag)


def readdir(path: PathLike, encoding: Any = "utf8", *, withFileTypes: bool = False) -> Promise[Any]:
    """``fsPromises.readdir``: names sorted as libuv's scandir sorts them; Dirents on request."""
    def build() -> Promise[Any]:
        enc = _check_encoding(encoding)
        return _submit(_readdir, _check_path(path), withFileTypes, enc)

    return _guard(build)


def stat(path: PathLike) -> Promise[Any]:
    """``fsPromises.stat`` → ``Stats``."""
    return _guard(lambda: _submit(_stat, _check_path(path), True))


def lstat(path: PathLike) -> Promise[Any]:
    """``fsPromises.lstat`` → ``Stats`` of the link itself."""
    return _guard(lambda: _submit(_stat, _check_path(path), False))


def mkdir(path: PathLike, mode: int = 0o777, *, recursive: bool = False) -> Promise[Any]:
    """``fsPromises.mkdir``; with ``recursive`` resolves to the first directory created
    (None if it already existed), as Node does."""
    return _guard(lambda: _submit(_mkdir, _check_path(path), recursive, mode))


def rm(path: PathLike, *, recursive: bool = False, force: bool = False) -> Promise[Any]:
    """``fsPromises.rm``; a directory without ``recursive`` rejects with
    ``IsADirectoryError`` whose code is ``ERR_FS_EISDIR`` (Node's SystemError)."""
    return _guard(lambda: _submit(_rm, _check_path(path), recursive, force))


def rename(oldPath: PathLike, newPath: PathLike) -> Promise[Any]:
    """``fsPromises.rename``."""
    return _guard(
        lambda: _submit(_rename, _check_path(oldPath, "oldPath"), _check_path(newPath, "newPath"))
    )


def unlink(path: PathLike) -> Promise[Any]:
    """``fsPromises.unlink``."""
    return _guard(lambda: _submit(_call, "unlink", os.unlink, _check_path(path)))


def copyFile(src: PathLike, dest: PathLike, mode: int = 0) -> Promise[Any]:
    """``fsPromises.copyFile``; ``mode=COPYFILE_EXCL`` fails if ``dest`` exists."""
    return _guard(
        lambda: _submit(_copy_file, _check_path(src, "src"), _check_path(dest, "dest"), mode)
    )


def access(path: PathLike, mode: int = F_OK) -> Promise[Any]:
    """``fsPromises.access``: resolves to None, rejects (ENOENT, EACCES) otherwise."""
    return _guard(lambda: _submit(_access, _check_path(path), mode))


def open(path: PathLike, flags: str | int = "r", mode: int = 0o666) -> Promise[Any]:
    """``fsPromises.open`` → ``FileHandle``."""
    def build() -> Promise[Any]:
        target = _check_path(path)
        oflags = _check_flags(flags)

        def body() -> FileHandle:
            with _syscall("open", target):
                return FileHandle(os.open(target, oflags, mode))

        return _submit(body)

    return _guard(build)


class FileHandle:
    """Node's ``FileHandle`` from ``fsPromises.open``: read/write/stat/close on the pool."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __repr__(self) -> str:
        return f"<FileHandle fd={self.fd}>"

    def _closed_error(self, syscall: str) -> Promise[Any]:
        exc = _os_error(errno_mod.EBADF, syscall)
        return Promise.reject(exc)

    def read(self, buffer: bytearray | memoryview | None = None, offset: int = 0,
             length: int | None = None, position: int | None = None) -> Promise[Any]:
        """``filehandle.read`` → ``{'bytesRead': n, 'buffer': buffer}``.

        Without a buffer a 16 KiB ``bytearray`` is allocated (Node's default);
        ``position`` None (or -1) reads from the current file position.
        """
        if self.fd < 0:
            return self._closed_error("read")
        fd = self.fd

        def build() -> Promise[Any]:
            buf = bytearray(16384) if buffer is None else buffer
            if not isinstance(buf, (bytearray, memoryview)):
                raise invalid_arg_type("buffer", "an instance of Buffer, TypedArray, or DataView",
                                       buf)
            view = memoryview(buf).cast("B")
            count = len(view) - offset if length is None else length
            if offset < 0 or count < 0 or offset + count > len(view):
                raise _invalid_value("length", count, "is out of range")
            target = view[offset:offset + count]

            def body() -> dict[str, Any]:
                with _syscall("read"):
                    if position is None or position < 0:
                        n = os.readv(fd, [target])
                    else:
                        n = os.preadv(fd, [target], position)
                return {"bytesRead": n, "buffer": buf}

            return _submit(body)

        return _guard(build)

    def write(self, data: Data, offset: int | None = None, length: int | None = None,
              position: int | None = None, encoding: str = "utf8") -> Promise[Any]:
        """``filehandle.write`` → ``{'bytesWritten': n, 'buffer': data}``.

        Both Node forms: ``write(buffer, offset, length, position)`` and
        ``write(string, position, encoding)`` (for a str the second argument is
        the position).
        """
        if self.fd < 0:
            return self._closed_error("write")
        fd = self.fd

        def build() -> Promise[Any]:
            nonlocal offset, position
            if isinstance(data, str):
                if position is None:
                    position, offset = offset, None
                payload: bytes | bytearray | memoryview = encode(data, encoding)
            else:
                payload = _check_data(data, None)
            view = memoryview(payload).cast("B")
            start = offset or 0
            end = len(view) if length is None else start + length
            chunk = bytes(view[start:end])
            pos = position

            def body() -> dict[str, Any]:
                with _syscall("write"):
                    n = os.write(fd, chunk) if pos is None or pos < 0 else os.pwrite(
                        fd, chunk, pos)
                return {"bytesWritten": n, "buffer": data}

            return _submit(body)

        return _guard(build)

    def readFile(self, encoding: Any = None) -> Promise[Any]:
        """``filehandle.readFile``: the rest of the file from the current position."""
        if self.fd < 0:
            return self._closed_error("read")
        return readFile(self.fd, encoding)

    def writeFile(self, data: Data, encoding: Any = "utf8") -> Promise[Any]:
        """``filehandle.writeFile``."""
        if self.fd < 0:
            return self._closed_error("write")
        return _write_file(self.fd, data, encoding, 0o666, "w")

    def appendFile(self, data: Data, encoding: Any = "utf8") -> Promise[Any]:
        """``filehandle.appendFile``."""
        return self.writeFile(data, encoding)

    def stat(self) -> Promise[Any]:
        """``filehandle.stat`` → ``Stats``."""
        if self.fd < 0:
            return self._closed_error("fstat")
        fd = self.fd
        return _submit(lambda: Stats.from_stat_result(_call("fstat", os.fstat, fd)))

    def truncate(self, len: int = 0) -> Promise[Any]:
        """``filehandle.truncate``."""
        if self.fd < 0:
            return self._closed_error("ftruncate")
        return _submit(_call, "ftruncate", os.ftruncate, self.fd, len)

    def sync(self) -> Promise[Any]:
        """``filehandle.sync``."""
        if self.fd < 0:
            return self._closed_error("fsync")
        return _submit(_call, "fsync", os.fsync, self.fd)

    def close(self) -> Promise[Any]:
        """``filehandle.close``; later calls on the handle reject with EBADF."""
        fd, self.fd = self.fd, -1
        if fd < 0:
            return Promise.resolve(None)
        return _submit(_call, "close", os.close, fd)
