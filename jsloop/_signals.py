"""Signal delivery into the loop: ``process.on('SIGINT', ...)`` and friends.

Owns: the Python signal handlers installed for ``process`` signal listeners,
and the wakeup fd that makes a signal interrupt the poll phase.

``process.py`` calls ``watch_signal(name, emitter)`` when the first listener
for a signal name is added and ``unwatch_signal(token)`` when the last one is
removed. While watched:

* the Python handler only calls ``loop.post(emitter.emit, name, name, signum)``
  — ``post`` is signal-safe (a deque append and one eventfd write) — so the
  listeners run on the loop thread in the poll phase with make_callback
  semantics, as Node's ``process.on('SIGUSR2')`` listener gets
  ``('SIGUSR2', 12)`` in the poll phase;
* a handled signal never kills the process (the default action is replaced);
* like Node (which unrefs its signal handles) a signal listener does *not*
  keep the loop alive: ``process.on('SIGINT', f)`` alone exits at once.

Why a wakeup fd: the kernel delivers a process-directed signal to any thread
that does not block it — often a pool worker. CPython's C handler then only
sets a flag; the main thread, asleep in ``epoll_wait``, would not run the
Python handler until some other event woke it. ``signal.set_wakeup_fd`` makes
the C handler write a byte to a socket the loop watches, so the poll returns,
the interpreter runs the Python handler, and its ``post`` is picked up.
(This is libuv's signal pipe, ``uv__signal_event``.)

``run`` also pins the wakeup for the whole run in the main thread
(``ensure_wakeup``), listeners or not, so Ctrl-C's default KeyboardInterrupt
interrupts the poll at once even when the kernel delivers SIGINT to a pool
worker.

When the loop closes (``loop.on_close``) every watch of that loop is undone:
previous handlers and the previous wakeup fd are restored.

Signals are process-wide, loops per thread: a watch routes to the loop that
made it (``SignalWatch.loop``), which is the main thread's.

Signals can only be watched from the main thread (a CPython restriction).

Imports: _runtime, errors (and stdlib).
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

from ._runtime import get_loop

__all__ = ["SignalWatch", "after_fork", "ensure_wakeup", "unwatch_signal", "watch_signal"]

# Signals Node refuses to watch (uv_signal_start gives EINVAL / the OS forbids).
_UNWATCHABLE = {"SIGKILL", "SIGSTOP"}


class SignalWatch:
    """The token ``watch_signal`` returns: one signal name watched for one emitter."""

    __slots__ = ("active", "emitter", "loop", "name", "previous", "signum")

    def __init__(self, loop: Any, name: str, signum: int, emitter: Any, previous: Any) -> None:
        self.loop = loop
        self.name = name
        self.signum = signum
        self.emitter = emitter
        self.previous = previous
        self.active = True

    def __call__(self, signum: int, frame: Any) -> None:
        # Runs in the main thread between bytecodes: touch nothing but post.
        if self.active:
            self.loop.post(self.emitter.emit, self.name, self.name, signum)


class _Wakeup:
    """Per-loop wakeup socket registered with ``signal.set_wakeup_fd``."""

    __slots__ = ("pinned", "previous_fd", "rsock", "watcher", "watches", "wsock")

    def __init__(self, loop: Any) -> None:
        self.rsock, self.wsock = socket.socketpair()
        self.rsock.setblocking(False)
        self.wsock.setblocking(False)
        self.pinned = False  # kept while the loop runs, watches or not (ensure_wakeup)
        self.watches: list[SignalWatch] = []
        self.watcher = loop.io_watch(self.rsock.fileno(), self._drain)
        self.watcher.unref()  # signal handles do not keep the loop alive (Node unrefs them)
        self.watcher.start(1)  # READABLE
        loop.internal_fds += 1  # the loop's own fd: no reason to poll for it alone
        self.previous_fd = signal.set_wakeup_fd(self.wsock.fileno(), warn_on_full_buffer=False)

    def _drain(self, events: int) -> None:
        # The Python-level handlers already ran (or run right now, at the next
        # bytecode boundary); the bytes are only the wake-up.
        try:
            while self.rsock.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def close(self) -> None:
        signal.set_wakeup_fd(self.previous_fd)
        self.watcher.loop.internal_fds -= 1
        self.watcher.close()
        self.rsock.close()
        self.wsock.close()


_wakeups: dict[int, _Wakeup] = {}  # id(loop) -> wakeup


def signal_number(name: str) -> int:
    """The number of a signal name such as 'SIGINT'; ValueError-like error if unknown."""
    from .errors import NodeTypeError

    number = getattr(signal.Signals, name, None) if name.isupper() else None
    if number is None or name in _UNWATCHABLE:
        raise NodeTypeError(f"Unknown or unwatchable signal: {name}", "ERR_UNKNOWN_SIGNAL")
    return int(number)


def watch_signal(name: str, emitter: Any) -> SignalWatch | None:
    """Start delivering signal ``name`` as ``emitter.emit(name, name, signum)`` in the loop.

    Returns a token for ``unwatch_signal``; None if ``name`` is not a signal
    this platform knows (Node ignores such listener names too). Must be called
    in the main thread with a running loop.
    """
    try:
        signum = signal_number(name)
    except ValueError:
        return None
    except TypeError:
        return None
    loop = get_loop()
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("jsloop can only watch signals when its loop runs in the main thread")
    wakeup = _wakeup_for(loop)
    watch = SignalWatch(loop, name, signum, emitter, None)
    watch.previous = signal.signal(signum, watch)
    wakeup.watches.append(watch)
    return watch


def _wakeup_for(loop: Any) -> _Wakeup:
    wakeup = _wakeups.get(id(loop))
    if wakeup is None:
        wakeup = _wakeups[id(loop)] = _Wakeup(loop)
        loop.on_close(_make_closer(loop))
    return wakeup


def ensure_wakeup(loop: Any) -> bool:
    """Make any signal wake ``loop``'s poll phase while it runs (main thread only).

    Without it a signal the kernel hands to a pool worker leaves the main
    thread asleep in ``epoll_wait`` until some event arrives: Ctrl-C would
    wait for the running pool jobs. With it, the C-level handler writes to the
    wakeup socket, the poll returns, and Python runs the handler (for SIGINT,
    ``KeyboardInterrupt``) at once. Kept until the loop closes. Returns False
    off the main thread (CPython sets wakeup fds there only) or when someone
    else's wakeup fd is installed (theirs is left alone).
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    current = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(current)
    wakeup = _wakeups.get(id(loop))
    if wakeup is None and current != -1:
        return False
    _wakeup_for(loop).pinned = True
    return True


