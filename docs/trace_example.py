"""The program behind docs/trace.png: `jsloop --trace=trace.json docs/trace_example.py`.

A little of everything: a timer that does work, immediates, nextTick and
promise jobs, an async function that sleeps, a thread-pool job, and an
interval that stops itself. Busy-waits stand in for real work so the slices
are wide enough to see.
"""

import time

from jsloop import (
    Promise,
    asyncfn,
    clearInterval,
    nextTick,
    setImmediate,
    setInterval,
    setTimeout,
    sleep,
)
from jsloop._threadpool import runInThreadPool


def work(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


def parse(_v: object) -> None:
    work(1.5)


def render() -> None:
    work(2)
    Promise.resolve(1).then(parse)
    nextTick(work, 0.5)


def on_read(data: object) -> None:
    work(1)
    setImmediate(render)


@asyncfn
async def fetch_loop() -> None:
    for _ in range(3):
        await sleep(4)
        work(1)


ticks = [0]


def heartbeat() -> None:
    ticks[0] += 1
    work(0.7)
    if ticks[0] == 4:
        clearInterval(beat)


def boot() -> None:
    work(3)
    setImmediate(render)
    runInThreadPool(time.sleep, 0.006).then(on_read)


setTimeout(boot, 2)
beat = setInterval(heartbeat, 5)
fetch_loop()
nextTick(work, 0.8)
Promise.resolve().then(parse)
work(2)
