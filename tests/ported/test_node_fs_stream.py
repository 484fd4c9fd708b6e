"""fs.ReadStream / fs.WriteStream tests ported from Node v20's test/parallel (one per file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py);
``tmpdir`` is pytest's ``tmp_path``.
"""

from __future__ import annotations

import os

import pytest

import jsloop
from jsloop import fs, nextTick


def _eq(a, b):
    assert a == b, (a, b)


def test_fs_write_stream(must, tmp_path):
    """test/parallel/test-fs-write-stream.js

    The first block (monkey-patching ``fs.close``) checks Node's internals; left out.
    """
    file = str(tmp_path / "write.txt")

    def main():
        stream = fs.createWriteStream(file)

        def on_drain():
            raise AssertionError("'drain' event must not be emitted before write()")

        stream.on("drain", on_drain)
        stream.destroy()
        stream2 = fs.createWriteStream(file)
        stream2.on("error", must.not_call())
        with pytest.raises(TypeError) as info:
            stream2.write(42)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        stream2.destroy()

    jsloop.run(main)


def test_fs_write_stream_end(must, tmp_path):
    """test/parallel/test-fs-write-stream-end.js"""

    def main():
        s0 = fs.createWriteStream(str(tmp_path / "write-end-test0.txt"))
        s0.end()
        s0.on("close", must.call())
        file1 = tmp_path / "write-end-test1.txt"
        s1 = fs.createWriteStream(str(file1))
        s1.end("a\n", "utf8")
        s1.on("close", must.call(lambda: _eq(file1.read_text(), "a\n")))
        s2 = fs.createWriteStream(str(tmp_path / "write-end-test2.txt"))
        s2.end()
        called_open = [False]
        s2.on("open", lambda fd: called_open.__setitem__(0, True))
        s2.on("finish", must.call(lambda: _eq(called_open[0], True)))

    jsloop.run(main)


def test_fs_read_stream_double_close(must):
    """test/parallel/test-fs-read-stream-double-close.js"""

    def main():
        s = fs.createReadStream(__file__)
        s.close(must.call())
        s.close(must.call())
        s2 = fs.createReadStream(__file__)
        s2.destroy(None, must.call())
        s2.destroy(None, must.call())

    jsloop.run(main)


def test_fs_write_stream_double_close(must, tmp_path):
    """test/parallel/test-fs-write-stream-double-close.js"""

    def main():
        s = fs.createWriteStream(str(tmp_path / "rw"))
        s.close(must.call())
        s.close(must.call())
        s2 = fs.createWriteStream(str(tmp_path / "rw2"))
        emits = [0]
        s2.on("close", lambda: emits.__setitem__(0, emits[0] + 1))

        def first():
            assert emits[0] == 1
            s2.close(must.call(lambda: _eq(emits[0], 1)))
            nextTick(lambda: s2.close(must.call(lambda: _eq(emits[0], 1))))

        s2.close(must.call(first))
        s3 = fs.createWriteStream(str(tmp_path / "rw"), autoClose=False)
        s3.close(must.call())
        s3.close(must.call())

    jsloop.run(main)


def test_fs_read_stream_fd(must, tmp_path):
    """test/parallel/test-fs-read-stream-fd.js"""
    file = tmp_path / "read_stream_fd_test.txt"
    file.write_text("hello world")
    output = []

    def main():
        fd = os.open(file, os.O_RDONLY)
        stream = fs.createReadStream(None, {"fd": fd, "encoding": "utf8"})
        assert stream.path is None
        stream.on("data", must.call(output.append, None))

    jsloop.run(main)
    assert "".join(output) == "hello world"


def test_fs_write_stream_close_without_callback(tmp_path):
    """test/parallel/test-fs-write-stream-close-without-callback.js"""
    path = tmp_path / "nocallback"

    def main():
        s = fs.createWriteStream(str(path))
        s.end("hello world")
        s.close()

    jsloop.run(main)
    assert path.read_text() == "hello world"


def test_fs_read_stream_auto_close(must, tmp_path):
    """test/parallel/test-fs-read-stream-autoClose.js"""

    def main():
        file = fs.createWriteStream(str(tmp_path / "write-autoClose.txt"), autoClose=True)
        file.on("finish", must.call(lambda: _eq(file.destroyed, False)))
        file.end("asd")

    jsloop.run(main)


def test_fs_read_stream_resume(must, tmp_path):
    """test/parallel/test-fs-read-stream-resume.js (fixtures/x.txt is written to tmp)"""
    path = tmp_path / "x.txt"
    path.write_text("xyz\n")
    data = []

    def main():
        stream = fs.createReadStream(str(path))
        stream.setEncoding("utf8")
        first = [True]

        def on_data(chunk):
            data.append(chunk)
            if first[0]:
                first[0] = False
                stream.resume()

        stream.on("data", must.call(on_data, None))

        def later():
            stream.pause()
            jsloop.setTimeout(lambda: stream.resume(), 100)

        nextTick(later)

    jsloop.run(main)
    assert "".join(data) == "xyz\n"


def test_fs_write_stream_autoclose_option(must, tmp_path):
    """test/parallel/test-fs-write-stream-autoclose-option.js"""
    file = str(tmp_path / "write-autoclose-opt1.txt")

    def main():
        stream = fs.createWriteStream(file, flags="w+", autoClose=False)
        stream.write("Test1")
        stream.end()

        def on_finish():
            stream.on("close", must.not_call())

            def later():
                assert stream.closed is False
                assert stream.fd is not None
                nxt(stream.fd)

            nextTick(must.call(later))

        stream.on("finish", must.call(on_finish))

        def nxt(fd):
            s2 = fs.createWriteStream(None, fd=fd, start=0)
            s2.write("Test2")
            s2.end()

            def on_finish2():
                assert s2.closed is False

                def on_close2():
                    assert s2.fd is None
                    assert s2.closed is True
                    nextTick(next2)

                s2.on("close", must.call(on_close2))

            s2.on("finish", must.call(on_finish2))

        def next2():
            def on_read(err, data):
                assert err is None
                assert data.decode() == "Test2"
                nextTick(must.call(next3))

            fs.readFile(file, on_read)

        def next3():
            s3 = fs.createWriteStream(file, autoClose=True)
            s3.write("Test3")
            s3.end()

            def on_finish3():
                assert s3.closed is False

                def on_close3():
                    assert s3.fd is None
                    assert s3.closed is True

                s3.on("close", must.call(on_close3))

            s3.on("finish", must.call(on_finish3))

    jsloop.run(main)
