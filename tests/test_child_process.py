"""jsloop.child_process: events, stdio streams, exit codes/signals, errors, timeouts,
abort, exec/execFile (+ promises), the sync forms, and resource hygiene (100 children,
no thread per child, no leaked fds, no zombies).

Children are short shell/python commands; every wait is on an event, never a sleep.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from typing import Any

import pytest

import jsloop
from jsloop import child_process as cp
from jsloop.abort import AbortController, AbortError
from jsloop.stream import Writable

PY = sys.executable


def events_of(child: cp.ChildProcess, log: list[Any], prefix: str = "") -> None:
    child.on("spawn", lambda: log.append(prefix + "spawn"))
    child.on("exit", lambda code, sig: log.append((prefix + "exit", code, sig)))
    child.on("close", lambda code, sig: log.append((prefix + "close", code, sig)))
    child.on("error", lambda err: log.append((prefix + "error", getattr(err, "code", err))))


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def is_zombie_or_gone(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0]
    except FileNotFoundError:
        return "gone"


# -- events, exit codes, signals ------------------------------------------------------------


def test_exit_code_and_event_order() -> None:
    log: list[Any] = []
    out: list[bytes] = []

    def main() -> None:
        child = cp.spawn("sh", ["-c", "echo hi; exit 3"])
        events_of(child, log)
        assert isinstance(child.pid, int)
        child.stdout.on("data", out.append)
        child.stdout.on("end", lambda: log.append("stdout end"))

    jsloop.run(main)
    assert b"".join(out) == b"hi\n"
    assert log[0] == "spawn"
    assert ("exit", 3, None) in log
    assert log[-1] == ("close", 3, None)  # 'close' only after stdout ended and 'exit'
    assert log.index("stdout end") < log.index(("close", 3, None))


def test_kill_with_signal_reports_signal_code() -> None:
    result: dict[str, Any] = {}

    def main() -> None:
        child = cp.spawn("sleep", ["30"])

        def on_spawn() -> None:
            result["sent"] = child.kill("SIGKILL")

        def on_exit(code: Any, sig: Any) -> None:
            result["exit"] = (code, sig, child.exitCode, child.signalCode, child.killed)
            result["after"] = child.kill()  # already dead: False

        child.on("spawn", on_spawn)
        child.on("exit", on_exit)

    jsloop.run(main)
    assert result["sent"] is True
    assert result["exit"] == (None, "SIGKILL", None, "SIGKILL", True)
    assert result["after"] is False


def test_kill_bad_signal_raises() -> None:
    def main() -> None:
        child = cp.spawn("true")
        with pytest.raises(TypeError) as info:
            child.kill("SIGNOPE")
        assert info.value.code == "ERR_UNKNOWN_SIGNAL"  # type: ignore[attr-defined]
        assert child.kill(0) is True  # signal 0 probes

    jsloop.run(main)


def test_enoent_is_reported_async_with_node_fields_and_no_spawn_event() -> None:
    log: list[Any] = []
    errors: list[Any] = []

    def main() -> None:
        child = cp.spawn("no-such-command-jsloop", ["a", "b"])
        assert child.pid is None
        events_of(child, log)
        child.on("error", errors.append)
        jsloop.nextTick(lambda: log.append("tick"))

    jsloop.run(main)
    (err,) = errors
    assert (err.code, err.errno, err.syscall, err.path, err.spawnargs) == (
        "ENOENT",
        -2,
        "spawn no-such-command-jsloop",
        "no-such-command-jsloop",
        ["a", "b"],
    )
    assert str(err) == "spawn no-such-command-jsloop ENOENT"
    # 'error' comes from a nextTick queued by spawn() itself, so before ours; no 'spawn'.
    assert log[:2] == [("error", "ENOENT"), "tick"]
    assert "spawn" not in log and not any(e[0] == "exit" for e in log if isinstance(e, tuple))
    assert log[-1] == ("close", -2, None)


def test_eacces_and_bad_cwd() -> None:
    codes: list[Any] = []

    def main() -> None:
        cp.spawn("/etc/passwd").on("error", lambda e: codes.append(e.code))
        cp.spawn("true", [], {"cwd": "/no/such/dir"}).on("error", lambda e: codes.append(e.code))

    jsloop.run(main)
    assert codes == ["EACCES", "ENOENT"]


def test_argument_errors_raise_at_call_site() -> None:
    def main() -> None:
        for call, code in [
            (lambda: cp.spawn(5), "ERR_INVALID_ARG_TYPE"),
            (lambda: cp.spawn(""), "ERR_INVALID_ARG_VALUE"),
            (lambda: cp.spawn("ls", "notalist"), "ERR_INVALID_ARG_TYPE"),
            (lambda: cp.spawn("ls", ["a\0b"]), "ERR_INVALID_ARG_VALUE"),
            (lambda: cp.spawn("ls", [], {"timeout": -1}), "ERR_OUT_OF_RANGE"),
            (lambda: cp.spawn("ls", [], {"signal": "x"}), "ERR_INVALID_ARG_TYPE"),
            (lambda: cp.spawn("ls", [], {"killSignal": "NOPE"}), "ERR_UNKNOWN_SIGNAL"),
            (lambda: cp.spawn("ls", [], {"stdio": "bogus"}), "ERR_INVALID_ARG_VALUE"),
            (lambda: cp.spawn("ls", [], {"shell": 1}), "ERR_INVALID_ARG_TYPE"),
            (lambda: cp.exec("ls", {"maxBuffer": -1}), "ERR_OUT_OF_RANGE"),
            (
                lambda: cp.spawn("ls", [], {"stdio": ["pipe", "pipe", "pipe", "ipc"]}),
                "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
            ),
        ]:
            with pytest.raises(Exception) as info:
                call()
            assert getattr(info.value, "code", None) == code

    jsloop.run(main)


# -- stdio ------------------------------------------------------------------------------------


def test_ten_megabytes_streamed_with_backpressure() -> None:
    """10 MiB of child stdout into a slow Writable: paused reads keep the buffer bounded."""
    size = 10 * 1024 * 1024
    seen = {"bytes": 0, "max_buffered": 0, "writes": 0, "paused": 0}

    class Slow(Writable):
        def _write(self, chunk: Any, _enc: Any, cb: Any) -> None:
            seen["bytes"] += len(chunk)
            seen["writes"] += 1
            # complete every write a loop turn later: the consumer is slower than the pipe
            jsloop.setImmediate(cb)

    def main() -> Any:
        child = cp.spawn("head", ["-c", str(size), "/dev/zero"])
        sink = Slow({"highWaterMark": 16 * 1024})
        child.stdout.pipe(sink)

        def on_data(_chunk: Any) -> None:
            seen["max_buffered"] = max(seen["max_buffered"], child.stdout.readableLength)

        child.stdout.on("data", on_data)
        child.stdout.on("pause", lambda: seen.__setitem__("paused", seen["paused"] + 1))
        done = jsloop.Promise.withResolvers()
        child.on("close", lambda code, sig: done.resolve(code))
        return done.promise

    assert jsloop.run(main) == 0
    assert seen["bytes"] == size
    assert seen["paused"] > 0  # pipe() paused the source: backpressure happened
    # the readable side never held more than its highWaterMark plus one read (64 KiB)
    assert seen["max_buffered"] <= 16 * 1024 + 64 * 1024


def test_stdin_piped_through_cat() -> None:
    payload = os.urandom(1024 * 1024)
    got: list[bytes] = []

    def main() -> Any:
        child = cp.spawn("cat")
        child.stdout.on("data", got.append)
        view = memoryview(payload)
        step = 100_000
        for i in range(0, len(payload), step):
            child.stdin.write(bytes(view[i : i + step]))
        child.stdin.end()
        done = jsloop.Promise.withResolvers()
        child.on("close", lambda code: done.resolve(code))
        return done.promise

    assert jsloop.run(main) == 0
    assert b"".join(got) == payload


def test_stdin_write_returns_false_then_drain() -> None:
    events: list[str] = []

    def main() -> None:
        child = cp.spawn("sh", ["-c", "sleep 0.2; cat > /dev/null"])
        ok = child.stdin.write(b"x" * (256 * 1024))
        events.append(f"write {ok}")
        child.stdin.on("drain", lambda: (events.append("drain"), child.stdin.end()))

    jsloop.run(main)
    assert events == ["write False", "drain"]


def test_stdio_ignore_inherit_and_fd() -> None:
    r, w = os.pipe()
    result: dict[str, Any] = {}

    def main() -> None:
        child = cp.spawn("sh", ["-c", "echo to-fd"], {"stdio": ["ignore", w, "inherit"]})
        result["streams"] = (child.stdin, child.stdout, child.stderr)
        child.on("close", lambda code: result.__setitem__("code", code))

    try:
        jsloop.run(main)
        os.close(w)
        w = -1
        assert os.read(r, 100) == b"to-fd\n"
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    assert result == {"streams": (None, None, None), "code": 0}


def test_cwd_env_shell_detached_argv0() -> None:
    out: dict[str, bytes] = {}

    def collect(name: str, child: cp.ChildProcess) -> None:
        chunks: list[bytes] = []
        child.stdout.on("data", chunks.append)
        child.on("close", lambda: out.__setitem__(name, b"".join(chunks)))

    def main() -> None:
        collect("cwd", cp.spawn("pwd", [], {"cwd": "/tmp"}))
        collect(
            "env",
            cp.spawn("sh", ["-c", "echo $FOO-$BAR"], {"env": {"FOO": 1, "BAR": True, "X": None}}),
        )
        collect("shell", cp.spawn("echo $((1+2)) | tr 3 4", [], {"shell": True}))
        script = "import os; print(os.getsid(0) == os.getpid())"
        collect("detached", cp.spawn(PY, ["-c", script], {"detached": True}))
        collect("argv0", cp.spawn("sh", ["-c", "echo $0"], {"argv0": "custom-name"}))

    jsloop.run(main)
    assert out == {
        "cwd": b"/tmp\n",
        "env": b"1-true\n",
        "shell": b"4\n",
        "detached": b"True\n",
        "argv0": b"custom-name\n",
    }


# -- timeout, abort, ref ------------------------------------------------------------------


def test_timeout_kills_with_kill_signal() -> None:
    log: list[Any] = []

    def main() -> None:
        events_of(cp.spawn("sleep", ["30"], {"timeout": 50}), log, "a ")
        events_of(cp.spawn("sleep", ["30"], {"timeout": 50, "killSignal": "SIGKILL"}), log, "b ")
        events_of(cp.spawn("true", [], {"timeout": 10_000}), log, "c ")  # timer cleared on exit

    jsloop.run(main)
    assert ("a exit", None, "SIGTERM") in log
    assert ("b exit", None, "SIGKILL") in log
    assert ("c exit", 0, None) in log


def test_abort_signal_kills_and_errors() -> None:
    log: list[Any] = []
    causes: list[Any] = []

    def main() -> None:
        ac = AbortController()
        child = cp.spawn("sleep", ["30"], {"signal": ac.signal})
        events_of(child, log)
        child.on("error", lambda e: causes.append((type(e), e.cause)))
        child.on("spawn", lambda: ac.abort("stop"))
        pre = AbortController()
        pre.abort()
        early = cp.spawn("sleep", ["30"], {"signal": pre.signal})
        events_of(early, log, "pre ")

    jsloop.run(main)
    assert causes == [(AbortError, "stop")]
    assert log.index(("error", "ABORT_ERR")) < log.index(("exit", None, "SIGTERM"))
    assert ("pre error", "ABORT_ERR") in log and ("pre exit", None, "SIGTERM") in log


def test_unref_lets_the_loop_end_and_the_child_is_reaped_later() -> None:
    pids: list[int] = []

    def main() -> None:
        child = cp.spawn("sleep", ["30"], {"stdio": "ignore"})
        child.unref()
        pids.append(child.pid)

    jsloop.run(main)  # returns at once: nothing keeps the loop alive
    (pid,) = pids
    os.kill(pid, signal.SIGKILL)
    # The loop closed with the child running: it is an orphan reaped at the next spawn.
    jsloop.run(lambda: cp.spawn("true"))
    assert is_zombie_or_gone(pid) == "gone"


def test_ref_again_keeps_loop_alive() -> None:
    codes: list[Any] = []

    def main() -> None:
        child = cp.spawn("sh", ["-c", "exit 7"], {"stdio": "ignore"})
        child.unref()
        child.ref()
        child.on("exit", lambda code: codes.append(code))

    jsloop.run(main)
    assert codes == [7]


def test_hundred_children_no_threads_no_leaks_no_zombies() -> None:
    before_fds = open_fds()
    threads_seen: list[int] = []
    pids: list[int] = []
    outputs: list[bytes] = []

    def main() -> Any:
        base = threading.active_count()
        left = [100]
        done = jsloop.Promise.withResolvers()

        def on_close(code: Any, chunks: list[bytes]) -> None:
            threads_seen.append(threading.active_count() - base)
            outputs.append(b"".join(chunks))
            left[0] -= 1
            if left[0] == 0:
                done.resolve(None)

        for i in range(100):
            child = cp.spawn("sh", ["-c", f"echo {i}"])
            pids.append(child.pid)
            chunks: list[bytes] = []
            child.stdout.on("data", chunks.append)
            child.on("close", lambda code, _s, c=chunks: on_close(code, c))
        threads_seen.append(threading.active_count() - base)
        return done.promise

    jsloop.run(main)
    assert max(threads_seen) == 0  # no thread per child (nor any new thread at all)
    assert sorted(int(o) for o in outputs) == list(range(100))
    assert open_fds() == before_fds  # every pipe and pidfd closed
    assert [p for p in pids if is_zombie_or_gone(p) != "gone"] == []


# -- exec / execFile ----------------------------------------------------------------------------


def test_exec_collects_strings_and_reports_failure() -> None:
    calls: list[Any] = []

    def main() -> None:
        cp.exec("echo out; echo err >&2", lambda err, so, se: calls.append((err, so, se)))
        cp.exec("echo o; echo e >&2; exit 3", lambda err, so, se: calls.append((err, so, se)))

    jsloop.run(main)
    ok, failed = sorted(calls, key=lambda c: c[0] is not None)
    assert ok == (None, "out\n", "err\n")
    err, so, se = failed
    assert (so, se) == ("o\n", "e\n")
    assert str(err) == "Command failed: echo o; echo e >&2; exit 3\ne\n"
    assert (err.code, err.killed, err.signal, err.cmd) == (
        3,
        False,
        None,
        "echo o; echo e >&2; exit 3",
    )


def test_exec_timeout_max_buffer_and_buffer_encoding() -> None:
    got: dict[str, Any] = {}

    def main() -> None:
        cp.exec("sleep 30", {"timeout": 50}, lambda e, so, se: got.__setitem__("timeout", e))
        cp.exec(
            "yes | head -c 100000",
            {"maxBuffer": 10},
            lambda e, so, se: got.__setitem__("maxbuf", (e, so)),
        )
        cp.execFile(
            "printf",
            ["\\001\\002"],
            {"encoding": "buffer"},
            lambda e, so, se: got.__setitem__("buffer", (e, so, se)),
        )

    jsloop.run(main)
    e = got["timeout"]
    assert (e.code, e.killed, e.signal, e.cmd) == (None, True, "SIGTERM", "sleep 30")
    e, so = got["maxbuf"]
    assert isinstance(e, ValueError)  # Node's RangeError
    assert (e.code, str(e), so) == (
        "ERR_CHILD_PROCESS_STDIO_MAXBUFFER",
        "stdout maxBuffer length exceeded",
        "y\ny\ny\ny\ny\n",
    )
    assert got["buffer"] == (None, b"\x01\x02", b"")


def test_exec_file_enoent() -> None:
    got: list[Any] = []

    def main() -> None:
        cp.execFile("no-such-command-jsloop", ["a"], lambda e, so, se: got.append((e, so, se)))

    jsloop.run(main)
    ((e, so, se),) = got
    assert (e.code, e.errno, e.cmd, e.path, e.spawnargs, so, se) == (
        "ENOENT",
        -2,
        "no-such-command-jsloop a",
        "no-such-command-jsloop",
        ["a"],
        "",
        "",
    )


def test_promises_exec_and_exec_file() -> None:
    @jsloop.asyncfn
    async def main() -> Any:
        r = await cp.promises.exec("echo hi")
        out, err = await cp.promises.execFile("sh", ["-c", "echo a; echo b >&2"])
        p = cp.promises.exec("echo partial; exit 2")
        assert isinstance(p.child, cp.ChildProcess)
        try:
            await p
        except cp.ExecError as e:
            failure = (e.code, e.stdout, e.stderr)
        return r.stdout, r["stderr"], out, err, r == {"stdout": "hi\n", "stderr": ""}, failure

    assert jsloop.run(main) == ("hi\n", "", "a\n", "b\n", True, (2, "partial\n", ""))


# -- sync forms ---------------------------------------------------------------------------------


def test_spawn_sync_shapes() -> None:
    r = cp.spawnSync("cat", {"input": "abc"})
    assert (r.status, r.signal, r.output, r.stdout) == (0, None, [None, b"abc", b""], b"abc")
    r = cp.spawnSync("sh", ["-c", "exit 4"], {"encoding": "utf8"})
    assert (r.status, r.stdout, r.stderr) == (4, "", "")
    r = cp.spawnSync("no-such-command-jsloop", ["a"])
    assert (r.status, r.output, str(r.error), r.error.code, r.error.path) == (
        None,
        None,
        "spawnSync no-such-command-jsloop ENOENT",
        "ENOENT",
        "no-such-command-jsloop",
    )
    r = cp.spawnSync("sh", ["-c", "echo hi; sleep 30"], {"timeout": 100})
    assert (r.status, r.signal, r.stdout, r.error.code) == (None, "SIGTERM", b"hi\n", "ETIMEDOUT")
    r = cp.spawnSync("sh", ["-c", "yes | head -c 100000"], {"maxBuffer": 10})
    assert (r.status, r.signal, r.error.code) == (None, "SIGTERM", "ENOBUFS")
    r = cp.spawnSync("sleep", ["30"], {"timeout": 50, "stdio": "ignore", "killSignal": 9})
    assert (r.signal, r.error.code) == ("SIGKILL", "ETIMEDOUT")


def test_exec_sync_and_exec_file_sync() -> None:
    assert cp.execSync("echo hi", {"encoding": "utf8"}) == "hi\n"
    assert cp.execFileSync("echo", ["a", "b"]) == b"a b\n"
    with pytest.raises(cp.ExecSyncError) as info:
        cp.execSync("echo out; echo err >&2; exit 2", {"stdio": "pipe"})
    e = info.value
    assert (str(e), e.status, e.signal, e.stdout, e.stderr) == (
        "Command failed: echo out; echo err >&2; exit 2\nerr\n",
        2,
        None,
        b"out\n",
        b"err\n",
    )
    with pytest.raises(OSError) as oinfo:
        cp.execFileSync("no-such-command-jsloop", ["q"])
    assert (oinfo.value.code, oinfo.value.status) == ("ENOENT", None)  # type: ignore[attr-defined]


def test_sigchld_fallback_without_pidfd(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where pidfd_open is missing, one SIGCHLD handler wakes the loop and it reaps."""
    import errno as errno_mod

    def no_pidfd(_pid: int) -> int:
        raise OSError(errno_mod.ENOSYS, "pidfd_open")

    monkeypatch.setattr(os, "pidfd_open", no_pidfd)
    log: list[Any] = []
    before = signal.getsignal(signal.SIGCHLD)

    def main() -> None:
        events_of(cp.spawn("sh", ["-c", "exit 5"]), log, "a ")
        # no pipes: only the SIGCHLD keep-alive holds the loop open until it exits
        events_of(cp.spawn("sh", ["-c", "sleep 0.2; exit 6"], {"stdio": "ignore"}), log, "d ")
        b = cp.spawn("sleep", ["30"])
        events_of(b, log, "b ")
        b.on("spawn", lambda: b.kill("SIGKILL"))
        c = cp.spawn("sleep", ["30"], {"stdio": "ignore"})
        c.unref()  # must not keep the loop alive through the SIGCHLD path either
        log.append(("c", c.pid))

    jsloop.run(main)
    assert ("a exit", 5, None) in log and ("a close", 5, None) in log
    assert ("b exit", None, "SIGKILL") in log
    assert ("d exit", 6, None) in log
    assert signal.getsignal(signal.SIGCHLD) == before  # handler restored at loop close
    (c_pid,) = [e[1] for e in log if e[0] == "c"]
    os.kill(c_pid, signal.SIGKILL)
    os.waitpid(c_pid, 0)  # the orphan list will find it reaped (ChildProcessError)


