"""Dossier statuses and the overdue rule of the dossier API contract (DESIGN.md), shared by service and client."""

from __future__ import annotations

import datetime as dt
import enum
import math
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Status(str, enum.Enum):
    RECEIVED = "RECEIVED"
    PROCESSING = "PROCESSING"
    SUPPLEMENT_REQUIRED = "SUPPLEMENT_REQUIRED"
    COMPLETED = "COMPLETED"
    RETURNED = "RETURNED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


FINAL_STATUSES = frozenset({Status.COMPLETED, Status.RETURNED, Status.REJECTED, Status.WITHDRAWN})
RETURN_METHODS = ("IN_PERSON", "POST", "ONLINE")


def is_overdue(status: Status | str, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Overdue ("trễ hạn"): the due time has passed and the status is not final."""
    return due_at is not None and Status(status) not in FINAL_STATUSES and now > due_at


def days_late(due_at: dt.datetime, now: dt.datetime) -> int:
    """Started days past the due time (1 as soon as it is late), never below 0."""
    seconds = (now - due_at).total_seconds()
    return max(0, math.ceil(seconds / 86400))


def now_vn() -> dt.datetime:
    return dt.datetime.now(VN_TZ)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in Vietnam time, seconds precision: 2026-11-20T09:15:00+07:00."""
    return None if moment is None else moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()
