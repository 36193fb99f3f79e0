"""Reading "host:port", the one way: the configuration checks ``listen`` with it
and the Telegram adapter opens its webhook server with it. And showing a
database's URL without its password, the one way: the configuration's summary
and the PostgreSQL storage's messages.

Plain text in, plain values out, no I/O: any floor may use it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# A name or IPv4 address, or an IPv6 address in brackets ("[::1]:8443"), then a port.
_HOST_PORT = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\s:\[\]/]+)):(?P<port>\d{1,5})")


def host_and_port(text: str) -> tuple[str, int] | None:
    """("127.0.0.1", 8443) from "127.0.0.1:8443", ("::1", 8443) from "[::1]:8443";
    None when it is not a host and a port from 1 to 65535."""
    match = _HOST_PORT.fullmatch(text.strip())
    if match is None or not 1 <= int(match["port"]) <= 65535:
        return None
    return match["ip6"] or match["host"], int(match["port"])


def url_password(url: str | None) -> str | None:
    """The password in a database URL ("postgresql://bot:password@host/db"), if any."""
    if not url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def url_without_password(url: str) -> str:
    """A database URL as it may be shown: its password, if any, replaced by stars."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
    except ValueError:
        return "(a URL that cannot be read)"
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
