"""What Node's ``_http_common.js`` owns, for jsloop.http: status codes, methods,
header-token validation, the cached ``Date`` value and llhttp error codes.

Invariants: nothing here touches the loop except ``utc_date`` (reads the loop's
cached clock once per call; the formatted string is rebuilt at most once a
second). Errors are raised in Node's form (a Python exception class matching
the JS one, carrying ``.code``).

Imports: stdlib, ..errors.
"""

from __future__ import annotations

import re
import time
from typing import Any

from ..errors import NodeRangeError, NodeTypeError

__all__ = [
    "METHODS", "STATUS_CODES", "HTTPError", "check_invalid_header_char", "check_is_http_token",
    "parse_error", "utc_date", "validateHeaderName", "validateHeaderValue",
]

STATUS_CODES: dict[int, str] = {
    100: 'Continue',
    101: 'Switching Protocols',
    102: 'Processing',
    103: 'Early Hints',
    200: 'OK',
    201: 'Created',
    202: 'Accepted',
    203: 'Non-Authoritative Information',
    204: 'No Content',
    205: 'Reset Content',
    206: 'Partial Content',
    207: 'Multi-Status',
    208: 'Already Reported',
    226: 'IM Used',
    300: 'Multiple Choices',
    301: 'Moved Permanently',
    302: 'Found',
    303: 'See Other',
    304: 'Not Modified',
    305: 'Use Proxy',
    307: 'Temporary Redirect',
    308: 'Permanent Redirect',
    400: 'Bad Request',
    401: 'Unauthorized',
    402: 'Payment Required',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    407: 'Proxy Authentication Required',
    408: 'Request Timeout',
    409: 'Conflict',
    410: 'Gone',
    411: 'Length Required',
    412: 'Precondition Failed',
    413: 'Payload Too Large',
    414: 'URI Too Long',
    415: 'Unsupported Media Type',
    416: 'Range Not Satisfiable',
    417: 'Expectation Failed',
    418: "I'm a Teapot",
    421: 'Misdirected Request',
    422: 'Unprocessable Entity',
    423: 'Locked',
    424: 'Failed Dependency',
    425: 'Too Early',
    426: 'Upgrade Required',
    428: 'Precondition Required',
    429: 'Too Many Requests',
    431: 'Request Header Fields Too Large',
    451: 'Unavailable For Legal Reasons',
    500: 'Internal Server Error',
    501: 'Not Implemented',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
    505: 'HTTP Version Not Supported',
    506: 'Variant Also Negotiates',
    507: 'Insufficient Storage',
    508: 'Loop Detected',
    509: 'Bandwidth Limit Exceeded',
    510: 'Not Extended',
    511: 'Network Authentication Required',
}

METHODS: list[str] = [
    'ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK',
    'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS',
    'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT',
    'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE',
]

_TOKEN = re.compile(r"^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$")
_BAD_HEADER_CHAR = re.compile(r"[^\t\x20-\x7e\x80-\xff]")


class HTTPError(Exception):
    """A plain JS ``Error`` with a ``code`` (``ERR_HTTP_HEADERS_SENT``, ``HPE_*``...)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_is_http_token(value: str) -> bool:
    """Node's ``_checkIsHttpToken``."""
    return _TOKEN.match(value) is not None


def check_invalid_header_char(value: str) -> bool:
    """Node's ``_checkInvalidHeaderChar``: True when ``value`` has a forbidden char."""
    return _BAD_HEADER_CHAR.search(value) is not None


def validateHeaderName(name: Any, label: str = "Header name") -> None:
    """``http.validateHeaderName``: TypeError ``ERR_INVALID_HTTP_TOKEN``."""
    if not isinstance(name, str) or not name or not check_is_http_token(name):
        raise NodeTypeError(f'{label} must be a valid HTTP token ["{name}"]',
                            "ERR_INVALID_HTTP_TOKEN")


