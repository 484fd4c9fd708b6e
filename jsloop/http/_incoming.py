"""Node's ``IncomingMessage``: the request a server receives (and the response a
client receives), its headers, and its body as a readable stream.

Owns: ``IncomingMessage`` — ``method``, ``url``, ``httpVersion``, ``headers``
(built lazily from ``rawHeaders`` on first access, duplicates combined exactly as
``_http_incoming.js`` does: ``set-cookie`` a list, ``cookie`` joined with
``'; '``, a fixed set of list-valued fields joined with ``', '``, every other
duplicate dropped), ``rawHeaders``, ``trailers``/``rawTrailers``, ``complete``,
``aborted``; events ``'data'``, ``'end'``, ``'aborted'``, ``'error'``
(ECONNRESET, only with a listener, as Node keeps it), ``'close'``.

The body is a ``jsloop.stream.Readable`` (16 KiB ``readableHighWaterMark``,
flowing and paused modes, ``read()``, ``pipe``, ``async for``...). Backpressure
as in Node's ``parserOnBody``: the parser glue ``push``es each body chunk and,
when ``push`` returns False, pauses the socket; ``_read`` (called by the stream
when the consumer wants more) resumes it through ``_on_pull`` — so a slow
reader never has more than the high-water mark plus one socket read buffered.

Imports: ..stream, ..timers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..stream import Readable
from ..stream._readable import (
    kDataListening,
    kDecoder,
    kEmittedReadable,
    kEnded,
    kEndEmitted,
    kFlowing,
    kHasFlowing,
    kNeedReadable,
    kReadableListening,
    kReading,
    kReadingMore,
)
from ..stream._utils import kClosed, kCloseEmitted, kDestroyed, kErrored

# An ended, empty, untouched body: nothing can observe its 'end'/'close'.
_UNTOUCHED_BLOCKERS = kFlowing | kHasFlowing | kDestroyed | kReadableListening | kDataListening
_DISCARDED = kEndEmitted | kDestroyed | kClosed | kCloseEmitted
# push(None) on a stream nobody listens to, not flowing, empty: the state it leaves
# once its emitReadable_ tick has run (that tick emits 'readable' to no one and
# flows nothing; a listener added later re-arms 'readable' itself).
_EOF_BLOCKERS = kFlowing | kDecoder | kEnded | kDestroyed | kErrored
_EOF_CLEARS = kReading | kNeedReadable | kEmittedReadable

__all__ = ["IncomingMessage"]

HIGH_WATER_MARK = 16384

# matchKnownFields in _http_incoming.js: 0 = join with ', ', 2 = join with '; ',
# 1 = array (set-cookie); absent = keep the first, drop later duplicates.
_JOIN = 0
_ARRAY = 1
_COOKIE = 2
_KNOWN: dict[str, int] = {
    name: _JOIN for name in (
        "date", "vary", "origin", "expect", "accept", "upgrade", "if-match", "connection",
        "cache-control", "if-none-match", "accept-encoding", "accept-language",
        "x-forwarded-for", "content-encoding", "x-forwarded-host", "transfer-encoding",
        "x-forwarded-proto",
    )
}
_KNOWN["set-cookie"] = _ARRAY
_KNOWN["cookie"] = _COOKIE
_DROP_DUPLICATES = frozenset((
    "age", "host", "from", "etag", "server", "referer", "expires", "location", "user-agent",
    "retry-after", "content-type", "max-forwards", "authorization", "last-modified",
    "content-length", "if-modified-since", "proxy-authorization", "if-unmodified-since",
))


def headers_from_raw(raw: list[str], join_duplicates: bool = False) -> dict[str, Any]:
    """Node's ``_addHeaderLines`` over a flat ``[name, value, ...]`` list."""
    dest: dict[str, Any] = {}
    for i in range(0, len(raw) - 1, 2):
        field = raw[i].lower()
        value = raw[i + 1]
        kind = _KNOWN.get(field)
        if kind is None and field not in _DROP_DUPLICATES:
            kind = _JOIN  # unknown fields are joined ('\u0000' + field in Node)
        if kind == _ARRAY:
            dest.setdefault(field, []).append(value)
        elif kind is not None:
            old = dest.get(field)
            dest[field] = value if old is None else old + (", " if kind == _JOIN else "; ") + value
        elif join_duplicates and field in dest:
            dest[field] += ", " + value
        elif field not in dest:
            dest[field] = value
    return dest


