"""Pydantic models of the organisation-editable content (see docs/content-format.md).

The models are strict (unknown fields are errors) so a typo in a YAML key is reported by
`umbrella content check` instead of silently hiding a clinic's hours. All models are frozen: the
content is loaded once and shared by every handler.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.content.render import markdown_to_messages

LANGUAGES: tuple[str, ...] = ("en", "ru", "uk")
"""Every item exists in these languages. English is the fallback for an unknown code."""

FALLBACK_LANGUAGE = "en"

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""YAML keys of the weekly hours; the index is `date.weekday()` (0 = Monday)."""

DayKey = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

MINUTES_PER_DAY = 24 * 60

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CITY_ID_MAX = 20
ITEM_ID_MAX = 24

CitySlug = Annotated[str, StringConstraints(pattern=_SLUG, min_length=1, max_length=CITY_ID_MAX)]
"""City ids travel in callback data (≤64 bytes), so they are short ascii slugs."""

ItemSlug = Annotated[str, StringConstraints(pattern=_SLUG, min_length=1, max_length=ITEM_ID_MAX)]
"""Clinic and article ids travel in callback data too."""

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
"""ISO 3166-1 alpha-2 (UA, RU, …); not restricted to two values so a neighbouring country can be added."""

ALL_COUNTRIES = "all"

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Section(StrEnum):
    """Article menus. `urgent` holds the three texts the bot links to directly; `youth` is shown only
    on the screen for members under 18, never in the adult menus."""

    RIGHTS = "rights"
    HEALTH = "health"
    SAFETY = "safety"
    URGENT = "urgent"
    YOUTH = "youth"


URGENT_IDS: tuple[str, ...] = ("violence", "condom-broke", "detained")
"""Ids in the `urgent` section that handlers link to by name; a missing one is an error."""


class ServiceTag(StrEnum):
    """What a clinic or service offers; members filter by these."""

    HIV_STI_TESTING = "hiv_sti_testing"
    PEP = "pep"
    GYNAECOLOGY = "gynaecology"
    HARM_REDUCTION = "harm_reduction"
    TRANS_FRIENDLY = "trans_friendly"
    NO_DOCUMENTS = "no_documents"
    ANONYMOUS = "anonymous"
    FREE = "free"
    YOUTH = "youth"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _only_language_keys(value: Any) -> Any:
    if isinstance(value, dict):
        unknown = [key for key in value if key not in LANGUAGES]
        if unknown:
            raise ValueError(
                f"unexpected key {unknown[0]!r} (only {', '.join(LANGUAGES)}); "
                "in {en: ..., ru: ...} a comma ends the text, so put texts with commas in quotes"
            )
    return value


class Localized(_Frozen):
    """One text in every language; all three are required so no member meets a blank button."""

    en: NonEmpty
    ru: NonEmpty
    uk: NonEmpty

    @model_validator(mode="before")
    @classmethod
    def _only_languages(cls, value: Any) -> Any:
        return _only_language_keys(value)

    def get(self, lang: str) -> str:
        """The text in `lang`, English for a code the bot does not speak (never raises in a handler)."""
        if lang in LANGUAGES:
            return str(getattr(self, lang))
        return self.en


def _no_bare_number(value: Any) -> Any:
    # YAML reads 0112 as the octal number 74: a phone number must be quoted to survive.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError('write phone numbers in quotes, e.g. "102"')
    return value


def _check_phone(value: str) -> str:
    if not re.fullmatch(r"\+?[0-9][0-9 ()\-]*", value):
        raise ValueError("a phone number has only digits, spaces, ( ) - and a leading +")
    return value


Phone = Annotated[
    str, BeforeValidator(_no_bare_number), StringConstraints(strip_whitespace=True), AfterValidator(_check_phone)
]


def _check_web_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+\S*", value):
        raise ValueError("a website starts with http:// or https:// and has no spaces")
    return value


WebUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_web_url)]


def _check_contact_url(value: str) -> str:
    if not re.fullmatch(r"(?:https?://[^\s/]+|tg://)\S*", value):
        raise ValueError("a contact link starts with https://, http:// or tg://")
    return value


ContactUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_contact_url)]


class City(_Frozen):
    """A city the bot knows; its zone is the clock of all its clinics' hours."""

    id: CitySlug
    country: CountryCode
    timezone: str
    name: Localized

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Kyiv)") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The city's zone (ZoneInfo caches instances, so this is cheap)."""
        return ZoneInfo(self.timezone)


