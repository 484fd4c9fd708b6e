"""``await`` across jsloop and asyncio.

Owns: the two hooks ``promise.py`` and ``asyncfn.py`` consult once asyncio is
in use (``enable()`` sets them; until then both modules behave exactly as
without this file):

* ``promise._aio_await(promise)``: what ``await promise`` runs. It yields a
  ``PromiseAwait``. jsloop's ``@asyncfn`` driver recognises it and subscribes
  to ``.promise`` directly -- the same one tick as yielding the promise
  itself, so Node's tick counts are kept. An asyncio ``Task`` sees a
  future-like object (``_asyncio_future_blocking``): its
  ``add_done_callback`` creates a real asyncio future settled by an internal
  reaction on the promise, and the task waits on that. ``task.cancel()``
  cancels that future, so ``CancelledError`` is raised at the ``await``; a
  rejection is raised there as its reason (``RejectionError(reason)`` for a
  non-exception reason, as in ``@asyncfn``).
* ``promise._aio_adopt(p, value)``: resolving a promise with an asyncio
  future (or task) adopts its outcome -- ``Promise.resolve(fut)``, returning
  a future from a ``then`` handler, and ``await fut`` inside an ``@asyncfn``
  (the driver does ``PromiseResolve(awaited)``). A future already done
  settles the promise in one microtask (as a thenable job would); a pending
  one when its done-callback runs (asyncio's ready queue). A cancelled future
  rejects with ``asyncio.CancelledError``.

Contextvars: an ``@asyncfn`` runs in a copy of its caller's context and an
asyncio task in a copy of its creator's, so values flow from caller to callee
both ways, and never back.

Imports: asyncio, jsloop.promise, jsloop._runtime, jsloop.errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from typing import Any

from .. import promise as _promise
from .._runtime import state
from ..errors import RejectionError
from ..promise import (
    Promise,
    _micro,
    fulfill_promise,
    perform_promise_then,
    reject_promise,
)


def _face() -> Any:
    loop = state.loop
    face = getattr(loop, "aio_face", None)
    if face is None:
        raise RuntimeError(
            "awaiting a jsloop Promise in an asyncio task needs a jsloop-driven asyncio "
            "loop (jsloop.new_event_loop(), or asyncio code inside jsloop.run)"
        )
    return face


def _as_exception(reason: Any) -> BaseException:
    return reason if isinstance(reason, BaseException) else RejectionError(reason)


class PromiseAwait:
    """What ``await promise`` yields once asyncio is in use (see the module doc)."""

    __slots__ = ("_asyncio_future_blocking", "fut", "promise")

    def __init__(self, promise: Promise[Any]) -> None:
        self.promise = promise
        self.fut: asyncio.Future[Any] | None = None
        self._asyncio_future_blocking = True

    def _future(self) -> asyncio.Future[Any]:
        fut = self.fut
        if fut is None:
            fut = self.fut = _face().create_future()

            def ok(value: Any) -> None:
                if not fut.done():
                    fut.set_result(value)

            def err(reason: Any) -> None:
                if not fut.done():
                    fut.set_exception(_as_exception(reason))

            perform_promise_then(self.promise, ok, err, None, None)
        return fut

    # The part of asyncio.Future an asyncio Task uses on what it awaits.
    def get_loop(self) -> Any:
        return self.fut.get_loop() if self.fut is not None else _face()

    def add_done_callback(self, fn: Callable[..., Any], *, context: Any = None) -> None:
        self._future().add_done_callback(fn, context=context)

    def remove_done_callback(self, fn: Callable[..., Any]) -> int:
        return self._future().remove_done_callback(fn)

    def cancel(self, msg: Any = None) -> bool:
        return self._future().cancel(msg)

    def cancelled(self) -> bool:
        return self.fut is not None and self.fut.cancelled()

    def done(self) -> bool:
        return self.fut is not None and self.fut.done()

    def result(self) -> Any:
        return self._future().result()

    def exception(self) -> BaseException | None:
        return self._future().exception()

    def __await__(self) -> Generator[Any, Any, Any]:
        return _await(self.promise)


def _await(promise: Promise[Any]) -> Generator[Any, Any, Any]:
    aw = PromiseAwait(promise)
    value = yield aw
    fut = aw.fut
    if fut is not None:  # an asyncio Task waited (and woke up) on it
        return fut.result()
    return value  # jsloop's driver sent the value (or threw the reason)


def _settle_from(p: Promise[Any], fut: asyncio.Future[Any]) -> None:
    if fut.cancelled():
        try:
            fut.result()
        except asyncio.CancelledError as exc:
            reject_promise(p, exc)
        return
    error = fut.exception()
    if error is not None:
        reject_promise(p, error)
    else:
        fulfill_promise(p, fut.result())


def _settle_job(p: Promise[Any], fut: asyncio.Future[Any]) -> None:
    _settle_from(p, fut)


def _adopt(p: Promise[Any], value: Any) -> bool:
    """Resolve ``p`` with an asyncio future's outcome; False if ``value`` is no future."""
    if type(value) is PromiseAwait:
        perform_promise_then(
            value.promise,
            lambda v: fulfill_promise(p, v),
            lambda r: reject_promise(p, r),
            None,
            None,
        )
        return True
    try:
        if getattr(value, "_asyncio_future_blocking", None) is None:
            return False
    except Exception:
        return False
    value._asyncio_future_blocking = False
    if value.done():
        _micro().micro.append((_settle_job, p, value))
    else:
        value.add_done_callback(lambda fut: _settle_from(p, fut))
    return True


