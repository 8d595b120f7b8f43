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


# A processing time stated in a channel's description: "17 ngày làm việc", "12 giờ", "10 (mười) ngày"; not a date
# ("ngày 21 tháng 4 năm 2017").
_NOTE_TIME_RE = re.compile(
    r"(?<!ngày )(?<![\d/.,])(\d{1,3})\s*(?:\([^()\d]{1,15}\)\s*)?(ngày|giờ|tháng|tuần|phút)\b(?!\s*\d)", re.I
)
# Where a description's bullet points start: a new line, or "-", "+", "*", "•" after a sentence or clause end.
_NOTE_BREAK_RE = re.compile(r"\n+|(?:(?<=[.;:])|^)\s*[-+*•]\s*")
# A bullet that names a case rather than a time ("(1) Trường hợp …:", "Đối với …:").
_CASE_HEAD_RE = re.compile(r"^(?:\(\d+\)|\d+[.)]|Trường hợp|Đối với)", re.I)


def time_cases(note: str | None) -> list[str]:
    """The parts of a channel's description that state a processing time ("- Đối với các trường hợp từ (1) đến (7):
    17 ngày làm việc …"), with the case heading that precedes them; [] when it states none."""
    parts: list[str] = []
    for piece in _NOTE_BREAK_RE.split(note or ""):
        piece = one_line(piece.strip().lstrip("-+*•").strip())
        if not piece:
            continue
        if parts and piece.startswith("(") and not re.match(r"\(\d+\)", piece):  # "(đối với trường hợp …)"
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    cases = []
    for i, piece in enumerate(parts):
        if _NOTE_TIME_RE.search(piece):
            cases.append(piece)
        elif _CASE_HEAD_RE.match(piece) and any(_NOTE_TIME_RE.search(p) for p in parts[i + 1 : i + 6]):
            cases.append(piece)
    return cases


def stated_amounts(texts: list[str]) -> set[int]:
    """The numbers of the times stated in `texts` ("17 ngày làm việc" -> 17)."""
    return {int(n) for text in texts for n, _ in _NOTE_TIME_RE.findall(text)}


def with_cases(time: dict | None, note: str | None, repeated: bool) -> dict | None:
    """`time` with `cases`: the description's time statements, when they say more than the time cell (several
    times, one per case or stage, or a channel listed once per case) or the time cell is empty."""
    cases = time_cases(note)
    amounts = {(int(n), unit.lower()) for c in cases for n, unit in _NOTE_TIME_RE.findall(c)}
    if not cases or not (len(amounts) > 1 or repeated or not time or time.get("value") is None):
        return time
    time = dict(time or {"value": None, "unit": None, "text": None})
    time["cases"] = cases
    return time


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
        note, after = _paren_block(rest.lstrip())
        if note is not None and re.fullmatch(r"\s*\w{1,2}\s*", note):  # "(1)": the description's case number
            note = None
        else:
            rest = after
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
    names = [m.group(1) for m in starts]
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        cell, recognized = _parse_channel_cell(m.group(1), body[m.end() : end])
        cell["time"] = with_cases(cell["time"], cell["note"], names.count(m.group(1)) > 1)
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


_EXT_BEFORE_RE = re.compile(_EXT + r"$", re.I)


def _glued_start(item: str, window_start: int, ext_start: int) -> int | None:
    """Start of a file name glued to the text before it (a lower-case letter then an upper-case one: "…khiếu nạiMẫu
    ban hành kèm theo Nghị định 124-2020.doc", "…đầu tưMẫu I.1.8.docx", "…sinh họcĐơn đề nghi.CSBT.docx"), when the
    file name has words (not "MauBankhai.docx") and no clause break (";", ":", "(", ". ")."""
    starts = [i for i in range(max(window_start, 1), ext_start) if item[i - 1].islower() and item[i].isupper()]
    for start in reversed(starts):
        name = item[start:ext_start]
        if " " in name and not re.search(r"[;:()]|\. ", name):  # "MauDanhsach.docx" is one word: not a glue
            return start
    return None


def _template_start(item: str, ext_start: int) -> int:
    """Index where the file name ending at ext_start begins (names are glued to the document text)."""
    window_start = max(0, ext_start - 120)
    best = window_start
    glued = _glued_start(item, window_start, ext_start)
    if glued is not None:
        return glued
    for i in range(ext_start - 1, window_start, -1):
        prev, ch = item[i - 1], item[i]
        if _EXT_BEFORE_RE.search(item, 0, i):  # another file name ends here ("…IV.docx315Phụ lục II.docx")
            return i
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


