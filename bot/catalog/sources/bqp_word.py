"""The portal's Word export extracted to JSON (supplements/bqp/: metadata, content, tables).

Tables are real rows here, so no cell splitting is needed; what needs care:
- fees are text lines "Phí : 2.000.000 Đồng (note)" / "Lệ phí : 1.5 USD", several per channel (one per case),
  with "File đính kèm: x.pdf" lines and empty or prose amounts;
- the document table's columns are shifted: `so_luong` holds the form file names and `ghi_chu` the quantity
  ("Bản chính: 1\\nBản sao: 0"); rows with no paper to bring ("Trường hợp 1: …, bao gồm:") start a case;
- a legal basis number is sometimes only in the title ("104" + "Nghị định số 104/2022/NĐ-CP …").
"""

from __future__ import annotations

import re

from bot.catalog import legal
from bot.catalog import parse as page
from bot.catalog.fees import structure as structure_fee
from bot.catalog.sources import LEGAL_NUMBER_RE, legal_number, ministry_from_decision, money, vocab

_CHANNELS = {"trực tiếp": "in_person", "trực tuyến": "online", "dịch vụ bưu chính": "post"}
_TIME_RE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(" + "|".join(page._UNITS) + r")$", re.I)
_FEE_LINE_RE = re.compile(r"^(Phí|Lệ phí)\s*:\s*(.*)$", re.S)
_AMOUNT_RE = re.compile(r"^(\d[\d.,]*|[Kk]hông|o)?\s*(Đồng|VNĐ|USD)?\s*", re.S)
_QTY_RE = re.compile(r"Bản chính:\s*(\d+)\s*Bản sao:\s*(\d+)")
_CASE_RE = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s*)?(?:Trường hợp|Đối với)\b|(?:gồm|sau)\s*[:.,]*$|:\s*,?$", re.I)


def _time(text: str, note: str | None) -> tuple[dict | None, bool]:
    """Processing time: number + unit, or a text ("Không quy định"; "10-25" explained by the note)."""
    text = page.one_line(text)
    if not text:
        return None, True
    m = _TIME_RE.match(text)
    if m:
        unit = next(u for u in page._UNITS if u.lower() == m.group(2).lower())
        time = page._time(m.group(1), unit)
        if time["value"] == 0 and note:  # "0 Giờ" with "Ngay sau khi …": the note says it
            time["text"] = page.one_line(note)
        return time, True
    if re.fullmatch(r"[\d\s,.-]+", text):  # a bare number or range: only the note says in what
        explained = bool(note and note.startswith(text))
        return {"value": None, "unit": None, "text": page.one_line(note) if explained else text}, explained
    return {"value": None, "unit": None, "text": text}, not re.search(r"\d", text)


def _fee_line(kind: str, rest: str) -> tuple[dict, bool]:
    """One "Phí : …" line: amount in VND (None for USD, prose or no number), display text, recognised?"""
    m = _AMOUNT_RE.match(rest)
    number, currency = m.group(1), m.group(2)
    after = rest[m.end() :].strip()
    note, tail = page._paren_block(after)
    note = page.one_line(note)
    zero = number is not None and (number.lower() in ("không", "o") or re.fullmatch(r"0+", number) is not None)
    # Prose instead of an amount: text after the number that is not a (note), or a number with no currency.
    prose = bool(page.one_line(tail)) or (number is not None and not zero and currency is None)
    if prose:  # "Mức thu bằng 50% mức thu phí … Đồng (…)": the amount is a sentence, keep it as text
        return {"amount": None, "currency": "VND", "text": f"{kind}: {page.one_line(rest)}"}, True
    amount: float | None = None
    if zero:
        amount = 0
    elif number:
        if currency == "USD":
            amount = float(number.replace(",", "."))
        else:
            amount = int(re.sub(r"[.,]", "", number))
    cur = "USD" if currency == "USD" else "VND"
    if amount is None:
        text = f"{kind}: {note}" if note else None
    else:
        text = f"{kind}: {money(amount)} {vocab()['currency_words'][cur]}" + (f" ({note})" if note else "")
    return {"amount": amount, "currency": cur, "text": text}, True


