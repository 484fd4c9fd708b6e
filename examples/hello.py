"""The README's example. Run it with ``jsloop examples/hello.py``.

It prints the same lines in the same order as ``node examples/hello.js``.
"""

from jsloop import Promise, asyncfn, nextTick, queueMicrotask, setImmediate, setTimeout, sleep


@asyncfn
async def main() -> None:
    print("async fn: start (runs synchronously)")
    await sleep(5)
    print("async fn: resumed after sleep(5)")


def on_timeout() -> None:
    print("timeout")
    setTimeout(lambda: print("timeout set in a timeout"), 0)
    setImmediate(lambda: print("immediate set in a timeout (check phase comes first)"))
    nextTick(lambda: print("nextTick set in a timeout"))


print("sync 1")
setTimeout(on_timeout, 0)
Promise.resolve().then(lambda: print("promise job"))
queueMicrotask(lambda: print("queueMicrotask"))
nextTick(lambda: print("nextTick (before promise jobs)"))
main()
print("sync 2")
