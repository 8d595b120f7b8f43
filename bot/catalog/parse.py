"""Parse one raw portal record (dichvucong.gov.vn page scraped to flat strings) into a structured catalog record.

Pure functions, no I/O; used by bot.catalog.importer. Each parser returns its structure and a status
("structured" / "raw" / "empty") so the importer can print a quality report.
"""

from __future__ import annotations

import re
from typing import Any

from bot.catalog import fees, legal

EMPTY_MARK = "Không có thông tin"
STRUCTURED, RAW, EMPTY = "structured", "raw", "empty"

_SPACE_RE = re.compile(r"[ \t\u00a0]+")


def clean(text: str | None) -> str | None:
    """Trim, collapse spaces, map the portal's 'no information' marker to None."""
    if text is None:
        return None
    text = _SPACE_RE.sub(" ", text.replace("\r", "")).strip()
    text = re.sub(r"\s*\n\s*", "\n", text)
    if not text or text == EMPTY_MARK or text.strip(" -.:") == "":
        return None
    return text


def one_line(text: str | None) -> str | None:
    text = clean(text)
    return re.sub(r"\s+", " ", text) if text else None


# ---------------------------------------------------------------- channels (cach_thuc_thuc_hien)
_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNELS = {"Trực tuyến": "online", "Trực tiếp": "in_person", "Dịch vụ bưu chính": "post"}
# A channel name starts a table row only when the time or fee cell follows at once
# ("Trực tuyến5 Ngày…", "Trực tiếpKhông có thông tin…"); "Trực tuyến: nộp hồ sơ…" is note text.
_CHANNEL_RE = re.compile(
    r"(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)"
    r"(?=\d|Không có thông tin|Không phải trả|Không quy định|KhôngKhông|Miễn phí)"
)
_UNITS = ["Ngày làm việc", "Ngày", "Giờ", "Tháng", "Năm", "Tuần", "Phút"]
_TIME_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(" + "|".join(_UNITS) + r")")
_CURRENCY = r"(Việt Nam Đồng|VNĐ|USD|Đồng)"
_FEE_RE = re.compile(r"(\d{1,3}(?:[.,]\d{3})*)\s*" + _CURRENCY)
_GLUED_RE = re.compile(r"(\d[\d,.]*)\s*" + _CURRENCY)  # time without unit glued to the fee: "1100 VNĐ"
_FEE_FORMAT = re.compile(r"(?:0|[1-9]\d{0,2}(?:,\d{3})*)")
_NO_TIME_TEXT = re.compile(
    r"(Không có thông tin|Không phải trả kết quả cho người nộp thuế|Không quy định|Không)"
    r"(?=Miễn phí|Không có thông tin|\d)"
)


def _paren_block(text: str) -> tuple[str | None, str]:
    """Split a leading balanced '(…)' off text."""
    if not text.startswith("("):
        return None, text
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[1:i], text[i + 1 :]
    return text[1:], ""


def _time(value: str, unit: str | None) -> dict:
    number = float(value.replace(",", "."))
    text = f"{value} {unit}" if unit else value
    return {"value": number, "unit": unit, "text": text}


def _fee(number: str | None, currency: str | None, cell: str, note: str | None) -> dict:
    """Fee object; amount in VND when the cell says so and the number is believable."""
    text = cell + (f" ({note})" if note else "")
    if number is None:
        fee = {"amount": 0 if cell == "Miễn phí" else None, "free": cell == "Miễn phí", "text": text}
        return fees.structure(fee, cell, note)
    digits = int(re.sub(r"[.,]", "", number))
    amount: int | None = None
    if currency in ("Việt Nam Đồng", "VNĐ", "Đồng"):
        amount = digits
        if digits < 1000:
            # The portal sometimes stores thousands ("135 VNĐ" with a note saying 135.000 đồng):
            # trust the small number only when the note confirms the full amount.
            full = f"{digits}.000"
            amount = digits * 1000 if note and re.search(rf"(?<![\d.]){re.escape(full)}", note) else None
    fee = {"amount": amount, "free": amount == 0, "text": text, "currency": "USD" if currency == "USD" else "VND"}
    return fees.structure(fee, cell, note)


