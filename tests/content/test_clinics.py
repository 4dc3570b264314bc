"""Opening hours with explicit clocks: weekends, holidays, overnight intervals and DST in Kyiv.

Calendar used below (2026): Fri 20 Nov, Sat 21, Sun 22, Mon 23, Tue 24 November.
Kyiv springs forward on Sun 29 March (03:00 → 04:00 local) and falls back on Sun 25 October
(04:00 → 03:00 local); Moscow stays at UTC+3.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.content.schema import Clinic
from bot.services.clinics import (
    next_opening,
    open_now,
    opening_status,
    sort_by_availability,
    upcoming_exceptions,
    week_schedule,
)

KYIV = ZoneInfo("Europe/Kyiv")
MOSCOW = ZoneInfo("Europe/Moscow")
TEXT = {"en": "x", "ru": "x", "uk": "x"}
WEEKDAYS = {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def clinic(hours: dict[str, list[str]], exceptions: list[dict[str, Any]] | None = None, id: str = "c") -> Clinic:
    return Clinic.model_validate(
        {
            "id": id,
            "city": "kyiv",
            "name": TEXT,
            "address": TEXT,
            "hours": hours,
            "exceptions": exceptions or [],
            "last_verified": "2026-11-01",
        }
    )


def kyiv(*args: int) -> datetime:
    return datetime(*args, tzinfo=KYIV)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_open_on_a_weekday_until_18() -> None:
    status = opening_status(clinic(WEEKDAYS), KYIV, kyiv(2026, 11, 23, 10, 0))
    assert status.is_open
    assert status.closes_at == kyiv(2026, 11, 23, 18, 0)
    assert status.opens_at is None


def test_closed_in_the_evening_opens_next_morning() -> None:
    status = opening_status(clinic(WEEKDAYS), KYIV, kyiv(2026, 11, 23, 18, 0))
    assert not status.is_open  # the end is exclusive
    assert status.closes_at is None
    assert status.opens_at == kyiv(2026, 11, 24, 9, 0)


def test_closed_at_the_weekend_opens_monday_9() -> None:
    status = opening_status(clinic(WEEKDAYS), KYIV, kyiv(2026, 11, 21, 12, 0))
    assert not status.is_open
    assert status.opens_at == kyiv(2026, 11, 23, 9, 0)
    assert status.opens_at.weekday() == 0


def test_now_in_utc_gives_times_in_the_city_zone() -> None:
    status = opening_status(clinic(WEEKDAYS), KYIV, utc(2026, 11, 23, 8, 0))  # 10:00 in Kyiv
    assert status.is_open
    assert status.closes_at is not None
    assert status.closes_at.tzinfo is KYIV
    assert (status.closes_at.hour, status.closes_at.minute) == (18, 0)


def test_holiday_closed_opens_the_day_after() -> None:
    holiday = clinic(WEEKDAYS, [{"date": date(2026, 11, 23), "closed": True}])
    assert not opening_status(holiday, KYIV, kyiv(2026, 11, 23, 10, 0)).is_open
    status = opening_status(holiday, KYIV, kyiv(2026, 11, 22, 12, 0))
    assert status.opens_at == kyiv(2026, 11, 24, 9, 0)


def test_special_shortened_hours_replace_the_day() -> None:
    short = clinic(WEEKDAYS, [{"date": date(2026, 11, 23), "hours": ["09:00-14:00"]}])
    status = opening_status(short, KYIV, kyiv(2026, 11, 23, 13, 0))
    assert status.is_open and status.closes_at == kyiv(2026, 11, 23, 14, 0)
    later = opening_status(short, KYIV, kyiv(2026, 11, 23, 15, 0))
    assert not later.is_open and later.opens_at == kyiv(2026, 11, 24, 9, 0)


def test_special_hours_on_a_day_that_is_normally_closed() -> None:
    sunday = clinic(WEEKDAYS, [{"date": date(2026, 11, 22), "hours": ["10:00-12:00"]}])
    status = opening_status(sunday, KYIV, kyiv(2026, 11, 21, 20, 0))
    assert status.opens_at == kyiv(2026, 11, 22, 10, 0)


def test_overnight_interval_is_open_after_midnight() -> None:
    night = clinic({"fri": ["20:00-02:00"]})
    friday = opening_status(night, KYIV, kyiv(2026, 11, 20, 21, 0))
    assert friday.is_open and friday.closes_at == kyiv(2026, 11, 21, 2, 0)
    saturday = opening_status(night, KYIV, kyiv(2026, 11, 21, 1, 0))
    assert saturday.is_open and saturday.closes_at == kyiv(2026, 11, 21, 2, 0)
    after = opening_status(night, KYIV, kyiv(2026, 11, 21, 3, 0))
    assert not after.is_open and after.opens_at == kyiv(2026, 11, 27, 20, 0)


def test_overnight_interval_runs_into_a_closed_holiday() -> None:
    """Documented rule: the exception governs intervals starting on its date, not the night before."""
    night = clinic({"fri": ["20:00-02:00"]}, [{"date": date(2026, 11, 21), "closed": True}])
    assert opening_status(night, KYIV, kyiv(2026, 11, 21, 1, 0)).is_open
    cut = clinic({"fri": ["20:00-02:00"]}, [{"date": date(2026, 11, 20), "hours": ["20:00-24:00"]}])
    status = opening_status(cut, KYIV, kyiv(2026, 11, 20, 23, 0))
    assert status.closes_at == kyiv(2026, 11, 21, 0, 0)
    assert not opening_status(cut, KYIV, kyiv(2026, 11, 21, 1, 0)).is_open


def test_back_to_back_intervals_are_one_opening() -> None:
    weekend = clinic({"fri": ["18:00-24:00"], "sat": ["00:00-06:00"]})
    status = opening_status(weekend, KYIV, kyiv(2026, 11, 20, 23, 0))
    assert status.closes_at == kyiv(2026, 11, 21, 6, 0)


def test_open_around_the_clock_has_no_closing_time() -> None:
    always = clinic({day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    status = opening_status(always, KYIV, kyiv(2026, 11, 23, 3, 0))
    assert status.is_open and status.closes_at is None and status.opens_at is None


def test_all_day_interval_closes_at_midnight() -> None:
    sunday = clinic({"sun": ["00:00-24:00"]})
    status = opening_status(sunday, KYIV, kyiv(2026, 11, 22, 23, 59))
    assert status.is_open and status.closes_at == kyiv(2026, 11, 23, 0, 0)


def test_clinic_with_no_hours_never_opens() -> None:
    status = opening_status(clinic({}), KYIV, kyiv(2026, 11, 23, 10, 0))
    assert status == type(status)(is_open=False, closes_at=None, opens_at=None)
    assert next_opening(clinic({}), KYIV, kyiv(2026, 11, 23, 10, 0)) is None


def test_an_opening_beyond_fourteen_days_is_not_reported() -> None:
    soon = clinic({}, [{"date": date(2026, 12, 3), "hours": ["10:00-12:00"]}])
    assert opening_status(soon, KYIV, kyiv(2026, 11, 23, 10, 0)).opens_at == kyiv(2026, 12, 3, 10, 0)
    far = clinic({}, [{"date": date(2026, 12, 20), "hours": ["10:00-12:00"]}])
    assert opening_status(far, KYIV, kyiv(2026, 11, 23, 10, 0)).opens_at is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        opening_status(clinic(WEEKDAYS), KYIV, datetime(2026, 11, 23, 10, 0))


# --- daylight saving time


SUNDAY_9_18 = {"sun": ["09:00-18:00"]}


def test_spring_forward_day_closes_at_18_local() -> None:
    spring = clinic(SUNDAY_9_18)
    status = opening_status(spring, KYIV, kyiv(2026, 3, 29, 12, 0))
    assert status.is_open
    assert status.closes_at is not None
    assert (status.closes_at.hour, status.closes_at.minute) == (18, 0)
    assert status.closes_at.utcoffset() == timedelta(hours=3)
    assert status.closes_at.astimezone(UTC) == utc(2026, 3, 29, 15, 0)
    before = opening_status(spring, KYIV, utc(2026, 3, 29, 0, 30))  # 02:30 EET, before the jump
    assert before.opens_at is not None
    assert before.opens_at.astimezone(UTC) == utc(2026, 3, 29, 6, 0)  # 09:00 EEST


def test_fall_back_day_closes_at_18_local() -> None:
    autumn = clinic(SUNDAY_9_18)
    status = opening_status(autumn, KYIV, kyiv(2026, 10, 25, 12, 0))
    assert status.is_open
    assert status.closes_at is not None
    assert (status.closes_at.hour, status.closes_at.minute) == (18, 0)
    assert status.closes_at.utcoffset() == timedelta(hours=2)
    assert status.closes_at.astimezone(UTC) == utc(2026, 10, 25, 16, 0)


def test_the_day_before_a_change_is_measured_with_the_right_offset() -> None:
    saturday = clinic({"sat": ["09:00-18:00"]})
    status = opening_status(saturday, KYIV, utc(2026, 3, 28, 12, 0))  # 14:00 EET
    assert status.closes_at is not None and status.closes_at.astimezone(UTC) == utc(2026, 3, 28, 16, 0)
    status = opening_status(saturday, KYIV, utc(2026, 10, 24, 12, 0))  # 15:00 EEST
    assert status.closes_at is not None and status.closes_at.astimezone(UTC) == utc(2026, 10, 24, 15, 0)


def test_all_day_sunday_lasts_23_and_25_hours_on_change_days() -> None:
    sunday = clinic({"sun": ["00:00-24:00"]})
    spring = opening_status(sunday, KYIV, utc(2026, 3, 28, 23, 0))  # 01:00 local
    assert spring.closes_at is not None and spring.closes_at.astimezone(UTC) == utc(2026, 3, 29, 21, 0)
    autumn = opening_status(sunday, KYIV, utc(2026, 10, 24, 22, 0))  # 01:00 local
    assert autumn.closes_at is not None and autumn.closes_at.astimezone(UTC) == utc(2026, 10, 25, 22, 0)


def test_overnight_interval_across_spring_forward() -> None:
    night = clinic({"sat": ["22:00-06:00"]})
    status = opening_status(night, KYIV, utc(2026, 3, 29, 1, 30))  # 04:30 EEST
    assert status.is_open
    assert status.closes_at is not None and status.closes_at.astimezone(UTC) == utc(2026, 3, 29, 3, 0)
    assert (status.closes_at.hour, status.closes_at.utcoffset()) == (6, timedelta(hours=3))


def test_nonexistent_local_time_is_moved_forward_by_the_gap() -> None:
    early = clinic({"sun": ["03:30-05:00"]})  # 03:30 does not exist on 29 March
    status = opening_status(early, KYIV, kyiv(2026, 3, 29, 0, 0))
    assert status.opens_at is not None
    assert status.opens_at.astimezone(UTC) == utc(2026, 3, 29, 1, 30)
    assert (status.opens_at.hour, status.opens_at.minute) == (4, 30)


def test_ambiguous_local_time_means_its_first_occurrence() -> None:
    early = clinic({"sun": ["03:30-05:00"]})  # 03:30 happens twice on 25 October
    status = opening_status(early, KYIV, kyiv(2026, 10, 25, 0, 0))
    assert status.opens_at is not None
    assert status.opens_at.astimezone(UTC) == utc(2026, 10, 25, 0, 30)
    assert status.opens_at.fold == 0 and status.opens_at.utcoffset() == timedelta(hours=3)
    during_repeat = opening_status(early, KYIV, utc(2026, 10, 25, 1, 15))  # 03:15 EET, second pass
    assert during_repeat.is_open
    assert during_repeat.closes_at is not None
    assert during_repeat.closes_at.astimezone(UTC) == utc(2026, 10, 25, 3, 0)


def test_moscow_has_no_dst() -> None:
    moscow = clinic(SUNDAY_9_18)
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        now = datetime.combine(day, time(12, 0), tzinfo=MOSCOW)
        status = opening_status(moscow, MOSCOW, now)
        assert status.closes_at is not None
        assert status.closes_at.astimezone(UTC) == datetime.combine(day, time(15, 0), tzinfo=UTC)


# --- lists and display


def test_open_now_sort_and_next_opening() -> None:
    early = clinic({"mon": ["08:00-12:00"]}, id="early")
    late = clinic({"mon": ["09:00-20:00"]}, id="late")
    tomorrow = clinic({"tue": ["09:00-18:00"]}, id="tomorrow")
    afternoon = clinic({"mon": ["14:00-16:00"]}, id="afternoon")
    never = clinic({}, id="never")
    clinics = [never, tomorrow, early, afternoon, late]
    now = kyiv(2026, 11, 23, 10, 0)
    assert [c.id for c in open_now(clinics, KYIV, now)] == ["early", "late"]
    ordered = sort_by_availability(clinics, KYIV, now)
    assert [c.id for c, _ in ordered] == ["late", "early", "afternoon", "tomorrow", "never"]
    assert ordered[0][1].closes_at == kyiv(2026, 11, 23, 20, 0)
    assert next_opening(early, KYIV, now) == kyiv(2026, 11, 30, 8, 0)  # after the current opening
    assert next_opening(afternoon, KYIV, now) == kyiv(2026, 11, 23, 14, 0)


def test_week_schedule_and_upcoming_exceptions() -> None:
    c = clinic(
        {"tue": ["14:00-18:00", "09:00-13:00"], "fri": ["20:00-02:00"], "sun": ["00:00-24:00"]},
        [{"date": date(2026, 12, 25), "closed": True}, {"date": date(2026, 11, 1), "closed": True}],
    )
    schedule = week_schedule(c)
    assert [day for day, _ in schedule] == list(range(7))
    assert schedule[0] == (0, [])
    assert schedule[1] == (1, [(time(9), time(13)), (time(14), time(18))])
    assert schedule[4] == (4, [(time(20), time(2))])
    assert schedule[6] == (6, [(time(0), time(0))])
    assert [e.date for e in upcoming_exceptions(c, date(2026, 12, 20))] == [date(2026, 12, 25)]
    assert upcoming_exceptions(c, date(2026, 11, 22)) == []
