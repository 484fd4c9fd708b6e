"""``process``: Node's process object, and where errors are routed.

Owns: the ``process`` EventEmitter ('uncaughtException',
'uncaughtExceptionMonitor', 'unhandledRejection', 'rejectionHandled',
'beforeExit', 'exit', 'warning', signal names), ``exitCode``, ``argv``,
``exit()``; the uncaught-exception routing every loop phase calls
(``handle_uncaught``) and the unhandled-rejection sweep the drain calls
(``process_rejections``, Node's ``processPromiseRejections``).

One ``process`` per Python process, as in Node; ``jsloop.run`` resets its
listeners and ``exitCode`` when it returns, so each run starts clean.

Imports: events, errors, _runtime (timers and _signals lazily).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import Any, Self

from ._runtime import state
from .errors import UnhandledPromiseRejection
from .events import EventEmitter

MODES = ("throw", "strict", "warn", "none", "warn-with-error-code")


class ProcessExit(BaseException):
    """Raised by ``process.exit(code)``: unwinds the loop; ``run`` turns it into SystemExit."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Fatal(BaseException):
    """An uncaught exception nobody handled: unwinds the loop out of ``run``."""

    def __init__(self, exc: BaseException, code: int = 1) -> None:
        super().__init__(exc)
        self.exc = exc
        self.code = code


