"""The one renderer of a catalog record: the only place a record (schema in bot/catalog/__init__.py) becomes text.

Used by the chat answers (actions/procedures.py via `answer`), the guided filing (bot/guide/steps.py) and the web
pages (bot/web). Pure functions on plain dicts, no Rasa; short word fragments come from bot/catalog/texts.yml,
whole chat sentences are domain responses (`answer` returns their names and variables).

    from bot.catalog import load_catalog, render
    record = load_catalog().get("1.004194")
    render.answer(record, "fee")           # [Answer("utter_procedure_fee", {...})]
    render.documents_text(record)           # chat list: 8 papers, names cut at 220 characters
    render.documents_text(record, limit=None, chars=None)   # in full (web page, print)
    render.post_return(record), render.online_payment(record)   # postal return, paying online
    render.zalo_messages(record)            # plain text in messages of at most 2,000 characters

Tested in tests/catalog/test_render.py on the hard records the parser tests name.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from bot import portal
from bot.catalog import cases, deadlines, fees, legal, names
from bot.catalog.parse import stated_amounts, step_kinds
from bot.vntext import fold

TEXTS_FILE = Path(__file__).with_name("texts.yml")

FULL, PARTIAL, NONE = "full", "partial", "none"
# Chat messages stay short; pages pass limit=None / chars=None to show everything.
MAX_LIST_ITEMS = 8
MAX_STEPS = 6
MAX_DEADLINES = 3
MAX_ITEM_CHARS = 220
MAX_STEP_CHARS = 300
MAX_CASE_CHARS = 400  # one case of a processing time ("Đối với trường hợp …: 15 ngày …")
MAX_TEXT_CHARS = 700
NOTE_CHARS = 250
ZALO_MESSAGE_CHARS = 2000

# Document groups every applicant prepares (not alternatives to choose between), by folded case name prefix.
_COMMON_CASE_PREFIXES = (
    "giay to phai",
    "cac giay to phai",
    "luu y",
    "thanh phan ho so",
    "a) thanh phan ho so",
    "bao gom",
)
# A note of a channel that says when to come ("giờ hành chính", "thứ 2 đến thứ 6", "sáng thứ 7").
_HOURS_RE = re.compile(r"\bgio\b|\bthu (?:2|hai)\b|\bsang thu 7\b")
# "Bước 1:", "Bước 2.", "2. " — the list is numbered already.
_STEP_PREFIX_RE = re.compile(r"^\s*(?:Bước\s*\d+\s*[:.)-]?|\d{1,2}\s*[.)])\s*", re.IGNORECASE)
# "*) " and "(*) " before a case heading.
_CASE_MARK_RE = re.compile(r"^\s*(?:\(\*\)|\*\))\s*")
# The record's texts saying the result comes back by post ("nhận kết quả qua dịch vụ bưu chính", "trả giấy phép
# ... thông qua dịch vụ bưu chính", "gửi hồ sơ và nhận kết quả qua đường bưu điện"), folded.
_POST_RESULT_RE = re.compile(
    r"\b(?:nhan|tra|gui|chuyen)\b[^.;:\n]{0,80}?\bqua\b[^.;:\n]{0,25}?\b(?:buu chinh|buu dien)\b"
)
# Folded first words of a document row that names a paper (after "1.", "b)", "+" labels).
_PAPER_START_RE = re.compile(
    r"^(?:[-+*•]\s*|\d{1,2}[.)]\s*|[a-zđ]\)\s*)*(?!so luong|so bo)(?:giay|ban sao|ban chinh|ban chup|ban khai|"
    r"van ban|don|to khai|to trinh|ho so|hop dong|chung tu|hoa don|van tai don|bien lai|thong bao|bao cao|"
    r"quyet dinh|danh sach|tai lieu|thong tin|xuat trinh|so |phieu|chung chi|bang|du an|ke hoach|de an|phuong an|"
    r"bien ban|anh|the |ho chieu|cong van|mau |phu luc|chung nhan)"
)
# Words of an explanation rather than a paper ("… thì …", "… có trách nhiệm kiểm tra").
_NOTE_WORDS_RE = re.compile(
    r"\b(?:thi|phai duoc|phai bao dam|co trach nhiem|co quyen|khong phai nop|chi ap dung|duoc nop sau|"
    r"phai nop truoc)\b"
)
# Folded texts saying something is paid, and that it can be paid online; a "không"/"miễn" just before negates.
_PAYMENT_DUE_RE = re.compile(
    r"\b(?:nop|dong|thanh toan)(?: (?:tien|day du|cac khoan|tam ung|gia dich vu,?|va)){0,4} "
    r"(?:le phi|phi|an phi|tam ung an phi|gia dich vu)\b"
)
_NEGATED_RE = re.compile(r"\b(?:khong|mien|chua)\b")
_ONLINE_PAYMENT_RE = re.compile(
    r"thanh toan (?:\S+ ){0,3}truc tuyen|thanh toan dien tu|tien ich thanh toan|"
    r"(?:nop|dong) (?:tien )?(?:le phi|phi|an phi)(?: \S+){0,4} truc tuyen"
)
# A "post" channel that is an internal courier or document system, not the public postal service.
_INTERNAL_POST_RE = re.compile(r"\bgiao lien\b|he thong quan ly van ban")
_TRAILING_SEPARATORS_RE = re.compile(r"(?:\s*[;,/]\s*\.?)+$|(?<=\.)[;,/\s]+$")
_RESULT_WORDS_RE = re.compile(r"\b(?:ket qua|giay phep|giay chung nhan|the|van ban|quyet dinh)\b")


@functools.lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    """The renderer's word fragments (bot/catalog/texts.yml)."""
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def topic_label(topic: str) -> str:
    return texts()["topics"][topic]


