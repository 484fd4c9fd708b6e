"""Shared pieces of the stream package: state bits, Node's errors, encodings, predicates.

Owns: the bit flags both stream states share (Node's lib/internal/streams/utils.js
``kObjectMode`` .. ``kConstructed``), the default highWaterMarks
(lib/internal/streams/state.js), the ``ERR_*`` errors streams raise or emit,
Buffer-style encode/decode and ``StringDecoder`` (utf8 split across chunks),
the ``is*`` predicates end-of-stream and pipeline use to classify a stream,
and ``js_option`` (wraps a constructor-option function so it can be called
with Node's arguments even if it takes fewer).

Invariant: the bits 0..8 mean the same thing in ReadableState and
WritableState, so destroy.py can test either state with one mask.

Imports: errors, _compat (stdlib otherwise).
"""

from __future__ import annotations

import base64
import codecs
from collections.abc import Callable
from typing import Any

from .._compat import max_positional
from ..errors import NodeError, NodeRangeError, NodeTypeError, describe_received

# -- state bits shared by ReadableState and WritableState (utils.js) ---------------------

kObjectMode = 1 << 0
kErrorEmitted = 1 << 1
kAutoDestroy = 1 << 2
kEmitClose = 1 << 3
kDestroyed = 1 << 4
kClosed = 1 << 5
kCloseEmitted = 1 << 6
kErrored = 1 << 7
kConstructed = 1 << 8


def flag_property(bit: int) -> property:
    """A bool property over one bit of ``self.bits`` (Node's ``makeBitMapDescriptor``)."""

    def get(self: Any) -> bool:
        return bool(self.bits & bit)

    def set_(self: Any, value: Any) -> None:
        if value:
            self.bits |= bit
        else:
            self.bits &= ~bit

    return property(get, set_)


class StateBase:
    """What ReadableState and WritableState share: the ``bits`` word, the bits 0..8
    and the ``errored`` value (Node defines these on both states)."""

    __slots__ = ("_errored", "bits")

    bits: int
    _errored: Any

    objectMode = flag_property(kObjectMode)
    errorEmitted = flag_property(kErrorEmitted)
    autoDestroy = flag_property(kAutoDestroy)
    emitClose = flag_property(kEmitClose)
    destroyed = flag_property(kDestroyed)
    closed = flag_property(kClosed)
    closeEmitted = flag_property(kCloseEmitted)
    constructed = flag_property(kConstructed)

    @property
    def errored(self) -> Any:
        return self._errored if self.bits & kErrored else None

    @errored.setter
    def errored(self, value: Any) -> None:
        if value:
            self._errored = value
            self.bits |= kErrored
        else:
            self.bits &= ~kErrored


def parse_common_options(
    options: dict[str, Any] | None, is_duplex: bool, side: str, bits: int
) -> tuple[int, int, str]:
    """The options both states read: returns (bits, highWaterMark, defaultEncoding).

    ``side`` is 'readable' or 'writable' (for ``readableObjectMode``,
    ``writableHighWaterMark``...).
    """
    if not options:
        return bits, _default_hwm[0], "utf8"
    if options.get("objectMode") or (is_duplex and options.get(side + "ObjectMode")):
        bits |= kObjectMode
    hwm = get_high_water_mark(options, side + "HighWaterMark", is_duplex, bool(bits & kObjectMode))
    if options.get("emitClose") is False:
        bits &= ~kEmitClose
    if options.get("autoDestroy") is False:
        bits &= ~kAutoDestroy
    default_encoding = "utf8"
    enc = options.get("defaultEncoding")
    if enc is not None:
        norm = normalize_encoding(enc)
        if norm is None or norm == "buffer":
            raise ERR_UNKNOWN_ENCODING(enc)
        default_encoding = norm
    return bits, hwm, default_encoding


def nop(*_args: Any) -> None:
    """The do-nothing write callback (compared by identity, as Node's ``nop``)."""


# -- highWaterMark (state.js) ---------------------------------------------------------

_default_hwm = [16 * 1024, 16]  # [bytes, objectMode]