def _parse_channel_cell(name: str, body: str) -> tuple[dict, bool]:
    """One table row: the channel, its time, fee (+ note in brackets) and description; and whether
    the time and fee cells were both recognised."""
    time = None
    fee = None
    rest = body
    recognized = False
    glued = _GLUED_RE.match(rest)
    timed = _TIME_RE.match(rest)
    if timed:
        time = _time(timed.group(1), timed.group(2))
        rest = rest[timed.end() :]
    elif glued and not timed:
        digits = glued.group(1)
        # The time cell is never empty on the portal, so the leading digits are the time; take the
        # shortest prefix that leaves a well-formed fee ("1100" -> 1 + 100, "120,000" -> 1 + 20,000).
        for k in range(1, len(digits)):
            if _FEE_FORMAT.fullmatch(digits[k:]) and digits[k - 1] != ",":
                time = _time(digits[:k], None)
                rest = rest[k:]
                break
    else:
        bare = re.match(r"(\d+)(?=Miễn phí|Không có thông tin)", rest)
        if bare:
            time = _time(bare.group(1), None)
            rest = rest[bare.end() :]
        else:
            no_time = _NO_TIME_TEXT.match(rest)
            if no_time:
                recognized = True
                rest = rest[no_time.end() :]
                if no_time.group(1) not in (EMPTY_MARK, "Không"):
                    time = {"value": None, "unit": None, "text": no_time.group(1)}
    money = _FEE_RE.match(rest)
    recognized = recognized or time is not None
    fee_cell = True
    if rest.startswith("Miễn phí"):
        rest = rest[len("Miễn phí") :]
        note, rest = _paren_block(rest.lstrip())
        fee = _fee(None, None, "Miễn phí", one_line(note))
    elif rest.startswith(EMPTY_MARK):
        rest = rest[len(EMPTY_MARK) :]
        note, rest = _paren_block(rest.lstrip())
        fee = _fee(None, None, EMPTY_MARK, one_line(note)) if one_line(note) else None
    elif money:
        rest = rest[money.end() :]
        note, rest = _paren_block(rest.lstrip())
        fee = _fee(money.group(1), money.group(2), money.group(0), one_line(note))
    else:
        fee_cell = False
    cell = {"channel": _CHANNELS[name], "time": time, "fee": fee, "note": clean(rest)}
    return cell, recognized and fee_cell


def parse_channels(text: str | None) -> tuple[list[dict], str]:
    text = clean(text)
    if not text:
        return [], EMPTY
    body = text[len(_CHANNEL_HEADER) :] if text.startswith(_CHANNEL_HEADER) else text
    starts = list(_CHANNEL_RE.finditer(body))
    if not starts or starts[0].start() != 0:
        return [], RAW
    channels = []
    ok = True
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        cell, recognized = _parse_channel_cell(m.group(1), body[m.end() : end])
        channels.append(cell)
        ok = ok and recognized
    return channels, STRUCTURED if ok else RAW


# ---------------------------------------------------------------- documents (thanh_phan_ho_so)
_DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# Quantity cell ending each document: "1 bản chính", "0 bản chính,1 bản sao", "Bản chính: 1 - Bản sao: 0".
# Not preceded by a space or "(" and not followed by running lower-case text: "(01 bản chính hoặc …" is prose.
_QTY_RE = re.compile(
    r"(?:(?<![\s(])(\d)\s?bản chính(?:\s?,\s?(\d{1,2})\s?bản sao)?"
    r"|Bản chính:\s*(\d+)\s*-\s*Bản sao:\s*(\d+))"
    r"(?!\s+[a-zà-ỹđ(])"
)
_EXT = r"\.(?:docx?|pdf|xlsx?|rtf|odt|zip|rar)"
_TEMPLATE_END_RE = re.compile(_EXT + r"$", re.I)
_TEMPLATE_WORD_RE = re.compile(r"(Mẫu|Mau|Phụ lục|Phu luc|Tờ khai|To khai|Biểu mẫu|Bieu mau)", re.I)


