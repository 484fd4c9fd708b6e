"""Loop micro-benchmarks: jsloop against asyncio, uvloop, node and the PyPI `promise` package.

Each measurement runs in a fresh subprocess (`python -c` or `node -e`) that times only the work
(interpreter start-up and input generation excluded) and prints one JSON line. Rounds are
interleaved -- round r runs every benchmark for every implementation, in an order rotated by r --
so drift of the machine shows up as spread, not as bias. The table reports the median over rounds
and, per benchmark, the speed-up against asyncio measured in the same run (asyncio median time /
implementation median time, so > 1 means faster than asyncio).

Usage:
    python bench/loop_micro.py [--quick] [--rounds N] [--only NAME,...] [--json PATH] [--md PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    RESULTS_DIR,
    fmt,
    have_module,
    machine_info,
    md_table,
    median,
    node_path,
    python_env,
    write_json,
)

# ---------------------------------------------------------------------------------------------
# Child programs. `__N__` is replaced by the size. Each prints {"seconds": s, "ok": bool} last.
# ---------------------------------------------------------------------------------------------

PY_PRELUDE = """
import json, random, sys, time
N = __N__
def report(seconds, ok, **extra):
    print(json.dumps({"seconds": seconds, "ok": bool(ok), **extra}), flush=True)
"""

ASYNCIO_NEW_LOOP = {
    "asyncio": "import asyncio\ndef new_loop():\n    return asyncio.new_event_loop()\n",
    "uvloop": "import uvloop\ndef new_loop():\n    return uvloop.new_event_loop()\n",
}

# --- timers: N timers with random delays 0..100 ms, wall time until the last one fired --------

TIMERS_ASYNCIO = """
random.seed(1)
delays = [random.randint(0, 100) / 1000.0 for _ in range(N)]
loop = new_loop()
count = 0
end = 0.0
def cb():
    global count, end
    count += 1
    if count == N:
        end = time.perf_counter()
        loop.stop()
t0 = time.perf_counter()
for d in delays:
    loop.call_later(d, cb)
loop.run_forever()
loop.close()
report(end - t0, count == N)
"""

TIMERS_JSLOOP = """
import jsloop
random.seed(1)
delays = [random.randint(0, 100) for _ in range(N)]
count = 0
end = 0.0
def cb():
    global count, end
    count += 1
    if count == N:
        end = time.perf_counter()
def main():
    st = jsloop.setTimeout
    for d in delays:
        st(cb, d)
t0 = time.perf_counter()
jsloop.run(main)
report(end - t0, count == N)
"""

TIMERS_NODE = """
const N = __N__;
const delays = new Array(N);
for (let i = 0; i < N; i++) delays[i] = Math.floor(Math.random() * 101);
let count = 0;
let t0;
function cb() {
  if (++count === N) {
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({seconds: s, ok: true}));
  }
}
t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) setTimeout(cb, delays[i]);
"""

# --- immediates: one callback re-scheduling itself N times ------------------------------------

SOON_ASYNCIO = """
loop = new_loop()
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
t = time.perf_counter() - t0
loop.close()
report(t, n == N)
"""

SOON_JSLOOP = """
import jsloop
n = 0
def cb():
    global n
    n += 1
    if n < N:
        jsloop.__FN__(cb)
t0 = time.perf_counter()
jsloop.run(lambda: jsloop.__FN__(cb))
report(time.perf_counter() - t0, n == N)
"""

SOON_NODE = """
const N = __N__;
let n = 0;
const t0 = process.hrtime.bigint();
function cb() {
  if (++n < N) __FN__(cb);
  else console.log(JSON.stringify({seconds: Number(process.hrtime.bigint() - t0) / 1e9, ok: true}));
}
__FN__(cb);
"""

# --- promise chain: N .then steps built up front, then resolved -------------------------------

CHAIN_ASYNCIO = """
loop = new_loop()
def link(nxt):
    def step(f):
        nxt.set_result(f.result() + 1)
    return step