# -- an @asyncfn as asyncio's "current task" ----------------------------------------------


class AsyncFnTask:
    """What ``asyncio.current_task()`` returns while an ``@asyncfn`` body runs.

    asyncio APIs that need a current task (``asyncio.timeout``, aiohttp's request
    timeouts) get this stand-in: ``cancel()`` throws ``CancelledError`` into the
    body at its pending ``await`` (the wait it was in is abandoned), and
    ``cancelling()``/``uncancel()`` count requests as ``asyncio.Task`` does.

    Cost: one pair of reaction callbacks per body; per step two dict lookups and
    asyncio's enter/leave-task calls. After the first ``cancel()`` each wait of
    that body gets its own pair tagged with a generation, so a wait abandoned by
    a later cancel can be told apart and ignored (``wrapped``).
    """

    __slots__ = ("driver", "face", "gen", "requests", "wrapped")

    def __init__(self, driver: Any, face: Any) -> None:
        self.driver = driver
        self.face = face
        self.gen = 0  # bumped by cancel(): a resumption from an older wait is stale
        self.requests = 0
        self.wrapped = False

    def get_loop(self) -> Any:
        return self.face

    def get_name(self) -> str:
        return f"@asyncfn {getattr(self.driver.coro, '__qualname__', '?')}"

    def get_coro(self) -> Any:
        return self.driver.coro

    def done(self) -> bool:
        return self.driver.promise is None

    def cancelled(self) -> bool:
        return False

    def cancelling(self) -> int:
        return self.requests

    def uncancel(self) -> int:
        if self.requests > 0:
            self.requests -= 1
        return self.requests

    def cancel(self, msg: Any = None) -> bool:
        driver = self.driver
        if driver.promise is None:
            return False
        self.requests += 1
        self.gen += 1
        # From now on the driver's own resume path (driver.step) carries only stale
        # resumptions; live ones come through _run_as.
        self.wrapped = True
        exc = asyncio.CancelledError() if msg is None else asyncio.CancelledError(msg)
        _micro().micro.append((_throw_cancel, self, exc))
        return True


def _throw_cancel(task: AsyncFnTask, exc: BaseException) -> None:
    driver = task.driver
    if driver.promise is not None:
        _run_as(task, driver, driver.coro.throw, exc)


_orig_step: Any = None
_current_tasks: Any = getattr(asyncio.tasks, "_current_tasks", None)


def _current(face: Any) -> Any:
    if _current_tasks is not None:
        return _current_tasks.get(face)
    return asyncio.current_task(face)  # pragma: no cover - newer Pythons


def _step_as_task(driver: Any, method: Callable[[Any], Any], arg: Any) -> None:
    """``_Driver.step`` while asyncio is in use: the body runs as the current task."""
    face = getattr(state.loop, "aio_face", None)
    if face is None:
        _orig_step(driver, method, arg)
        return
    tasks = face._asyncfn_tasks
    task = tasks.get(driver)
    if task is None:
        task = tasks[driver] = AsyncFnTask(driver, face)

        # The body's waits resume it through these (one pair per body, not per
        # await); once cancel() was called they are all stale.
        def fulfilled(value: Any) -> None:
            if not task.wrapped and driver.promise is not None:
                _run_as(task, driver, driver.coro.send, value)

        def rejected(reason: Any) -> None:
            if not task.wrapped and driver.promise is not None:
                _run_as(task, driver, driver.coro.throw, _as_exception(reason))

        driver.on_fulfilled, driver.on_rejected = fulfilled, rejected
    elif task.wrapped:
        return  # a resumption from a wait that cancel() abandoned
    _run_as(task, driver, method, arg)


def _run_as(task: AsyncFnTask, driver: Any, method: Callable[[Any], Any], arg: Any) -> None:
    face = task.face
    if task.wrapped:
        gen = task.gen

        def fulfilled(value: Any) -> None:
            if task.gen == gen and driver.promise is not None:
                _run_as(task, driver, driver.coro.send, value)

        def rejected(reason: Any) -> None:
            if task.gen == gen and driver.promise is not None:
                _run_as(task, driver, driver.coro.throw, _as_exception(reason))

        driver.on_fulfilled, driver.on_rejected = fulfilled, rejected
    if _current(face) is not None:  # inside a real asyncio task's step
        _orig_step(driver, method, arg)
    else:
        _enter_task(face, task)
        try:
            _orig_step(driver, method, arg)
        finally:
            _leave_task(face, task)
    if driver.promise is None:
        face._asyncfn_tasks.pop(driver, None)


_enter_task: Any = getattr(asyncio.tasks, "_enter_task")  # noqa: B009
_leave_task: Any = getattr(asyncio.tasks, "_leave_task")  # noqa: B009


def enable() -> None:
    """Turn the hooks on (idempotent): called when jsloop.aio is imported."""
    global _orig_step
    from ..asyncfn import _Driver

    _promise._aio_await = _await
    _promise._aio_adopt = _adopt
    _promise.aio_await_type = PromiseAwait
    if _orig_step is None:
        _orig_step = _Driver.step
        _Driver.step = _step_as_task  # type: ignore[method-assign,assignment]
