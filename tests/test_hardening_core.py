"""Hardening of the loop core (issue 8): each test failed before its fix.

Timers: the 2**31-1 ms maximum, Node's clock for a timer's start, clear*() with
no argument, hasRef after clear, Immediate as a context manager. Loop: fd
reuse inside one poll batch, ``post`` after close, fork, GC tuning, process
exit paths, Ctrl-C. Where Node has the behaviour, a differential check runs
the same program under ``node`` (skipped when it is absent).
"""

from __future__ import annotations

import itertools
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from helpers.loopkit import run_fake

import jsloop
from jsloop import (
    clearImmediate,
    clearInterval,
    clearTimeout,
    setImmediate,
    setInterval,
    setTimeout,
)
from jsloop._clock import FakeClock
from jsloop._runtime import get_loop

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not on PATH")


def node_lines(js: str, timeout: float = 30) -> list[str]:
    assert NODE is not None
    out = subprocess.run(
        [NODE, "-e", js], capture_output=True, text=True, timeout=timeout, check=True
    )
    return out.stdout.split()


# -- timers -------------------------------------------------------------------------------


def test_max_delay_timer_does_not_overflow_the_poll_timeout():
    """setTimeout(f, 2**31-1) is the documented maximum: the poll phase must wait
    for it without OverflowError (epoll_wait takes an int of ms)."""
    fired = []

    def main():
        t = setTimeout(lambda: fired.append("late"), 2**31 - 1)
        # A pending wakeup makes the poll return at once, after it converted its timeout.
        get_loop().post(clearTimeout, t)

    jsloop.run(main)
    assert fired == []


class _OversleepingClock(FakeClock):
    """Virtual time where each wait overshoots by 0.08 ms, as a real epoll_wait does."""

    def sleep_ms(self, ms: float) -> None:
        if ms > 0:
            self.advance(ms + 0.08)


def test_interval_period_does_not_drift_with_wakeup_latency():
    """Node takes a repeat's start from the floored loop clock: setInterval(10)
    keeps 10 ms periods (node measured 10.08 ms) when each wake is a little late;
    a start rounded up made it 11 ms."""
    clock = _OversleepingClock(start_ms=1000.3)
    stamps: list[float] = []

    def main():
        def tick():
            stamps.append(clock.now_ns() / 1e6)
            if len(stamps) == 20:
                clearInterval(iv)

        iv = setInterval(tick, 10)

    jsloop.run(main, clock=clock)
    periods = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(periods) == 19
    assert max(periods) < 10.5, periods


