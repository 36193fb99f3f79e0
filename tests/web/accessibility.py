"""Accessibility checks of a page's HTML and stylesheet, made here rather than by a
tool: headings in order, a name for every picture or emoji, and the contrast
ratio of every pair of text and background colours (WCAG 2's formula)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from html.parser import HTMLParser

AA_TEXT = 4.5  # WCAG 2 AA, for text of any size


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[int] = []
        self.landmarks: list[str] = []
        self.unnamed: list[str] = []
        self.named_depth: list[bool] = []  # per open element: does it name its content?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("header", "main", "footer", "nav"):
            self.landmarks.append(tag)
        if tag in ("img", "svg") and not (found.get("alt") or found.get("aria-label")):
            self.unnamed.append(f"<{tag}> without alt text")
        names = (found.get("role") == "img" and bool(found.get("aria-label"))) or (
            found.get("aria-hidden") == "true"
        )
        if tag not in ("img", "meta", "br", "hr", "input", "link"):
            self.named_depth.append(names)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("img", "meta", "br", "hr", "input", "link") and self.named_depth:
            self.named_depth.pop()

    def handle_data(self, data: str) -> None:
        if any(self.named_depth):
            return
        for ch in data:
            if unicodedata.category(ch) == "So":
                self.unnamed.append(f"{ch} ({unicodedata.name(ch, '?')}) without a name")


def _read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def heading_problems(html: str) -> list[str]:
    """One h1 first, then no level skipped on the way down; the landmarks there."""
    reader = _read(html)
    problems = []
    levels = reader.headings
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        problems.append(f"the page should have one h1, first: {levels[:3]}")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"h{after} comes after h{before}")
    for landmark in ("header", "main", "footer"):
        if landmark not in reader.landmarks:
            problems.append(f"no <{landmark}>")
    return problems


def unnamed_symbols(html: str) -> list[str]:
    """Pictures and emoji that a screen reader would have no words for."""
    return _read(html).unnamed


def _colour(value: str) -> tuple[float, float, float] | None:
    value = value.strip().lower()
    named = {"black": "#000000", "white": "#ffffff"}
    value = named.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    if not re.fullmatch(r"#[0-9a-f]{6}", value):
        return None
    return tuple(int(value[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    a, b = _colour(one), _colour(two)
    assert a is not None and b is not None, (one, two)
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def stylesheet_colours(css: str) -> tuple[set[str], set[str]]:
    """The text colours and the background colours a stylesheet names."""
    texts = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6}|\w+)", css))
    backgrounds = set(re.findall(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6}|\w+)", css))
    return texts, backgrounds


def contrast_problems(css: str) -> list[str]:
    """Every text colour against every background colour: at least 4.5:1."""
    texts, backgrounds = stylesheet_colours(css)
    assert texts and backgrounds, "the stylesheet names no colours to check"
    return [
        f"{text} on {ground}: {contrast(text, ground):.2f}:1"
        for text in sorted(texts)
        for ground in sorted(backgrounds)
        if contrast(text, ground) < AA_TEXT
    ]
