"""Demo dossiers seeded into an empty reference service: one per status, plus overdue ones.

Codes are fixed (test stories and NLU examples use them); the dates are relative to the time the service
starts, and the service re-bases them on every start while a demo row is untouched, so an overdue demo stays
overdue and an on-time one stays on time. Document changes in the README (demo dossier table).
"""

from __future__ import annotations

import datetime as dt

# (code, procedure code, procedure name, agency, status, received days ago, due in days (negative = past),
#  completed days ago or None, return method, officer's note, phone last 4)
# Procedure codes/names from the national portal data (/work/shared/data/procedures/raw/bo-tu-phap, bo-cong-an).
_ROWS = [
    (
        "000.00.12.H29-261102-0001",
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        "UBND phường Hoàn Kiếm",
        "RECEIVED",
        1,
        4,
        None,
        "IN_PERSON",
        None,
        "1234",
    ),
    (
        "000.00.12.H29-261102-0002",
        "1.000894",
        "Thủ tục đăng ký kết hôn",
        "UBND phường Hoàn Kiếm",
        "PROCESSING",
        2,
        3,
        None,
        "IN_PERSON",
        "Đang xác minh tình trạng hôn nhân.",
        "2345",
    ),
    (
        "000.00.12.H29-261102-0003",
        "1.004222",
        "Đăng ký thường trú",
        "Công an phường Hoàn Kiếm",
        "SUPPLEMENT_REQUIRED",
        3,
        5,
        None,
        "POST",
        "Bổ sung bản sao giấy tờ chứng minh chỗ ở hợp pháp (hợp đồng thuê nhà có công chứng).",
        "3456",
    ),
    (
        "000.00.12.H29-261102-0004",
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        "UBND phường Hoàn Kiếm",
        "COMPLETED",
        5,
        -1,
        1,
        "IN_PERSON",
        "Đã ký, chờ công dân đến nhận.",
        "4567",
    ),
    (
        "000.00.12.H29-261102-0005",
        "2.000908",
        "Thủ tục cấp bản sao từ sổ gốc",
        "UBND phường Hoàn Kiếm",
        "RETURNED",
        10,
        -5,
        6,
        "POST",
        "Đã gửi qua bưu điện.",
        "5678",
    ),
    (
        "000.00.12.H29-261102-0006",
        "1.001022",
        "Thủ tục đăng ký nhận cha, mẹ, con",
        "UBND phường Hoàn Kiếm",
        "REJECTED",
        8,
        -2,
        3,
        "IN_PERSON",
        "Không đủ điều kiện: thiếu kết quả giám định ADN.",
        "6789",
    ),
    (
        "000.00.12.H29-261102-0007",
        "1.000656",
        "Thủ tục đăng ký khai tử",
        "UBND phường Hoàn Kiếm",
        "WITHDRAWN",
        4,
        1,
        2,
        "IN_PERSON",
        "Công dân rút hồ sơ theo đề nghị.",
        "7890",
    ),
    (
        "000.00.12.H29-261102-0008",
        "1.004222",
        "Đăng ký thường trú",
        "Công an phường Hoàn Kiếm",
        "PROCESSING",
        12,
        -3,
        None,
        "ONLINE",
        "Chờ ý kiến phòng quản lý cư trú.",
        "8901",
    ),
    (
        "000.00.12.H29-261102-0009",
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        "UBND phường Hoàn Kiếm",
        "RECEIVED",
        6,
        -1,
        None,
        "IN_PERSON",
        None,
        "9012",
    ),
    (
        "000.00.12.H29-261102-0010",
        "1.000894",
        "Thủ tục đăng ký kết hôn",
        "UBND phường Hoàn Kiếm",
        "SUPPLEMENT_REQUIRED",
        9,
        -2,
        None,
        "IN_PERSON",
        "Bổ sung giấy xác nhận tình trạng hôn nhân còn hạn.",
        "0123",
    ),
    (
        "000.00.12.H29-261102-0011",
        "2.000908",
        "Thủ tục cấp bản sao từ sổ gốc",
        "UBND phường Hoàn Kiếm",
        "COMPLETED",
        3,
        2,
        0,
        "ONLINE",
        None,
        "1122",
    ),
]

# Status history leading to each demo status (the last entry is the current status).
_PATHS = {
    "RECEIVED": ["RECEIVED"],
    "PROCESSING": ["RECEIVED", "PROCESSING"],
    "SUPPLEMENT_REQUIRED": ["RECEIVED", "PROCESSING", "SUPPLEMENT_REQUIRED"],
    "COMPLETED": ["RECEIVED", "PROCESSING", "COMPLETED"],
    "RETURNED": ["RECEIVED", "PROCESSING", "COMPLETED", "RETURNED"],
    "REJECTED": ["RECEIVED", "PROCESSING", "REJECTED"],
    "WITHDRAWN": ["RECEIVED", "WITHDRAWN"],
}

DEMO_CODES = {
    row[0]: row[4] + (" (trễ hạn)" if row[5] is not None and row[6] < 0 and row[7] is None else "") for row in _ROWS
}


def _at(now: dt.datetime, days: float, hour: int, minute: int = 0) -> dt.datetime:
    return (now + dt.timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def demo_dossiers(now: dt.datetime) -> list[tuple[dict, list[dict]]]:
    """[(dossier fields, history entries)] with dates relative to `now` (Vietnam time)."""
    out = []
    for code, pcode, pname, agency, status, rec_ago, due_in, done_ago, method, note, phone in _ROWS:
        received = _at(now, -rec_ago, 9, 15)
        due = _at(now, due_in, 17, 0)
        if due_in == 0 or (due_in < 0 and due > now - dt.timedelta(hours=1)):
            due = now - dt.timedelta(hours=1)
        completed = None if done_ago is None else _at(now, -done_ago, 10, 30)
        if completed is not None and completed > now:
            completed = now - dt.timedelta(minutes=5)
        dossier = {
            "code": code,
            "procedure_code": pcode,
            "procedure_name": pname,
            "agency": agency,
            "status": status,
            "received_at": received,
            "due_at": due,
            "completed_at": completed,
            "return_method": method,
            "note": note,
            "applicant_phone_last4": phone,
        }
        path = _PATHS[status]
        end = completed or max(received, min(now, due) - dt.timedelta(hours=2))
        step = (end - received) / max(1, len(path) - 1)
        history = [
            {"status": s, "at": received + step * i, "note": note if i == len(path) - 1 else None}
            for i, s in enumerate(path)
        ]
        out.append((dossier, history))
    return out
