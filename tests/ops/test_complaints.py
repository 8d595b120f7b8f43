"""Complaints: storage on SQLite and PostgreSQL, bad input kept as text, contacts only when given, operators'
command line, handled notices delivered through the notifier's path (fake Rasa HTTP API on 127.0.0.1)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.channels.push import Push
from bot.ops import notices
from bot.ops.complaints import (
    HANDLED,
    MAX_DESCRIPTION,
    OPEN,
    ComplaintStore,
    answer_in,
    category_in,
    contact_in,
    find_reference,
)
from bot.ops.db import engine
from bot.settings import REPO_ROOT
from tests.dossier.test_notifier import FakeRasa


@pytest.fixture
def store(ops_url) -> ComplaintStore:
    return ComplaintStore(engine(ops_url))


def test_the_words_people_use():
    assert category_in("tôi muốn phản ánh hồ sơ trễ hạn") == "late_dossier"
    assert category_in("toi muon phan anh ho so tre han") == "late_dossier"
    assert category_in("cán bộ hướng dẫn không rõ") == "wrong_guidance"
    assert category_in("thai do can bo hach dich") == "staff_attitude"
    assert category_in("Lỗi cổng dịch vụ công") == "portal_error"
    assert category_in("khiếu nại") is None
    assert contact_in("số của em 0912 345 678 ạ") == "0912 345 678"
    assert contact_in("mail: dan@example.vn") == "dan@example.vn"
    assert contact_in("hồ sơ 000.00.12.H29-261102-0008") is None  # a dossier code is not a contact
    assert find_reference("phan anh pa-7k3qx9 den dau roi") == "PA-7K3QX9"
    assert find_reference("phản ánh của tôi") is None
    assert answer_in("Đồng ý", "agree") and answer_in("khong", "refuse") and answer_in("Hủy", "cancel")


def test_create_list_filter_handle(store):
    first = store.create(
        sender_id="telegram:42",
        channel="telegram",
        category="late_dossier",
        description="Hồ sơ nộp 3 tuần chưa có kết quả, gọi 0912345678 không ai nghe",
        contact="0912 345 678",
        dossier_code="000.00.12.H29-261102-0008",
        dossier_status="PROCESSING",
        dossier_overdue=True,
        agency="UBND phường Bến Thành",
    )
    second = store.create(sender_id="zalo:7", channel="zalo", category="staff_attitude", description="cán bộ quát")
    assert first.reference != second.reference and first.reference.startswith("PA-")
    assert "0912345678" not in first.description and "[SĐT]" in first.description  # identifiers replaced
    assert first.contact == "0912 345 678" and first.public()["contact"] == "[SĐT]"
    assert "sender_id" not in first.public()
    assert {c.reference for c in store.list()} == {first.reference, second.reference}
    assert [c.reference for c in store.list(category="staff_attitude")] == [second.reference]
    handled = store.handle(first.reference.lower(), "Đã liên hệ phường, hồ sơ sẽ trả ngày 5/12.")
    assert handled.status == HANDLED and handled.handled_at and handled.handler_note.startswith("Đã liên hệ")
    assert [c.reference for c in store.list(status=OPEN)] == [second.reference]
    assert [c.reference for c in store.pending_notices()] == [first.reference]
    store.mark_notified(first.reference)
    assert store.pending_notices() == []
    assert store.handle("PA-ZZZZZZ", "x") is None and store.get("không phải mã") is None


@pytest.mark.parametrize("text", ["x" * 2500, "😡😡😡", "<script>alert('x')</script>", "   đơn giản   "])
def test_bad_input_is_stored_as_text(store, text):
    complaint = store.create(sender_id="web:a", channel="web", category="other", description=text)
    assert store.get(complaint.reference).description == text.strip()


def test_overlong_text_is_cut_and_a_contact_must_be_one(store):
    complaint = store.create(sender_id="web:a", channel="web", category="other", description="y" * 12000)
    assert len(complaint.description) == MAX_DESCRIPTION
    with pytest.raises(ValueError):
        store.create(sender_id="web:a", channel="web", category="other", description="x", contact="nhà bên cạnh")
    with pytest.raises(ValueError):
        store.create(sender_id="web:a", channel="web", category="nonsense", description="x")


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "bot.ops.complaints", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
    )


def test_operators_command_line_and_the_handled_notice(tmp_path):
    db = str(tmp_path / "ops.sqlite")
    store = ComplaintStore(engine(db))
    complaint = store.create(
        sender_id="web:abc",
        channel="web",
        category="wrong_guidance",
        description="hướng dẫn sai",
        contact="dan@example.vn",
    )
    listed = json.loads(_cli("--db", db, "list", "--status", "open").stdout)
    assert [c["reference"] for c in listed] == [complaint.reference]
    assert "dan@example.vn" not in json.dumps(listed) and listed[0]["contact"] == "[EMAIL]"
    assert _cli("--db", db, "show", "PA-ZZZZZZ").returncode == 1
    rasa = FakeRasa()
    try:
        env = {"RASA_URL": rasa.url, "RASA_TOKEN": "secret", "TELEGRAM_BRIDGE_URL": ""}
        result = _cli("--db", db, "handle", complaint.reference, "--note", "Đã sửa hướng dẫn", env=env)
        assert result.returncode == 0, result.stderr
        shown = json.loads(result.stdout)
        assert shown["status"] == "handled" and shown["notified"] is True and shown["pending_notices"] == 0
        assert len(rasa.calls) == 1
        call = rasa.calls[0]
        assert call["path"] == "/conversations/web:abc/trigger_intent"
        assert call["body"] == {"name": notices.INTENT, "entities": {notices.ENTITY: complaint.reference}}
        assert call["query"]["token"] == ["secret"]
        assert json.loads(_cli("--db", db, "notify", env=env).stdout) == {"delivered": 0, "pending": 0}
    finally:
        rasa.close()


def test_a_notice_stays_pending_until_delivered(tmp_path):
    store = ComplaintStore(engine(str(tmp_path / "ops.sqlite")))
    complaint = store.create(sender_id="telegram:9", channel="telegram", category="other", description="x")
    store.handle(complaint.reference, "xong")
    # Telegram without the bridge: not delivered, kept for later.
    assert notices.deliver_pending(store, Push("http://127.0.0.1:9", "t", telegram_bridge_url=None)) == (0, 1)
    assert store.get(complaint.reference).notified_at is None
