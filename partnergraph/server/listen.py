"""Runs an ASGI app under uvicorn on a socket bound before start, announcing its URL."""

import errno
import functools
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from partnergraph.errors import SettingsError
from partnergraph.server.headers import (
    BODY_TIMEOUT,
    HEAD_TIMEOUT,
    KEEP_ALIVE_TIMEOUT,
    BoundedHeadersProtocol,
)
from partnergraph.server.limits import MAX_BODY_BYTES
from partnergraph.server.logs import BANNER
from partnergraph.server.unread import SEND_TIMEOUT, UnreadSocketProtocol
from partnergraph.server.workers import supervise

_banner = logging.getLogger(BANNER)

_NOT_HERE = (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)
"""Bind errors of an address this machine does not have, whatever the port."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long a connection may keep the server waiting, in seconds."""

    head: float = HEAD_TIMEOUT
    """For a request's line and headers."""
    body: float = BODY_TIMEOUT
    """For a request's body."""
    keep_alive: float = KEEP_ALIVE_TIMEOUT
    """Idle between requests (uvicorn's timeout_keep_alive)."""
    socket_send: float = SEND_TIMEOUT
    """For a WebSocket client to read what it was sent."""


def bind(
    host: str, port: int, *, setting: str = "--port", host_setting: str = "--host"
) -> socket.socket:
    """A listening TCP socket on host:port; port 0 takes a free one.

    A host or port that cannot be had is a SettingsError naming it and its setting
    (`host_setting` or `setting`), the way to choose another.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it, keep-alive answers wait ~40 ms
    # on the client's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        why = error.strerror or str(error)
        if isinstance(error, socket.gaierror) or error.errno in _NOT_HERE:
            raise SettingsError(
                f"host {host} cannot be listened on ({why}): choose another with {host_setting}"
            ) from None
        reason = (
            "is already in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({why})"
        )
        raise SettingsError(
            f"port {port} on {host} {reason}: choose another with {setting} (0 takes a free one)"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL a client uses to reach a bound socket."""
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(
    app: ASGIApp | str,
    sock: socket.socket,
    *,
    name: str,
    workers: int = 1,
    endpoints: Sequence[tuple[str, str]] = (),
    forwarded_allow_ips: str = "127.0.0.1",
    timeouts: Timeouts = Timeouts(),
) -> None:
    """Serve app on sock until interrupted, announcing `<name> listening on <url>` first.

    `app` is an app, or with several workers an import string of an app factory;
    `endpoints` (label, path) follow the announcement. X-Forwarded-For and -Proto are
    believed from `forwarded_allow_ips` only. Logging is left as the caller set it up.
    """
    # Partials of module-level classes: a worker process of several gets them pickled.
    http: Any = functools.partial(
        BoundedHeadersProtocol, head_timeout=timeouts.head, body_timeout=timeouts.body
    )
    ws: Any = functools.partial(UnreadSocketProtocol, send_timeout=timeouts.socket_send)
    url = url_of(sock)
    lines = [f"{name} listening on {url}"]
    lines += [f"  {label:<10} {url}{path}" for label, path in endpoints]
    _banner.info(
        lines[0],
        extra={
            "text": "\n".join(lines),
            "fields": {"url": url, "endpoints": {label: url + path for label, path in endpoints}},
        },
    )
    config = uvicorn.Config(
        app,
        http=http,
        ws=ws,
        timeout_keep_alive=timeouts.keep_alive,  # type: ignore[arg-type]  # call_later takes a float
        ws_max_size=MAX_BODY_BYTES,  # a WebSocket message is bounded like a request body
        workers=workers,
        factory=isinstance(app, str),
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    if workers > 1:
        supervise(config, sock)
    else:
        server.run(sockets=[sock])
