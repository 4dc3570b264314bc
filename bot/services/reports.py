"""Bad-client reports: the member's draft, sending it, and moderation (approve, edit, reject, merge).

The reporter is protected by what is *not* stored:
- the draft and the report's member text (description, identifiers, photo, the alert text being
  edited) are sealed with the privacy key (AES-GCM) and the report's copy is dropped when
  moderation ends: the approved, sanitised alert text is what stays;
- the reporter link (`report_reporters`) exists only to tell the reporter the outcome and is deleted
  right after that (or by retention when nobody moderates within `REPORTER_RETENTION`);
- "how many reports did this sender send lately" is answered from `report_submissions`, which
  holds a keyed hash of the case code and a day, and no report id;
- client identifiers reach the database only as keyed hashes, and only once a moderator approved
  them (a pending report cannot make a number look reported).

Framework-free: no aiogram imports.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import dialect_insert
from bot.db.models import Alert, ClientIdentifier, Report, ReportDraft, ReportReporter, ReportSubmission
from bot.privacy import Privacy
from bot.services import usage
from bot.services.identifiers import Identifier, Kind

DRAFT_PURPOSE = b"report-draft"
REPORT_PURPOSE = b"report"
DRAFT_RETENTION = timedelta(days=7)
DRAFT_TYPING_WINDOW = timedelta(hours=24)  # typed messages go to a draft touched this recently
REPORTER_RETENTION = timedelta(days=30)  # an unmoderated report is dropped with its reporter link
RECENT_WINDOW = timedelta(days=30)  # "reports from this sender lately"
MAX_DESCRIPTION = 1500
MAX_ALERT_TEXT = 1500
MAX_IDENTIFIERS = 10
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class Category(StrEnum):
    violence = "violence"
    sexual_assault = "assault"
    robbery = "robbery"
    no_pay = "no_pay"
    condom = "condom"
    threats = "threats"
    fake_police = "police"
    other = "other"


class When(StrEnum):
    today = "today"
    yesterday = "yesterday"
    week = "week"
    month = "month"
    earlier = "earlier"


class Step(StrEnum):
    """The form's steps in order; `describe` and `ids` read typed text, `photo` a photo."""

    city = "city"
    when = "when"
    what = "what"
    describe = "describe"
    ids = "ids"
    photo = "photo"
    consent = "consent"
    summary = "summary"


STEPS = tuple(Step)
TEXT_STEPS = frozenset({Step.city, Step.describe, Step.ids, Step.photo})  # steps that take a typed message


class Status(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    merged = "merged"


class AlreadyModerated(Exception):
    """Another moderator decided first (or the report is gone): nothing was changed."""


class RejectReason(StrEnum):
    details = "details"  # not enough to warn others
    identifies = "identifies"  # would identify the reporter or a third person
    not_client = "not_client"  # not about a client
    other = "other"


@dataclass
class Draft:
    """The form as filled so far."""

    step: Step = Step.city
    city: str | None = None
    when: str | None = None
    categories: list[str] = field(default_factory=list)
    description: str | None = None
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (kind, normalised value)
    photo: str | None = None  # a Telegram file id, seen only by moderators
    community: bool = True
    lawyers: bool = False
    police: bool = False

    def previous(self) -> Step:
        index = STEPS.index(self.step)
        return STEPS[max(0, index - 1)]

    def advance(self) -> None:
        self.step = STEPS[min(len(STEPS) - 1, STEPS.index(self.step) + 1)]

    def add_identifiers(self, found: list[Identifier]) -> int:
        """Add what is new (up to MAX_IDENTIFIERS); returns how many were added."""
        added = 0
        for identifier in found:
            pair = (identifier.kind.value, identifier.value)
            if pair not in self.identifiers and len(self.identifiers) < MAX_IDENTIFIERS:
                self.identifiers.append(pair)
                added += 1
        return added

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, blob: bytes) -> Draft:
        data = json.loads(blob)
        data["step"] = Step(data["step"])
        data["identifiers"] = [tuple(pair) for pair in data.get("identifiers", [])]
        return cls(**data)


