"""Fees over REST (issue 14): the driving-licence change fee as the record states it, the ended online rate said
to have ended, no "may vary by locality" on a national fee. Real Rasa + action server + model; the ended rate ended
on 31/12/2025, so the real date keeps this stable.

Run: .venv/bin/python -m pytest tests/catalog/test_rest_fees.py -m rasa (needs a trained model: `make train`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa


def test_doi_bang_lai_xe_het_bao_nhieu_tien(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "đổi bằng lái xe hết bao nhiêu tiền")
    custom = [m["custom"] for m in messages if "custom" in m]
    assert custom == [{"type": "procedure_answer", "procedure_code": "3.000347", "topic": "fee"}]
    text = "\n".join(m["text"] for m in messages if m.get("text"))
    assert "Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần." in text
    assert "mức thu 115.000 đồng/lần cấp (từ 01/12/2023 đến hết 31/12/2025) đã hết hiệu lực từ 01/01/2026" in text
    assert "Miễn phí" not in text and "địa phương" not in text
