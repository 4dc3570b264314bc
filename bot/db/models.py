"""Tables. Members are stored as the privacy invariants say: a keyed hash, an encrypted chat id,
a language, an optional city and the dates (not times) of their first and last visit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
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
    # Quiet hours (minutes after local midnight in the member's city, Kyiv without one): pushes
    # in this window arrive silently. Both None: no quiet hours.
    quiet_start: Mapped[int | None] = mapped_column(Integer, default=None)
    quiet_end: Mapped[int | None] = mapped_column(Integer, default=None)

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


# --- Talking to a person: organisations, staff, conversations --------------------------------------


class Organisation(Base):
    """A sex worker-led organisation with a staff room (a forum supergroup) and the cities it serves."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Kyiv")
    # The language of the bot's own posts in the staff room (cards, notices).
    language: Mapped[str] = mapped_column(String(2), default="uk")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # The staff room and its fixed topics; a group's id identifies no member.
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    queue_thread_id: Mapped[int | None] = mapped_column(Integer, default=None)
    reports_thread_id: Mapped[int | None] = mapped_column(Integer, default=None)
    broadcasts_thread_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # A broadcast needs a supervisor's second approval before it goes out.
    broadcast_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    cities: Mapped[list[OrganisationCity]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class OrganisationCity(Base):
    __tablename__ = "organisation_cities"
    __table_args__ = (UniqueConstraint("organisation_id", "city"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    city: Mapped[str] = mapped_column(String(20), index=True)


class Staff(Base):
    """A counsellor, moderator, supervisor, broadcaster or admin (one person may hold several roles).

    Staff are often sex workers themselves: like members they are found by keyed hash and reached
    through an encrypted chat id; members only ever see their alias.
    """

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_hash: Mapped[str] = mapped_column(String(64), unique=True)
    chat_id_enc: Mapped[bytes] = mapped_column(LargeBinary)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str | None] = mapped_column(String(32), default=None)
    languages: Mapped[str] = mapped_column(String(16), default="")  # "uk,ru"
    roles: Mapped[str] = mapped_column(String(80), default="")  # "counsellor,moderator"
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_on: Mapped[date] = mapped_column(Date)


class Invite(Base):
    """A one-time deep link; only the hash of its token is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class ShiftSlot(Base):
    """One weekly roster interval of a counsellor, in the organisation's time zone."""

    __tablename__ = "shift_slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)  # may be below start: runs past midnight


class Conversation(Base):
    """queued -> active -> closed (active -> queued on release); one open conversation per member."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index(
            "uq_conversations_open_per_member",
            "member_id",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    case_code: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(8), default="queued", index=True)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), default=None)
    # The staff room the case topic lives in (where it was created, whatever the room is later).
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    thread_id: Mapped[int | None] = mapped_column(Integer, default=None)
    card_message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    panel_message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    escalation: Mapped[int] = mapped_column(Integer, default=0)
    idle_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)


class RelayMessage(Base):
    """Message-id pairs (never text): replies and edits stay in sync, and a re-delivered update is
    relayed once. Purged with the case topic."""

    __tablename__ = "relay_messages"
    __table_args__ = (UniqueConstraint("conversation_id", "source_side", "source_message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    source_side: Mapped[str] = mapped_column(String(6))  # "member" or "staff"
    source_message_id: Mapped[int] = mapped_column(Integer)
    copy_message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MemberBlock(Base):
    """A member the service is closed to for a while; the reason is for staff only."""

    __tablename__ = "member_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- Broadcasts and delivery ---------------------------------------------------------------------


class MemberSubscription(Base):
    """A member's explicit choice for one topic (safety alerts, clinic news, events).

    Only choices are stored; a topic without a row has its default (bot/services/subscriptions.py).
    """

    __tablename__ = "member_subscriptions"
    __table_args__ = (UniqueConstraint("member_id", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(16))
    subscribed: Mapped[bool] = mapped_column(Boolean)


class DeliveryJob(Base):
    """One mass delivery (a broadcast, an alert): pending -> sending -> done, or cancelled.

    `runner` and `heartbeat_at` are the lease of the process sending it; a job whose heartbeat is
    stale (its process died) is taken over and resumed from its delivery rows.
    """

    __tablename__ = "delivery_jobs"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    runner: Mapped[str | None] = mapped_column(String(32), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Delivery(Base):
    """One recipient of a job: pending -> sending -> sent | blocked | failed | skipped (or cancelled).

    The row is what makes a restart safe: a recipient is written once per job (unique), and a
    message goes out only after its row moved from pending to sending.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("job_id", "member_id"),
        Index("ix_deliveries_job_status", "job_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("delivery_jobs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    message_id: Mapped[int | None] = mapped_column(Integer, default=None)


class Broadcast(Base):
    """An organisation's message to its members: draft -> awaiting_approval -> scheduled -> sending
    -> done, or rejected / cancelled. Texts are the organisation's own words, kept for delivery."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), default=None)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), default=None)
    topic: Mapped[str] = mapped_column(String(16))
    cities: Mapped[str] = mapped_column(String(400))  # "kyiv,lviv"
    languages: Mapped[str] = mapped_column(String(16))  # "uk,ru,en"
    text_all: Mapped[str | None] = mapped_column(Text, default=None)
    text_uk: Mapped[str | None] = mapped_column(Text, default=None)
    text_ru: Mapped[str | None] = mapped_column(Text, default=None)
    text_en: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(18), default="draft", index=True)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    card_message_id: Mapped[int | None] = mapped_column(Integer, default=None)


class ScheduledTask(Base):
    """One occurrence the scheduler must run once: claimed by a conditional UPDATE on `status`."""

    __tablename__ = "scheduled_tasks"
    __table_args__ = (Index("ix_scheduled_tasks_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="scheduled")  # scheduled, running, done, cancelled
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class PeriodicRun(Base):
    """The last interval slot a periodic job ran in: each slot is claimed once across processes."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, default=0)


# --- Bad-client reports and alerts -----------------------------------------------------------------
#
# What is kept, and for how long (see bot/services/reports.py):
# - a draft: the member's half-filled form, sealed (AES-GCM), deleted on send, cancel or after a week;
# - a report under moderation: its description and identifiers sealed in `payload_enc`; who sent it
#   only in `report_reporters`, which is deleted once the reporter is told the outcome (or after 30
#   days unmoderated). After moderation nothing in any table points from the report to a member;
# - an alert: the moderator-approved text, city, categories and period; the client's identifiers
#   only as keyed hashes in `client_identifiers`; deleted when it expires.


class ReportDraft(Base):
    """A half-filled report, so it survives a pause and a restart whatever FSM storage is used."""

    __tablename__ = "report_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    step: Mapped[str] = mapped_column(String(16))
    data_enc: Mapped[bytes] = mapped_column(LargeBinary)  # Privacy.seal(JSON, b"report-draft")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Alert(Base):
    """A moderated, sanitised warning about a client in one city; expires after a set period."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), default=None
    )
    city: Mapped[str] = mapped_column(String(20), index=True)
    categories: Mapped[str] = mapped_column(String(160))  # "violence,no_pay"
    happened: Mapped[str] = mapped_column(String(10))  # when, coarsely: today, yesterday, week, month, earlier
    text: Mapped[str] = mapped_column(String(2000))  # as the moderators approved it
    # The client's identifiers masked ("+38067*****67"): enough to recognise, useless to harass
    # someone with; the full values exist only as hashes in client_identifiers.
    masked: Mapped[str] = mapped_column(String(600), default="")
    report_count: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Report(Base):
    """A member's report on its way through moderation; the outcome stays, the member text does not."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), default=None, index=True
    )
    city: Mapped[str] = mapped_column(String(20))
    happened: Mapped[str] = mapped_column(String(10))
    categories: Mapped[str] = mapped_column(String(160))
    consent_community: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_lawyers: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_police: Mapped[bool] = mapped_column(Boolean, default=False)
    # Description, identifiers, photo and the alert text being edited; None once moderation ends.
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Reports the same case code sent in the recent window, counted when this one arrived.
    recent_from_sender: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    card_message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # midnight UTC of the day sent
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Who decided (a staff row; staff are known by alias only), for the card's outcome line.
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), default=None)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"), default=None)


