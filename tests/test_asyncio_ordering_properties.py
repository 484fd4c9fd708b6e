"""Property: asyncio callbacks inside jsloop.run follow the documented phase rule.

The rule (docs/loop.md "asyncio in the loop", docs/asyncio.md): asyncio's ready queue
runs as one pending-phase entry per turn over the handles ready when it starts, each
followed by the nextTick + microtask drain; setImmediate callbacks run in the check phase
later in the same turn. A small model of that rule predicts the order of any program
built from call_soon / nextTick / queueMicrotask / setImmediate (nested two levels), and
jsloop must print exactly the model's order.
"""

from __future__ import annotations

import asyncio
from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

import jsloop

KINDS = ("soon", "tick", "micro", "imm")

leaf = st.tuples(st.sampled_from(KINDS), st.just(()))
node = st.tuples(st.sampled_from(KINDS), st.lists(leaf, max_size=3).map(tuple))
programs = st.lists(node, min_size=1, max_size=8)


def label_all(prog):
    """Give every op a unique label: (kind, label, children)."""
    n = 0

    def walk(ops):
        nonlocal n
        out = []
        for kind, kids in ops:
            n += 1
            out.append((kind, f"{kind}{n}", walk(kids)))
        return tuple(out)

    return walk(prog)


def model(prog):
    """The documented rule, as a tiny scheduler."""
    log = []
    ticks, micro, ready, imms = deque(), deque(), deque(), deque()
    queues = {"tick": ticks, "micro": micro, "soon": ready, "imm": imms}

    def run(op):
        _kind, label, kids = op
        log.append(label)
        for kid in kids:
            queues[kid[0]].append(kid)

    def drain():
        while ticks or micro:
            while ticks:
                run(ticks.popleft())
            while micro:
                run(micro.popleft())

    for op in prog:
        queues[op[0]].append(op)
    drain()
    while ready or imms:
        for _ in range(len(ready)):  # pending phase: the snapshot
            run(ready.popleft())
            drain()
        for _ in range(len(imms)):  # check phase: immediates queued before it
            run(imms.popleft())
            drain()
    return log


def real(prog):
    log = []

    def schedule(op):
        kind = op[0]
        if kind == "soon":
            asyncio.get_running_loop().call_soon(run, op)
        elif kind == "tick":
            jsloop.nextTick(run, op)
        elif kind == "micro":
            jsloop.queueMicrotask(lambda: run(op))
        else:
            jsloop.setImmediate(run, op)

    def run(op):
        log.append(op[1])
        for kid in op[2]:
            schedule(kid)

    def main():
        for op in prog:
            schedule(op)

    jsloop.run(main)
    return log


@settings(max_examples=100, deadline=None)
@given(programs)
def test_asyncio_callbacks_follow_the_phase_rule(prog):
    labelled = label_all(prog)
    assert real(labelled) == model(labelled)