def after_fork(loop: Any) -> None:
    """In a forked child: the wakeup socketpair is shared with the parent (a
    signal to the child would wake the parent's loop): give ``loop`` its own.
    The loop's poller is already the child's own (``Loop._after_fork``)."""
    wakeup = _wakeups.get(id(loop))
    if wakeup is None:
        return
    wakeup.watcher.close()
    wakeup.rsock.close()
    wakeup.wsock.close()
    loop.internal_fds -= 1
    fresh = _Wakeup(loop)  # installs its own wakeup fd
    fresh.previous_fd = wakeup.previous_fd
    fresh.pinned = wakeup.pinned
    fresh.watches = wakeup.watches
    _wakeups[id(loop)] = fresh


def unwatch_signal(token: SignalWatch | None) -> None:
    """Stop watching: restore the handler that was there before ``watch_signal``."""
    if token is None or not token.active:
        return
    token.active = False
    _restore(token)
    wakeup = _wakeups.get(id(token.loop))
    if wakeup is not None:
        if token in wakeup.watches:
            wakeup.watches.remove(token)
        if not wakeup.watches and not wakeup.pinned:
            del _wakeups[id(token.loop)]
            wakeup.close()


def _restore(token: SignalWatch) -> None:
    previous = token.previous
    if previous is None:  # installed from C, not by Python: use the default action
        previous = signal.SIG_DFL
    try:
        signal.signal(token.signum, previous)
    except (ValueError, OSError):  # pragma: no cover - not the main thread any more
        pass


def _make_closer(loop: Any) -> Callable[[], None]:
    def close_signals() -> None:
        wakeup = _wakeups.pop(id(loop), None)
        if wakeup is None:
            return
        # Newest first, so stacked watches of one signal restore the oldest handler last.
        for watch in reversed(wakeup.watches):
            watch.active = False
            _restore(watch)
        wakeup.watches.clear()
        wakeup.close()

    return close_signals
