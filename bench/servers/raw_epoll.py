"""A raw single-threaded Python epoll echo loop: the floor for pure Python on this machine.

No framework: one epoll, non-blocking sockets, one reused receive buffer, level-triggered.
Writes that do not complete are buffered and flushed on EPOLLOUT. Runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import os
import select
import signal
import socket

from _cli import announce, parse_args


def serve(host: str, port: int) -> None:
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, port))
    lsock.listen(1024)
    lsock.setblocking(False)
    rfd, wfd = os.pipe()
    os.set_blocking(wfd, False)
    signal.set_wakeup_fd(wfd)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    ep = select.epoll()
    lfd = lsock.fileno()
    ep.register(lfd, select.EPOLLIN)
    ep.register(rfd, select.EPOLLIN)
    socks: dict[int, socket.socket] = {}
    pending: dict[int, bytes] = {}
    buf = bytearray(65536)
    view = memoryview(buf)
    announce(host, lsock.getsockname()[1])
    running = True
    while running:
        for fd, ev in ep.poll():
            if fd == lfd:
                while True:
                    try:
                        s, _ = lsock.accept()
                    except BlockingIOError:
                        break
                    s.setblocking(False)
                    socks[s.fileno()] = s
                    ep.register(s.fileno(), select.EPOLLIN)
                continue
            if fd == rfd:
                running = False
                break
            s = socks[fd]
            if ev & select.EPOLLOUT:
                data = pending.pop(fd)
                n = s.send(data)
                if n < len(data):
                    pending[fd] = data[n:]
                else:
                    ep.modify(fd, select.EPOLLIN)
                continue
            try:
                n = s.recv_into(buf)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                n = 0
            if n == 0:
                ep.unregister(fd)
                del socks[fd]
                pending.pop(fd, None)
                s.close()
                continue
            try:
                sent = s.send(view[:n])
            except BlockingIOError:
                sent = 0
            except OSError:
                sent = n
            if sent < n:
                pending[fd] = bytes(view[sent:n])
                ep.modify(fd, select.EPOLLOUT)
    for s in socks.values():
        s.close()
    lsock.close()


def main() -> None:
    args = parse_args(__doc__ or "")
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