t0 = time.perf_counter()
futs = [loop.create_future() for _ in range(N + 1)]
for i in range(N):
    futs[i].add_done_callback(link(futs[i + 1]))
futs[N].add_done_callback(lambda f: loop.stop())
futs[0].set_result(0)
loop.run_forever()
t = time.perf_counter() - t0
loop.close()
report(t, futs[N].result() == N)
"""

CHAIN_JSLOOP = """
import jsloop
result = []
def inc(v):
    return v + 1
def main():
    p = jsloop.Promise.resolve(0)
    for _ in range(N):
        p = p.then(inc)
    p.then(result.append)
t0 = time.perf_counter()
jsloop.run(main)
report(time.perf_counter() - t0, result == [N])
"""

CHAIN_PROMISE_PKG = """
from promise import Promise
def inc(v):
    return v + 1
t0 = time.perf_counter()
p = Promise.resolve(0)
for _ in range(N):
    p = p.then(inc)
v = p.get()
report(time.perf_counter() - t0, v == N)
"""

CHAIN_NODE = """
const N = __N__;
const t0 = process.hrtime.bigint();
let p = Promise.resolve(0);
for (let i = 0; i < N; i++) p = p.then(v => v + 1);
p.then(v => console.log(JSON.stringify(
  {seconds: Number(process.hrtime.bigint() - t0) / 1e9, ok: v === N})));
"""

# --- thread-pool file reads: N reads of small files, 32 in flight -----------------------------

FS_SETUP_PY = """
import os, tempfile
FILES = 100
CONC = 32
SIZE = 1024
tmp = tempfile.TemporaryDirectory(prefix="jsloop-bench-")
paths = []
for i in range(FILES):
    p = os.path.join(tmp.name, f"f{i}.bin")
    with open(p, "wb") as fh:
        fh.write(bytes([i % 256]) * SIZE)
    paths.append(p)
"""

FS_ASYNCIO = """
import asyncio
def read(p):
    with open(p, "rb") as fh:
        return fh.read()
nxt = 0
bad = 0
async def worker(loop):
    global nxt, bad
    while nxt < N:
        i = nxt
        nxt += 1
        data = await loop.run_in_executor(None, read, paths[i % FILES])
        if len(data) != SIZE:
            bad += 1
async def main():
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(worker(loop) for _ in range(CONC)))
loop = new_loop()
t0 = time.perf_counter()
loop.run_until_complete(main())
t = time.perf_counter() - t0
loop.close()
tmp.cleanup()
report(t, bad == 0 and nxt == N)
"""

FS_JSLOOP = """
import jsloop
from jsloop import fs
read_file = getattr(fs, "readFile", None) or fs.promises.readFile
nxt = 0
done = 0
bad = 0
def worker(_=None):
    global nxt
    if nxt >= N:
        return None
    i = nxt
    nxt += 1
    return read_file(paths[i % FILES]).then(check)
def check(data):
    global done, bad
    done += 1
    if len(data) != SIZE:
        bad += 1
    return worker()
def main():
    for _ in range(CONC):
        worker()
