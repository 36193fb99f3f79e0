"""The accessibility checks the browser tests use catch what they are for (a check
that cannot fail proves nothing)."""

from __future__ import annotations

from bot.web.page import STYLE
from tests.web.accessibility import contrast, contrast_problems, heading_problems, unnamed_symbols

GOOD = (
    "<html><body><header><h1>T</h1></header><main><h2>A</h2><h3>B</h3><h4>C</h4><h2>D</h2>"
    '<p><span role="img" aria-label="check mark">✅</span> Consent</p></main>'
    "<footer><p>f</p></footer></body></html>"
)


def test_a_well_made_page_passes() -> None:
    assert heading_problems(GOOD) == [] and unnamed_symbols(GOOD) == []


def test_a_skipped_heading_level_a_second_h1_and_a_missing_landmark_are_caught() -> None:
    assert heading_problems(GOOD.replace("<h2>A</h2>", "")) == ["h3 comes after h1"]
    assert heading_problems(GOOD.replace("<h2>D</h2>", "<h1>D</h1>"))
    assert heading_problems(GOOD.replace("<footer><p>f</p></footer>", "")) == ["no <footer>"]


def test_an_emoji_or_image_without_a_name_is_caught() -> None:
    assert unnamed_symbols("<p>✋ Object</p>") == ["✋ (RAISED HAND) without a name"]
    assert unnamed_symbols('<p><img src="x"></p>') == ["<img> without alt text"]


def test_contrast_is_computed_as_wcag_says() -> None:
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # just under AA
    assert contrast_problems("p { color: #777777; background: #fff; }") == [
        "#777777 on #fff: 4.48:1"
    ]


def test_the_pages_own_colours_are_readable() -> None:
    assert contrast_problems(STYLE) == []
