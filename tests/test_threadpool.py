"""The thread pool: lazily started workers, completions on the loop thread, the
slow-work limit, liveness, and clean shutdown (no threads after run())."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from _io_helpers import no_leaks, run_bounded  # noqa: F401

import jsloop
from jsloop import fs
from jsloop._runtime import get_loop
from jsloop._threadpool import ThreadPool, pool_size_from_env, runInThreadPool

pytestmark = pytest.mark.usefixtures("no_leaks")


def test_more_jobs_than_workers_all_complete_with_bounded_concurrency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JSLOOP_THREADPOOL_SIZE", "3")
    lock = threading.Lock()
    running = [0, 0]  # now, max

    def job(i: int) -> int:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        barrier_free = threading.Event()
        barrier_free.wait(0.002)  # overlap the jobs a little (not synchronisation)
        with lock:
            running[0] -= 1
        return i * i

    def main() -> Any:
        return jsloop.Promise.all([runInThreadPool(job, i) for i in range(40)])

    assert run_bounded(main) == [i * i for i in range(40)]
    assert 1 <= running[1] <= 3


def test_completions_run_on_the_loop_thread_in_the_poll_phase() -> None:
    loop_thread = threading.get_ident()
    seen: list[Any] = []

    def main() -> None:
        def done(value: int) -> None:
            seen.append(("done", value, threading.get_ident() == loop_thread))
            jsloop.setImmediate(lambda: seen.append("immediate"))
            jsloop.setTimeout(lambda: seen.append("timeout"), 0)

        runInThreadPool(lambda: threading.get_ident()).then(
            lambda ident: seen.append(("worker", ident != loop_thread))
        )
        runInThreadPool(lambda: 7).then(done)

    run_bounded(main)
    assert ("worker", True) in seen
    i = seen.index(("done", 7, True))
    # An I/O completion's immediate runs before its timer (ORDERING.md §1).
    assert seen[i + 1:] == ["immediate", "timeout"]


def test_exception_in_job_rejects_its_promise() -> None:
    class Boom(Exception):
        pass

    def fail() -> None:
        raise Boom("in a worker")

    async def main() -> str:
        try:
            await runInThreadPool(fail)
        except Boom as exc:
            return str(exc)
        return "not raised"

    assert run_bounded(main) == "in a worker"


def test_queued_request_keeps_the_loop_alive() -> None:
    release = threading.Event()
    result: list[int] = []

    def main() -> None:
        runInThreadPool(lambda: (release.wait(5), 5)[1]).then(result.append)
        # Nothing else is pending: only the request keeps the loop alive.
        threading.Timer(0.05, release.set).start()

    run_bounded(main)
    assert result == [5]


def test_slow_jobs_take_at_most_half_the_pool(monkeypatch: pytest.MonkeyPatch, tmp_path: Any
                                              ) -> None:
    monkeypatch.setenv("JSLOOP_THREADPOOL_SIZE", "4")
    release = threading.Event()
    order: list[str] = []
    target = tmp_path / "f.txt"
    target.write_text("data")

    def slow(i: int) -> int:
        release.wait(10)
        return i

    def main() -> Any:
        pool = get_loop().threadpool
        slows = [pool.submit(slow, i, slow=True) for i in range(6)]
        for p in slows:
            p.then(lambda i: order.append(f"slow{i}"))

        def fs_done(data: bytes) -> None:
            # All six lookups-to-be are still blocked: fs got a worker anyway.
            order.append("fs")
            release.set()

        fs.readFile(str(target)).then(fs_done)
        return jsloop.Promise.all(slows)

    assert run_bounded(main) == list(range(6))
    assert order[0] == "fs"
    assert sorted(order[1:]) == [f"slow{i}" for i in range(6)]


def test_no_threads_before_use_and_none_after_run() -> None:
    before = threading.active_count()
    counts: list[int] = []

    def main() -> Any:
        counts.append(threading.active_count())  # no pool yet
        return runInThreadPool(lambda: threading.active_count())

    inside = run_bounded(main)
    assert counts == [before]
    assert inside >= before + 1
    assert threading.active_count() == before


def test_shutdown_refuses_new_work() -> None:
    pools: list[ThreadPool] = []

    def main() -> Any:
        pool = get_loop().threadpool
        pools.append(pool)
        return pool.submit(lambda: 1)

    assert run_bounded(main) == 1
    assert pools[0].closed
    with pytest.raises(RuntimeError, match="shut down"):
        pools[0].submit(lambda: 2)


def test_run_in_thread_pool_rejects_non_callable() -> None:
    def main() -> None:
        with pytest.raises(TypeError) as info:
            runInThreadPool(42)  # type: ignore[arg-type]
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]

    run_bounded(main)


@pytest.mark.parametrize(("raw", "size"), [("", 4), ("8", 8), ("0", 1), ("5000", 1024),
                                           ("x", 4)])
def test_pool_size_from_env(monkeypatch: pytest.MonkeyPatch, raw: str, size: int) -> None:
    monkeypatch.setenv("JSLOOP_THREADPOOL_SIZE", raw)
    assert pool_size_from_env() == size
