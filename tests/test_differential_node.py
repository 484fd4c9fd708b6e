"""Differential test: random programs print the same lines under node and under jsloop.

Hypothesis draws a *batch* of programs (see helpers/progs.py for the shapes:
timers, intervals, immediates, clears, nextTick, queueMicrotask, then/catch/
finally chains, new Promise resolved with values/promises/thenables/timers,
combinators, async functions with awaits and returns). Each program is run
under jsloop on a fake clock first; the programs whose order Node does not fix
(ORDERING.md §3.2, §5: see helpers/pyrun.nondeterministic) are dropped; the
rest run under ``node``, each in its own Worker, several Workers at a time, one
``node`` process per batch. When outputs differ, the program is re-run alone
under node twice; if node repeats its output, the failure shows every such
program with both renderings and both outputs.

tests/data/differential_corpus.json keeps programs that once disagreed, with
node's output, and is checked on every run (no node needed for that part).
"""

from __future__ import annotations

import json
import pathlib
import time

import pytest
from helpers.noderun import node_path, run_node_batch
from helpers.progs import dumps, programs, render_js, render_py
from helpers.pyrun import nondeterministic, run_py
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

CORPUS = pathlib.Path(__file__).parent / "data" / "differential_corpus.json"
BATCH = 24  # programs per node process (at most)
BATCHES = 40  # hypothesis examples: about 40 * 16 * 0.6 = 350+ programs compared

needs_node = pytest.mark.skipif(node_path() is None, reason="node is not on PATH")

_stats = {"batches": 0, "compared": 0, "dropped": 0, "unstable": 0, "seconds": 0.0}


@pytest.fixture(scope="module", autouse=True)
def _report_stats(request):
    yield
    if _stats["batches"]:
        tr = request.config.pluginmanager.get_plugin("terminalreporter")
        cm = request.config.pluginmanager.get_plugin("capturemanager")
        if tr is not None and cm is not None:
            with cm.global_and_fixture_disabled():
                tr.ensure_newline()
                tr.write_line(
                    "differential: {compared} programs compared with node, {dropped} dropped "
                    "as nondeterministic in Node, {unstable} disagreements not reproducible under "
                    "node, {batches} batches, {seconds:.1f} s".format(
                        **_stats
                    )
                )


def describe(prog, js, py, node_out, py_out):
    return (
        "\n--- program (json) ---\n"
        + dumps(prog)
        + "\n--- JavaScript ---\n"
        + js
        + "\n--- Python ---\n"
        + py
        + f"\n--- node   : {' '.join(node_out)}"
        + f"\n--- jsloop : {' '.join(py_out)}\n"
    )


def node_is_stable(js, first_out, reruns=2):
    """Re-run a disagreeing program alone under node: an order that changes between
    runs is Node's timing, not a jsloop bug (a loaded machine delays Workers)."""
    for _ in range(reruns):
        (res,) = run_node_batch([js], concurrency=1)
        if res["error"] or res["out"] != first_out:
            _stats["unstable"] += 1
            return False
    return True


def check_batch(progs):
    """Run ``progs`` under both runtimes; return a list of failure descriptions."""
    kept = []
    for prog in progs:
        py = render_py(prog)
        py_out, trace = run_py(py)
        why = nondeterministic(trace)
        if why is not None:
            _stats["dropped"] += 1
            continue
        kept.append((prog, py, py_out))
    results = run_node_batch([render_js(p) for p, _, _ in kept])
    failures = []
    for (prog, py, py_out), res in zip(kept, results, strict=True):
        if res["error"]:
            failures.append(
                f"node failed: {res['error']}"
                + describe(prog, render_js(prog), py, res["out"], py_out)
            )
        elif res["out"] != py_out and node_is_stable(render_js(prog), res["out"]):
            failures.append(describe(prog, render_js(prog), py, res["out"], py_out))
    _stats["compared"] += len(kept)
    return failures


@needs_node
@settings(
    max_examples=BATCHES,
    deadline=None,
    # No shrinking: each step would re-run node; the failure message already shows
    # every disagreeing program on its own with both renderings and outputs.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(programs(), min_size=8, max_size=BATCH))
def test_random_programs_print_the_same_as_node(progs):
    t0 = time.monotonic()
    failures = check_batch(progs)
    _stats["batches"] += 1
    _stats["seconds"] += time.monotonic() - t0
    for f in failures:
        note(f)
    assert not failures, "\n".join(failures)


def load_corpus():
    if not CORPUS.exists():
        return []
    return json.loads(CORPUS.read_text())


def _corpus_params():
    """One param per corpus case; a case still failing in jsloop carries its xfail reason."""
    return [
        pytest.param(
            c,
            id=c["name"],
            marks=[pytest.mark.xfail(strict=True, reason=c["xfail"])] if c.get("xfail") else [],
        )
        for c in load_corpus()
    ]


@pytest.mark.parametrize("case", _corpus_params())
def test_regression_corpus(case):
    """Programs that once disagreed; ``node`` is node's recorded output."""
    prog = case["program"]
    py = render_py(prog)
    py_out, _trace = run_py(py)
    assert py_out == case["node"], describe(prog, render_js(prog), py, case["node"], py_out)


@needs_node
def test_regression_corpus_still_matches_node():
    """The recorded outputs are node's: re-run the corpus under node."""
    cases = load_corpus()
    if not cases:
        pytest.skip("empty corpus")
    results = run_node_batch([render_js(c["program"]) for c in cases])
    for case, res in zip(cases, results, strict=True):
        assert res["error"] is None
        assert res["out"] == case["node"], case.get("name")
