"""Differential test: stream programs print the same lines under node 20 and under jsloop.

A program is data (see ``programs()``): a Readable ``r``, an optional
Transform ``t``, a Writable ``w`` and an optional Duplex ``d`` (half-open or
not: push/write/end/destroy/resume on both of its sides) with chosen highWaterMarks and
callback timing (synchronous, nextTick or setImmediate), connected by
nothing, ``pipe`` or ``pipeline``, and a list of operations (push, push
null, write, end, destroy with or without an error, pause, resume, a
'readable'+read() loop), each run synchronously in main or from a nextTick
or an immediate. Every event of every stream is logged ('data', 'end',
'finish', 'close', 'error', 'drain', 'pause', 'resume', 'pipe', 'unpipe'),
as are write() return values and write/end/pipeline callbacks. The program is
rendered once as JavaScript and once as Python from the same description;
the outputs must be equal line for line.

Only nextTick and setImmediate are used (no timers, no I/O), so Node's order
is fully determined. A fixed corpus runs first, then hypothesis batches;
node runs each program in its own Worker, many per process (helpers/noderun).
"""

from __future__ import annotations

import json
import os

import pytest
from helpers.noderun import node_path, run_node_batch
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.stream import Duplex, Readable, Transform, Writable, pipeline

needs_node = pytest.mark.skipif(node_path() is None, reason="node is not on PATH")

OPS = ["push", "pushnull", "write", "end", "rdestroy", "rdestroyerr", "wdestroyerr",
       "tdestroyerr", "pause", "resume", "readloop", "endchunk", "cork", "uncork",
       "unpipe", "unshift", "rdestroyerr", "iterate",
       "dpush", "dpushnull", "dwrite", "dend", "ddestroy", "ddestroyerr", "dresume"]
# ("iteratebreak" — leaving ``async for`` with break — is rendered but not drawn: Node
# awaits the generator's return() there, 2 ticks that a Python ``break`` cannot take;
# see docs/streams.md.)
WHEN = ["sync", "tick", "imm"]
CB_MODES = ["sync", "tick", "imm"]


def programs() -> st.SearchStrategy[dict]:
    op = st.fixed_dictionaries({"op": st.sampled_from(OPS), "at": st.sampled_from(WHEN)})
    return st.fixed_dictionaries({
        "rh": st.sampled_from([1, 3, 16]),
        "wh": st.sampled_from([1, 3, 16]),
        "wmode": st.sampled_from(CB_MODES),
        "tmode": st.sampled_from(["none", "sync", "tick"]),
        "connect": st.sampled_from(["none", "pipe", "pipeline"]),
        "ops": st.lists(op, min_size=1, max_size=9),
        "duplex": st.sampled_from(["none", "halfopen", "closing"]),
    })


# -- rendering ------------------------------------------------------------------------------

def _call_cb(mode: str, js: bool, cb: str, arg: str = "") -> str:
    args = f", {arg}" if arg else ""
    if mode == "sync":
        return f"{cb}({arg})"
    if mode == "tick":
        return f"process.nextTick({cb}{args})" if js else f"nextTick({cb}{args})"
    return f"setImmediate({cb}{args})"