def _spin_ms(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


@needs_node
def test_timeout_before_immediate_when_a_millisecond_passed_at_top_level():
    """1.2 ms between setTimeout(0) and setImmediate at top level: node always
    runs the timeout first (its start is the floored clock at the call)."""
    js = """
    const order = [];
    setTimeout(() => order.push('T'), 0);
    const end = performance.now() + 1.2; while (performance.now() < end) {}
    setImmediate(() => order.push('I'));
    process.on('exit', () => console.log(order.join('')));
    """
    node_out = [line for _ in range(8) for line in node_lines(js)]
    assert set(node_out) == {"TI"}

    outs = []
    for _ in range(20):
        order: list[str] = []

        def main(order=order):
            setTimeout(lambda: order.append("T"), 0)
            _spin_ms(1.2)
            setImmediate(lambda: order.append("I"))

        jsloop.run(main)
        outs.append("".join(order))
    assert set(outs) == {"TI"}, outs


def test_never_early_is_an_opt_in(monkeypatch):
    """JSLOOP_TIMERS=never-early keeps the old rounded-up start."""
    monkeypatch.setenv("JSLOOP_TIMERS", "never-early")
    clock = FakeClock(start_ms=1000.5)
    seen = []

    def main():
        setTimeout(lambda: seen.append(clock.now_ns() / 1e6), 1)

    jsloop.run(main, clock=clock)
    assert seen == [1002.0]  # start 1001 (rounded up) + 1
    monkeypatch.delenv("JSLOOP_TIMERS")
    clock = FakeClock(start_ms=1000.5)
    seen.clear()
    jsloop.run(main, clock=clock)
    assert seen == [1001.0]  # Node: start 1000 (floored) + 1, 0.5 ms after the call


@needs_node
def test_clear_functions_without_argument_and_has_ref_after_clear():
    js = """
    clearTimeout(); clearInterval(); clearImmediate();
    const t = setTimeout(() => {}, 10); clearTimeout(t); console.log(t.hasRef());
    const u = setTimeout(() => {}, 10); u.unref(); clearTimeout(u); console.log(u.hasRef());
    const i = setImmediate(() => {}); clearImmediate(i); console.log(i.hasRef());
    const f = setTimeout(() => setImmediate(() => console.log(f.hasRef())), 1);
    """
    expected = node_lines(js)
    got: list[str] = []

    def js_bool(b: bool) -> str:
        return "true" if b else "false"

    def main():
        clearTimeout()
        clearInterval()
        clearImmediate()
        t = setTimeout(lambda: None, 10)
        clearTimeout(t)
        got.append(js_bool(t.hasRef()))
        u = setTimeout(lambda: None, 10)
        u.unref()
        clearTimeout(u)
        got.append(js_bool(u.hasRef()))
        i = setImmediate(lambda: None)
        clearImmediate(i)
        got.append(js_bool(i.hasRef()))
        f = setTimeout(lambda: setImmediate(lambda: got.append(js_bool(f.hasRef()))), 1)

    run_fake(main)
    assert got == expected == ["true", "false", "false", "true"]


def test_cleared_timer_keeps_the_loop_accounting_right():
    """hasRef() stays true after clear, but the cleared timer no longer counts."""
    fired = []

    def main():
        t = setTimeout(lambda: fired.append("t"), 10)
        clearTimeout(t)
        t.ref()
        t.unref()
        t.ref()
        assert get_loop().timer_refs == 0
        t.refresh()  # Node: a no-op on a cleared timer (its _idleTimeout is -1)
        assert get_loop().timer_refs == 0

    run_fake(main)
    assert fired == []


def test_immediate_is_a_context_manager_that_clears():
    fired = []

    def main():
        with setImmediate(lambda: fired.append("x")) as imm:
            assert imm.hasRef() is True
        assert imm.hasRef() is False
        setImmediate(lambda: fired.append("y"))

    run_fake(main)
    assert fired == ["y"]


# -- fds reused inside one poll batch; post after close ----------------------------------


def test_event_for_a_closed_fd_is_not_delivered_to_a_new_watcher_on_the_same_number():
    """Two fds are ready in one batch; the first callback closes the other fd and
    puts a never-readable pipe on the same fd number with a new watcher. The
    batch's event for the old fd must not reach the new watcher (libuv's
    uv__platform_invalidate_fd)."""
    from jsloop._poller import READABLE

    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    os.write(a_w, b"x")
    os.write(b_w, b"x")
    stale: list[int] = []
    first: list[int] = []
    fds = {}

    def main():
        loop = get_loop()

        def on_ready(fd: int, events: int) -> None:
            if first:
                return
            first.append(fd)
            other = b_r if fd == a_r else a_r
            fds[other].close()
            os.close(other)
            q_r, q_w = os.pipe()  # nothing is ever written: never readable
            if q_r != other:  # (pipe() usually takes the freed number itself)
                os.dup2(q_r, other)
                os.close(q_r)
            fds["pipe_w"] = q_w
            new = loop.io_watch(other, lambda ev: stale.append(ev))
            new.start(READABLE)
            fds["new"] = new
            # end the run after this turn
            def finish() -> None:
                new.close()
                fds[fd].close()

            setImmediate(finish)

        for fd in (a_r, b_r):
            w = loop.io_watch(fd, lambda ev, fd=fd: on_ready(fd, ev))
            w.start(READABLE)
            fds[fd] = w

    try:
        jsloop.run(main)
    finally:
        for fd in (a_r, a_w, b_r, b_w, fds.get("pipe_w", -1)):
            try:
                os.close(fd)
            except OSError:
                pass
    assert len(first) == 1
    assert stale == []


def test_post_after_close_raises_and_never_writes_to_a_reused_fd_number():
    box = {}

    def main():
        box["loop"] = get_loop()

    jsloop.run(main)
    loop = box["loop"]
    # The wakeup eventfd's number is free again: the next fd takes it.
    fd = os.eventfd(0, os.EFD_NONBLOCK)
    try:
        with pytest.raises(RuntimeError, match="closed"):
            loop.post(print, "never")
        with pytest.raises(BlockingIOError):
            os.eventfd_read(fd)  # nothing was written to the new owner of the number
    finally:
        os.close(fd)


def test_post_racing_close_from_another_thread_never_raises_oserror():
    """Posts from a thread while the loop closes: each either runs, raises
    RuntimeError (closed), or is dropped; never an OSError or a write elsewhere."""
    errors: list[BaseException] = []
    started = threading.Event()
    stop = threading.Event()

    def poster(loop) -> None:
        started.set()
        while not stop.is_set():
            try:
                loop.post(lambda: None)
            except RuntimeError:
                return
            except BaseException as exc:  # pragma: no cover - the failure
                errors.append(exc)
                return

    threads = []

    def main():
        t = threading.Thread(target=poster, args=(get_loop(),))
        threads.append(t)
        t.start()
        started.wait(5)

    jsloop.run(main)
    threads[0].join(5)
    stop.set()
    assert not threads[0].is_alive()
    assert errors == []


# -- process: exit, exitCode, beforeExit, warnings ------------------------------------------


def _run_script(tmp_path, name: str, body: str, *args: str, timeout: float = 30):
    script = tmp_path / name
    script.write_text(textwrap.dedent(body))
    return subprocess.run(
        [sys.executable, "-m", "jsloop", str(script), *args],
        capture_output=True, text=True, timeout=timeout, cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


ROOT = pathlib.Path(__file__).resolve().parents[1]

EXIT_JS_PY = [
    # (node program, jsloop script): both print lines and end with some exit code
    (
        """
        let k = 0;
        process.on('exit', (c) => { k++; console.log('first', c, k, process._exiting);
                                    process.exitCode = 7; process.exit(3); });
        process.on('exit', (c) => console.log('second', c));
        """,
        """
        from jsloop import process
        k = [0]
        def first(c):
            k[0] += 1
            print('first', c, k[0], str(process._exiting).lower())
            process.exitCode = 7
            process.exit(3)
        process.on('exit', first)
        process.on('exit', lambda c: print('second', c))
        """,
    ),
    (
        "process.on('exit', (c) => { console.log('exit', c); process.exitCode = 9; });",
        """
        from jsloop import process
        def on_exit(c):
            print('exit', c)
            process.exitCode = 9
        process.on('exit', on_exit)
        """,
    ),
    (
        """
        process.on('exit', (c) => { console.log('exit', c); process.exitCode = 9; });
        setTimeout(() => { throw new Error('boom'); }, 1);
        """,
        """
        from jsloop import process, setTimeout
        def on_exit(c):
            print('exit', c)
            process.exitCode = 9
        process.on('exit', on_exit)
        def boom():
            raise ValueError('boom')
        setTimeout(boom, 1)
        """,
    ),
    (
        """
        process.exitCode = 5;
        process.on('exit', (c) => { console.log('exit', c); process.exit(); });
        """,
        """
        from jsloop import process
        process.exitCode = 5
        def on_exit(c):
            print('exit', c)
            process.exit()
        process.on('exit', on_exit)
        """,
    ),
    (
        """
        let n = 0;
        process.on('beforeExit', () => {
          n++; console.log('beforeExit', n);
          if (n === 1) { const s = require('net').createServer(); s.listen(0); s.close(); }
          if (n === 2) { const t = setTimeout(() => {}, 10); clearTimeout(t); }
        });
        process.on('exit', (c) => console.log('exit', c));
        """,
        """
        from jsloop import clearTimeout, net, process, setTimeout
        n = [0]
        def before_exit(code):
            n[0] += 1
            print('beforeExit', n[0])
            if n[0] == 1:
                s = net.createServer()
                s.listen(0)
                s.close()
            if n[0] == 2:
                clearTimeout(setTimeout(lambda: None, 10))
        process.on('beforeExit', before_exit)
        process.on('exit', lambda c: print('exit', c))
        """,
    ),
]


@needs_node
@pytest.mark.parametrize("case", range(len(EXIT_JS_PY)))
def test_exit_paths_match_node(case, tmp_path):
    """process.exit() inside 'exit' (no second 'exit', the code it gives wins),
    exitCode set inside 'exit' (honoured, also after an uncaught exception),
    a handle opened and closed in 'beforeExit' (one more 'beforeExit')."""
    js, py = EXIT_JS_PY[case]
    node = subprocess.run(
        [NODE, "-e", textwrap.dedent(js)], capture_output=True, text=True, timeout=30
    )
    ours = _run_script(tmp_path, "prog.py", py)
    assert ours.stdout.split("\n") == node.stdout.split("\n"), ours.stderr
    assert ours.returncode == node.returncode, ours.stderr


def test_run_raises_system_exit_for_a_nonzero_exit_code():
    """jsloop.run honours process.exitCode: SystemExit(code), after 'exit' ran."""
    from jsloop import process

    seen = []

    def main():
        process.exitCode = 4
        process.on("exit", lambda c: seen.append(c))
        return "value"

    with pytest.raises(SystemExit) as info:
        jsloop.run(main)
    assert info.value.code == 4
    assert seen == [4]
    assert jsloop.run(lambda: "value") == "value"  # a zero code returns main's value


def test_watcher_opened_and_closed_in_before_exit_revives_once():
    """libuv's uv_close: a closed handle passes through the close phase, so the
    loop is alive once more and 'beforeExit' comes again (Node does the same
    for a server listened and closed there)."""
    from jsloop import process
    from jsloop._poller import READABLE

    r, w = os.pipe()
    log = []

    def main():
        def before_exit(code):
            log.append("beforeExit")
            if len(log) == 1:
                watcher = get_loop().io_watch(r, lambda ev: None)
                watcher.start(READABLE)
                watcher.close()

        process.on("beforeExit", before_exit)
        process.on("exit", lambda c: log.append(f"exit {c}"))

    try:
        jsloop.run(main)
    finally:
        os.close(r)
        os.close(w)
    assert log == ["beforeExit", "beforeExit", "exit 0"]


@needs_node
def test_warnings_are_process_warning_events_after_the_sync_code(capfd):
    js = """
    process.on('warning', (w) => console.log('warning', w.name, w.code));
    const e = new (require('events'))();
    e.setMaxListeners(1); e.on('a', () => {}); e.on('a', () => {});
    process.emitWarning('hello', 'MyType', 'MYCODE');
    Promise.reject(new Error('x'));
    console.log('sync done');
    """
    node = subprocess.run(
        [NODE, "--unhandled-rejections=warn", "-e", js],
        capture_output=True, text=True, timeout=30,
    )
    from jsloop import EventEmitter, Promise, process

    out: list[str] = []

    def main():
        def on_warning(w):
            out.append(f"warning {w.name} {getattr(w, 'code', None) or 'undefined'}")

        process.on("warning", on_warning)
        e = EventEmitter()
        e.setMaxListeners(1)
        e.on("a", lambda: None)
        e.on("a", lambda: None)
        process.emitWarning("hello", "MyType", "MYCODE")
        Promise.reject(ValueError("x"))
        out.append("sync done")

    jsloop.run(main, unhandled_rejections="warn")
    assert out == node.stdout.strip().split("\n")
    err = capfd.readouterr().err
    assert f"(jsloop:{os.getpid()}) [MYCODE] MyType: hello" in err
    assert "MaxListenersExceededWarning: Possible EventEmitter memory leak" in err
    assert err.count("UnhandledPromiseRejectionWarning") == 2


def test_process_exiting_memory_usage_versions_and_stdio(capfd):
    from jsloop import process

    seen = {}

    def main():
        seen["during"] = process._exiting
        process.on("exit", lambda c: seen.setdefault("exit", process._exiting))
        mu = process.memoryUsage()
        seen["mu"] = mu
        seen["rss"] = process.memoryUsage.rss()
        assert process.stdout.write("to stdout\n") is True
        process.stderr.write(b"to stderr\n", lambda err: seen.setdefault("cb", err))

    jsloop.run(main)
    assert seen["during"] is False and seen["exit"] is True
    assert set(seen["mu"]) == {"rss", "heapTotal", "heapUsed", "external", "arrayBuffers"}
    assert seen["rss"] > 1_000_000 and seen["mu"]["rss"] > 1_000_000
    assert "cb" in seen and seen["cb"] is None
    assert {"node", "jsloop", "python"} <= set(process.versions)
    assert process.versions["node"].startswith("20.")
    captured = capfd.readouterr()
    assert "to stdout" in captured.out and "to stderr" in captured.err
    assert process._exiting is False  # the next run starts clean


# -- per-loop process state --------------------------------------------------------------


def test_concurrent_runs_in_two_threads_keep_their_own_process_state():
    """``process`` is one object, but listeners, exitCode and _exiting belong to
    the loop running in the calling thread: a run in another thread neither
    sees them nor resets them when it ends."""
    from jsloop import process

    log: list[str] = []
    a_in = threading.Event()
    b_done = threading.Event()
    errors: list[BaseException] = []

    def run_a():
        def main():
            process.on("exit", lambda c: log.append(f"A exit {c}"))
            process.exitCode = 3
            a_in.set()

            def wait_for_b():
                if b_done.is_set():
                    log.append(f"A sees {process.listenerCount('exit')} listener(s)")
                    log.append(f"A exitCode {process.exitCode}")
                else:
                    setTimeout(wait_for_b, 1)

            wait_for_b()

        try:
            jsloop.run(main)
        except SystemExit as exc:
            log.append(f"A SystemExit {exc.code}")
        except BaseException as exc:  # pragma: no cover - the failure
            errors.append(exc)

    t = threading.Thread(target=run_a)
    t.start()
    assert a_in.wait(10)

    def main_b():
        log.append(f"B sees {process.listenerCount('exit')} listener(s)")
        process.on("exit", lambda c: log.append(f"B exit {c}"))

    jsloop.run(main_b)
    b_done.set()
    t.join(10)
    assert not t.is_alive() and errors == []
    assert log == [
        "B sees 0 listener(s)",
        "B exit 0",
        "A sees 1 listener(s)",
        "A exitCode 3",
        "A exit 3",
        "A SystemExit 3",
    ]


def test_listener_added_before_run_is_in_force_during_it_and_dropped_after():
    from jsloop import process

    log = []
    process.on("exit", lambda c: log.append(c))
    jsloop.run(lambda: None)
    assert log == [0]
    assert process.listenerCount("exit") == 0
    jsloop.run(lambda: None)
    assert log == [0]


# -- fork ------------------------------------------------------------------------------------

FORK_PROG = """
import os
import jsloop
from jsloop import net, runInThreadPool

PARENT = os.getpid()


def main():
    def on_conn(sock):
        sock.end(b"hi")

    server = net.createServer(on_conn)

    def on_listening():
        port = server.address()["port"]

        def forked(_):
            pid = os.fork()
            if pid == 0:
                server.close()
                runInThreadPool(lambda: 42).then(lambda v: print("child pool", v, flush=True))
                return

            def reaped(status):
                print("child exit", os.waitstatus_to_exitcode(status[1]), flush=True)
                client = net.connect(port, "127.0.0.1")
                chunks = []
                client.on("data", lambda d: chunks.append(bytes(d)))

                def on_end():
                    print("parent got", b"".join(chunks).decode(), flush=True)
                    server.close()

                client.on("end", on_end)

            runInThreadPool(os.waitpid, pid, 0).then(reaped)

        runInThreadPool(lambda: None).then(forked)  # the child inherits a started pool

    server.listen(0, "127.0.0.1", on_listening)


jsloop.run(main)
if os.getpid() != PARENT:
    os._exit(0)
print("parent done", flush=True)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_forked_child_gets_its_own_poller_wakeup_and_pool(tmp_path):
    """After fork() in a callback, the child closes the inherited server and uses
    the pool; the parent's server must still accept (the child must not remove
    it from a shared epoll) and the child's pool must work (uv_loop_fork)."""
    script = tmp_path / "fork_prog.py"
    script.write_text(FORK_PROG)
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=30,
        cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    lines = out.stdout.split("\n")
    assert "child pool 42" in lines, out
    assert "child exit 0" in lines, out
    assert "parent got hi" in lines, out
    assert lines[-2:] == ["parent done", ""], out
    assert out.returncode == 0, out.stderr


# -- GC --------------------------------------------------------------------------------------


def test_failed_async_function_leaves_no_cycle_holding_its_locals():
    """A failed async function's exception (held by its rejected promise) must not
    form a reference cycle with the driver or the drain's frames: the body's
    locals are freed by reference counting, not left for the cyclic GC (under
    run's raised thresholds 6,000 failed handlers × 256 KiB peaked at 702 MiB)."""
    import gc
    import weakref

    from jsloop import asyncfn, sleep

    class Big:
        pass

    refs: list[weakref.ref[Big]] = []

    @asyncfn
    async def handler():
        big = Big()
        refs.append(weakref.ref(big))
        await sleep(0)
        raise ValueError("failed")

    @asyncfn
    async def outer():
        await handler()  # the rejection passes through a second async function

    def main():
        handler().catch(lambda e: None)
        outer().catch(lambda e: None)

    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        jsloop.run(main)
        assert len(refs) == 2
        assert [r() for r in refs] == [None, None]
    finally:
        if was_enabled:
            gc.enable()


def test_run_does_not_unfreeze_what_the_user_froze():
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        jsloop.run(lambda: None)
        # (frozen objects may still die meanwhile; an unfreeze would leave 0)
        assert frozen - 100 <= gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def test_run_restores_gc_settings_exactly_and_counts_concurrent_runs():
    """Two runs in two threads overlap: the thresholds are the tuned ones while
    either runs and exactly the user's afterwards; nothing stays frozen."""
    import gc

    saved = gc.get_threshold()
    gc.set_threshold(900, 11, 12)
    try:
        first_in = threading.Event()
        second_done = threading.Event()
        seen = {}

        def first():
            def main():
                first_in.set()
                # keep this run alive until the other thread's run has ended
                def poll():
                    if second_done.is_set():
                        seen["first_sees"] = gc.get_threshold()
                    else:
                        setTimeout(poll, 1)

                poll()

            jsloop.run(main)

        t = threading.Thread(target=first)
        t.start()
        assert first_in.wait(10)
        jsloop.run(lambda: seen.setdefault("second_sees", gc.get_threshold()))
        second_done.set()
        t.join(10)
        assert not t.is_alive()
        assert seen["second_sees"] != (900, 11, 12)
        assert seen["first_sees"] == seen["second_sees"]  # still tuned for the first run
        assert gc.get_threshold() == (900, 11, 12)
        assert gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*saved)


