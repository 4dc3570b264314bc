"""Staff and organisations: invites, roles, aliases, languages, duty and the weekly roster.

Framework-free: takes a session and plain values, never aiogram objects. Staff are often sex
workers themselves, so they are kept like members: found by keyed hash of their Telegram id,
reached through an encrypted chat id, and shown to anyone only under the alias they chose.

Roles are explicit: an admin manages staff and the staff room but does not counsel, moderate or
broadcast unless they also hold that role.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Invite, Organisation, OrganisationCity, ShiftSlot, Staff
from bot.privacy import Privacy
from bot.settings import LANGUAGES


class Role(StrEnum):
    counsellor = "counsellor"
    moderator = "moderator"
    supervisor = "supervisor"
    broadcaster = "broadcaster"
    admin = "admin"


ROLE_ORDER = tuple(Role)
ALIAS_MAX = 32
INVITE_PREFIX = "inv_"
DEFAULT_INVITE_TTL = timedelta(hours=72)
MINUTES_PER_DAY = 24 * 60
# A deep-link payload is at most 64 characters of A-Za-z0-9_-; ours are "inv_" and 32 of them.
_TOKEN = re.compile(r"inv_[A-Za-z0-9_-]{16,60}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_CITY = re.compile(r"[a-z0-9][a-z0-9_-]{0,19}")
_LINK = re.compile(
    r"://|www\.|t\.me/|telegram\.(me|dog)|\b[\w-]+\.(com|net|org|info|biz|ru|ua|me|io|xyz|app|link|site|online|onion)\b",
    re.IGNORECASE,
)
_INTERVAL = re.compile(r"(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})")


# --- errors ---------------------------------------------------------------------------------------


class StaffError(Exception):
    """A rule of staff management was not met; handlers turn each kind into a clear answer."""


class InviteError(StaffError):
    """The invite cannot be redeemed."""


class InviteInvalid(InviteError):
    """No such invite: mistyped, forged, or from another deployment."""


class InviteExpired(InviteError):
    pass


class InviteUsed(InviteError):
    pass


class AlreadyStaffElsewhere(StaffError):
    """One Telegram account serves one organisation (the keyed hash is unique across staff)."""


class AliasProblem(StrEnum):
    length = "length"  # empty or longer than ALIAS_MAX
    link = "link"  # an @ or something that looks like a link
    characters = "characters"  # control or invisible characters, or a leading # or /


class AliasInvalid(StaffError):
    def __init__(self, problem: AliasProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class AliasTaken(StaffError):
    pass


class NotACounsellor(StaffError):
    """Duty and shifts are for counsellors."""


class OrganisationError(StaffError):
    """An organisation cannot be created or changed as asked (the message says why, in English)."""


class RoomTaken(StaffError):
    """The group is already the staff room of another organisation."""


# --- staff ----------------------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def _roles_of(value: str) -> frozenset[Role]:
    return frozenset(Role(part) for part in _split(value) if part in Role._value2member_map_)


def _roles_value(roles: Iterable[Role]) -> str:
    wanted = set(roles)
    return ",".join(role.value for role in ROLE_ORDER if role in wanted)


@dataclass(frozen=True)
class StaffInfo:
    """What handlers and the conversation engine know about a staff person; never a Telegram id."""

    id: int
    organisation_id: int
    alias: str | None
    languages: tuple[str, ...]  # in the person's order: the first is the language the bot uses with them
    roles: frozenset[Role]
    capacity: int
    on_duty: bool
    active: bool
    # AES-GCM-encrypted private chat id; `staff_chat_id(privacy, info)` opens it to send a DM.
    chat_id_enc: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def of(cls, row: Staff) -> StaffInfo:
        return cls(
            id=row.id,
            organisation_id=row.organisation_id,
            alias=row.alias,
            languages=tuple(_split(row.languages)),
            roles=_roles_of(row.roles),
            capacity=row.capacity,
            on_duty=row.on_duty,
            active=row.active,
            chat_id_enc=row.chat_id_enc,
        )

    def has(self, role: Role) -> bool:
        """Whether this person holds `role` (explicitly: admin does not imply the others)."""
        return self.active and role in self.roles

    @property
    def language(self) -> str | None:
        """The language the bot uses with this person, when they chose any."""
        return self.languages[0] if self.languages else None

    @property
    def label(self) -> str:
        """The alias, or "#<staff id>" before one is chosen (a database id, which identifies nobody)."""
        return self.alias or f"#{self.id}"

    @property
    def sorted_roles(self) -> list[Role]:
        return [role for role in ROLE_ORDER if role in self.roles]


def staff_chat_id(privacy: Privacy, staff: Staff | StaffInfo) -> int:
    """The private chat id to send a staff person a direct message."""
    return privacy.decrypt_chat_id(staff.chat_id_enc)


async def _row_by_hash(session: AsyncSession, privacy: Privacy, user_id: int) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.user_hash == privacy.member_hash(user_id)))


async def find_staff(session: AsyncSession, privacy: Privacy, user_id: int) -> StaffInfo | None:
    """The active staff person behind a Telegram user id, or None."""
    row = await _row_by_hash(session, privacy, user_id)
    return StaffInfo.of(row) if row is not None and row.active else None


async def staff_by_id(session: AsyncSession, staff_id: int) -> StaffInfo | None:
    """Any staff person by id, revoked ones included (check `.active`): old cards still need an alias."""
    row = await session.get(Staff, staff_id)
    return StaffInfo.of(row) if row is not None else None


async def list_staff(session: AsyncSession, organisation_id: int) -> list[StaffInfo]:
    """Active staff of an organisation, by alias (those without one last)."""
    rows = await session.scalars(
        select(Staff).where(Staff.organisation_id == organisation_id, Staff.active.is_(True)).order_by(Staff.id)
    )
    found = [StaffInfo.of(row) for row in rows]
    return sorted(found, key=lambda s: (s.alias is None, (s.alias or "").casefold(), s.id))


def _same_alias(a: str, b: str) -> bool:
    return normalise_alias(a).casefold() == normalise_alias(b).casefold()


async def staff_by_alias(session: AsyncSession, organisation_id: int, alias: str) -> StaffInfo | None:
    """Active staff person of an organisation by alias, ignoring case (in Python: SQLite's lower() is ASCII-only)."""
    return next(
        (s for s in await list_staff(session, organisation_id) if s.alias and _same_alias(s.alias, alias)), None
    )


async def staff_by_reference(session: AsyncSession, organisation_id: int, reference: str) -> StaffInfo | None:
    """An alias, or "#12" for someone who has not chosen one yet; active staff of the organisation only."""
    reference = reference.strip()
    if re.fullmatch(r"#\d{1,9}", reference):
        found = await staff_by_id(session, int(reference[1:]))
        if found is not None and found.active and found.organisation_id == organisation_id:
            return found
        return None
    return await staff_by_alias(session, organisation_id, reference)


async def staff_with_role(session: AsyncSession, organisation_id: int, role: Role) -> list[StaffInfo]:
    return [s for s in await list_staff(session, organisation_id) if s.has(role)]


async def supervisors(session: AsyncSession, organisation_id: int) -> list[StaffInfo]:
    return await staff_with_role(session, organisation_id, Role.supervisor)


async def _active_row(session: AsyncSession, staff_id: int) -> Staff:
    row = await session.get(Staff, staff_id)
    if row is None or not row.active:
        raise StaffError("no such active staff person")
    return row


# --- aliases and languages --------------------------------------------------------------------------


def normalise_alias(alias: str) -> str:
    return " ".join(unicodedata.normalize("NFC", alias).split())


def check_alias(alias: str) -> str:
    """The alias as it will be stored, or AliasInvalid: 1-32 characters, no @ or links, nothing invisible."""
    cleaned = normalise_alias(alias)
    if not 1 <= len(cleaned) <= ALIAS_MAX:
        raise AliasInvalid(AliasProblem.length)
    if "@" in cleaned or _LINK.search(cleaned):
        raise AliasInvalid(AliasProblem.link)
    if cleaned[0] in "#/" or any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"} for ch in cleaned):
        raise AliasInvalid(AliasProblem.characters)
    return cleaned


async def set_alias(session: AsyncSession, staff_id: int, alias: str) -> StaffInfo:
    """Set the alias members and colleagues see; unique (ignoring case) among the organisation's active staff."""
    cleaned = check_alias(alias)
    row = await _active_row(session, staff_id)
    for other in await list_staff(session, row.organisation_id):
        if other.id != staff_id and other.alias and _same_alias(other.alias, cleaned):
            raise AliasTaken(cleaned)
    row.alias = cleaned
    await session.flush()
    return StaffInfo.of(row)


async def set_languages(session: AsyncSession, staff_id: int, languages: Sequence[str]) -> StaffInfo:
    """The languages a person speaks, in their order; the first is the one the bot uses with them."""
    chosen = list(dict.fromkeys(languages))
    unknown = [code for code in chosen if code not in LANGUAGES]
    if unknown:
        raise StaffError(f"unsupported languages {unknown}")
    row = await _active_row(session, staff_id)
    row.languages = ",".join(chosen)
    await session.flush()
    return StaffInfo.of(row)


async def toggle_language(session: AsyncSession, staff_id: int, code: str) -> StaffInfo:
    """Add a language at the end of the person's list, or remove it."""
    current = await staff_by_id(session, staff_id)
    if current is None:
        raise StaffError("no such staff person")
    wanted = [c for c in current.languages if c != code] if code in current.languages else [*current.languages, code]
    return await set_languages(session, staff_id, wanted)


async def set_on_duty(session: AsyncSession, staff_id: int, on_duty: bool) -> StaffInfo:
    """A counsellor switches manual duty on or off (the roster counts on its own)."""
    row = await _active_row(session, staff_id)
    if on_duty and Role.counsellor not in _roles_of(row.roles):
        raise NotACounsellor()
    row.on_duty = on_duty
    await session.flush()
    return StaffInfo.of(row)


async def revoke(session: AsyncSession, staff_id: int) -> bool:
    """Take every role away: the person is no longer staff, off duty, off the roster.

    Conversations they hold are the conversation engine's to release. Returns False when there was
    nobody active to revoke.
    """
    row = await session.get(Staff, staff_id)
    if row is None or not row.active:
        return False
    row.active, row.on_duty, row.roles = False, False, ""
    await session.execute(delete(ShiftSlot).where(ShiftSlot.staff_id == staff_id))
    await session.flush()
    return True


# --- invites ----------------------------------------------------------------------------------------


def invite_hash(privacy: Privacy, token: str) -> str:
    """Keyed hash of an invite token: the database never holds a redeemable token.

    `Privacy` has no invite-specific sub-key, so the identifier key is used with its own prefix:
    it can never collide with a normalised phone number or handle.
    """
    return privacy.identifier_hash("umbrella-invite:" + token)


async def create_invite(
    session: AsyncSession,
    privacy: Privacy,
    organisation_id: int,
    role: Role,
    now: datetime,
    ttl: timedelta = DEFAULT_INVITE_TTL,
) -> str:
    """A one-time token ("inv_" and 32 URL-safe characters) that fits a deep-link payload."""
    token = INVITE_PREFIX + secrets.token_urlsafe(24)
    session.add(
        Invite(
            token_hash=invite_hash(privacy, token),
            organisation_id=organisation_id,
            role=Role(role).value,
            expires_at=now + ttl,
            used=False,
        )
    )
    await session.flush()
    return token


async def redeem_invite(
    session: AsyncSession, privacy: Privacy, token: str, user_id: int, chat_id: int, now: datetime
) -> StaffInfo:
    """Turn a one-time invite into a role for the person who opened it.

    A newcomer becomes staff of the invite's organisation; existing staff of that organisation gain
    the role; someone whose access was revoked comes back with only this role. Raises InviteInvalid,
    InviteExpired, InviteUsed or AlreadyStaffElsewhere; the invite is used up only on success.
    """
    if not _TOKEN.fullmatch(token):
        raise InviteInvalid()
    token_hash = invite_hash(privacy, token)
    invite = await session.scalar(select(Invite).where(Invite.token_hash == token_hash))
    if invite is None or invite.role not in Role._value2member_map_:
        raise InviteInvalid()
    if invite.used:
        raise InviteUsed()
    if invite.expires_at <= now:
        raise InviteExpired()
    role = Role(invite.role)
    row = await _row_by_hash(session, privacy, user_id)
    if row is not None and row.active and row.organisation_id != invite.organisation_id:
        raise AlreadyStaffElsewhere()
    # Compare-and-set: of two people opening the same link at once, exactly one gets it.
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used.is_(False))
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InviteUsed()
    chat_id_enc = privacy.encrypt_chat_id(chat_id)
    if row is None:
        row = Staff(
            user_hash=privacy.member_hash(user_id),
            chat_id_enc=chat_id_enc,
            organisation_id=invite.organisation_id,
            alias=None,
            languages="",
            roles=role.value,
            capacity=3,
            on_duty=False,
            active=True,
            created_on=now.date(),
        )
        session.add(row)
    elif row.active:
        row.roles = _roles_value(_roles_of(row.roles) | {role})
        row.chat_id_enc = chat_id_enc
    else:
        # Back after a revocation: the old alias stays unless it moved organisation or was taken meanwhile.
        keep_alias = row.alias is not None and row.organisation_id == invite.organisation_id
        if keep_alias and await staff_by_alias(session, invite.organisation_id, row.alias or ""):
            keep_alias = False
        row.organisation_id, row.roles, row.active, row.on_duty = invite.organisation_id, role.value, True, False
        row.chat_id_enc = chat_id_enc
        if not keep_alias:
            row.alias = None
    await session.flush()
    return StaffInfo.of(row)