def getDefaultHighWaterMark(objectMode: bool = False) -> int:
    """``stream.getDefaultHighWaterMark(objectMode)``."""
    return _default_hwm[1 if objectMode else 0]


def setDefaultHighWaterMark(objectMode: bool, value: Any) -> None:
    """``stream.setDefaultHighWaterMark(objectMode, value)``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise NodeTypeError(
            f'The "value" argument must be of type number. {describe_received(value)}',
            "ERR_INVALID_ARG_TYPE",
        )
    if value < 0:
        raise NodeRangeError(
            f'The value of "value" is out of range. It must be >= 0 && <= 9007199254740991. '
            f"Received {value}",
            "ERR_OUT_OF_RANGE",
        )
    _default_hwm[1 if objectMode else 0] = value


def get_high_water_mark(
    options: dict[str, Any], duplex_key: str, is_duplex: bool, object_mode: bool
) -> int:
    """Node's ``getHighWaterMark``: ``highWaterMark`` wins, then the duplex-side key."""
    hwm = options.get("highWaterMark")
    if hwm is None and is_duplex:
        hwm = options.get(duplex_key)
    if hwm is not None:
        if isinstance(hwm, float) and hwm.is_integer():
            hwm = int(hwm)
        if not isinstance(hwm, int) or isinstance(hwm, bool) or hwm < 0:
            name = f"options.{duplex_key}" if is_duplex else "options.highWaterMark"
            raise ERR_INVALID_ARG_VALUE(name, hwm)
        return hwm
    return _default_hwm[1 if object_mode else 0]


# -- errors (lib/internal/errors.js, in Python form) -----------------------------------


class StreamError(NodeError):
    """A Node ``Error`` with a ``code`` (Node's plain Error subclasses)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message})"


def _err(code: str, message: str) -> StreamError:
    return StreamError(message, code)


def ERR_STREAM_PUSH_AFTER_EOF() -> StreamError:
    return _err("ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF")


def ERR_STREAM_UNSHIFT_AFTER_END_EVENT() -> StreamError:
    return _err("ERR_STREAM_UNSHIFT_AFTER_END_EVENT", "stream.unshift() after end event")


def ERR_STREAM_WRITE_AFTER_END() -> StreamError:
    return _err("ERR_STREAM_WRITE_AFTER_END", "write after end")


def ERR_STREAM_DESTROYED(name: str) -> StreamError:
    return _err("ERR_STREAM_DESTROYED", f"Cannot call {name} after a stream was destroyed")


def ERR_STREAM_ALREADY_FINISHED(name: str) -> StreamError:
    return _err("ERR_STREAM_ALREADY_FINISHED", f"Cannot call {name} after a stream was finished")


def ERR_MULTIPLE_CALLBACK() -> StreamError:
    return _err("ERR_MULTIPLE_CALLBACK", "Callback called multiple times")


def ERR_STREAM_PREMATURE_CLOSE() -> StreamError:
    return _err("ERR_STREAM_PREMATURE_CLOSE", "Premature close")


def ERR_STREAM_CANNOT_PIPE() -> StreamError:
    return _err("ERR_STREAM_CANNOT_PIPE", "Cannot pipe, not readable")


def ERR_METHOD_NOT_IMPLEMENTED(method: str) -> StreamError:
    return _err("ERR_METHOD_NOT_IMPLEMENTED", f"The {method} method is not implemented")


def ERR_STREAM_NULL_VALUES() -> NodeTypeError:
    return NodeTypeError("May not write null values to stream", "ERR_STREAM_NULL_VALUES")


def ERR_UNKNOWN_ENCODING(enc: Any) -> NodeTypeError:
    return NodeTypeError(f"Unknown encoding: {enc}", "ERR_UNKNOWN_ENCODING")


def ERR_MISSING_ARGS(name: str) -> NodeTypeError:
    return NodeTypeError(f'The "{name}" argument must be specified', "ERR_MISSING_ARGS")


def ERR_INVALID_ARG_VALUE(name: str, value: Any) -> NodeTypeError:
    kind = "property" if "." in name else "argument"
    shown = "NaN" if isinstance(value, float) and value != value else repr(value)
    return NodeTypeError(
        f"The {kind} '{name}' is invalid. Received {shown}", "ERR_INVALID_ARG_VALUE"
    )


def ERR_INVALID_ARG_TYPE(name: str, expected: str, value: Any) -> NodeTypeError:
    return NodeTypeError(
        f'The "{name}" argument must be {expected}. {describe_received(value)}',
        "ERR_INVALID_ARG_TYPE",
    )


def ERR_INVALID_RETURN_VALUE(expected: str, name: str, value: Any) -> NodeTypeError:
    return NodeTypeError(
        f'Expected {expected} to be returned from the "{name}" function but got '
        f"{type(value).__name__}.",
        "ERR_INVALID_RETURN_VALUE",
    )


def ERR_OUT_OF_RANGE(name: str, rng: str, value: Any) -> NodeRangeError:
    return NodeRangeError(
        f'The value of "{name}" is out of range. It must be {rng}. Received {value!r}',
        "ERR_OUT_OF_RANGE",
    )


CHUNK_TYPES = "one of type string, Buffer, TypedArray, or DataView"


def aggregate_two_errors(inner: Any, outer: Any) -> Any:
    """Node's ``aggregateTwoErrors``: keep both when both exist (outer first)."""
    if inner and outer and inner is not outer:
        from ..errors import AggregateError

        if isinstance(outer, AggregateError) and isinstance(getattr(outer, "errors", None), list):
            outer.errors.append(inner)
            return outer
        err = AggregateError([outer, inner], str(outer))
        err.code = getattr(outer, "code", None)  # type: ignore[attr-defined]
        return err
    return inner or outer