class EmergencyContact(_Frozen):
    """A number (or link) shown at once when nobody is on shift or in urgent help."""

    label: Localized
    phone: Phone | None = None
    url: ContactUrl | None = None
    note: Localized | None = None

    @model_validator(mode="after")
    def _reachable(self) -> EmergencyContact:
        if self.phone is None and self.url is None:
            raise ValueError("an emergency contact needs a phone (or a url)")
        return self


def _same_link_everywhere(value: Any) -> Any:
    # `link: https://t.me/x` is shorthand for the same link in every language.
    if isinstance(value, str):
        return dict.fromkeys(LANGUAGES, value)
    return value


class LocalizedLink(_Frozen):
    """A link per language (a Ukrainian and a Russian channel, say); one string means all three."""

    en: ContactUrl
    ru: ContactUrl
    uk: ContactUrl

    @model_validator(mode="before")
    @classmethod
    def _only_languages(cls, value: Any) -> Any:
        return _only_language_keys(_same_link_everywhere(value))

    def get(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else FALLBACK_LANGUAGE))


class BackupChannel(_Frozen):
    """Where members find the organisation if this bot is blocked, deleted or taken over."""

    text: Localized
    link: LocalizedLink


class Organisation(_Frozen):
    """organisation.yaml: who runs this bot, and the backup channel members are told about."""

    name: Localized
    sample: bool = False
    backup: BackupChannel


class AvoidWords(_Frozen):
    """Words (or word stems) that must not stand in for a glossary term, per language."""

    en: tuple[NonEmpty, ...] = ()
    ru: tuple[NonEmpty, ...] = ()
    uk: tuple[NonEmpty, ...] = ()

    def get(self, lang: str) -> tuple[str, ...]:
        return tuple(getattr(self, lang)) if lang in LANGUAGES else ()


class GlossaryTerm(_Frozen):
    """One term the bot uses consistently: the word in each language and what it means."""

    en: NonEmpty
    ru: NonEmpty
    uk: NonEmpty
    definition: Localized
    avoid: AvoidWords = AvoidWords()

    def term(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else FALLBACK_LANGUAGE))


def _parse_hhmm(text: str, *, allow_24: bool) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if allow_24 and hours == 24 and minutes == 0:
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a time of day")
    return hours * 60 + minutes