# --- organisations --------------------------------------------------------------------------------


async def create_organisation(
    session: AsyncSession,
    slug: str,
    name: str,
    cities: Iterable[str],
    timezone: str = "Europe/Kyiv",
    language: str = "uk",
    default: bool = False,
) -> Organisation:
    """A new organisation serving `cities`; the first one (or one created with default=True) is the default."""
    slug = slug.strip().lower()
    if not _SLUG.fullmatch(slug):
        raise OrganisationError("the slug must be 1-32 characters: a-z, 0-9, - and _")
    name = " ".join(name.split())
    if not 1 <= len(name) <= 128:
        raise OrganisationError("the name must be 1-128 characters")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise OrganisationError(f"unknown time zone {timezone!r}") from error
    if language not in LANGUAGES:
        raise OrganisationError(f"the language must be one of {', '.join(LANGUAGES)}")
    city_ids = list(dict.fromkeys(c.strip().lower() for c in cities if c.strip()))
    bad = [c for c in city_ids if not _CITY.fullmatch(c)]
    if bad:
        raise OrganisationError(f"city ids must be 1-20 characters of a-z, 0-9, - and _: {', '.join(bad)}")
    if await organisation_by_slug(session, slug) is not None:
        raise OrganisationError(f"an organisation {slug!r} exists already")
    has_default = await session.scalar(select(Organisation.id).where(Organisation.is_default.is_(True)).limit(1))
    if default:
        await session.execute(update(Organisation).values(is_default=False))
    organisation = Organisation(
        slug=slug,
        name=name,
        timezone=timezone,
        language=language,
        is_default=default or has_default is None,
        cities=[OrganisationCity(city=c) for c in city_ids],
    )
    session.add(organisation)
    await session.flush()
    return organisation