def render(prog: dict, js: bool) -> str:
    lines: list[str] = []
    add = lines.append
    null = "null" if js else "None"
    if js:
        add("const { Readable, Writable, Transform, Duplex, pipeline } = require('stream');")
        add("const SE = (e) => e ? (e.code || e.message) : 'ok';")
        add("const SC = (c) => String(c);")
        add(f"const r = new Readable({{ highWaterMark: {prog['rh']}, read() {{}} }});")
        add(f"const w = new Writable({{ highWaterMark: {prog['wh']}, "
            f"write(c, e, cb) {{ log('w write ' + SC(c)); "
            f"{_call_cb(prog['wmode'], True, 'cb')}; }} }});")
    else:
        add(f"r = Readable(highWaterMark={prog['rh']}, read=lambda n: None)")
        add(f"def _wr(c, e, cb):\n    log('w write ' + SC(c))\n    "
            f"{_call_cb(prog['wmode'], False, 'cb')}")
        add(f"w = Writable(highWaterMark={prog['wh']}, write=_wr)")
    has_t = prog["tmode"] != "none" and prog["connect"] != "none"
    if has_t:
        if js:
            body = ("cb(null, c)" if prog["tmode"] == "sync"
                    else "process.nextTick(() => cb(null, c))")
            add(f"const t = new Transform({{ transform(c, e, cb) {{ {body}; }} }});")
        else:
            body = ("cb(None, c)" if prog["tmode"] == "sync"
                    else "nextTick(lambda: cb(None, c))")
            add(f"t = Transform(transform=lambda c, e, cb: {body})")
    duplex = prog.get("duplex", "none")
    if duplex != "none":
        half = "true" if duplex == "halfopen" else "false"
        if js:
            add(f"const d = new Duplex({{ allowHalfOpen: {half}, read() {{}}, "
                f"write(c, e, cb) {{ log('d write ' + SC(c)); "
                f"{_call_cb(prog['wmode'], True, 'cb')}; }} }});")
        else:
            add(f"def _dwr(c, e, cb):\n    log('d write ' + SC(c))\n    "
                f"{_call_cb(prog['wmode'], False, 'cb')}")
            add(f"d = Duplex(allowHalfOpen={half.capitalize()}, read=lambda n: None, "
                f"write=_dwr)")
    names = ["r", "w"] + (["t"] if has_t else []) + (["d"] if duplex != "none" else [])
    events = {
        "r": ["data", "end", "close", "error", "pause", "resume"],
        "w": ["finish", "close", "error", "drain", "pipe", "unpipe"],
        "t": ["end", "finish", "close", "error"],
        "d": ["data", "end", "finish", "prefinish", "close", "error"],
    }
    for name in names:
        for ev in events[name]:
            if ev == "data":
                arg = "SC(x)"
            elif ev == "error":
                arg = "SE(x)"
            else:
                arg = None
            if js:
                text = f"'{name} {ev}'" + (f" + ' ' + {arg}" if arg else "")
                add(f"{name}.on('{ev}', (x) => log({text}));")
            else:
                text = f"'{name} {ev}'" + (f" + ' ' + {arg}" if arg else "")
                add(f"{name}.on('{ev}', lambda x=None: log({text}))")
    chain = ["r", "t", "w"] if has_t else ["r", "w"]
    if prog["connect"] == "pipe":
        add(".pipe(".join(chain) + ")" * (len(chain) - 1) + (";" if js else ""))
    elif prog["connect"] == "pipeline":
        if js:
            add(f"pipeline({', '.join(chain)}, (err) => log('pipeline ' + SE(err)));")
        else:
            add(f"pipeline({', '.join(chain)}, lambda err=None: log('pipeline ' + SE(err)))")
    for i, step in enumerate(prog["ops"]):
        stmt = _op(step["op"], i, js, null, has_t, duplex != "none")
        if stmt is None:
            continue
        if step["at"] == "sync":
            add(stmt)
        elif js:
            sched = "process.nextTick" if step["at"] == "tick" else "setImmediate"
            add(f"{sched}(() => {{ {stmt} }});")
        else:
            sched = "nextTick" if step["at"] == "tick" else "setImmediate"
            add(f"def _op{i}():\n    {stmt}")
            add(f"{sched}(_op{i})")
    return "\n".join(lines)