# ---------------------------------------------------------------- text helpers


def shorten(text: str | None, limit: int | None) -> str:
    """Single-spaced text cut at a word boundary to at most `limit` characters ("…" appended when cut);
    `limit=None` keeps it whole."""
    text = " ".join((text or "").split())
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-") + "…"


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def bullet_list(items: Iterable[str], limit: int | None, max_chars: int | None, numbered: bool = False) -> str:
    """Lines "• item" (or "1. item"), at most `limit` of them, then "… và N mục khác"."""
    items = [shorten(i, max_chars) for i in items if i and i.strip()]
    shown = items if limit is None else items[:limit]
    lines = [f"{n}. {item}" if numbered else f"• {item}" for n, item in enumerate(shown, 1)]
    if len(items) > len(shown):
        lines.append(texts()["more_items"].format(n=len(items) - len(shown)))
    return "\n".join(lines)


def missing() -> str:
    return texts()["not_in_record"]


# ---------------------------------------------------------------- channels, fee, time, online level


def channels(record: dict, name: str) -> list[dict]:
    return [c for c in record.get("channels") or [] if c.get("channel") == name]


def channel_label(name: str | None) -> str:
    return texts()["channels"].get(name or "", name or "")


def channel_names(record: dict) -> str:
    names: list[str] = []
    for channel in record.get("channels") or []:
        label = texts()["channels"].get(channel.get("channel"))
        if label and label not in names:
            names.append(label)
    return ", ".join(names)