async def list_organisations(session: AsyncSession) -> list[Organisation]:
    return list(await session.scalars(select(Organisation).order_by(Organisation.slug)))


async def organisation_by_id(session: AsyncSession, organisation_id: int) -> Organisation | None:
    return await session.get(Organisation, organisation_id)


async def organisation_by_slug(session: AsyncSession, slug: str) -> Organisation | None:
    return await session.scalar(select(Organisation).where(Organisation.slug == slug.strip().lower()))


async def default_organisation(session: AsyncSession) -> Organisation | None:
    return await session.scalar(
        select(Organisation).where(Organisation.is_default.is_(True)).order_by(Organisation.id).limit(1)
    )


async def organisation_for_city(session: AsyncSession, city: str | None) -> Organisation | None:
    """The organisation serving the member's city (the default one first, if it serves it too),
    else the default organisation; None when no organisation is set up."""
    if city:
        found = await session.scalar(
            select(Organisation)
            .join(OrganisationCity, OrganisationCity.organisation_id == Organisation.id)
            .where(OrganisationCity.city == city)
            .order_by(Organisation.is_default.desc(), Organisation.id)
            .limit(1)
        )
        if found is not None:
            return found
    return await default_organisation(session)


async def organisation_by_staff_chat(session: AsyncSession, chat_id: int) -> Organisation | None:
    return await session.scalar(select(Organisation).where(Organisation.staff_chat_id == chat_id))


