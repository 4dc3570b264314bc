"""Authorisation: members, and staff without the role, cannot take, read, transfer, close, block or
assign — not with the buttons they see, and not with forged callback data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Conversation
from bot.services.staff import Role
from tests.e2e.conftest import Harness
from tests.e2e.staffroom import add_staff, open_staff_room


async def _waiting_case(harness: Harness):
    staff_room = await open_staff_room(harness)
    member = await harness.started("en", "📍 Kyiv")
    await member.command("/menu")
    await member.press("💬 Talk to a person")
    await member.press("🩺 Health")
    async with harness.app.sessionmaker() as session:
        conversation = await session.scalar(select(Conversation))
    return staff_room, member, conversation


async def _status(harness: Harness) -> tuple[str, int | None]:
    async with harness.app.sessionmaker() as session:
        conversation = await session.scalar(select(Conversation))
        return conversation.status, conversation.counsellor_id


@pytest.mark.parametrize("action", ["take", "release", "transfer", "close", "close_yes", "block", "canned"])
async def test_a_member_cannot_act_on_a_case_even_with_forged_data(harness: Harness, action: str) -> None:
    _staff_room, member, conversation = await _waiting_case(harness)
    answer = await member.press_data(f"case:{conversation.id}:{action}")
    assert answer is not None and answer.show_alert  # "This button is out of date"
    assert await _status(harness) == ("queued", None)


async def test_a_member_cannot_end_or_read_someone_elses_chat(harness: Harness) -> None:
    _staff_room, _member, conversation = await _waiting_case(harness)
    intruder = await harness.started("en", "📍 Kyiv")
    for data in (f"hoa:{conversation.id}:end", f"hoa:{conversation.id}:refresh", f"hoa:{conversation.id}:leave"):
        answer = await intruder.press_data(data)
        assert answer.show_alert and answer.text == "This chat has ended."
    assert await _status(harness) == ("queued", None)
    answer = await intruder.press_data(f"fb:{conversation.id}:1")
    assert answer.show_alert


async def test_staff_without_the_counsellor_role_cannot_take(harness: Harness) -> None:
    staff_room, _member, _conversation = await _waiting_case(harness)
    moderator = await add_staff(harness, staff_room, "Mod", roles=(Role.moderator,))
    stranger = harness.fake.user("Passer")
    staff_room.room.add(stranger)
    for person in (moderator, stranger):
        answer = await person.press("✋ Take", chat=staff_room.room)
        assert answer.show_alert and "Only counsellors" in answer.text
    assert await _status(harness) == ("queued", None)


async def test_only_the_assigned_counsellor_or_a_supervisor_acts_on_an_active_case(harness: Harness) -> None:
    staff_room, member, conversation = await _waiting_case(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    ivan = await add_staff(harness, staff_room, "Ivan")
    sveta = await add_staff(harness, staff_room, "Sveta", roles=(Role.counsellor, Role.supervisor))
    await nata.press("✋ Take", chat=staff_room.room)
    for action in ("release", "transfer", "close", "close_yes", "block", "canned"):
        answer = await ivan.press_data(f"case:{conversation.id}:{action}", chat=staff_room.room)
        assert answer.show_alert, action
    answer = await ivan.press_data(f"xfer:{conversation.id}:{ivan.id}", chat=staff_room.room)
    assert answer.show_alert
    answer = await ivan.press_data(f"blk:{conversation.id}:7", chat=staff_room.room)
    assert answer.show_alert
    assert await _status(harness) == ("active", (await _nata_id(harness)))
    # Ivan's message in the case topic is a note, not an answer.
    thread = staff_room.case_thread(conversation.case_code)
    seen = len(member.messages)
    await ivan.send("I'll answer instead", chat=staff_room.room, thread_id=thread)
    assert len(member.messages) == seen
    # A supervisor may step in.
    await sveta.press_data(f"case:{conversation.id}:close_yes", chat=staff_room.room)
    assert (await _status(harness))[0] == "closed"


async def _nata_id(harness: Harness) -> int:
    from bot.services import staff as staff_service

    async with harness.app.sessionmaker() as session:
        organisation = await staff_service.default_organisation(session)
        return (await staff_service.staff_by_alias(session, organisation.id, "Nata")).id


async def test_assign_and_unblock_need_a_supervisor(harness: Harness) -> None:
    staff_room, _member, conversation = await _waiting_case(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    await nata.send(f"/assign {conversation.case_code} Nata", chat=staff_room.room)
    assert "Only supervisors" in staff_room.room.messages()[-1].text
    await nata.send(f"/unblock {conversation.case_code}", chat=staff_room.room)
    assert "Only supervisors" in staff_room.room.messages()[-1].text
    sveta = await add_staff(harness, staff_room, "Sveta", roles=(Role.supervisor,))
    await sveta.send(f"/assign {conversation.case_code} Nata", chat=staff_room.room)
    assert f"{conversation.case_code} is now with Nata." in staff_room.room.messages()[-1].text or any(
        "is now with Nata" in (m.text or "") for m in staff_room.room.messages()
    )
    assert (await _status(harness))[0] == "active"


async def test_revoked_counsellor_hands_back_their_chats(harness: Harness) -> None:
    staff_room, member, conversation = await _waiting_case(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    admin = await add_staff(harness, staff_room, "Boss", roles=(Role.admin,))
    await nata.press("✋ Take", chat=staff_room.room)
    await admin.command("/revoke", "Nata")
    assert await _status(harness) == ("queued", None)
    assert "back in the queue" in member.last.text
    seen = len(member.messages)
    await nata.send("still here?", chat=staff_room.room, thread_id=staff_room.case_thread(conversation.case_code))
    assert len(member.messages) == seen  # no longer reaches the member