def provision_line(provision: dict, fee: dict, today: dt.date | None, chars: int | None = MAX_ITEM_CHARS) -> str:
    """One dated provision with its state at `today`: the clause and "đang áp dụng đến …" / "sẽ áp dụng từ …";
    an ended one as a short note ("Lưu ý: mức thu 115.000 đồng/lần cấp (…) đã hết hiệu lực từ 01/01/2026.")."""
    words = texts()["fee_provisions"]
    state = fees.status(provision, today)
    start, end = fees.day(provision.get("start")), fees.day(provision.get("end"))
    text = shorten(provision.get("text"), chars)
    if state == fees.ENDED:
        amount = provision.get("amount")
        effect = words["effects"][provision.get("effect") or "dated"].format(
            amount=fees.money(amount) if amount else "",
            unit=provision.get("unit") or "",
            percent=provision.get("percent"),
            text=text,
        )
        period = words["periods"]["range" if start else "until"].format(start=start, end=end)
        return words["ended"].format(effect=effect, period=period, after=fees.day_after(provision["end"]))
    if state == fees.UPCOMING:
        return words["upcoming"].format(text=text, start=start)
    if not end:
        return words["current_open"].format(text=text, start=start)
    base = {i["amount"]: i["unit"] for i in fee.get("stated") or []}
    if provision.get("effect") == "percent" and len(base) == 1 and provision.get("percent") is not None:
        [(amount, unit)] = base.items()
        paid = fees.money(amount * provision["percent"] // 100)
        return words["current_percent"].format(text=text, end=end, amount=paid, unit=unit)
    return words["current"].format(text=text, end=end)


def fee_lines(fee: dict | None, chars: int | None = MAX_ITEM_CHARS, today: dt.date | None = None) -> list[str]:
    """A channel's fee as lines: what the record says is charged, then each dated provision with its state. A fee
    imported before issue 14 (no `headline`) is its text as written."""
    if not fee:
        return []
    if "headline" not in fee:
        text = shorten(fee.get("text"), chars) or (texts()["free"] if fee.get("free") else "")
        return [text] if text else []
    out = [shorten(fee["headline"], chars)] if fee.get("headline") else []
    dated = [provision_line(p, fee, today, chars) for p in fee.get("provisions") or []]
    if not out and dated and all(fees.status(p, today) == fees.ENDED for p in fee["provisions"]):
        out.append(texts()["fee_provisions"]["no_current"])
    if not out and not dated and fee.get("free"):
        out.append(texts()["free"])
    return out + dated


def fee_value(fee: dict | None, chars: int | None = MAX_ITEM_CHARS, today: dt.date | None = None) -> str:
    """One channel's fee as the record states it (bot/catalog/fees.py): what is charged, never "Miễn phí" over a
    stated amount, then each dated provision judged at `today` (default: the real date); "" when unknown."""
    parts = fee_lines(fee, chars, today)
    if parts:
        return "\n".join(parts)
    amount = (fee or {}).get("amount")
    return texts()["amount"].format(amount=fees.money(int(amount))) if amount else ""


def is_local_fee(record: dict) -> bool:
    """The record's fee is set locally (provincial People's Council, "địa phương") or has no national amount."""
    return any((c.get("fee") or {}).get("local") for c in record.get("channels") or [])


def time_value(time: dict | None, chars: int | None = MAX_ITEM_CHARS) -> str:
    """One channel's processing time; a bare number says the unit is missing. When the record states a time per
    case or stage (`cases`), those statements with their case, never one of them as the general time."""
    if not time:
        return ""
    if time.get("cases"):
        limit = None if chars is None else max(chars, MAX_CASE_CHARS)
        lines = "\n".join(f"  – {shorten(case, limit)}" for case in time["cases"])
        head = texts()["time_by_case"]
        value = time.get("value")
        if time.get("text") and value is not None and value not in stated_amounts(time["cases"]):
            head = f"{shorten(time['text'], chars)}; {head}"  # the time cell says what the description does not
        return f"{head}\n{lines}"
    text = time.get("text") or " ".join(str(v) for v in (time.get("value"), time.get("unit")) if v not in (None, ""))
    text = shorten(text, chars)
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        text = f"{text} ({texts()['unit_missing']})"
    return text


def channel_values(
    record: dict, key: str, chars: int | None = MAX_ITEM_CHARS, today: dt.date | None = None
) -> list[tuple[str, str]]:
    """[(channel label, text)] for the channels whose `key` ("fee" or "time") is known."""
    values = []
    for channel in record.get("channels") or []:
        if key == "fee":
            text = fee_value(channel.get("fee"), chars, today)
        else:
            text = time_value(channel.get(key), chars)
        if text:
            values.append((channel_label(channel.get("channel")), text))
    return values


def per_channel(record: dict, key: str, chars: int | None = MAX_ITEM_CHARS, today: dt.date | None = None) -> str:
    """Fee or time per channel; one line when every channel says the same. Empty string when unknown."""
    values = channel_values(record, key, chars, today)
    if not values:
        return ""
    if len({text for _, text in values}) == 1:
        return values[0][1]
    if key == "time":  # channels listed once per case: one line per distinct time, with every channel it applies to
        values = _grouped(values)
    return "\n".join(f"• {label}: {text}".replace("\n", "\n  ") for label, text in values)


def _grouped(values: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """[(label, text)] with the labels of equal texts joined: "Trực tiếp, Dịch vụ bưu chính công ích"."""
    labels: dict[str, list[str]] = {}
    for label, text in values:
        if label not in labels.setdefault(text, []):
            labels[text].append(label)
    return [(", ".join(joined), text) for text, joined in labels.items()]


def fee_text(record: dict, channel: str, chars: int | None = MAX_ITEM_CHARS, today: dt.date | None = None) -> str:
    """Fee of `channel` as the record states it (distinct texts joined by "; "); "" when the record has none."""
    found: list[str] = []
    for item in channels(record, channel):
        text = fee_value(item.get("fee"), chars, today)
        if text and text not in found:
            found.append(text)
    return "; ".join(found)


def fee_payment_note(record: dict) -> str:
    """The guide's words after the fee: "may differ by locality" only for a fee set locally."""
    return texts()["fee_payment_note"]["local" if is_local_fee(record) else "national"]


def _charges(fee: dict | None) -> bool:
    """True when the record says money is due: not marked free, and an amount or a text is given."""
    return bool(fee) and not fee.get("free") and bool(fee.get("amount") or (fee.get("text") or "").strip())


def has_fee(record: dict, channel: str) -> bool:
    return any(_charges(item.get("fee")) for item in channels(record, channel))


# Vehicle registration and a few others name their level: "… thực hiện bằng dịch vụ công trực tuyến toàn trình",
# "… bằng dịch vụ công một phần hoặc trực tiếp". The name is the publisher's statement; the channel table may lag.
_NAMED_FULL_RE = re.compile(r"\b(?:truc tuyen|dich vu cong) toan trinh\b")
_NAMED_PARTIAL_RE = re.compile(r"\b(?:truc tuyen|dich vu cong) mot phan\b")


def named_level(record: dict) -> str | None:
    """The online level the record's name states (FULL / PARTIAL), None when it states none."""
    name = fold(record.get("name"))
    return FULL if _NAMED_FULL_RE.search(name) else PARTIAL if _NAMED_PARTIAL_RE.search(name) else None


def availability(record: dict) -> str:
    """full (toàn trình), partial (một phần) or none (in person / post only): the level the record's name states,
    else the catalog's online level (inferred from the channels and texts)."""
    named = named_level(record)
    level = (record.get("online") or {}).get("level")
    if named == FULL or (named == PARTIAL and level != FULL):
        return named
    if level in (FULL, PARTIAL, NONE):
        return level
    return PARTIAL if channels(record, "online") else NONE


def online_level_text(record: dict) -> str:
    return texts()["online_levels"][availability(record)]


def _rule(record: dict) -> str:
    return fold((record.get("online") or {}).get("rule"))


def online_payment_stated(record: dict) -> bool:
    """False when the catalog's rule says online payment is not mentioned for this procedure."""
    return "khong neu thanh toan truc tuyen" not in _rule(record)


def electronic_result(record: dict) -> bool:
    return availability(record) == FULL or "co tra ket qua dien tu" in _rule(record)


# ---------------------------------------------------------------- postal return, online payment (issue 12 item 5)


def post_return(record: dict) -> str:
    """Whether the result can come back by post: "channel" (the record has a post channel), "result" (its steps,
    results or channel notes say the result is returned by post), "internal" (its "post" channel is an internal
    courier or document system: "hệ thống giao liên", "hệ thống quản lý văn bản") or "none" (the record does not
    say)."""
    posts = channels(record, "post")
    if posts and all(_INTERNAL_POST_RE.search(fold(c.get("note"))) for c in posts):
        return "internal"
    if posts:
        return "channel"
    sources = list(record.get("steps") or []) + list(record.get("results") or [])
    sources += [c.get("note") or "" for c in record.get("channels") or []]
    for source in sources:
        for match in _POST_RESULT_RE.finditer(fold(source)):
            if _RESULT_WORDS_RE.search(match.group(0)):
                return "result"
    return "none"


def post_text(record: dict) -> str:
    return texts()["post"][post_return(record)]


def _payment_texts(record: dict) -> str:
    """The record's steps, channel notes and fee texts, folded: where it says what must be paid and how."""
    texts_ = list(record.get("steps") or [])
    for channel in record.get("channels") or []:
        texts_ += [channel.get("note") or "", (channel.get("fee") or {}).get("text") or ""]
    return fold(" ".join(texts_))


def payment_due(record: dict) -> bool:
    """The record's texts say a fee or charge is paid ("nộp tiền tạm ứng án phí", "thanh toán lệ phí", "đóng phí cấp
    bản sao", "đã nộp đầy đủ các khoản giá dịch vụ, lệ phí"), even when its fee cells say "Miễn phí"."""
    text = _payment_texts(record)
    return any(not _NEGATED_RE.search(text[max(0, m.start() - 25) : m.start()]) for m in _PAYMENT_DUE_RE.finditer(text))


def free_everywhere(record: dict) -> bool:
    """Every channel's fee is marked free, none charges, and no text says something is paid."""
    fees = [c.get("fee") for c in record.get("channels") or []]
    return bool(fees) and all(f and f.get("free") for f in fees) and not payment_due(record)


def online_payment(record: dict) -> str:
    """How the fee is paid when filing online: "no_online" (no online channel; "no_online_free" when nothing is
    paid), "online" (the rule or the record's texts say it can be paid online), "not_stated" (something is paid and
    online payment is not mentioned), "free" (nothing to pay) or "unknown"."""
    if availability(record) == NONE:
        return "no_online_free" if free_everywhere(record) else "no_online"
    fee_texts = fold(" ".join((c.get("fee") or {}).get("text") or "" for c in channels(record, "online")))
    if has_fee(record, "online"):
        # The catalog's rule vouches for online payment only from the portal's own cell; a "Miễn phí" cell whose
        # note charges (bot/catalog/fees.py) needs the texts to say so.
        vouched = online_payment_stated(record) and not fee_texts.startswith("mien phi")
        if vouched or "thanh toan truc tuyen" in fee_texts or _ONLINE_PAYMENT_RE.search(_payment_texts(record)):
            return "online"
        return "not_stated"
    if payment_due(record):  # "Miễn phí" in the fee cell, but the steps make the person pay (án phí, lệ phí)
        return "online" if _ONLINE_PAYMENT_RE.search(_payment_texts(record)) else "not_stated"
    if any((c.get("fee") or {}).get("free") for c in channels(record, "online")):
        return "free"
    return "unknown"


def payment_text(record: dict) -> str:
    return texts()["payment"][online_payment(record)]


def result_options(record: dict) -> list[str]:
    t = texts()["result_options"]
    options = []
    if electronic_result(record):
        options.append(t["online"])
    if post_return(record) in ("channel", "result"):
        options.append(t["post"])
    options.append(t["in_person"])
    return options


def in_person_parts(record: dict) -> list[str]:
    """What a "một phần" procedure may still need a visit for, from the catalog's online rule."""
    t = texts()["in_person_parts"]
    parts = []
    if has_fee(record, "online") and online_payment(record) != "online":
        parts.append(t["no_online_payment"])
    if not electronic_result(record):
        parts.append(t["no_e_result"])
    parts.append(t["originals"])
    return parts


# ---------------------------------------------------------------- documents


@dataclass
class Group:
    """Documents of one case of the record, explanatory rows left out."""

    case: str
    items: list[dict]
    common: bool  # prepared by everyone (e.g. "Giấy tờ phải nộp"), not one alternative among several
    number: int = 0  # 1-based among the alternatives, 0 for a common group


def is_note(item: dict) -> bool:
    """Rows listed with zero originals and zero copies explain something; they are not papers to bring, unless the
    row names a paper (customs and tax records put every paper at "0 bản chính" and the number in the name:
    "Vận tải đơn: 01 bản chụp", "Thông tin vụ/việc")."""
    zero = (
        not item.get("originals")
        and not item.get("copies")
        and re.match(r"^\s*0\b", item.get("quantity_text") or "") is not None
    )
    return zero and not names_paper(item.get("name"))


def names_paper(name: str | None) -> bool:
    """The row's text is a paper to bring ("Hóa đơn thương mại: 01 bản chụp"), not an explanation ("Trường hợp …
    thì …", "Bản chụp … phải bảo đảm rõ nét") nor a heading ("Giấy tờ phải nộp:")."""
    folded = fold(name).strip()
    return (
        _PAPER_START_RE.match(folded) is not None
        and _NOTE_WORDS_RE.search(folded) is None
        and not folded.endswith(":")
        and len(folded) < 400
    )


def groups(record: dict) -> list[Group]:
    """The record's document groups, the common ones first, then the alternatives with the common case first, the
    form first within each (rules in bot/catalog/cases.py); alternatives (at least two) numbered 1, 2 …"""
    found = []
    for case in record.get("documents") or []:
        items = [i for i in case.get("items") or [] if (i.get("name") or "").strip() and not is_note(i)]
        if not items:
            continue
        name = " ".join((case.get("case") or "").split())
        folded = fold(name)
        common = not folded or folded.startswith(_COMMON_CASE_PREFIXES)
        found.append(Group(name, items, common))
    ordered = cases.order_cases([(g.case, g.items) for g in found if not g.common])
    commons = [g for g in found if g.common]
    order = cases.order_commons([(g.case, g.items) for g in commons])
    result = [Group(commons[i].case, cases.sort_items(commons[i].items), True) for i in order]
    notes = [g for g in result if cases.is_note_group(g.case, g.items)]
    result = [g for g in result if g not in notes]
    result += [Group(label, cases.sort_items(items), False) for label, items in ordered] + notes
    alts = [g for g in result if not g.common]
    if len(alts) >= 2:
        for n, group in enumerate(alts, 1):
            group.number = n
    return result


def alternatives(record: dict, all_groups: list[Group] | None = None) -> list[Group]:
    """The cases a person picks one of (from `all_groups` when given); [] unless there are at least two."""
    return [g for g in (groups(record) if all_groups is None else all_groups) if g.number]


def quantity(item: dict) -> str:
    """ "1 bản chính", "1 bản sao" ... without the zero parts the portal lists ("0 bản chính,1 bản sao")."""
    parts = [p.strip() for p in (item.get("quantity_text") or "").split(",")]
    return ", ".join(p for p in parts if p and not re.match(r"^0\b", p))


def document_line(item: dict, chars: int | None = MAX_ITEM_CHARS) -> str:
    """ "• name (quantity)", then "— mẫu CT01" when the form's code is not in the (cut) name."""
    # The portal's cells end in leftover separators ("…Thông tư số 53/2025/TT-NHNN; ;", "…chi nhánh.;/").
    name = shorten(_TRAILING_SEPARATORS_RE.sub("", " ".join((item.get("name") or "").split())), chars)
    qty = quantity(item)
    line = f"• {name} ({qty})" if qty else f"• {name}"
    code = cases.form_code(item)
    if code and code not in name:
        line += " " + texts()["form_code"].format(code=code)
    return line


def group_heading(group: Group, chars: int | None = MAX_ITEM_CHARS) -> str:
    if group.number:
        return texts()["case_heading"].format(n=group.number, case=shorten(group.case, chars))
    return shorten(group.case, chars) or texts()["case_default"]


def documents_text(
    record: dict,
    case: int | None = None,
    limit: int | None = MAX_LIST_ITEMS,
    chars: int | None = MAX_ITEM_CHARS,
    more: str = "more_items",
    start: int = 0,
) -> str:
    """Documents as bullet lines under case headings; with `case` (1-based among alternatives) only the common
    groups and that case. From the `start`-th document (0-based, in `groups` order; "xem thêm" continues where the
    chat stopped), at most `limit` documents (None: all), then the `more` fragment ("… và N mục khác — gõ “liệt kê
    hết” …"); "" when the record lists none (or none is left after `start`)."""
    all_groups = groups(record)
    alts = alternatives(record, all_groups)
    chosen = alts[case - 1] if case and 1 <= case <= len(alts) else None
    shown_groups = [g for g in all_groups if chosen is None or not g.number or g is chosen]
    lines: list[str] = []
    position = shown = total = 0
    headed = len(shown_groups) > 1 or any(g.case for g in shown_groups)
    for group in shown_groups:
        total += len(group.items)
        window = group.items[max(0, start - position) :]
        position += len(group.items)
        take = window if limit is None else window[: max(0, limit - shown)]
        if not take:
            continue
        if headed:
            lines.append(group_heading(group, chars))
        lines.extend(document_line(item, chars) for item in take)
        shown += len(take)
    left = total - min(start, total) - shown
    if left > 0:
        lines.append(texts()[more].format(n=left))
    return "\n".join(lines)


def rest(record: dict, topic: str, start: int | None = None, case: int | None = None) -> list[str]:
    """What a chat answer about `topic` ("documents", "legal_basis", "result", "steps") left out, whole, in
    messages of at most ZALO_MESSAGE_CHARS characters, for "liệt kê hết" / "xem thêm": the items from `start`
    (default: the first one the answer did not show). [] when nothing is left."""
    if topic == "steps":  # numbered again under each case heading: the whole list, headings included
        kinds = step_kinds([s for s in record.get("steps") or [] if s and s.strip()])
        if sum(1 for kind in kinds if kind is None) <= (MAX_STEPS if start is None else start):
            return []
        return split_messages(steps_text(record, limit=None, chars=None))
    if topic == "documents":
        start = MAX_LIST_ITEMS if start is None else start
        body = documents_text(record, case=case, limit=None, chars=None, start=start)
        total = len([i for g in groups(record) if case is None or not g.number or g.number == case for i in g.items])
    else:
        items = {
            "legal_basis": lambda: legal_items(record, chars=None),
            "result": lambda: [r for r in record.get("results") or [] if r and r.strip()],
        }[topic]()
        start = MAX_LIST_ITEMS if start is None else start
        total = len(items)
        body = bullets(" ".join(i.split()) for i in items[start:])
    if not body or start >= total:
        return []
    heading = texts()["rest_heading"].format(first=start + 1, total=total)
    return split_messages(f"{heading}\n{body}")


def document_count(record: dict) -> int:
    return sum(len(g.items) for g in groups(record))


def forms(record: dict, chars: int | None = MAX_ITEM_CHARS) -> list[str]:
    """Names of the documents that come with a template (tờ khai, đơn ...), in record order, without repeats."""
    names: list[str] = []
    for group in groups(record):
        for item in group.items:
            name = shorten(item.get("name"), chars)
            if item.get("template") and name not in names:
                names.append(name)
    return names


# ---------------------------------------------------------------- where, when


def where_parts(record: dict, deciding: bool = True, chars: int | None = MAX_ITEM_CHARS) -> list[str]:
    """Agency, deciding agency (when asked and different), receiving address; else the levels of government."""
    t = texts()
    agency, deciding_agency = record.get("agency"), record.get("deciding_agency")
    address = record.get("receiving_address")
    parts = [shorten(agency, chars)] if agency else []
    if deciding and deciding_agency and fold(deciding_agency) != fold(agency):
        parts.append(f"{t['deciding_agency']}: {shorten(deciding_agency, chars)}")
    if address and fold(address) not in {fold(agency), fold(deciding_agency if deciding else None)}:
        parts.append(f"{t['receiving_address']}: {shorten(address, chars)}")
    if not parts and record.get("levels"):
        parts.append(agency_by_level(record))
    return parts


def agency_by_level(record: dict) -> str:
    """What the record says about who handles it when it names no agency: only its levels, said as such."""
    return texts()["agency_by_level"].format(levels=", ".join(record.get("levels") or []).lower())


def agency_text(record: dict, chars: int | None = MAX_ITEM_CHARS) -> str:
    """The chat's answer to "where": one bullet per part; "" when the record says nothing."""
    return bullets(where_parts(record, chars=chars))


def where_text(record: dict) -> str:
    """Agency and receiving address on one line (the guide), "chưa có trong dữ liệu" when unknown."""
    return "; ".join(where_parts(record, deciding=False)) or missing()


def hours_text(record: dict) -> str:
    """When the in-person desk receives dossiers, from the channel notes; a hedge when the record does not say."""
    for channel in channels(record, "in_person") + channels(record, "online"):
        note = channel.get("note") or ""
        if _HOURS_RE.search(fold(note)):
            return shorten(note.lstrip("- "), NOTE_CHARS)
    return texts()["hours_unknown"]


# ---------------------------------------------------------------- steps, results, legal basis


def steps_items(record: dict) -> list[str]:
    return [_STEP_PREFIX_RE.sub("", step) for step in record.get("steps") or [] if step and step.strip()]


def steps_text(record: dict, limit: int | None = MAX_STEPS, chars: int | None = MAX_STEP_CHARS) -> str:
    """Steps numbered 1, 2 … and numbered again after each case heading; headings ("Trường hợp 2: …", "a) Nộp hồ
    sơ TTHC:") unnumbered. At most `limit` steps (None: all), then "… và N mục khác"; "" when the record has none."""
    steps = [step for step in record.get("steps") or [] if step and step.strip()]
    kinds = step_kinds(steps)
    lines: list[str] = []
    number = shown = 0
    for step, kind in zip(steps, kinds):
        if limit is not None and shown >= limit:
            break
        text = _STEP_PREFIX_RE.sub("", step)
        if kind:
            heading = shorten(_CASE_MARK_RE.sub("", text), chars)
            lines.append(texts()["step_heading"].format(heading=heading))
            number = 0 if kind == "case" else number
            continue
        number += 1
        shown += 1
        lines.append(f"{number}. {shorten(text, chars)}")
    left = sum(1 for kind in kinds if kind is None) - shown
    if left > 0:
        lines.append(texts()["more_items"].format(n=left))
    return "\n".join(lines)


def legal_items(record: dict, chars: int | None = 90) -> list[str]:
    """ "Thông tư số 53/2025/TT-BCA ngày 01/07/2025 của Bộ Công an: <subject>" per document (bot.catalog.legal),
    the subject cut at `chars` (None: whole)."""
    items = []
    for doc in record.get("legal_basis") or []:
        text = legal.line(doc, chars, texts())
        if text and text not in items:
            items.append(text)
    return items


# ---------------------------------------------------------------- chat answers


@dataclass
class Answer:
    """One domain response to send, with its template variables."""

    response: str
    variables: dict[str, str] = field(default_factory=dict)


def display_name(record: dict) -> str:
    """The procedure's name for replies and buttons: at most about 80 characters, distinct within its field
    (record["short_name"], set when the catalog loads; bot/catalog/names.py), else cut from the name alone."""
    return record.get("short_name") or names.short_name(record.get("name")) or record.get("code") or ""


def record_url(record: dict) -> str:
    """The record's portal page; records without one (the Word export of Bộ Quốc phòng) get the portal with the code
    to look up, so no answer ends on an empty "Chi tiết: "."""
    if record.get("url"):
        return record["url"]
    return texts()["url_fallback"].format(portal_url=portal.portal_url(), code=record.get("code") or "")


def common_variables(record: dict) -> dict[str, str]:
    """`procedure_name` is the short display name used in every reply; `procedure_full_name` the official one,
    shown once (the overview)."""
    return {
        "procedure_name": display_name(record),
        "procedure_full_name": " ".join((record.get("name") or "").split()) or record.get("code") or "",
        "procedure_code": record.get("code") or "",
        "url": record_url(record),
    }


def _missing_answer(record: dict, topic: str) -> list[Answer]:
    return [Answer("utter_procedure_missing", {**common_variables(record), "topic_label": topic_label(topic)})]


def _one(record: dict, topic: str, response: str, name: str, value: str) -> list[Answer]:
    if not value:
        return _missing_answer(record, topic)
    return [Answer(response, {**common_variables(record), name: value})]


def answer(record: dict, topic: str, today: dt.date | None = None) -> list[Answer]:
    """The responses (with variables) that answer `topic` about `record`, never adding facts it lacks; dated fee
    provisions are judged at `today` (default: the real date)."""
    common = common_variables(record)
    if topic == "overview":
        agency = shorten(record.get("agency"), MAX_ITEM_CHARS) or (
            agency_by_level(record) if record.get("levels") else ""
        )
        return [
            Answer(
                "utter_procedure_overview",
                {
                    **common,
                    "field": record.get("field") or missing(),
                    "agency": agency or missing(),
                    "channels": channel_names(record) or missing(),
                    "processing_time": per_channel(record, "time") or missing(),
                    "fee": per_channel(record, "fee", today=today) or missing(),
                },
            )
        ]
    if topic == "documents":
        return _one(record, topic, "utter_procedure_documents", "documents", documents_text(record))
    if topic == "fee":
        response = "utter_procedure_fee_local" if is_local_fee(record) else "utter_procedure_fee"
        return _one(record, topic, response, "fee", per_channel(record, "fee", today=today))
    if topic == "processing_time":
        return _one(record, topic, "utter_procedure_processing_time", topic, per_channel(record, "time"))
    if topic == "agency":
        return _one(record, topic, "utter_procedure_agency", "agency", agency_text(record))
    if topic == "steps":
        return _one(record, topic, "utter_procedure_steps", "steps", steps_text(record))
    if topic == "conditions":
        return _one(
            record, topic, "utter_procedure_conditions", "conditions", shorten(record.get("conditions"), MAX_TEXT_CHARS)
        )
    if topic == "result":
        value = bullet_list(record.get("results") or [], MAX_LIST_ITEMS, MAX_ITEM_CHARS)
        return _one(record, topic, "utter_procedure_result", "results", value)
    if topic == "legal_basis":
        value = bullet_list(legal_items(record), MAX_LIST_ITEMS, MAX_ITEM_CHARS)
        return _one(record, topic, "utter_procedure_legal_basis", "legal_basis", value)
    if topic == "deadline":
        found = deadlines.duties(record)
        processing = per_channel(record, "time") or missing()
        if not found:
            return [Answer("utter_procedure_deadline_missing", {**common, "processing_time": processing})]
        value = bullet_list(found, MAX_DEADLINES, MAX_STEP_CHARS)
        return [Answer("utter_procedure_deadline", {**common, "deadline": value, "processing_time": processing})]
    if topic == "online":
        level = availability(record)
        return [
            Answer(f"utter_procedure_online_{level}", {**common, "channels": channel_names(record) or missing()}),
            Answer(
                "utter_procedure_post_payment", {**common, "post": post_text(record), "payment": payment_text(record)}
            ),
        ]
    raise ValueError(f"unknown topic {topic!r}")


def distinct_titles(choices: Sequence[tuple[str, Sequence[str]]], limit: int = 120) -> list[str]:
    """Button titles for (name, levels) candidates: near-identical names show what sets each apart (the
    qualifier words the others lack, then the level), so a long shared name never hides the difference."""
    words = [[(w, fold(w)) for w in name.split()] for name, _ in choices]
    sets = [{f for _, f in ws} for ws in words]
    common = set.intersection(*sets) if sets else set()
    folded_names = [fold(name) for name, _ in choices]
    titles = []
    for (name, levels), ws, folded in zip(choices, words, folded_names):
        extra = " ".join(w for w, f in ws if f not in common).strip(" ,;()")
        level = ", ".join(levels)
        same_name = folded_names.count(folded) > 1
        if not extra or len(name) <= limit and not same_name:
            title = name
        elif extra not in shorten(name, limit):
            title = f"{names.short_name(name, max(limit - len(extra) - 3, 40))} – {extra}"
        else:
            title = name
        if same_name and level:
            title = f"{shorten(title, limit - len(level) - 3)} ({level})"
        titles.append(shorten(title, limit))
    return titles


# ---------------------------------------------------------------- the whole record as plain text


def sections(record: dict) -> list[tuple[str, str, str]]:
    """Every topic of the record in full, as (topic, heading, plain text), in page order; unknown ones say so."""
    b = texts()["buttons"]
    steps = steps_text(record, limit=None, chars=None)
    duties = deadlines.duties(record)  # shown only where the record states a deadline to file
    return [
        ("documents", b["documents"], documents_text(record, limit=None, chars=None) or texts()["no_documents"]),
        ("fee", b["fee"], per_channel(record, "fee", chars=None) or missing()),
        ("processing_time", b["processing_time"], per_channel(record, "time", chars=None) or missing()),
        *([("deadline", b["deadline"], bullets(duties))] if duties else []),
        ("agency", b["agency"], bullets(where_parts(record, chars=None)) or missing()),
        ("steps", b["steps"], steps or missing()),
        ("conditions", b["conditions"], " ".join((record.get("conditions") or "").split()) or missing()),
        ("result", b["result"], bullets(record.get("results") or []) or missing()),
        ("legal_basis", b["legal_basis"], bullets(legal_items(record, chars=None)) or missing()),
        (
            "online",
            b["online"],
            "\n".join(
                [
                    online_level_text(record),
                    f"{texts()['post_label']}: {post_text(record)}",
                    f"{texts()['payment_label']}: {payment_text(record)}",
                ]
            ),
        ),
    ]


def plain_text(record: dict) -> str:
    head = f"{record.get('name') or ''} ({record.get('code') or ''})"
    parts = [head] + [f"{title}:\n{body}" for _, title, body in sections(record)]
    if record.get("url"):
        parts.append(record["url"])
    return "\n\n".join(parts)


# Topics whose chat answer is a list cut at MAX_LIST_ITEMS / MAX_STEPS, so "liệt kê hết" has more to show.
LIST_TOPICS = ("documents", "steps", "result", "legal_basis")


def split_messages(text: str, limit: int = ZALO_MESSAGE_CHARS) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut between lines (a longer line between words)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(cut)
            line = line[len(cut) :].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p.strip("\n") for p in pieces if p.strip()]


def zalo_messages(record: dict, limit: int = ZALO_MESSAGE_CHARS) -> list[str]:
    """The whole record as plain text for pasting into Zalo, in messages of at most `limit` characters."""
    return split_messages(plain_text(record), limit)
