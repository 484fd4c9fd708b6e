"""nextTick, process exit and beforeExit tests ported from Node v20's test/parallel.

Each test names its upstream file. Node checks made in an 'exit' listener are
made here after the run, on what the listener recorded. Exit codes are those of
``jsloop.run`` (``SystemExit``) or of ``python -m jsloop script.py`` where Node's
test spawns a child. Left out: test-next-tick-domain.js (no domains),
test-process-exit-code.js (its fixture file is not in the unpacked suite).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import jsloop
from jsloop import net, nextTick, process, setImmediate, setTimeout

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_script(tmp_path, body: str):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run(
        [sys.executable, "-m", "jsloop", str(script)], capture_output=True, text=True,
        timeout=30, cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_next_tick(must):
    """test-next-tick.js (``this`` checks left out: no Python counterpart)."""
    obj = {}

    def main():
        nextTick(must.call(lambda: nextTick(must.call(lambda: nextTick(must.call())))))
        setTimeout(must.call(lambda: nextTick(must.call())), 50)
        nextTick(must.call())
        got = []
        nextTick(lambda a, b: got.append((a, b)), 42, obj)
        nextTick(lambda *a: got.append(a), 1, 2, 3, 4)
        process.on("exit", lambda: nextTick(must.not_call()))
        process.on("exit", lambda: got.append("exit"))
        setImmediate(lambda: got.append("check") or None)
        process.on("exit", lambda: seen.extend(got))

    seen: list = []
    jsloop.run(main)
    assert seen[:2] == [(42, obj), (1, 2, 3, 4)] and seen[-1] == "exit"


def test_next_tick_errors():
    """test-next-tick-errors.js"""
    order = []
    codes = []

    def main():
        def a():
            order.append("A")
            what()  # type: ignore[name-defined]  # noqa: F821 - the error is the point

        nextTick(a)
        nextTick(lambda: order.append("C"))
        for val in (False, True, 1, "str", {}, []):
            with pytest.raises(TypeError) as info:
                nextTick(val)
            codes.append(info.value.code)
        handled = []

        def on_uncaught(err, origin):
            assert origin == "uncaughtException"
            order.append("OOPS!" if handled else "B")
            handled.append(1)

        process.on("uncaughtException", on_uncaught)

    jsloop.run(main)
    assert order == ["A", "B", "C"]
    assert codes == ["ERR_INVALID_ARG_TYPE"] * 6


def test_next_tick_when_exiting(must):
    """test-next-tick-when-exiting.js"""
    seen = []

    def main():
        def on_exit():
            seen.append(process._exiting)
            nextTick(must.not_call())

        process.on("exit", on_exit)
        process.exit()

    with pytest.raises(SystemExit) as info:
        jsloop.run(main)
    assert info.value.code == 0
    assert seen == [True]


def test_process_exit_inside_exit_listener():
    """test-process-exit.js: process.exit() inside 'exit' does not emit it again."""
    calls = []

    def main():
        def on_exit(code):
            calls.append(code)
            process.exit()

        process.on("exit", on_exit)

    jsloop.run(main)  # the run ends with code 0: run returns (no SystemExit)
    assert calls == [0]


def test_process_exit_recursive():
    """test-process-exit-recursive.js: exit(1), then exit(0) inside 'exit' wins."""
    calls = []

    def main():
        def on_exit(code):
            calls.append(code)
            process.exit(0)

        process.on("exit", on_exit)
        process.exit(1)

    with pytest.raises(SystemExit) as info:
        jsloop.run(main)
    assert calls == [1]
    assert info.value.code == 0


def test_process_exit_from_before_exit(must):
    """test-process-exit-from-before-exit.js"""
    after = []

    def main():
        def before_exit():
            setTimeout(must.not_call(), 5)
            process.exit(0)
            after.append("not reached")

        process.on("beforeExit", must.call(before_exit))

    with pytest.raises(SystemExit) as info:
        jsloop.run(main)
    assert info.value.code == 0
    assert after == []


def test_process_exit_handler(must):
    """test-process-exit-handler.js: a timer set in 'exit' never runs."""

    def main():
        def on_exit():
            setTimeout(must.not_call(), 0)

        process.on("exit", on_exit)

    jsloop.run(main)


def test_beforeexit_throw_exit(tmp_path):
    """test-process-beforeexit-throw-exit.js: a throw in 'beforeExit' is
    uncaught, and exitCode = 0 set in 'exit' makes the exit status 0."""
    out = run_script(tmp_path, """
        from jsloop import process
        def on_exit(code):
            print("exit", code, flush=True)
            process.exitCode = 0
        def before_exit(code):
            raise ValueError("boom")
        process.on("exit", on_exit)
        process.on("beforeExit", before_exit)
    """)
    assert out.stdout == "exit 1\n"
    assert "ValueError: boom" in out.stderr
    assert out.returncode == 0


def test_beforeexit(must):
    """test-process-beforeexit.js: each kind of work scheduled in 'beforeExit'
    revives the loop and brings another 'beforeExit'; a bare nextTick does not."""

    def main():
        def try_next_tick():
            nextTick(must.call(lambda: process.once("beforeExit", must.not_call())))

        def try_next_tick_set_immediate():
            def tick():
                again = must.call(try_next_tick)
                setImmediate(must.call(lambda: process.once("beforeExit", again)))

            nextTick(must.call(tick))

        def try_repeated_timer():
            n = [0]

            def repeated():
                n[0] += 1
                if n[0] < 5:
                    setTimeout(repeated_m, 1)
                else:
                    process.once("beforeExit", must.call(try_next_tick_set_immediate))

            repeated_m = must.call(repeated, 5)
            setTimeout(repeated_m, 1)

        def try_listen():
            server = net.createServer()

            def listening(*_a):
                server.close()
                process.once("beforeExit", must.call(try_repeated_timer))

            server.listen(0).on("listening", must.call(listening))

        def try_timer():
            setTimeout(must.call(lambda: process.once("beforeExit", must.call(try_listen))), 1)

        def try_immediate():
            setImmediate(must.call(lambda: process.once("beforeExit", must.call(try_timer))))

        process.once("beforeExit", must.call(try_immediate))

    jsloop.run(main)


INVALID_CODES = ["", "1 one", "two", {}, [], True, False, 2.1, float("inf"), float("nan")]
VALID_CODES = [(1, 1), ("2", 2), (None, 0), (0, 0), ("0", 0)]


@pytest.mark.parametrize("code", INVALID_CODES, ids=repr)
def test_exit_code_validation_invalid(code):
    """test-process-exit-code-validation.js: process.exitCode = invalid throws
    (ERR_INVALID_ARG_TYPE, or ERR_OUT_OF_RANGE for a non-integer number);
    process.exit(invalid) is an uncaught error: exit code 1."""
    codes = []

    def set_code():
        try:
            process.exitCode = code
        except (TypeError, ValueError) as exc:
            codes.append(exc.code)  # type: ignore[attr-defined]

    jsloop.run(set_code)
    assert codes and codes[0] in ("ERR_INVALID_ARG_TYPE", "ERR_OUT_OF_RANGE")
    with pytest.raises((TypeError, ValueError)):
        jsloop.run(lambda: process.exit(code))


@pytest.mark.parametrize(("code", "expected"), VALID_CODES, ids=repr)
def test_exit_code_validation_valid(code, expected):
    """test-process-exit-code-validation.js: valid codes, both ways."""

    def via_exit_code():
        process.exitCode = code

    for main in (via_exit_code, lambda: process.exit(code)):
        if expected:
            with pytest.raises(SystemExit) as info:
                jsloop.run(main)
            assert info.value.code == expected
        else:
            try:
                jsloop.run(main)
            except SystemExit as exc:
                assert exc.code == 0
