"""Complaints (phản ánh, kiến nghị): what a citizen reports in the chat, kept in SQL until an operator handles it.

Stored in the operations database (bot/ops/db.py: SQLite var/ops.sqlite, or PostgreSQL with DATABASE_URL). The
description is kept with personal identifiers replaced (bot/privacy/redact.py); a contact (phone or e-mail) is kept
only when the person consented, for the operator's call-back, and is never logged or echoed in full. The sender id
is kept so the citizen can be told when the complaint is handled (bot/ops/delivery.py).

Command line for operators: `python -m bot.ops.complaints list|show|handle|notify` (see main()).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
import yaml

from bot.privacy import redact
from bot.vntext import fold

DATA_FILE = Path(__file__).with_name("data") / "complaints.yml"
OPEN, HANDLED = "open", "handled"
MAX_DESCRIPTION = 10_000  # characters kept; a longer text is cut there (the person is told)
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
REFERENCE_RE = re.compile(r"(?<![A-Za-z0-9])PA[- ]?([A-Za-z0-9]{6})(?![A-Za-z0-9])", re.IGNORECASE)

metadata = sa.MetaData()
complaints = sa.Table(
    "complaints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("created_at", sa.String(32), nullable=False),  # UTC, ISO 8601
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("sender_id", sa.String(255), nullable=False),  # to tell the citizen when handled
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("dossier_code", sa.String(64)),
    sa.Column("dossier_status", sa.String(32)),
    sa.Column("dossier_overdue", sa.Boolean),
    sa.Column("agency", sa.String(255)),
    sa.Column("description", sa.Text, nullable=False),  # identifiers replaced
    sa.Column("contact", sa.String(255)),  # only with consent
    sa.Column("status", sa.String(16), nullable=False, default=OPEN),
    sa.Column("handled_at", sa.String(32)),
    sa.Column("handler_note", sa.Text),
    sa.Column("notified_at", sa.String(32)),  # when the handled notice reached the citizen's channel
)


@functools.lru_cache(maxsize=1)
def data() -> dict:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def categories() -> dict[str, str]:
    """Category code -> Vietnamese label, in the order offered."""
    return {code: spec["label"] for code, spec in data()["categories"].items()}


def _has_phrase(folded: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded) is not None


def category_in(text: Optional[str]) -> Optional[str]:
    """The category a message names ("hồ sơ trễ hạn" -> late_dossier), by its longest cue; None when none."""
    folded = fold(text or "")
    best, length = None, 0
    for code, spec in data()["categories"].items():
        for cue in [fold(spec["label"]), *spec["cues"]]:
            if len(cue) > length and _has_phrase(folded, cue):
                best, length = code, len(cue)
    return best


def about_delay(text: Optional[str]) -> bool:
    """Whether the message speaks of complaining about a delay ("trễ hẹn rồi thì em phản ánh ở đâu")."""
    folded = fold(text or "")
    return any(_has_phrase(folded, phrase) for phrase in data()["about_delay"])


def answer_in(text: Optional[str], kind: str) -> bool:
    """Whether the message is one of the `kind` answers (agree, refuse, none, cancel) of the data file."""
    folded = re.sub(r"[^\w\s]", " ", fold(text or ""))
    folded = re.sub(r"\s+", " ", folded).strip()
    return folded in data()["answers"][kind]


def contact_in(text: Optional[str]) -> Optional[str]:
    """The first phone number or e-mail address in the text, as typed; None when there is none."""
    for found in redact.find(text):
        if found.kind in (redact.PHONE, redact.EMAIL):
            return text[found.start : found.end]
    return None


def contact_kind(contact: Optional[str]) -> Optional[str]:
    kinds = redact.kinds(contact)
    return kinds[0] if kinds else None


def find_reference(text: Optional[str]) -> Optional[str]:
    match = REFERENCE_RE.search(text or "")
    return f"PA-{match.group(1).upper()}" if match else None


def new_reference() -> str:
    return "PA-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def clean_description(text: Optional[str]) -> tuple[str, bool]:
    """(what is stored, whether it was cut): identifiers replaced, kept as plain text (never interpreted)."""
    cleaned = redact.redact((text or "").strip()) or ""
    return cleaned[:MAX_DESCRIPTION], len(cleaned) > MAX_DESCRIPTION


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Complaint:
    reference: str
    created_at: str
    channel: str
    sender_id: str
    category: str
    description: str
    status: str
    dossier_code: Optional[str] = None
    dossier_status: Optional[str] = None
    dossier_overdue: Optional[bool] = None
    agency: Optional[str] = None
    contact: Optional[str] = None
    handled_at: Optional[str] = None
    handler_note: Optional[str] = None
    notified_at: Optional[str] = None
    id: Optional[int] = None

    def public(self) -> dict:
        """For listings and logs: the contact replaced by its kind, the sender by its channel."""
        row = {k: v for k, v in self.__dict__.items() if k not in ("sender_id", "contact")}
        row["contact"] = redact.placeholder(contact_kind(self.contact)) if self.contact else None
        return row


class ComplaintStore:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[complaints])

    def create(
        self,
        *,
        sender_id: str,
        channel: str,
        category: str,
        description: str,
        contact: Optional[str] = None,
        dossier_code: Optional[str] = None,
        dossier_status: Optional[str] = None,
        dossier_overdue: Optional[bool] = None,
        agency: Optional[str] = None,
        created_at: Optional[str] = None,
    ) -> Complaint:
        if category not in categories():
            raise ValueError(f"unknown category {category!r}")
        stored, _ = clean_description(description)
        if contact is not None and contact_kind(contact) not in (redact.PHONE, redact.EMAIL):
            raise ValueError("a contact is a phone number or an e-mail address")
        for _ in range(5):
            reference = new_reference()
            values = dict(
                reference=reference,
                created_at=created_at or _now(),
                channel=channel,
                sender_id=sender_id,
                category=category,
                description=stored,
                contact=contact,
                dossier_code=dossier_code,
                dossier_status=dossier_status,
                dossier_overdue=dossier_overdue,
                agency=agency,
                status=OPEN,
            )
            try:
                with self.engine.begin() as connection:
                    connection.execute(complaints.insert().values(**values))
            except sa.exc.IntegrityError:
                continue  # the same random reference twice: draw another
            return self.get(reference)
        raise RuntimeError("could not draw a free complaint reference")

    def get(self, reference: Optional[str]) -> Optional[Complaint]:
        reference = find_reference(reference)
        if not reference:
            return None
        with self.engine.begin() as connection:
            row = connection.execute(complaints.select().where(complaints.c.reference == reference)).mappings().first()
        return Complaint(**row) if row else None

    def list(
        self,
        status: Optional[str] = None,
        category: Optional[str] = None,
        since: Optional[str] = None,
        limit: int = 200,
    ) -> list[Complaint]:
        query = complaints.select().order_by(complaints.c.created_at.desc(), complaints.c.id.desc()).limit(limit)
        if status:
            query = query.where(complaints.c.status == status)
        if category:
            query = query.where(complaints.c.category == category)
        if since:
            query = query.where(complaints.c.created_at >= since)
        with self.engine.begin() as connection:
            return [Complaint(**row) for row in connection.execute(query).mappings()]

    def handle(self, reference: str, note: str) -> Optional[Complaint]:
        """Mark handled with the operator's note (identifiers in the note replaced); None when unknown."""
        complaint = self.get(reference)
        if complaint is None:
            return None
        with self.engine.begin() as connection:
            connection.execute(
                complaints.update()
                .where(complaints.c.reference == complaint.reference)
                .values(
                    status=HANDLED,
                    handled_at=_now(),
                    handler_note=redact.redact(note.strip()) or None,
                    notified_at=None,
                )
            )
        return self.get(complaint.reference)

    def of_sender(self, sender_id: str) -> list[Complaint]:
        with self.engine.begin() as connection:
            return [
                Complaint(**row)
                for row in connection.execute(complaints.select().where(complaints.c.sender_id == sender_id)).mappings()
            ]

    def forget_sender(self, sender_id: str) -> int:
        """The person's right to deletion: their contact details and the link to their conversation go; the
        complaint itself (category, masked description, handling) stays as the city's record. Returns how many."""
        with self.engine.begin() as connection:
            result = connection.execute(
                complaints.update()
                .where(complaints.c.sender_id == sender_id)
                .values(
                    contact=None, sender_id="forgotten", notified_at=sa.func.coalesce(complaints.c.notified_at, _now())
                )
            )
        return result.rowcount or 0

    def pending_notices(self) -> list[Complaint]:
        query = complaints.select().where(complaints.c.status == HANDLED, complaints.c.notified_at.is_(None))
        with self.engine.begin() as connection:
            return [Complaint(**row) for row in connection.execute(query).mappings()]

    def mark_notified(self, reference: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                complaints.update().where(complaints.c.reference == reference).values(notified_at=_now())
            )