@dataclass
class Payload:
    """The sealed part of a report under moderation."""

    description: str
    identifiers: list[tuple[str, str]]
    photo: str | None
    alert_text: str  # what members will read; starts as the description, moderators edit it

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, blob: bytes) -> Payload:
        data = json.loads(blob)
        data["identifiers"] = [tuple(pair) for pair in data["identifiers"]]
        return cls(**data)


# --- drafts ---------------------------------------------------------------------------------------


async def load_draft(session: AsyncSession, privacy: Privacy, member_id: int) -> Draft | None:
    row = await session.scalar(select(ReportDraft).where(ReportDraft.member_id == member_id))
    if row is None:
        return None
    return Draft.from_json(privacy.unseal(row.data_enc, DRAFT_PURPOSE))


async def draft_step(session: AsyncSession, member_id: int, active_since: datetime | None = None) -> Step | None:
    """The step of the member's draft without opening it: the cheap check typed messages need.

    With `active_since`, only a draft touched since then counts: a form left for a day does not
    swallow what the member writes later (in a chat with a counsellor, say); they resume it with
    Safety -> Report a client -> Continue.
    """
    query = select(ReportDraft.step).where(ReportDraft.member_id == member_id)
    if active_since is not None:
        query = query.where(ReportDraft.updated_at >= active_since)
    step = await session.scalar(query)
    return Step(step) if step in Step._value2member_map_ else None


async def save_draft(session: AsyncSession, privacy: Privacy, member_id: int, draft: Draft, now: datetime) -> None:
    blob = privacy.seal(draft.to_json(), DRAFT_PURPOSE)
    values = {"member_id": member_id, "step": draft.step.value, "data_enc": blob, "updated_at": now}
    insert = dialect_insert(session)(ReportDraft).values(**values)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[ReportDraft.member_id],
            set_={"step": draft.step.value, "data_enc": blob, "updated_at": now},
        )
    )


async def drop_draft(session: AsyncSession, member_id: int) -> None:
    await session.execute(delete(ReportDraft).where(ReportDraft.member_id == member_id))


# --- sending --------------------------------------------------------------------------------------


def _case_hash(privacy: Privacy, case_code: str) -> str:
    # Keyed with the identifier key under its own label: the code itself is never stored.
    return privacy.identifier_hash("case-code:" + case_code)


async def submit(
    session: AsyncSession,
    privacy: Privacy,
    member_id: int,
    case_code: str,
    draft: Draft,
    organisation_id: int | None,
    now: datetime,
) -> Report:
    """Turn the finished draft into a report awaiting moderation; the draft is gone afterwards."""
    if draft.city is None or draft.when is None or not draft.categories or not draft.description:
        raise ValueError("the draft is not complete")
    case_hash = _case_hash(privacy, case_code)
    since = (now - RECENT_WINDOW).date()
    earlier = await session.scalar(
        select(func.count())
        .select_from(ReportSubmission)
        .where(ReportSubmission.case_hash == case_hash, ReportSubmission.created_on >= since)
    )
    payload = Payload(draft.description, list(draft.identifiers), draft.photo, draft.description)
    report = Report(
        reference=await _new_reference(session),
        organisation_id=organisation_id,
        city=draft.city,
        happened=draft.when,
        categories=",".join(draft.categories),
        consent_community=draft.community,
        consent_lawyers=draft.lawyers,
        consent_police=draft.police,
        payload_enc=privacy.seal(payload.to_json(), REPORT_PURPOSE),
        recent_from_sender=int(earlier or 0) + 1,
        status=Status.pending.value,
        # The day only: an exact time could be matched with the member's chat activity.
        created_at=now.replace(hour=0, minute=0, second=0, microsecond=0),
    )
    session.add(report)
    await session.flush()
    session.add(ReportReporter(report_id=report.id, member_id=member_id, created_at=now))
    session.add(ReportSubmission(case_hash=case_hash, created_on=now.date()))
    await usage.count(session, now.date(), draft.city, usage.reports("received"))
    await drop_draft(session, member_id)
    await session.flush()
    return report