def _quantities(block: str) -> list[re.Match]:
    """Quantity cells of a document block; a quantity the name itself states right before its cell ("…: 01 bản
    chính.0 bản chính") is part of the name."""
    found = list(_QTY_RE.finditer(block))
    return [
        q
        for q, after in zip(found, found[1:] + [None])
        if after is None or not re.fullmatch(r"[.;,]?\s*", block[q.end() : after.start()])
    ]


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
        for q in _quantities(block):
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
# The portal's internal code after each result: "Mã: KQ.G19.000128", "Mã: 000.00.00.G04-KQ3030" (greedy up to
# the last digit, so a glued "văn bản…" keeps its first letter: Vietnamese lower-case letters lie inside À-Ỹ), or
# letters only ("Mã: VBTTVăn bản…").
_RESULT_CODE_RE = re.compile(r"Mã:\s*(?:(?:[A-Z0-9]+[._/-])*[A-Z]*\d+|[A-Za-z]{2,}?(?=[A-ZĐ][a-zà-ỹđ]|\s|$))")
_INTERFACE_RE = re.compile(r"(Từ khóa|Chọn cơ quan thực hiện)")


def without_interface(text: str | None) -> str | None:
    """A field without the portal's interface text scraped after it ("Không có thông tinTừ khóa…Chọn cơ quan thực
    hiện…Nộp hồ sơ" when the page lost its results)."""
    text = clean(text)
    return clean(re.split(r"Từ khóa|Chọn cơ quan thực hiện", text, maxsplit=1)[0]) if text else None


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
            piece = piece.lstrip("-+*.… ").strip()
            piece = piece[:1].upper() + piece[1:]  # "…Mã: KQ.G19.000504văn bản từ chối" starts an item
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
# A heading that opens one case of the procedure ("Trường hợp (2): …", "*) Đối với trường hợp …", "(*) Áp dụng
# đối với …", "Đối với trường hợp tạm ứng chi phí giám định"): steps are numbered again after it.
_CASE_HEADING_RE = re.compile(
    r"^(?:(?:\(\*\)|\*\))\s*(?:Áp dụng|Trường hợp|Đối với)|Áp dụng đối với|Trường hợp\s*\(?\d+\)?\s*[:.]"
    r"|Đối với (?:các )?trường hợp)",
    re.I,
)
_NUMBERED_CASE_RE = re.compile(r"^(?:\(\*\)|\*\))?\s*Trường hợp\s*\(?\d+\)?\s*[:.]", re.I)
# A case heading glued inside a line: "…nêu rõ lý do. *) Trường hợp …", "…xác nhận.Trường hợp 2: …".
_GLUED_CASE_RE = re.compile(
    r"(?<=\S)[ \t]*(?=(?:\(\*\)|\*\))\s*(?:Áp dụng|Trường hợp|Đối với)|Trường hợp\s*\(?\d+\)?\s*:)"
)
# A letter label glued after a sentence or a heading: "… bưu chính. c. Tiếp nhận hồ sơ", "…(…của mình) a) Người…".
_GLUED_LABEL_RE = re.compile(r"(?:(?<=[.;:)])[ \t]+(?=[a-zđ][.)][ \t]+(\w))|[ \t]+(?=[a-zđ]\)[ \t]+(\w)))")
_LABEL_ONLY_RE = re.compile(r"^[-+*•]?\s*(?:[a-zđ]|\d{1,2})?\s*[.)]?$")
# A line that only continues the one before it: lower-case start, or the address / hours of a desk.
_CONTINUATION_RE = re.compile(r"^(?:(?![a-zđ][.)]\s)[a-zà-ỹđ]|Địa chỉ|Điện thoại|Thời gian (?:nộp|tiếp nhận|làm việc))")


def step_kinds(steps: list[str]) -> list[str | None]:
    """`step_heading` of each step; in a record written with "Bước N", what comes right before a "Bước 1" and is no
    step itself opens a case too ("Tổ chức, cá nhân đề nghị … a) Bước 1. Nộp hồ sơ")."""
    kinds = [step_heading(s) for s in steps]
    for i, step in enumerate(steps[:-1]):
        if kinds[i] is None and _FIRST_STEP_RE.match(steps[i + 1]) and not _ANY_STEP_RE.match(step):
            kinds[i] = "case"
    return kinds


