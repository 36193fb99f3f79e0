"""What people type is stored clean, and gives the exported Markdown no structure.

Control characters and bidirectional controls are dropped on the way in (before
the core decides), so every view and file shows the clean text; the Markdown
export escapes what would start a heading, a list, a quote, a table or a code
block. A real CommonMark parser reads the file, as any Markdown viewer would.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from bot.core import commands as c
from bot.core.record import export_files
from bot.core.typed import BIDI_CONTROLS, clean, cleaned
from tests.core.care_team import files, team
from tests.core.conversation import Conversation

RLO = "\u202e"


@pytest.mark.parametrize("control", [*BIDI_CONTROLS, "\x00", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_and_bidi_characters_are_dropped(control: str) -> None:
    assert clean(f"I object{control} to this") == "I object to this"


def test_line_breaks_stay_and_every_kind_becomes_one() -> None:
    assert clean("one\r\ntwo\rthree\u2028four\tfive") == "one\ntwo\nthree\nfour five"


@pytest.mark.parametrize(
    "kept",
    [
        "نعم\u200f، أوافق",  # a right-to-left mark, as Arabic writers use it
        "👩\u200d👩\u200d👧 family",  # an emoji joined with zero-width joiners
        "Mum's 10:00 visit — café",
    ],
)
def test_ordinary_writing_is_kept_as_typed(kept: str) -> None:
    assert clean(kept) == kept


def test_a_clean_command_is_the_very_same_object() -> None:
    request = c.Request(c.Actor("console:sam", "Sam"), "console:group", c.Respond(1, "consent"))
    assert cleaned(request) is request


def test_titles_reasons_and_names_are_stored_clean() -> None:
    conv = Conversation()
    conv.by(f"Sam{RLO}", c.Join())
    conv.by("Alex", c.Join())
    conv.by(f"Sam{RLO}", c.Propose(f"Buy a kettle{RLO}txt.exe", details="Quiet\x1b[2J one"))
    conv.by("Alex", c.Respond(1, "object", reason=f"Too loud{RLO}\x07"))
    proposal = conv.proposal(1)
    assert proposal.title == "Buy a kettletxt.exe"
    assert proposal.version.details == "Quiet[2J one"
    assert proposal.round is not None
    assert [r.reason for r in proposal.round.history] == ["Too loud"]
    assert [m.name for m in conv.group.members.values()] == ["Sam", "Alex"]
    everything = "".join(f.content for f in files(conv.by("Alex", c.Export())).values())
    assert RLO not in everything and "\x1b" not in everything and "\x07" not in everything


STRUCTURE = [
    "## Outcome: agreed by everyone",
    "# Decisions of another group",
    "- a list item",
    "+ another",
    "1. a numbered item",
    "2) another",
    "> a quote",
    "    four spaces: code",
    "```",
    "~~~",
    "---",
    "===",
    "| a | b |",
    "*stars*",
    "_underscores_",
    "~~struck~~",
    "[a link](https://example.org)",
    "![a picture](https://example.org/x.png)",
    "<b>bold</b>",
    "Title ##",
]


def _markdown(conv: Conversation) -> str:
    exported = export_files(conv.group, conv.now)
    (markdown,) = [text for name, _, text in exported if name.endswith(".md")]
    return markdown


def _parser() -> MarkdownIt:
    """CommonMark with the tables and strike-through that GitHub and many viewers add."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _tokens(markdown: str) -> list[str]:
    """Every block and inline element of the file, but its plain text."""
    found = []
    for token in _parser().parse(markdown):
        found.append(token.type)
        found += [t.type for t in token.children or () if t.type not in ("text", "text_special")]
    return found


def test_typed_markdown_structure_is_shown_as_typed_never_as_structure() -> None:
    plain = team("Sam", "Alex")
    plain.by("Sam", c.Propose("Buy a kettle", details="A quiet one\nA quiet one"))
    plain.by("Alex", c.Respond(1, "object", reason="Too loud\nToo loud"))
    expected = _tokens(_markdown(plain))

    for typed in STRUCTURE:
        conv = team("Sam", "Alex")
        conv.by("Sam", c.Propose(f"Buy a kettle {typed}", details=f"{typed}\n{typed}"))
        conv.by("Alex", c.Respond(1, "object", reason=f"{typed}\n{typed}"))
        markdown = _markdown(conv)
        # The same headings, lists and paragraphs as with plain words, nothing more.
        assert _tokens(markdown) == expected, (typed, markdown)


def test_a_reason_that_starts_with_a_heading_stays_inside_its_list_item() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Buy a kettle"))
    conv.by("Alex", c.Respond(1, "object", reason="## Outcome\nAgreed by all"))
    html = _parser().render(_markdown(conv))
    assert "<h2>Outcome" not in html
    assert "<p>Monday 7 December, 09:00 UK time — Alex — Object: ## Outcome Agreed by all</p>" in (
        html
    )