def _op(op: str, i: int, js: bool, null: str, has_t: bool, has_d: bool) -> str | None:
    semi = ";" if js else ""
    if op.startswith("d"):
        if not has_d:
            return None
        if op == "dpush":
            return f"d.push('p{i}'){semi}"
        if op == "dpushnull":
            return f"d.push({null}){semi}"
        if op == "dwrite":
            if js:
                return f"d.write('q{i}', (err) => log('dcb{i} ' + SE(err)));"
            return f"d.write('q{i}', lambda err=None: log('dcb{i} ' + SE(err)))"
        if op == "dend":
            return f"d.end(){semi}"
        if op == "ddestroy":
            return f"d.destroy(){semi}"
        if op == "ddestroyerr":
            return f"d.destroy(new Error('D{i}')){semi}" if js else f"d.destroy(Exception('D{i}'))"
        if op == "dresume":
            return f"d.resume(){semi}"
    if op == "push":
        return f"log('push{i} ' + r.push('a{i}')){semi}" if js else \
            f"log('push{i} ' + J(r.push('a{i}')))"
    if op == "pushnull":
        return f"r.push({null}){semi}"
    if op == "write":
        if js:
            return (f"log('wret{i} ' + w.write('x{i}', (err) => log('wcb{i} ' + SE(err))));")
        return f"log('wret{i} ' + J(w.write('x{i}', lambda err=None: log('wcb{i} ' + SE(err)))))"
    if op == "end":
        if js:
            return f"w.end((err) => log('endcb{i} ' + SE(err)));"
        return f"w.end(lambda err=None: log('endcb{i} ' + SE(err)))"
    if op == "endchunk":
        return f"w.end('z{i}'){semi}"
    if op == "rdestroy":
        return f"r.destroy(){semi}"
    if op == "rdestroyerr":
        return f"r.destroy(new Error('R{i}')){semi}" if js else f"r.destroy(Exception('R{i}'))"
    if op == "wdestroyerr":
        return f"w.destroy(new Error('W{i}')){semi}" if js else f"w.destroy(Exception('W{i}'))"
    if op == "tdestroyerr":
        if not has_t:
            return None
        return f"t.destroy(new Error('T{i}')){semi}" if js else f"t.destroy(Exception('T{i}'))"
    if op == "pause":
        return f"r.pause(){semi}"
    if op == "cork":
        return f"w.cork(){semi}"
    if op == "uncork":
        return f"w.uncork(){semi}"
    if op == "unpipe":
        return f"r.unpipe(){semi}"
    if op == "unshift":
        return f"r.unshift('u{i}'){semi}"
    if op == "resume":
        return f"r.resume(){semi}"
    if op == "iterate" or op == "iteratebreak":
        brk = op == "iteratebreak"
        if js:
            body = "if (true) break; " if brk else ""
            return ("(async () => { try { for await (const c of r) { log('it ' + SC(c)); "
                    f"{body}}} log('it done'); }} catch (e) {{ log('it err ' + SE(e)); }} }})();")
        return f"ITERATE(r, {brk})"
    if op == "readloop":
        if js:
            return ("r.on('readable', () => { let c; while ((c = r.read()) !== null) "
                    "log('read ' + SC(c)); });")
        return "r.on('readable', lambda: READ_ALL(r))"
    raise AssertionError(op)


def run_py(prog: dict) -> list[str]:
    src = render(prog, js=False)
    out: list[str] = []

    def log(s: object) -> None:
        out.append(str(s))

    def read_all(r: Readable) -> None:
        while (c := r.read()) is not None:
            log("read " + SC(c))

    def SC(c: object) -> str:
        return c.decode() if isinstance(c, bytes) else str(c)

    @jsloop.asyncfn
    async def iterate(r: Readable, brk: bool) -> None:
        try:
            async for c in r:
                log("it " + SC(c))
                if brk:
                    break
            log("it done")
        except Exception as e:
            log("it err " + (getattr(e, "code", None) or str(e)))

    ns = {
        "log": log, "Readable": Readable, "Writable": Writable, "Transform": Transform,
        "Duplex": Duplex,
        "pipeline": pipeline, "nextTick": nextTick, "setImmediate": setImmediate,
        "SE": lambda e: "ok" if e is None else (getattr(e, "code", None) or str(e)),
        "SC": SC, "J": lambda b: "true" if b else "false", "READ_ALL": read_all,
        "ITERATE": lambda r, brk: iterate(r, brk),
    }

    def main() -> None:
        exec(compile(src, "<stream program>", "exec"), ns)

    try:
        jsloop.run(main)
    except BaseException as exc:  # an uncaught error is output too
        out.append(f"RAISED {type(exc).__name__}: {exc}")
    return out


