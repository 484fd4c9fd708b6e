"""The request object (libuv's uv_req_t) and the pool built on it: exactly-once
completion, cancellation of queued jobs with ECANCELED, the loop ref, a pool that
grows while work waits, and a shutdown that does not wait for running jobs."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from _io_helpers import REPO, MustCall, no_leaks, run_bounded  # noqa: F401

import jsloop
from jsloop import fs
from jsloop._req import Req, cancelled_error, uv_exception
from jsloop._runtime import get_loop
from jsloop._threadpool import ThreadPool, runInThreadPool

pytestmark = pytest.mark.usefixtures("no_leaks")


def _pool(size: int) -> ThreadPool:
    loop = get_loop()
    pool = ThreadPool(loop, size)
    loop.on_close(pool.shutdown)
    return pool


def test_cancel_a_queued_job_completes_it_once_with_ecanceled_in_the_poll_phase() -> None:
    release = threading.Event()
    ran: list[str] = []
    seen: list[Any] = []

    def main() -> None:
        pool = _pool(1)
        blocker = pool.queue_work(release.wait, (5,), MustCall())
        queued = pool.submit_req(ran.append, ("ran",), lambda r, e: seen.append((r, e)),
                                 syscall="read")
        assert queued.cancel() is True
        assert seen == []  # never synchronously (uv_cancel posts the completion)
        assert queued.cancel() is False  # once
        assert blocker.cancel() is False or blocker.cancelled
        jsloop.setImmediate(lambda: seen.append("immediate"))

        def check() -> None:
            assert len(seen) == 2 and seen[1] == "immediate"  # poll phase, before check
            release.set()

        jsloop.setImmediate(check)

    run_bounded(main)
    assert ran == []
    result, err = seen[0]
    assert result is None
    assert err.code == "ECANCELED" and err.errno == -errno.ECANCELED
    assert err.syscall == "read"
    assert str(err) == "ECANCELED: operation canceled, read"


def test_a_running_job_cannot_be_cancelled_and_completes_normally() -> None:
    started = threading.Event()
    release = threading.Event()
    seen: list[Any] = []

    def job() -> int:
        started.set()
        release.wait(5)
        return 42

    def main() -> None:
        req = _pool(1).queue_work(job, (), lambda r, e: seen.append((r, e)))
        assert started.wait(5)
        assert req.cancel() is False
        assert req.active
        release.set()

    run_bounded(main)
    assert seen == [(42, None)]


def test_complete_is_exactly_once_and_the_req_holds_the_loop() -> None:
    seen: list[Any] = []
    results: list[bool] = []

    def main() -> None:
        loop = get_loop()
        req = Req(loop, lambda r, e: seen.append(r), "connect")
        # Only the request keeps the loop alive; a thread completes it via post.
        threading.Thread(target=loop.post, args=(finish, req)).start()

    def finish(req: Req) -> None:
        results.append(req.complete("first"))
        results.append(req.complete("second"))
        results.append(req.cancel())

    run_bounded(main)
    assert seen == ["first"]
    assert results == [True, False, False]


def test_cancel_hook_decides_and_owner_completion_after_cancel_is_ignored() -> None:
    seen: list[Any] = []

    def main() -> None:
        loop = get_loop()
        refused = Req(loop, lambda r, e: seen.append(("refused", r, e)), "x", lambda: False)
        assert refused.cancel() is False
        refused.complete("ok")
        req = Req(loop, lambda r, e: seen.append(("req", r, e.code)), "connect", lambda: True)
        assert req.cancel() is True
        assert req.complete("late") is False  # already cancelled: ECANCELED wins

    run_bounded(main)
    assert seen == [("refused", "ok", None), ("req", None, "ECANCELED")]


def test_pool_grows_while_jobs_wait_and_no_worker_is_idle() -> None:
    # Four jobs that can only finish together: they need four workers at once.
    # Before: an idle worker signalled for job 1 still counted as idle for jobs
    # 2-4, so they queued behind it and the barrier broke.
    barrier = threading.Barrier(4, timeout=5)

    async def main() -> list[int]:
        pool = _pool(4)
        await pool.submit(lambda: 0)  # one warm, idle worker
        return await jsloop.Promise.all(  # type: ignore[no-any-return]
            [pool.submit(lambda i=i: (barrier.wait(), i)[1]) for i in range(4)]
        )

    assert run_bounded(main) == [0, 1, 2, 3]


def test_a_hung_slow_job_does_not_stall_fs_stat(tmp_path: Any) -> None:
    release = threading.Event()
    order: list[str] = []

    async def main() -> None:
        pool = get_loop().threadpool
        await pool.submit(lambda: None)  # one idle worker
        hung = pool.submit(lambda: release.wait(5) and "lookup", slow=True)
        st = await fs.stat(str(tmp_path))
        order.append("stat" if st.isDirectory() else "?")
        release.set()
        order.append(await hung)

    run_bounded(main)
    assert order == ["stat", "lookup"]


def test_shutdown_does_not_wait_for_a_running_job() -> None:
    started = threading.Event()
    release = threading.Event()
    pools: list[ThreadPool] = []

    class Stop(Exception):
        pass

    def main() -> None:
        pool = get_loop().threadpool
        pools.append(pool)
        pool.submit(lambda: (started.set(), release.wait(10)))
        assert started.wait(5)

        def boom() -> None:
            raise Stop

        jsloop.setImmediate(boom)

    t0 = time.monotonic()
    with pytest.raises(Stop):
        jsloop.run(main)
    took = time.monotonic() - t0
    try:
        assert took < 2.0, took
        assert pools[0].closed
    finally:
        release.set()
        for thread in pools[0]._threads:
            thread.join(5)


def test_queued_work_is_dropped_at_shutdown_and_never_runs() -> None:
    ran: list[int] = []
    release = threading.Event()
    pools: list[ThreadPool] = []

    class Stop(Exception):
        pass

    def main() -> None:
        pool = _pool(1)
        pools.append(pool)
        pool.submit(release.wait, 10)
        pool.submit(ran.append, 1)

        def boom() -> None:
            raise Stop

        jsloop.setImmediate(boom)

    with pytest.raises(Stop):
        jsloop.run(main)
    release.set()
    for thread in pools[0]._threads:
        thread.join(5)
    assert ran == []


def test_ctrl_c_exits_promptly_while_a_pool_job_runs() -> None:
    # Node exits in milliseconds on SIGINT even with a thread-pool read running.
    code = (
        "import sys, threading, jsloop\n"
        "from jsloop._threadpool import runInThreadPool\n"
        "def job():\n"
        "    print('started', flush=True)\n"
        "    threading.Event().wait(30)\n"
        "jsloop.run(lambda: runInThreadPool(job))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
    assert took < 2.0, took
    assert proc.returncode != 0


def test_uv_exception_is_nodes_error_and_keeps_pythons_class() -> None:
    err = uv_exception(errno.ENOENT, "open", "x")
    assert isinstance(err, FileNotFoundError)
    assert str(err) == "ENOENT: no such file or directory, open 'x'"
    assert (err.code, err.errno, err.syscall, err.path) == (  # type: ignore[attr-defined]
        "ENOENT", -errno.ENOENT, "open", "x")
    dest = uv_exception("EEXIST", "rename", "a", "b")
    assert isinstance(dest, FileExistsError)
    assert str(dest) == "EEXIST: file already exists, rename 'a' -> 'b'"
    assert dest.dest == "b"  # type: ignore[attr-defined]
    assert cancelled_error("getaddrinfo").code == "ECANCELED"  # type: ignore[attr-defined]


def test_run_in_thread_pool_still_works() -> None:
    assert run_bounded(lambda: runInThreadPool(lambda: 3)) == 3


# -- property: any mix of submits and cancels completes every request exactly once ------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 3),
       plan=st.lists(st.tuples(st.booleans(), st.sampled_from(["now", "tick", "done"])),
                     min_size=1, max_size=25))
def test_any_mix_of_submit_and_cancel_completes_each_request_once(
    size: int, plan: list[tuple[bool, str]],
) -> None:
    ran: list[int] = []
    lock = threading.Lock()
    dones: dict[int, list[Any]] = {}
    cancelled: dict[int, bool] = {}

    def body(i: int) -> int:
        with lock:
            ran.append(i)
        return i * 10

    def main() -> None:
        pool = _pool(size)
        reqs: list[Any] = []
        for i, (cancel, when) in enumerate(plan):
            def done(result: Any, err: Any, i: int = i) -> None:
                dones.setdefault(i, []).append((result, err))
                # cancelling from a completion: the next request, if asked to
                nxt = i + 1
                if nxt < len(plan) and plan[nxt] == (True, "done") and nxt < len(reqs):
                    cancelled[nxt] = reqs[nxt].cancel()

            reqs.append(pool.submit_req(body, (i,), done, syscall="work"))
            if cancel and when == "now":
                cancelled[i] = reqs[i].cancel()
            elif cancel and when == "tick":
                jsloop.nextTick(lambda i=i: cancelled.__setitem__(i, reqs[i].cancel()))

    run_bounded(main)
    assert sorted(dones) == list(range(len(plan)))
    for i, calls in dones.items():
        assert len(calls) == 1, (i, calls)
        result, err = calls[0]
        if cancelled.get(i):
            assert result is None and err.code == "ECANCELED"
            assert i not in ran
        else:
            assert err is None and result == i * 10
            assert ran.count(i) == 1