def _template_start(item: str, ext_start: int) -> int:
    """Index where the file name ending at ext_start begins (names are glued to the document text)."""
    window_start = max(0, ext_start - 120)
    best = window_start
    for i in range(ext_start - 1, window_start, -1):
        prev, ch = item[i - 1], item[i]
        if prev in ");:" and not ch.isspace():
            return i
        if prev == "." and not ch.isspace() and not item[i - 2 : i - 1].isdigit():
            return i
        if prev.islower() and (ch.isupper() or ch.isdigit()) and _TEMPLATE_WORD_RE.match(item, i):
            return i
        if prev == "\n":
            return i
    word = None
    for m in _TEMPLATE_WORD_RE.finditer(item, window_start, ext_start):
        word = m
    return word.start() if word else best


def split_templates(item: str) -> tuple[str, list[str]]:
    """Remove trailing template file names ("…Mẫu CC01.doc") from a document cell."""
    templates: list[str] = []
    while True:
        m = _TEMPLATE_END_RE.search(item)
        if not m:
            break
        start = _template_start(item, m.start())
        if start <= 0:
            break
        templates.insert(0, item[start:].strip())
        item = item[:start]
    return item.strip(), templates


def _case_label(text: str) -> str | None:
    label = one_line(text)
    if not label:
        return None
    label = label.strip(" -*+:")
    return label or None


def parse_documents(text: str | None) -> tuple[list[dict], str]:
    text = clean(text)
    if not text:
        return [], EMPTY
    parts = text.split(_DOC_HEADER)
    if len(parts) < 2:
        return [], RAW
    cases: list[dict] = []
    label = _case_label(parts[0])
    leftover = 0
    for block in parts[1:]:
        items = []
        pos = 0
        for q in _QTY_RE.finditer(block):
            cell = block[pos : q.start()]
            pos = q.end()
            name, templates = split_templates(cell.strip())
            name = one_line(name)
            if not name:
                continue
            originals = int(q.group(1) or q.group(3))
            copies = q.group(2) or q.group(4)
            items.append(
                {
                    "name": name.lstrip("-+* ").strip() or name,
                    "template": "; ".join(templates) or None,
                    "originals": originals,
                    "copies": int(copies) if copies is not None else None,
                    "quantity_text": q.group(0),
                }
            )
        tail = block[pos:]
        if items:
            cases.append({"case": label, "items": items})
            label = _case_label(tail)
        else:
            leftover += 1
            label = _case_label(tail) if len(tail) < 300 else label
        if tail and len(tail) >= 300:
            leftover += 1
    if not cases:
        return [], RAW
    return cases, STRUCTURED if leftover == 0 else RAW


# ---------------------------------------------------------------- results (ket_qua_xu_ly)
_RESULT_CODE_RE = re.compile(r"Mã:\s*KQ(?:\.[A-Z]*\d*)*\.?\d+")
_INTERFACE_RE = re.compile(r"(Từ khóa|Chọn cơ quan thực hiện)")


def parse_results(text: str | None) -> tuple[list[str], str | None, str]:
    """Result documents, the portal's keywords, and the status; interface text is dropped."""
    text = clean(text)
    if not text:
        return [], None, EMPTY
    keywords = None
    kw = re.search(r"Từ khóa(.*?)Mô tả", text, re.S)
    if kw:
        keywords = one_line(kw.group(1))
    head = _INTERFACE_RE.split(text, maxsplit=1)[0]
    pieces = _RESULT_CODE_RE.split(head)
    results = []
    for piece in pieces:
        piece = one_line(piece)
        if piece:
            piece = piece.lstrip("-+* ").strip()
            if piece and piece not in results:
                results.append(piece)
    if not results:
        return [], keywords, EMPTY
    return results, keywords, STRUCTURED


# ---------------------------------------------------------------- legal basis (can_cu_phap_ly)
_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"


def parse_legal(text: str | None) -> tuple[list[dict], str]:
    """The legal table's rows (title cell glued to number cell) as clean items (bot.catalog.legal)."""
    text = clean(text)
    if not text:
        return [], EMPTY
    body = text[len(_LEGAL_HEADER) :] if text.startswith(_LEGAL_HEADER) else text
    items = [legal.item(title, number) for title, number in legal.split_cells(body)]
    if not items:
        return [], RAW
    numbered = sum(1 for i in items if i["number"])
    return items, STRUCTURED if numbered >= len(items) - 1 else RAW


