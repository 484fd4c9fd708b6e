"""child_process tests ported from Node v20's test/parallel/test-child-process-*.js.

Each test names its upstream file. Node's fixtures run ``node`` scripts as
children; here the same child behaviour is a short ``sh`` or Python command
(``exit.js 23`` → ``sys.exit(23)``, the stay-alive fixture → ``sleep 30``,
``node -p 42`` → ``python -c 'print(42)'``). Left out: Windows-only branches,
``file:`` URL cwd values, ``fork``/IPC, and checks of Node internals.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from typing import Any

import pytest

import jsloop
from jsloop import child_process as cp
from jsloop.abort import AbortController, AbortSignal, DOMException

PY = sys.executable
ALIVE = ["sleep", "30"]  # test/fixtures/child-process-stay-alive-forever.js


def py_cmd(code: str) -> str:
    return f"{shlex.quote(PY)} -c {shlex.quote(code)}"


def abort_listeners(signal: AbortSignal) -> int:
    return len(signal._et_listeners.get("abort", []))


def test_spawn_error(must: Any) -> None:
    """test/parallel/test-child-process-spawn-error.js"""

    def main() -> None:
        child = cp.spawn("foo123", ["bar"])
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        assert child.stdio == [child.stdin, child.stdout, child.stderr]
        assert child.pid is None
        child.on("spawn", must.not_call())

        def on_error(err: Any) -> None:
            assert err.code == "ENOENT" and err.errno == -2
            assert err.syscall == "spawn foo123"
            assert err.path == "foo123"
            assert err.spawnargs == ["bar"]

        child.on("error", must.call(on_error))

    jsloop.run(main)


def test_exit_code(must: Any) -> None:
    """test/parallel/test-child-process-exit-code.js"""

    def main() -> None:
        def exit23(code: Any, signal: Any) -> None:
            assert (code, signal) == (23, None)

        cp.spawn(PY, ["-c", "import sys; sys.exit(int(sys.argv[1]))", "23"]).on(
            "exit", must.call(exit23)
        )

        def nonzero(code: Any, signal: Any) -> None:
            assert code != 0 and signal is None

        # child_process_should_emit_error.js: the child dies of an uncaught error
        cp.spawn(PY, ["-c", "raise RuntimeError('boom')"], {"stdio": "ignore"}).on(
            "exit", must.call(nonzero)
        )

    jsloop.run(main)


def test_kill(must: Any) -> None:
    """test/parallel/test-child-process-kill.js"""

    def main() -> None:
        cat = cp.spawn("cat")
        cat.stdout.on("end", must.call())
        cat.stderr.on("data", must.not_call())
        cat.stderr.on("end", must.call())

        def on_exit(code: Any, signal: Any) -> None:
            assert (code, signal, cat.signalCode) == (None, "SIGTERM", "SIGTERM")

        cat.on("exit", must.call(on_exit))
        assert cat.signalCode is None and cat.killed is False
        cat.kill()
        assert cat.killed is True

    jsloop.run(main)


def test_spawn_event(must: Any) -> None:
    """test/parallel/test-child-process-spawn-event.js"""

    def main() -> None:
        sub = cp.spawn("echo", ["ok"])
        did_spawn = [False]
        sub.on("spawn", lambda: did_spawn.__setitem__(0, True))

        def after_spawn() -> Any:
            def check(*_a: Any) -> None:
                assert did_spawn[0]

            return must.call(check)

        sub.on("error", must.not_call())
        sub.on("spawn", must.call())
        sub.stdout.on("data", after_spawn())
        sub.stdout.on("end", after_spawn())
        sub.stdout.on("close", after_spawn())
        sub.stderr.on("data", must.not_call())
        sub.stderr.on("end", after_spawn())
        sub.stderr.on("close", after_spawn())
        sub.on("exit", after_spawn())
        sub.on("close", after_spawn())

    jsloop.run(main)


@pytest.mark.parametrize(
    "case",
    [
        "abort",
        "abort-error",
        "abort-string",
        "pre",
        "pre-error",
        "pre-string",
        "later",
        "later-sigkill",
        "after-exit",
    ],
)
def test_spawn_controller(case: str, must: Any) -> None:
    """test/parallel/test-child-process-spawn-controller.js (one case per upstream block)"""
    boom = ValueError("boom")

    def main() -> None:
        opts: dict[str, Any] = {}
        controller = AbortController()
        if case.startswith("pre"):
            reason = {"pre": None, "pre-error": boom, "pre-string": "boom"}[case]
            opts["signal"] = AbortSignal.abort(reason)
        else:
            opts["signal"] = controller.signal
        if case == "later-sigkill":
            opts["killSignal"] = "SIGKILL"
        child = cp.spawn(ALIVE[0], ALIVE[1:], opts)
        if case == "after-exit":
            child.on("exit", must.call(lambda: controller.abort()))
            child.on("error", must.not_call())
            jsloop.setTimeout(child.kill, 1)
            return
        want = "SIGKILL" if case == "later-sigkill" else "SIGTERM"

        def on_exit(code: Any, kill_signal: Any) -> None:
            assert (code, kill_signal) == (None, want)

        def on_error(e: Any) -> None:
            assert e.name == "AbortError"
            if case in ("abort-error", "pre-error"):
                assert e.cause is boom
            if case in ("abort-string", "pre-string"):
                assert e.cause == "boom"

        child.on("exit", must.call(on_exit))
        child.on("error", must.call(on_error))
        if case == "abort":
            controller.abort()
        elif case == "abort-error":
            controller.abort(boom)
        elif case == "abort-string":
            controller.abort("boom")
        elif case.startswith("later"):
            jsloop.setTimeout(controller.abort, 1)

    jsloop.run(main)


def test_stdin(must: Any) -> None:
    """test/parallel/test-child-process-stdin.js"""

    def main() -> None:
        cat = cp.spawn("cat")
        cat.stdin.write("hello")
        cat.stdin.write(" ")
        cat.stdin.write("world")
        assert cat.stdin.writable is True
        assert cat.stdin.readable is False
        cat.stdin.end()
        response: list[str] = []
        cat.stdout.setEncoding("utf8")
        cat.stdout.on("data", response.append)
        cat.stdout.on("end", must.call())
        cat.stderr.on("data", must.not_call())
        cat.stderr.on("end", must.call())
        cat.on("exit", must.call(lambda status: _eq(status, 0)))
        cat.on("close", must.call(lambda: _eq("".join(response), "hello world")))

    jsloop.run(main)


def _eq(a: Any, b: Any) -> None:
    assert a == b


def test_flush_stdio(must: Any) -> None:
    """test/parallel/test-child-process-flush-stdio.js"""

    def main() -> None:
        def spawn_with_readable() -> None:
            buffer: list[bytes] = []
            p = cp.spawn("echo", ["123"])

            def on_close(code: Any, signal: Any) -> None:
                assert (code, signal) == (0, None)
                assert b"".join(buffer).strip() == b"123"

            p.on("close", must.call(on_close))

            def on_readable() -> None:
                while (buf := p.stdout.read()) is not None:
                    buffer.append(buf)

            p.stdout.on("readable", on_readable)

        p = cp.spawn("echo", [])

        def first_close(code: Any, signal: Any) -> None:
            assert (code, signal) == (0, None)
            spawn_with_readable()

        p.on("close", must.call(first_close))
        p.stdout.read()

    jsloop.run(main)


def test_exec_timeout_kill_and_not_expired(must: Any) -> None:
    """test/parallel/test-child-process-exec-timeout-kill.js and
    test/parallel/test-child-process-exec-timeout-not-expired.js"""
    child = (
        "import sys,time; time.sleep(float(sys.argv[1])); print('child stdout'); "
        "print('child stderr', file=sys.stderr)"
    )
    slow = py_cmd(child) + " 30"
    quick = py_cmd(child) + " 0.1"

    def main() -> None:
        def killed(err: Any, stdout: str, stderr: str) -> None:
            assert (err.killed, err.code, err.signal, err.cmd) == (True, None, "SIGKILL", slow)
            assert (stdout.strip(), stderr.strip()) == ("", "")

        cp.exec(slow, {"timeout": 50, "killSignal": "SIGKILL"}, must.call(killed))

        def fine(err: Any, stdout: str, stderr: str) -> None:
            assert err is None
            assert (stdout.strip(), stderr.strip()) == ("child stdout", "child stderr")

        cp.exec(quick, {"timeout": 2**30}, must.call(fine))

    jsloop.run(main)


def test_exec_maxbuf(must: Any) -> None:
    """test/parallel/test-child-process-exec-maxbuf.js"""
    mib = 1024 * 1024
    unicode = "中文测试"  # 4 characters, 12 bytes

    def checks(stream_name: str, expected: Any) -> Any:
        def check(err: Any, stdout: Any, stderr: Any) -> None:
            assert str(err) == f"{stream_name} maxBuffer length exceeded"
            assert isinstance(err, ValueError)  # Node's RangeError
            assert err.code == "ERR_CHILD_PROCESS_STDIO_MAXBUFFER"
            assert {"stdout": stdout, "stderr": stderr}[stream_name] == expected

        return must.call(check)

    def succeeds(expected_stdout: str) -> Any:
        def check(err: Any, stdout: str, stderr: str) -> None:
            assert err is None
            assert (stdout.strip(), stderr) == (expected_stdout, "")

        return must.call(check)

    def main() -> None:
        cp.exec(py_cmd(f"print('a' * {mib})"), checks("stdout", "a" * mib))
        cp.exec(py_cmd(f"print('a' * ({mib} - 1))"), succeeds("a" * (mib - 1)))
        cp.exec(
            py_cmd("print('hello world')"), {"maxBuffer": float("inf")}, succeeds("hello world")
        )
        cp.exec("echo hello world", {"maxBuffer": 5}, checks("stdout", "hello"))
        # one write, as console.log makes
        out = py_cmd(f"import os; os.write(1, '{unicode}\\n'.encode())")
        err = py_cmd(f"import os; os.write(2, '{unicode}\\n'.encode())")
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        cp.exec(out, {"maxBuffer": 10, "env": env}, checks("stdout", unicode + "\n"))
        cp.exec(err, {"maxBuffer": 3, "env": env}, checks("stderr", "中文测"))
        c1 = cp.exec(
            out, {"encoding": None, "maxBuffer": 10, "env": env}, checks("stdout", unicode + "\n")
        )
        c1.stdout.setEncoding("utf-8")
        c2 = cp.exec(
            err, {"encoding": None, "maxBuffer": 3, "env": env}, checks("stderr", "中文测")
        )
        c2.stderr.setEncoding("utf-8")
        cp.exec(
            err,
            {"encoding": None, "maxBuffer": 5, "env": env},
            checks("stderr", unicode.encode()[:5]),
        )

    jsloop.run(main)


def test_promisified(must: Any) -> None:
    """test/parallel/test-child-process-promisified.js"""

    def main() -> None:
        p = cp.promises.exec(py_cmd("print(42)"))
        assert isinstance(p.child, cp.ChildProcess)
        p.then(must.call(lambda obj: _eq(obj, {"stdout": "42\n", "stderr": ""})))
        p = cp.promises.execFile(PY, ["-c", "print(42)"])
        assert isinstance(p.child, cp.ChildProcess)
        p.then(must.call(lambda obj: _eq(obj, {"stdout": "42\n", "stderr": ""})))
        for p in (cp.promises.exec("doesntexist"), cp.promises.execFile("doesntexist", ["-p"])):
            assert isinstance(p.child, cp.ChildProcess)
            p.catch(must.call(lambda err: _eq("doesntexist" in str(err), True)))
        failing = "import sys; print(42); print(43, file=sys.stderr); sys.exit(1)"

        def check(err: Any) -> None:
            assert (err.code, err.stdout, err.stderr) == (1, "42\n", "43\n")

        cp.promises.exec(py_cmd(failing)).catch(must.call(check))
        cp.promises.execFile(PY, ["-c", failing]).catch(must.call(check))

    jsloop.run(main)


def test_exec_abortcontroller_promisified(must: Any) -> None:
    """test/parallel/test-child-process-exec-abortcontroller-promisified.js"""
    wait = "sleep 120"
    boom = ValueError("boom")

    def main() -> None:
        def rejects_with(cause_check: Any) -> Any:
            def check(err: Any) -> None:
                assert err.name == "AbortError"
                cause_check(err.cause)

            return must.call(check)

        def default_cause(c: Any) -> None:
            assert isinstance(c, DOMException)
            assert (c.name, c.message) == ("AbortError", "This operation was aborted")

        ac = AbortController()
        cp.promises.exec(wait, {"signal": ac.signal}).catch(rejects_with(default_cause))
        ac.abort()
        ac = AbortController()
        cp.promises.exec(wait, {"signal": ac.signal}).catch(
            rejects_with(lambda c: _eq(c is boom, True))
        )
        ac.abort(boom)
        ac = AbortController()
        cp.promises.exec(wait, {"signal": ac.signal}).catch(rejects_with(lambda c: _eq(c, "boom")))
        ac.abort("boom")
        for bad in ({}, lambda: None):
            with pytest.raises(TypeError) as info:
                cp.promises.exec(wait, {"signal": bad})
            assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        cp.promises.exec(wait, {"signal": AbortSignal.abort()}).catch(rejects_with(lambda c: None))
        cp.promises.exec(wait, {"signal": AbortSignal.abort(boom)}).catch(
            rejects_with(lambda c: _eq(c is boom, True))
        )
        cp.promises.exec(wait, {"signal": AbortSignal.abort("boom")}).catch(
            rejects_with(lambda c: _eq(c, "boom"))
        )

    jsloop.run(main)


def test_spawn_timeout_kill_signal(must: Any) -> None:
    """test/parallel/test-child-process-spawn-timeout-kill-signal.js"""

    def main() -> None:
        cp.spawn(*ALIVE[:1], ALIVE[1:], {"timeout": 5}).on(
            "exit", must.call(lambda code, ks: _eq(ks, "SIGTERM"))
        )
        cp.spawn(*ALIVE[:1], ALIVE[1:], {"timeout": 6, "killSignal": "SIGKILL"}).on(
            "exit", must.call(lambda code, ks: _eq(ks, "SIGKILL"))
        )
        for bad in ("badValue", {}):
            with pytest.raises(ValueError) as info:
                cp.spawn(*ALIVE[:1], ALIVE[1:], {"timeout": bad})
            assert info.value.code == "ERR_OUT_OF_RANGE"  # type: ignore[attr-defined]
        controller = AbortController()
        child = cp.spawn(*ALIVE[:1], ALIVE[1:], {"timeout": 6, "signal": controller.signal})
        assert abort_listeners(controller.signal) == 1
        child.on("exit", must.call(lambda: _eq(abort_listeners(controller.signal), 0)))

    jsloop.run(main)


def test_cwd(must: Any) -> None:
    """test/parallel/test-child-process-cwd.js"""

    def main() -> None:
        def test_cwd(
            options: Any, expect_pid: bool, expect_code: int = 0, expect_data: str | None = None
        ) -> cp.ChildProcess:
            child = cp.spawn("pwd", [], options)
            assert (child.pid is not None) == expect_pid
            child.stdout.setEncoding("utf8")
            data: list[str] = []
            child.stdout.on("data", data.append)
            child.on("exit", lambda code, signal: _eq(code, expect_code))

            def on_close() -> None:
                if expect_data:
                    assert "".join(data).strip() == expect_data

            child.on("close", must.call(on_close))
            return child

        test_cwd({"cwd": "does-not-exist"}, False, -1).on(
            "error", must.call(lambda e: _eq(e.code, "ENOENT"))
        )
        tmp = os.path.realpath(tempfile.gettempdir())
        test_cwd({"cwd": tmp}, True, 0, tmp)
        test_cwd({"cwd": "/dev"}, True, 0, "/dev")
        test_cwd({"cwd": ""}, True)
        test_cwd({"cwd": None}, True)

    jsloop.run(main)


def test_spawnsync() -> None:
    """test/parallel/test-child-process-spawnsync.js"""
    assert cp.spawnSync("sleep", ["0"]).status == 0
    err = cp.spawnSync("command_does_not_exist", ["bar"]).error
    assert (err.code, err.errno, err.syscall, err.path, err.spawnargs) == (
        "ENOENT",
        -2,
        "spawnSync command_does_not_exist",
        "command_does_not_exist",
        ["bar"],
    )
    cwd = os.path.realpath(tempfile.gettempdir())
    assert cp.spawnSync("pwd", {"cwd": cwd}).stdout.decode().strip() == cwd
    ret_default = cp.spawnSync("pwd")
    ret_buffer = cp.spawnSync("pwd", {"encoding": "buffer"})
    assert ret_default.output == ret_buffer.output
    ret_utf8 = cp.spawnSync("pwd", {"encoding": "utf8"})
    assert ret_utf8.output == [None, ret_default.stdout.decode(), ret_default.stderr.decode()]


def test_spawnsync_timeout() -> None:
    """test/parallel/test-child-process-spawnsync-timeout.js"""
    import time

    start = time.monotonic()
    ret = cp.spawnSync(PY, ["-c", "import time; time.sleep(5)"], {"timeout": 200})
    assert ret.error.code == "ETIMEDOUT" and ret.error.errno == -110
    assert time.monotonic() - start < 5
    assert (ret.status or 0) > 128 or ret.signal


MSG_OUT = "this is stdout"
MSG_ERR = "this is stderr"
PRINT_BOTH = ["-c", f"import sys; print({MSG_OUT!r}); print({MSG_ERR!r}, file=sys.stderr)"]


def test_spawnsync_input() -> None:
    """test/parallel/test-child-process-spawnsync-input.js"""

    def verify_buf_output(ret: Any) -> None:
        assert (ret.status, ret.get("error")) == (0, None)
        assert ret.stdout == f"{MSG_OUT}\n".encode()
        assert ret.stderr == f"{MSG_ERR}\n".encode()

    # the 'spawnchild' cases: a child that itself runs spawnSync with inherited stdio
    for stdio in ("'inherit'", "['inherit', 'inherit', 'inherit']"):
        inner = (
            "import sys; from jsloop import child_process as cp; "
            f"r = cp.spawnSync(sys.executable, {PRINT_BOTH!r}, {{'stdio': {stdio}}}); "
            "assert r.status == 0 and r.get('error') is None"
        )
        verify_buf_output(cp.spawnSync(PY, ["-c", inner]))
    with pytest.raises(TypeError) as info:
        cp.spawnSync("cat", [], {"input": 1234})
    assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
    ret = cp.spawnSync("cat", [], {"input": "hello world"})
    assert (ret.status, ret.stdout.decode(), ret.stderr.decode()) == (0, "hello world", "")
    ret = cp.spawnSync("cat", [], {"input": b"hello world"})
    assert (ret.stdout, ret.stderr) == (b"hello world", b"")
    msg = b"hello world" * 8
    for view in (bytearray(msg), memoryview(msg)):
        ret = cp.spawnSync("cat", [], {"input": view})
        assert (ret.status, ret.stdout, ret.stderr) == (0, msg, b"")
    verify_buf_output(cp.spawnSync(PY, PRINT_BOTH))
    ret = cp.spawnSync(PY, PRINT_BOTH, {"encoding": "utf8"})
    assert (ret.status, ret.stdout, ret.stderr) == (0, f"{MSG_OUT}\n", f"{MSG_ERR}\n")


def test_spawnsync_maxbuf() -> None:
    """test/parallel/test-child-process-spawnsync-maxbuf.js"""
    args = ["-c", f"import os; os.write(1, {MSG_OUT!r}.encode() + bytes([10]))"]  # one write
    ret = cp.spawnSync(PY, args, {"maxBuffer": 1})
    assert (ret.error.code, ret.error.errno) == ("ENOBUFS", -105)
    assert ret.stdout == f"{MSG_OUT}\n".encode()
    ret = cp.spawnSync(PY, args, {"maxBuffer": float("inf")})
    assert ret.get("error") is None and ret.stdout == f"{MSG_OUT}\n".encode()
    ret = cp.spawnSync(PY, ["-c", "print('a' * (1024 * 1024))"])
    assert ret.error.code == "ENOBUFS"
    ret = cp.spawnSync(PY, ["-c", "print('a' * (1024 * 1024 - 1))"])
    assert ret.get("error") is None
    assert ret.stdout.decode().strip() == "a" * (1024 * 1024 - 1)


def test_exec_std_encoding(must: Any) -> None:
    """test/parallel/test-child-process-exec-std-encoding.js"""

    def main() -> None:
        def check(err: Any, stdout: str, stderr: str) -> None:
            assert err is None
            assert (stdout, stderr) == ("foo\n", "bar\n")

        child = cp.exec(
            py_cmd("import sys; print('foo'); print('bar', file=sys.stderr)"), must.call(check)
        )
        child.stdout.setEncoding("utf-8")
        child.stderr.setEncoding("utf-8")

    jsloop.run(main)


def test_env(must: Any) -> None:
    """test/parallel/test-child-process-env.js (no prototype chain in Python: FOO is a key)"""

    def main() -> None:
        env = {
            **os.environ,
            "HELLO": "WORLD",
            "UNDEFINED": None,
            "EMPTY": "",
            "duplicate": "lowercase",
            "DUPLICATE": "uppercase",
            "FOO": "BAR",
        }
        child = cp.spawn("/usr/bin/env", [], {"env": env})
        response: list[str] = []
        child.stdout.setEncoding("utf8")
        child.stdout.on("data", response.append)

        def on_end() -> None:
            text = "".join(response)
            assert "HELLO=WORLD" in text and "FOO=BAR" in text
            assert "UNDEFINED=" not in text
            assert "EMPTY=\n" in text
            assert "DUPLICATE=uppercase" in text and "duplicate=lowercase" in text

        child.stdout.on("end", must.call(on_end))

    jsloop.run(main)


def test_spawn_typeerror() -> None:
    """test/parallel/test-child-process-spawn-typeerror.js (the ``undefined`` cases; Python's
    None is ``undefined``, so the cases where Node rejects ``null`` do not apply; no fork)"""

    def code_of(call: Any) -> str:
        with pytest.raises(TypeError) as info:
            call()
        return info.value.code  # type: ignore[attr-defined, no-any-return]

    def main() -> None:
        cmd, invalid = "ls", "hopefully_you_dont_have_this_on_your_machine"
        arg_type, arg_value = "ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_VALUE"
        assert code_of(lambda: cp.spawn(invalid, "this is not an array")) == arg_type
        cp.spawn(cmd)
        cp.spawn(cmd, [])
        cp.spawn(cmd, {})
        cp.spawn(cmd, [], {})
        assert code_of(lambda: cp.spawn()) == arg_type
        assert code_of(lambda: cp.spawn("")) == arg_value
        assert code_of(lambda: cp.spawn(object())) == arg_type
        assert code_of(lambda: cp.spawn(cmd, True)) == arg_type
        assert code_of(lambda: cp.spawn(cmd, [], 1)) == arg_type
        assert code_of(lambda: cp.spawn(cmd, [], {"uid": 2**63})) == arg_type
        assert code_of(lambda: cp.spawn(cmd, [], {"gid": 2**63})) == arg_type
        a: list[str] = []
        o: dict[str, Any] = {}
        s = "string"
        u = None

        def c(*_args: Any) -> None:
            pass

        for args in [(), (a,), (a, o), (o,), (u, o), (a, u)]:
            cp.spawn(cmd, *args)
        assert code_of(lambda: cp.spawn(cmd, s)) == arg_type
        assert code_of(lambda: cp.spawn(cmd, a, s)) == arg_type
        assert code_of(lambda: cp.spawn(cmd, a, a)) == arg_type
        for args in [
            (),
            (a,),
            (a, o),
            (a, o, c),
            (a, c),
            (o,),
            (o, c),
            (c,),
            (u, o, c),
            (a, u, c),
            (a, o, u),
            (u, u, u),
            (u, u, c),
            (u, o, u),
            (a, u, u),
            (a, u),
            (o, u),
            (c, u),
            (c, s),
        ]:
            cp.execFile(cmd, *args)
        for args in [
            (s, o, c),
            (a, s, c),
            (a, o, s),
            (a, s),
            (o, s),
            (u, u, s),
            (a, u, s),
            (u, o, s),
            (a, a),
        ]:
            assert code_of(lambda args=args: cp.execFile(cmd, *args)) == arg_type

    jsloop.run(main)
