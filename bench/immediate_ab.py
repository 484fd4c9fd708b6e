"""setImmediate vs asyncio call_soon, two jsloop trees, same run (issue 8).

Usage: python bench/immediate_ab.py BEFORE_TREE [AFTER_TREE] [--rounds N]
where a tree is a directory holding a ``jsloop`` package, e.g. one made with
``mkdir /tmp/before && git archive 4eb277d jsloop | tar -x -C /tmp/before``.
Each round runs asyncio, BEFORE and AFTER once each, every one in a fresh
process; printed: median of same-round ratios (asyncio time / jsloop time)
and the ratio of the best times.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

N = 300_000

JSLOOP = """
import sys, time
sys.path.insert(0, sys.argv[1])
import jsloop
N = __N__
n = 0
si = jsloop.setImmediate
def cb():
    global n
    n += 1
    if n < N:
        si(cb)
t0 = time.perf_counter()
jsloop.run(lambda: si(cb))
print(time.perf_counter() - t0)
""".replace("__N__", str(N))

ASYNCIO = """
import asyncio, time
N = __N__
loop = asyncio.new_event_loop()
n = 0
def cb():
    global n
    n += 1
    if n < N:
        loop.call_soon(cb)
    else:
        loop.stop()
t0 = time.perf_counter()
loop.call_soon(cb)
loop.run_forever()
print(time.perf_counter() - t0)
""".replace("__N__", str(N))


def timed(code: str, *args: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path, nargs="?", default=Path(__file__).resolve().parents[1])
    ap.add_argument("--rounds", type=int, default=9)
    ns = ap.parse_args()
    res: dict[str, list[float]] = {"asyncio": [], "before": [], "after": []}
    for _ in range(ns.rounds):
        res["asyncio"].append(timed(ASYNCIO))
        res["before"].append(timed(JSLOOP, str(ns.before)))
        res["after"].append(timed(JSLOOP, str(ns.after)))
    for key, times in res.items():
        print(f"{key:8s} best {min(times):.3f} s, median {statistics.median(times):.3f} s")
    for key in ("before", "after"):
        ratios = [a / b for a, b in zip(res["asyncio"], res[key], strict=True)]
        best = min(res["asyncio"]) / min(res[key])
        print(f"{key}: {statistics.median(ratios):.2f}x asyncio (best times: {best:.2f}x)")


if __name__ == "__main__":
    main()
