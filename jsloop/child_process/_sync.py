"""``spawnSync``, ``execSync``, ``execFileSync``: run a child to completion, blocking.

Owns: the synchronous forms. Like Node's, they block the calling thread (and
so the loop) until the child exits: feed ``input`` to its stdin, collect
stdout/stderr, kill it with ``killSignal`` after ``timeout`` ms (error
ETIMEDOUT) or when output passes ``maxBuffer`` bytes (error ENOBUFS).

The result is a ``SpawnSyncResult`` (``pid``, ``output`` = [None, stdout,
stderr], ``stdout``, ``stderr``, ``status``, ``signal``, ``error``),
readable as attributes or items. ``execSync``/``execFileSync`` return
stdout and raise for a start error or a non-zero exit, with the result's
fields on the error, as Node's ``checkExecSyncError`` does; without an
explicit ``stdio`` the child's stderr is copied to ours.

Imports: child_process._options, child_process._pipes, child_process._exec,
stream._utils (and stdlib).
"""

from __future__ import annotations

import errno
import os
import selectors
import subprocess
import sys
import time
from typing import Any

from ..errors import NodeError, invalid_arg_type
from ..stream._utils import encode, normalize_encoding
from ._child import popen
from ._exec import MAX_BUFFER, normalize_exec_args, normalize_exec_file_args
from ._options import (
    FD,
    IGNORE,
    INHERIT,
    PIPE,
    SIGNAL_NAMES,
    get_valid_stdio,
    normalize_spawn_arguments,
    sanitize_kill_signal,
    unsupported,
    validate_max_buffer,
    validate_timeout,
)
from ._pipes import errno_error


class SpawnSyncResult(dict[str, Any]):
    """Node's spawnSync result object: ``r.status`` and ``r["status"]`` both work."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _input_bytes(value: Any, encoding: Any, i: int) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return encode(value, encoding if isinstance(encoding, str) else "utf8")
    raise invalid_arg_type(
        f"options.stdio[{i}]", "an instance of Buffer, TypedArray, or DataView or a string", value
    )


def _start_error(err: int, file: str, args: list[str]) -> OSError:
    exc = errno_error(err, f"spawnSync {file}")
    exc.path = file  # type: ignore[attr-defined]
    exc.spawnargs = args[1:]  # type: ignore[attr-defined]
    return exc


def spawnSync(file: Any, args: Any = None, options: Any = None) -> SpawnSyncResult:
    """Node's ``child_process.spawnSync(command, args, options)``."""
    opts = {"maxBuffer": MAX_BUFFER, **normalize_spawn_arguments(file, args, options)}
    validate_timeout(opts.get("timeout"))
    validate_max_buffer(opts.get("maxBuffer"))
    kill_signal = sanitize_kill_signal(opts.get("killSignal"))
    stdio_raw = opts.get("stdio")
    stdio = get_valid_stdio(stdio_raw, True)
    encoding = opts.get("encoding")
    inputs: dict[int, bytes] = {}
    if opts.get("input") is not None and opts.get("input") != "":
        inputs[0] = _input_bytes(opts["input"], encoding, 0)
    if isinstance(stdio_raw, (list, tuple)):
        for i, item in enumerate(stdio_raw):
            if isinstance(item, (str, bytes, bytearray)) and item not in (
                "pipe",
                "ignore",
                "inherit",
                "overlapped",
                "ipc",
            ):
                inputs[i] = _input_bytes(item, encoding, i)
    fds: list[Any] = [None, None, None]
    for i, (kind, fd) in enumerate(stdio[:3]):
        fds[i] = {
            PIPE: subprocess.PIPE,
            IGNORE: subprocess.DEVNULL,
            INHERIT: None,
            FD: fd,
        }[kind]
    if any(kind == PIPE for kind, _fd in stdio[3:]):
        raise unsupported("extra stdio pipes in spawnSync")
    pass_fds = tuple(fd for kind, fd in stdio[3:] if kind in (INHERIT, FD))
    argv = opts["args"]
    result = SpawnSyncResult(pid=0, output=None, stdout=None, stderr=None, status=None, signal=None)
    try:
        proc = popen(opts, fds, pass_fds)
    except OSError as exc:
        result["error"] = _start_error(exc.errno or errno.EINVAL, opts["file"], argv)
        return result
    result["pid"] = proc.pid
    out, err_out, error = _communicate(
        proc,
        inputs.get(0, b""),
        opts.get("timeout") or 0,
        opts["maxBuffer"],
        kill_signal,
    )
    status = proc.wait()
    if status < 0:
        result["signal"] = SIGNAL_NAMES.get(-status, str(-status))
    else:
        result["status"] = status
    text = normalize_encoding(encoding) if encoding not in (None, "buffer") else None

    def shape(data: bytes | None) -> Any:
        if data is None:
            return None
        return data.decode(_py_codec(text), "replace") if text else data

    result["output"] = [None, shape(out), shape(err_out)]
    result["stdout"] = result["output"][1]
    result["stderr"] = result["output"][2]
    if error:
        result["error"] = _start_error(error, opts["file"], argv)
    return result