async def register_staff_room(
    session: AsyncSession,
    organisation: Organisation,
    chat_id: int,
    queue_thread_id: int,
    reports_thread_id: int,
    broadcasts_thread_id: int,
) -> None:
    """Make a forum supergroup the organisation's staff room (replacing a previous one)."""
    other = await organisation_by_staff_chat(session, chat_id)
    if other is not None and other.id != organisation.id:
        raise RoomTaken()
    organisation.staff_chat_id = chat_id
    organisation.queue_thread_id = queue_thread_id
    organisation.reports_thread_id = reports_thread_id
    organisation.broadcasts_thread_id = broadcasts_thread_id
    await session.flush()


# --- shifts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    """One weekly interval of a counsellor in the organisation's time zone; end < start runs past midnight."""

    staff: StaffInfo
    weekday: int  # 0 = Monday
    start_minute: int
    end_minute: int

    def covers(self, weekday: int, minute: int) -> bool:
        return covers(self.weekday, self.start_minute, self.end_minute, weekday, minute)


def covers(slot_weekday: int, start: int, end: int, weekday: int, minute: int) -> bool:
    """Whether a weekly interval contains the local weekday and minute of the day."""
    if start < end:
        return weekday == slot_weekday and start <= minute < end
    return (weekday == slot_weekday and minute >= start) or (weekday == (slot_weekday + 1) % 7 and minute < end)


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_interval(text: str) -> tuple[int, int]:
    """ "18:00-02:00" → (1080, 120); "24:00" ends at midnight. ValueError when it is not an interval."""
    match = _INTERVAL.fullmatch(text.strip())
    if match is None:
        raise ValueError("not an interval")
    sh, sm, eh, em = (int(part) for part in match.groups())
    if sh > 23 or sm > 59 or eh > 24 or em > 59 or (eh == 24 and em):
        raise ValueError("not a time of day")
    start, end = sh * 60 + sm, (eh * 60 + em) % MINUTES_PER_DAY
    if start == end:
        raise ValueError("an empty interval")
    return start, end


