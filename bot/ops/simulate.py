"""A month of conversations for the report, driven through the REAL stack over REST (seeded, reproducible).

    python -m bot.ops.simulate --rasa-url http://127.0.0.1:5005 --days 30 --per-day 2 --seed 12

Each conversation is a scenario people really have (a procedure question and a follow-up, a question the catalog
does not know, a message the assistant does not understand, a dossier lookup on the reference service's demo
codes, a guided filing that reaches the checklist or not, a complaint, thanks and a survey rating) on a channel
(`web:` / `telegram:` / `zalo:` sender ids). After each conversation its events, complaints and survey rows are
moved back to its day (timestamps in the tracker store and the operations tables), so the report sees a month.
Not the demo data: every event is what Rasa and the action server produced. Runs conversations one at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Optional

import requests
import sqlalchemy as sa

from bot.feedback import feedback as feedback_table
from bot.ops.complaints import complaints as complaints_table

QUESTIONS = [
    "làm giấy khai sinh cần giấy tờ gì",
    "đăng ký kết hôn lệ phí bao nhiêu",
    "cấp đổi cccd mất bao lâu",
    "dang ky tam tru o dau",
    "quy trình cấp giấy phép xây dựng",
    "đăng ký khai tử cần những gì",
    "lam khai sinh online duoc khong",
    "điều kiện đăng ký thường trú",
    "cap ban sao trich luc ho tich het bao nhieu tien",
    "xin cấp giấy phép kinh doanh cần gì",
    "cấp giấy chứng nhận quyền sử dụng đất ở đâu",
]
FOLLOW_UPS = ["còn lệ phí thì sao", "mất bao lâu", "nộp ở đâu", "cần giấy tờ gì"]
UNKNOWN = ["giấy cho bé mới đẻ cần gì", "làm thẻ vàng cho cháu nội cần giấy tờ gì", "đăng ký nuôi chó cần giấy tờ gì"]
GIBBERISH = ["asdf qwer zxcv", "ừm cái đó", "kkk"]
DOSSIERS = [f"000.00.12.H29-261102-{n:04d}" for n in range(1, 12)]
GUIDES = ["hướng dẫn nộp hồ sơ trực tuyến đăng ký khai sinh", "hướng dẫn nộp trực tuyến đăng ký kết hôn"]
COMPLAINTS = [
    ["tôi muốn phản ánh hồ sơ trễ hạn", "000.00.12.H29-261102-0008", "Đã quá hạn mà chưa thấy ai liên hệ", "Không"],
    ["toi muon khieu nai", "Thái độ cán bộ", "Không có mã hồ sơ", "Cán bộ một cửa nói nặng lời", "Không"],
    [
        "cổng dịch vụ công bị lỗi tôi muốn phản ánh",
        "Không có mã hồ sơ",
        "<script>document.title='pwned'</script>",
        "Không",
    ],
    ["cán bộ hướng dẫn không rõ", "Không có mã hồ sơ", "Bắt nộp lại 3 lần", "Đồng ý", "0912 345 678"],
]
CHANNELS = (("web", 5), ("telegram", 3), ("zalo", 2))


@dataclass
class Summary:
    conversations: int = 0
    turns: int = 0
    senders: list[str] = field(default_factory=list)


def script(rng: random.Random) -> list[str]:
    """One conversation's messages."""
    kind = rng.choices(
        ["question", "unknown", "gibberish", "dossier", "guide", "complaint"], weights=[6, 2, 1, 3, 2, 1]
    )[0]
    if kind == "question":
        messages = [rng.choice(QUESTIONS)] + ([rng.choice(FOLLOW_UPS)] if rng.random() < 0.5 else [])
    elif kind == "unknown":
        messages = [rng.choice(UNKNOWN)]
    elif kind == "gibberish":
        messages = [rng.choice(GIBBERISH)]
    elif kind == "dossier":
        messages = [f"tra cứu hồ sơ {rng.choice(DOSSIERS)}"]
    elif kind == "guide":
        messages = [rng.choice(GUIDES), "Tiếp"] + (["cho tôi danh sách cần chuẩn bị"] if rng.random() < 0.6 else [])
    else:
        messages = list(rng.choice(COMPLAINTS))
    if rng.random() < 0.6:
        rating = rng.choice([5, 5, 4, 4, 4, 3, 2, 1])
        messages += ["cảm ơn", f'/feedback_rating{{"rating": "{rating}"}}']
        if rating <= 3 and rng.random() < 0.7:
            messages.append(
                '/feedback_reason{"feedback_reason": "%s"}'
                % rng.choice(["wrong_answer", "unclear", "missing_info", "procedure_burden"])
            )
    return messages