# ---------------------------------------------------------------- steps
_STEP_RE = re.compile(r"(?:^|\n|\s)(?=[-+]?\s*(?:[a-z]\)\s*)?Bước\s*\d+\s*[:.)-])")


def parse_steps(text: str | None) -> tuple[list[str], str]:
    text = clean(text)
    if not text:
        return [], EMPTY
    if re.search(r"Bước\s*\d", text):
        parts = _STEP_RE.split(text)
    else:
        parts = text.split("\n")
    steps = [one_line(p.strip().lstrip("-+•* ").strip()) for p in parts]
    return [s for s in steps if s], STRUCTURED


# ---------------------------------------------------------------- online level
_E_RESULT_RE = re.compile(
    r"(trả kết quả[^.;\n]{0,80}(trực tuyến|điện tử|cổng dịch vụ công|VNeID|thư điện tử|tài khoản)"
    r"|kết quả[^.;\n]{0,40}(bản điện tử|điện tử)|bản điện tử|giấy tờ điện tử|VNeID)",
    re.I,
)
_E_PAYMENT_RE = re.compile(r"(thanh toán trực tuyến|nộp (phí|lệ phí)[^.;\n]{0,60}trực tuyến|thanh toán điện tử)", re.I)

ONLINE_RULE_DOC = (
    "full (toàn trình): the portal lists an online channel, its fee is free or the text mentions online payment, "
    "and the steps/results mention an electronic result (bản điện tử, VNeID, trả kết quả qua cổng/thư điện tử); "
    "partial (một phần): an online channel exists but one of the other two is not stated; none: no online channel. "
    "The raw data has no explicit level field, so 'full' is inferred from wording."
)


FULL_RULE = "nộp trực tuyến; miễn phí hoặc thanh toán trực tuyến; có trả kết quả điện tử"


def online_level(channels: list[dict], steps_text: str, results: list[str]) -> dict:
    online = [c for c in channels if c["channel"] == "online"]
    if not online:
        return {"level": "none", "rule": "không có kênh nộp trực tuyến"}
    fee = online[0]["fee"]
    haystack = " ".join([steps_text] + results + [c.get("note") or "" for c in channels])
    # The portal's own fee cell ("Miễn phí …"), even where its note states a fee (bot/catalog/fees.py): the level
    # stays the portal's inference; whether a charged online fee can be paid online is the guide's question.
    cell_free = fee is not None and (fee.get("free") or (fee.get("text") or "").startswith("Miễn phí"))
    pay_ok = fee is None or cell_free or bool(_E_PAYMENT_RE.search(haystack))
    result_ok = bool(_E_RESULT_RE.search(haystack))
    if pay_ok and result_ok:
        return {"level": "full", "rule": FULL_RULE}
    missing = []
    if not pay_ok:
        missing.append("không nêu thanh toán trực tuyến")
    if not result_ok:
        missing.append("không nêu trả kết quả điện tử")
    return {"level": "partial", "rule": "nộp trực tuyến; " + "; ".join(missing)}


# ---------------------------------------------------------------- the whole record (shared by every source)
_LEVEL_ORDER = ["Cấp xã", "Cấp tỉnh", "Cấp bộ", "Cơ quan khác"]
# Fields of a cleaned record, in file order; every source fills all of them (bot.catalog.sources).
RECORD_KEYS = [
    "code",
    "name",
    "field",
    "levels",
    "kind",
    "agency",
    "deciding_agency",
    "receiving_address",
    "applicants",
    "channels",
    "documents",
    "steps",
    "conditions",
    "results",
    "keywords",
    "legal_basis",
    "online",
    "url",
    "decision",
    "raw",
    "source",
    "ministry",
    "overlaps",
]
# Record fields of the quality report, with the page format's field each one comes from.
REPORT_FIELDS = {
    "channels": "cach_thuc_thuc_hien",
    "documents": "thanh_phan_ho_so",
    "steps": "trinh_tu_thuc_hien",
    "results": "ket_qua_xu_ly",
    "legal_basis": "can_cu_phap_ly",
    "conditions": "yeu_cau_dieu_kien",
    "agency": "co_quan_thuc_hien",
    "deciding_agency": "co_quan_co_tham_quyen",
    "receiving_address": "dia_chi_tiep_nhan",
    "applicants": "doi_tuong_thuc_hien",
    "kind": "loai_thu_tuc",
}


