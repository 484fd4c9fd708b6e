"""net micro-benchmarks (issue 8): in-process echo ping-pong CPU, many small writes, one big write.

Each measurement is a fresh child process; pass other jsloop trees (e.g. a
``git worktree`` of an older commit) with ``--tree NAME=PATH`` to compare builds
in the same run; rounds alternate between them. ``node`` runs the writes
scenario too when it is on PATH.

* ``pingpong``: 20 connections x 2,000 round trips of 64 B, client and server on
  one loop; CPU microseconds (``time.process_time``) per round trip, both sides.
* ``writes``: 200,000 writes of 64 B queued on one connection, then ``end()``;
  wall ms until the server saw the end.
* ``bigwrite``: one 100 MB ``write`` of ``bytes``; peak RSS growth beyond the
  buffer itself (a copy of the unsent rest shows up here).

Usage:
    python bench/net_micro.py [--rounds 5] [--tree before=/tmp/net-before] [--only writes]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PINGPONG = r'''
import time, jsloop
from jsloop import net
N, CONNS = 40_000, 20
def main():
    def on_conn(c):
        c.setNoDelay(True)
        def data(chunk):
            if not c.write(chunk):
                c.pause(); c.once("drain", c.resume)
        c.on("data", data)
        c.on("error", lambda e: None)
    s = net.createServer(on_conn)
    done, res = [0], {}
    def listening():
        port = s.address().port
        res["t0"] = time.process_time()
        for _ in range(CONNS):
            k = net.connect(port, "127.0.0.1")
            k.setNoDelay(True)
            left, msg = [N // CONNS], b"x" * 64
            def on_data(chunk, k=k, left=left, msg=msg):
                left[0] -= 1
                if left[0]:
                    k.write(msg)
                    return
                k.end()
                done[0] += 1
                if done[0] == CONNS:
                    res["t1"] = time.process_time()
                    s.close()
            k.on("data", on_data)
            k.on("connect", lambda k=k, msg=msg: k.write(msg))
    s.listen(0, "127.0.0.1", listening)
    jsloop.process.on("exit", lambda code: print((res["t1"] - res["t0"]) / N * 1e6))
jsloop.run(main)
'''

WRITES = r'''
import time, jsloop
from jsloop import net
N, SIZE = 200_000, 64
def main():
    t = {}
    def on_conn(c):
        c.on("data", lambda d: None)
        c.on("end", lambda: (c.end(), s.close(), t.__setitem__("end", time.perf_counter())))
    s = net.createServer(on_conn)
    def connected(c):
        chunk = b"x" * SIZE
        t["start"] = time.perf_counter()
        for _ in range(N):
            c.write(chunk)
        c.end()
    def listening():
        c = net.connect(s.address().port, "127.0.0.1")
        c.on("connect", lambda: connected(c))
    s.listen(0, "127.0.0.1", listening)
    jsloop.process.on("exit", lambda code: print((t["end"] - t["start"]) * 1000))
jsloop.run(main)
'''

WRITES_JS = r'''
const net = require('net');
const N = 200000, SIZE = 64;
let start, end;
const s = net.createServer((c) => {
  c.on('data', () => {});
  c.on('end', () => { c.end(); s.close(); end = performance.now(); });
});
s.listen(0, '127.0.0.1', () => {
  const c = net.connect(s.address().port, '127.0.0.1', () => {
    const chunk = Buffer.alloc(SIZE, 'x');
    start = performance.now();
    for (let i = 0; i < N; i++) c.write(chunk);
    c.end();
  });
});
process.on('exit', () => console.log(end - start));
'''

BIGWRITE = r'''
import resource, jsloop
from jsloop import net
SIZE = 100_000_000
def main():
    data = b"x" * SIZE
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    def on_conn(c):
        c.on("data", lambda d: None)
        c.on("end", lambda: (c.end(), s.close()))
    s = net.createServer(on_conn)
    def listening():
        c = net.connect(s.address().port, "127.0.0.1")
        c.on("connect", lambda: (c.write(data), c.end()))
    s.listen(0, "127.0.0.1", listening)
    jsloop.process.on("exit", lambda code: print(
        (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024))
jsloop.run(main)
'''

SCENARIOS = {"pingpong": (PINGPONG, "CPU us per round trip"),
             "writes": (WRITES, "ms to drain 200k x 64 B"),
             "bigwrite": (BIGWRITE, "MiB peak RSS beyond a 100 MB write")}


def run_py(code: str, tree: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=env, cwd="/", check=True)
    return float(out.stdout.split()[-1])


def run_node(code: str) -> float | None:
    node = shutil.which("node")
    if node is None:
        return None
    out = subprocess.run([node, "-e", code], capture_output=True, text=True, timeout=300,
                         check=True)
    return float(out.stdout.split()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--tree", action="append", default=[], help="NAME=PATH of another tree")
    ap.add_argument("--only", default="", help="comma list of scenarios")
    args = ap.parse_args(argv)
    trees = {"jsloop": REPO}
    for spec in args.tree:
        name, _, path = spec.partition("=")
        trees[name] = Path(path)
    only = [s for s in args.only.split(",") if s] or list(SCENARIOS)
    for scen in only:
        code, unit = SCENARIOS[scen]
        results: dict[str, list[float]] = {name: [] for name in trees}
        if scen == "writes":
            results["node"] = []
        for _ in range(args.rounds):
            for name, tree in trees.items():
                results[name].append(run_py(code, tree))
            if scen == "writes":
                value = run_node(WRITES_JS)
                if value is not None:
                    results["node"].append(value)
        print(f"{scen} ({unit}; median of {args.rounds}, min..max):")
        for name, vals in results.items():
            if vals:
                print(f"  {name:12s} {statistics.median(vals):8.2f}   "
                      f"({min(vals):.2f}..{max(vals):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
