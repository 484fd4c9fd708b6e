"""``JsloopEventLoop``: an ``asyncio`` event loop whose every step is a jsloop phase.

Owns: the asyncio face of a jsloop ``Loop`` -- where asyncio's ready queue,
timers, fd readers/writers, executor jobs, DNS lookups and child exits enter
jsloop's turn. What is asyncio's and what is jsloop's (docs/asyncio.md):

* asyncio's: ``BaseEventLoop``'s bookkeeping (``Handle``/``TimerHandle``, the
  ready deque, the timer heap, the exception handler, debug mode, async
  generator hooks), every transport and protocol (``selector_events``,
  ``sslproto``, ``unix_events`` pipes and subprocess transports), the streams
  API. They are correct, maintained and what every library is tested against.
* jsloop's: the turn itself and everything that waits. asyncio's
  ``_run_once`` is replaced by one jsloop turn (pending -> poll -> check ->
  close -> timers); the selector is ``JsloopSelector`` (jsloop's epoll poller,
  one ``IOWatcher`` per fd, handles run in the poll phase); the ready queue
  runs as one pending-phase entry; asyncio timers arm one jsloop timer;
  ``run_in_executor(None, ...)``, ``getaddrinfo`` and ``shutdown_default_executor``
  use jsloop's thread pool; ``call_soon_threadsafe`` is ``Loop.post``; child
  exits are pidfds in the poller (no watcher thread).

Invariants:
* ``_ready_scheduled`` is True exactly while one ``_run_ready`` entry sits in
  the jsloop loop's pending queue; ``_run_ready`` runs the handles that were
  ready when it started (asyncio's snapshot rule), draining nextTicks and
  microtasks after each one (make_callback), and leaves later ones for the
  next turn.
* at most one jsloop ``Timeout`` is armed, for the earliest asyncio timer; it
  keeps the loop alive only while some asyncio timer is not cancelled.
* an embedded face (inside ``jsloop.run``) never drives the loop: it is
  always "running"; ``run_forever`` raises; it closes with its jsloop loop.

Imports: asyncio, jsloop._loop, _runtime, timers, process (and ._selector).
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import math
import os
import socket
import threading
import time
from asyncio import events, selector_events, unix_events
from collections.abc import Callable
from typing import Any

from .._clock import Clock
from .._loop import Loop
from .._runtime import state
from ..timers import Timeout, clearTimeout
from ._selector import JsloopSelector

__all__ = ["JsloopEventLoop", "new_event_loop"]

_MAX_DELAY_MS = 2**31 - 1
_MIN_SCHEDULED_TIMER_HANDLES = 100
_MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5
_Base: Any = unix_events._UnixSelectorEventLoop
_SubprocessTransport: Any = getattr(unix_events, "_UnixSubprocessTransport")  # noqa: B009


def _noop() -> None:
    pass


_RECV_SIZE = 256 * 1024  # asyncio's max_size


class _SocketTransport(selector_events._SelectorSocketTransport):  # type: ignore[name-defined,misc]
    """asyncio's socket transport, reading into the loop's one preallocated buffer.

    asyncio's ``sock.recv(256 KiB)`` allocates (and glibc maps and unmaps) a 256 KiB
    object per read, then shrinks it: most of the default loop's cost per small
    message (docs/benchmarks.md, "asyncio Protocol, glibc malloc thresholds
    raised"). Here ``recv_into`` fills a buffer owned by the loop and only the
    bytes received are copied out -- what uvloop does. Everything else is asyncio's.
    """

    def _read_ready__data_received(self) -> None:
        if self._conn_lost:
            return
        buf = self._loop._recv_view
        if buf is None:
            buf = self._loop._recv_view = memoryview(bytearray(_RECV_SIZE))
        try:
            n = self._sock.recv_into(buf)
        except (BlockingIOError, InterruptedError):
            return
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal read error on socket transport")
            return
        if not n:
            self._read_ready__on_eof()
            return
        try:
            self._protocol.data_received(bytes(buf[:n]))
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.data_received() call failed.")


class JsloopEventLoop(_Base):  # type: ignore[misc]
    """An ``asyncio.AbstractEventLoop`` driven by a jsloop ``Loop`` (see the module doc)."""

    # (set by asyncio's BaseEventLoop.__init__)
    _scheduled: list[Any]
    _timer_cancelled_count: int
    _thread_id: int | None
    _current_handle: Any

    def __init__(self, _jsloop: Loop | None = None, _embedded: bool = False) -> None:
        jl = _jsloop if _jsloop is not None else Loop()
        self._jl = jl
        self._embedded = _embedded
        self._ready_scheduled = False
        self._timer: Timeout | None = None
        self._timer_when = math.inf
        self._pool_jobs = 0
        self._pool_waiters: list[asyncio.Future[None]] = []
        self._asyncfn_tasks: dict[Any, Any] = {}  # @asyncfn driver -> its current-task stand-in
        self._recv_view: memoryview | None = None  # made by the first socket read
        selector = JsloopSelector(self, jl)
        super().__init__(selector)
        if type(jl.clock) is Clock:
            self.time = time.monotonic  # type: ignore[method-assign]
        jl.aio_face = self  # type: ignore[attr-defined]
        if not _embedded:
            # A standalone asyncio loop: a jsloop callback that raises (a
            # setTimeout callback, an unhandled rejection) goes to asyncio's
            # exception handler, as any other callback of this loop.
            jl.handle_uncaught = self._jsloop_uncaught  # type: ignore[method-assign]
            jl.queues.on_uncaught = self._jsloop_uncaught
        else:
            self._thread_id = threading.get_ident()

    # -- the clock --------------------------------------------------------------------

    def time(self) -> float:
        return float(self._jl.clock.now_ns()) / 1e9

    # -- the ready queue: one pending-phase entry ---------------------------------------

    def _call_soon(self, callback: Any, args: Any, context: Any) -> Any:
        handle: Any = events.Handle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._ready.append(handle)
        if not self._ready_scheduled:
            self._ready_scheduled = True
            self._jl.pending.append((self._run_ready, ()))
        return handle

    def _add_callback(self, handle: Any) -> None:
        if not handle._cancelled:
            self._ready.append(handle)
            if not self._ready_scheduled:
                self._ready_scheduled = True
                self._jl.pending.append((self._run_ready, ()))

    def _run_ready(self) -> None:
        self._ready_scheduled = False
        ready = self._ready
        jl = self._jl
        q = jl.queues
        debug = self._debug
        try:
            for _ in range(len(ready)):
                handle = ready.popleft()
                if handle._cancelled:
                    continue
                if debug:
                    self._run_debug(handle)
                else:
                    handle._run()
                if q.ticks or q.micro or q.pending_unhandled or q.async_handled:
                    jl.drain_scope()
        finally:
            if ready and not self._ready_scheduled:
                self._ready_scheduled = True
                jl.pending.append((self._run_ready, ()))

    def _run_debug(self, handle: Any) -> None:
        try:
            self._current_handle = handle
            t0 = self.time()
            handle._run()
            dt = self.time() - t0
            if dt >= self.slow_callback_duration:
                from asyncio.log import logger

                logger.warning("Executing %s took %.3f seconds", handle, dt)
        finally:
            self._current_handle = None

    def call_soon_threadsafe(
        self, callback: Callable[..., Any], *args: Any, context: Any = None
    ) -> Any:
        self._check_closed()
        if self._debug:
            self._check_callback(callback, "call_soon_threadsafe")
        if threading.get_ident() == self._thread_id:
            # The loop's own thread (maybe a signal handler interrupting the
            # poll): queue now, and wake the poll so it is seen.
            handle = self._call_soon(callback, args, context)
            self._jl.post(_noop)
            return handle
        handle2: Any = events.Handle(callback, args, self, context)
        if handle2._source_traceback:
            del handle2._source_traceback[-1]
        self._jl.post(self._add_callback, handle2)
        return handle2

    def _make_socket_transport(
        self, sock: Any, protocol: Any, waiter: Any = None, *, extra: Any = None,
        server: Any = None,
    ) -> Any:
        return _SocketTransport(self, sock, protocol, waiter, extra, server)

    def _write_to_self(self) -> None:
        self._jl.post(_noop)

    # asyncio's self-pipe only carries signal numbers here (set_wakeup_fd): it is made
    # on the first add_signal_handler, so a face that never handles signals costs no fds.
    def _make_self_pipe(self) -> None:
        self._ssock = self._csock = None

    def _close_self_pipe(self) -> None:
        if self._ssock is not None:
            super()._close_self_pipe()

    def add_signal_handler(self, sig: int, callback: Callable[..., Any], *args: Any) -> None:
        if self._ssock is None:
            self._check_closed()
            super()._make_self_pipe()
            self._selector.unref_fd(self._ssock.fileno())  # type: ignore[attr-defined]
        super().add_signal_handler(sig, callback, *args)

    # -- timers: one jsloop timer for the earliest asyncio timer -------------------------

    def call_at(
        self, when: float, callback: Callable[..., Any], *args: Any, context: Any = None
    ) -> events.TimerHandle:
        timer: events.TimerHandle = super().call_at(when, callback, *args, context=context)
        if when < self._timer_when:
            self._arm(when)
        elif self._timer is not None and not self._timer._refed:
            self._timer.ref()
        return timer

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            clearTimeout(self._timer)
        delay = (when - self.time()) * 1000
        # Beyond jsloop's largest delay (or infinite): wake then, find nothing due, re-arm.
        delay_ms = math.ceil(delay) if delay < _MAX_DELAY_MS else _MAX_DELAY_MS
        self._timer_when = when
        self._timer = Timeout(self._jl, self._on_timer, max(0, delay_ms), (), False, True)

    def _timer_handle_cancelled(self, handle: Any) -> None:
        if handle._scheduled:
            self._timer_cancelled_count += 1
            sched = self._scheduled
            n = len(sched)
            if self._timer_cancelled_count >= n and self._timer is not None:
                self._timer.unref()  # only cancelled timers left: they keep nothing alive
            elif (
                n > _MIN_SCHEDULED_TIMER_HANDLES
                and self._timer_cancelled_count / n > _MIN_CANCELLED_TIMER_HANDLES_FRACTION
            ):
                live = []
                for h in sched:
                    if h._cancelled:
                        h._scheduled = False
                    else:
                        live.append(h)
                heapq.heapify(live)
                self._scheduled = live
                self._timer_cancelled_count = 0

    def _on_timer(self) -> None:
        # jsloop's timers phase: due asyncio timers join the ready queue (asyncio's rule:
        # after what is already ready), which runs in the next turn's pending phase.
        self._timer = None
        self._timer_when = math.inf
        sched = self._scheduled
        end = self.time() + self._clock_resolution
        pop = heapq.heappop
        while sched:
            h = sched[0]
            if h._cancelled:
                pop(sched)
                h._scheduled = False
                self._timer_cancelled_count -= 1
                continue
            if h._when > end:
                break
            pop(sched)
            h._scheduled = False
            self._add_callback(h)
        if sched:
            self._arm(sched[0]._when)
            if self._timer_cancelled_count >= len(sched) and self._timer is not None:
                self._timer.unref()

    # -- the turn (standalone loops; an embedded face rides jsloop.run's turns) ----------

    def _run_once(self) -> None:
        jl = self._jl
        if jl.pending:
            jl.run_pending()
        if self._stopping or jl.immediate_refs > 0 or jl.pending or jl.closing:
            timeout: float = 0
        else:
            due = jl.uv_timer_due
            timeout = -1 if due is None else max(0.0, due - jl.clock.now_ns() / 1_000_000)
        jl.run_poll(timeout)
        if jl.immediates:
            jl.run_check()
        if jl.closing:
            jl.run_closing()
        jl.update_time()
        if jl.uv_timer_due is not None:
            jl.run_timers()

    def run_forever(self) -> None:
        if self._embedded:
            raise RuntimeError(
                "This event loop is already running (it is jsloop.run's loop: "
                "use asyncio.create_task / await instead)"
            )
        prev = state.loop
        if prev is not None and prev is not self._jl:
            raise RuntimeError("Cannot run the event loop while another loop is running")
        state.loop = self._jl
        try:
            super().run_forever()
        finally:
            state.loop = prev

    def stop(self) -> None:
        if not self._embedded:
            self._stopping = True

    def is_running(self) -> bool:
        return self._thread_id is not None

    def _jsloop_uncaught(self, exc: BaseException, origin: str = "uncaughtException") -> None:
        self.call_exception_handler(
            {"message": f"Unhandled exception in a jsloop callback ({origin})", "exception": exc}
        )

    def close(self) -> None:
        if self._embedded:
            raise RuntimeError("Cannot close a running event loop (jsloop.run closes it)")
        if self.is_closed():
            return
        super().close()
        if self._timer is not None:
            clearTimeout(self._timer)
            self._timer = None
        if getattr(self._jl, "aio_face", None) is self:
            del self._jl.aio_face
        if self._jl is not state.loop:
            self._jl.close()

    def _detach(self) -> None:
        """The embedded face's end: its jsloop loop is closing."""
        self._embedded = False
        self._thread_id = None
        self._ready.clear()
        self._asyncfn_tasks.clear()
        self.close()

    # -- the thread pool ----------------------------------------------------------------

    def run_in_executor(self, executor: Any, func: Callable[..., Any], *args: Any) -> Any:
        self._check_closed()
        if self._debug:
            self._check_callback(func, "run_in_executor")
        if executor is not None or self._default_executor is not None:
            return super().run_in_executor(executor, func, *args)
        self._check_default_executor()
        return self._pool_future(func, args, False)

    def _pool_future(self, func: Callable[..., Any], args: tuple[Any, ...], slow: bool) -> Any:
        fut = self.create_future()
        self._jl.threadpool.queue_work(func, args, functools.partial(self._pool_done, fut), slow)
        self._pool_jobs += 1
        return fut

    def _pool_done(self, fut: Any, result: Any, error: BaseException | None) -> None:
        self._pool_jobs -= 1
        if not fut.done():
            if error is None:
                fut.set_result(result)
            elif isinstance(error, StopIteration):
                fut.set_exception(RuntimeError(f"{type(error).__name__} in executor job"))
            else:
                fut.set_exception(error)
        if not self._pool_jobs:
            waiters, self._pool_waiters = self._pool_waiters, []
            for w in waiters:
                if not w.done():
                    w.set_result(None)

    async def getaddrinfo(
        self, host: Any, port: Any, *, family: int = 0, type: int = 0, proto: int = 0,
        flags: int = 0,
    ) -> Any:
        fn = self._getaddrinfo_debug if self._debug else socket.getaddrinfo
        if self._default_executor is not None:
            return await self.run_in_executor(None, fn, host, port, family, type, proto, flags)
        return await self._pool_future(fn, (host, port, family, type, proto, flags), True)

    async def shutdown_default_executor(self, timeout: float | None = None) -> None:
        if self._default_executor is not None:
            await super().shutdown_default_executor()
            return
        self._executor_shutdown_called = True
        if self._pool_jobs:
            w: asyncio.Future[None] = self.create_future()
            self._pool_waiters.append(w)
            await w

    # -- child processes: a pidfd in the poller per child --------------------------------

    async def _make_subprocess_transport(
        self, protocol: Any, args: Any, shell: Any, stdin: Any, stdout: Any, stderr: Any,
        bufsize: Any, extra: Any = None, **kwargs: Any,
    ) -> Any:
        if not hasattr(os, "pidfd_open"):  # pragma: no cover - non-Linux
            return await super()._make_subprocess_transport(
                protocol, args, shell, stdin, stdout, stderr, bufsize, extra=extra, **kwargs
            )
        waiter = self.create_future()
        transp = _SubprocessTransport(
            self, protocol, args, shell, stdin, stdout, stderr, bufsize,
            waiter=waiter, extra=extra, **kwargs,
        )
        self._watch_child(transp)
        try:
            await waiter
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException:
            transp.close()
            await transp._wait()
            raise
        return transp

    def _watch_child(self, transp: Any) -> None:
        pid = transp.get_pid()
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # already reaped by someone else
            self.call_soon(transp._process_exited, 255)
            return
        self._add_reader(pidfd, self._on_child_exit, pidfd, pid, transp)

    def _on_child_exit(self, pidfd: int, pid: int, transp: Any) -> None:
        self._remove_reader(pidfd)
        os.close(pidfd)
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            code = 255
        else:
            code = os.waitstatus_to_exitcode(status)
        # asyncio's watcher callback skips one iteration too (pipes' data first).
        self.call_soon(transp._process_exited, code)


def new_event_loop() -> JsloopEventLoop:
    """A new asyncio event loop running on a new jsloop ``Loop`` (not set as current)."""
    return JsloopEventLoop()


class EventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """asyncio's default policy, making jsloop loops (as ``uvloop.EventLoopPolicy``)."""

    def _loop_factory(self) -> JsloopEventLoop:
        return new_event_loop()

    def new_event_loop(self) -> JsloopEventLoop:
        return new_event_loop()


def install() -> None:
    """Make jsloop the event loop of every ``asyncio.run`` / ``new_event_loop`` call."""
    asyncio.set_event_loop_policy(EventLoopPolicy())