class Process(EventEmitter):
    """Node's ``process`` in Python form."""

    __slots__ = ("__dict__",)

    def __init__(self) -> None:
        super().__init__()
        self.exitCode: int | None = None
        self.argv: list[str] = [sys.executable, *sys.argv]
        self.env = os.environ
        self.pid = os.getpid()
        self.platform = sys.platform
        self.version = "v20.0.0-jsloop"
        self.unhandled_rejections = "throw"
        self._start = time.monotonic()
        self._signal_watch: dict[str, Any] = {}
        self._warning_count = 0

    # -- Node API -------------------------------------------------------------------

    @staticmethod
    def nextTick(callback: Any, *args: Any) -> None:
        """``process.nextTick(callback, *args)``."""
        from .timers import nextTick

        nextTick(callback, *args)

    def exit(self, code: int | None = None) -> None:
        """``process.exit([code])``: 'exit' listeners run, then the run ends at once."""
        if code is not None:
            self.exitCode = int(code)
        raise ProcessExit(self.exitCode or 0)

    def cwd(self) -> str:
        return os.getcwd()

    def uptime(self) -> float:
        return time.monotonic() - self._start

    def hrtime(self, previous: list[int] | None = None) -> list[int]:
        ns = time.monotonic_ns()
        if previous:
            ns -= previous[0] * 1_000_000_000 + previous[1]
        return [ns // 1_000_000_000, ns % 1_000_000_000]

    def emitWarning(self, warning: Any, type: str = "Warning", code: str | None = None) -> None:
        """Print ``(jsloop:PID) Type: message`` on stderr and emit 'warning'."""
        message = str(warning)
        name = type if not isinstance(warning, BaseException) else builtin_type(warning).__name__
        self.emit("warning", warning)
        prefix = f"[{code}] " if code else ""
        sys.stderr.write(f"(jsloop:{self.pid}) {prefix}{name}: {message}\n")

    # -- signals: listening for a signal name installs a handler ------------------------

    def _add(self, event: Any, listener: Any, prepend: bool) -> Self:
        result = super()._add(event, listener, prepend)
        if isinstance(event, str) and event.startswith("SIG") and event not in self._signal_watch:
            self._watch_signal(event)
        return result

    def removeListener(self, event: Any, listener: Any) -> Self:
        result = super().removeListener(event, listener)
        if isinstance(event, str) and event in self._signal_watch and not self.listenerCount(event):
            self._unwatch_signal(event)
        return result

    off = removeListener

    def removeAllListeners(self, event: Any = None) -> Self:
        result = super().removeAllListeners(event)
        for name in list(self._signal_watch):
            if not self.listenerCount(name):
                self._unwatch_signal(name)
        return result

    def _watch_signal(self, name: str) -> None:
        try:
            from . import _signals  # type: ignore[attr-defined,unused-ignore]
        except ImportError:  # pragma: no cover - the I/O half is missing
            return
        try:
            token = _signals.watch_signal(name, self)
        except RuntimeError:
            # CPython installs signal handlers from the main thread only: a loop
            # in another thread keeps the listener but cannot receive the signal.
            return
        self._signal_watch[name] = token

    def _unwatch_signal(self, name: str) -> None:
        token = self._signal_watch.pop(name, None)
        if token is not None:
            from . import _signals  # type: ignore[attr-defined,unused-ignore]

            _signals.unwatch_signal(token)

    def _reset(self) -> None:
        self.removeAllListeners()
        self.exitCode = None
        self.unhandled_rejections = "throw"


builtin_type = type

process = Process()


# -- routing of errors ------------------------------------------------------------------


def handle_uncaught(exc: BaseException, origin: str = "uncaughtException") -> None:
    """Node's TriggerUncaughtException: a listener handles it, or the run ends (Fatal)."""
    try:
        process.emit("uncaughtExceptionMonitor", exc, origin)
        if not process.listenerCount("uncaughtException"):
            raise Fatal(exc, 1)
        process.emit("uncaughtException", exc, origin)
    except (Fatal, ProcessExit):
        raise
    except Exception as listener_exc:
        # A throwing 'uncaughtException' listener is fatal (Node exits with 7).
        raise Fatal(listener_exc, 7)
    # Node queues a no-op immediate so the next check phase drains what the
    # throwing callback left queued (lib/internal/process/execution.js).
    loop = state.loop
    if loop is not None:
        from .timers import setImmediate

        setImmediate(_noop)


def _noop() -> None:
    pass


def _is_error_like(reason: Any) -> bool:
    return isinstance(reason, BaseException)


def _warn_unhandled(reason: Any) -> None:
    process._warning_count += 1
    shown = (
        "".join(traceback.format_exception(reason)).rstrip()
        if isinstance(reason, BaseException)
        else repr(reason)
    )
    sys.stderr.write(
        f"(jsloop:{process.pid}) UnhandledPromiseRejectionWarning: {shown}\n"
        f"(jsloop:{process.pid}) UnhandledPromiseRejectionWarning: Unhandled promise "
        "rejection. This error originated either by throwing inside of an async function "
        "without a catch block, or by rejecting a promise which was not handled with "
        f".catch(). (rejection id: {process._warning_count})\n"
    )


def process_rejections(queues: Any) -> bool:
    """Node's processPromiseRejections: True if it may have queued ticks or microtasks."""
    from .promise import _PENDING_REPORT, _REPORTED

    scheduled = bool(queues.async_handled)
    while queues.async_handled:
        promise = queues.async_handled.popleft()
        if not process.emit("rejectionHandled", promise):
            sys.stderr.write(
                f"(jsloop:{process.pid}) PromiseRejectionHandledWarning: Promise rejection "
                "was handled asynchronously\n"
            )
    pending = queues.pending_unhandled
    count = len(pending)
    mode = process.unhandled_rejections
    while count:
        count -= 1
        promise = pending.popleft()
        if promise._track != _PENDING_REPORT:
            continue
        promise._track = _REPORTED
        reason = promise._value
        if mode == "throw":
            if not process.emit("unhandledRejection", reason, promise):
                err = reason if _is_error_like(reason) else UnhandledPromiseRejection(reason)
                handle_uncaught(err, "unhandledRejection")
        elif mode == "strict":
            err = reason if _is_error_like(reason) else UnhandledPromiseRejection(reason)
            handle_uncaught(err, "unhandledRejection")
            if not process.emit("unhandledRejection", reason, promise):
                _warn_unhandled(reason)
        elif mode == "warn":
            process.emit("unhandledRejection", reason, promise)
            _warn_unhandled(reason)
        elif mode == "warn-with-error-code":
            if not process.emit("unhandledRejection", reason, promise):
                _warn_unhandled(reason)
                process.exitCode = 1
        else:  # none
            process.emit("unhandledRejection", reason, promise)
        scheduled = True
    return scheduled or bool(pending)
