"""ChildProcess and ``spawn`` (Node's lib/internal/child_process.js + ``spawn``).

Owns: starting a child with its stdio pipes, noticing its exit in the poll
phase, and the event sequence Node gives: 'spawn' (nextTick after a good
start), 'exit' (code, signal), 'close' once 'exit' happened *and* every
stdout/stderr-like pipe closed, 'error' for a failed start (ENOENT, EACCES,
EAGAIN, EMFILE, ENFILE: reported from a nextTick, with no 'spawn'), for a
failed kill, and for an abort (``AbortError``).

How a child's exit is noticed — no thread per child: the child's
``pidfd`` (``os.pidfd_open``, Linux >= 5.3) becomes readable when it exits;
it is an ordinary fd watched by the loop's poller (``loop.io_watch``). The
callback reaps with ``waitpid(pid, WNOHANG)`` and runs Node's ``onexit``. The
started watcher is what keeps the loop alive while the child runs
(``child.unref()`` unrefs it). Where pidfd is unavailable, one process-wide
SIGCHLD handler posts to the loop (``loop.post``) and every child of that loop
is polled with WNOHANG.

Starting: ``subprocess.Popen`` with fds we made (``os.pipe2(O_CLOEXEC)``):
CPython's ``_posixsubprocess`` forks with vfork, resets signal dispositions,
closes every other fd in the child, applies cwd/env/setsid, and reports an
exec failure through its error pipe before Popen returns (as libuv's
``uv_spawn`` does). ``Popen``'s own reaping is switched off (we set its
``returncode``) so the pid is ours alone. A child still running when its loop
closes is handed to a module-level list and reaped (WNOHANG) at the next
spawn, so no zombie outlives a later spawn.

Imports: events, abort, timers, _runtime, _poller, child_process._options,
child_process._pipes (and stdlib).
"""

from __future__ import annotations

import errno
import os
import signal as signal_mod
import subprocess
from typing import Any

from .._poller import READABLE
from .._runtime import get_loop
from ..abort import AbortError, add_abort_listener
from ..events import EventEmitter
from ..timers import clearTimeout, nextTick, setTimeout
from ._options import (
    FD,
    IGNORE,
    INHERIT,
    PIPE,
    SIGNAL_NAMES,
    convert_signal,
    normalize_spawn_arguments,
    unsupported,
    validate_spawn_options,
)
from ._pipes import PipeReader, PipeWriter, errno_error

# Start errors Node reports through 'error' (the rest are thrown by spawn()).
_ASYNC_START_ERRORS = {errno.EACCES, errno.EAGAIN, errno.EMFILE, errno.ENFILE, errno.ENOENT}

_orphans: list[int] = []  # pids whose loop closed before they exited


def popen(
    options: dict[str, Any], fds: list[Any], pass_fds: list[int] | tuple[int, ...]
) -> subprocess.Popen[bytes]:
    """Start the child of normalized ``options`` with ``fds`` as its stdin/stdout/stderr."""
    return subprocess.Popen(
        options["args"],
        executable=options["file"],
        stdin=fds[0],
        stdout=fds[1],
        stderr=fds[2],
        close_fds=True,
        pass_fds=tuple(pass_fds),
        cwd=options.get("cwd"),
        env=options["env"],
        start_new_session=options["detached"],
        user=options.get("uid"),
        group=options.get("gid"),
    )


def _reap_orphans() -> None:
    for pid in list(_orphans):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _orphans.remove(pid)


def _decode_status(status: int) -> tuple[int | None, str | None]:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return None, SIGNAL_NAMES.get(sig, str(sig))
    return os.waitstatus_to_exitcode(status), None