class ReportReporter(Base):
    """The only link from a report to its sender, kept just to tell them the outcome."""

    __tablename__ = "report_reporters"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ReportSubmission(Base):
    """That some case code sent a report at some time, with no report id: moderators see how many
    reports came from one sender lately without any table tying a report to its sender."""

    __tablename__ = "report_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_hash: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash of the case code
    created_on: Mapped[date] = mapped_column(Date, index=True)  # a day, so times cannot be matched


class ClientIdentifier(Base):
    """A keyed hash of a client's phone, handle, e-mail or plate, for "check a number"."""

    __tablename__ = "client_identifiers"
    __table_args__ = (UniqueConstraint("alert_id", "hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    hash: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))


class AlertSubscription(Base):
    """A member wants alerts for a city (several cities allowed; opt-in)."""

    __tablename__ = "alert_subscriptions"
    __table_args__ = (UniqueConstraint("member_id", "city"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    city: Mapped[str] = mapped_column(String(20), index=True)


# --- Anonymous usage figures ----------------------------------------------------------------------


class DailyCount(Base):
    """How often something happened on a day in a city (a menu section opened, a report received or
    approved): a bare count for the statistics, with no trail to any member, and kept when the rows
    it counts are deleted by retention."""

    __tablename__ = "daily_counts"
    __table_args__ = (UniqueConstraint("day", "city", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    city: Mapped[str] = mapped_column(String(20))  # "" when there is none (a member who chose no city)
    name: Mapped[str] = mapped_column(String(24))  # "opened:rights", "reports:approved", ...
    count: Mapped[int] = mapped_column(Integer, default=0)
