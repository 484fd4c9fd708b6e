"""``exec``/``execFile`` (buffered output, callback) and their promise forms.

Owns: Node's ``execFile`` (spawn, collect stdout/stderr up to ``maxBuffer``,
kill on ``timeout`` or overflow, callback ``(err, stdout, stderr)`` on
'close'), ``exec`` (``execFile`` through the shell), and the
``util.promisify`` forms (``promises.exec``/``promises.execFile``: a Promise
of ``ExecResult(stdout, stderr)`` whose ``.child`` is the ChildProcess; the
rejection carries ``stdout``/``stderr``).

Output is ``str`` (decoded with ``encoding``, default 'utf8') or ``bytes``
when ``encoding`` is 'buffer' (or not an encoding Node knows), as in Node.
``maxBuffer`` counts bytes; an overflowing chunk is cut to fit (by characters
for text, as Node's ``String.prototype.slice`` does), the error is
``ERR_CHILD_PROCESS_STDIO_MAXBUFFER`` and the child is killed.

Imports: child_process._child, child_process._options, promise, errors, stream._utils.
"""

from __future__ import annotations

import errno
import math
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import NodeError, NodeRangeError, ensure_callable
from ..promise import Promise, reject_promise, resolve_promise
from ..stream._utils import normalize_encoding
from ..timers import clearTimeout, setTimeout
from ._child import ChildProcess, spawn
from ._options import (
    sanitize_kill_signal,
    validate_max_buffer,
    validate_object,
    validate_timeout,
)

MAX_BUFFER = 1024 * 1024


