"""``jsloop.testing.schedules()``: every open race reaches both outcomes; guarantees hold.

Small programs with one race each -- two fs reads, a timer against a read, two
ready sockets, one write split into reads -- run under hypothesis-drawn
schedules; the set of outcomes seen must contain both orders (and nothing
else). Model-free invariants (ORDERING.md §1, §2, §5: the drain after every
I/O callback, immediate before timeout from an I/O callback) hold under every
schedule. A schedule is deterministic (same decisions, same log, run after
run, also replayed from its choices) and costs nothing unused (``import
jsloop`` does not import hypothesis).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import jsloop
from jsloop import Promise, fs, net, nextTick, setImmediate, setTimeout
from jsloop.testing import FakeTimers, Schedule, schedules

PROPERTY = settings(
    max_examples=40, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def outcomes(program: Callable[..., Any], *args: Any, examples: int = 40) -> set[str]:
    """The logs ``program(log, *args)`` printed under ``examples`` drawn schedules."""
    seen: set[str] = set()

    @settings(PROPERTY, max_examples=examples)
    @given(schedules())
    def prop(schedule: Schedule) -> None:
        log: list[str] = []
        schedule.run(program, log, *args)
        seen.add(" ".join(log))

    prop()
    return seen


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("A" * 100)
    b.write_text("B" * 100)
    return str(a), str(b)


# ---------------------------------------------------------------- the four races


def two_reads(log: list[str], a: str, b: str) -> None:
    fs.readFile(a, lambda err, data: log.append("a"))
    fs.readFile(b, lambda err, data: log.append("b"))


def test_two_fs_reads_complete_in_either_order(files: tuple[str, str]) -> None:
    assert outcomes(two_reads, *files) == {"a b", "b a"}


def timer_vs_read(log: list[str], path: str) -> None:
    fs.readFile(path, lambda err, data: log.append("read"))
    setTimeout(lambda: log.append("timer"), 5)


def test_a_due_timer_runs_before_or_after_a_read(files: tuple[str, str]) -> None:
    assert outcomes(timer_vs_read, files[0]) == {"read timer", "timer read"}


def two_sockets(log: list[str]) -> None:
    """Two clients send one byte each; the server logs which arrived first."""

    def on_connection(conn: net.Socket) -> None:
        conn.on("data", lambda d: log.append(d.decode()))
        conn.on("end", conn.end)

    server = net.createServer(on_connection)
    open_clients = [2]

    def closed(*_: Any) -> None:
        open_clients[0] -= 1
        if not open_clients[0]:
            server.close()

    def connect(msg: bytes) -> None:
        sock = net.connect(server.address().port, "127.0.0.1", lambda: sock.end(msg))
        sock.on("close", closed)
        sock.resume()

    def listening() -> None:
        connect(b"A")
        connect(b"B")

    server.listen(0, "127.0.0.1", listening)


def test_two_ready_sockets_are_served_in_either_order() -> None:
    assert outcomes(two_sockets) == {"A B", "B A"}


MESSAGE = b"hello, world\n"


def one_write(log: list[str]) -> None:
    """The client writes MESSAGE once; the server logs the chunks its reads got."""
    chunks: list[bytes] = []

    def on_connection(conn: net.Socket) -> None:
        conn.on("data", chunks.append)

        def on_end() -> None:
            assert b"".join(chunks) == MESSAGE  # never lost, never reordered
            log.append("one read" if len(chunks) == 1 else "split")
            conn.end()
            server.close()

        conn.on("end", on_end)

    server = net.createServer(on_connection)

    def listening() -> None:
        sock = net.connect(server.address().port, "127.0.0.1", lambda: sock.end(MESSAGE))
        sock.resume()

    server.listen(0, "127.0.0.1", listening)


def test_one_write_arrives_in_one_read_or_split() -> None:
    assert outcomes(one_write) == {"one read", "split"}


def test_split_decisions_read_as_steps() -> None:
    seen: list[str] = []
    for seed in range(20):
        schedule = Schedule.random(seed)
        schedule.run(one_write, [])
        seen.extend(schedule.decisions)
    splits = [d for d in seen if d.endswith(" bytes")]
    assert splits
    for d in splits:
        fd, _, rest = d.partition(": deliver ")
        k, _, n = rest.removesuffix(" bytes").partition(" of ")
        assert fd.startswith("fd ") and 1 <= int(k) < int(n) <= len(MESSAGE), d


def reply_vs_timeout(log: list[str], timeout_ms: int = 100) -> None:
    """A client waits ``timeout_ms`` for an echo; a slow network may let the timeout win."""
    def on_connection(conn: net.Socket) -> None:
        conn.on("data", conn.write)
        conn.on("error", lambda err: None)  # the client may hang up first

    server = net.createServer(on_connection)

    def listening() -> None:
        sock = net.connect(server.address().port, "127.0.0.1", lambda: sock.write(b"ping"))

        def finish(what: str) -> None:
            if not log:
                log.append(what)
                sock.destroy()
                server.close()

        timer = setTimeout(lambda: finish("timeout"), timeout_ms)
        sock.on("data", lambda d: (jsloop.clearTimeout(timer), finish("reply")))

    server.listen(0, "127.0.0.1", listening)


def test_a_timer_races_socket_io() -> None:
    assert outcomes(reply_vs_timeout) == {"reply", "timeout"}


def test_a_peer_is_slow_but_not_dead() -> None:
    # By default a ready fd is held back at most 1000 virtual ms: a 5 s timeout never
    # fires before the echo; a schedule allowed to be slower can make it.
    assert outcomes(reply_vs_timeout, 5000, examples=30) == {"reply"}
    seen = set()
    for seed in range(30):
        log: list[str] = []
        Schedule.random(seed, max_delay_ms=10_000).run(reply_vs_timeout, log, 5000)
        seen.add(" ".join(log))
    assert seen == {"reply", "timeout"}


def test_a_one_thread_pool_completes_jobs_in_submission_order(
    files: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One worker runs the jobs one after the other: the schedule may only delay them.
    monkeypatch.setenv("JSLOOP_THREADPOOL_SIZE", "1")
    assert outcomes(two_reads, *files) == {"a b"}
    assert outcomes(timer_vs_read, files[0]) == {"read timer", "timer read"}


def shrunk(program: Callable[..., Any], expected: str, *args: Any) -> Schedule:
    """The minimal schedule under which ``program`` does not log ``expected``."""
    failing: list[Schedule] = []

    @settings(PROPERTY, max_examples=100)
    @given(schedules())
    def prop(schedule: Schedule) -> None:
        log: list[str] = []
        schedule.run(program, log, *args)
        if " ".join(log) != expected:
            failing.append(schedule)
            raise AssertionError(log)

    with pytest.raises(AssertionError):
        prop()
    return failing[-1]  # hypothesis replays the minimal failing case last


def test_a_race_failure_shrinks_to_one_readable_decision(files: tuple[str, str]) -> None:
    job = r"job \d+(?: \(\w+\))?"
    # "b" first: the pool completed one of b's jobs before the matching one of a's
    assert re.fullmatch(
        rf"Schedule\(\['pool: {job} before {job}'\]\)", repr(shrunk(two_reads, "a b", *files))
    )
    # the timer first: a job of the read was still running when the timer fell due
    assert re.fullmatch(
        rf"Schedule\(\['pool: {job} still running at 0 ms'\]\)",
        repr(shrunk(timer_vs_read, "read timer", files[0])),
    )
    # the reply lost to the timeout: no fd was ready at the first poll (the listening
    # socket's accept and the client's connect), so time moved on to the timeout
    decisions = shrunk(reply_vs_timeout, "reply").decisions
    assert 1 <= len(decisions) <= 2
    assert all(re.fullmatch(r"fd \d+ not ready at 0 ms", d) for d in decisions), decisions


# ---------------------------------------------------------------- guarantees still hold


def io_callbacks(log: list[str], paths: tuple[str, ...]) -> None:
    for i, path in enumerate(paths):
        def done(err: Any, data: Any, name: str = f"r{i}") -> None:
            log.append(name)
            setTimeout(lambda: log.append(name + ".timeout"), 0)
            setTimeout(lambda: log.append(name + ".t3a"), 3)
            setTimeout(lambda: log.append(name + ".t3b"), 3)
            setImmediate(lambda: log.append(name + ".immediate"))
            Promise.resolve().then(lambda _v: log.append(name + ".promise"))
            nextTick(lambda: log.append(name + ".tick"))

        fs.readFile(path, done)
    setTimeout(lambda: log.append("main.timeout"), 2)


def test_io_callback_drain_and_immediate_first_hold_under_every_schedule(
    files: tuple[str, str],
) -> None:
    paths = (files[0], files[1], files[0])
    orders: set[str] = set()

    @PROPERTY
    @given(schedules())
    def prop(schedule: Schedule) -> None:
        log: list[str] = []
        schedule.run(io_callbacks, log, paths)
        assert len(log) == 7 * len(paths) + 1
        for i in range(len(paths)):
            name = f"r{i}"
            at = log.index(name)
            # ORDERING.md §2: the callback's ticks, then its promise jobs, before anything else
            assert log[at: at + 3] == [name, name + ".tick", name + ".promise"]
            # §5: from an I/O callback the immediate runs first, always
            assert log.index(name + ".immediate") < log.index(name + ".timeout")
            # §3.2: equal delays, one list: creation order
            assert log.index(name + ".t3a") < log.index(name + ".t3b")
        orders.add(" ".join(x for x in log if x.count(".") == 0))

    prop()
    assert len(orders) > 1  # the reads did complete in more than one order


# ---------------------------------------------------------------- determinism


def mixed(log: list[str], path: str) -> None:
    """Pool jobs, sockets, split reads and a timer in one program."""
    timer_vs_read(log, path)
    one_write(log)
    two_sockets(log)


def test_one_schedule_one_outcome_run_after_run(files: tuple[str, str]) -> None:
    for seed in range(12):
        schedule = Schedule.random(seed)
        runs = []
        for _ in range(3):
            log: list[str] = []
            schedule.run(mixed, log, files[0])
            runs.append((log, fds_as_n(schedule.decisions)))
        assert runs[0] == runs[1] == runs[2]
        replayed = Schedule.replay(schedule.choices)
        log = []
        replayed.run(mixed, log, files[0])
        assert (log, fds_as_n(replayed.decisions)) == runs[0]


def fds_as_n(decisions: list[str]) -> list[str]:
    # fd *numbers* may differ between runs (a worker opening a file while a socket
    # is created takes the lower one); the sockets decided about do not.
    return [re.sub(r"fd \d+", "fd N", d) for d in decisions]


def test_the_default_schedule_decides_nothing(files: tuple[str, str]) -> None:
    schedule = Schedule()
    log: list[str] = []
    schedule.run(mixed, log, files[0])
    assert schedule.decisions == []
    assert repr(schedule) == "Schedule([])"
    assert set(schedule.choices) <= {0}


def test_pool_decisions_name_the_jobs(files: tuple[str, str]) -> None:
    reprs = set()
    for seed in range(30):
        schedule = Schedule.random(seed)
        schedule.run(two_reads, [], *files)
        reprs.update(schedule.decisions)
    assert any(d.startswith("pool: job ") and " before job " in d for d in reprs)
    assert any(d.startswith("pool: job ") and " still running at " in d for d in reprs)


def test_run_returns_mains_value_and_raises_uncaught_errors(files: tuple[str, str]) -> None:
    assert Schedule.random(1).run(lambda: fs.promises.readFile(files[0])) == b"A" * 100

    class Boom(Exception):
        pass

    def main() -> None:
        def done(err: Any, data: Any) -> None:
            raise Boom("in a pool completion")

        fs.readFile(files[0], done)

    with pytest.raises(Boom):
        Schedule.random(2).run(main)


def test_a_job_waiting_for_the_loop_does_not_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    # The job blocks until a timer opens the gate: settling gives up on it after
    # SETTLE_TIMEOUT_S, virtual time moves on, the timer runs, the job completes.
    monkeypatch.setattr("jsloop._schedule.SETTLE_TIMEOUT_S", 0.05)
    gate = threading.Event()

    def main(log: list[str]) -> None:
        jsloop.runInThreadPool(gate.wait, 10).then(lambda r: log.append(f"job {r}"))
        setTimeout(lambda: (log.append("timer"), gate.set()), 10)

    log: list[str] = []
    Schedule.random(3).run(main, log)
    assert log == ["timer", "job True"]


def test_a_cancelled_job_completes_with_ecanceled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JSLOOP_THREADPOOL_SIZE", "1")
    gate = threading.Event()

    def main(log: list[str]) -> None:
        pool = jsloop._runtime.get_loop().threadpool
        pool.submit_req(gate.wait, (10,), lambda r, e: log.append(f"first {r}"))
        second = pool.submit_req(
            print, ("never",), lambda r, e: log.append(f"second {e.code}"), syscall="read"
        )
        log.append(f"cancelled {second.cancel()}")
        pool.submit_req(len, ("abc",), lambda r, e: log.append(f"third {r}"))
        gate.set()

    for seed in range(5):
        gate.clear()
        log: list[str] = []
        Schedule.random(seed).run(main, log)
        # one worker: first, then third (the cancelled job never held a worker)
        assert log == ["cancelled True", "second ECANCELED", "first True", "third 3"]


# ---------------------------------------------------------------- FakeTimers, import cost


def test_fake_timers_take_pool_completions_from_a_schedule(files: tuple[str, str]) -> None:
    seen = set()
    for seed in range(30):
        log: list[str] = []
        with FakeTimers(schedule=Schedule.random(seed)) as ft:
            timer_vs_read(log, files[0])
            ft.advance(4)
            at_4 = list(log)
            ft.advance(10)
        assert log in (["read", "timer"], ["timer", "read"])
        assert at_4 in ([], ["read"])
        seen.add(" ".join(log))
    assert seen == {"read timer", "timer read"}


def test_import_jsloop_needs_no_hypothesis() -> None:
    code = (
        "import sys, jsloop, jsloop.testing\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported'\n"
        "from jsloop.testing import Schedule\n"
        "assert Schedule.random(0).run(lambda: 7) == 7\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported by a run'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert out.returncode == 0, out.stderr