class _ExitWatch:
    """The child's pidfd in the poller (or, without pidfd, its entry in the SIGCHLD set)."""

    __slots__ = ("child", "loop", "pid", "pidfd", "refed", "watcher")

    def __init__(self, child: ChildProcess, pid: int) -> None:
        self.child = child
        self.pid = pid
        self.loop = get_loop()
        self.refed = True
        self.watcher: Any = None
        try:
            self.pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.pidfd = -1
        _tracked(self.loop).add(self)
        if self.pidfd >= 0:
            self.watcher = self.loop.io_watch(self.pidfd, self._on_ready)
            self.watcher.start(READABLE)
        else:
            _sigchld_watch(self)

    def _on_ready(self, _events: int = 0) -> None:
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # reaped by someone else: the status is lost
            pid, status = self.pid, 0
        if pid == 0:
            return
        self.close()
        code, sig = _decode_status(status)
        self.child._on_exit(code if code is not None else 0, sig)

    def send_signal(self, signum: int) -> None:
        if self.pidfd >= 0:
            signal_mod.pidfd_send_signal(self.pidfd, signum)
        else:
            os.kill(self.pid, signum)

    def ref(self) -> None:
        self.refed = True
        if self.watcher is not None:
            self.watcher.ref()
        else:
            _sigchld_refresh(self.loop)

    def unref(self) -> None:
        self.refed = False
        if self.watcher is not None:
            self.watcher.unref()
        else:
            _sigchld_refresh(self.loop)

    def close(self) -> None:
        _tracked(self.loop).discard(self)
        if self.watcher is not None:
            self.watcher.close()
            self.watcher = None
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1
        else:
            _sigchld_refresh(self.loop)


# Per-loop state, keyed by id(loop) and dropped when that loop closes (no attributes
# are added to the Loop object, which owns its own layout).
_children: dict[int, set[_ExitWatch]] = {}
_sigchld: dict[int, dict[str, Any]] = {}


def _tracked(loop: Any) -> set[_ExitWatch]:
    """The running children of ``loop``; on loop close they become orphans to reap."""
    key = id(loop)
    tracked = _children.get(key)
    if tracked is None:
        tracked = _children[key] = set()

        def on_close() -> None:
            for w in list(tracked):
                w.close()
                _orphans.append(w.pid)
            _children.pop(key, None)
            _reap_orphans()

        loop.on_close(on_close)
    return tracked


# -- SIGCHLD fallback (no pidfd): one handler, WNOHANG polls of this loop's children --------


def _sigchld_watch(w: _ExitWatch) -> None:
    loop = w.loop
    key = id(loop)
    if key not in _sigchld:

        def on_signal(_signum: int, _frame: Any) -> None:
            loop.post(_sigchld_poll, loop)

        previous = signal_mod.signal(signal_mod.SIGCHLD, on_signal)
        _sigchld[key] = {"previous": previous, "keepalive": False}

        def restore() -> None:
            signal_mod.signal(signal_mod.SIGCHLD, previous)
            _sigchld.pop(key, None)

        loop.on_close(restore)
    _sigchld_refresh(loop)
    # The child may have exited before the handler was in place.
    loop.post(_sigchld_poll, loop)


def _sigchld_poll(loop: Any) -> None:
    for w in list(_tracked(loop)):
        if w.pidfd < 0:
            w._on_ready()


def _sigchld_refresh(loop: Any) -> None:
    """Hold one handle ref while any ref'd child of ``loop`` waits on SIGCHLD."""
    state = _sigchld.get(id(loop))
    if state is None:
        return
    want = any(w.refed and w.pidfd < 0 for w in _tracked(loop))
    if want and not state["keepalive"]:
        loop.ref_handle()
        state["keepalive"] = True
    elif not want and state["keepalive"]:
        loop.unref_handle()
        state["keepalive"] = False


# -- ChildProcess ---------------------------------------------------------------------------


