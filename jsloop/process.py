"""``process``: Node's process object, and where errors are routed.

Owns: the ``process`` EventEmitter ('uncaughtException',
'uncaughtExceptionMonitor', 'unhandledRejection', 'rejectionHandled',
'beforeExit', 'exit', 'warning', signal names), ``exitCode``, ``argv``,
``exit()``; the uncaught-exception routing every loop phase calls
(``handle_uncaught``) and the unhandled-rejection sweep the drain calls
(``process_rejections``, Node's ``processPromiseRejections``).

One ``process`` object per Python process, as in Node; its run-scoped state
(listeners, ``exitCode``, ``_exiting``, the rejection mode) belongs to the loop
running in the calling thread (``ProcessScope``): concurrent runs in two
threads do not share listeners, and each run starts clean and is dropped when
it returns. Warnings (``emitWarning``, unhandled rejections in the warn modes,
MaxListenersExceededWarning) are 'warning' events, printed to stderr by default.

Imports: events, errors, _runtime (timers and _signals lazily).
"""

from __future__ import annotations

import os
import sys
import threading
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


class ProcessScope:
    """What ``process`` holds for one run: listeners, ``exitCode``, exit state, mode.

    ``process`` is one object, as in Node, but loops are per thread: each loop
    has its own scope (``Loop.process_scope``), so two runs in two threads
    neither see nor reset each other's listeners. Outside any run a thread has
    a scope of its own, which the thread's next run adopts (a listener added
    before ``jsloop.run`` is in force during it) and which the run then drops.
    """

    __slots__ = (
        "events", "exit_code", "exiting", "max_listeners", "signal_watch",
        "unhandled_rejections", "warned", "warning_count",
    )

    def __init__(self) -> None:
        self.events: dict[Any, Any] = {}
        self.max_listeners: int | None = None
        self.warned: set[Any] | None = None
        self.exit_code: int | None = None
        self.exiting = False
        self.unhandled_rejections = "throw"
        self.signal_watch: dict[str, Any] = {}
        self.warning_count = 0


class _Outside(threading.local):
    scope: ProcessScope | None = None


_outside = _Outside()


def current_scope() -> ProcessScope:
    """The scope of the loop running in this thread, else the thread's own."""
    loop = state.loop
    if loop is not None:
        scope: ProcessScope | None = loop.process_scope
        if scope is None:
            scope = loop.process_scope = ProcessScope()
        return scope
    scope = _outside.scope
    if scope is None:
        scope = _outside.scope = ProcessScope()
    return scope


def begin_run(loop: Any) -> None:
    """``run`` installed ``loop``: it adopts what this thread set on ``process`` before."""
    scope = _outside.scope
    _outside.scope = None
    loop.process_scope = scope if scope is not None else ProcessScope()
    if scope is not None:
        # Signal listeners added outside a run could not be watched then.
        for name in list(scope.events):
            if isinstance(name, str) and name.startswith("SIG"):
                process._watch_signal(name)