def _weekday_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for language in ("en", *LANGUAGES):
        for width in ("wide", "abbreviated", "short"):
            for number, name in get_day_names(width, locale=language).items():
                names.setdefault(name.casefold().rstrip("."), number)
    return names


_WEEKDAYS = _weekday_names()


def parse_weekday(text: str) -> int:
    """ "mon", "Monday", "пн", "понеділок", "понедельник" or 1-7 → 0-6. ValueError otherwise."""
    word = text.strip().casefold().rstrip(".")
    if word.isdigit() and 1 <= int(word) <= 7:
        return int(word) - 1
    if word in _WEEKDAYS:
        return _WEEKDAYS[word]
    raise ValueError("not a weekday")


async def add_shift(session: AsyncSession, staff_id: int, weekday: int, start_minute: int, end_minute: int) -> bool:
    """Put a counsellor on the weekly roster; False when exactly this interval was there already."""
    if not (0 <= weekday <= 6 and 0 <= start_minute < MINUTES_PER_DAY and 0 <= end_minute < MINUTES_PER_DAY):
        raise ValueError("weekday 0-6 and minutes 0-1439")
    if start_minute == end_minute:
        raise ValueError("an empty interval")
    row = await _active_row(session, staff_id)
    if Role.counsellor not in _roles_of(row.roles):
        raise NotACounsellor()
    existing = await session.scalar(
        select(ShiftSlot.id).where(
            ShiftSlot.staff_id == staff_id,
            ShiftSlot.weekday == weekday,
            ShiftSlot.start_minute == start_minute,
            ShiftSlot.end_minute == end_minute,
        )
    )
    if existing is not None:
        return False
    session.add(ShiftSlot(staff_id=staff_id, weekday=weekday, start_minute=start_minute, end_minute=end_minute))
    await session.flush()
    return True


