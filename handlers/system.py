"""Service updates: a member blocking or unblocking the bot."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from bot.privacy import Privacy
from bot.services import members

router = Router(name="system")


@router.my_chat_member(F.chat.type == "private")
async def member_status(event: ChatMemberUpdated, session: AsyncSession, privacy: Privacy) -> None:
    if event.new_chat_member.status == "kicked":
        await members.set_inactive(session, privacy, event.from_user.id)