EVENT_ORDER_JS = """
const log = (...a) => console.log(a.join(' '));
const {spawn} = require('child_process');
const a = spawn('true', [], {stdio: 'ignore'});
process.nextTick(() => log('tick after spawn()'));
Promise.resolve().then(() => log('micro'));
a.on('spawn', () => { log('spawn', a.pid > 0); process.nextTick(() => log('tick in spawn')); });
a.on('exit', (c, s) => log('exit', c, s, a.exitCode));
a.on('close', (c, s) => log('close', c, s));
const b = spawn('no-such-cmd-jsloop', ['x'], {stdio: 'ignore'});
b.on('error', (e) => log('error', e.code, b.exitCode, b.pid));
b.on('close', (c, s) => log('b close', c, s));
b.on('exit', () => log('b exit (never)'));
log('sync end', a.stdin, a.stdio.length);
"""
# Recorded from node v20.11.1 (re-checked below when node is on PATH).
EVENT_ORDER_NODE = [
    "sync end  3",
    "spawn true",
    "tick after spawn()",
    "error ENOENT -2 ",
    "b close -2 ",
    "tick in spawn",
    "micro",
    "exit 0  0",
    "close 0 ",
]


def test_event_order_matches_node() -> None:
    """spawn/error/exit/close relative to nextTick and microtasks, as Node orders them."""
    out: list[str] = []

    def js(v: Any) -> str:
        return "" if v is None else ("true" if v is True else str(v))

    def log(*parts: Any) -> None:
        out.append(" ".join(js(p) for p in parts))

    def main() -> None:
        a = cp.spawn("true", [], {"stdio": "ignore"})
        jsloop.nextTick(lambda: log("tick after spawn()"))
        jsloop.Promise.resolve().then(lambda: log("micro"))

        def on_spawn() -> None:
            log("spawn", a.pid > 0)
            jsloop.nextTick(lambda: log("tick in spawn"))

        a.on("spawn", on_spawn)
        a.on("exit", lambda c, s: log("exit", c, s, a.exitCode))
        a.on("close", lambda c, s: log("close", c, s))
        b = cp.spawn("no-such-cmd-jsloop", ["x"], {"stdio": "ignore"})
        b.on("error", lambda e: log("error", e.code, b.exitCode, b.pid))
        b.on("close", lambda c, s: log("b close", c, s))
        b.on("exit", lambda: log("b exit (never)"))
        log("sync end", a.stdin, len(a.stdio))

    jsloop.run(main)
    assert out == EVENT_ORDER_NODE


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
def test_recorded_event_order_is_nodes() -> None:
    node = shutil.which("node")
    assert node is not None
    res = subprocess.run(
        [node, "-e", EVENT_ORDER_JS], capture_output=True, text=True, timeout=30, check=True
    )
    assert res.stdout.splitlines() == EVENT_ORDER_NODE


def test_failed_starts_and_killed_children_leak_no_fds() -> None:
    before = open_fds()

    def main() -> None:
        for _ in range(20):
            cp.spawn("no-such-command-jsloop").on("error", lambda e: None)
            cp.spawn("true", [], {"cwd": "/no/such/dir"}).on("error", lambda e: None)
            child = cp.spawn("sleep", ["30"])
            child.on("spawn", child.kill)
            cp.exec("echo hi", {"maxBuffer": 1}, lambda err, so, se: None)

    jsloop.run(main)
    assert open_fds() == before
