"""The [web] section: read, checked, and told back by ``check-config``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, check_config_text, explain, parse_config_text

TELEGRAM = '[telegram]\ntoken = "123:abc"\n'


def problems(text: str) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_config_text(TELEGRAM + text, {})
    return explain(raised.value)


def test_without_a_web_section_there_is_no_page() -> None:
    config = parse_config_text(TELEGRAM, {})
    assert config.web is None
    assert "Web page: off (no [web] section)." in check_config_text(config)


def test_a_web_section_with_its_defaults() -> None:
    config = parse_config_text(TELEGRAM + '[web]\npublic_url = "https://x.example/d/"\n', {})
    assert config.web is not None
    assert config.web.public_url == "https://x.example/d"
    assert (config.web.listen_host, config.web.listen_port) == ("127.0.0.1", 8090)
    assert config.web.link_lifetime == timedelta(days=90) and config.web.link_days == 90
    assert (
        "Web page: links start https://x.example/d/, the page listens on 127.0.0.1:8090, "
        "each link works for 90 days." in check_config_text(config)
    )


def test_the_page_needs_its_public_address() -> None:
    assert "[web] public_url\n     public_url is missing" in problems("[web]\n")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://bot.example.org/d", "must start with https://"),
        ("https://bot.example.org/d?x=1", "without ? or #"),
        ("bot.example.org", "should be a web address"),
    ],
)
def test_a_public_address_that_would_leak_or_break_links_is_refused(url: str, said: str) -> None:
    assert said in problems(f'[web]\npublic_url = "{url}"\n').replace("\n     ", " ")


def test_plain_http_is_fine_on_this_machine() -> None:
    config = parse_config_text(TELEGRAM + '[web]\npublic_url = "http://127.0.0.1:8090"\n', {})
    assert config.web is not None and config.web.public_url == "http://127.0.0.1:8090"


def test_listen_and_lifetime_are_checked() -> None:
    said = problems(
        '[web]\npublic_url = "https://x.example"\nlisten = "nowhere"\nlink_lifetime = "2 hours"\n'
    ).replace("\n     ", " ")
    assert "listen should be an address and a port" in said
    assert "link_lifetime should be at least a day and at most 10 years" in said


def test_the_page_and_the_webhook_cannot_share_a_port() -> None:
    text = (
        '[telegram]\ntoken = "123:abc"\nmode = "webhook"\n'
        'webhook_url = "https://x.example/telegram"\nsecret_token = "0123456789abcdefXYZ"\n'
        'listen = "127.0.0.1:8443"\n'
        '[web]\npublic_url = "https://x.example/d"\nlisten = "127.0.0.1:8443"\n'
    )
    with pytest.raises(ConfigError) as raised:
        parse_config_text(text, {})
    assert "cannot listen on the same address and port" in explain(raised.value).replace(
        "\n     ", " "
    )