class IncomingMessage(Readable):
    """Node's ``http.IncomingMessage``: a Readable of the message body."""

    # Defaults live on the class: an instance's dict only gets what a message
    # changes (most requests are HTTP/1.1, complete, never aborted...).
    method: str | None = None
    url = ""
    httpVersion = "1.1"
    httpVersionMajor = 1
    httpVersionMinor = 1
    _headers: dict[str, Any] | None = None
    _trailers: dict[str, Any] | None = None
    joinDuplicateHeaders = False
    statusCode: int | None = None
    statusMessage: str | None = None
    complete = False
    aborted = False
    upgrade = False
    _consuming = False
    _dumped = False
    _on_pull: Callable[[], Any] | None = None

    def __init__(self, socket: Any) -> None:
        Readable.__init__(self)
        # Node: readingMore = true, so the stream never reads ahead on its own.
        self._readableState.bits |= kReadingMore
        self.socket = socket
        self.rawHeaders: list[str] = []
        self.rawTrailers: list[str] = []

    def __repr__(self) -> str:
        return f"<IncomingMessage {self.method} {self.url}>"

    # -- headers ----------------------------------------------------------------------

    @property
    def headers(self) -> dict[str, Any]:
        h = self._headers
        if h is None:
            h = self._headers = headers_from_raw(self.rawHeaders, self.joinDuplicateHeaders)
        return h

    @headers.setter
    def headers(self, value: dict[str, Any]) -> None:
        self._headers = value

    @property
    def headersDistinct(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        raw = self.rawHeaders
        for i in range(0, len(raw) - 1, 2):
            out.setdefault(raw[i].lower(), []).append(raw[i + 1])
        return out

    @property
    def trailers(self) -> dict[str, Any]:
        t = self._trailers
        if t is None:
            t = self._trailers = headers_from_raw(self.rawTrailers)
        return t

    @property
    def connection(self) -> Any:
        return self.socket

    def setTimeout(self, msecs: float, callback: Callable[..., Any] | None = None
                   ) -> IncomingMessage:
        """``message.setTimeout``: the socket's timeout."""
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.setTimeout(msecs)
        return self

    # -- the body ---------------------------------------------------------------------

    def _read(self, n: int) -> None:
        # Node: the parser fills the buffer; reading only unpauses the socket.
        if not self._consuming:
            self._readableState.bits &= ~kReadingMore
            self._consuming = True
        pull = self._on_pull
        if pull is not None:
            pull()

    def _push_end(self) -> None:
        """The message is complete (Node's parserOnMessageComplete)."""
        self.complete = True
        state = self._readableState
        if not self._events and not state.length and not state.bits & _EOF_BLOCKERS:
            # What push(None) leaves behind when no one listens (onEofChunk, then
            # emitReadable_ with no 'readable' listener, then a flow() that does not
            # flow), without the calls or the tick.
            state.bits = (state.bits & ~_EOF_CLEARS) | kEnded
            return
        self.push(None)

    def _dump(self) -> None:
        """Discard the unread body so the connection can carry the next request."""
        state = self._readableState
        bits = state.bits
        if (bits & kEnded and not bits & _UNTOUCHED_BLOCKERS and not state.length
                and not self._events and not self._dumped):
            # Fast path (a GET nobody read): Node would resume, emit 'end' and
            # auto-destroy over three ticks, with no listener to see any of it.
            # Jump to the state those ticks leave behind.
            state.bits = bits | _DISCARDED
            self._dumped = True
            self._consuming = True
            return
        if not self._dumped:
            self._dumped = True
            self.removeAllListeners("data")
            self.resume()

    def _destroy(self, err: Any, cb: Any) -> None:
        """Node's IncomingMessage._destroy: 'aborted' when incomplete; the error
        reaches 'error' only if someone listens (Node keeps that for compatibility)."""
        if not self.readableEnded or not self.complete:
            self.aborted = True
            self.emit("aborted")
        sock = self.socket
        if sock is not None and not sock.destroyed and self.aborted:
            sock.destroy(err)
        if err is not None and not self.listenerCount("error"):
            err = None
        cb(err)