def test_thresholds_the_user_set_during_a_run_are_kept():
    import gc

    saved = gc.get_threshold()
    try:
        jsloop.run(lambda: gc.set_threshold(1234, 5, 6))
        assert gc.get_threshold() == (1234, 5, 6)
    finally:
        gc.set_threshold(*saved)


# -- Ctrl-C ----------------------------------------------------------------------------------


def _interrupt(cmd: list[str], second_after: str | None = None, timeout: float = 10):
    """Start ``cmd``, wait for its 'ready' line, send SIGINT (and a second one
    after the line ``second_after``); return (returncode, seconds, stderr)."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        if second_after is not None:
            assert proc.stdout.readline().strip() == second_after
            proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=timeout)
        return proc.returncode, time.monotonic() - t0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_ctrl_c_does_not_wait_for_running_pool_jobs(tmp_path):
    """node exits at once on SIGINT (killed by it) with fs work in flight; jsloop
    used to wait for the running pool jobs (4.8 s measured)."""
    script = tmp_path / "busy.py"
    script.write_text(textwrap.dedent("""
        import time
        from jsloop import runInThreadPool
        runInThreadPool(time.sleep, 8)
        runInThreadPool(time.sleep, 8)
        print("ready", flush=True)
    """))
    rc, took, err = _interrupt([sys.executable, "-m", "jsloop", str(script)])
    assert took < 3, took
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert rc == -signal.SIGINT  # as node: killed by SIGINT (a shell shows 130)
    if NODE is not None:
        js = "require('fs').readFile('/dev/zero', () => {}); console.log('ready');"
        node_rc, _took, _err = _interrupt([NODE, "-e", js])
        assert node_rc == rc


def test_second_ctrl_c_while_closing_exits_quietly(tmp_path):
    script = tmp_path / "slow_close.py"
    script.write_text(textwrap.dedent("""
        import time
        from jsloop import setInterval
        from jsloop._runtime import get_loop
        def slow_cleanup():
            print("closing", flush=True)
            time.sleep(20)
        get_loop().on_close(slow_cleanup)
        setInterval(lambda: None, 1000)
        print("ready", flush=True)
    """))
    rc, took, err = _interrupt(
        [sys.executable, "-m", "jsloop", str(script)], second_after="closing"
    )
    assert took < 5, took
    assert err == "", err
    assert rc == -signal.SIGINT


def test_ctrl_c_in_run_raises_keyboard_interrupt_and_restores_the_handler():
    """Library use: ``jsloop.run`` lets KeyboardInterrupt through (Python's way),
    without 'exit' (Node's), and leaves SIGINT's handler as it found it."""
    from jsloop import process

    log = []
    before = signal.getsignal(signal.SIGINT)

    def main():
        process.on("exit", lambda c: log.append("exit"))
        setTimeout(lambda: signal.raise_signal(signal.SIGINT), 1)
        setInterval(lambda: None, 1000)

    with pytest.raises(KeyboardInterrupt):
        jsloop.run(main)
    assert log == []
    assert signal.getsignal(signal.SIGINT) is before


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
