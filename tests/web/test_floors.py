"""The web page sits where the adapters do: it asks the application, never storage,
and nothing below it imports it."""

from __future__ import annotations

from pathlib import Path

from tests.app.test_adapters_ask import _imports, _storage_calls

ROOT = Path(__file__).resolve().parents[2]
WIRING = ("bot.cli", "bot.runtime", "bot.demo", "bot.config", "adapters", "storage")


def test_the_page_asks_the_application_never_storage() -> None:
    paths = sorted((ROOT / "bot" / "web").rglob("*.py"))
    assert paths
    for path in paths:
        for module in _imports(path):
            assert not any(module == w or module.startswith(w + ".") for w in WIRING), (
                path,
                module,
            )
        assert not _storage_calls(path), (path, _storage_calls(path))


def test_nothing_below_imports_the_page() -> None:
    for floor in ("core", "app"):
        for path in sorted((ROOT / "bot" / floor).rglob("*.py")):
            assert not any(m.startswith("bot.web") for m in _imports(path)), path