class ExecError(NodeError):
    """The error ``exec``/``execFile`` give for a failed command (Node's genericNodeError).

    ``code`` is the exit code (or an errno name such as 'ENOENT'), ``signal``
    the signal name or None, ``killed`` whether jsloop killed it, ``cmd`` the
    command line; the promise forms also set ``stdout`` and ``stderr``.
    """

    def __init__(self, message: str, code: Any, killed: bool, signal: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.killed = killed
        self.signal = signal
        self.cmd = ""
        self.stdout: Any = None
        self.stderr: Any = None


def _max_buffer_error(name: str) -> NodeRangeError:
    return NodeRangeError(f"{name} maxBuffer length exceeded", "ERR_CHILD_PROCESS_STDIO_MAXBUFFER")


def normalize_exec_file_args(
    file: Any, args: Any, options: Any, callback: Any
) -> tuple[Any, list[Any], dict[str, Any], Any]:
    """Node's ``normalizeExecFileArgs``: args and options are each optional."""
    if isinstance(args, (list, tuple)):
        args = list(args)
    elif isinstance(args, dict):
        callback, options, args = options, args, None
    elif callable(args):
        callback, options, args = args, None, None
    if args is None:
        args = []
    if callable(options):
        callback, options = options, None
    opts = validate_object(options, "options")
    if callback is not None:
        ensure_callable(callback, "callback")
    return file, args, opts, callback


def normalize_exec_args(
    command: Any, options: Any, callback: Any
) -> tuple[str, dict[str, Any], Any]:
    """Node's ``normalizeExecArgs``: the command runs through the shell."""
    from ._options import _null_check

    if not isinstance(command, str):
        from ..errors import invalid_arg_type

        raise invalid_arg_type("command", "of type string", command)
    _null_check(command, "command")
    if callable(options):
        callback, options = options, None
    opts = dict(validate_object(options, "options"))
    opts["shell"] = opts["shell"] if isinstance(opts.get("shell"), str) else True
    return command, opts, callback


class _Collector:
    """One output stream of ``execFile``: chunks, byte count, the maxBuffer cut."""

    __slots__ = ("chunks", "length", "text")

    def __init__(self) -> None:
        self.chunks: list[Any] = []
        self.length = 0
        self.text = False

    def add(self, chunk: Any, max_buffer: float, encoding: str | None) -> bool:
        """Keep ``chunk`` (cut to fit); False once maxBuffer is exceeded."""
        if max_buffer == math.inf:
            self.chunks.append(chunk)
            return True
        is_text = isinstance(chunk, str)
        length = len(chunk.encode("utf-8", "surrogatepass")) if is_text else len(chunk)
        self.length += length
        if self.length > max_buffer:
            keep = int(max_buffer - (self.length - length))
            self.chunks.append(chunk[:keep])
            return False
        self.chunks.append(chunk)
        return True

    def value(self, text: bool) -> Any:
        return "".join(self.chunks) if text else b"".join(self.chunks)


def execFile(
    file: Any = None, args: Any = None, options: Any = None, callback: Any = None
) -> ChildProcess:
    """Node's ``child_process.execFile(file, args, options, callback)``."""
    file, args, opts, callback = normalize_exec_file_args(file, args, options, callback)
    merged: dict[str, Any] = {
        "encoding": "utf8",
        "timeout": 0,
        "maxBuffer": MAX_BUFFER,
        "killSignal": "SIGTERM",
        "cwd": None,
        "env": None,
        "shell": False,
        **opts,
    }
    validate_timeout(merged["timeout"])
    validate_max_buffer(merged["maxBuffer"])
    kill_signal = sanitize_kill_signal(merged["killSignal"])
    max_buffer = math.inf if merged["maxBuffer"] is None else merged["maxBuffer"]
    child = spawn(
        file,
        args,
        {
            "cwd": merged["cwd"],
            "env": merged["env"],
            "gid": merged.get("gid"),
            "uid": merged.get("uid"),
            "shell": merged["shell"],
            "signal": merged.get("signal"),
            "argv0": merged.get("argv0"),
        },
    )
    enc = merged["encoding"]
    encoding = normalize_encoding(enc) if enc != "buffer" else None
    out, err_out = _Collector(), _Collector()
    state: dict[str, Any] = {"ex": None, "killed": False, "exited": False, "timer": None}

    def exithandler(code: Any = None, signal: Any = None) -> None:
        if state["exited"]:
            return
        state["exited"] = True
        if state["timer"] is not None:
            clearTimeout(state["timer"])
            state["timer"] = None
        if callback is None:
            return
        stdout = out.value(bool(encoding) or _readable_encoding(child.stdout))
        stderr = err_out.value(bool(encoding) or _readable_encoding(child.stderr))
        ex = state["ex"]
        if ex is None and code == 0 and signal is None:
            callback(None, stdout, stderr)
            return
        cmd = file if not args else f"{file} {' '.join(args)}"
        if ex is None:
            shown = stderr if isinstance(stderr, str) else stderr.decode("utf-8", "replace")
            code_value = (
                errno.errorcode.get(-code, code) if isinstance(code, int) and code < 0 else code
            )
            ex = ExecError(
                f"Command failed: {cmd}\n{shown}",
                code_value,
                child.killed or state["killed"],
                signal,
            )
        ex.cmd = cmd
        callback(ex, stdout, stderr)

    def errorhandler(e: Any) -> None:
        state["ex"] = e
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.destroy()
        exithandler()

    def kill() -> None:
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.destroy()
        state["killed"] = True
        try:
            child.kill(kill_signal)
        except Exception as e:
            state["ex"] = e
            exithandler()

    if merged["timeout"] > 0:

        def delayed_kill() -> None:
            kill()
            state["timer"] = None

        state["timer"] = setTimeout(delayed_kill, merged["timeout"])

    def collect(stream: Any, collector: _Collector, name: str) -> None:
        if stream is None:
            return
        if encoding:
            stream.setEncoding(encoding)

        def on_data(chunk: Any) -> None:
            if not collector.add(chunk, max_buffer, encoding):
                state["ex"] = _max_buffer_error(name)
                kill()

        stream.on("data", on_data)

    collect(child.stdout, out, "stdout")
    collect(child.stderr, err_out, "stderr")
    child.addListener("close", exithandler)
    child.addListener("error", errorhandler)
    return child


def _readable_encoding(stream: Any) -> bool:
    return bool(getattr(stream, "readableEncoding", None)) if stream is not None else False


def exec(command: Any, options: Any = None, callback: Any = None) -> ChildProcess:
    """Node's ``child_process.exec(command, options, callback)``: through ``/bin/sh -c``."""
    file, opts, cb = normalize_exec_args(command, options, callback)
    return execFile(file, None, opts, cb)


# -- promise forms (util.promisify(exec) / util.promisify(execFile)) -----------------------


class ExecResult:
    """``{stdout, stderr}``: attributes, ``result["stdout"]``, or ``out, err = result``."""

    __slots__ = ("stderr", "stdout")

    def __init__(self, stdout: Any, stderr: Any) -> None:
        self.stdout = stdout
        self.stderr = stderr

    def __getitem__(self, key: str) -> Any:
        if key == "stdout":
            return self.stdout
        if key == "stderr":
            return self.stderr
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.stdout, self.stderr))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):
            return other == {"stdout": self.stdout, "stderr": self.stderr}
        if isinstance(other, ExecResult):
            return (self.stdout, self.stderr) == (other.stdout, other.stderr)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{{stdout: {self.stdout!r}, stderr: {self.stderr!r}}}"


class ChildPromise(Promise[Any]):
    """A Promise with the ``child`` it waits for (``promisify(exec)(...).child``)."""

    __slots__ = ("child",)
    child: ChildProcess


def _promisified(fn: Callable[..., ChildProcess]) -> Callable[..., ChildPromise]:
    def run(*args: Any) -> ChildPromise:
        promise: ChildPromise = ChildPromise._new()  # type: ignore[assignment]

        def done(err: Any, stdout: Any, stderr: Any) -> None:
            if err is not None:
                err.stdout = stdout
                err.stderr = stderr
                reject_promise(promise, err)
            else:
                resolve_promise(promise, ExecResult(stdout, stderr))

        # Node appends the callback after whatever arguments were given.
        promise.child = fn(*args, done)
        return promise

    run.__name__ = fn.__name__
    run.__doc__ = f"``util.promisify(child_process.{fn.__name__})``: a Promise of ExecResult."
    return run


exec_promise = _promisified(exec)
execFile_promise = _promisified(execFile)
