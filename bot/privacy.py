"""Privacy primitives: keyed hashes for lookup, authenticated encryption for delivery.

The database never holds a member's Telegram id in plaintext: members are found by
HMAC-SHA256(key, id) and reached through an AES-GCM-encrypted chat id. The master key lives
outside the database (environment or a key file); each purpose gets its own sub-key via HKDF,
so a leak of one derived value says nothing about the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_FILE_NAME = "privacy.key"
_CASE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


class PrivacyKeyError(RuntimeError):
    """The privacy key is missing or unusable; the bot must not start without it."""


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


class Privacy:
    """Keyed hashing and encryption of member identifiers with purpose-bound sub-keys."""

    def __init__(self, master_key: str) -> None:
        if len(master_key) < 32:
            raise PrivacyKeyError("PRIVACY_KEY must be at least 32 characters of random data")
        master = master_key.encode()
        self._lookup_key = _derive(master, "umbrella/member-lookup/v1")
        self._case_key = _derive(master, "umbrella/case-code/v1")
        self._identifier_key = _derive(master, "umbrella/identifier/v1")
        self._aead = AESGCM(_derive(master, "umbrella/chat-id-encryption/v1"))
        self._text_aead = AESGCM(_derive(master, "umbrella/member-text/v1"))

    def member_hash(self, telegram_user_id: int) -> str:
        """The lookup key of a member: stable, not reversible without the key."""
        return hmac.new(self._lookup_key, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()

    def identifier_hash(self, normalised: str) -> str:
        """Keyed hash of a third-party identifier (a client's phone number, handle or e-mail)."""
        return hmac.new(self._identifier_key, normalised.encode(), hashlib.sha256).hexdigest()

    def case_code(self, member_hash: str, length: int = 4) -> str:
        """A short code staff can say aloud; derived, so it needs no storage and reveals nothing."""
        digest = hmac.new(self._case_key, member_hash.encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest[:8], "big")
        chars = []
        for _ in range(length):
            number, index = divmod(number, len(_CASE_ALPHABET))
            chars.append(_CASE_ALPHABET[index])
        return "".join(chars)

    def encrypt_chat_id(self, chat_id: int) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, str(chat_id).encode(), b"chat-id")

    def decrypt_chat_id(self, blob: bytes) -> int:
        return int(self._aead.decrypt(blob[:12], blob[12:], b"chat-id"))

    def seal(self, data: bytes, purpose: bytes) -> bytes:
        """Encrypt member text a feature must keep for a while (a report draft, a report under
        moderation); `purpose` binds the blob to its use, so one cannot be passed off as another."""
        nonce = os.urandom(12)
        return nonce + self._text_aead.encrypt(nonce, data, purpose)

    def unseal(self, blob: bytes, purpose: bytes) -> bytes:
        return self._text_aead.decrypt(blob[:12], blob[12:], purpose)


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def load_or_create_key(data_dir: Path) -> str:
    """The embedded default: a key generated once into the data directory, readable by the owner only."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / KEY_FILE_NAME
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise PrivacyKeyError(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
        return path.read_text(encoding="ascii").strip()
    key = generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
