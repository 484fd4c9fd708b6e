"""Run anyio's own test suite on asyncio's default loop and on jsloop.new_event_loop().

Usage: python tests/upstream/run_anyio.py [--workdir DIR] [-- extra pytest args]

What it does, with nothing but PyPI:
1. ``pip download --no-binary :all: --no-deps anyio==<installed version>`` (the sdist
   holds anyio's tests/), unpacked into the work dir (default: a cache dir);
2. adds one backend parameter to anyio's tests/conftest.py, next to its own
   ``asyncio`` and ``asyncio+uvloop`` ones::

       ("asyncio", {"debug": True, "loop_factory": jsloop.new_event_loop})  # id asyncio+jsloop

3. runs anyio's tests (its own pytest configuration) for the ``asyncio`` and
   ``asyncio+jsloop`` ids (trio and uvloop deselected), writing JUnit XML;
4. compares per test: every test that passes on ``asyncio`` must pass on
   ``asyncio+jsloop``. Known exceptions (with their reasons) are listed in
   ``KNOWN`` below and in docs/asyncio.md. Exit status 0 iff no other test regresses.

Not part of the default ``pytest -q`` (about 3-4 minutes on 2 cores); .ci/run runs it
as a separate, time-bounded step.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

PARAM = '''import jsloop as _jsloop

asyncio_params.append(
    pytest.param(
        ("asyncio", {"debug": True, "loop_factory": _jsloop.new_event_loop}),
        id="asyncio+jsloop",
    )
)
'''
ANCHOR = "backend_params = asyncio_params.copy()"

# test id on jsloop (without the parameter part) -> why it may differ from the default loop
KNOWN: dict[str, str] = {}


def fetch(version: str, workdir: Path) -> Path:
    src = workdir / f"anyio-{version}"
    if (src / "tests" / "conftest.py").exists():
        return src
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
         "--no-deps", f"anyio=={version}", "-d", str(workdir)],
        check=True, timeout=300,
    )
    with tarfile.open(workdir / f"anyio-{version}.tar.gz") as tar:
        tar.extractall(workdir, filter="data")
    return src


def patch(src: Path) -> None:
    conftest = src / "tests" / "conftest.py"
    text = conftest.read_text()
    if "asyncio+jsloop" in text:
        return
    if text.count(ANCHOR) != 1:
        raise SystemExit(f"anyio's conftest changed: {ANCHOR!r} not found once")
    conftest.write_text(text.replace(ANCHOR, PARAM + ANCHOR))


def outcomes(xml: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kids = {child.tag for child in case}
        if "failure" in kids or "error" in kids:
            out[name] = "failed"
        elif "skipped" in kids:
            out[name] = "skipped"
        else:
            out[name] = "passed"
    return out


def nodeid(name: str) -> str:
    """JUnit ``classname::name`` back to a pytest node id."""
    classname, test = name.split("::", 1)
    parts = classname.split(".")
    for i, part in enumerate(parts):
        if part.startswith("test_"):
            return "::".join(["/".join(parts[: i + 1]) + ".py", *parts[i + 1:], test])
    return name


def compare(res: dict[str, str]) -> tuple[dict[str, int], list[str], list[str]]:
    counts: dict[str, int] = {}
    regressions: list[str] = []
    known: list[str] = []
    for name, outcome in sorted(res.items()):
        if "[asyncio+jsloop" in name:
            counts[f"jsloop {outcome}"] = counts.get(f"jsloop {outcome}", 0) + 1
            base = name.replace("[asyncio+jsloop", "[asyncio")
            if res.get(base) == "passed" and outcome != "passed":
                key = name.split("[", 1)[0]
                (known if key in KNOWN else regressions).append(name)
        elif "[asyncio" in name:
            counts[f"default {outcome}"] = counts.get(f"default {outcome}", 0) + 1
    return counts, regressions, known


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "jsloop-anyio"))
    ap.add_argument("pytest_args", nargs="*")
    ns = ap.parse_args()
    version = importlib.metadata.version("anyio")
    src = fetch(version, Path(ns.workdir))
    patch(src)
    xml = Path(ns.workdir) / "results.xml"
    cmd = [
        sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
        "-k", "not trio and not uvloop", f"--junitxml={xml}", "-o", "junit_family=xunit1",
        *ns.pytest_args,
    ]
    print("+", " ".join(cmd), flush=True)
    xml.unlink(missing_ok=True)  # never compare a previous run's results
    rc = subprocess.run(cmd, cwd=src, check=False).returncode
    if rc not in (0, 1) or not xml.exists():
        # 2 interrupted, 3 internal error, 4 usage error (e.g. a missing plugin), 5 no tests
        print(f"anyio's suite did not run to the end (pytest exit status {rc})")
        return 2
    counts, regressions, known = compare(outcomes(xml))
    if not any(k.startswith("jsloop") for k in counts):
        print("no asyncio+jsloop test ran: the backend parameter did not take")
        return 2
    print(f"anyio {version}:", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    if regressions:
        # A loaded machine makes some timing tests flaky on any loop: run each once more.
        xml2 = Path(ns.workdir) / "rerun.xml"
        ids = [nodeid(name) for name in regressions]
        subprocess.run([*cmd[:3], *ids, "-q", "-p", "no:cacheprovider", f"--junitxml={xml2}",
                        "-o", "junit_family=xunit1"], cwd=src, check=False)
        again = outcomes(xml2)
        flaky = [n for n in regressions if again.get(n) == "passed"]
        for name in flaky:
            print(f"FLAKY (passed when re-run)  {name}")
        regressions = [n for n in regressions if n not in flaky]
    for name in known:
        print(f"KNOWN  {name}: {KNOWN[name.split('[', 1)[0]]}")
    for name in regressions:
        print(f"REGRESSION  {name}")
    print(f"{len(regressions)} regressions, {len(known)} known differences")
    return 1 if regressions else 0


if __name__ == "__main__":
    raise SystemExit(main())
