"""The configuration file: the example loads, secrets stay secret, every mistake is explained."""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import (
    SCHEMA,
    SECRET_ENV,
    TOKEN_PLACEHOLDER,
    Config,
    ConfigError,
    check_config_text,
    explain,
    load_config,
    parse_config_text,
)
from bot.core.model import GroupSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
TOKEN = "123456789:AAE-real-looking_token"
MATRIX = """
[matrix]
homeserver = "https://matrix.example.org"
user_id = "@carebot:example.org"
allowed_inviters = ["@sam:example.org", "care.example.org"]
"""


def parse(text: str, env: dict[str, str] | None = None) -> Config:
    return parse_config_text(text, env or {})


def problems_of(text: str, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        parse(text, env)
    return [(p.where, p.message) for p in caught.value.problems]


def uncomment_matrix(example: str) -> str:
    """The example with its [matrix] section switched on, as its comments tell people to."""
    lines, in_matrix = [], False
    for line in example.splitlines():
        if line == "# [matrix]":
            in_matrix = True
        elif line.startswith("# --"):
            in_matrix = False
        if in_matrix and re.match(r"# (\[matrix\]|[a-z_]+ = )", line):
            line = line[2:]
        lines.append(line)
    return "\n".join(lines)


# -- the example file ------------------------------------------------------------------------


def test_example_file_loads_with_the_documented_defaults() -> None:
    config = load_config(EXAMPLE, env={})

    assert config.telegram is not None
    assert config.telegram.mode == "polling"
    assert config.telegram.token == TOKEN_PLACEHOLDER
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert (config.telegram.listen_host, config.telegram.listen_port) == ("127.0.0.1", 8443)
    assert config.matrix is None
    assert config.storage.path == Path("deciding-together.db")
    assert config.storage.synchronous == "full"
    assert config.storage.retention_months is None
    assert config.logging.level == "INFO"
    assert config.group_settings() == GroupSettings()


def test_example_file_documents_every_setting() -> None:
    example = EXAMPLE.read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        assert re.search(rf"^(# )?\[{section}\]$", example, re.M), section
        for key in keys:
            assert re.search(rf"^(# )?{key} = ", example, re.M), f"[{section}] {key}"
    for variable in SECRET_ENV.values():
        assert variable in example


def test_example_matrix_section_loads_once_uncommented() -> None:
    config = parse(uncomment_matrix(EXAMPLE.read_text(encoding="utf-8")))

    assert config.matrix is not None
    assert config.matrix.user_id == "@carebot:example.org"
    assert config.matrix.device_id == "DECIDINGTOGETHER"
    assert config.matrix.store_path == Path("matrix-store")
    assert config.matrix.encrypted_direct_rooms is True
    assert config.matrix.facilitators_from_power_levels is False
    assert config.matrix.may_invite("@sam:example.org")
    assert config.matrix.may_invite("@anyone:example.org")
    assert not config.matrix.may_invite("@stranger:elsewhere.org")


def test_placeholder_token_loads_but_the_bot_will_not_run_with_it() -> None:
    config = load_config(EXAMPLE, env={})

    with pytest.raises(ConfigError) as caught:
        config.require_platform()
    assert "placeholder" in caught.value.problems[0].message
    assert "DT_TELEGRAM_TOKEN" in caught.value.problems[0].message
    assert "placeholder" in check_config_text(config)


def test_a_file_without_platforms_serves_export_but_not_run() -> None:
    config = parse("")

    assert config.telegram is None and config.matrix is None
    with pytest.raises(ConfigError) as caught:
        config.require_platform()
    assert caught.value.problems[0].where == "[telegram] or [matrix]"
    assert "Nothing is set up to chat on" in explain(caught.value)


# -- secrets from the environment ------------------------------------------------------------


def test_environment_fills_a_missing_token() -> None:
    config = parse("[telegram]\n", {"DT_TELEGRAM_TOKEN": TOKEN})

    assert config.telegram is not None and config.telegram.token == TOKEN
    config.require_platform()
    assert "bot token set (from DT_TELEGRAM_TOKEN)" in check_config_text(config)


def test_environment_wins_over_the_file() -> None:
    text = f'[telegram]\ntoken = "{TOKEN_PLACEHOLDER}"\n'
    config = parse(text, {"DT_TELEGRAM_TOKEN": f"  {TOKEN}\n"})

    assert config.telegram is not None and config.telegram.token == TOKEN


def test_an_empty_environment_variable_counts_as_unset() -> None:
    config = parse(f'[telegram]\ntoken = "{TOKEN}"\n', {"DT_TELEGRAM_TOKEN": ""})

    assert config.telegram is not None
    assert config.telegram.sources["token"] == "the config file"


def test_environment_gives_the_webhook_secret_and_matrix_logins() -> None:
    text = (
        f'[telegram]\ntoken = "{TOKEN}"\nmode = "webhook"\n'
        'webhook_url = "https://bot.example.org/telegram"\n' + MATRIX
    )
    env = {
        "DT_TELEGRAM_SECRET_TOKEN": "s3cret_word-1-of-ours",
        "DT_MATRIX_PASSWORD": "correct horse",
        "DT_MATRIX_ACCESS_TOKEN": "syt_abc",
    }
    config = parse(text, env)

    assert config.telegram is not None and config.matrix is not None
    assert config.telegram.secret_token == "s3cret_word-1-of-ours"
    assert (config.matrix.password, config.matrix.access_token) == ("correct horse", "syt_abc")
    assert sorted(config.secrets()) == sorted([TOKEN, *env.values()])
    summary = check_config_text(config)
    assert "secret token set (from DT_TELEGRAM_SECRET_TOKEN)" in summary
    assert "access token set (from DT_MATRIX_ACCESS_TOKEN)" in summary


def test_load_config_reads_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[telegram]\n", encoding="utf-8")
    monkeypatch.setenv("DT_TELEGRAM_TOKEN", TOKEN)

    config = load_config(path)

    assert config.telegram is not None and config.telegram.token == TOKEN


def test_a_secret_for_an_unconfigured_platform_is_noted() -> None:
    config = parse("", {"DT_MATRIX_PASSWORD": "hunter2"})

    assert config.matrix is None
    assert "DT_MATRIX_PASSWORD is set, but there is no [matrix] section" in (
        check_config_text(config)
    )


# -- mistakes, each explained ----------------------------------------------------------------

TELEGRAM = f'[telegram]\ntoken = "{TOKEN}"\n'
WEBHOOK = TELEGRAM + 'mode = "webhook"\nsecret_token = "our-webhook-secret-42"\n'

MISTAKES = [
    # (what is written, where the problem is, words the message must hold)
    (TELEGRAM + 'mode = "pooling"', "[telegram] mode",
     'mode must be "polling" or "webhook"; you wrote "pooling". Did you mean "polling"?'),
    (TELEGRAM + 'mode = "Webhook"\nsecret_token = "our-webhook-secret-42"',
     "[telegram] webhook_url",
     "In webhook mode Telegram needs the address"),
    (TELEGRAM + 'mode = "webhook"\nwebhook_url = "https://bot.example.org/x"',
     "[telegram] secret_token", "In webhook mode a secret token is needed"),
    (WEBHOOK + 'webhook_url = "http://bot.example.org/x"', "[telegram] webhook_url",
     "Telegram only sends webhooks to https:// addresses"),
    (WEBHOOK + 'webhook_url = "https://bot.example.org:9000/x"', "[telegram] webhook_url",
     "ports 443, 80, 88 or 8443; this address uses port 9000"),
    (TELEGRAM + 'secret_token = "has spaces"', "[telegram] secret_token",
     "may only use letters A-Z and a-z, digits 0-9, _ and -"),
    (TELEGRAM + 'listen = "8443"', "[telegram] listen",
     'listen should be an address and a port, like listen = "127.0.0.1:8443"'),
    (TELEGRAM + 'base_url = "api.telegram.org"', "[telegram] base_url",
     "base_url should be a web address starting with https://"),
    (TELEGRAM + 'bot_username = "my bot"', "[telegram] bot_username",
     "bot_username should be the bot's Telegram username"),
    ("[telegram]\n", "[telegram] token", "The bot token is missing"),
    ('[telegram]\ntoken = "my token"', "[telegram] token", "does not look right"),
    ("[telegram]\ntoken = 123456789", "[telegram] token",
     "token should be text in double quotes"),
    ('[defaults]\nquorum = "fifty"', "[defaults] quorum",
     'quorum should be a whole number like 50; you wrote "fifty".'),
    ('[defaults]\nquorum = "50%"', "[defaults] quorum", "Write the number without quotes or %."),
    ("[defaults]\nquorum = 50.5", "[defaults] quorum", "Write it without a decimal point."),
    ("[defaults]\nquorum = true", "[defaults] quorum", "you wrote true."),
    ("[defaults]\nquorum = 150", "[defaults] quorum",
     "quorum must be between 0 and 100; you wrote 150."),
    ('[defaults]\ndigest = "yes"', "[defaults] digest",
     'digest should be true or false, without quotes; you wrote "yes".'),
    ("[defaults]\nduration = 3", "[defaults] duration",
     "Say which unit, in quotes: minutes, hours, days or weeks."),
    ('[defaults]\nresolve = "three dayz"', "[defaults] resolve",
     'resolve should be a length of time in quotes, like resolve = "2 days"'),
    ('[defaults]\nmin_deadline = "4 days"', "[defaults] min_deadline",
     "min_deadline is longer than a round (3 days)"),
    ('[defaults]\ntimezone = "Europe/Londn"', "[defaults] timezone",
     'Did you mean "Europe/London"?'),
    ('[defaults]\ntimezone = "UK"', "[defaults] timezone", 'Did you mean "Europe/London"?'),
    ('[defaults]\nlanguage = "English"', "[defaults] language",
     'language should be the code of a language, like "en", "cy" or "pl"'),
    ('[defaults]\nlanguage = "zz"', "[defaults] language",
     'you wrote "zz", which is not a language code I know.'),
    ('[defaults]\nprocess = "concent"', "[defaults] process", 'Did you mean "consent"?'),
    ('[storage]\nsynchronous = "fast"', "[storage] synchronous",
     'synchronous must be "full" or "normal"; you wrote "fast".'),
    ("[storage]\nretention_months = 0", "[storage] retention_months",
     "To keep closed proposals forever, delete the line."),
    ('[storage]\npath = ""', "[storage] path", "path should name the database file"),
    ('[logging]\nlevel = "WARN"', "[logging] level", 'Did you mean "WARNING"?'),
    ("[telegarm]\n", "[telegarm]",
     'There is no section called [telegarm]. Did you mean "telegram"?'),
    ("[Storage]\n", "[Storage]", "Names are written in small letters."),
    ('[storage]\npth = "x.db"', "[storage] pth",
     'pth is not a setting of [storage]. Did you mean "path"?'),
    ('[storage]\ntimezone = "Europe/London"', "[storage] timezone",
     "It belongs in the [defaults] section"),
    ("quorum = 50", "quorum", "quorum is outside any section. It belongs in [defaults]"),
    ('telegram = "yes"', "[telegram]", "telegram should be a section"),
    (MATRIX.replace('"@carebot:example.org"', '"carebot@example.org"'), "[matrix] user_id",
     "an @, the name, a colon, then the server"),
    (MATRIX.replace('homeserver = "https://matrix.example.org"', ""), "[matrix] homeserver",
     "The homeserver is missing"),
    (MATRIX.replace('"care.example.org"', '"bob"'), "[matrix] allowed_inviters",
     '"bob" is neither a person nor a server'),
    (MATRIX.replace('["@sam:example.org", "care.example.org"]', "[]"),
     "[matrix] allowed_inviters", "nobody could invite the bot"),
    (MATRIX.replace('allowed_inviters = ["@sam:example.org", "care.example.org"]', ""),
     "[matrix] allowed_inviters", "Say who may invite the bot into rooms"),
    (MATRIX + 'encrypted_direct_rooms = "true"', "[matrix] encrypted_direct_rooms",
     "should be true or false, without quotes"),
    (MATRIX, "[matrix] password or access_token", "The bot needs a way to log in"),
    ("[telegram]\nmode = polling", "line 2, column 8",
     "This is not valid TOML: the value after \"=\" is not understood"),
    ("[defaults]\nlanguage = “en”", "line 2, column 12", "use straight double quotes"),
    ('[storage]\npath = "a.db"\npath = "b.db"', "line 3, at the end of the file",
     "this setting is written twice"),
    ("[storage]\n[storage]", "line 2, column 9", "this section appears twice"),
    ('[storage]\npath = "a.db', "line 2, at the end of the file",
     "missing its closing double quote"),
    ("[storage\n", "line 1, column 9", "must be closed with ], like [telegram]"),
    ("quorum 50", "line 1, column 8", "each setting is one line of the form name = value"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "where", "words"), MISTAKES)
def test_each_mistake_is_explained_where_it_is(text: str, where: str, words: str) -> None:
    found = problems_of(text)

    assert any(w == where and words in m for w, m in found), found


def test_every_mistake_is_reported_at_once_in_the_files_order() -> None:
    text = """
[telegram]
mode = "pooling"

[defaults]
quorum = "fifty"
timezone = "Mars/Olympus"
nudge = "1 day"

[sotrage]
"""
    found = problems_of(text)

    assert [where for where, _ in found] == [
        "[telegram] token",  # missing altogether: told first
        "[telegram] mode",
        "[defaults] quorum",
        "[defaults] timezone",
        "[defaults] nudge",
        "[sotrage]",
    ]


def test_a_bad_environment_secret_is_blamed_on_the_variable() -> None:
    found = problems_of("[telegram]\n", {"DT_TELEGRAM_TOKEN": "not a token"})

    assert found[0][0] == "DT_TELEGRAM_TOKEN (environment variable)"


def test_explain_numbers_the_mistakes_and_says_how_to_check_again() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config_text('[defaults]\nquorum = "fifty"\ndigest = 1\n', {}, source="care.toml")

    text = explain(caught.value)

    assert text.startswith("There are 2 mistakes in care.toml:")
    assert "  1. [defaults] quorum" in text and "  2. [defaults] digest" in text
    assert text.endswith("deciding-together check-config --config care.toml")
    assert str(caught.value).splitlines()[0].startswith("care.toml: [defaults] quorum: ")


def test_explain_keeps_what_to_write_on_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(WEBHOOK + 'webhook_url = "http://bot.example.org/x"')

    assert 'webhook_url = "https://bot.example.org/telegram"' in explain(caught.value)


# -- the file itself -------------------------------------------------------------------------


def test_a_missing_file_says_to_copy_the_example(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.toml")

    assert "Copy config.example.toml" in caught.value.problems[0].message


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)

    assert "This is a folder, not a file" in caught.value.problems[0].message


def test_an_unreadable_file_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ConfigError) as caught:
        load_config(path)

    assert "not allowed to read this file" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'[storage]\npath = "caf\xe9.db"\n', "saved as UTF-8"),
        (b"SQLite format 3\x00" + bytes(100), "This is the bot's database"),
        (b"#" * 2_000_000, "far too large"),
        (b"x = " + b"[" * 5000, "nests lists or tables too deeply"),
    ],
)
def test_files_that_are_not_a_configuration_are_explained(
    tmp_path: Path, data: bytes, words: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(data)

    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})

    assert words in caught.value.problems[0].message


