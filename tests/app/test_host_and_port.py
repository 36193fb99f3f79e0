"""One reading of "host:port": the config checks ``[telegram] listen`` with it and
the Telegram adapter opens its webhook server with it, IPv6 in brackets included."""

from __future__ import annotations

import pytest

from adapters.telegram.adapter import listen_address
from adapters.telegram.reach import TelegramSetupError
from bot.config import ConfigError, parse_config_text
from bot.core.addresses import host_and_port

TELEGRAM = '[telegram]\ntoken = "123:abc"\n'


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("0.0.0.0:88", ("0.0.0.0", 88)),
        ("localhost:1", ("localhost", 1)),
        ("bot.example.org:65535", ("bot.example.org", 65535)),
        ("[::1]:8443", ("::1", 8443)),
        ("[2001:db8::7]:443", ("2001:db8::7", 443)),
        (" 127.0.0.1:8443 ", ("127.0.0.1", 8443)),
    ],
)
def test_a_host_and_port_are_read(text: str, address: tuple[str, int]) -> None:
    assert host_and_port(text) == address
    assert listen_address(text) == address


@pytest.mark.parametrize(
    "text",
    ["8443", ":8443", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
     "127.0.0.1:http", "::1:8443", "[::1]", "[::1]8443", "host name:80", "a/b:80", ""],
)  # fmt: skip
def test_what_is_not_a_host_and_port_is_refused_everywhere(text: str) -> None:
    assert host_and_port(text) is None
    with pytest.raises(TelegramSetupError, match="needs a port"):
        listen_address(text or "x")
    with pytest.raises(ConfigError, match="listen should be an address and a port"):
        parse_config_text(f"{TELEGRAM}listen = {text!r}\n".replace("'", '"'), {})


def test_the_adapter_and_the_config_read_ipv6_the_same_way() -> None:
    config = parse_config_text(f'{TELEGRAM}listen = "[::1]:8443"\n', {})
    assert config.telegram is not None
    assert listen_address(config.telegram.listen) == ("::1", 8443)
    assert (config.telegram.listen_host, config.telegram.listen_port) == ("::1", 8443)


def test_no_listen_means_the_default_on_this_machine_only() -> None:
    assert listen_address(None) == ("127.0.0.1", 8443)