class ChildProcess(EventEmitter):
    """Node's ``ChildProcess``: made by ``spawn`` (and ``exec``/``execFile``)."""

    def __init__(self) -> None:
        super().__init__()
        self.pid: int | None = None
        self.exitCode: int | None = None
        self.signalCode: str | None = None
        self.killed = False
        self.connected = False
        self.spawnfile: str | None = None
        self.spawnargs: list[str] = []
        self.stdin: PipeWriter | None = None
        self.stdout: PipeReader | None = None
        self.stderr: PipeReader | None = None
        self.stdio: list[Any] = []
        self._closes_needed = 1
        self._closes_got = 0
        self._exit: _ExitWatch | None = None
        self._started = False

    # -- start ------------------------------------------------------------------------

    def spawn(self, options: dict[str, Any]) -> int:
        """Start the child described by normalized ``options``; 0 or the start errno."""
        from ._options import get_valid_stdio

        stdio = get_valid_stdio(options.get("stdio"), False)
        self.spawnfile = options["file"]
        self.spawnargs = list(options["args"])
        parent_ends: list[int | None] = [None] * len(stdio)
        child_fds: list[Any] = [None, None, None]
        pass_fds: list[int] = []
        close_after: list[int] = []
        err = 0
        try:
            for i, (kind, fd) in enumerate(stdio):
                if kind == PIPE:
                    if i > 2:
                        raise unsupported(
                            f"stdio[{i}] 'pipe' (extra pipes beyond stdin/stdout/stderr)"
                        )
                    r, w = os.pipe2(os.O_CLOEXEC)
                    parent_ends[i], child_end = (w, r) if i == 0 else (r, w)
                    close_after.append(child_end)
                    child_fds[i] = child_end
                elif kind == IGNORE:
                    if i < 3:
                        child_fds[i] = subprocess.DEVNULL
                elif kind == INHERIT:
                    if i >= 3:
                        pass_fds.append(i)
                elif kind == FD:
                    if i < 3:
                        child_fds[i] = fd
                    elif fd == i:
                        pass_fds.append(fd)
                    else:
                        raise unsupported(
                            f"stdio[{i}] = fd {fd} (extra fds must keep their number)"
                        )
        except OSError as exc:
            err = exc.errno or errno.EMFILE
        except BaseException:
            for fd in close_after + [f for f in parent_ends if f is not None]:
                os.close(fd)
            raise
        if not err:
            err = self._start(options, child_fds, pass_fds)
        for child_end in close_after:
            os.close(child_end)
        if err in (errno.EMFILE, errno.ENFILE) or (err and err not in _ASYNC_START_ERRORS):
            for end in parent_ends:
                if end is not None:
                    os.close(end)
            if err not in (errno.EMFILE, errno.ENFILE):
                raise errno_error(err, "spawn")
            nextTick(self._on_exit, -err, None)
            return err
        if err:
            nextTick(self._on_exit, -err, None)
        else:
            nextTick(self.emit, "spawn")
        self._attach_stdio(parent_ends)
        return err

    def _start(self, options: dict[str, Any], child_fds: list[Any], pass_fds: list[int]) -> int:
        _reap_orphans()
        try:
            proc = popen(options, child_fds, pass_fds)
        except OSError as exc:
            return exc.errno or errno.EINVAL
        # The pid is ours to reap (through the pidfd); keep Popen from waiting on it.
        proc.returncode = 0
        self.pid = proc.pid
        self._started = True
        self._exit = _ExitWatch(self, proc.pid)
        return 0

    def _attach_stdio(self, parent_ends: list[int | None]) -> None:
        streams: list[Any] = []
        for i, fd in enumerate(parent_ends):
            if fd is None:
                streams.append(None)
                continue
            stream: Any = PipeWriter(fd) if i == 0 else PipeReader(fd)
            if i > 0:
                self._closes_needed += 1
                stream.on("close", self._maybe_close)
            streams.append(stream)
        self.stdio = streams
        self.stdin = streams[0] if streams else None
        self.stdout = streams[1] if len(streams) > 1 else None
        self.stderr = streams[2] if len(streams) > 2 else None

    # -- exit -------------------------------------------------------------------------

    def _on_exit(self, exit_code: int, signal_code: str | None) -> None:
        """Node's ``_handle.onexit``; a negative ``exit_code`` is a start error."""
        if signal_code:
            self.signalCode = signal_code
        else:
            self.exitCode = exit_code
        if self.stdin is not None:
            self.stdin.destroy()
        if self._exit is not None:
            self._exit.close()
            self._exit = None
        if exit_code < 0:
            syscall = f"spawn {self.spawnfile}" if self.spawnfile else "spawn"
            err = errno_error(-exit_code, syscall)
            if self.spawnfile:
                err.path = self.spawnfile  # type: ignore[attr-defined]
            err.spawnargs = self.spawnargs[1:]  # type: ignore[attr-defined]
            self.emit("error", err)
        else:
            self.emit("exit", self.exitCode, self.signalCode)
        nextTick(self._flush_stdio)
        self._maybe_close()

    def _flush_stdio(self) -> None:
        """Node's ``flushStdio``: resume untouched readable pipes so they reach EOF."""
        for stream in self.stdio:
            if stream is not None and getattr(stream, "readable", False):
                stream.resume()

    def _maybe_close(self) -> None:
        self._closes_got += 1
        if self._closes_got == self._closes_needed:
            self.emit("close", self.exitCode, self.signalCode)

    # -- control ----------------------------------------------------------------------

    def kill(self, sig: Any = None) -> bool:
        """Node's ``subprocess.kill(signal='SIGTERM')``: True if the signal was sent."""
        signum = (
            0
            if sig == 0 and not isinstance(sig, bool)
            else convert_signal("SIGTERM" if sig is None else sig)
        )
        watch = self._exit
        if watch is None:
            return False
        try:
            watch.send_signal(signum)
        except ProcessLookupError:
            return False  # already dead
        except OSError as exc:
            if exc.errno in (errno.EINVAL, errno.ENOSYS):
                raise errno_error(exc.errno, "kill") from None
            self.emit("error", errno_error(exc.errno or errno.EPERM, "kill"))
            return False
        self.killed = True
        return True

    def ref(self) -> None:
        if self._exit is not None:
            self._exit.ref()

    def unref(self) -> None:
        if self._exit is not None:
            self._exit.unref()

    def __enter__(self) -> ChildProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        """Node's ``[Symbol.dispose]``: kill the child unless already killed."""
        if not self.killed:
            self.kill()

    def __repr__(self) -> str:
        state = (
            "running" if self._exit is not None else f"exited {self.exitCode or self.signalCode}"
        )
        return f"<ChildProcess pid={self.pid} {self.spawnfile!r} {state}>"


