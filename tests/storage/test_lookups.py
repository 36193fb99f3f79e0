"""The lookups adapters make: chats, identities, link codes, cards, buttons, values."""

from __future__ import annotations

from dataclasses import replace

from storage import SqliteStorage

from .examples import commit, rich_group


async def test_chats_identities_and_link_codes_find_their_group(storage: SqliteStorage) -> None:
    one, two = rich_group("g1"), rich_group("g2")
    await commit(storage, None, one)
    await commit(storage, None, two)
    assert await storage.group_for_chat("telegram:-100g2") == "g2"
    assert await storage.group_for_chat("telegram:-999") is None
    # One person, in two groups.
    assert await storage.groups_for_identity("telegram:101") == ["g1", "g2"]
    assert await storage.groups_for_identity("telegram:999") == []
    linked = replace(one, link_codes={"NEW-CODE": one.link_codes["K3Y-42"]})
    await commit(storage, one, linked)
    assert await storage.group_with_link_code("NEW-CODE") == "g1"
    assert await storage.group_with_link_code("K3Y-42") == "g2"
    assert await storage.group_with_web_link("g2-web-digest") == "g2"
    assert await storage.group_with_web_link("g1-web-digest") == "g1"
    assert await storage.group_with_web_link("forged") is None
    await commit(storage, linked, replace(linked, web_links={}))
    assert await storage.group_with_web_link("g1-web-digest") is None


async def test_linking_a_chat_moves_it_to_the_new_group(storage: SqliteStorage) -> None:
    one, two = rich_group("g1"), rich_group("g2")
    await commit(storage, None, one)
    await commit(storage, None, two)
    moved = replace(one, chats=(*one.chats, "telegram:-100g2"))
    await commit(storage, one, moved)
    assert await storage.group_for_chat("telegram:-100g2") == "g1"
    assert (await storage.load_group("g1")) == moved


async def test_card_messages_per_chat(storage: SqliteStorage) -> None:
    await storage.save_card_message("g1", 7, "telegram:-100g1", "501")
    await storage.save_card_message("g1", 7, "matrix:!g1:example.org", "$abc")
    await storage.save_card_message("g1", 7, "telegram:-100g1", "502")  # posted again
    assert await storage.card_messages("g1", 7) == {
        "telegram:-100g1": "502",
        "matrix:!g1:example.org": "$abc",
    }
    assert await storage.card_for_message("telegram:-100g1", "502") == ("g1", 7)
    assert await storage.card_for_message("telegram:-100g1", "501") is None
    assert await storage.card_messages("g1", 8) == {}


async def test_action_tokens_are_stable_short_and_opaque(storage: SqliteStorage) -> None:
    token = await storage.action_token("g1", "consent #7")
    assert await storage.action_token("g1", "consent #7") == token
    assert await storage.action_token("g2", "consent #7") != token
    assert await storage.action_token("g1", "object #7") != token
    assert len(("dt:" + token).encode()) <= 64 and "consent" not in token
    assert await storage.action_for_token(token) == ("g1", "consent #7")
    assert await storage.action_for_token("forged-token") is None


async def test_values_are_kept_and_replaced(storage: SqliteStorage) -> None:
    assert await storage.get_value("matrix:since") is None
    await storage.set_value("matrix:since", "s1")
    await storage.set_value("matrix:since", "s2")
    assert await storage.get_value("matrix:since") == "s2"


async def test_group_ids_in_the_order_groups_arrived(storage: SqliteStorage) -> None:
    for gid in ("b", "a", "c"):
        await commit(storage, None, rich_group(gid))
    assert await storage.group_ids() == ["b", "a", "c"]
