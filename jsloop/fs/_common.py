"""Shared pieces of ``jsloop.fs``: flags, encodings, argument checks, errors, records.

Owns: Node's string open flags, the supported encodings (``encode``/``decode``),
argument validation with Node's codes (a number where a path is expected is
ERR_INVALID_ARG_TYPE, as in ``fs/promises``), the worker-side mapping of a
Python ``OSError`` to Node's error object (``_req.uv_exception``: message
``"ENOENT: no such file or directory, open 'x'"``, ``code``, negative
``errno``, ``syscall``, ``path``, ``dest``), and the ``Stats``/``Dirent``
records.

Everything here is pure: safe on the loop thread and on pool workers.

Imports: _req, errors (and stdlib, attrs).
"""

from __future__ import annotations

import base64
import datetime
import os
import stat as stat_mod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

import attrs

from .._req import from_oserror, uv_exception
from ..errors import NodeRangeError, NodeTypeError, invalid_arg_type

PathLike: TypeAlias = "str | bytes | os.PathLike[str] | os.PathLike[bytes]"
Data: TypeAlias = "str | bytes | bytearray | memoryview"

F_OK = os.F_OK
R_OK = os.R_OK
W_OK = os.W_OK
X_OK = os.X_OK
COPYFILE_EXCL = 1
COPYFILE_FICLONE = 2
COPYFILE_FICLONE_FORCE = 4

# Node's lib/internal/fs/utils.js constants.
READ_CHUNK = 512 * 1024  # kReadFileBufferLength
READ_CHUNK_UNKNOWN = 64 * 1024  # kReadFileUnknownBufferLength (pipes, /dev/*, /proc)
WRITE_CHUNK = 512 * 1024  # kWriteFileMaxChunkSize
IO_MAX_LENGTH = 2**31 - 1  # kIoMaxLength: bigger files fail with ERR_FS_FILE_TOO_LARGE


class constants:
    """Node's ``fs.constants`` (the subset jsloop uses)."""

    F_OK = os.F_OK
    R_OK = os.R_OK
    W_OK = os.W_OK
    X_OK = os.X_OK
    COPYFILE_EXCL = UV_FS_COPYFILE_EXCL = 1
    COPYFILE_FICLONE = UV_FS_COPYFILE_FICLONE = 2
    COPYFILE_FICLONE_FORCE = UV_FS_COPYFILE_FICLONE_FORCE = 4
    O_RDONLY = os.O_RDONLY
    O_WRONLY = os.O_WRONLY
    O_RDWR = os.O_RDWR
    O_CREAT = os.O_CREAT
    O_EXCL = os.O_EXCL
    O_TRUNC = os.O_TRUNC
    O_APPEND = os.O_APPEND
    S_IFMT = stat_mod.S_IFMT
    S_IFREG = stat_mod.S_IFREG
    S_IFDIR = stat_mod.S_IFDIR


# Node's string flags (lib/internal/fs/utils.js stringToFlags).
O_CLOEXEC = os.O_CLOEXEC
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

@contextmanager
def syscall(name: str, path: Any = None, dest: Any = None) -> Iterator[None]:
    """Turn an OSError raised inside into Node's error for ``name`` (worker side)."""
    try:
        yield
    except OSError as exc:
        raise from_oserror(exc, name, path, dest) from None


def os_error(code: int, syscall_name: str, path: Any = None, dest: Any = None) -> OSError:
    return uv_exception(code, syscall_name, path, dest)


def annotate(exc: OSError, syscall_name: str, path: Any = None) -> OSError:
    """Node's error for ``exc`` (kept for callers of the old name)."""
    return from_oserror(exc, syscall_name, path if path is not None else exc.filename)


def invalid_value(name: str, value: Any, reason: str = "is invalid") -> NodeTypeError:
    return NodeTypeError(
        f"The argument '{name}' {reason}. Received {value!r}", "ERR_INVALID_ARG_VALUE"
    )


def file_too_large(size: int) -> NodeRangeError:
    """Node's ERR_FS_FILE_TOO_LARGE (a RangeError)."""
    return NodeRangeError(
        f"File size ({size}) is greater than 2 GiB", "ERR_FS_FILE_TOO_LARGE"
    )


