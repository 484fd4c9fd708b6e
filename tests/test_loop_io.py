"""The loop's I/O half as the core provides it: pollers, fd watchers, cross-thread posts."""

from __future__ import annotations

import os
import socket
import threading

import pytest

import jsloop
from jsloop import FakeClock, Promise, setImmediate, setTimeout
from jsloop._poller import READABLE, WRITABLE, EpollPoller, SelectorsPoller, make_poller
from jsloop._runtime import get_loop

POLLERS = [SelectorsPoller] + ([EpollPoller] if hasattr(__import__("select"), "epoll") else [])


@pytest.mark.parametrize("cls", POLLERS)
def test_poller_reports_readiness_and_hangup(cls):
    poller = cls()
    a, b = socket.socketpair()
    try:
        poller.register(a.fileno(), READABLE)
        assert poller.poll(0) == []
        b.send(b"x")
        assert poller.poll(1000) == [(a.fileno(), READABLE)]
        poller.modify(a.fileno(), READABLE | WRITABLE)
        (fd, ev), = poller.poll(1000)
        assert fd == a.fileno() and ev & WRITABLE and ev & READABLE
        poller.modify(a.fileno(), READABLE)
        a.recv(1)
        b.close()
        (fd, ev), = poller.poll(1000)
        assert ev & READABLE  # hang-up reads as readable (EOF)
        poller.unregister(a.fileno())
        poller.unregister(a.fileno())  # twice is harmless
        assert poller.poll(0) == []
    finally:
        poller.close()
        a.close()
        b.close()


def test_make_poller_env_override(monkeypatch):
    monkeypatch.setenv("JSLOOP_POLLER", "select")
    p = make_poller()
    assert p.name == "select"
    p.close()
    monkeypatch.setenv("JSLOOP_POLLER", "kqueue-please")
    with pytest.raises(ValueError, match="JSLOOP_POLLER"):
        make_poller()


def test_io_watcher_callback_runs_in_poll_phase_and_drains_after():
    a, b = socket.socketpair()
    a.setblocking(False)
    log = []

    def main():
        loop = get_loop()

        def on_ready(events):
            log.append(("io", a.recv(10)))
            jsloop.nextTick(lambda: log.append("tick"))
            Promise.resolve().then(lambda: log.append("promise"))
            setTimeout(lambda: log.append("timeout"), 0)
            setImmediate(lambda: log.append("immediate"))
            w.close()

        w = loop.io_watch(a.fileno(), on_ready)
        w.start(READABLE)
        b.send(b"hi")

    try:
        jsloop.run(main)
    finally:
        a.close()
        b.close()
    assert log == [("io", b"hi"), "tick", "promise", "immediate", "timeout"]


def test_started_watcher_keeps_loop_alive_unref_does_not():
    a, b = socket.socketpair()
    try:

        def main():
            w = get_loop().io_watch(a.fileno(), lambda ev: None)
            w.start(READABLE)
            assert w.active and w.has_ref()
            w.unref()
            assert not w.has_ref()

        jsloop.run(main)  # returns: the only watcher is unref'd
    finally:
        a.close()
        b.close()


def test_watching_the_same_fd_twice_is_an_error():
    a, b = socket.socketpair()
    try:

        def main():
            loop = get_loop()
            w1 = loop.io_watch(a.fileno(), lambda ev: None)
            w1.start(READABLE)
            w2 = loop.io_watch(a.fileno(), lambda ev: None)
            with pytest.raises(ValueError, match="already watched"):
                w2.start(READABLE)
            w1.close()

        jsloop.run(main)
    finally:
        a.close()
        b.close()


def test_post_from_threads_runs_on_loop_thread_and_collapses_wakeups():
    results = []
    n_threads, per_thread = 4, 250

    def main():
        loop = get_loop()
        loop_thread = threading.get_ident()
        loop.ref_req()
        done = [0]

        def arrived(i):
            results.append((i, threading.get_ident() == loop_thread))
            done[0] += 1
            if done[0] == n_threads * per_thread:
                loop.unref_req()

        def worker(base):
            for i in range(per_thread):
                loop.post(arrived, base + i)

        threads = [threading.Thread(target=worker, args=(k * 1000,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    jsloop.run(main)
    assert len(results) == n_threads * per_thread
    assert all(on_loop for _, on_loop in results)
    for k in range(n_threads):  # each thread's posts arrive in its order
        mine = [i for i, _ in results if k * 1000 <= i < (k + 1) * 1000]
        assert mine == sorted(mine)


def test_exception_in_posted_callback_is_uncaught():
    def main():
        loop = get_loop()
        loop.ref_req()

        def boom():
            loop.unref_req()
            raise ValueError("posted failure")

        threading.Thread(target=loop.post, args=(boom,)).start()

    with pytest.raises(ValueError, match="posted failure"):
        jsloop.run(main)


def test_close_phase_runs_after_check_newest_first():
    log = []

    def main():
        loop = get_loop()
        loop.defer_close(log.append, "close A")
        loop.defer_close(log.append, "close B")
        setImmediate(lambda: log.append("immediate"))

    jsloop.run(main, clock=FakeClock())
    assert log == ["immediate", "close B", "close A"]


def test_no_fds_leak_across_runs():
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(20):
        jsloop.run(lambda: setTimeout(lambda: None, 1))
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def test_stopped_watcher_on_a_hung_up_fd_does_not_spin_and_restarts():
    from jsloop._poller import PollerProxy

    a, b = socket.socketpair()
    calls = {"poll": 0, "cb": 0}

    class Counting(PollerProxy):
        __slots__ = ()

        def poll(self, timeout_ms):
            calls["poll"] += 1
            return self.inner.poll(timeout_ms)

    def main():
        loop = get_loop()
        loop._poller = Counting(loop, loop.poller)

        def on_ready(events):
            calls["cb"] += 1
            w.close()

        w = loop.io_watch(a.fileno(), on_ready)
        w.start(READABLE)
        w.stop()
        b.close()  # a hang-up on a stopped fd: epoll would report it with an empty mask

        def later():
            assert calls["cb"] == 0
            w.start(READABLE)  # re-registers; the hang-up is now reported

        setTimeout(later, 30)

    try:
        jsloop.run(main)
    finally:
        a.close()
    assert calls["cb"] == 1
    assert calls["poll"] < 20  # a spinning loop polls thousands of times in 30 ms