def canonical_levels(names: list[str]) -> list[str]:
    """Level names in the catalog's spelling and order ("Cấp Xã", "Cấp Bộ" -> "Cấp xã", "Cấp bộ")."""
    out: list[str] = []
    for name in names:
        name = one_line(name)
        if not name:
            continue
        known = next((lv for lv in _LEVEL_ORDER if lv.lower() == name.lower()), name)
        if known not in out:
            out.append(known)
    return sorted(out, key=lambda lv: _LEVEL_ORDER.index(lv) if lv in _LEVEL_ORDER else 99)


def procedure_name(text: str | None) -> str:
    """One line; a name written in capitals ("HƯỞNG TRỢ CẤP ỐM ĐAU") in sentence case."""
    name = one_line(text) or ""
    letters = [c for c in name if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        name = name[:1].upper() + name[1:].lower()
    return name


def field_status(record: dict, field: str) -> str:
    """Quality status of one record field: kept as raw text, structured (non-empty) or empty."""
    if field in (record.get("raw") or {}):
        return RAW
    return STRUCTURED if record.get(field) else EMPTY


def assemble(**fields: Any) -> dict:
    """A record with every key of RECORD_KEYS in order (missing ones empty), so all sources serialise alike."""
    unknown = set(fields) - set(RECORD_KEYS)
    if unknown:
        raise KeyError(f"not record fields: {sorted(unknown)}")
    lists = {"levels", "channels", "documents", "steps", "results", "legal_basis", "overlaps"}
    record = {k: fields.get(k, [] if k in lists else None) for k in RECORD_KEYS}
    record["raw"] = record["raw"] or {}
    record["url"] = record["url"] or ""
    return record


def parse_record(raw: dict[str, Any], ministry: str | None = None) -> tuple[dict, dict[str, str]]:
    """Cleaned record of one flattened portal page (raw/ format) and per-field status (quality report)."""
    kept: dict[str, str] = {}
    channels, ch_status = parse_channels(raw.get("cach_thuc_thuc_hien"))
    documents, doc_status = parse_documents(raw.get("thanh_phan_ho_so"))
    results, keywords, _ = parse_results(raw.get("ket_qua_xu_ly"))
    legal, legal_status = parse_legal(raw.get("can_cu_phap_ly"))
    steps, _ = parse_steps(raw.get("trinh_tu_thuc_hien"))
    for field, status in (("channels", ch_status), ("documents", doc_status), ("legal_basis", legal_status)):
        if status == RAW:
            kept[field] = clean(raw.get(REPORT_FIELDS[field])) or ""

    record = assemble(
        code=raw["ma_thu_tuc"].strip(),
        name=procedure_name(raw.get("ten_thu_tuc")),
        field=one_line(raw.get("linh_vuc")),
        levels=canonical_levels((raw.get("cap_thuc_hien") or "").split(",")),
        kind=clean(raw.get("loai_thu_tuc")),
        agency=clean(raw.get("co_quan_thuc_hien")),
        deciding_agency=clean(raw.get("co_quan_co_tham_quyen")),
        receiving_address=clean(raw.get("dia_chi_tiep_nhan")),
        applicants=clean(raw.get("doi_tuong_thuc_hien")),
        channels=channels,
        documents=documents,
        steps=steps,
        conditions=clean(raw.get("yeu_cau_dieu_kien")),
        results=results,
        keywords=keywords,
        legal_basis=legal,
        online=online_level(channels, clean(raw.get("trinh_tu_thuc_hien")) or "", results),
        url=(raw.get("detail_url") or "").strip(),
        decision=one_line(raw.get("so_quyet_dinh")),
        raw=kept,
        source="portal_page",
        ministry=ministry,
    )
    return record, {f: field_status(record, f) for f in REPORT_FIELDS}
