"""Frozen values built the direct way are the same values the class builds."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.core.document import Document, Paragraph, Text
from bot.core.effects import EditCard, Reply
from bot.core.frozen import changer, constructor, copier
from bot.core.model import Group, ResponseRecord, Round, RoundKind
from bot.core.turn import Turn

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_constructor_builds_what_the_class_builds() -> None:
    record = constructor(ResponseRecord)
    assert record(1, 2, "consent", "", NOW) == ResponseRecord(1, 2, "consent", "", NOW)
    assert record(seq=1, member=None, response="object", reason="unsafe", at=NOW, maybe=(2,)) == (
        ResponseRecord(1, None, "object", "unsafe", NOW, maybe=(2,))
    )
    document = constructor(Document)((constructor(Paragraph)((constructor(Text)("Hi"),)),))
    assert document == Document((Paragraph((Text("Hi"),)),))
    assert constructor(Reply)("console:team", document) == Reply("console:team", document)
    built = constructor(EditCard)(7)
    assert built == EditCard(7) and type(built) is EditCard


def test_what_a_constructor_builds_is_frozen() -> None:
    text = constructor(Text)("Hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        text.text = "Bye"  # type: ignore[misc]


def test_a_constructor_wants_the_same_arguments_as_the_class() -> None:
    record = constructor(ResponseRecord)
    with pytest.raises(TypeError):
        record(1, 2, "consent")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        record(1, 2, "consent", "", NOW, colour="blue")  # type: ignore[call-arg]


def test_a_copier_copies_what_replace_copies() -> None:
    record = ResponseRecord(1, 2, "consent", "", NOW, choices=(1,))
    copied = copier(ResponseRecord)(record, reason="fine", member=None)
    assert copied == dataclasses.replace(record, reason="fine", member=None)
    assert type(copied) is ResponseRecord and copied is not record
    with pytest.raises(TypeError):
        copier(ResponseRecord)(record, colour="blue")


def test_a_changer_sets_the_fields_it_names_and_keeps_the_rest() -> None:
    round_ = Round(1, RoundKind.RESPONSES, 1, NOW, NOW, frozenset({1, 2}))
    record = ResponseRecord(1, 2, "consent", "", NOW)
    changed = changer(Round, "history", "participants")(round_, (record,), frozenset({2}))
    assert changed == dataclasses.replace(round_, history=(record,), participants=frozenset({2}))
    assert type(changed) is Round and hash(changed) == hash(changed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.history = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        changer(Round, "colour")
    with pytest.raises(TypeError):
        changer(Round, "history", "history")


def test_only_classes_it_can_build_exactly_are_taken() -> None:
    with pytest.raises(TypeError):
        constructor(Group)  # a default factory
    with pytest.raises(TypeError):
        copier(Turn)  # not frozen


@dataclasses.dataclass(frozen=True, slots=True)
class _Hidden:
    _copy: int


@dataclasses.dataclass(frozen=True, slots=True)
class _Checked:
    count: int

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(self.count)


@dataclasses.dataclass(frozen=True, slots=True)
class _Base:
    count: int


@dataclasses.dataclass(frozen=True, slots=True)
class _Derived(_Base):
    label: str


def test_classes_it_would_build_wrongly_are_refused_at_once() -> None:
    with pytest.raises(TypeError):
        constructor(_Derived)  # its draft would not have its base's layout
    with pytest.raises(TypeError):
        copier(_Hidden)  # a field could shadow the made function's own names
    with pytest.raises(TypeError):
        constructor(_Checked)  # its check would be skipped