def _py_codec(enc: str | None) -> str:
    return {"utf8": "utf-8", "latin1": "latin-1", "ascii": "ascii", "utf16le": "utf-16-le"}.get(
        enc or "utf8", "utf-8"
    )


def _communicate(
    proc: subprocess.Popen[bytes],
    data: bytes,
    timeout_ms: float,
    max_buffer: float,
    kill_signal: int | None,
) -> tuple[bytes | None, bytes | None, int]:
    """Feed stdin, drain stdout/stderr; kill on timeout or overflow. Returns (out, err, errno)."""
    chunks: dict[Any, list[bytes]] = {}
    sel = selectors.DefaultSelector()
    if proc.stdin is not None:
        if data:
            os.set_blocking(proc.stdin.fileno(), False)
            sel.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            chunks[stream] = []
            sel.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms else None
    total = 0
    error = 0
    view = memoryview(data)
    try:
        while sel.get_map():
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = sel.select(wait)
            if not ready and deadline is not None and time.monotonic() >= deadline:
                error = errno.ETIMEDOUT
                break
            stdin_fd = (
                proc.stdin.fileno() if proc.stdin is not None and not proc.stdin.closed else -1
            )
            for key, _mask in ready:
                f: Any = key.fileobj
                if key.fd == stdin_fd:
                    try:
                        n = os.write(f.fileno(), view[:65536])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        n = len(view)
                    view = view[n:]
                    if not view:
                        sel.unregister(f)
                        f.close()
                    continue
                piece = os.read(f.fileno(), 65536)
                if not piece:
                    sel.unregister(f)
                    continue
                chunks[f].append(piece)
                total += len(piece)
                if total > max_buffer:
                    error = errno.ENOBUFS
                    break
            if error:
                break
        if not error and deadline is not None:
            # Pipes closed (or there were none): the child may still be running.
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                error = errno.ETIMEDOUT
    finally:
        sel.close()
        if error:
            try:
                proc.send_signal(kill_signal or 15)
            except ProcessLookupError:
                pass
        for f in (proc.stdin, proc.stdout, proc.stderr):
            if f is not None and not f.closed:
                f.close()
    out = b"".join(chunks[proc.stdout]) if proc.stdout is not None else None
    err = b"".join(chunks[proc.stderr]) if proc.stderr is not None else None
    return out, err, error


class ExecSyncError(NodeError):
    """``execSync``/``execFileSync``'s error: the spawnSync result's fields are on it."""


def _check_exec_sync_error(ret: SpawnSyncResult, args: list[str] | None, cmd: str | None) -> Any:
    """Node's ``checkExecSyncError``."""
    err: Any = None
    if ret.get("error") is not None:
        err = ret["error"]
    elif ret["status"] != 0:
        msg = "Command failed: " + (cmd or " ".join(args or []))
        stderr = ret.get("stderr")
        if stderr:
            msg += "\n" + (stderr if isinstance(stderr, str) else stderr.decode("utf-8", "replace"))
        err = ExecSyncError(msg)
    if err is not None:
        for key, value in ret.items():
            setattr(err, key, value)
    return err


def _copy_stderr(ret: SpawnSyncResult) -> None:
    data = ret.get("stderr")
    if data:
        stream = sys.stderr
        if isinstance(data, str):
            stream.write(data)
        else:
            stream.buffer.write(data) if hasattr(stream, "buffer") else stream.write(data.decode())
        stream.flush()


def execFileSync(file: Any, args: Any = None, options: Any = None) -> Any:
    """Node's ``child_process.execFileSync``: stdout, or raise on failure."""
    file, args, opts, _cb = normalize_exec_file_args(file, args, options, None)
    inherit_stderr = not opts.get("stdio")
    ret = spawnSync(file, args, opts)
    if inherit_stderr:
        _copy_stderr(ret)
    err = _check_exec_sync_error(ret, [opts.get("argv0") or file, *args], None)
    if err is not None:
        raise err
    return ret["stdout"]


def execSync(command: Any, options: Any = None) -> Any:
    """Node's ``child_process.execSync``: runs through the shell; stdout, or raise."""
    file, opts, _cb = normalize_exec_args(command, options, None)
    inherit_stderr = not opts.get("stdio")
    ret = spawnSync(file, None, opts)
    if inherit_stderr:
        _copy_stderr(ret)
    err = _check_exec_sync_error(ret, None, command)
    if err is not None:
        raise err
    return ret["stdout"]
