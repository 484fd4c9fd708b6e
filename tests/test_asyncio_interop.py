"""asyncio inside jsloop.run, and await across jsloop promises and asyncio futures.

Tick orders asserted here are jsloop's documented rule (docs/asyncio.md): asyncio's
ready queue runs as one pending-phase entry per turn, each asyncio callback followed by
the nextTick + microtask drain, like any macrotask.
"""

from __future__ import annotations

import asyncio
import contextvars

import pytest

import jsloop
from jsloop import Promise, asyncfn, nextTick, queueMicrotask, setImmediate, setTimeout
from jsloop.errors import RejectionError


def test_get_running_loop_inside_jsloop_run_is_the_face():
    def main():
        loop = asyncio.get_running_loop()
        assert isinstance(loop, jsloop.JsloopEventLoop)
        assert loop.is_running()
        with pytest.raises(RuntimeError):
            loop.run_forever()
        return loop

    loop = jsloop.run(main)
    assert loop.is_closed()
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


def test_asyncfn_awaits_asyncio_sleep_future_task_and_coroutine():
    @asyncfn
    async def main():
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        assert await asyncio.sleep(0.02, "slept") == "slept"
        assert loop.time() - t0 >= 0.02
        fut = loop.create_future()
        setTimeout(fut.set_result, 1, "future")
        assert await fut == "future"
        task = asyncio.create_task(asyncio.sleep(0.001, "task"))
        assert await task == "task"

        async def plain():
            await asyncio.sleep(0)
            return "coroutine"

        assert await plain() == "coroutine"
        return "ok"

    assert jsloop.run(main) == "ok"


def test_asyncfn_awaiting_failed_and_cancelled_futures_raises_there():
    @asyncfn
    async def main():
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        loop.call_soon(fut.set_exception, KeyError("k"))
        with pytest.raises(KeyError):
            await fut
        task = asyncio.create_task(asyncio.sleep(10))
        loop.call_soon(task.cancel)
        with pytest.raises(asyncio.CancelledError):
            await task
        return "done"

    assert jsloop.run(main) == "done"


def test_asyncio_task_awaits_promise_resolved_by_settimeout():
    log = []

    def main():
        async def task_body():
            p = Promise(lambda resolve, reject: setTimeout(resolve, 10, "from setTimeout"))
            value = await p
            log.append(value)
            return value

        return asyncio.ensure_future(task_body())

    task = jsloop.run(main)
    assert log == ["from setTimeout"]
    assert task.result() == "from setTimeout"


def test_rejection_raises_reason_in_asyncio_task():
    def main():
        async def body():
            with pytest.raises(ValueError, match="boom"):
                await Promise.reject(ValueError("boom"))
            try:
                await Promise.reject("plain reason")
            except RejectionError as exc:
                return exc.reason
            return None

        return asyncio.ensure_future(body())

    assert jsloop.run(main).result() == "plain reason"


def test_cancelling_asyncio_task_raises_cancelled_error_at_promise_await():
    log = []

    def main():
        never = Promise(lambda resolve, reject: None)

        async def body():
            try:
                await never
            except asyncio.CancelledError:
                log.append("cancelled at await")
                raise

        task = asyncio.ensure_future(body())
        setTimeout(task.cancel, 5)
        return task

    task = jsloop.run(main)
    assert log == ["cancelled at await"]
    assert task.cancelled()


def test_cancel_asyncio_task_from_asyncfn_and_asyncfn_sees_cancellation():
    @asyncfn
    async def main():
        task = asyncio.create_task(asyncio.sleep(30))
        setTimeout(task.cancel, 2)
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "not cancelled"

    assert jsloop.run(main) == "cancelled"


def test_promise_resolve_adopts_future_outcome():
    @asyncfn
    async def main():
        loop = asyncio.get_running_loop()
        ok = loop.create_future()
        bad = loop.create_future()
        cancelled = loop.create_future()
        p_ok, p_bad, p_cancel = Promise.resolve(ok), Promise.resolve(bad), Promise.resolve(cancelled)
        assert isinstance(p_ok, Promise)
        setTimeout(ok.set_result, 1, 5)
        setTimeout(bad.set_exception, 1, OSError("io"))
        setTimeout(cancelled.cancel, 1)
        assert await p_ok == 5
        with pytest.raises(OSError):
            await p_bad
        with pytest.raises(asyncio.CancelledError):
            await p_cancel
        done = loop.create_future()
        done.set_result("already")
        assert await Promise.resolve(done) == "already"
        return await Promise.resolve(1).then(lambda _: asyncio.ensure_future(asyncio.sleep(0, "chained")))

    assert jsloop.run(main) == "chained"


def test_aiohttp_request_from_asyncfn_inside_jsloop_run():
    aiohttp = pytest.importorskip("aiohttp")
    from aiohttp import web

    async def hello(request):
        return web.Response(text="hi from aiohttp")

    @asyncfn
    async def main():
        app = web.Application()
        app.router.add_get("/", hello)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            # aiohttp's timeouts need asyncio.current_task(): the @asyncfn stands in for one.
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/") as resp:
                    return resp.status, await resp.text()
        finally:
            await runner.cleanup()

    assert jsloop.run(main) == (200, "hi from aiohttp")


def test_asyncio_callbacks_drain_ticks_and_microtasks_between_them():
    log = []

    def main():
        loop = asyncio.get_running_loop()

        def cb(name):
            log.append(name)
            nextTick(log.append, f"{name}.tick")
            queueMicrotask(lambda: log.append(f"{name}.micro"))
            Promise.resolve(None).then(lambda _: log.append(f"{name}.then"))

        loop.call_soon(cb, "a")
        loop.call_soon(cb, "b")

    jsloop.run(main)
    assert log == [
        "a", "a.tick", "a.micro", "a.then",
        "b", "b.tick", "b.micro", "b.then",
    ]


