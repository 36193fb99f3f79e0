"""Reading "host:port", the one way: the configuration checks ``listen`` with it
and the Telegram adapter opens its webhook server with it.

Plain text in, plain values out, no I/O: any floor may use it.
"""

from __future__ import annotations

import re

# A name or IPv4 address, or an IPv6 address in brackets ("[::1]:8443"), then a port.
_HOST_PORT = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\s:\[\]/]+)):(?P<port>\d{1,5})")


def host_and_port(text: str) -> tuple[str, int] | None:
    """("127.0.0.1", 8443) from "127.0.0.1:8443", ("::1", 8443) from "[::1]:8443";
    None when it is not a host and a port from 1 to 65535."""
    match = _HOST_PORT.fullmatch(text.strip())
    if match is None or not 1 <= int(match["port"]) <= 65535:
        return None
    return match["ip6"] or match["host"], int(match["port"])