def _abort_child(child: ChildProcess, kill_signal: int | None, reason: Any) -> None:
    """Node's ``abortChildProcess``."""
    try:
        if child.kill(kill_signal):
            child.emit("error", AbortError(cause=reason))
    except Exception as err:
        child.emit("error", err)


def spawn(file: Any = None, args: Any = None, options: Any = None) -> ChildProcess:
    """Node's ``child_process.spawn(command, args, options)``."""
    opts = normalize_spawn_arguments(file, args, options)
    kill_signal = validate_spawn_options(opts)
    child = ChildProcess()
    child.spawn(opts)
    timeout = opts.get("timeout")
    if timeout:
        timer: list[Any] = []

        def on_timeout() -> None:
            if timer:
                timer.clear()
                try:
                    child.kill(kill_signal)
                except Exception as err:
                    child.emit("error", err)

        timer.append(setTimeout(on_timeout, timeout))

        def clear_timer() -> None:
            if timer:
                clearTimeout(timer.pop())

        child.once("exit", clear_timer)
    signal = opts.get("signal")
    if signal is not None:
        if signal.aborted:
            nextTick(_abort_child, child, kill_signal, signal.reason)
        else:
            dispose = add_abort_listener(
                signal, lambda: _abort_child(child, kill_signal, signal.reason)
            )
            child.once("exit", dispose)
    return child
