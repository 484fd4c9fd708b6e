"""Random event-loop programs, rendered as JavaScript and as jsloop Python.

A program is plain JSON-able data (so failing ones can be kept in a corpus):

    Block = [Stmt]
    Stmt  = {"k": "log"} | {"k": "timeout", "d": ms, "b": Block}
          | {"k": "interval", "d": ms, "n": runs, "b": Block}   (cleared after n runs)
          | {"k": "immediate", "b": Block} | {"k": "clear", "t": index}
          | {"k": "tick", "b": Block} | {"k": "micro", "b": Block}
          | {"k": "chain", "src": Src, "steps": [Step], "store": bool}
          | {"k": "await", "e": Src, "try": bool}                 (async bodies only)
          | {"k": "throw"}                                         (not in main)
          | {"k": "refresh", "t": index}                           (timer.refresh())
    Src   = {"s": "res"} | {"s": "rej"} | {"s": "val"}
          | {"s": "thn", "mode": "res|rej|throw|native|late"}         (a thenable object)
          | {"s": "new", "how": "value|native|nativerej|thenable|thenrej|reject|timer|timerrej
                                   |throw", "d": ms}
          | {"s": "async", "b": Block, "r": Ret} | {"s": "comb", "op": name, "items": [Src]}
          | {"s": "ref", "i": index}                              (a promise stored by main)
    Step  = {"m": "then|catch|finally|then2", "b": Block, "r": Ret}
    Ret   = {"r": "none|val|native|rej|thenable|throw|await"}

``annotate`` numbers every node in one depth-first order; both renderers use
those numbers for labels, values and handle names, so the two renderings print
the same lines when the two runtimes order them the same.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

DELAYS = (0, 1, 5, 12, 25, 40)
INTERVAL_DELAYS = (5, 12, 25)
COMBINATORS = ("all", "allSettled", "race", "any")
RETS = ("none", "val", "native", "rej", "thenable", "throw")
HOWS = (
    "value",
    "native",
    "nativerej",
    "thenable",
    "thenrej",
    "reject",
    "timer",
    "timerrej",
    "throw",
)
THN_MODES = ("res", "rej", "throw", "native", "late")

# --------------------------------------------------------------------------- generation


def _ret(in_async: bool) -> st.SearchStrategy[dict[str, Any]]:
    kinds = RETS + (("await",) if in_async else ())
    return st.builds(lambda r: {"r": r}, st.sampled_from(kinds))


@st.composite
def src_strategy(draw: Any, depth: int, where: str) -> dict[str, Any]:
    """A promise-valued expression (``where`` = chain|await|item)."""
    kinds = ["res", "rej", "new", "ref"]
    if where in ("await", "item"):
        kinds += ["val", "thn"]
    if depth < 3:
        kinds += ["async", "comb"]
    s = draw(st.sampled_from(kinds))
    if s == "thn":
        return {"s": s, "mode": draw(st.sampled_from(THN_MODES))}
    if s == "new":
        return {"s": s, "how": draw(st.sampled_from(HOWS)), "d": draw(st.sampled_from(DELAYS))}
    if s == "async":
        return {"s": s, "b": draw(block_strategy(depth + 1, "async")), "r": draw(_ret(True))}
    if s == "comb":
        items = draw(st.lists(src_strategy(depth + 1, "item"), max_size=3))
        return {"s": s, "op": draw(st.sampled_from(COMBINATORS)), "items": items}
    if s == "ref":
        return {"s": s, "i": draw(st.integers(0, 3))}
    return {"s": s}


@st.composite
def step_strategy(draw: Any, depth: int) -> dict[str, Any]:
    m = draw(st.sampled_from(("then", "catch", "finally", "then2")))
    return {"m": m, "b": draw(block_strategy(depth + 1, "cb")), "r": draw(_ret(False))}


@st.composite
def stmt_strategy(draw: Any, depth: int, ctx: str) -> dict[str, Any]:
    kinds = ["log"]
    if depth < 4:
        kinds += ["timeout", "immediate", "tick", "micro", "chain", "clear", "refresh"]
        if ctx != "main":
            kinds += ["throw"]
        if ctx == "async":
            kinds += ["await", "await"]
        if depth <= 1 and ctx != "interval":
            kinds += ["interval"]
    k = draw(st.sampled_from(kinds))
    if k in ("log", "throw"):
        return {"k": k}
    if k == "refresh":
        return {"k": k, "t": draw(st.integers(0, 7))}
    if k == "timeout":
        return {"k": k, "d": draw(st.sampled_from(DELAYS)), "b": draw(block_strategy(depth + 1))}
    if k == "interval":
        return {
            "k": k,
            "d": draw(st.sampled_from(INTERVAL_DELAYS)),
            "n": draw(st.integers(1, 3)),
            "b": draw(block_strategy(depth + 2, "interval")),
        }
    if k in ("immediate", "tick", "micro"):
        return {"k": k, "b": draw(block_strategy(depth + 1))}
    if k == "clear":
        return {"k": k, "t": draw(st.integers(0, 7))}
    if k == "await":
        return {"k": k, "e": draw(src_strategy(depth, "await")), "try": draw(st.booleans())}
    steps = draw(st.lists(step_strategy(depth), max_size=3))
    return {
        "k": "chain",
        "src": draw(src_strategy(depth, "chain")),
        "steps": steps,
        "store": ctx == "main" and draw(st.booleans()),
    }


def block_strategy(depth: int, ctx: str = "cb") -> st.SearchStrategy[list[dict[str, Any]]]:
    # Callbacks of an interval body run once per run; keep them small.
    hi = 6 if ctx == "main" else (2 if depth >= 3 or ctx == "interval" else 3)
    lo = 1 if ctx == "main" else 0
    inner = "interval" if ctx == "interval" else ("async" if ctx == "async" else "cb")
    return st.lists(stmt_strategy(depth, ctx if ctx != "cb" else inner), min_size=lo, max_size=hi)


def programs() -> st.SearchStrategy[list[dict[str, Any]]]:
    """Hypothesis strategy: a program (its main block)."""
    return block_strategy(0, "main")


# --------------------------------------------------------------------------- numbering


def annotate(prog: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy ``prog`` and number it: every node gets ``id``; handles and refs get resolved."""
    prog = copy.deepcopy(prog)
    counter = [0]
    handles: list[tuple[str, str]] = []  # (name, kind) in numbering order
    clears: list[dict[str, Any]] = []
    refs: list[tuple[dict[str, Any], int]] = []  # (node, stored promises visible to it)
    stored: list[str] = []

    def new_id(node: dict[str, Any]) -> None:
        counter[0] += 1
        node["id"] = counter[0]

    def walk_src(s: dict[str, Any], visible: int) -> None:
        new_id(s)
        if s["s"] == "async":
            walk_block(s["b"], visible)
            new_id(s["r"])
        elif s["s"] == "comb":
            for it in s["items"]:
                walk_src(it, visible)
        elif s["s"] == "ref":
            refs.append((s, visible))

    def walk_stmt(st_: dict[str, Any], visible: int) -> None:
        new_id(st_)
        k = st_["k"]
        if k in ("timeout", "interval", "immediate"):
            st_["h"] = ("i" if k == "immediate" else "t") + str(st_["id"])
            handles.append((st_["h"], k))
        if k in ("clear", "refresh"):
            clears.append(st_)
        if "b" in st_:
            walk_block(st_["b"], visible)
        if k == "await":
            walk_src(st_["e"], visible)
        if k == "chain":
            walk_src(st_["src"], visible)
            for step in st_["steps"]:
                new_id(step)
                walk_block(step["b"], visible)
                new_id(step["r"])
            if st_.get("store"):
                st_["p"] = "p" + str(st_["id"])

    def walk_block(block: list[dict[str, Any]], visible: int) -> None:
        for st_ in block:
            walk_stmt(st_, visible)

    for st_ in prog:
        walk_stmt(st_, len(stored))
        if st_["k"] == "chain" and st_.get("store"):
            stored.append(st_["p"])
    for c in clears:
        c["target"] = list(handles[c["t"] % len(handles)]) if handles else None
    for node, visible in refs:
        node["ref"] = stored[node["i"] % visible] if visible else None
    return prog