def closed_error(syscall_name: str) -> OSError:
    """What a FileHandle method rejects with after ``close()`` (Node: 'file closed', EBADF)."""
    exc = OSError(9, "file closed")
    exc.message = "file closed"  # type: ignore[attr-defined]
    exc.code = "EBADF"  # type: ignore[attr-defined]
    exc.syscall = syscall_name  # type: ignore[attr-defined]
    return exc


# -- argument checks (raise; promise forms turn them into rejections) --------

def check_path(path: Any, name: str = "path") -> str | bytes:
    """Node's ``getValidatedPath``: str, bytes or PathLike; no NUL bytes."""
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


def check_fd(fd: Any) -> int:
    if isinstance(fd, bool) or not isinstance(fd, int):
        raise invalid_arg_type("fd", "of type number", fd)
    if not 0 <= fd <= 2**31 - 1:
        raise NodeRangeError(
            f'The value of "fd" is out of range. It must be >= 0 && <= 2147483647. '
            f"Received {fd}", "ERR_OUT_OF_RANGE")
    return fd


def check_encoding(encoding: Any) -> str | None:
    """Normalise an ``encoding`` option: None/'buffer' → None (bytes)."""
    if isinstance(encoding, dict):
        encoding = encoding.get("encoding")
    if encoding is None or encoding == "buffer":
        return None
    if not isinstance(encoding, str) or encoding.lower() not in _ENCODINGS:
        raise invalid_value("encoding", encoding, "is invalid encoding")
    return _ENCODINGS[encoding.lower()]


def check_flags(flags: Any) -> int:
    if flags is None:
        return os.O_RDONLY | O_CLOEXEC
    if isinstance(flags, int) and not isinstance(flags, bool):
        return flags | O_CLOEXEC
    if isinstance(flags, str) and flags in _FLAGS:
        return _FLAGS[flags] | O_CLOEXEC
    raise invalid_value("flags", flags)


def check_mode(mode: Any, default: int) -> int:
    """Node's ``parseFileMode``: an int, or an octal string."""
    if mode is None:
        return default
    if isinstance(mode, str):
        try:
            return int(mode, 8)
        except ValueError:
            raise invalid_value(
                "mode", mode, "must be a 32-bit unsigned integer or an octal string") from None
    if isinstance(mode, bool) or not isinstance(mode, int):
        raise invalid_arg_type("mode", "of type number", mode)
    if not 0 <= mode <= 0xFFFFFFFF:
        raise NodeRangeError(
            f'The value of "mode" is out of range. It must be >= 0 && <= 4294967295. '
            f"Received {mode}", "ERR_OUT_OF_RANGE")
    return mode


def check_data(data: Any, encoding: str | None) -> bytes | bytearray | memoryview:
    if isinstance(data, str):
        return encode(data, encoding or "utf8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data
    raise invalid_arg_type(
        "data", "of type string or an instance of Buffer, TypedArray, or DataView", data
    )


def options_of(options: Any, defaults: dict[str, Any], name: str = "options") -> dict[str, Any]:
    """Node's ``getOptions``: None → defaults, a string → {encoding}, a dict merged."""
    if options is None:
        return dict(defaults)
    if isinstance(options, str):
        return {**defaults, "encoding": options}
    if isinstance(options, dict):
        return {**defaults, **options}
    raise invalid_arg_type(name, "one of type string or an instance of Object", options)


def decode(data: bytes | bytearray | memoryview, encoding: str) -> str:
    """Node's ``buffer.toString(encoding)`` for the supported encodings."""
    data = bytes(data)
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

def _date(ms: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)


@attrs.frozen
class Stats:
    """Node's ``fs.Stats``: ``*Ms`` floats (ms since the epoch) and ``atime``/``mtime``/
    ``ctime``/``birthtime`` as timezone-aware UTC datetimes (Node's Dates)."""

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

    @property
    def atime(self) -> datetime.datetime:
        return _date(self.atimeMs)

    @property
    def mtime(self) -> datetime.datetime:
        return _date(self.mtimeMs)

    @property
    def ctime(self) -> datetime.datetime:
        return _date(self.ctimeMs)

    @property
    def birthtime(self) -> datetime.datetime:
        return _date(self.birthtimeMs)

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

    def isBlockDevice(self) -> bool:
        return self._kind == stat_mod.S_IFBLK

    def isCharacterDevice(self) -> bool:
        return self._kind == stat_mod.S_IFCHR