def test_asyncio_ready_queue_runs_in_pending_phase_before_check_phase():
    # The documented rule: call_soon from the main script runs in the first turn's
    # pending phase, before setImmediate (check phase); one scheduled from an
    # immediate runs in the next turn's pending phase, before the next immediates.
    log = []

    def main():
        loop = asyncio.get_running_loop()
        setImmediate(lambda: (log.append("immediate 1"), loop.call_soon(log.append, "soon 2"),
                              setImmediate(log.append, "immediate 2")))
        loop.call_soon(log.append, "soon 1")
        nextTick(log.append, "tick")
        Promise.resolve(None).then(lambda _: log.append("then"))

    jsloop.run(main)
    assert log == ["tick", "then", "soon 1", "immediate 1", "soon 2", "immediate 2"]


def test_promise_await_tick_counts_unchanged_with_asyncio_imported():
    # With asyncio in use, ``await promise`` yields a PromiseAwait that the @asyncfn
    # driver unwraps: tick counts stay V8's. node v20 prints this order for
    #   async function g() { return Promise.resolve(1) }
    #   async function f() { log("f start"); await null; log("a1"); await g(); log("a2") }
    #   f(); Promise.resolve().then(t1).then(t2)...then(t6)
    log = []

    @asyncfn
    async def g():
        return Promise.resolve(1)

    @asyncfn
    async def f():
        log.append("f start")
        await Promise.resolve(None)
        log.append("a1")
        await g()
        log.append("a2")

    def main():
        assert asyncio.get_running_loop() is not None
        f()
        p = Promise.resolve(None)
        for i in range(1, 7):
            p = p.then(lambda _, i=i: log.append(f"t{i}"))

    jsloop.run(main)
    assert log == ["f start", "a1", "t1", "t2", "t3", "a2", "t4", "t5", "t6"]


def test_contextvars_flow_both_ways():
    var = contextvars.ContextVar("v", default="unset")

    @asyncfn
    async def js_child():
        return var.get()

    def main():
        async def asyncio_side():
            var.set("from asyncio task")
            return await js_child()  # the @asyncfn copies the task's context

        @asyncfn
        async def js_side():
            var.set("from asyncfn")

            async def child():
                return var.get()

            seen = await asyncio.ensure_future(child())  # the task copies the asyncfn's
            assert var.get() == "from asyncfn"
            return seen

        return Promise.all([asyncio.ensure_future(asyncio_side()), js_side()])

    assert jsloop.run(main) == ["from asyncio task", "from asyncfn"]


def test_open_connection_from_a_settimeout_callback():
    got = []

    def main():
        async def serve(reader, writer):
            writer.write(await reader.read(100))
            await writer.drain()
            writer.close()

        async def start():
            server = await asyncio.start_server(serve, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]

            def later():
                async def client():
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(b"echo me")
                    got.append(await reader.read(100))
                    writer.close()
                    await writer.wait_closed()
                    server.close()
                    await server.wait_closed()

                asyncio.ensure_future(client())

            setTimeout(later, 1)

        asyncio.ensure_future(start())

    jsloop.run(main)
    assert got == [b"echo me"]


def test_pending_asyncio_timer_keeps_jsloop_run_alive_cancelled_one_does_not():
    import time

    def main():
        loop = asyncio.get_running_loop()
        loop.call_later(0.02, lambda: None)
        h = loop.call_later(60, lambda: None)
        h.cancel()

    t0 = time.monotonic()
    jsloop.run(main)
    elapsed = time.monotonic() - t0
    assert 0.02 <= elapsed < 5


def test_asyncio_imported_during_run_gets_a_face(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "s.py"
    script.write_text(
        "import asyncio\n"
        "async def main():\n"
        "    await asyncio.sleep(0.01)\n"
        "    print('slept in', type(asyncio.get_running_loop()).__name__)\n"
        "asyncio.ensure_future(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "jsloop", str(script)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == "slept in JsloopEventLoop\n"


def test_asyncio_timeout_inside_asyncfn_cancels_the_pending_await():
    log = []

    @asyncfn
    async def main():
        assert asyncio.current_task() is not None
        try:
            async with asyncio.timeout(0.01):
                await Promise(lambda resolve, reject: setTimeout(resolve, 200))
        except TimeoutError:
            log.append("timed out")
        # the abandoned wait never resumes the body; later awaits work normally
        assert await asyncio.sleep(0.001, "after") == "after"
        t = asyncio.current_task()
        setTimeout(t.cancel, 1)
        try:
            await Promise(lambda resolve, reject: None)
        except asyncio.CancelledError:
            log.append("cancelled")
        return "done"

    import time

    t0 = time.monotonic()
    assert jsloop.run(main) == "done"
    assert log == ["timed out", "cancelled"]
    # the 200 ms timer still keeps the loop alive, as in Node: the run ends when it fires
    assert time.monotonic() - t0 >= 0.2


def test_asyncio_combinators_take_promises():
    def main():
        async def body():
            p1 = Promise(lambda res, rej: setTimeout(res, 2, "one"))
            p2 = Promise.resolve("two")
            assert await asyncio.gather(p1, p2) == ["one", "two"]
            never = Promise(lambda res, rej: None)
            try:
                await asyncio.wait_for(never, 0.01)
            except TimeoutError:
                timed_out = True
            else:
                timed_out = False
            done, pending = await asyncio.wait(
                [asyncio.ensure_future(Promise.resolve(3))], timeout=1
            )
            return timed_out, [t.result() for t in done]

        return asyncio.ensure_future(body())

    assert jsloop.run(main).result() == (True, [3])
