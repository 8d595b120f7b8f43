"""Personal identifiers in free text: find them, replace them with typed placeholders (pure functions, no I/O).

What counts (Decree 13/2023/NĐ-CP, "dữ liệu cá nhân cơ bản"): citizen ID numbers (CCCD, 12 digits, starting with
the 0 of the province code; the old CMND, 9 digits), phone numbers (0 or +84/84, mobile or landline), e-mail
addresses, bank account and card numbers, and other long personal numbers (tax, social insurance). People type
them grouped with spaces, dots or dashes ("079 123 456 789", "0912.345.678", "+84 912 345 678").

What must stay: dossier codes (Thông tư 01/2018/TT-VPCP, ``000.00.12.H29-261120-0001``, found with the same
regex as the NLU), procedure codes (``1.001193``), amounts (``1.500.000 đồng``, dot-grouped thousands never start
with 0), dates, the hotline (``1800 1096``).

How: a number is a run of digit groups joined by single separators (dossier and procedure codes
set aside first). A label right before it ("số cccd của tôi
là", "sđt", "stk", "số thẻ") decides its kind; otherwise its shape does, over whole groups, longest first:
a Luhn-valid 13-19 digit card, a 12-digit number starting with 0 (CCCD), a phone number, 9 digits typed without
dots (CMND), a single run of 10+ digits (a personal number of some kind).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterator

from bot.dossier.codes import ENTITY_REGEX

CCCD, CMND, PHONE, EMAIL, ACCOUNT, CARD, NUMBER = "CCCD", "CMND", "SĐT", "EMAIL", "TÀI KHOẢN", "THẺ", "MÃ SỐ"
KINDS = (CCCD, CMND, PHONE, EMAIL, ACCOUNT, CARD, NUMBER)


def placeholder(kind: str) -> str:
    return f"[{kind}]"


@dataclass(frozen=True)
class Found:
    kind: str
    start: int  # the identifier itself
    end: int
    label_start: int  # where its label ("số cccd của tôi là") begins; == start when there is none


_DOSSIER_CODE_RE = re.compile(ENTITY_REGEX, re.IGNORECASE)
_PROCEDURE_CODE_RE = re.compile(r"(?<![\w.])\d\.\d{6}(?!\d)")  # 1.001193
_EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}(?![\w\-])")
# Digit groups joined by one space, dot or dash; an optional +84 / (+84) in front.
_RUN_RE = re.compile(r"(?<![\w.+\-/,])(?P<intl>\(?\+84\)?[ .\-]?)?\d+(?:[ .\-]\d+)*(?![\w/]|[.,]\d)")
_GROUP_RE = re.compile(r"\d+")
_BHYT_RE = re.compile(r"(?<!\w)[A-Za-z]{2}\d{13}(?!\w)")  # health insurance card: 2 letters + 13 digits
_CURRENCY_RE = re.compile(r"\s?(?:đ|đồng|dong|vnđ|vnd|k|nghìn|ngàn|nghin|ngan|triệu|trieu|tr)(?!\w)", re.IGNORECASE)

_OWNER = r"(?:cua\s+(?:toi|em|minh|tui|anh|chi|con|me|bo|ba|vo|chong|ong|ba)\s*)?"
_FILLER = _OWNER + r"(?:(?:la|:|#|=|so|moi|cu)\s*)*$"
_LABEL_RE = re.compile(
    r"(?<![a-z])(?:"
    r"(?P<id>(?:so\s*)?(?:cccd|cmnd|cmt|can cuoc(?:\s+cong\s+dan)?|chung minh(?:\s+nhan\s+dan|\s+thu)?"
    r"|(?:so\s+)?dinh danh(?:\s+ca\s+nhan)?))"
    r"|(?P<phone>(?:so\s*)?(?:sdt|sđt|dt|dien thoai|di dong|phone|tel|zalo|hotline ca nhan))"
    r"|(?P<account>(?:so\s*)?(?:stk|tk|tai khoan(?:\s+ngan\s+hang)?|account))"
    r"|(?P<card>(?:so\s*)?(?:the(?:\s+(?:atm|ngan\s+hang|tin\s+dung|ghi\s+no|visa|napas))?|card))"
    r"|(?P<number>ma so thue|mst|ma so bhxh|so so bhxh|bhxh|bhyt|ma so bao hiem(?:\s+xa\s+hoi)?))"
    r"\s*" + _FILLER
)
_LABEL_WINDOW = 48
_MAYBE_RE = re.compile(r"[\d@]")


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    lower = ch.lower()[:1] or ch
    return "d" if lower == "đ" else (unicodedata.normalize("NFD", lower)[:1] or lower)


def _fold_same_length(text: str) -> str:
    """Lower case without diacritics, one character for one character (so offsets stay valid)."""
    return "".join(map(_fold_char, text))


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(ch)) for ch in text if ch.isdigit())


def _phone_digits(digits: str, intl: bool) -> bool:
    if intl or (digits.startswith("84") and len(digits) in (11, 12) and not digits.startswith("840")):
        national = digits[2:] if digits.startswith("84") else digits
        national = national[1:] if national.startswith("0") else national
        return bool(re.fullmatch(r"[35789]\d{8}|2\d{9}", national))
    return bool(re.fullmatch(r"0[35789]\d{8}|02\d{9}", digits))


def _kind_by_shape(groups: list[str], seps: list[str], intl: bool) -> str | None:
    digits = "".join(groups)
    n = len(digits)
    if intl:
        return PHONE if _phone_digits(digits, True) else None
    if 13 <= n <= 19 and _luhn(digits) and (len(groups) == 1 or all(len(g) == 4 for g in groups[:-1])):
        return CARD
    if n == 12 and digits[0] == "0":
        return CCCD
    if _phone_digits(digits, False):
        return PHONE
    # Unlabelled 9 digits count as a CMND typed whole or in threes with spaces; "333-335-337" is a house number
    # range and "150.000.000" an amount.
    if n == 9 and (len(groups) == 1 or (all(s == " " for s in seps) and all(len(g) == 3 for g in groups))):
        return CMND
    if len(groups) == 1 and n >= 10:
        return NUMBER
    return None


def _label(folded: str, start: int) -> tuple[str, int] | None:
    window_start = max(0, start - _LABEL_WINDOW)
    match = _LABEL_RE.search(folded[window_start:start])
    if not match:
        return None
    kind = next(name for name, value in match.groupdict().items() if value)
    return kind, window_start + match.start()


def _labelled_kind(label: str, digits: str) -> str | None:
    n = len(digits)
    if label == "id" and n >= 8:
        return CMND if n == 9 else CCCD
    if label == "phone" and n >= 6:
        return PHONE
    if label == "account" and n >= 6:
        return ACCOUNT
    if label == "card" and n >= 12:
        return CARD
    if label == "number" and n >= 8:
        return NUMBER
    return None


def _numbers(text: str, folded: str, offset: int) -> Iterator[Found]:
    """Numbers in `text`, a segment starting at `offset` of the whole text whose folded copy is `folded`."""
    for run in _RUN_RE.finditer(text):
        if _CURRENCY_RE.match(text, run.end()):
            continue  # an amount: "150000000 đồng"
        start = run.start()
        intl = bool(run["intl"])
        body_start = run.start() + (len(run["intl"]) if intl else 0)
        spans = [
            (m.start() + body_start, m.end() + body_start) for m in _GROUP_RE.finditer(text[body_start : run.end()])
        ]
        groups = [_ascii_digits(text[a:b]) for a, b in spans]
        seps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        label = _label(folded, start + offset)
        i = 0
        if label is not None:
            # The label names the first number of the run: the most leading groups that fit in 19 digits.
            for j in range(len(groups), 0, -1):
                kind = _labelled_kind(label[0], "".join(groups[:j])) if len("".join(groups[:j])) <= 19 else None
                if kind is not None:
                    yield Found(kind, start + offset, spans[j - 1][1] + offset, label[1])
                    i = j
                    break
        # The rest by shape: longest whole-group span first, left to right.
        while i < len(groups):
            for j in range(len(groups), i, -1):
                kind = _kind_by_shape(groups[i:j], seps[i : j - 1], intl and i == 0)
                if kind is not None:
                    a = start if i == 0 else spans[i][0]
                    inner_label = _label(folded, a + offset) if i else None
                    yield Found(
                        kind, a + offset, spans[j - 1][1] + offset, inner_label[1] if inner_label else a + offset
                    )
                    i = j
                    break
            else:
                i += 1


def _free_segments(text: str, taken: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    position = 0
    for a, b in sorted(taken):
        if a > position:
            yield position, a
        position = max(position, b)
    if position < len(text):
        yield position, len(text)


def find(text: str | None) -> list[Found]:
    """Every identifier in the text, in order of appearance."""
    if not text or not _MAYBE_RE.search(text):
        return []  # no digit and no "@": nothing to look for (most strings of an event)
    found = [Found(EMAIL, m.start(), m.end(), m.start()) for m in _EMAIL_RE.finditer(text)]
    protected = [(m.start(), m.end()) for regex in (_DOSSIER_CODE_RE, _PROCEDURE_CODE_RE) for m in regex.finditer(text)]
    taken = protected + [(f.start, f.end) for f in found]
    folded = _fold_same_length(text)
    for a, b in list(_free_segments(text, taken)):
        segment = text[a:b]
        found += [Found(NUMBER, m.start() + a, m.end() + a, m.start() + a) for m in _BHYT_RE.finditer(segment)]
    taken = protected + [(f.start, f.end) for f in found]
    for a, b in list(_free_segments(text, taken)):
        # Labels are looked up in the whole folded text, so "sđt: " before a segment still counts.
        for item in _numbers(text[a:b], folded[:b], a):
            found.append(item)
    found.sort(key=lambda f: f.start)
    return found


def _fix_label_offsets(found: list[Found]) -> list[Found]:
    """A label never reaches back over an earlier identifier."""
    fixed, previous_end = [], 0
    for item in found:
        fixed.append(Found(item.kind, item.start, item.end, max(item.label_start, previous_end)))
        previous_end = item.end
    return fixed


def redact(text: str | None) -> str | None:
    """The text with each identifier replaced by its placeholder ([CCCD], [SĐT] ...); idempotent."""
    if not text:
        return text
    out, position = [], 0
    for item in find(text):
        out += [text[position : item.start], placeholder(item.kind)]
        position = item.end
    out.append(text[position:])
    return "".join(out)


def kinds(text: str | None) -> list[str]:
    """The kinds of identifiers in the text, in KINDS order, each once."""
    present = {item.kind for item in find(text)}
    return [kind for kind in KINDS if kind in present]


def without_identifiers(text: str | None) -> str:
    """The text minus each identifier and its label: what is left to understand ("tôi muốn hỏi hồ sơ")."""
    if not text:
        return text or ""
    out, position = [], 0
    for item in _fix_label_offsets(find(text)):
        out.append(text[position : item.label_start])
        position = item.end
    out.append(text[position:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def redact_data(value: Any) -> Any:
    """Every string inside dicts and lists redacted; keys, numbers and other values unchanged."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_data(item) for item in value]
    return value


def mask(text: str | None) -> str | None:
    """For log lines: the same redaction (one masking function for logs and storage)."""
    return redact(text)
