"""The national portal API's procedure detail JSON (supplements/portal-api/, and what provinces export).

Already structured; what needs care:
- one execution method per channel *and* case, with a time unit code (OTHER: only the description says) and a
  list of fees (type FEE / CHARGE / SERVICE_FEE, VND value, description), sometimes contradicting each other
  (value 0 with "Phí: 250000 Đồng" in the description; 250 meaning 250.000);
- documents by execution case; agencies as text or as linked departments / generic unit groups (one null);
- the online level is stated (isFullProcess), not inferred.
"""

from __future__ import annotations

import re

from bot.catalog import legal
from bot.catalog import parse as page
from bot.catalog.fees import structure as structure_fee
from bot.catalog.sources import legal_number, ministry_from_decision, ministry_name, money, vocab

_MONEY_IN_TEXT_RE = re.compile(r"([1-9]\d{0,2}(?:[.,]\d{3})+|[1-9]\d{3,})\s*(?:VNĐ|Đồng|đồng|VND)")


def _amount(value, description: str | None) -> int | None:
    """The fee's VND amount; when value and description disagree, the one amount the description states, if any."""
    if not isinstance(value, (int, float)):
        return None
    stated = [int(re.sub(r"[.,]", "", m)) for m in _MONEY_IN_TEXT_RE.findall(description or "")]
    if value == 0:  # "0" with "Phí: 250000 Đồng (…)" in the description: the portal's form left the value empty
        return (stated[0] if len(set(stated)) == 1 else None) if any(stated) else 0
    if value < 1000:  # thousands stored as units ("250" for 250.000): trust only when the text confirms
        return int(value * 1000) if int(value * 1000) in stated else None
    return int(value)


def parse_fee(fees: list[dict]) -> tuple[dict | None, bool]:
    if not fees:
        return None, True
    lines = []
    for fee in fees:
        description = page.one_line((fee.get("description") or "").lstrip("-\t "))
        amount = _amount(fee.get("value"), description)
        label = vocab()["fee_types"].get(fee.get("type"), vocab()["fee_types"]["FEE"])
        if description and re.match(r"(Phí|Lệ phí)\s*:", description):  # already labelled and priced
            text = description
        elif amount:
            text = f"{label}: {money(amount)} {vocab()['currency_words']['VND']}"
            text += f" ({description})" if description else ""
        elif amount == 0:
            text = f"({description})" if description else ""
        else:
            text = f"{label}: {description}" if description else ""
        lines.append((amount, text))
    if all(a == 0 for a, _ in lines):
        notes = sorted({t for _, t in lines if t})
        text = vocab()["free"] + (" " + " ".join(notes) if notes else "")
        return structure_fee({"amount": 0, "free": True, "text": text, "currency": "VND"}), True
    texts = []
    for _, t in lines:
        if t and t not in texts:
            texts.append(t)
    amounts = {a for a, _ in lines}
    amount = amounts.pop() if len(amounts) == 1 else None
    return structure_fee({"amount": amount, "free": False, "text": "\n".join(texts), "currency": "VND"}), True


def _first_line(text: str | None, limit: int = 160) -> str:
    line = page.one_line((page.clean(text) or "").split("\n")[0]) or ""
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " …"


def _time(method: dict, repeated: bool) -> tuple[dict | None, bool]:
    unit_code = method.get("processingTimeUnit")
    value = method.get("processingTime")
    description = page.one_line(method.get("description"))
    unit = vocab()["time_units"].get(unit_code)
    if unit and isinstance(value, (int, float)) and value > 0:
        time = page._time(str(int(value)) if float(value).is_integer() else str(value), unit)
        if repeated and description:  # the same channel once per case: say which case
            time["text"] += f" ({_first_line(method.get('description'))})"
        return time, True
    if description:
        return {"value": None, "unit": None, "text": description}, True
    return None, unit_code in vocab()["time_units"] or unit_code == "OTHER"


def parse_channels(methods: list[dict]) -> tuple[list[dict], str]:
    if not methods:
        return [], page.EMPTY
    names = [m.get("submissionMethod") for m in methods]
    channels = []
    ok = True
    for method in methods:
        channel = vocab()["submission_methods"].get(method.get("submissionMethod"))
        repeated = names.count(method.get("submissionMethod")) > 1
        time, time_ok = _time(method, repeated)
        time = page.with_cases(time, page.clean(method.get("description")), repeated)
        fee, fee_ok = parse_fee(method.get("fees") or [])
        ok = ok and channel is not None and time_ok and fee_ok
        note = page.clean(method.get("description"))
        channels.append(
            {"channel": channel or str(method.get("submissionMethod")), "time": time, "fee": fee, "note": note}
        )
    return channels, page.STRUCTURED if ok else page.RAW


def parse_documents(cases: list[dict]) -> tuple[list[dict], str]:
    out = []
    for case in cases or []:
        items = []
        for comp in case.get("profileComponents") or []:
            name = page.one_line(comp.get("name"))
            if not name:
                continue
            originals, copies = comp.get("originalQty"), comp.get("copyQty")
            templates = [a.get("fileName") for a in comp.get("attachments") or [] if a and a.get("fileName")]
            items.append(
                {
                    "name": name.lstrip("-+*• ").strip() or name,
                    "template": "; ".join(templates) or None,
                    "originals": originals,
                    "copies": copies,
                    "quantity_text": f"Bản chính: {originals} - Bản sao: {copies}",
                }
            )
        if items:
            out.append({"case": page.one_line((case.get("name") or "").strip(" -*+:\t")), "items": items})
    return out, page.STRUCTURED if out else page.EMPTY


