"""One reading of a message about procedures, used by every action (see reading.py)."""

from bot.understanding.reading import (
    ANSWER,
    CHOOSE,
    FOLLOW_UP,
    NO_PROCEDURE,
    NOT_IN_CATALOG,
    Candidate,
    Reading,
    read,
)
from bot.understanding.topics import TOPICS

__all__ = ["ANSWER", "CHOOSE", "FOLLOW_UP", "NO_PROCEDURE", "NOT_IN_CATALOG", "Candidate", "Reading", "read", "TOPICS"]