def parse_fee(text: str | None) -> tuple[dict | None, bool]:
    """All fee lines of one channel as one fee object (amount only when it is a single VND number)."""
    text = (text or "").replace("\r", "")
    if not text.strip():
        return None, True
    lines: list[dict] = []
    ok = True
    chunks = re.split(r"\n(?=(?:Phí|Lệ phí)\s*:)", text)
    for chunk in chunks:
        chunk = re.sub(r"\n\s*File đính kèm:.*$", "", chunk, flags=re.S).strip()
        m = _FEE_LINE_RE.match(chunk)
        if not m:
            ok = False
            lines.append({"amount": None, "currency": "VND", "text": page.one_line(chunk)})
            continue
        line, recognised = _fee_line(m.group(1), m.group(2))
        ok = ok and recognised
        lines.append(line)
    lines = [ln for ln in lines if ln["text"] or ln["amount"] is not None]
    if not lines:
        return None, ok
    if all(ln["amount"] == 0 for ln in lines):
        notes = [ln["text"].split("(", 1)[1].rstrip(")") for ln in lines if "(" in (ln["text"] or "")]
        text = vocab()["free"] + (f" ({'; '.join(notes)})" if notes else "")
        return structure_fee({"amount": 0, "free": True, "text": text, "currency": "VND"}), ok
    amounts = {(ln["amount"], ln["currency"]) for ln in lines}
    single = len(lines) == 1 and lines[0]["currency"] == "VND"
    amount = lines[0]["amount"] if single else None
    currency = "USD" if any(c == "USD" for _, c in amounts) else "VND"
    return structure_fee(
        {
            "amount": amount,
            "free": False,
            "text": "\n".join(ln["text"] for ln in lines if ln["text"]),
            "currency": currency,
        }
    ), ok


def parse_channels(rows: list[dict]) -> tuple[list[dict], str]:
    if not rows:
        return [], page.EMPTY
    channels = []
    ok = True
    names = [(page.one_line(row.get("hinh_thuc")) or "").lower() for row in rows]
    for row in rows:
        name = (page.one_line(row.get("hinh_thuc")) or "").lower()
        time, time_ok = _time(row.get("thoi_han_giai_quyet") or "", page.clean(row.get("mo_ta")))
        time = page.with_cases(time, page.clean(row.get("mo_ta")), names.count(name) > 1)
        fee, fee_ok = parse_fee(row.get("phi_le_phi"))
        ok = ok and name in _CHANNELS and time_ok and fee_ok
        channels.append(
            {
                "channel": _CHANNELS.get(name, name or "unknown"),
                "time": time,
                "fee": fee,
                "note": page.clean(row.get("mo_ta")),
            }
        )
    return channels, page.STRUCTURED if ok else page.RAW


def parse_documents(rows: list[dict]) -> tuple[list[dict], str]:
    """Documents grouped by case: a row with nothing to bring that announces a case starts one."""
    if not rows:
        return [], page.EMPTY
    cases: list[dict] = [{"case": None, "items": []}]
    ok = True
    for row in rows:
        name = page.one_line(row.get("ten_giay_to"))
        if not name:
            continue
        templates = [t for t in (page.one_line(x) for x in (row.get("so_luong") or "").split("\n")) if t]
        qty = _QTY_RE.search((row.get("ghi_chu") or "").replace("\n", " "))
        ok = ok and qty is not None
        originals, copies = (int(qty.group(1)), int(qty.group(2))) if qty else (None, None)
        if originals == 0 and copies == 0 and _CASE_RE.search(name):
            case = {"case": name.strip(" -*+:,") or name, "items": []}
            if templates:
                case["template"] = "; ".join(templates)
            cases.append(case)
            continue
        name = re.sub(r";\.$", ".", re.sub(r"[\s;,]+$", "", name.lstrip("-+*• ").strip())) or name
        cases[-1]["items"].append(
            {
                "name": name,
                "template": "; ".join(templates) or None,
                "originals": originals,
                "copies": copies,
                "quantity_text": f"Bản chính: {originals} - Bản sao: {copies}" if qty else None,
            }
        )
    cases = [c for c in cases if c["items"] or c.get("template")]
    if not cases:
        return [], page.RAW
    return cases, page.STRUCTURED if ok else page.RAW