def test_a_windows_byte_order_mark_is_accepted() -> None:
    config = parse_config_text(b'\xef\xbb\xbf[storage]\npath = "care.db"\n', {})

    assert config.storage.path == Path("care.db")


# -- values read -----------------------------------------------------------------------------


def test_defaults_become_the_new_groups_settings() -> None:
    config = parse("""
[defaults]
timezone = "Europe/Warsaw"
language = "PL"
process = "Lazy"
quorum = 0
duration = "1 week"
questions = "12 hours"
nudge_before = "2 days"
min_deadline = "30 minutes"
resolve = "3 days"
digest = true
""")

    assert config.group_settings() == GroupSettings(
        timezone="Europe/Warsaw", language="pl", process="lazy", quorum=0,
        duration=timedelta(weeks=1), questions=timedelta(hours=12),
        nudge_before=timedelta(days=2), min_deadline=timedelta(minutes=30),
        resolve=timedelta(days=3), digest=True,
    )  # fmt: skip


def test_webhook_settings_are_read() -> None:
    config = parse(
        TELEGRAM + 'mode = "webhook"\nwebhook_url = "https://bot.example.org/tg"\n'
        'listen = "[::1]:8080"\nsecret_token = "abc_DEF-123-ghi_JKL"\nbot_username = "@CareBot"\n'
    )

    telegram = config.telegram
    assert telegram is not None
    assert (telegram.listen_host, telegram.listen_port) == ("::1", 8080)
    assert telegram.bot_username == "CareBot"
    assert "webhook at https://bot.example.org/tg, listening on [::1]:8080" in (
        check_config_text(config)
    )