class ProcessWarning(Warning):
    """A warning given to ``process.emitWarning`` as a string (Node makes an Error)."""

    def __init__(
        self, message: str, name: str = "Warning", code: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.code = code
        self.detail = detail


class _Stdio:
    """``process.stdout`` / ``process.stderr``: ``write(chunk, encoding, cb)``.

    Writes go to the current ``sys.stdout``/``sys.stderr`` (so redirection and
    pytest's capture work); ``cb`` runs as a nextTick, as after a flushed write.
    """

    __slots__ = ("_name", "fd")

    def __init__(self, name: str, fd: int) -> None:
        self._name = name
        self.fd = fd

    writable = True

    @property
    def isTTY(self) -> bool:
        try:
            return os.isatty(self.fd)
        except OSError:
            return False

    def write(self, chunk: Any, encoding: Any = None, callback: Any = None) -> bool:
        if callable(encoding) and callback is None:
            encoding, callback = None, encoding
        out = getattr(sys, self._name)
        if isinstance(chunk, (bytes, bytearray, memoryview)):
            buf = getattr(out, "buffer", None)
            if buf is not None:
                out.flush()
                buf.write(bytes(chunk))
                buf.flush()
            else:
                out.write(bytes(chunk).decode(encoding or "utf-8", "replace"))
        else:
            out.write(str(chunk))
        out.flush()
        if callback is not None:
            if state.loop is not None:
                Process.nextTick(callback, None)
            else:
                callback(None)
        return True

    def end(self, chunk: Any = None, encoding: Any = None, callback: Any = None) -> None:
        if chunk is not None:
            self.write(chunk, encoding, callback)
        elif callable(callback):
            self.write("", None, callback)


class _MemoryUsage:
    """``process.memoryUsage()`` and ``process.memoryUsage.rss()``.

    Python has no separate JavaScript heap: ``heapTotal`` and ``heapUsed`` are
    the bytes in blocks the interpreter's allocator holds (an estimate:
    ``sys.getallocatedblocks()`` * 64); ``external`` and ``arrayBuffers`` are 0.
    """

    __slots__ = ()

    @staticmethod
    def rss() -> int:
        try:
            with open("/proc/self/statm", "rb") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak if sys.platform == "darwin" else peak * 1024

    def __call__(self) -> dict[str, int]:
        heap = sys.getallocatedblocks() * 64
        return {
            "rss": self.rss(), "heapTotal": heap, "heapUsed": heap,
            "external": 0, "arrayBuffers": 0,
        }


def _scoped(field: str, doc: str) -> Any:
    def get(self: Process) -> Any:
        return getattr(current_scope(), field)

    def put(self: Process, value: Any) -> None:
        setattr(current_scope(), field, value)

    return property(get, put, doc=doc)


class Process(EventEmitter):
    """Node's ``process`` in Python form."""

    __slots__ = ("__dict__",)

    # Run-scoped state lives in the running loop's ProcessScope (see there).
    _events = _scoped("events", "listeners")
    _max_listeners = _scoped("max_listeners", "setMaxListeners")
    _warned = _scoped("warned", "events warned about")
    _exiting = _scoped("exiting", "true while 'exit' listeners run (Node's process._exiting)")
    unhandled_rejections = _scoped("unhandled_rejections", "the unhandled-rejection mode")
    _signal_watch = _scoped("signal_watch", "signal name -> watch token")
    _warning_count = _scoped("warning_count", "unhandled-rejection warnings so far")

    memoryUsage = _MemoryUsage()

    def __init__(self) -> None:
        super().__init__()
        self.argv: list[str] = [sys.executable, *sys.argv]
        self.env = os.environ
        self.pid = os.getpid()
        self.platform = sys.platform
        self.version = "v20.0.0-jsloop"
        self.noDeprecation = False
        self.noProcessWarnings = bool(os.environ.get("JSLOOP_NO_WARNINGS"))
        self.stdout = _Stdio("stdout", 1)
        self.stderr = _Stdio("stderr", 2)
        self._start = time.monotonic()

    @property
    def exitCode(self) -> int | None:
        """The code the run ends with if nothing else decides (Node's ``process.exitCode``)."""
        return current_scope().exit_code

    @exitCode.setter
    def exitCode(self, code: Any) -> None:
        current_scope().exit_code = _validate_exit_code(code)

    @property
    def versions(self) -> dict[str, str]:
        """``process.versions``: the Node line jsloop follows, jsloop's and Python's."""
        import platform

        from . import __version__

        return {
            "node": self.version.lstrip("v"),
            "jsloop": __version__,
            "python": platform.python_version(),
        }

    # -- Node API -------------------------------------------------------------------

    @staticmethod
    def nextTick(callback: Any, *args: Any) -> None:
        """``process.nextTick(callback, *args)``."""
        from .timers import nextTick

        nextTick(callback, *args)

    def exit(self, code: int | None = None) -> None:
        """``process.exit([code])``: 'exit' listeners run, then the run ends at once.

        Inside an 'exit' listener it ends the run at once: no listener runs twice.
        """
        if code is not None:
            self.exitCode = code
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

    def emitWarning(
        self, warning: Any, type: Any = None, code: str | None = None, ctor: Any = None,
    ) -> None:
        """Node's ``process.emitWarning``: a 'warning' event on the next tick and
        ``(jsloop:PID) [CODE] Type: message`` on stderr (unless
        ``process.noProcessWarnings`` / ``JSLOOP_NO_WARNINGS``). ``type`` may be
        Node's options dict (``type``, ``code``, ``detail``)."""
        detail = None
        if isinstance(type, dict):
            opts = type
            type, code, detail = opts.get("type"), opts.get("code"), opts.get("detail")
        if isinstance(warning, str):
            w: BaseException = ProcessWarning(warning, type or "Warning", code, detail)
        elif isinstance(warning, BaseException):
            w = warning
        else:
            from .errors import NodeTypeError

            raise NodeTypeError(
                'The "warning" argument must be of type string or an instance of Error. '
                f"Received {warning!r}",
                "ERR_INVALID_ARG_TYPE",
            )
        if _warning_name(w) == "DeprecationWarning" and self.noDeprecation:
            return
        if state.loop is not None:
            self.nextTick(self._emit_warning, w)
        else:
            self._emit_warning(w)

    def _emit_warning(self, warning: BaseException) -> None:
        # Node's default 'warning' handler is its first listener: it prints first.
        if not self.noProcessWarnings:
            code = getattr(warning, "code", None)
            prefix = f"[{code}] " if code else ""
            text = f"({_PROG}:{self.pid}) {prefix}{_warning_name(warning)}: {warning}\n"
            detail = getattr(warning, "detail", None)
            if detail:
                text += f"{detail}\n"
            sys.stderr.write(text)
        self.emit("warning", warning)

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
        if state.loop is None:
            return  # watched when a run adopts this listener (begin_run)
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
        """Forget this thread's run-scoped state (listeners, exitCode, mode)."""
        self.removeAllListeners()
        scope = current_scope()
        scope.__init__()  # type: ignore[misc]


_PROG = "jsloop"


def _validate_exit_code(code: Any) -> int | None:
    """Node 20's exit-code check: None, an integer, or a string of one."""
    from .errors import NodeRangeError, describe_received

    if code is None:
        return None
    if isinstance(code, str) and code.strip():
        try:
            return int(code)
        except ValueError:
            pass
    elif isinstance(code, float) and not isinstance(code, bool):
        if code.is_integer():
            return int(code)
        raise NodeRangeError(
            f'The value of "code" is out of range. It must be an integer. Received {code!r}',
            "ERR_OUT_OF_RANGE",
        )
    elif isinstance(code, int) and not isinstance(code, bool):
        return code
    from .errors import NodeTypeError

    raise NodeTypeError(
        'The "code" argument must be of type number. ' + describe_received(code),
        "ERR_INVALID_ARG_TYPE",
    )


def _warning_name(warning: BaseException) -> str:
    name = getattr(warning, "name", None)
    return name if isinstance(name, str) else builtin_type(warning).__name__


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
    """Node's warn modes: two UnhandledPromiseRejectionWarning warnings."""
    process._warning_count += 1
    shown = (
        "".join(traceback.format_exception(reason)).rstrip()
        if isinstance(reason, BaseException)
        else repr(reason)
    )
    name = "UnhandledPromiseRejectionWarning"
    process.emitWarning(shown, name)
    process.emitWarning(
        "Unhandled promise rejection. This error originated either by throwing inside of "
        "an async function without a catch block, or by rejecting a promise which was not "
        "handled with .catch(). To end the run on an unhandled rejection, use "
        "--unhandled-rejections=strict (or jsloop.run(..., unhandled_rejections='strict')). "
        f"(rejection id: {process._warning_count})",
        name,
    )


def process_rejections(queues: Any) -> bool:
    """Node's processPromiseRejections: True if it may have queued ticks or microtasks."""
    from .promise import _PENDING_REPORT, _REPORTED

    scheduled = bool(queues.async_handled)
    while queues.async_handled:
        promise = queues.async_handled.popleft()
        if not process.emit("rejectionHandled", promise):
            process.emitWarning(
                "Promise rejection was handled asynchronously", "PromiseRejectionHandledWarning"
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
