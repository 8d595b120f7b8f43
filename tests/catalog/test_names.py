"""Short display names (bot/catalog/names.py, render.display_name): at most 80 characters, the level and the words
that tell near-identical procedures apart kept, distinct within a field over the whole catalog; the full name once."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from bot.catalog import load_catalog, names, render
from bot.vntext import fold


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def test_every_short_name_fits_and_no_two_records_of_a_field_share_one(cat):
    records = list(cat)
    assert sum(len(r["name"]) > names.MAX_CHARS for r in records) > 1400  # what the portal gives
    assert all(0 < len(render.display_name(r)) <= names.MAX_CHARS for r in records)
    by: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in records:
        by[(fold(r["field"]), fold(render.display_name(r)))].add(fold(r["name"]))
    assert [k for k, full in by.items() if len(full) > 1] == []
    assert names.clashes(records) == []


def test_short_names_of_hard_records(cat):
    assert render.display_name(cat.get("1.004222")) == "Đăng ký thường trú"  # short names stay as they are
    # 1,094 characters: cut between words after the bracketed asides and the cases after ";" are dropped.
    longest = max(cat, key=lambda r: len(r["name"]))
    assert len(longest["name"]) > 1000 and render.display_name(longest).startswith("Đăng ký biến động")
    # Two real-estate broker certificates differing only inside their brackets: the difference is kept.
    lost, expired = render.display_name(cat.get("1.012907")), render.display_name(cat.get("1.012910"))
    assert lost != expired and "bị cháy" in lost and "hết hạn" in expired
    # Import vs export of the same quarantine certificate: the differing word is kept.
    imp, exp = render.display_name(cat.get("2.001544")), render.display_name(cat.get("2.001558"))
    assert "nhập khẩu" in imp and "xuất khẩu" in exp


def test_level_kept_and_thu_tuc_dropped():
    name = (
        "Thủ tục xét hưởng chế độ trợ cấp đối với đối tượng thuộc Công an nhân dân trực tiếp tham gia chiến tranh "
        "bảo vệ Tổ quốc ở biên giới Tây Nam (thực hiện tại cấp tỉnh)."
    )
    short = names.short_name(name)
    assert len(short) <= 80 and short.startswith("Xét hưởng chế độ") and short.endswith("(thực hiện tại cấp tỉnh)")
    assert names.short_name("Thủ tục đăng ký khai sinh") == "Thủ tục đăng ký khai sinh"  # short: as written


def test_replies_use_the_short_name_and_the_overview_the_full_one(cat):
    record = cat.get("1.012907")
    common = render.common_variables(record)
    assert common["procedure_name"] == render.display_name(record) != record["name"]
    assert common["procedure_full_name"] == record["name"]
    [overview] = render.answer(record, "overview")
    assert overview.variables["procedure_full_name"] == record["name"]
    domain = (Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8")
    line = domain.split("utter_procedure_overview:")[1].split("\n")[1]
    assert "{procedure_full_name}" in line and "{procedure_name}" not in line
    # Every other reply names the procedure by its short name.
    [documents] = render.answer(record, "documents")
    assert documents.variables["procedure_name"] == common["procedure_name"]