_FIRST_STEP_RE = re.compile(r"^Bước\s*0?1\b")
_ANY_STEP_RE = re.compile(r"^Bước\s*\d")


def step_heading(text: str) -> str | None:
    """ "case" for a heading that opens one case of the procedure, "section" for a short heading of a part of it
    ("a) Nộp hồ sơ TTHC:", "a. Tiêu hủy động vật"), None for a step."""
    text = text.strip()
    if _NUMBERED_CASE_RE.match(text) or (_CASE_HEADING_RE.match(text) and not text.endswith(".") and len(text) < 300):
        return "case"
    if len(text) < 90 and (text.endswith(":") or re.fullmatch(r"[a-zđ][.)]\s+[^.;]+", text)):
        return "section"
    return None


def _split_glued(text: str) -> str:
    text = _GLUED_CASE_RE.sub("\n", text)
    return _GLUED_LABEL_RE.sub(lambda m: "\n" if (m.group(1) or m.group(2)).isupper() else m.group(0), text)


def _step_parts(text: str) -> list[str]:
    """Text split into steps and headings (each case heading its own item)."""
    if re.search(r"Bước\s*\d", text):
        parts = []
        pieces = _STEP_RE.split(text)
        for n, part in enumerate(pieces):
            items = [""]
            lines = part.strip().split("\n")
            following = [p.strip() for p in pieces[n + 1 :] if not _LABEL_ONLY_RE.match(p.strip())]
            opens_case = bool(following) and _FIRST_STEP_RE.match(_strip_label(following[0])) is not None
            for i, line in enumerate(lines):
                # A case heading on its own line is an item ("Trường hợp (2): …"), and so is the last line before
                # a "Bước 1" ("Trường hợp chủ đầu tư … đề nghị sử dụng khoáng sản dôi dư …").
                before_first = i == len(lines) - 1 and opens_case
                if items[-1] and (step_heading(_strip_label(line)) == "case" or before_first):
                    items.append(line)
                else:
                    items[-1] = f"{items[-1]}\n{line}"
            parts += items
        return parts
    parts: list[str] = []
    lines = text.split("\n")
    # "+" marks sub-points only under "-" steps; in a list of "+" lines each one is a step.
    dashed = any(re.match(r"\s*-\s*[^\s+]", line) for line in lines)
    for line in lines:
        line = line.strip().lstrip("-").strip()
        sub_point = dashed and line.startswith("+")
        if parts and (sub_point or _CONTINUATION_RE.match(line)):  # sub-points, "Địa chỉ: …" stay in their step
            parts[-1] = f"{parts[-1].rstrip()} {line}"
        else:
            parts.append(line)
    return parts


def _strip_label(text: str) -> str:
    """A step without its bullet ("- ", "+ ", "• ", a lone "*"); "*)" and "(*)" are kept (they mark a case)."""
    text = re.sub(r"^[-+•\s]+|^\*(?!\))\s*", "", text.strip())
    return text.strip().rstrip("+-").strip()


def parse_steps(text: str | None) -> tuple[list[str], str]:
    """Steps in order; a case heading is an item of its own (`step_heading` tells it apart), letter labels alone
    ("a)") are dropped, sub-points stay in their step."""
    text = clean(text)
    if not text:
        return [], EMPTY
    steps = [one_line(_strip_label(p)) for p in _step_parts(_split_glued(text))]
    return [s for s in steps if s and not _LABEL_ONLY_RE.match(s)], STRUCTURED


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


def agency_name(text: str | None) -> str | None:
    """An agency as the portal names it, without the portal's internal "_old" suffix ("Tòa án nhân dân_old")."""
    text = clean(text)
    return clean(re.sub(r"_old\b", "", text)) if text else None


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
        agency=agency_name(raw.get("co_quan_thuc_hien")),
        deciding_agency=agency_name(raw.get("co_quan_co_tham_quyen")),
        receiving_address=clean(raw.get("dia_chi_tiep_nhan")),
        applicants=clean(raw.get("doi_tuong_thuc_hien")),
        channels=channels,
        documents=documents,
        steps=steps,
        conditions=without_interface(raw.get("yeu_cau_dieu_kien")),
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
