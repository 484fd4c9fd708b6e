"""process: uncaught exceptions, unhandled rejections (all modes), exit codes, beforeExit."""

from __future__ import annotations

import pytest

import jsloop
from jsloop import FakeClock, Promise, UnhandledPromiseRejection, process, setImmediate, setTimeout


def run(main, **kw):
    return jsloop.run(main, clock=FakeClock(), **kw)


def test_uncaught_exception_ends_the_run_and_exit_listeners_see_code_1():
    log = []

    def main():
        process.on("exit", lambda code: log.append(("exit", code)))

        def boom():
            raise ValueError("boom")

        setTimeout(boom, 1)
        setTimeout(lambda: log.append("never"), 2)

    with pytest.raises(ValueError, match="boom"):
        run(main)
    assert log == [("exit", 1)]


def test_exception_in_main_is_uncaught():
    def main():
        raise KeyError("top level")

    with pytest.raises(KeyError):
        run(main)


def test_uncaught_exception_listener_keeps_the_loop_going():
    log = []

    def main():
        process.on("uncaughtException", lambda e, origin: log.append((str(e), origin)))

        def boom():
            raise ValueError("x")

        setTimeout(boom, 1)
        setTimeout(lambda: log.append("later"), 5)

    run(main)
    assert log == [("x", "uncaughtException"), "later"]


def test_throwing_uncaught_exception_listener_is_fatal():
    def main():
        def bad_listener(e):
            raise RuntimeError("listener failed")

        process.on("uncaughtException", bad_listener)
        setImmediate(lambda: 1 / 0)

    with pytest.raises(RuntimeError, match="listener failed"):
        run(main)


def test_unhandled_non_error_rejection_is_wrapped():
    def main():
        Promise.reject("plain string")

    with pytest.raises(UnhandledPromiseRejection) as info:
        run(main)
    assert info.value.reason == "plain string"
    assert info.value.code == "ERR_UNHANDLED_REJECTION"


def test_handler_added_in_same_drain_is_in_time():
    log = []

    def main():
        p = Promise.reject(ValueError("boom"))
        jsloop.nextTick(lambda: Promise.resolve().then(lambda: p.catch(lambda e: log.append("caught"))))
        setImmediate(lambda: log.append("immediate"))

    run(main)
    assert log == ["caught", "immediate"]


@pytest.mark.parametrize("mode", ["warn", "none", "warn-with-error-code"])
def test_non_throwing_modes_let_the_run_finish(mode, capfd):
    log = []

    def main():
        process.on("exit", lambda code: log.append(code))
        Promise.reject(ValueError("r"))
        setTimeout(lambda: log.append("timer"), 1)

    expected_code = 1 if mode == "warn-with-error-code" else 0
    if expected_code:
        # run honours process.exitCode: a nonzero code at the end is SystemExit(code)
        with pytest.raises(SystemExit) as info:
            run(main, unhandled_rejections=mode)
        assert info.value.code == expected_code
    else:
        run(main, unhandled_rejections=mode)
    err = capfd.readouterr().err
    assert log == ["timer", expected_code]
    assert ("UnhandledPromiseRejectionWarning" in err) == (mode != "none")


def test_strict_mode_raises_even_with_an_unhandled_rejection_listener():
    log = []

    def main():
        process.on("unhandledRejection", lambda r, p: log.append("listener"))
        Promise.reject(ValueError("strict"))

    with pytest.raises(ValueError, match="strict"):
        run(main, unhandled_rejections="strict")
    assert log == []


def test_bad_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="unhandled_rejections must be one of"):
        run(lambda: None, unhandled_rejections="loud")


def test_exit_code_and_process_exit():
    log = []

    def main():
        process.on("exit", lambda code: log.append(code))
        setTimeout(lambda: process.exit(3), 1)
        setTimeout(lambda: log.append("never"), 5)

    with pytest.raises(SystemExit) as info:
        run(main)
    assert info.value.code == 3
    assert log == [3]


def test_before_exit_can_revive_the_loop_once():
    log = []

    def main():
        def before_exit(code):
            log.append(("beforeExit", code))
            if len(log) == 1:
                setTimeout(lambda: log.append("revived"), 1)

        process.on("beforeExit", before_exit)
        process.on("exit", lambda code: log.append(("exit", code)))

    run(main)
    assert log == [("beforeExit", 0), "revived", ("beforeExit", 0), ("exit", 0)]


def test_listeners_and_exit_code_reset_between_runs():
    def main():
        process.on("exit", lambda code: None)
        process.exitCode = 5

    with pytest.raises(SystemExit) as info:
        run(main)
    assert info.value.code == 5
    assert process.listenerCount("exit") == 0
    assert process.exitCode is None


def test_nested_run_is_refused():
    def main():
        with pytest.raises(RuntimeError, match="cannot be called while"):
            jsloop.run(lambda: None)
        return "ok"

    assert run(main) == "ok"


def test_run_returns_main_value_and_never_settling_main_promise_is_an_error():
    assert run(lambda: 7) == 7

    def main():
        return Promise.withResolvers().promise

    with pytest.raises(RuntimeError, match="never settled"):
        run(main)