async def remove_shift(session: AsyncSession, staff_id: int, weekday: int, start_minute: int, end_minute: int) -> bool:
    result = await session.execute(
        delete(ShiftSlot).where(
            ShiftSlot.staff_id == staff_id,
            ShiftSlot.weekday == weekday,
            ShiftSlot.start_minute == start_minute,
            ShiftSlot.end_minute == end_minute,
        )
    )
    return bool(result.rowcount)


async def roster(session: AsyncSession, organisation_id: int) -> list[RosterEntry]:
    """The weekly roster of active staff, by weekday, start and alias."""
    rows = (
        await session.execute(
            select(Staff, ShiftSlot)
            .join(ShiftSlot, ShiftSlot.staff_id == Staff.id)
            .where(Staff.organisation_id == organisation_id, Staff.active.is_(True))
        )
    ).all()
    entries = [RosterEntry(StaffInfo.of(s), slot.weekday, slot.start_minute, slot.end_minute) for s, slot in rows]
    return sorted(entries, key=lambda e: (e.weekday, e.start_minute, (e.staff.alias or "").casefold(), e.staff.id))


def _zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.timezone)


async def on_shift(session: AsyncSession, organisation_id: int, now: datetime) -> list[StaffInfo]:
    """Active counsellors who are on duty by hand or inside a roster interval right now.

    Intervals are wall-clock times in the organisation's time zone, so "18:00-02:00" means the same
    evening in summer and in winter.
    """
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        return []
    local = now.astimezone(_zone(organisation))
    weekday, minute = local.weekday(), local.hour * 60 + local.minute
    counsellors = await staff_with_role(session, organisation_id, Role.counsellor)
    rostered = {e.staff.id for e in await roster(session, organisation_id) if e.covers(weekday, minute)}
    return [s for s in counsellors if s.on_duty or s.id in rostered]


def _next_start(entry: RosterEntry, zone: ZoneInfo, now: datetime) -> datetime:
    today: date = now.astimezone(zone).date()
    for days in range(8):
        day = today + timedelta(days=days)
        if day.weekday() != entry.weekday:
            continue
        start = datetime.combine(day, time(entry.start_minute // 60, entry.start_minute % 60), tzinfo=zone)
        start = start.astimezone(UTC)
        if start > now:
            return start
    raise AssertionError("a weekly interval starts within eight days")  # pragma: no cover


async def next_shift_start(
    session: AsyncSession, organisation_id: int, now: datetime, staff_id: int | None = None
) -> datetime | None:
    """When the next roster interval of a counsellor begins (aware, UTC), after `now`; None without a roster.

    With `staff_id`, the next interval of that person only.
    """
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        return None
    zone = _zone(organisation)
    entries = [
        e
        for e in await roster(session, organisation_id)
        if e.staff.has(Role.counsellor) and (staff_id is None or e.staff.id == staff_id)
    ]
    starts = [_next_start(entry, zone, now) for entry in entries]
    return min(starts) if starts else None


def local_time(organisation: Organisation, moment: datetime) -> datetime:
    """A moment in the organisation's time zone, for showing it to staff."""
    return moment.astimezone(_zone(organisation))