# -- encodings (Buffer.from / buf.toString) ----------------------------------------------

_ENCODINGS: dict[str, str] = {
    "utf8": "utf8", "utf-8": "utf8", "ascii": "ascii", "latin1": "latin1",
    "binary": "latin1", "base64": "base64", "base64url": "base64url", "hex": "hex",
    "utf16le": "utf16le", "utf-16le": "utf16le", "ucs2": "utf16le", "ucs-2": "utf16le",
    "buffer": "buffer",
}


def normalize_encoding(enc: Any) -> str | None:
    """Node's ``normalizeEncoding``: the canonical name, or None if unknown."""
    if not isinstance(enc, str):
        return None
    return _ENCODINGS.get(enc.lower())


def is_encoding(enc: Any) -> bool:
    """``Buffer.isEncoding`` (plus 'buffer', which streams accept)."""
    return normalize_encoding(enc) is not None


def encode(text: str, encoding: str) -> bytes:
    """``Buffer.from(text, encoding)``."""
    enc = _ENCODINGS.get(encoding.lower(), "utf8") if encoding else "utf8"
    if enc == "utf8" or enc == "buffer":
        return text.encode("utf-8", "surrogatepass")
    if enc == "latin1":
        return text.encode("latin-1", "replace")
    if enc == "hex":
        n = len(text) - len(text) % 2
        try:
            return bytes.fromhex(text[:n])
        except ValueError:
            return b""
    if enc in ("base64", "base64url"):
        t = text.replace("-", "+").replace("_", "/").rstrip("=")
        return base64.b64decode(t + "=" * (-len(t) % 4))
    if enc == "utf16le":
        return text.encode("utf-16-le", "surrogatepass")
    return text.encode("latin-1", "replace")  # ascii: Node keeps the low byte


def decode(data: bytes, encoding: str) -> str:
    """``buf.toString(encoding)``."""
    enc = _ENCODINGS.get(encoding, "utf8")
    if enc == "utf8":
        return data.decode("utf-8", "replace")
    if enc == "hex":
        return data.hex()
    if enc == "base64":
        return base64.b64encode(data).decode("ascii")
    if enc == "base64url":
        return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
    if enc == "utf16le":
        return data[: len(data) - len(data) % 2].decode("utf-16-le", "replace")
    if enc == "ascii":
        return bytes(b & 0x7F for b in data).decode("ascii")
    return data.decode("latin-1")