def _names(*groups) -> str | None:
    names: list[str] = []
    for group in groups:
        for item in group or []:
            name = page.one_line((item or {}).get("name"))
            if name and name.lower() not in (n.lower() for n in names):
                names.append(name)
    return ", ".join(names) or None


def parse_legal(details: list[dict]) -> tuple[list[dict], str]:
    items = []
    for d in details or []:
        title = page.one_line(d.get("name"))
        number = legal_number(page.one_line(d.get("code")), title)
        if title or number:
            items.append(legal.item(title, number))
    if not items:
        return [], page.EMPTY
    numbered = sum(1 for i in items if i["number"])
    return items, page.STRUCTURED if numbered >= len(items) - 1 else page.RAW


def _online(obj: dict, channels: list[dict], steps_text: str, results: list[str]) -> dict:
    """The portal states the level (isFullProcess); the rule keeps the page format's wording, which the guide reads
    (what the text says about online payment and electronic results)."""
    inferred = page.online_level(channels, steps_text, results)
    rules = vocab()["online_rules"]
    if inferred["level"] == "none":
        return inferred
    if obj.get("isFullProcess"):
        return {"level": "full", "rule": f"{page.FULL_RULE} ({rules['portal_full']})"}
    if inferred["level"] == "partial":
        return {"level": "partial", "rule": f"{inferred['rule']}; {rules['portal_partial']}"}
    return {"level": "partial", "rule": rules["portal_partial_only"]}


_ONLINE_FILING_RE = re.compile(r"[^\n.;]*\bnộp (?:hồ sơ )?trực tuyến\b[^\n;]*", re.I)


def stated_online(obj: dict) -> str | None:
    """The record's own words that it can be filed online, when its execution methods list no online one
    ("d) Nộp trực tuyến trên Cổng Dịch vụ công quốc gia" in the receiving addresses, a case "Trường hợp nộp hồ sơ
    trực tuyến …")."""
    texts = [obj.get("dossierReceivingAddresses") or ""] + [
        c.get("name") or "" for c in obj.get("executionCases") or []
    ]
    for text in texts:
        found = _ONLINE_FILING_RE.search(text)
        if found:
            return page.one_line(found.group(0).strip(" -"))
    return None


def parse(obj: dict, ministry: str | None = None) -> tuple[dict, dict[str, str]]:
    kept: dict[str, str] = {}
    channels, ch_status = parse_channels(obj.get("executionMethods") or [])
    online_note = stated_online(obj) if not any(c["channel"] == "online" for c in channels) else None
    if online_note:  # stated in the record's text, with no time or fee of its own
        channels.append({"channel": "online", "time": None, "fee": None, "note": online_note})
    if ch_status == page.RAW:
        kept["channels"] = "\n".join(str(m) for m in obj.get("executionMethods") or [])
    documents, _ = parse_documents(obj.get("executionCases") or [])
    legal, legal_status = parse_legal(obj.get("legalBasisesDetails") or [])
    if legal_status == page.RAW:
        kept["legal_basis"] = "\n".join(i["title"] for i in legal)
    steps_text = "\n".join(
        filter(
            None,
            (
                page.clean(step.get("description")) or page.clean(step.get("name"))
                for step in obj.get("executionSteps") or []
            ),
        )
    )
    steps, _ = page.parse_steps(steps_text)
    results = [n for n in (page.one_line(r.get("name")) for r in obj.get("resultsDetails") or []) if n]
    flags = vocab()["level_flags"]
    proposal = obj.get("procedureProposal") or {}
    decision = page.one_line(proposal.get("proposalNumber")) or page.one_line(obj.get("decisionNo"))
    categories = obj.get("categoriesDetails") or ([obj["category"]] if isinstance(obj.get("category"), dict) else [])
    record = page.assemble(
        code=str(obj.get("code") or obj.get("codeNotation") or "").strip(),
        name=page.procedure_name(obj.get("name")),
        field=_names(categories),
        levels=page.canonical_levels([lv for flag, lv in flags.items() if obj.get(flag)]),
        kind=vocab()["formality_types"].get(obj.get("formalityType")),
        agency=page.clean(obj.get("executingAgencies"))
        or _names(obj.get("departmentsExecuting"), obj.get("unitGroupsExecuting")),
        deciding_agency=_names(obj.get("departmentsAuthority"), obj.get("unitGroupsAuthority"))
        or page.clean(obj.get("authorizedAgencies")),
        receiving_address=page.clean(obj.get("dossierReceivingAddresses")),
        applicants=_names(obj.get("subjectTypesDetails")),
        channels=channels,
        documents=documents,
        steps=steps,
        conditions=page.clean(obj.get("requirementsAndConditions")) or page.clean(obj.get("description")),
        results=results,
        keywords=page.one_line(obj.get("keywords")),
        legal_basis=legal,
        online=_online(obj, channels, steps_text, results),
        url=vocab()["portal_page_url"].format(id=obj["id"]) if obj.get("id") else "",
        decision=decision,
        raw=kept,
        source="portal_api",
        ministry=ministry_name(obj.get("departmentPromulgateName")) or ministry or ministry_from_decision(decision),
    )
    return record, {f: page.field_status(record, f) for f in page.REPORT_FIELDS}
