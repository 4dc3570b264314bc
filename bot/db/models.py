"""Tables. Members are stored as the privacy invariants say: a keyed hash, an encrypted chat id,
a language, an optional city and the dates (not times) of their first and last visit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # HMAC-SHA256(key, telegram user id), hex: the only way to find a member.
    user_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # AES-GCM(key, chat id): needed to deliver alerts and broadcasts, useless without the key.
    chat_id_enc: Mapped[bytes] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(2))
    language_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    city: Mapped[str | None] = mapped_column(String(20), default=None)
    # False once Telegram says the member blocked the bot; nothing is pushed to inactive members.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[date] = mapped_column(Date)
    last_seen: Mapped[date] = mapped_column(Date, index=True)

    chat_messages: Mapped[list[ChatMessage]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )


class ChatMessage(Base):
    """The id of a message in a member's private chat (never its text), so "clear chat" can delete it."""

    __tablename__ = "chat_messages"
    __table_args__ = (UniqueConstraint("member_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(Integer)
    # Truncated to the minute: enough for Telegram's 48-hour deletion window.
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    member: Mapped[Member] = relationship(back_populates="chat_messages")