class StringDecoder:
    """Node's ``string_decoder.StringDecoder``: decodes a byte stream chunk by chunk,
    holding back a character split across chunks (utf8, utf16le) or a base64 group."""

    __slots__ = ("_dec", "_held", "encoding")

    def __init__(self, encoding: Any = "utf8") -> None:
        enc = normalize_encoding(encoding or "utf8")
        if enc is None or enc == "buffer":
            raise ERR_UNKNOWN_ENCODING(encoding)
        self.encoding = enc
        self._held = b""
        self._dec: Any = None
        if enc == "utf8":
            self._dec = codecs.getincrementaldecoder("utf-8")("replace")
        elif enc == "utf16le":
            self._dec = codecs.getincrementaldecoder("utf-16-le")("replace")

    def write(self, buf: Any) -> str:
        if isinstance(buf, str):
            return buf
        dec = self._dec
        if dec is not None:
            return dec.decode(buf)  # type: ignore[no-any-return]
        enc = self.encoding
        if enc in ("base64", "base64url"):
            data = self._held + bytes(buf)
            keep = len(data) % 3
            self._held = data[len(data) - keep:] if keep else b""
            return decode(data[: len(data) - keep], enc)
        return decode(bytes(buf), enc)

    def end(self, buf: Any = None) -> str:
        out = self.write(buf) if buf is not None else ""
        if self._dec is not None:
            out += self._dec.decode(b"", True)
            self._dec.reset()
        elif self._held:
            out += decode(self._held, self.encoding)
            self._held = b""
        return out


# -- calling constructor-option functions -----------------------------------------------


def js_option(fn: Any, nargs: int) -> Any:
    """``fn`` ready to be called with ``nargs`` positional arguments (fewer if it takes fewer).

    Node calls ``options.write(chunk, encoding, cb)`` even if the function only
    declares ``(chunk)``; Python would raise. The trimming is decided once here.
    """
    n = max_positional(fn)
    if n < 0 or n >= nargs:
        return fn

    def trimmed(*args: Any) -> Any:
        return fn(*args[:n])

    return trimmed


def check_fn(value: Any, name: str) -> Callable[..., Any] | None:
    if value is None:
        return None
    if not callable(value):
        raise ERR_INVALID_ARG_TYPE(name, "of type function", value)
    return value  # type: ignore[no-any-return]


# -- predicates (utils.js) --------------------------------------------------------------


def _has(obj: Any, name: str) -> bool:
    return callable(getattr(obj, name, None))


def isReadableNodeStream(obj: Any, strict: bool = False) -> bool:
    if obj is None or not _has(obj, "pipe") or not _has(obj, "on"):
        return False
    if strict and not (_has(obj, "pause") and _has(obj, "resume")):
        return False
    w = getattr(obj, "_writableState", None)
    r = getattr(obj, "_readableState", None)
    if w is not None:
        if r is None:
            return False
        if r.readable is False:
            return False
    return True


def isWritableNodeStream(obj: Any) -> bool:
    if obj is None or not _has(obj, "write") or not _has(obj, "on"):
        return False
    r = getattr(obj, "_readableState", None)
    if r is not None:
        w = getattr(obj, "_writableState", None)
        return w is None or w.writable is not False
    return True


def isNodeStream(obj: Any) -> bool:
    if obj is None:
        return False
    return (
        getattr(obj, "_readableState", None) is not None
        or getattr(obj, "_writableState", None) is not None
        or (_has(obj, "write") and _has(obj, "on"))
        or (_has(obj, "pipe") and _has(obj, "on"))
    )


def isIterable(obj: Any, is_async: bool | None = None) -> bool:
    if obj is None:
        return False
    if is_async is True:
        return hasattr(obj, "__aiter__")
    if is_async is False:
        return hasattr(obj, "__iter__")
    return hasattr(obj, "__aiter__") or hasattr(obj, "__iter__")


