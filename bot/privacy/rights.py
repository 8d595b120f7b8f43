"""The person's rights (Decree 13/2023/NĐ-CP, art. 9): to get a copy of, and to delete, what is held about them.

What is held per conversation (sender id such as `telegram:123`, `zalo:456`, `web:…`): the conversation events
(tracker store, identifiers already replaced), dossier subscriptions, and complaints (bot/ops/complaints.py: the
contact details given with consent and the link to the conversation are deleted; the masked complaint stays as the
city's record). Satisfaction ratings carry no sender id (bot/feedback.py), so they are not anybody's data and stay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from bot.dossier.subscriptions import SubscriptionStore
from bot.privacy import database
from bot.privacy.settings import PrivacySettings


def _complaints():
    from bot.ops.complaints import ComplaintStore
    from bot.ops.db import ops_engine

    return ComplaintStore(ops_engine())


def forget(settings: PrivacySettings, sender_id: str) -> dict:
    """Delete the conversation, the subscriptions and the complaint contact details of one person; returns how
    many of each."""
    events = database.forget(database.engine_for(settings.events_url), sender_id)
    subscriptions = SubscriptionStore(settings.subscriptions_db).unsubscribe(sender_id)
    complaints = _complaints().forget_sender(sender_id)
    return {
        "sender_id": sender_id,
        "events": events,
        "dossier_subscriptions": subscriptions,
        "complaints_contact_deleted": complaints,
    }


def forget_subscriptions(settings: PrivacySettings, sender_id: str) -> int:
    """The in-chat deletion's part outside the tracker store (which deletes the events itself): subscriptions
    and complaint contact details."""
    _complaints().forget_sender(sender_id)
    return SubscriptionStore(settings.subscriptions_db).unsubscribe(sender_id)


def export(settings: PrivacySettings, sender_id: str) -> dict:
    """Everything held about one person, as JSON-ready data."""
    subscriptions = SubscriptionStore(settings.subscriptions_db).for_sender(sender_id)
    return {
        "sender_id": sender_id,
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "retention_days": settings.retention_days,
        "conversation_events": database.events_of(database.engine_for(settings.events_url), sender_id),
        "dossier_subscriptions": [asdict(s) for s in subscriptions],
        "complaints": [
            {
                "reference": c.reference,
                "created_at": c.created_at,
                "category": c.category,
                "description": c.description,
                "contact": c.contact,
                "status": c.status,
            }
            for c in _complaints().of_sender(sender_id)
        ],
        "satisfaction_ratings": "kept without any link to a person (time, channel, rating, procedure)",
    }