def test_a_local_webhook_may_use_plain_http_and_any_port() -> None:
    config = parse(WEBHOOK + 'webhook_url = "http://127.0.0.1:9000/hook"')

    assert config.telegram is not None
    assert config.telegram.webhook_url == "http://127.0.0.1:9000/hook"


def test_matrix_inviters_by_person_and_by_server() -> None:
    config = parse(MATRIX, {"DT_MATRIX_ACCESS_TOKEN": "syt_abc"})

    matrix = config.matrix
    assert matrix is not None
    assert matrix.allowed_inviters == ("@sam:example.org", ":care.example.org")
    assert matrix.may_invite("@sam:example.org")
    assert matrix.may_invite("@jo:Care.Example.org")
    assert not matrix.may_invite("@jo:example.org")
    assert not matrix.may_invite("@sam:example.org.evil")


def test_the_summary_says_what_will_run() -> None:
    config = parse(TELEGRAM + "[storage]\nretention_months = 24\n")

    summary = check_config_text(config)

    assert summary.splitlines()[:4] == [
        "Telegram: polling, bot token set (from the config file).",
        "Matrix: not configured.",
        "Database: deciding-together.db (closed proposals deleted after 24 months, "
        "synchronous full).",
        "Groups start with: consent, 50% quorum, Europe/London, language en.",
    ]