class Interval(_Frozen):
    """An opening interval in local wall time, starting on the day it is listed under.

    `end_minute` counts from midnight of that day, so it is greater than `start_minute` and may
    exceed 1440 for an interval past midnight ("20:00-02:00" is 1200..1560; "00:00-24:00" is 0..1440).
    Written in YAML as the string "HH:MM-HH:MM".
    """

    start_minute: int = Field(ge=0, lt=MINUTES_PER_DAY)
    end_minute: int = Field(gt=0, le=2 * MINUTES_PER_DAY)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        parts = value.replace("–", "-").replace("—", "-").split("-")
        if len(parts) != 2:
            raise ValueError(f'{value!r} is not an interval "HH:MM-HH:MM"')
        start = _parse_hhmm(parts[0], allow_24=False)
        end = _parse_hhmm(parts[1], allow_24=True)
        if end == start:
            raise ValueError(f"{value!r} is empty; write 00:00-24:00 for a whole day")
        if end < start:
            end += MINUTES_PER_DAY  # runs past midnight
        return {"start_minute": start, "end_minute": end}

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if not self.start_minute < self.end_minute <= self.start_minute + MINUTES_PER_DAY:
            raise ValueError("an interval lasts more than 0 and at most 24 hours")
        return self

    @property
    def start(self) -> time:
        return time(self.start_minute // 60, self.start_minute % 60)

    @property
    def end(self) -> time:
        """Wall-clock end; 24:00 and past-midnight ends are on the next day (see `overnight`)."""
        minute = self.end_minute % MINUTES_PER_DAY
        return time(minute // 60, minute % 60)

    @property
    def overnight(self) -> bool:
        """True when the interval ends on the next day (including an end of 24:00)."""
        return self.end_minute >= MINUTES_PER_DAY

    @property
    def all_day(self) -> bool:
        return self.start_minute == 0 and self.end_minute == MINUTES_PER_DAY

    def __str__(self) -> str:
        end = self.end_minute if self.end_minute == MINUTES_PER_DAY else self.end_minute % MINUTES_PER_DAY
        return f"{self.start_minute // 60:02d}:{self.start_minute % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _sorted_without_overlap(intervals: list[Interval]) -> tuple[Interval, ...]:
    ordered = sorted(intervals, key=lambda i: i.start_minute)
    for before, after in pairwise(ordered):
        if after.start_minute < before.end_minute:
            raise ValueError(f"intervals {before} and {after} overlap")
    return tuple(ordered)


DayIntervals = Annotated[tuple[Interval, ...], AfterValidator(_sorted_without_overlap)]


class HoursException(_Frozen):
    """A holiday or special day: closed, or hours that replace that weekday's hours.

    It governs the intervals that *start* on its date; an overnight interval of the day before
    still runs past midnight into it (give the day before its own exception to cut that night).
    """

    date: date
    closed: bool = False
    hours: DayIntervals | None = None
    note: Localized | None = None

    @model_validator(mode="after")
    def _closed_or_hours(self) -> HoursException:
        if self.closed == bool(self.hours):
            raise ValueError("an exception has either closed: true or a non-empty hours list")
        return self


class Location(_Frozen):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Clinic(_Frozen):
    """A clinic or service of one city. `city` and `sample` come from the file it is listed in."""

    id: ItemSlug
    city: CitySlug
    sample: bool = False
    name: Localized
    address: Localized
    phone: Phone | None = None
    website: WebUrl | None = None
    location: Location | None = None
    tags: tuple[ServiceTag, ...] = ()
    hours: dict[DayKey, DayIntervals] = Field(default_factory=dict)
    exceptions: tuple[HoursException, ...] = ()
    note: Localized | None = None
    last_verified: date

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: tuple[ServiceTag, ...]) -> tuple[ServiceTag, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a tag is listed twice")
        return value

    @field_validator("exceptions")
    @classmethod
    def _unique_dates(cls, value: tuple[HoursException, ...]) -> tuple[HoursException, ...]:
        seen: set[date] = set()
        for exception in value:
            if exception.date in seen:
                raise ValueError(f"two exceptions for {exception.date.isoformat()}")
            seen.add(exception.date)
        return tuple(sorted(value, key=lambda e: e.date))

    def intervals_on(self, weekday: int) -> tuple[Interval, ...]:
        """Regular intervals starting on `weekday` (0 = Monday)."""
        return self.hours.get(DAY_KEYS[weekday], ())

    def exception_on(self, day: date) -> HoursException | None:
        for exception in self.exceptions:
            if exception.date == day:
                return exception
        return None

    def intervals_for_date(self, day: date) -> tuple[Interval, ...]:
        """Intervals starting on `day`, after applying its exception."""
        exception = self.exception_on(day)
        if exception is None:
            return self.intervals_on(day.weekday())
        return exception.hours or ()

    @property
    def has_hours(self) -> bool:
        return any(self.hours.values())


class ArticleFrontMatter(_Frozen):
    """The YAML head of one language file of an article."""

    id: ItemSlug
    section: Section
    country: CountryCode | Literal["all"]
    order: int
    title: NonEmpty
    last_reviewed: date
    sources: tuple[str, ...] = ()

    def shared(self) -> dict[str, Any]:
        """Fields that must be equal in the three language files (all but the title)."""
        return self.model_dump(exclude={"title"})


class Article(_Frozen):
    """One long text in three languages; pages are rendered lazily and kept."""

    id: ItemSlug
    section: Section
    country: CountryCode | Literal["all"]
    order: int
    last_reviewed: date
    sources: tuple[str, ...] = ()
    titles: Localized
    bodies: Localized
    """Markdown source per language."""

    _pages: dict[tuple[str, int, bool], list[str]] = PrivateAttr(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.titles.get(lang)

    def pages(self, lang: str, *, limit: int = 4096, with_title: bool = True) -> list[str]:
        """Telegram-HTML messages of the body (the first starting with the bold title), each ≤ limit.

        Pass a smaller `limit` to leave room for a footer added by the handler.
        """
        lang = lang if lang in LANGUAGES else FALLBACK_LANGUAGE
        key = (lang, limit, with_title)
        cached = self._pages.get(key)
        if cached is None:
            header = self.title(lang) if with_title else None
            cached = markdown_to_messages(self.bodies.get(lang), limit=limit, title=header)
            self._pages[key] = cached
        return list(cached)