def compare(progs: list[dict]) -> None:
    results = run_node_batch([render(p, js=True) for p in progs])
    failures = []
    for prog, res in zip(progs, results, strict=True):
        assert res["error"] is None, (res["error"], render(prog, js=True))
        py_out = run_py(prog)
        if py_out != res["out"]:
            failures.append(
                f"\n--- program ---\n{json.dumps(prog)}\n--- js ---\n{render(prog, js=True)}"
                f"\n--- node ---\n{res['out']}\n--- jsloop ---\n{py_out}"
            )
    assert not failures, "".join(failures[:3])


CORPUS: list[dict] = [
    {"rh": 3, "wh": 1, "wmode": "imm", "tmode": "none", "connect": "pipe",
     "ops": [{"op": "push", "at": "sync"}, {"op": "push", "at": "sync"},
             {"op": "push", "at": "tick"}, {"op": "pushnull", "at": "imm"}]},
    {"rh": 16, "wh": 3, "wmode": "tick", "tmode": "tick", "connect": "pipeline",
     "ops": [{"op": "push", "at": "sync"}, {"op": "push", "at": "sync"},
             {"op": "pushnull", "at": "tick"}]},
    {"rh": 16, "wh": 3, "wmode": "sync", "tmode": "sync", "connect": "pipeline",
     "ops": [{"op": "push", "at": "sync"}, {"op": "tdestroyerr", "at": "tick"},
             {"op": "push", "at": "imm"}]},
    {"rh": 1, "wh": 1, "wmode": "sync", "tmode": "none", "connect": "none",
     "ops": [{"op": "write", "at": "sync"}, {"op": "write", "at": "sync"},
             {"op": "end", "at": "sync"}, {"op": "write", "at": "tick"},
             {"op": "readloop", "at": "sync"}, {"op": "push", "at": "sync"},
             {"op": "pushnull", "at": "imm"}]},
    {"rh": 3, "wh": 3, "wmode": "imm", "tmode": "none", "connect": "none",
     "ops": [{"op": "write", "at": "sync"}, {"op": "wdestroyerr", "at": "sync"},
             {"op": "end", "at": "tick"}, {"op": "push", "at": "sync"},
             {"op": "rdestroyerr", "at": "tick"}, {"op": "resume", "at": "sync"}]},
    {"rh": 16, "wh": 16, "wmode": "tick", "tmode": "sync", "connect": "pipe",
     "ops": [{"op": "push", "at": "sync"}, {"op": "pause", "at": "tick"},
             {"op": "push", "at": "tick"}, {"op": "resume", "at": "imm"},
             {"op": "endchunk", "at": "imm"}, {"op": "pushnull", "at": "imm"}]},
    {"rh": 1, "wh": 1, "wmode": "imm", "tmode": "none", "connect": "pipeline",
     "ops": [{"op": "push", "at": "sync"}, {"op": "rdestroy", "at": "tick"}]},
]


@needs_node
def test_stream_corpus_matches_node():
    compare(CORPUS)


@needs_node
# Fixed programs by default, so a CI run is repeatable; JSLOOP_EXPLORE=1 draws new ones
# (how the ~2,000 programs in docs/streams.md were compared).
@settings(max_examples=8, deadline=None, phases=[Phase.generate],
          derandomize=not os.environ.get("JSLOOP_EXPLORE"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(programs(), min_size=20, max_size=20))
def test_random_stream_programs_match_node(progs):
    note(json.dumps(progs))
    compare(progs)