def dumps(prog: list[dict[str, Any]]) -> str:
    return json.dumps(prog, separators=(",", ":"))


# --------------------------------------------------------------------------- rendering

JS_PRELUDE = r"""
const { parentPort } = require('worker_threads');
const __out = [];
const log = (s) => { __out.push(String(s)); };
process.on('exit', () => parentPort.postMessage(__out));
class Boom extends Error { constructor(n) { super('B' + n); this.n = n; } }
function S(v) {
  if (v === undefined || v === null) return 'u';
  if (Array.isArray(v)) return '[' + v.map(S).join(',') + ']';
  if (v instanceof AggregateError) return 'agg[' + v.errors.map(S).join(',') + ']';
  if (v instanceof Boom) return 'B' + v.n;
  if (typeof v === 'object' && 'status' in v) {
    return v.status === 'fulfilled' ? 'f' + S(v.value) : 'r' + S(v.reason);
  }
  if (typeof v === 'number') return String(v);
  return 'obj:' + String(v);
}
function thn(label, v, mode) {
  return {
    then(r, j) {
      log(label);
      if (mode === 'rej') j(v);
      else if (mode === 'throw') throw new Boom(v);
      else if (mode === 'native') r(Promise.resolve(v));
      else if (mode === 'late') setTimeout(r, 5, v);
      else r(v);
    },
  };
}
process.on('unhandledRejection', (r) => log('UR' + S(r)));
process.on('rejectionHandled', () => log('RH'));
process.on('uncaughtException', (e) => log('UE' + S(e)));
const H = {}, P = {}, C = {};
"""


