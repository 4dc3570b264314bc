"""Client identifiers (phone numbers, messenger handles, e-mails, car plates): normalised, then hashed.

Bad-client reports name third parties, so identifiers are stored only as keyed hashes
(`Privacy.identifier_hash`, HMAC-SHA256 with a sub-key of the privacy key). A lookup normalises what
the member typed the same way and compares hashes: the database alone reveals no number.

Normalisation decides whether two spellings are the same client:
- phones: `phonenumbers` to E.164, default region from the member's city; if that region does not
  give a valid number the other regions we serve are tried, so a Russian `8 (912) …` typed by a
  member in Kyiv still matches. The old Ukrainian `80…` dialling habit (80 + 9 digits), which
  `phonenumbers` misreads, is rewritten to `0…` first;
- handles: lowercase, without `@`, `t.me/` or `https://`;
- e-mails: trimmed, lowercase;
- plates: uppercase, no spaces or dashes, Cyrillic look-alike letters mapped to Latin (`АА1234ВВ`
  and `AA 1234 BB` are one plate).

Framework-free: no aiogram imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from bot.privacy import Privacy


class Kind(StrEnum):
    phone = "phone"
    handle = "handle"
    email = "email"
    plate = "plate"


@dataclass(frozen=True)
class Identifier:
    kind: Kind
    value: str  # normalised: what is hashed, and what moderators read

    def key(self) -> str:
        """The hashed form: the kind is part of it, so a handle never matches a plate."""
        return f"{self.kind.value}:{self.value}"

    def hashed(self, privacy: Privacy) -> str:
        return privacy.identifier_hash(self.key())

    def masked(self) -> str:
        """Enough to recognise a number one already has, too little to call or look someone up."""
        value = self.value
        if self.kind == Kind.phone:
            return value[:6] + "*" * max(3, len(value) - 8) + value[-2:]
        if self.kind == Kind.email:
            name, _at, domain = value.partition("@")
            return name[:2] + "***@" + domain
        if self.kind == Kind.handle:
            return "@" + value[:2] + "***" + value[-1:]
        return value[:2] + "***" + value[-2:]


# Regions we serve, in the order they are tried after the member's own.
REGIONS: tuple[str, ...] = ("UA", "RU")
MAX_INPUT = 200  # one identifier; longer input is not an identifier

_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ" + "авекмнорстухі", "ABEKMHOPCTYXI" + "ABEKMHOPCTYXI")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
_HANDLE = re.compile(r"[a-z][a-z0-9_.]{2,31}")
_PLATE = re.compile(r"[A-Z0-9]{4,10}")
_PHONE_CHARS = re.compile(r"[\d\s()+\-.]+")
_HANDLE_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:t\.me/|telegram\.me/|instagram\.com/)?@?", re.IGNORECASE)


def normalise_phone(raw: str, region: str | None = None) -> str | None:
    """E.164 of a valid phone number, or None; `region` is the default for numbers without `+`."""
    text = raw.strip()
    if not _PHONE_CHARS.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        return None
    regions = [region] if region else []
    regions += [r for r in REGIONS if r not in regions]
    if text.startswith("+"):
        regions = [None]  # type: ignore[list-item]  # an explicit country code wins
    for candidate_region in regions:
        candidate = text
        if candidate_region == "UA" and len(digits) == 11 and digits.startswith("80"):
            candidate = digits[1:]  # "80 67 …": the old long-distance habit, really 0 67 …
        try:
            number = phonenumbers.parse(candidate, candidate_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def normalise_handle(raw: str) -> str | None:
    value = _HANDLE_PREFIX.sub("", raw.strip()).rstrip("/").lower()
    return value if _HANDLE.fullmatch(value) else None


def normalise_email(raw: str) -> str | None:
    value = raw.strip().lower()
    return value if _EMAIL.fullmatch(value) else None


def normalise_plate(raw: str) -> str | None:
    value = re.sub(r"[\s\-]", "", raw.strip()).translate(_CYRILLIC_LOOKALIKES).upper()
    if not _PLATE.fullmatch(value):
        return None
    if not (re.search(r"\d", value) and re.search(r"[A-Z]", value)):
        return None  # a plate has letters and digits; anything else is more likely something else
    return value


def parse(raw: str, region: str | None = None) -> list[Identifier]:
    """Every identifier `raw` can be (usually one); empty when it is none.

    A bare word such as `AB1234CD` could be a plate or a handle: both readings are returned, so a
    check matches either. An `@`, a link or a `+` decides the kind.
    """
    text = raw.strip()
    if not text or len(text) > MAX_INPUT:
        return []
    if "@" in text[1:] and not text.startswith("@"):
        email = normalise_email(text)
        return [Identifier(Kind.email, email)] if email else []
    prefix = _HANDLE_PREFIX.match(text)
    if prefix is not None and prefix.end() > 0:  # "@name", "t.me/name", a profile link
        handle = normalise_handle(text)
        return [Identifier(Kind.handle, handle)] if handle else []
    phone = normalise_phone(text, region)
    if phone is not None:
        return [Identifier(Kind.phone, phone)]
    if _PHONE_CHARS.fullmatch(text):
        return []  # digits that are not a valid number
    found = []
    plate = normalise_plate(text)
    if plate is not None:
        found.append(Identifier(Kind.plate, plate))
    handle = normalise_handle(text)
    if handle is not None:
        found.append(Identifier(Kind.handle, handle))
    return found


def split_input(text: str) -> list[str]:
    """A member's message with several identifiers: one per line, or separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[\n,;]+", text) if part.strip()]


def region_of_country(country: str | None) -> str | None:
    """The phone region of a content city's country (ISO codes are the same for the two we serve)."""
    return country.upper() if country else None