async def _new_reference(session: AsyncSession) -> str:
    while True:
        reference = "R-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(5))
        if await session.scalar(select(Report.id).where(Report.reference == reference)) is None:
            return reference


# --- moderation -----------------------------------------------------------------------------------


async def get(session: AsyncSession, report_id: int) -> Report | None:
    return await session.get(Report, report_id)


async def by_card(session: AsyncSession, staff_chat_id: int, card_message_id: int) -> Report | None:
    return await session.scalar(
        select(Report).where(Report.staff_chat_id == staff_chat_id, Report.card_message_id == card_message_id)
    )


def payload_of(privacy: Privacy, report: Report) -> Payload | None:
    """The member text of a report still under moderation (None once it has ended)."""
    if report.payload_enc is None:
        return None
    return Payload.from_json(privacy.unseal(report.payload_enc, REPORT_PURPOSE))


async def set_alert_text(session: AsyncSession, privacy: Privacy, report: Report, text: str) -> None:
    payload = payload_of(privacy, report)
    if payload is None or report.status != Status.pending:
        raise ValueError("the report is no longer under moderation")
    payload.alert_text = text[:MAX_ALERT_TEXT]
    report.payload_enc = privacy.seal(payload.to_json(), REPORT_PURPOSE)
    await session.flush()


def _identifier_rows(privacy: Privacy, alert_id: int, identifiers: list[tuple[str, str]]) -> list[dict]:
    rows = {}
    for kind, value in identifiers:
        digest = Identifier(Kind(kind), value).hashed(privacy)
        rows[digest] = {"alert_id": alert_id, "hash": digest, "kind": kind}
    return list(rows.values())


def _masked(identifiers: list[tuple[str, str]]) -> str:
    """One masked identifier per line, prefixed with its kind ("phone:+38067*****67")."""
    return "\n".join(f"{kind}:{Identifier(Kind(kind), value).masked()}" for kind, value in identifiers)[:600]