class _Renderer:
    """Renders one annotated program to JS (``lang='js'``) or Python (``lang='py'``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.py = lang == "py"

    # ---- small pieces
    def label(self, node: dict[str, Any], sfx: list[str], extra: str = "") -> str:
        base = repr(f"a{node['id']}{extra}") if self.py else f"'a{node['id']}{extra}'"
        if not sfx:
            return base
        if self.py:
            return base + "".join(f" + '.' + str({k})" for k in sfx)
        return base + "".join(f" + '.' + {k}" for k in sfx)

    def handle(self, name: str) -> str:
        return f"H.get({name!r})" if self.py else f"H.{name}"

    def ret(self, r: dict[str, Any], sfx: list[str]) -> list[str]:
        lines = self._ret(r, sfx)
        return lines if self.py else [line + ";" for line in lines]

    def _ret(self, r: dict[str, Any], sfx: list[str]) -> list[str]:
        v = r["id"]
        kind = r["r"]
        if kind == "none":
            return []
        if kind == "val":
            return [f"return {v}"]
        if kind == "native":
            return [f"return Promise.resolve({v})"]
        if kind == "rej":
            return [f"return Promise.reject({v})"]
        if kind == "thenable":
            return [f"return {self.thn(r, sfx, 'res')}"]
        if kind == "await":
            return [f"return await Promise.resolve({v})"]
        return [f"raise Boom({v})" if self.py else f"throw new Boom({v})"]

    def thn(self, node: dict[str, Any], sfx: list[str], mode: str) -> str:
        return f"thn({self.label(node, sfx, 't')}, {node['id']}, '{mode}')"

    # ---- functions: JS arrow / Python def hoisted into the prelude
    def func(
        self, name: str, params: str, body: list[str], pre: list[str], *, is_async: bool = False
    ) -> str:
        """Return an expression for a function with ``body`` lines; Python defs go to ``pre``."""
        if self.py:
            if is_async:
                pre.append("@asyncfn")
            pre.append(f"{'async ' if is_async else ''}def {name}({params}):")
            pre.extend("    " + line for line in (body or ["pass"]))
            return name
        inner = "\n".join("  " + sub for line in body for sub in line.split("\n"))
        head = "async " if is_async else ""
        return f"{head}({params}) => {{\n{inner}\n}}"

    # ---- sources
    def src(self, s: dict[str, Any], sfx: list[str], pre: list[str], where: str) -> str:
        k = s["s"]
        v = s["id"]
        if k == "res":
            return f"Promise.resolve({v})"
        if k == "rej":
            return f"Promise.reject({v})"
        if k == "val":
            return f"Promise.resolve({v})" if self.py and where == "await" else str(v)
        if k == "thn":
            t = self.thn(s, sfx, s.get("mode") or ("rej" if s.get("rej") else "res"))
            return f"Promise.resolve({t})" if self.py and where == "await" else t
        if k == "ref":
            if s.get("ref") is None:
                return f"Promise.resolve({v})"
            return f"P[{s['ref']!r}]" if self.py else f"P.{s['ref']}"
        if k == "new":
            return self.new_promise(s, sfx)
        if k == "async":
            body = self.block(s["b"], sfx) + self.ret(s["r"], sfx)
            f = self.func(f"af{v}", "", body, pre, is_async=True)
            return f"{f}()" if self.py else f"({f})()"
        items = ", ".join(self.src(it, sfx, pre, "item") for it in s["items"])
        return f"Promise.{s['op']}([{items}])"

    def new_promise(self, s: dict[str, Any], sfx: list[str]) -> str:
        v, how, d = s["id"], s["how"], s["d"]
        body = {
            "value": f"res({v})",
            "native": f"res(Promise.resolve({v}))",
            "nativerej": f"res(Promise.reject({v}))",
            "thenable": f"res({self.thn(s, sfx, 'res')})",
            "thenrej": f"res({self.thn(s, sfx, 'rej')})",
            "throw": f"raise_(Boom({v}))" if self.py else f"throw new Boom({v})",
            "reject": f"rej({v})",
            "timer": f"setTimeout(res, {d}, {v})",
            "timerrej": f"setTimeout(rej, {d}, {v})",
        }[how]
        if self.py:
            return f"Promise(lambda res, rej: {body})"
        return f"new Promise((res, rej) => {{ {body}; }})"

    # ---- statements
    def block(self, block: list[dict[str, Any]], sfx: list[str]) -> list[str]:
        lines: list[str] = []
        for st_ in block:
            lines.extend(self.stmt(st_, sfx))
        return lines

    def stmt(self, st_: dict[str, Any], sfx: list[str]) -> list[str]:
        k = st_["k"]
        i = st_["id"]
        pre: list[str] = []
        end = "" if self.py else ";"
        lab = self.label(st_, sfx)
        if k == "log":
            return [f"log({lab}){end}"]
        if k == "throw":
            return [f"raise Boom({i})" if self.py else f"throw new Boom({i});"]
        if k == "refresh":
            if not st_.get("target") or st_["target"][1] != "timeout":
                return []
            # Each refresh statement acts once, so a timer refreshing itself stops.
            h, once = st_["target"][0], f"r{i}"
            if self.py:
                return [f"refresh(H.get({h!r}), C, {once!r})"]
            return [f"if (H.{h} && !C.{once}) {{ C.{once} = 1; H.{h}.refresh(); }}"]
        if k in ("timeout", "immediate", "tick", "micro"):
            body = self.block(st_["b"], sfx)
            f = self.func(f"f{i}", "", [f"log({lab}){end}", *body], pre)
            call = {
                "timeout": f"setTimeout({f}, {st_.get('d')})",
                "immediate": f"setImmediate({f})",
                "tick": f"nextTick({f})" if self.py else f"process.nextTick({f})",
                "micro": f"queueMicrotask({f})",
            }[k]
            if k in ("timeout", "immediate"):
                h = st_["h"]
                call = f"H[{h!r}] = {call}" if self.py else f"H.{h} = {call}"
            return [*pre, call + end]
        if k == "interval":
            h, kv = st_["h"], f"k{i}"
            inner = [*sfx, kv]
            body = self.block(st_["b"], inner)
            if self.py:
                # cleared first thing in its last run, so a throw in the body cannot keep it
                head = [
                    f"C[{h!r}] += 1",
                    f"{kv} = C[{h!r}]",
                    f"if {kv} == {st_['n']}:",
                    f"    clearInterval(H[{h!r}])",
                ]
                lab2 = self.label(st_, inner)
                f = self.func(f"f{i}", "", [*head, f"log({lab2})", *body], pre)
                return [f"C[{h!r}] = 0", *pre, f"H[{h!r}] = setInterval({f}, {st_['d']})"]
            head = [
                f"const {kv} = ++C.{h};",
                f"if ({kv} === {st_['n']}) clearInterval(H.{h});",
                f"log({self.label(st_, inner)});",
            ]
            f = self.func("", "", [*head, *body], pre)
            return [f"C.{h} = 0;", f"H.{h} = setInterval({f}, {st_['d']});"]
        if k == "clear":
            if not st_.get("target"):
                return []
            name, kind = st_["target"]
            fn = {"timeout": "clearTimeout", "interval": "clearInterval"}.get(
                kind, "clearImmediate"
            )
            return [f"{fn}({self.handle(name)}){end}"]
        if k == "await":
            e = self.src(st_["e"], sfx, pre, "await")
            ok = f"log({lab} + ':' + S(x))"
            if self.py:
                if st_["try"]:
                    return [
                        *pre,
                        "try:",
                        f"    x = await {e}",
                        f"    {ok}",
                        "except Exception as e:",
                        f"    log({lab} + 'c' + SE(e))",
                    ]
                return [*pre, f"x = await {e}", ok]
            if st_["try"]:
                return [
                    f"try {{ const x = await {e}; {ok}; }} catch (e) {{ log({lab} + 'c' + S(e)); }}"
                ]
            return [f"{{ const x = await {e}; {ok}; }}"]
        # chain
        expr = self.src(st_["src"], sfx, pre, "chain")
        for step in st_["steps"]:
            expr += self.step(step, sfx, pre)
        if st_.get("p"):
            expr = f"P[{st_['p']!r}] = {expr}" if self.py else f"P.{st_['p']} = {expr}"
        return [*pre, expr + end]

    def step(self, step: dict[str, Any], sfx: list[str], pre: list[str]) -> str:
        m, i = step["m"], step["id"]
        end = "" if self.py else ";"
        lab = self.label(step, sfx)
        body = self.block(step["b"], sfx) + self.ret(step["r"], sfx)
        if m == "finally":
            f = self.func(f"h{i}", "", [f"log({lab}){end}", *body], pre)
            return f".finally_({f})" if self.py else f".finally({f})"
        if m == "catch":
            f = self.func(f"h{i}", "e", [f"log({lab} + 'c' + S(e)){end}", *body], pre)
            return f".catch({f})"
        f = self.func(f"h{i}", "v", [f"log({lab} + ':' + S(v)){end}", *body], pre)
        if m == "then":
            return f".then({f})"
        g = self.func(f"g{i}", "e", [f"log({lab} + 'r' + S(e)){end}", f"return {i}{end}"], pre)
        return f".then({f}, {g})"


def render_js(prog: list[dict[str, Any]]) -> str:
    """The program body as JavaScript (run after ``JS_PRELUDE``)."""
    return "\n".join(_Renderer("js").block(annotate(prog), []))


def render_py(prog: list[dict[str, Any]]) -> str:
    """The program as a Python module defining ``main()`` (run by ``run_py``)."""
    body = _Renderer("py").block(annotate(prog), [])
    return "def main():\n" + "\n".join("    " + line for line in (body or ["pass"])) + "\n"
