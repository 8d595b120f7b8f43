"""Telling citizens their complaint was handled, through the same delivery path as dossier notifications
(bot/channels/push.py: Rasa's trigger_intent, then the Telegram bridge's /notify for Telegram; Zalo through Rasa).

A notice counts as sent only once delivered (`notified_at` set); a failure leaves it pending for the next
`python -m bot.ops.complaints notify` (also run after every `handle`).
"""

from __future__ import annotations

import logging

from bot.channels.push import Push
from bot.ops.complaints import ComplaintStore

logger = logging.getLogger(__name__)
INTENT = "EXTERNAL_complaint_handled"
ENTITY = "complaint_reference"


def deliver_pending(store: ComplaintStore, push: Push) -> tuple[int, int]:
    """(delivered, still pending) after one round over every handled complaint not yet told."""
    push.new_round()
    delivered = pending = 0
    for complaint in store.pending_notices():
        if push.deliver(complaint.sender_id, INTENT, {ENTITY: complaint.reference}, complaint.reference):
            store.mark_notified(complaint.reference)
            delivered += 1
        else:
            pending += 1
    if pending:
        logger.warning(
            "%d handled complaint notice(s) not delivered; retry with `python -m bot.ops.complaints notify`", pending
        )
    return delivered, pending