def main(argv: Optional[list] = None) -> int:
    """python -m bot.ops.complaints list [--status open|handled] [--category C] [--days N] | show REF |
    handle REF --note TEXT | notify   (JSON out; exit 1 when the reference is unknown)."""
    import argparse
    import json
    import logging
    import os

    from bot.channels.push import Push
    from bot.ops import notices
    from bot.ops.db import ops_engine

    parser = argparse.ArgumentParser(prog="python -m bot.ops.complaints", description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=None, help="database URL or SQLite path (default: see bot/ops/db.py)")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="complaints, newest first")
    listing.add_argument("--status", choices=[OPEN, HANDLED])
    listing.add_argument("--category", choices=list(categories()))
    listing.add_argument("--days", type=int, default=None)
    sub.add_parser("show", help="one complaint").add_argument("reference")
    handle = sub.add_parser("handle", help="mark handled with a note; the citizen is told on their channel")
    handle.add_argument("reference")
    handle.add_argument("--note", required=True)
    sub.add_parser("notify", help="deliver the handled notices not delivered yet")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s %(message)s")
    from bot.ops.db import engine

    store = ComplaintStore(engine(args.db) if args.db else ops_engine())

    def out(value) -> None:
        print(json.dumps(value, ensure_ascii=False, indent=1))

    if args.command == "list":
        since = None
        if args.days is not None:
            since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=args.days)).isoformat(timespec="seconds")
        out([c.public() for c in store.list(args.status, args.category, since)])
        return 0
    if args.command in ("show", "handle"):
        complaint = store.get(args.reference) if args.command == "show" else store.handle(args.reference, args.note)
        if complaint is None:
            out({"error": "not_found", "reference": args.reference})
            return 1
        result = complaint.public()
        if args.command == "handle":
            delivered, pending = notices.deliver_pending(store, Push.from_env())
            result.update(notified=store.get(complaint.reference).notified_at is not None, pending_notices=pending)
        out(result)
        return 0
    delivered, pending = notices.deliver_pending(store, Push.from_env())
    out({"delivered": delivered, "pending": pending})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
