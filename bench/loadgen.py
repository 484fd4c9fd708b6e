"""Python fallback of bench/loadgen.c (used when gcc is missing): same flags, same output lines.

It is several times slower than the C generator, so with it the generator is usually the limit;
echo_bench.py reports that from the generator's CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import socket
import sys
import time

INFLIGHT = 64
PATTERN = bytes(range(256)) * ((1 << 20) // 256 + 2)


def main() -> int:
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("-h", dest="host", default="127.0.0.1")
    ap.add_argument("-p", dest="port", type=int, required=True)
    ap.add_argument("-c", dest="conns", type=int, default=1)
    ap.add_argument("-a", dest="active", type=int, default=-1)
    ap.add_argument("-s", dest="size", type=int, default=64)
    ap.add_argument("-w", dest="warmup", type=float, default=0.5)
    ap.add_argument("-d", dest="duration", type=float, default=2.0)
    ap.add_argument("-g", dest="wait_go", action="store_true")
    ap.add_argument("-T", dest="timeout", type=float, default=60.0)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    nactive = a.conns if a.active < 0 or a.active > a.conns else a.active
    size = a.size
    ep = select.epoll()
    socks: list[socket.socket | None] = [None] * a.conns
    errors = verify_errors = 0

    def kill(i: int) -> None:
        nonlocal errors
        s = socks[i]
        if s is None:
            return
        ep.unregister(s.fileno())
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        socks[i] = None
        errors += 1

    # Phase 1: connect + 1-byte handshake, at most INFLIGHT at once.
    fd2i: dict[int, int] = {}
    state: list[int] = [0] * a.conns  # 0 connecting, 1 handshake, 2 ready, 3 dead
    t0 = time.monotonic()
    nxt = inflight = ready = failed = 0
    while ready + failed < a.conns and time.monotonic() - t0 < a.timeout:
        while nxt < a.conns and inflight < INFLIGHT:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.connect_ex((a.host, a.port))
            socks[nxt] = s
            fd2i[s.fileno()] = nxt
            ep.register(s.fileno(), select.EPOLLOUT)
            inflight += 1
            nxt += 1
        for fd, _ev in ep.poll(0.1):
            i = fd2i[fd]
            cs = socks[i]
            assert cs is not None
            if state[i] == 0:
                err = cs.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    kill(i)
                    state[i] = 3
                    inflight -= 1
                    failed += 1
                    continue
                cs.send(bytes([0x5A ^ (i & 255)]))
                state[i] = 1
                ep.modify(fd, select.EPOLLIN)
            elif state[i] == 1:
                try:
                    b = cs.recv(1)
                except BlockingIOError:
                    continue
                except OSError:
                    b = b""
                inflight -= 1
                if b != bytes([0x5A ^ (i & 255)]):
                    if b:
                        verify_errors += 1
                    kill(i)
                    state[i] = 3
                    failed += 1
                    continue
                state[i] = 2
                ready += 1
    connect_s = time.monotonic() - t0
    connect_errors = errors
    print(f"IDLE_READY {ready}", flush=True)
    if a.wait_go:
        sys.stdin.readline()

    # Phase 2: closed-loop ping-pong.
    seq = [0] * a.conns
    recvd = [0] * a.conns
    t_send = [0.0] * a.conns
    reqs = [0] * a.conns
    lats: list[float] = []
    bytes_verified = 0

    def msg(i: int) -> memoryview:
        off = (i * 7 + seq[i] * 13) & 255
        return memoryview(PATTERN)[off : off + size]

    def start(i: int) -> None:
        s = socks[i]
        assert s is not None
        recvd[i] = 0
        t_send[i] = time.perf_counter()
        s.sendall(msg(i))

    for i in range(nactive):
        if state[i] == 2:
            start(i)
    measuring = False
    t_meas = time.perf_counter() + a.warmup
    t_end = t_meas + a.duration
    w0 = w1 = c0 = c1 = 0.0
    while True:
        t = time.perf_counter()
        if not measuring and w0 == 0.0 and t >= t_meas:
            measuring, w0, c0 = True, t, time.process_time()
            print("MEASURE_START", flush=True)
        if measuring and t >= t_end:
            w1, c1 = t, time.process_time()
            print("MEASURE_END", flush=True)
            break
        for fd, _ev in ep.poll(0.005):
            i = fd2i[fd]
            rs = socks[i]
            if rs is None:
                continue
            try:
                data = rs.recv(size - recvd[i])
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                kill(i)
                continue
            exp = msg(i)[recvd[i] : recvd[i] + len(data)]
            if exp != data:
                verify_errors += 1
                kill(i)
                continue
            recvd[i] += len(data)
            bytes_verified += len(data)
            if recvd[i] == size:
                if measuring:
                    lats.append((time.perf_counter() - t_send[i]) * 1e6)
                    reqs[i] += 1
                seq[i] += 1
                start(i)
    for ls in socks:
        if ls is not None:
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            ls.close()
    lats.sort()
    n = len(lats)

    def pct(p: float) -> float:
        return lats[min(n - 1, int(p * n))] if n else 0.0

    secs = w1 - w0
    act = reqs[:nactive]
    out = {
        "requests": n,
        "seconds": secs,
        "rps": n / secs if secs > 0 else 0.0,
        "p50_us": pct(0.5),
        "p99_us": pct(0.99),
        "p999_us": pct(0.999),
        "max_us": lats[-1] if n else 0.0,
        "bytes_verified": bytes_verified,
        "verify_errors": verify_errors,
        "errors": errors - connect_errors,
        "connect_errors": connect_errors,
        "connected": ready,
        "conns": a.conns,
        "active": nactive,
        "size": size,
        "connect_s": connect_s,
        "cpu_s": c1 - c0,
        "min_conn_reqs": min(act) if act else 0,
        "starved": sum(1 for r in act if r == 0),
        "generator": "python",
    }
    print(json.dumps(out), flush=True)
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
