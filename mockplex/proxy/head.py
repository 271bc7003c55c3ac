"""What the proxy reads of a request and what it answers itself: the request head
(its first line and its own credentials, nothing more: what it relays is not parsed a
second time) and its refusals, in plex.tv's error shape with the mock's codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus

from mockplex.domain.hosts import normal
from mockplex.web.errors import PlexError, error_json

MAX_HEAD = 64 * 1024  # a request head longer than this gets 431


class Refused(PlexError):
    """An answer the proxy gives itself, in plex.tv's error shape (the body the app's
    errors have, with the mock's codes), then closes."""

    def __init__(self, status: int, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message, status=status)
        self.headers = dict(headers or {})

    def response(self) -> bytes:
        body = error_json(self)
        lines = [f"HTTP/1.1 {self.status} {HTTPStatus(self.status).phrase}",
                 "Content-Type: application/json", f"Content-Length: {len(body)}",
                 "Connection: close", *(f"{name}: {value}" for name, value in
                                        self.headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass(frozen=True)
class Head:
    """A request head as far as the proxy reads it: the request line, and its own
    credentials."""

    method: str
    target: str
    authorization: str | None
    raw: bytes

    @classmethod
    def parse(cls, raw: bytes) -> Head:
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[0].isalpha():
            raise Refused(400, f"not an HTTP/1.1 request line: {lines[0][:80]!r}")
        authorization = None
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon:
                if line:
                    raise Refused(400, f"not a header line: {line[:80]!r}")
                continue
            if name.strip().lower() == "proxy-authorization":
                authorization = value.strip()
        return cls(parts[0].upper(), parts[1], authorization, raw)

    def without_proxy_headers(self) -> bytes:
        """The head as sent on to another host: its credentials for this proxy (and
        ``Proxy-Connection``) are not for it."""
        lines = self.raw.split(b"\r\n")
        return b"\r\n".join(line for line in lines if not line.lower().startswith(
            (b"proxy-authorization:", b"proxy-connection:")))


def authority(target: str) -> tuple[str, int]:
    """``host`` and ``port`` of a CONNECT target (``plex.tv:443``, ``[::1]:8443``)."""
    host, colon, port = target.rpartition(":")
    if not colon or not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise Refused(400, f"CONNECT needs host:port, got {target[:80]!r}")
    return normal(host.strip("[]")), int(port)


