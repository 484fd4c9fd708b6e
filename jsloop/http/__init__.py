"""Node's ``http`` module: an HTTP/1.1 server and client on jsloop's net sockets,
parsing with llhttp (Node's own parser) through ``httptools``.

Layout (imports point down):

| module | owns |
|---|---|
| ``_common`` | STATUS_CODES, METHODS, header validation, Date cache, llhttp error codes |
| ``_incoming`` | IncomingMessage (request/response received; body as a Readable) |
| ``_outgoing`` | OutgoingMessage (headers, head serialisation, chunked writes, finish) |
| ``_server`` | Server, createServer, ServerResponse, the parser glue per connection |
| ``_agent`` | Agent (keep-alive socket pool), globalAgent |
| ``_client`` | ClientRequest, request, get |

See docs/http.md for the server lifecycle and the benchmark.
"""

from __future__ import annotations

from ._agent import Agent, globalAgent
from ._client import ClientRequest, get, request
from ._common import METHODS, STATUS_CODES, validateHeaderName, validateHeaderValue
from ._incoming import IncomingMessage
from ._outgoing import OutgoingMessage
from ._server import Server, ServerResponse, createServer

maxHeaderSize = 16384

__all__ = [
    "METHODS", "STATUS_CODES", "Agent", "ClientRequest", "IncomingMessage", "OutgoingMessage",
    "Server", "ServerResponse", "createServer", "get", "globalAgent", "maxHeaderSize", "request",
    "validateHeaderName", "validateHeaderValue",
]