# -- secrets never show ----------------------------------------------------------------------

SECRETS = ("123456789:TOPSECRETtoken", "WebhookSecret_1_of_ours", "Hunter2Password", "syt_SeCrEt")


def test_secrets_never_appear_in_repr_or_summary() -> None:
    text = f"""
[telegram]
token = "{SECRETS[0]}"
mode = "webhook"
webhook_url = "https://bot.example.org/tg"
secret_token = "{SECRETS[1]}"
{MATRIX}
password = "{SECRETS[2]}"
access_token = "{SECRETS[3]}"
"""
    config = parse(text)

    shown = repr(config) + str(config) + check_config_text(config)
    shown += repr(config.telegram) + repr(config.matrix)
    assert "token='***'" in shown and "password='***'" in shown
    for secret in SECRETS:
        assert secret not in shown
    assert sorted(config.secrets()) == sorted(SECRETS)


@pytest.mark.parametrize(
    "text",
    [
        '[telegram]\ntoken = "TOPSECRET token!"\nsecret_token = "Top Secret!!"\n',
        '[telegram]\ntokne = "TOPSECRET"\n[matrix]\npasword = "TOPSECRET"\n',
        f'{MATRIX}password = ["TOPSECRET"]\naccess_token = 86420\n',
        'token = "TOPSECRET"\n',
        f'[telegram]\ntoken = "{TOKEN}"\nbot_username = "123456789:TOPSECRET-pasted_here"\n',
    ],
)
def test_secrets_never_appear_in_errors(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(text, {"DT_TELEGRAM_SECRET_TOKEN": "TOPSECRET env"})

    for shown in (str(caught.value), explain(caught.value), repr(caught.value.problems)):
        assert "TOPSECRET" not in shown
        assert "86420" not in shown


# -- anything at all -------------------------------------------------------------------------

# Generation is kept cheap (few, flat draws from prepared pools) so that ten
# thousand documents run in well under a minute.
_CHARS = st.sampled_from(list("aZ09 _-:@./%\"'\\[]{}=#,\n\t\r€ü“”\x00\x7f\ufeff🙂"))
_ALL_KEYS = sorted({key for keys in SCHEMA.values() for key in keys})
_ODD_KEYS = ["tokn", "Mode", "x-y", '"a b"', '"ü"', '""', '"["', "path.x", "token.x"]
_HEADERS = [
    *(f"[{section}]" for section in SCHEMA), "[Telegram]", "[telegarm]", "[extra]",
    "[[storage]]", "[storage.x]", '["a b"]', "[defaults]", "[telegram]", "[matrix]",
]  # fmt: skip
_VALUES = [
    '"3 days"', '"1 hour"', '"0 days"', '"polling"', '"webhook"', '"Webhook"',
    '"Europe/London"', '"UK"', '"@sam:example.org"', '":example.org"', f'"{TOKEN}"',
    f'"{TOKEN_PLACEHOLDER}"', '"https://example.org/x"', '"http://127.0.0.1:9000/x"',
    '"127.0.0.1:8443"', '"[::1]:80"', '"full"', '"consent"', '"pl"', '"abc_DEF-1"', '"INFO"',
    "50", "0", "-1", "101", "1e3", "true", "false", "[]", "{}", '"1:a"', "nan", "-inf",
    "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", '""', "'lit'", '"""x"""',
    '["@sam:example.org", "example.org"]', '["bob", 1]', "[[1], {a = 2}]", "{ a = 1 }",
]  # fmt: skip
_BROKEN_VALUES = ["polling", "“en”", '"unclosed', "[1, 2", "9" * 5000, "{a = 1", "1979-13-45"]
_KEYS = [*_ALL_KEYS, *_ODD_KEYS]


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    return ("-inf" if value < 0 else "inf") if math.isinf(value) else repr(value)


def _string(text: str) -> str:
    """Text as a TOML basic string (JSON's escapes are TOML's, but for DEL)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


# Lines that are TOML: mostly real settings with likely values, some random ones.
_LINES = st.one_of(
    st.sampled_from([f"{key} = {value}" for key in _KEYS for value in _VALUES]),
    st.tuples(
        st.sampled_from(_KEYS),
        st.text(_CHARS, max_size=12).map(_string)
        | st.integers().map(str)
        | st.floats().map(_float),
    ).map(" = ".join),
)
# Lines that are not TOML, or not quite.
_DAMAGED = st.one_of(
    st.sampled_from([f"{key} = {value}" for key in _KEYS for value in _BROKEN_VALUES]),
    st.text(_CHARS, max_size=15),
)


def _documents(lines: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Sections of ``lines``, each section and setting at most once."""
    section = st.tuples(
        st.sampled_from(_HEADERS),
        st.lists(lines, max_size=5, unique_by=lambda line: line.partition(" =")[0]),
    )
    return st.lists(section, max_size=4, unique_by=lambda s: s[0]).map(
        lambda sections: "\n".join("\n".join([head, *body]) for head, body in sections)
    )


_DOCUMENTS = st.one_of(
    _documents(_LINES),  # TOML: reaches the checks
    _documents(_LINES),
    _documents(_LINES | _DAMAGED),  # damaged here and there
    st.lists(_LINES | _DAMAGED, max_size=4).map("\n".join),  # outside any section
    st.binary(max_size=60),  # anything at all
)
_ENVIRONMENTS = st.dictionaries(
    st.sampled_from(sorted(SECRET_ENV.values())),
    st.sampled_from([TOKEN, "word_1", "", " ", "bad token", "x" * 300]),
    max_size=4,
)


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_DOCUMENTS, env=_ENVIRONMENTS)
def test_anything_either_loads_or_is_explained(document: str | bytes, env: dict[str, str]) -> None:
    try:
        config = parse_config_text(document, env)
    except ConfigError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.where.strip()
            assert len(problem.message.split()) >= 4, problem
            assert problem.message.endswith((".", "?")), problem
        assert explain(error)
    else:
        assert isinstance(config, Config)
        assert check_config_text(config)
        assert repr(config)