t0 = time.perf_counter()
jsloop.run(main)
t = time.perf_counter() - t0
tmp.cleanup()
report(t, bad == 0 and done == N)
"""

FS_NODE = """
const fs = require('fs'), os = require('os'), path = require('path');
const N = __N__, FILES = 100, CONC = 32, SIZE = 1024;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsloop-bench-'));
const paths = [];
for (let i = 0; i < FILES; i++) {
  const p = path.join(dir, 'f' + i + '.bin');
  fs.writeFileSync(p, Buffer.alloc(SIZE, i % 256));
  paths.push(p);
}
let nxt = 0, bad = 0, done = 0;
async function worker() {
  while (nxt < N) {
    const i = nxt++;
    const d = await fs.promises.readFile(paths[i % FILES]);
    done++;
    if (d.length !== SIZE) bad++;
  }
}
const t0 = process.hrtime.bigint();
const ws = [];
for (let i = 0; i < CONC; i++) ws.push(worker());
Promise.all(ws).then(() => {
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.rmSync(dir, {recursive: true});
  console.log(JSON.stringify({seconds: s, ok: bad === 0 && done === N}));
});
"""


@dataclass
class Impl:
    name: str
    kind: str  # "py" or "node"
    code: str
    needs: str = ""  # module that must import, or "module:attr" that must exist


@dataclass
class Bench:
    key: str
    title: str
    unit: str  # what one op is, for ops/s
    full: int
    quick: int
    impls: list[Impl] = field(default_factory=list)
    timeout: float = 60.0  # per process at full size; a hang costs no more than this


# jsloop.run() freezes what was alive before the run and raises gen-0's threshold
# (jsloop/_loop.py, _tune_gc). To show how much of a ratio is that alone, asyncio
# is also measured with the same settings.
GC_LIKE_JSLOOP = "import gc\ngc.freeze()\ngc.set_threshold(50_000, 20, 100)\n"
# Diagnostics imported but switched off (issue 5: off must cost nothing).
DIAG_OFF = "import jsloop.diagnostics\n"


def _py(loop_kind: str, body: str, setup: str = "") -> str:
    return PY_PRELUDE + ASYNCIO_NEW_LOOP.get(loop_kind, "") + setup + body


def benches() -> list[Bench]:
    aio = "asyncio"
    uv = "uvloop"
    return [
        Bench(
            "timers",
            "timers: N random delays 0-100 ms, to completion",
            "timer",
            200_000,
            50_000,
            [
                Impl(aio + " call_later", "py", _py(aio, TIMERS_ASYNCIO)),
                Impl(
                    aio + " call_later, jsloop's GC settings",
                    "py",
                    _py(aio, TIMERS_ASYNCIO, GC_LIKE_JSLOOP),
                ),
                Impl(uv + " call_later", "py", _py(uv, TIMERS_ASYNCIO), "uvloop"),
                Impl("jsloop setTimeout", "py", _py("", TIMERS_JSLOOP), "jsloop:run"),
                Impl("node setTimeout", "node", TIMERS_NODE),
            ],
        ),
        Bench(
            "immediate",
            "self-re-scheduling callback, N turns",
            "callback",
            1_000_000,
            200_000,
            [
                Impl(aio + " call_soon", "py", _py(aio, SOON_ASYNCIO)),
                Impl(
                    aio + " call_soon, jsloop's GC settings",
                    "py",
                    _py(aio, SOON_ASYNCIO, GC_LIKE_JSLOOP),
                ),
                Impl(uv + " call_soon", "py", _py(uv, SOON_ASYNCIO), "uvloop"),
                Impl(
                    "jsloop setImmediate",
                    "py",
                    _py("", SOON_JSLOOP.replace("__FN__", "setImmediate")),
                    "jsloop:run",
                ),
                Impl(
                    "jsloop setImmediate, diagnostics imported (off)",
                    "py",
                    _py("", SOON_JSLOOP.replace("__FN__", "setImmediate"), DIAG_OFF),
                    "jsloop.diagnostics",
                ),
                Impl("node setImmediate", "node", SOON_NODE.replace("__FN__", "setImmediate")),
            ],
        ),
        Bench(
            "chain",
            "promise chain: N .then steps (asyncio: future chain)",
            "step",
            1_000_000,
            200_000,
            [
                Impl(aio + " future chain", "py", _py(aio, CHAIN_ASYNCIO)),
                Impl(
                    aio + " future chain, jsloop's GC settings",
                    "py",
                    _py(aio, CHAIN_ASYNCIO, GC_LIKE_JSLOOP),
                ),
                Impl(uv + " future chain", "py", _py(uv, CHAIN_ASYNCIO), "uvloop"),
                Impl("jsloop Promise.then", "py", _py("", CHAIN_JSLOOP), "jsloop:run"),
                Impl(
                    "jsloop Promise.then, diagnostics imported (off)",
                    "py",
                    _py("", CHAIN_JSLOOP, DIAG_OFF),
                    "jsloop.diagnostics",
                ),
                Impl("PyPI promise .then", "py", _py("", CHAIN_PROMISE_PKG), "promise"),
                Impl("node .then", "node", CHAIN_NODE),
            ],
            150.0,
        ),
        Bench(
            "fs",
            "thread-pool reads of 1 KiB files, 32 in flight",
            "read",
            20_000,
            4_000,
            [
                Impl(aio + " run_in_executor", "py", _py(aio, FS_ASYNCIO, FS_SETUP_PY)),
                Impl(uv + " run_in_executor", "py", _py(uv, FS_ASYNCIO, FS_SETUP_PY), "uvloop"),
                Impl("jsloop fs.readFile", "py", _py("", FS_JSLOOP, FS_SETUP_PY), "jsloop.fs"),
                Impl("node fs.promises.readFile", "node", FS_NODE),
            ],
            30.0,
        ),
        Bench(
            "ticks",
            "nextTick / queueMicrotask chain, N turns (asyncio has none: call_soon)",
            "callback",
            1_000_000,
            200_000,
            [
                Impl(aio + " call_soon", "py", _py(aio, SOON_ASYNCIO)),
                Impl(
                    "jsloop nextTick",
                    "py",
                    _py("", SOON_JSLOOP.replace("__FN__", "nextTick")),
                    "jsloop:run",
                ),
                Impl(
                    "jsloop queueMicrotask",
                    "py",
                    _py("", SOON_JSLOOP.replace("__FN__", "queueMicrotask")),
                    "jsloop:run",
                ),
                Impl("node nextTick", "node", SOON_NODE.replace("__FN__", "process.nextTick")),
                Impl("node queueMicrotask", "node", SOON_NODE.replace("__FN__", "queueMicrotask")),
            ],
        ),
    ]


def available(impl: Impl, cache: dict[str, bool]) -> bool:
    if impl.kind == "node":
        return node_path() is not None
    if not impl.needs:
        return True
    if impl.needs not in cache:
        cache[impl.needs] = have_module(impl.needs)
    return cache[impl.needs]


def run_one(impl: Impl, n: int, timeout: float) -> dict[str, Any]:
    code = impl.code.replace("__N__", str(n))
    if impl.kind == "node":
        node = node_path()
        assert node is not None
        cmd = [node, "-e", code]
    else:
        cmd = [sys.executable, "-c", code]
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=python_env())
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f}s"}
    wall = time.perf_counter() - t0
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {r.returncode}: {tail[:200]}"}
    out: dict[str, Any] = json.loads(lines[-1])
    out["process_wall"] = wall
    if not out.get("ok"):
        out["error"] = "result check failed"
    return out


def run_suite(
    quick: bool, rounds: int, only: set[str], log: Callable[[str], None]
) -> dict[str, Any]:
    cache: dict[str, bool] = {}
    load_start = [round(x, 2) for x in os.getloadavg()]
    chosen = [b for b in benches() if not only or b.key in only]
    results: dict[str, dict[str, Any]] = {}
    for b in chosen:
        n = b.quick if quick else b.full
        impls = [i for i in b.impls if available(i, cache)]
        skipped = [i.name for i in b.impls if i not in impls]
        results[b.key] = {
            "title": b.title,
            "unit": b.unit,
            "n": n,
            "skipped": skipped,
            "impls": {i.name: {"seconds": [], "errors": []} for i in impls},
        }
    for r in range(rounds):
        for b in chosen:
            impls = [i for i in b.impls if i.name in results[b.key]["impls"]]
            k = r % len(impls) if impls else 0
            for impl in impls[k:] + impls[:k]:
                n = results[b.key]["n"]
                res = run_one(impl, n, b.timeout / 2 if quick else b.timeout)
                slot = results[b.key]["impls"][impl.name]
                if "error" in res:
                    slot["errors"].append(res["error"])
                    log(f"round {r + 1} {b.key:9s} {impl.name:28s} ERROR {res['error']}")
                else:
                    slot["seconds"].append(res["seconds"])
                    slot.setdefault("by_round", {})[str(r)] = res["seconds"]
                    slot.setdefault("process_wall", []).append(round(res["process_wall"], 3))
                    log(f"round {r + 1} {b.key:9s} {impl.name:28s} {res['seconds']:.3f} s")
    for res_b in results.values():
        add_ratios(res_b)
    machine = machine_info()
    machine["loadavg_start"] = load_start
    return {"machine": machine, "quick": quick, "rounds": rounds, "benches": results}


def add_ratios(res_b: dict[str, Any]) -> None:
    """Median time, ops/s, and the speed against asyncio: the median of per-round ratios.

    Pairing each run with asyncio's run of the same round cancels slow drift of the machine
    (other work on it), which a ratio of two medians would not.
    """
    base: dict[str, float] = {}
    for name, slot in res_b["impls"].items():
        slot["median"] = median(slot["seconds"]) if slot["seconds"] else None
        if name.startswith("asyncio") and not base:  # the first: default asyncio
            base = slot.get("by_round", {})
    for slot in res_b["impls"].values():
        m = slot["median"]
        slot["ops_per_s"] = res_b["n"] / m if m else None
        mine = slot.get("by_round", {})
        ratios = [base[r] / t for r, t in mine.items() if r in base and t > 0]
        slot["vs_asyncio"] = median(ratios) if ratios else None


TIMES = "\u00d7"
DASH = "\u2013"
GE = "\u2265"

TARGETS = {
    "timers": ("jsloop setTimeout", 2.0),
    "immediate": ("jsloop setImmediate", 2.0),
    "chain": ("jsloop Promise.then", 2.0),
}


def to_markdown(data: dict[str, Any]) -> str:
    rows: list[list[str]] = []
    for key, b in data["benches"].items():
        for name, slot in b["impls"].items():
            secs = slot["seconds"]
            spread = f"{min(secs):.3f}{DASH}{max(secs):.3f}" if secs else "—"
            err = slot["errors"][0] if slot["errors"] and not secs else ""
            rows.append(
                [
                    f"{key} (N={b['n']:,})",
                    name,
                    fmt(slot["median"], 3) if slot["median"] else f"error: {err}",
                    spread,
                    fmt(slot["ops_per_s"], 0),
                    (fmt(slot["vs_asyncio"], 2) + TIMES) if slot["vs_asyncio"] else "—",
                ]
            )
        for s in b["skipped"]:
            rows.append([f"{key} (N={b['n']:,})", s, "not installed", "—", "—", "—"])
    table = md_table(
        ["benchmark", "implementation", "median s", f"min{DASH}max s", "ops/s", f"{TIMES} asyncio"],
        rows,
    )
    head = f"Targets (issue 2): jsloop {GE} 2{TIMES} asyncio on timers, immediates, chain."
    lines = [table, "", head]
    for key, (impl, goal) in TARGETS.items():
        b = data["benches"].get(key)
        if not b or impl not in b["impls"]:
            lines.append(f"- {key}: {impl} not measured")
            continue
        v = b["impls"][impl]["vs_asyncio"]
        verdict = "met" if v and v >= goal else "NOT met"
        got = f"{fmt(v, 2)}{TIMES} asyncio"
        lines.append(f"- {key}: {impl} {got} (target {GE} {goal}{TIMES}): {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes, 1 round")
    ap.add_argument("--rounds", type=int, default=0, help="rounds (default 3, quick 1)")
    ap.add_argument("--only", default="", help="comma list of: timers,immediate,chain,fs,ticks")
    ap.add_argument("--json", type=Path, default=None, help="write results JSON here")
    ap.add_argument("--md", type=Path, default=None, help="write the Markdown table here")
    args = ap.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 3)
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    data = run_suite(args.quick, rounds, only, log)
    name = "loop_micro_quick.json" if args.quick else "loop_micro.json"
    out_json = args.json or RESULTS_DIR / name
    write_json(out_json, data)
    md = to_markdown(data)
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(md + "\n")
    print(md)
    print(f"\nJSON: {out_json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
