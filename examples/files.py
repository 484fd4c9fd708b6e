"""jsloop.fs in use: Node's fs/promises on the thread pool, awaited from async code.

    python examples/files.py [--dir DIR] [--files N]

Writes N files concurrently (all requests in flight at once, run by the pool's
workers), reads them back, lists and stats the directory, copies and renames
one, shows a Node-style error (``err.code == 'ENOENT'``), and removes it all.
The loop thread never blocks: every call returns a Promise at once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

import jsloop
from jsloop import fs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Tour of jsloop.fs (Node's fs/promises).")
    parser.add_argument("--dir", default=None, help="work in DIR (default: a new temp dir)")
    parser.add_argument("--files", type=int, default=8, help="how many files to write")
    return parser.parse_args(argv)


async def tour(base: str, count: int) -> None:
    await fs.mkdir(f"{base}/out", recursive=True)
    names = [f"{base}/out/file{i}.txt" for i in range(count)]
    # Every write is in flight at the same time; the pool runs them.
    await jsloop.Promise.all([fs.writeFile(n, f"hello from file {i}\n")
                              for i, n in enumerate(names)])
    texts = await jsloop.Promise.all([fs.readFile(n, "utf8") for n in names])
    print(f"wrote and read back {len(texts)} files; first says {texts[0].strip()!r}")

    entries = await fs.readdir(f"{base}/out", withFileTypes=True)
    print("directory:", ", ".join(e.name for e in entries if e.isFile()))
    st = await fs.stat(names[0])
    print(f"{names[0]}: {st.size} bytes, mode {oct(st.mode & 0o777)}")

    await fs.copyFile(names[0], f"{base}/out/copy.txt")
    await fs.rename(f"{base}/out/copy.txt", f"{base}/out/renamed.txt")
    handle = await fs.open(f"{base}/out/renamed.txt", "r+")
    await handle.write("HELLO", 0)
    result = await handle.read(None, 0, None, 0)
    await handle.close()
    print("after an in-place write:", bytes(result["buffer"][: result["bytesRead"]]))

    try:
        await fs.readFile(f"{base}/out/missing.txt")
    except FileNotFoundError as err:
        print(f"missing file: code={err.code} syscall={err.syscall}")  # type: ignore[attr-defined]

    await fs.rm(f"{base}/out", recursive=True)
    print("cleaned up")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.dir is not None:
        jsloop.run(tour, args.dir, args.files)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        jsloop.run(tour, tmp, args.files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