def parse_legal(rows: list[dict]) -> tuple[list[dict], str]:
    items = []
    for row in rows or []:
        title = page.one_line(row.get("trich_yeu"))
        number = page.one_line(row.get("so_ky_hieu"))
        number = legal_number(number, title)
        if title or number:
            items.append(legal.item(title, number, row.get("ngay_ban_hanh"), row.get("co_quan_ban_hanh")))
    if not items:
        return [], page.EMPTY
    numbered = sum(1 for i in items if i["number"] and LEGAL_NUMBER_RE.search(i["number"]))
    return items, page.STRUCTURED if numbered >= len(items) - 1 else page.RAW


def _results(text: str | None) -> list[str]:
    out: list[str] = []
    for line in (page.clean(text) or "").split("\n"):
        line = page.one_line(line.lstrip("-+*• "))
        if line and line not in out:
            out.append(line)
    return out


def parse(obj: dict, ministry: str | None = None) -> tuple[dict, dict[str, str]]:
    meta = obj.get("metadata") or {}
    content = obj.get("content") or {}
    tables = obj.get("tables") or {}
    kept: dict[str, str] = {}
    channels, ch_status = parse_channels(tables.get("hinh_thuc_nop") or [])
    documents, doc_status = parse_documents(tables.get("thanh_phan_ho_so") or [])
    legal, legal_status = parse_legal(tables.get("can_cu_phap_ly") or [])
    for field, status, rows in (
        ("channels", ch_status, tables.get("hinh_thuc_nop")),
        ("documents", doc_status, tables.get("thanh_phan_ho_so")),
        ("legal_basis", legal_status, tables.get("can_cu_phap_ly")),
    ):
        if status == page.RAW:
            kept[field] = "\n".join(" | ".join(page.one_line(str(v)) or "" for v in r.values()) for r in rows or [])
    steps_text = page.clean(content.get("trình_tự_thực_hiện")) or ""
    steps, _ = page.parse_steps(steps_text)
    results = _results(content.get("kết_quả_thực_hiện"))
    decision = page.one_line(meta.get("số_quyết_định"))
    record = page.assemble(
        code=str(meta.get("mã_thủ_tục") or obj.get("thu_tuc_id") or "").strip(),
        name=page.procedure_name(meta.get("tên_thủ_tục")),
        field=page.one_line(meta.get("lĩnh_vực")),
        levels=page.canonical_levels((meta.get("cấp_thực_hiện") or "").split(",")),
        kind=page.clean(meta.get("loại_thủ_tục")),
        agency=page.clean(content.get("cơ_quan_thực_hiện")),
        deciding_agency=page.clean(content.get("cơ_quan_có_thẩm_quyền")),
        receiving_address=page.clean(content.get("địa_chỉ_tiếp_nhận_hs")),
        applicants=page.clean(content.get("đối_tượng_thực_hiện")),
        channels=channels,
        documents=documents,
        steps=steps,
        conditions=page.clean(content.get("yêu_cầu_điều_kiện_thực_hiện")),
        results=results,
        keywords=page.one_line(content.get("từ_khóa")),
        legal_basis=legal,
        online=page.online_level(channels, steps_text, results),
        url="",
        decision=decision,
        raw=kept,
        source="bqp_word",
        ministry=ministry or ministry_from_decision(decision),
    )
    return record, {f: page.field_status(record, f) for f in page.REPORT_FIELDS}
