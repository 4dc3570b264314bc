"""FSM keys in Redis without Telegram ids: chat and user ids are replaced by keyed hashes."""

from __future__ import annotations

from typing import Literal

from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey

from bot.privacy import Privacy


class HashedKeyBuilder(DefaultKeyBuilder):
    def __init__(self, privacy: Privacy, prefix: str = "umbrella:fsm") -> None:
        super().__init__(prefix=prefix, with_bot_id=True)
        self.privacy = privacy

    def build(self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None) -> str:
        parts = [self.prefix, str(key.bot_id), self.privacy.member_hash(key.chat_id)[:32]]
        if key.thread_id:
            parts.append(str(key.thread_id))
        parts.append(self.privacy.member_hash(key.user_id)[:32])
        if key.destiny != "default":
            parts.append(key.destiny)
        if part:
            parts.append(part)
        return self.separator.join(parts)
