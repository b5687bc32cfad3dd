"""String enums of the wire schema: the same values in the database, the API and the apps."""

from __future__ import annotations

import enum


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    # Moved to another service: it keeps its number and issue time and waits there.
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


class CounterStatus(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class PriorityPolicy(enum.StrEnum):
    STRICT = "strict"  # every waiting priority ticket goes first
    ONE_IN_N = "one_in_n"  # one priority ticket after each N normal ones


class TransferPosition(enum.StrEnum):
    FRONT = "front"
    BACK = "back"


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    OFFICER = "officer"


class DeviceKind(enum.StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    COUNTER = "counter"


class DossierStatus(enum.StrEnum):
    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    REFUSED = "refused"
    READY = "ready"
    RETURNED = "returned"


class Channel(enum.StrEnum):
    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"


class DocumentKind(enum.StrEnum):
    ORIGINAL = "original"
    CERTIFIED_COPY = "certified_copy"
    PHOTOCOPY = "photocopy"


class ReturnMethod(enum.StrEnum):
    COUNTER = "counter"
    POST = "post"


class Rating(enum.StrEnum):
    VERY_SATISFIED = "rat_hai_long"
    SATISFIED = "hai_long"
    DISSATISFIED = "khong_hai_long"


class OnlineLevel(enum.StrEnum):
    FULL = "toan_trinh"
    PARTIAL = "mot_phan"


class Timeliness(enum.StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