def isDestroyed(stream: Any) -> bool | None:
    if not isNodeStream(stream):
        return None
    state = getattr(stream, "_writableState", None) or getattr(stream, "_readableState", None)
    return bool(
        getattr(stream, "destroyed", False)
        or getattr(stream, "_jsloop_is_destroyed", False)
        or (state is not None and state.destroyed)
    )


def isWritableEnded(stream: Any) -> bool | None:
    if not isWritableNodeStream(stream):
        return None
    if getattr(stream, "writableEnded", None) is True:
        return True
    w = getattr(stream, "_writableState", None)
    if w is not None and w.errored:
        return False
    if w is None:
        return None
    return bool(w.ended)


def isWritableFinished(stream: Any, strict: bool = True) -> bool | None:
    if not isWritableNodeStream(stream):
        return None
    if getattr(stream, "writableFinished", None) is True:
        return True
    w = getattr(stream, "_writableState", None)
    if w is None:
        return None
    if w.errored:
        return False
    return bool(w.finished or (strict is False and w.ended is True and w.length == 0))


def isReadableFinished(stream: Any, strict: bool = True) -> bool | None:
    if not isReadableNodeStream(stream):
        return None
    r = getattr(stream, "_readableState", None)
    if r is None:
        return None
    if r.errored:
        return False
    return bool(r.endEmitted or (strict is False and r.ended is True and r.length == 0))


def isReadable(stream: Any) -> bool | None:
    readable = getattr(stream, "readable", None)
    if not isinstance(readable, bool):
        return None
    if isDestroyed(stream):
        return False
    return isReadableNodeStream(stream) and readable and not isReadableFinished(stream)


def isWritable(stream: Any) -> bool | None:
    writable = getattr(stream, "writable", None)
    if not isinstance(writable, bool):
        return None
    if isDestroyed(stream):
        return False
    return isWritableNodeStream(stream) and writable and not isWritableEnded(stream)


def isFinished(stream: Any, opts: dict[str, Any] | None = None) -> bool | None:
    if not isNodeStream(stream):
        return None
    if isDestroyed(stream):
        return True
    if (opts or {}).get("readable") is not False and isReadable(stream):
        return False
    return not ((opts or {}).get("writable") is not False and isWritable(stream))


def isWritableErrored(stream: Any) -> Any:
    if not isNodeStream(stream):
        return None
    we = getattr(stream, "writableErrored", None)
    if we:
        return we
    w = getattr(stream, "_writableState", None)
    return None if w is None else w.errored


def isReadableErrored(stream: Any) -> Any:
    if not isNodeStream(stream):
        return None
    re_ = getattr(stream, "readableErrored", None)
    if re_:
        return re_
    r = getattr(stream, "_readableState", None)
    return None if r is None else r.errored


def isClosed(stream: Any) -> bool | None:
    if not isNodeStream(stream):
        return None
    closed = getattr(stream, "closed", None)
    if isinstance(closed, bool):
        return closed
    w = getattr(stream, "_writableState", None)
    r = getattr(stream, "_readableState", None)
    if w is not None or r is not None:
        return bool((w is not None and w.closed) or (r is not None and r.closed))
    return None


def willEmitClose(stream: Any) -> bool | None:
    if not isNodeStream(stream):
        return None
    state = getattr(stream, "_writableState", None) or getattr(stream, "_readableState", None)
    return bool(
        state is not None and state.autoDestroy and state.emitClose and state.closed is False
    )


def isDisturbed(stream: Any) -> bool:
    return bool(
        stream is not None
        and (getattr(stream, "readableDidRead", False) or getattr(stream, "readableAborted", False))
    )


def isErrored(stream: Any) -> bool:
    if stream is None:
        return False
    for name in ("readableErrored", "writableErrored"):
        v = getattr(stream, name, None)
        if v is not None:
            return bool(v)
    for sname in ("_readableState", "_writableState"):
        s = getattr(stream, sname, None)
        if s is not None and (s.errorEmitted or s.errored):
            return True
    return False
