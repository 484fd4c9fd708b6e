"""A static file server on jsloop: each file is streamed with ``stream.pipeline``::

    python examples/http_file_server.py --root ./public --host 127.0.0.1 --port 0

``GET /path`` streams ``ROOT/path`` (``fs.createReadStream`` piped into the
response, so a large file never sits in memory and a slow client applies
backpressure to the disk reads); ``HEAD`` answers the head only; a missing
file is ``404``, a path outside the root ``403``, another method ``405``.
Prints ``http file server listening on HOST:PORT``. The JavaScript it mirrors::

    http.createServer((req, res) => {
      fs.stat(file, (err, st) => {
        res.writeHead(200, {'Content-Length': st.size});
        pipeline(fs.createReadStream(file), res, (err) => { ... });
      });
    });

SIGINT/SIGTERM: stop accepting, close idle keep-alive connections, let the
downloads in flight finish (their responses end with ``Connection: close``),
cut whatever is left after 1.5 s, exit 0.
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import sys
import urllib.parse
from typing import Any

import jsloop
from jsloop import fs, http, process, stream

GRACE_MS = 1500


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Static file server (jsloop.http).")
    parser.add_argument("--root", default=".", help="directory to serve (default .)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    return parser.parse_args(argv)


def resolve(root: str, url: str) -> str | None:
    """The file for ``url`` under ``root``, or None if it escapes the root."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    full = os.path.realpath(os.path.join(root, path.lstrip("/")))
    return full if full == root or full.startswith(root + os.sep) else None


def main(root: str, host: str, port: int) -> None:
    root = os.path.realpath(root)
    closing = [False]

    def fail(res: Any, code: int) -> None:
        res.statusCode = code
        res.setHeader("Content-Type", "text/plain")
        res.end(f"{code} {http.STATUS_CODES[code]}\n")

    def handler(req: Any, res: Any) -> None:
        if closing[0]:
            res.setHeader("Connection", "close")
        if req.method not in ("GET", "HEAD"):
            res.setHeader("Allow", "GET, HEAD")
            fail(res, 405)
            return
        path = resolve(root, req.url)
        if path is None:
            fail(res, 403)
            return

        def on_stat(err: Any, st: Any) -> None:
            if err is not None or not st.isFile():
                fail(res, 404)
                return
            res.writeHead(200, {
                "Content-Type": mimetypes.guess_type(path)[0] or "application/octet-stream",
                "Content-Length": st.size,
            })
            if req.method == "HEAD":
                res.end()
                return

            def done(err: Any = None) -> None:
                if err is not None:
                    res.destroy()  # a client gone mid-download, or a read error

            stream.pipeline(fs.createReadStream(path), res, done)

        fs.stat(path, on_stat)

    server = http.createServer(handler)

    def listening() -> None:
        addr: Any = server.address()
        print(f"http file server listening on {addr.address}:{addr.port}", flush=True)

    def shutdown(signame: str) -> None:
        print(f"{signame}: closing", flush=True)
        closing[0] = True
        server.close()
        jsloop.setTimeout(server.closeAllConnections, GRACE_MS).unref()
        process.removeAllListeners("SIGINT")
        process.removeAllListeners("SIGTERM")

    def on_error(err: BaseException) -> None:
        raise err

    server.on("error", on_error)
    process.on("SIGINT", shutdown)
    process.on("SIGTERM", shutdown)
    server.listen(port, host, listening)


if __name__ == "__main__":
    args = parse_args()
    jsloop.run(main, args.root, args.host, args.port)
    sys.exit(0)
