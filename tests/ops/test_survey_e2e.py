"""The satisfaction survey over the real stack (issue 12): offered after a finished guided filing and after a
citizen's dossier lookup, at most once per conversation episode, never to a hotline operator; a rating is stored
with the procedure and the channel, and nothing that names the person.
Run: .venv/bin/python -m pytest tests/ops/test_survey_e2e.py -q -m rasa
"""

from __future__ import annotations

import random
import sqlite3
import uuid

import pytest
import sqlalchemy as sa

from bot import feedback as survey
from bot.feedback import FeedbackStore
from tests.conftest import OPERATOR_TOKEN

pytestmark = pytest.mark.rasa
RATING = '/feedback_rating{"rating": "%d"}'
KET_HON = "000.00.12.H29-261102-0002"  # PROCESSING, procedure 1.000894 (đăng ký kết hôn)
COMPLETED = "000.00.12.H29-261102-0004"  # procedure 1.001193 (đăng ký khai sinh)


def survey_asked(messages: list[dict]) -> bool:
    """The survey question: the rating buttons of the city's scale."""
    levels = range(survey.scale(), 0, -1)
    return any([b.get("payload") for b in m.get("buttons") or []] == [RATING % n for n in levels] for m in messages)


def payloads(messages: list[dict], kind: str) -> list[dict]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind]


STORED = "channel, procedure_code, follows, rating, scale, satisfied, reason"


def ratings_after(rasa_server, last: int) -> tuple[list[tuple], str]:
    """The survey rows stored after row `last`: the named columns, and every column as text."""
    with sqlite3.connect(rasa_server.settings.var_dir / "ops.sqlite") as connection:
        rows = connection.execute(f"SELECT {STORED} FROM feedback WHERE id > ? ORDER BY id", (last,)).fetchall()
        every = str(connection.execute("SELECT * FROM feedback WHERE id > ?", (last,)).fetchall())
    return rows, every


def last_rating(rasa_server) -> int:
    store = FeedbackStore(str(rasa_server.settings.var_dir / "ops.sqlite"))  # the table, if no rating came yet
    with store.engine.connect() as connection:
        return connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM feedback")).scalar_one()


def test_offered_once_after_a_finished_guided_filing_and_stored_with_procedure_and_channel(rasa_server):
    sender = f"web:{uuid.uuid4()}"
    first = rasa_server.rest(sender, "hướng dẫn tôi nộp hồ sơ trực tuyến đăng ký khai sinh")
    assert payloads(first, "online_guide")[0]["step"] == "intro" and not survey_asked(first)
    for _ in range(15):
        reply = rasa_server.rest(sender, "Tiếp")
        if payloads(reply, "online_guide")[0]["step"] == "checklist":
            break
        assert not survey_asked(reply), reply  # never over a walkthrough still running
    assert payloads(reply, "online_guide")[0]["step"] == "checklist"
    assert survey_asked(reply[-1:])  # the last message of the finished filing

    assert not survey_asked(rasa_server.rest(sender, "cảm ơn nhé"))  # once per conversation episode
    before = last_rating(rasa_server)
    answer = rasa_server.rest(sender, RATING % 4)
    assert answer[0]["text"].startswith("Cảm ơn bạn đã đánh giá")
    rows, every = ratings_after(rasa_server, before)
    assert rows == [("web", "1.001193", "filing", 4, survey.scale(), 1, None)]  # procedure, channel, what it follows
    assert sender.split(":")[1] not in every  # no personal data: not even the conversation id


def test_offered_once_after_a_lookup_never_to_an_operator(rasa_server):
    sender = f"telegram:{random.randint(10**8, 10**9)}"  # as the Telegram bridge names its conversations
    looked_up = rasa_server.rest(sender, f"tra cứu hồ sơ {KET_HON}")
    assert payloads(looked_up, "dossier_status")[0]["code"] == KET_HON
    assert survey_asked(looked_up[-1:])
    again = rasa_server.rest(sender, f"tra cứu hồ sơ {COMPLETED}")
    assert payloads(again, "dossier_status") and not survey_asked(again)  # not twice in one episode
    assert not survey_asked(rasa_server.rest(sender, "tạm biệt"))

    before = last_rating(rasa_server)
    low = rasa_server.rest(sender, RATING % 2)
    assert low[0]["text"].startswith("Xin lỗi vì trợ lý chưa giúp")
    rasa_server.rest(sender, '/feedback_reason{"feedback_reason": "missing_info"}')
    rows, every = ratings_after(rasa_server, before)
    # The procedure of the dossier looked up last (khai sinh), the channel of the sender, the reason given.
    assert rows == [("telegram", "1.001193", "lookup", 2, survey.scale(), 0, "missing_info")]
    assert sender.split(":")[1] not in every

    operator = rasa_server.rest(
        rasa_server.new_sender(), f"tra cứu hồ sơ {KET_HON}", metadata={"operator_token": OPERATOR_TOKEN}
    )
    assert payloads(operator, "dossier_status") and not survey_asked(operator)


def test_not_offered_over_an_open_choice(rasa_server):
    sender = f"telegram:{random.randint(10**8, 10**9)}"
    asked = rasa_server.rest(sender, "tôi muốn hỏi lệ phí")  # which procedure? a question left open
    assert not payloads(asked, "procedure_answer")
    looked_up = rasa_server.rest(sender, f"tra cứu hồ sơ {KET_HON}")
    assert payloads(looked_up, "dossier_status") and not survey_asked(looked_up)
    # Said goodbye: the person closes the conversation themselves, so the survey comes (once).
    assert survey_asked(rasa_server.rest(sender, "tạm biệt"))