async def _claim(session: AsyncSession, privacy: Privacy, report: Report, status: Status) -> Payload:
    """Take the decision on a pending report with one conditional UPDATE, so two moderators pressing at
    once (or two workers) cannot both decide; returns the report's sealed part."""
    payload = payload_of(privacy, report)
    result = await session.execute(
        update(Report)
        .where(Report.id == report.id, Report.status == Status.pending.value)
        .values(status=status.value)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount or payload is None:
        raise AlreadyModerated(report.id)
    report.status = status.value
    return payload


async def _end(session: AsyncSession, report: Report, status: Status, now: datetime, moderator_id: int | None) -> None:
    await usage.count(session, now.date(), report.city, usage.reports(status.value))
    report.status = status.value
    report.moderated_at = now
    report.moderator_id = moderator_id
    report.payload_enc = None


async def approve(
    session: AsyncSession,
    privacy: Privacy,
    report: Report,
    now: datetime,
    expiry: timedelta,
    moderator_id: int | None = None,
) -> Alert:
    """A new alert from the report: the moderated text, the identifiers as hashes, the city."""
    payload = await _claim(session, privacy, report, Status.approved)
    alert = Alert(
        organisation_id=report.organisation_id,
        city=report.city,
        categories=report.categories,
        happened=report.happened,
        text=payload.alert_text,
        masked=_masked(payload.identifiers),
        report_count=1,
        created_at=now,
        updated_at=now,
        expires_at=now + expiry,
    )
    session.add(alert)
    await session.flush()
    rows = _identifier_rows(privacy, alert.id, payload.identifiers)
    if rows:
        await session.execute(dialect_insert(session)(ClientIdentifier).values(rows).on_conflict_do_nothing())
    report.alert_id = alert.id
    await _end(session, report, Status.approved, now, moderator_id)
    return alert


async def merge(
    session: AsyncSession,
    privacy: Privacy,
    report: Report,
    alert: Alert,
    now: datetime,
    expiry: timedelta,
    moderator_id: int | None = None,
) -> None:
    """The report is about a client an alert already warns of: the alert counts one more report,
    gains its categories and identifiers, and lives `expiry` from now."""
    payload = await _claim(session, privacy, report, Status.merged)
    categories = [c for c in alert.categories.split(",") if c]
    categories += [c for c in report.categories.split(",") if c and c not in categories]
    alert.categories = ",".join(categories)
    known = [item for item in alert.masked.split("\n") if item]
    known += [item for item in _masked(payload.identifiers).split("\n") if item and item not in known]
    alert.masked = "\n".join(known)[:600]
    alert.report_count = Alert.report_count + 1  # in SQL: two merges at once both count
    alert.updated_at = now
    alert.expires_at = max(alert.expires_at, now + expiry)
    rows = _identifier_rows(privacy, alert.id, payload.identifiers)
    if rows:
        await session.execute(dialect_insert(session)(ClientIdentifier).values(rows).on_conflict_do_nothing())
    report.alert_id = alert.id
    await _end(session, report, Status.merged, now, moderator_id)


async def reject(session: AsyncSession, report: Report, now: datetime, moderator_id: int | None = None) -> None:
    """Not published; the reporter is told why (the reason is not stored)."""
    result = await session.execute(
        update(Report)
        .where(Report.id == report.id, Report.status == Status.pending.value)
        .values(status=Status.rejected.value)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        raise AlreadyModerated(report.id)
    await _end(session, report, Status.rejected, now, moderator_id)


async def take_reporter(session: AsyncSession, report_id: int) -> int | None:
    """The reporter's member id, once, to tell them the outcome; the link is deleted here."""
    member_id = await session.scalar(select(ReportReporter.member_id).where(ReportReporter.report_id == report_id))
    await session.execute(delete(ReportReporter).where(ReportReporter.report_id == report_id))
    return member_id


async def approved_report_of(session: AsyncSession, alert_id: int) -> Report | None:
    """The report an alert was approved from (its card shows the delivery figures)."""
    return await session.scalar(
        select(Report).where(Report.alert_id == alert_id, Report.status == Status.approved.value).limit(1)
    )


# --- retention and forget me ----------------------------------------------------------------------


async def purge(session: AsyncSession, now: datetime) -> int:
    """Old drafts, unmoderated reports (with their reporter link) and old submission counts."""
    await session.execute(delete(ReportDraft).where(ReportDraft.updated_at < now - DRAFT_RETENTION))
    stale = await session.execute(
        delete(Report).where(Report.status == Status.pending.value, Report.created_at < now - REPORTER_RETENTION)
    )
    await session.execute(delete(ReportReporter).where(ReportReporter.created_at < now - REPORTER_RETENTION))
    await session.execute(delete(ReportSubmission).where(ReportSubmission.created_on < (now - RECENT_WINDOW).date()))
    # A moderated report keeps only its outcome; once its alert is gone, so is the row.
    await session.execute(
        delete(Report).where(
            Report.status != Status.pending.value,
            Report.alert_id.is_(None),
            Report.moderated_at < now - REPORTER_RETENTION,
        )
    )
    return stale.rowcount or 0


async def forget_member(session: AsyncSession, member_id: int) -> None:
    """Forget me: the draft and every reporter link go (the reports stay for moderators, unlinked)."""
    await session.execute(delete(ReportDraft).where(ReportDraft.member_id == member_id))
    await session.execute(delete(ReportReporter).where(ReportReporter.member_id == member_id))


async def pending_count(session: AsyncSession, organisation_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Report)
            .where(Report.organisation_id == organisation_id, Report.status == Status.pending.value)
        )
        or 0
    )


async def set_card(session: AsyncSession, report_id: int, staff_chat_id: int, message_id: int) -> None:
    await session.execute(
        update(Report).where(Report.id == report_id).values(staff_chat_id=staff_chat_id, card_message_id=message_id)
    )
