"""fs.createReadStream / fs.createWriteStream (jsloop._fs_stream) on real files.

Event orders were checked against node 20 with the same programs in JS.
The memory test copies a file through pipeline() in a subprocess and checks
peak RSS stays bounded by the highWaterMarks, not by the file size.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import pytest

import jsloop
from jsloop import fs
from jsloop.stream import PassThrough, Transform, pipeline


def run(main):
    out: list = []
    jsloop.run(main, out.append)
    return out


@pytest.fixture
def data_file(tmp_path):
    p = tmp_path / "in.bin"
    p.write_bytes(os.urandom(300_000))
    return p


def test_pipeline_copies_a_file_in_node_event_order(data_file, tmp_path):
    out_path = tmp_path / "out.bin"

    def main(log):
        r = fs.createReadStream(str(data_file))
        w = fs.createWriteStream(str(out_path))
        r.on("open", lambda fd: log("r open"))
        r.on("ready", lambda: log("r ready"))
        r.on("end", lambda: log("r end"))
        r.on("close", lambda: log("r close"))
        w.on("finish", lambda: log("w finish"))
        w.on("close", lambda: log("w close"))
        up = Transform(transform=lambda c, e, cb: cb(None, c))
        pipeline(r, up, w, lambda err=None: log(f"done {err} {r.bytesRead} {w.bytesWritten}"))

    out = run(main)
    # Each stream's own order is fixed; how the two interleave depends on which
    # thread-pool request (close of the source, last write) completes first.
    assert [x for x in out if x.startswith("r ")] == ["r open", "r ready", "r end", "r close"]
    assert [x for x in out if x.startswith("w ")] == ["w finish", "w close"]
    assert out[-1] == "done None 300000 300000"
    assert out_path.read_bytes() == data_file.read_bytes()


def test_start_end_inclusive_encoding_and_chunking(data_file):
    raw = data_file.read_bytes()

    def main(log):
        r = fs.createReadStream(str(data_file), start=10, end=19, encoding="hex")
        r.on("data", log)
        sizes: list[int] = []
        r2 = fs.createReadStream(str(data_file), highWaterMark=100_000)
        r2.on("data", lambda c: sizes.append(len(c)))
        r2.on("end", lambda: log(sizes))

    out = run(main)
    assert out == [raw[10:20].hex(), [100_000, 100_000, 100_000]]


def test_default_high_water_mark_is_64k(data_file):
    def main(log):
        r = fs.createReadStream(str(data_file))
        log(r.readableHighWaterMark)
        log(r.pending)
        r.on("ready", lambda: log(r.pending))
        r.on("data", lambda c: log(len(c)) if r.bytesRead == len(c) else None)

    assert run(main) == [65536, True, False, 65536]


def test_open_error_is_emitted_then_close():
    def main(log):
        r = fs.createReadStream("/nonexistent/file")
        r.on("error", lambda e: log(f"error {e.code} {e.syscall}"))
        r.on("close", lambda: log("close"))

    assert run(main) == ["error ENOENT open", "close"]


def test_write_stream_start_flags_and_close_cb(tmp_path):
    p = tmp_path / "w.txt"
    p.write_bytes(b"0123456789")

    def main(log):
        w = fs.createWriteStream(str(p), flags="r+", start=3)
        w.write("ab")
        w.write(b"cd")
        w.close(lambda *a: log(f"closed {w.bytesWritten}"))
        w.on("finish", lambda: log("finish"))

    assert run(main) == ["finish", "closed 4"]
    assert p.read_bytes() == b"012abcd789"


def test_error_in_the_middle_destroys_every_stage_and_reports_once(data_file, tmp_path):
    """A transform failing on its 3rd chunk: every stage is destroyed, the callback runs once."""
    out_path = tmp_path / "out.bin"

    def main(log):
        r = fs.createReadStream(str(data_file), highWaterMark=16_384)
        count = 0

        def transform(chunk, enc, cb):
            nonlocal count
            count += 1
            if count == 3:
                cb(ValueError("bad chunk"))
            else:
                cb(None, chunk)

        t = Transform(transform=transform)
        pt = PassThrough()
        w = fs.createWriteStream(str(out_path))
        stages = {"r": r, "t": t, "pt": pt, "w": w}
        for name, s in stages.items():
            s.on("close", lambda name=name: log(f"close {name}"))

        def done(err=None):
            log(f"callback {err!r}")
            log("destroyed " + ",".join(n for n, s in stages.items() if s.destroyed))

        pipeline(r, t, pt, w, done)

    out = run(main)
    callbacks = [line for line in out if line.startswith("callback")]
    assert callbacks == ["callback ValueError('bad chunk')"]
    assert sorted(line for line in out if line.startswith("close")) == [
        "close pt", "close r", "close t", "close w"
    ]
    assert "destroyed r,t,pt,w" in out
    assert out_path.stat().st_size < data_file.stat().st_size


def test_bad_arguments_raise_at_the_call_site():
    with pytest.raises(TypeError) as info:
        fs.createReadStream(123)
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    with pytest.raises(ValueError) as info2:
        fs.createReadStream("x", start=5, end=2)
    assert info2.value.code == "ERR_OUT_OF_RANGE"
    with pytest.raises(TypeError) as info3:
        fs.createWriteStream("x", flags="bogus")
    assert info3.value.code == "ERR_INVALID_ARG_VALUE"


COPY_SCRIPT = textwrap.dedent(
    """
    import resource, sys, time
    import jsloop
    from jsloop import fs
    from jsloop.stream import Transform, pipeline

    src, dst = sys.argv[1], sys.argv[2]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def main():
        t0 = time.perf_counter()
        upper = Transform(transform=lambda c, e, cb: cb(None, c))

        def done(err=None):
            if err:
                raise err
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(base, peak, round(time.perf_counter() - t0, 3))

        pipeline(fs.createReadStream(src), upper, fs.createWriteStream(dst), done)

    jsloop.run(main)
    """
)


def copy_with_rss(src: str, dst: str) -> tuple[int, int, float]:
    """Run COPY_SCRIPT; return (baseline KiB, peak KiB, seconds)."""
    proc = subprocess.run(
        [sys.executable, "-c", COPY_SCRIPT, src, dst],
        capture_output=True, text=True, timeout=120, check=True,
    )
    base, peak, secs = proc.stdout.split()
    return int(base), int(peak), float(secs)


def test_copy_memory_is_bounded_by_high_water_marks(tmp_path):
    src = tmp_path / "big.bin"
    size = 64 * 1024 * 1024
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size >> 20):
            f.write(block)
    dst = tmp_path / "copy.bin"
    base, peak, _secs = copy_with_rss(str(src), str(dst))
    # 64 MiB went through; the streams hold at most a few 64 KiB chunks at once.
    assert peak - base < 16 * 1024, (base, peak)
    assert dst.stat().st_size == size
    with open(src, "rb") as a, open(dst, "rb") as b:
        assert hashlib.md5(a.read()).digest() == hashlib.md5(b.read()).digest()