def validateHeaderValue(name: str, value: Any) -> None:
    """``http.validateHeaderValue``: ERR_HTTP_INVALID_HEADER_VALUE / ERR_INVALID_CHAR."""
    if value is None:
        raise NodeTypeError(f'Invalid value "undefined" for header "{name}"',
                            "ERR_HTTP_INVALID_HEADER_VALUE")
    if isinstance(value, (list, tuple)):
        bad = any(check_invalid_header_char(str(v)) for v in value)
    else:
        bad = check_invalid_header_char(str(value))
    if bad:
        raise NodeTypeError(f'Invalid character in header content ["{name}"]',
                            "ERR_INVALID_CHAR")


def invalid_status_code(code: Any) -> NodeRangeError:
    return NodeRangeError(f"Invalid status code: {code}", "ERR_HTTP_INVALID_STATUS_CODE")


# -- Date header ----------------------------------------------------------------------
# Node caches the formatted date and refreshes it once a second (utcDate in
# _http_outgoing.js); formatting it per response would cost more than the rest of
# a hello-world response.

_date_cache: list[Any] = [0, ""]
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(seconds: float) -> str:
    """RFC 7231 IMF-fixdate (``Fri, 04 Dec 2026 06:01:24 GMT``), as Node's ``utcDate``."""
    t = time.gmtime(seconds)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT")


def utc_date() -> str:
    """The ``Date: ...\\r\\n`` header line, recomputed at most once per second."""
    now = int(time.time())
    if now != _date_cache[0]:
        _date_cache[0] = now
        _date_cache[1] = "Date: " + http_date(now) + "\r\n"
    return _date_cache[1]  # type: ignore[no-any-return]


# -- llhttp errors --------------------------------------------------------------------
# httptools gives llhttp's reason string but not its errno name; Node exposes both
# (err.reason, err.code). The reasons are llhttp's own, so this table (collected by
# sending each malformed request to node 20) recovers Node's code.

_REASON_CODES = {
    "Invalid method encountered": "HPE_INVALID_METHOD",
    "Transfer-Encoding can't be present with Content-Length": "HPE_INVALID_TRANSFER_ENCODING",
    "Duplicate Content-Length": "HPE_UNEXPECTED_CONTENT_LENGTH",
    "Invalid character in Content-Length": "HPE_INVALID_CONTENT_LENGTH",
    "Invalid header token": "HPE_INVALID_HEADER_TOKEN",
    "Invalid header value char": "HPE_INVALID_HEADER_TOKEN",
    "Unexpected whitespace after header value": "HPE_INVALID_HEADER_TOKEN",
    "Invalid HTTP version": "HPE_INVALID_VERSION",
    "Expected CRLF after version": "HPE_INVALID_VERSION",
    "Expected HTTP/, RTSP/ or ICE/": "HPE_INVALID_CONSTANT",
    "Invalid character in chunk size": "HPE_INVALID_CHUNK_SIZE",
    "Invalid char in url path": "HPE_INVALID_URL",
    "Request has invalid `Transfer-Encoding`": "HPE_INVALID_TRANSFER_ENCODING",
    "Invalid `Transfer-Encoding` header value": "HPE_INVALID_TRANSFER_ENCODING",
    "Expected LF after chunk data": "HPE_STRICT",
    "Pause on PRI/Upgrade": "HPE_PAUSED_H2_UPGRADE",
}


def parse_error(reason: str, code: str | None = None, raw: bytes = b"") -> HTTPError:
    """Node's parser error: ``Parse Error: <reason>`` with ``code``, ``reason``,
    ``bytesParsed`` and ``rawPacket``."""
    err = HTTPError(f"Parse Error: {reason}",
                    code or _REASON_CODES.get(reason, "HPE_INVALID_CONSTANT"))
    err.reason = reason  # type: ignore[attr-defined]
    err.bytesParsed = 0  # type: ignore[attr-defined]
    err.rawPacket = raw  # type: ignore[attr-defined]
    return err