def _shift_iso(value: str, seconds: float) -> str:
    return (dt.datetime.fromisoformat(value) - dt.timedelta(seconds=seconds)).isoformat(timespec="seconds")


def back_date(
    tracker: sa.engine.Engine, ops: sa.engine.Engine, sender: str, seconds: float, feedback_after: int
) -> None:
    """Move one finished conversation `seconds` into the past, with its complaints and survey rows."""
    with tracker.begin() as connection:
        connection.execute(
            sa.text("UPDATE events SET timestamp = timestamp - :s WHERE sender_id = :sender"),
            {"s": seconds, "sender": sender},
        )
    with ops.begin() as connection:
        for table, column, condition in (
            (complaints_table, "created_at", complaints_table.c.sender_id == sender),
            (feedback_table, "at", feedback_table.c.id > feedback_after),
        ):
            for row in connection.execute(sa.select(table.c.id, table.c[column]).where(condition)).fetchall():
                connection.execute(
                    table.update().where(table.c.id == row[0]).values({column: _shift_iso(row[1], seconds)})
                )


def _last_feedback_id(ops: sa.engine.Engine) -> int:
    with ops.connect() as connection:
        return int(connection.execute(sa.select(sa.func.coalesce(sa.func.max(feedback_table.c.id), 0))).scalar())


def simulate(
    rasa_url: str,
    tracker: sa.engine.Engine,
    ops: sa.engine.Engine,
    days: int = 30,
    per_day: int = 2,
    seed: int = 12,
    now: Optional[dt.datetime] = None,
) -> Summary:
    from bot.feedback import FeedbackStore
    from bot.ops.complaints import ComplaintStore

    ComplaintStore(ops), FeedbackStore(ops)  # the tables exist before the first back-dating
    rng = random.Random(seed)
    now = now or dt.datetime.now(dt.timezone.utc)
    session = requests.Session()
    session.trust_env = False
    summary = Summary()
    for day in range(days - 1, -1, -1):
        for n in range(per_day):
            channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
            sender = f"{channel}:sim{seed}d{day}n{n}r{rng.randrange(10**6)}"
            before = _last_feedback_id(ops)
            for text in script(rng):
                response = session.post(
                    f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
                )
                response.raise_for_status()
                summary.turns += 1
            back_date(tracker, ops, sender, day * 86400 + rng.randrange(0, 6 * 3600), before)
            summary.conversations += 1
            summary.senders.append(sender)
    return summary


def main(argv: Optional[list] = None) -> int:
    from bot.ops.db import engine, ops_url, tracker_url

    parser = argparse.ArgumentParser(prog="python -m bot.ops.simulate", description=__doc__.split("\n")[0])
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=2)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--db", default=None)
    parser.add_argument("--tracker-db", default=None)
    args = parser.parse_args(argv)
    summary = simulate(
        args.rasa_url.rstrip("/"),
        engine(args.tracker_db or tracker_url()),
        engine(args.db or ops_url()),
        args.days,
        args.per_day,
        args.seed,
    )
    print(f"{summary.conversations} conversations, {summary.turns} messages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
