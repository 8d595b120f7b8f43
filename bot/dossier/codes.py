"""Dossier code parsing (pure, no I/O).

Codes follow Thông tư 01/2018/TT-VPCP (receipt codes of the one-stop shop):
``<agency code>-<YYMMDD>-<4-digit sequence>``, the agency code being the unit's code from QCVN 102:2016/BTTTT
written as four dotted groups ``NNN.NN.NN.XNN`` (e.g. ``000.00.12.H29``).

What a person may type and we still accept (the result is always the canonical upper-case code):
- any letter case (``h29`` -> ``H29``), surrounding spaces, quotes, brackets and sentence punctuation;
- spaces around the dashes and the dots (``000.00.12.H29 - 261120 - 0001``);
- en dash, em dash, minus sign or underscore instead of ``-`` (phone keyboards autocorrect dashes);
- the leading zero group left out: ``00.12.H29-261120-0001`` -> ``000.00.12.H29-261120-0001``
  (only that: three groups ``NN.NN.XNN``; any other missing or short group is rejected);
- a code inside a sentence (``find_code``).
What we reject, each with a reason (``CodeError``): no code at all, a malformed agency code, a date that is not a
calendar date or lies in the future, a sequence shorter or longer than 4 digits, a part missing.
We do not pad a short sequence (``-1`` -> ``-0001``): people copy the code from a receipt, and guessing
would show somebody else's dossier.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

AGENCY_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
SHORT_AGENCY_RE = re.compile(r"^\d{2}\.\d{2}\.[A-Z]\d{2}$")  # leading "000." left out
CANONICAL_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212_"
# Loose shape of something meant as a code: dotted groups, then two dash-separated digit runs.
_CANDIDATE_RE = re.compile(
    r"(?<![0-9A-Z.])"
    r"(?P<agency>[0-9A-Z]{1,4}(?:\.[0-9A-Z]{1,4}){1,5})"
    r"-(?P<date>\d{1,12})"
    r"(?:-(?P<seq>\d{1,8}))?"
    r"(?![0-9A-Z])"
)
# Regex for Rasa's RegexEntityExtractor (case-insensitive there): permissive on purpose so that wrong
# codes become an entity too and the bot can explain what is wrong.
ENTITY_REGEX = (
    r"(\d{1,3}\s?\.\s?)?\d{2}\s?\.\s?\d{1,2}\s?\.\s?[a-zA-Z]\d{2}"
    r"\s{0,2}[-–—_]\s{0,2}\d{4,8}(\s{0,2}[-–—_]\s{0,2}\d{1,6})?"
)


class CodeError(str, enum.Enum):
    """Why a text is not a valid dossier code; the value is the key used in responses."""

    NO_CODE = "no_code"
    BAD_AGENCY = "bad_agency"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    SEQUENCE_TOO_SHORT = "sequence_too_short"
    SEQUENCE_TOO_LONG = "sequence_too_long"
    MISSING_PART = "missing_part"


@dataclass(frozen=True)
class ParseResult:
    code: str | None = None  # canonical code when valid
    error: CodeError | None = None
    candidate: str | None = None  # the cleaned text we looked at (for messages and logs)

    @property
    def ok(self) -> bool:
        return self.code is not None


def _clean(text: str, join_dots: bool = False) -> str:
    """Upper case NFKC text, dash variants unified, spaces around dashes (and dots if asked) removed."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    for ch in _DASHES:
        text = text.replace(ch, "-")
    text = re.sub(r"\s*-\s*", "-", text)
    if join_dots:
        text = re.sub(r"(?<=[0-9A-Z])\s*\.\s*(?=[0-9A-Z])", ".", text)
    return text


def _check_date(yymmdd: str, today: dt.date | None) -> CodeError | None:
    if len(yymmdd) != 6:
        return CodeError.BAD_DATE
    try:
        day = dt.date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        return CodeError.BAD_DATE
    # One day of slack: the receipt is dated in Vietnam time, the caller's "today" may be UTC.
    if today is not None and day > today + dt.timedelta(days=1):
        return CodeError.FUTURE_DATE
    return None


def _validate(agency: str, date: str | None, seq: str | None, today: dt.date | None) -> ParseResult:
    candidate = "-".join(p for p in (agency, date, seq) if p is not None)
    if SHORT_AGENCY_RE.match(agency):
        agency = "000." + agency
    if not AGENCY_RE.match(agency):
        return ParseResult(error=CodeError.BAD_AGENCY, candidate=candidate)
    if date is None or seq is None:
        return ParseResult(error=CodeError.MISSING_PART, candidate=candidate)
    date_error = _check_date(date, today)
    if date_error:
        return ParseResult(error=date_error, candidate=candidate)
    if len(seq) < 4:
        return ParseResult(error=CodeError.SEQUENCE_TOO_SHORT, candidate=candidate)
    if len(seq) > 4:
        return ParseResult(error=CodeError.SEQUENCE_TOO_LONG, candidate=candidate)
    return ParseResult(code=f"{agency}-{date}-{seq}", candidate=candidate)


def find_code(text: str | None, today: dt.date | None = None) -> ParseResult:
    """The first valid code in a sentence; else the error of the first code-like part; else NO_CODE.

    `today` enables the future-date check (pass the current date in Vietnam).
    """
    first_error: ParseResult | None = None
    # Spaces around dots are joined only in a second pass: "hồ sơ số 5. 000.00..." must not glue "5.".
    for join_dots in (False, True):
        for match in _CANDIDATE_RE.finditer(_clean(text or "", join_dots)):
            result = _validate(match["agency"], match["date"], match["seq"], today)
            if result.ok:
                return result
            if first_error is None and _looks_meant_as_code(match):
                first_error = result
    return first_error or ParseResult(error=CodeError.NO_CODE)


def _looks_meant_as_code(match: re.Match) -> bool:
    # "1.001193-..." could be a procedure code in prose; count it only with a letter group or 3+ groups.
    groups = match["agency"].split(".")
    return len(groups) >= 3 or any(g[:1].isalpha() for g in groups)


def parse_code(text: str | None, today: dt.date | None = None) -> ParseResult:
    """Parse a text that should be just a code (a form answer, an API path, a CLI argument)."""
    cleaned = _clean(text or "", join_dots=True).strip(" \t\r\n\"'“”‘’`.,;:!?()[]{}<>")
    if not cleaned:
        return ParseResult(error=CodeError.NO_CODE)
    match = _CANDIDATE_RE.fullmatch(cleaned)
    if match is None:
        found = find_code(text, today)
        if found.ok or found.error is not CodeError.NO_CODE:
            return found
        return ParseResult(error=CodeError.NO_CODE, candidate=cleaned)
    return _validate(match["agency"], match["date"], match["seq"], today)


def is_canonical(code: str) -> bool:
    return bool(CANONICAL_RE.match(code or ""))


def mask_code(code: str) -> str:
    """Code with the sequence hidden, for logs: 000.00.12.H29-261120-****."""
    head, sep, _ = (code or "").rpartition("-")
    return f"{head}{sep}****" if sep else "****"
