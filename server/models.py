"""The system of record: SQLAlchemy 2 models. Changes go through Alembic migrations."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from onestop.enums import (
    Channel,
    CounterStatus,
    DeviceKind,
    DossierStatus,
    PriorityPolicy,
    Rating,
    ReturnMethod,
    Role,
    TicketStatus,
    TransferPosition,
)
from server.db import Base, UTCDateTime


def table(model: type[Base]) -> sa.Table:
    """A model's Table, for Core statements on hot paths (mypy sees __table__ as a FromClause)."""
    result = model.__table__
    assert isinstance(result, sa.Table)
    return result


def _enum(kind: type[Any]) -> sa.Enum:
    # Stored as plain strings (no native enum type), so adding a value needs no migration
    # of a database type, and SQLite and PostgreSQL hold the same text.
    return sa.Enum(kind, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Centre(Base):
    __tablename__ = "centre"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    short_name: Mapped[str] = mapped_column(sa.String(128), default="")
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    agency_code: Mapped[str] = mapped_column(sa.String(64))
    office_hours: Mapped[str] = mapped_column(sa.String(128), default="07:00-11:30,13:30-17:00")
    no_show_after_calls: Mapped[int] = mapped_column(default=3)
    transfer_position: Mapped[TransferPosition] = mapped_column(
        _enum(TransferPosition), default=TransferPosition.BACK
    )
    notice: Mapped[str] = mapped_column(sa.Text, default="")


class PriorityGroup(Base):
    __tablename__ = "priority_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(128))


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    # Electronic ID code of the agency; the prefix of its dossier codes.
    id_code: Mapped[str] = mapped_column(sa.String(64), default="")


class Field(Base):
    __tablename__ = "field"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    agency: Mapped[Agency] = orm.relationship()


class Procedure(Base):
    __tablename__ = "procedure"
    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[int] = mapped_column(sa.ForeignKey("field.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.Text)
    search_text: Mapped[str] = mapped_column(sa.Text)  # folded name + code, for q=
    processing_days: Mapped[decimal.Decimal] = mapped_column(sa.Numeric(6, 2))
    fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    fee_note: Mapped[str | None] = mapped_column(sa.Text)
    online_level: Mapped[str | None] = mapped_column(sa.String(16))
    sets: Mapped[int] = mapped_column(default=1)
    cutoff: Mapped[dt.time | None] = mapped_column(sa.Time)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    field: Mapped[Field] = orm.relationship()


service_field = sa.Table(
    "service_field",
    Base.metadata,
    sa.Column("service_id", sa.ForeignKey("queue_service.id"), primary_key=True),
    sa.Column("field_id", sa.ForeignKey("field.id"), primary_key=True),
)


class QueueService(Base):
    __tablename__ = "queue_service"
    __table_args__ = (sa.UniqueConstraint("centre_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(255))
    letter: Mapped[str] = mapped_column(sa.String(4))
    number_width: Mapped[int] = mapped_column(default=3)
    priority_policy: Mapped[PriorityPolicy] = mapped_column(
        _enum(PriorityPolicy), default=PriorityPolicy.STRICT
    )
    priority_every: Mapped[int] = mapped_column(default=3)
    default_service_minutes: Mapped[int] = mapped_column(default=8)
    active: Mapped[bool] = mapped_column(default=True)
    fields: Mapped[list[Field]] = orm.relationship(secondary=service_field)


class CounterService(Base):
    __tablename__ = "counter_service"
    counter_id: Mapped[int] = mapped_column(sa.ForeignKey("counter.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("queue_service.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


class Counter(Base):
    __tablename__ = "counter"
    __table_args__ = (sa.UniqueConstraint("centre_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(255))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    display_address: Mapped[int | None]
    status: Mapped[CounterStatus] = mapped_column(_enum(CounterStatus), default=CounterStatus.CLOSED)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    links: Mapped[list[CounterService]] = orm.relationship(
        order_by=CounterService.position, cascade="all, delete-orphan"
    )

    @property
    def service_ids(self) -> list[int]:
        return [link.service_id for link in self.links]


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(128), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    centre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centre.id"))
    active: Mapped[bool] = mapped_column(default=True)


class AccessToken(Base):
    __tablename__ = "access_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user: Mapped[User] = orm.relationship()


class Device(Base):
    __tablename__ = "device"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    kind: Mapped[DeviceKind] = mapped_column(_enum(DeviceKind))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"))
    active: Mapped[bool] = mapped_column(default=True)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    fault: Mapped[str | None] = mapped_column(sa.Text)


class DailySequence(Base):
    """The last number handed out per scope and day; its row is locked while counting."""

    __tablename__ = "daily_sequence"
    scope: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        sa.UniqueConstraint("centre_id", "origin_service_id", "business_day", "seq"),
        # Serves the waiting counts (index only) and the head of each class for call-next.
        sa.Index("ix_ticket_queue", "service_id", "business_day", "status", "priority_group", "queue_key"),
        sa.Index("ix_ticket_counter_status", "counter_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"))
    # The service that numbered it (its letter); service_id is where it waits now.
    origin_service_id: Mapped[int] = mapped_column(sa.ForeignKey("queue_service.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("queue_service.id"))
    business_day: Mapped[dt.date] = mapped_column(sa.Date)
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(16))
    priority_group: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus))
    queue_key: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counter.id"))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id"))
    call_count: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # no-show / cancel
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    # In the URL of the QR on the ticket: the citizen's page, which nobody can walk by number.
    public_token: Mapped[str | None] = mapped_column(sa.String(24), unique=True, index=True)


class CalendarOverride(Base):
    """Admin days off and working days that override python-holidays."""

    __tablename__ = "calendar_override"
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    working: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(255), default="")


class Dossier(Base):
    __tablename__ = "dossier"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(128), unique=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"))
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure.id"))
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket.id"))
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counter.id"))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    status: Mapped[DossierStatus] = mapped_column(_enum(DossierStatus), index=True)
    applicant: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # A copy of applicant["id_number"], so the look-up by ID number is an index search on
    # SQLite and PostgreSQL alike (their JSON operators differ).
    applicant_id_number: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    representative: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    sets: Mapped[int]
    fee_collected: Mapped[int] = mapped_column(sa.BigInteger)
    return_method: Mapped[ReturnMethod] = mapped_column(_enum(ReturnMethod))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    original_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    supplement_items: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)  # supplement or refusal reason
    ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    returned_to: Mapped[str | None] = mapped_column(sa.String(255))
    # In the URL of the QR on the receipt (the dossier's status page for the citizen).
    public_token: Mapped[str | None] = mapped_column(sa.String(24), unique=True, index=True)
    procedure: Mapped[Procedure] = orm.relationship()


class DossierRating(Base):
    __tablename__ = "dossier_rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id"), unique=True)
    level: Mapped[Rating] = mapped_column(_enum(Rating))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Event(Base):
    """The append-only log behind GET /events; ids only grow."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(sa.String(64))
    centre_id: Mapped[int | None]
    counter_id: Mapped[int | None]
    service_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    # The reports count actions (transfers, supplement requests, counter open times) by period.
    __table_args__ = (sa.Index("ix_audit_log_action_at", "action", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(sa.String(128))  # "user:canbo1", "device:kiosk-1"
    action: Mapped[str] = mapped_column(sa.String(64))
    target: Mapped[str] = mapped_column(sa.String(128), index=True)  # a dossier's history reads by it
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class LoginFailure(Base):
    """A wrong password (or an unknown username) sent from one client address.

    Kept in the database so every server process throttles alike (server/throttle.py); a
    successful sign-in deletes its (address, username) rows, the housekeeping those older
    than a day. Never the password.
    """

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_pair", "address", "username", "at"),  # one address and user
        sa.Index("ix_login_failure_address", "address", "at"),  # one address, any usernames
        sa.Index("ix_login_failure_username", "username"),  # an administrator unlocks a user
        sa.Index("ix_login_failure_at", "at"),  # the housekeeping forgets old ones
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(64))
    username: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ActionReply(Base):
    """The first successful reply to an action sent with an Idempotency-Key.

    Written in the action's own transaction, so a resent request finds either nothing (the
    action did not happen) or the reply (it did, exactly once).
    """

    __tablename__ = "action_reply"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(128), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # Housekeeping forgets replies older than a month by this.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class ReportDay(Base):
    """A business day whose tickets are summarised in report_day_figures, for every centre.

    Written once the day is over (tickets of a past business day no longer change); never
    rewritten, so a change to an old ticket after that does not reach the reports.
    """

    __tablename__ = "report_day"
    business_day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    summarised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ReportDayFigures(Base):
    """One day's tickets of one centre, added up along one dimension (server/report_days.py).

    Durations are kept as histograms of whole minutes ({"minutes": count}, JSON) plus exact sums
    of seconds, so reports over many days give the same averages and p90s as the tickets would.
    """

    __tablename__ = "report_day_figures"
    __table_args__ = (sa.Index("ix_report_day_figures_dimension_day", "dimension", "business_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(sa.ForeignKey("report_day.business_day"))
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"))
    dimension: Mapped[str] = mapped_column(sa.String(16))  # service, counter, officer or hour
    key: Mapped[int | None]  # the service, counter or officer id (none: not called), or the hour
    issued: Mapped[int]
    served: Mapped[int]
    no_show: Mapped[int]
    cancelled: Mapped[int]
    wait_seconds: Mapped[float] = mapped_column(sa.Float)
    wait_minutes: Mapped[dict[str, int]] = mapped_column(sa.JSON)  # rounded minutes, every call
    served_wait_minutes: Mapped[dict[str, int]] = mapped_column(sa.JSON)  # done tickets, rounded up
    service_seconds: Mapped[float] = mapped_column(sa.Float)
    service_minutes: Mapped[dict[str, int]] = mapped_column(sa.JSON)
    first_call_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # of done tickets
    last_finish_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# Indexes the reports read by (migration 0005). The dossier ones cover every column the
# dossier and satisfaction reports read, so a year is read from the indexes, not the wide rows.
sa.Index("ix_ticket_business_day", Ticket.business_day)  # the days not yet summarised (today)
sa.Index(
    "ix_dossier_received_report",
    Dossier.received_at,
    Dossier.centre_id,
    Dossier.procedure_id,
    Dossier.officer_id,
)
sa.Index(
    "ix_dossier_returned_report",
    Dossier.returned_at,
    Dossier.centre_id,
    Dossier.procedure_id,
    Dossier.officer_id,
    Dossier.ready_at,
    Dossier.due_at,
)
sa.Index("ix_dossier_status_due", Dossier.status, Dossier.due_at)  # overdue now
sa.Index(
    "ix_dossier_rated", Dossier.id, Dossier.centre_id, Dossier.procedure_id
)  # ratings joined to dossiers
