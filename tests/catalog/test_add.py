"""`python -m bot.catalog add`: a good folder, a broken file among good ones, duplicates with and without --replace,
dry run, atomic writes, and the merged catalog answering about what was added. Real files in tmp_path."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog import DEFAULT_PATH, Catalog, read_records
from bot.catalog.add import run
from bot.catalog.local import merge, read_local, write_local

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
PAGE = json.loads((FIXTURES / "hard_records.json").read_text(encoding="utf-8"))
BQP = json.loads((FIXTURES / "hard_bqp_word.json").read_text(encoding="utf-8"))
API = json.loads((FIXTURES / "hard_portal_api.json").read_text(encoding="utf-8"))


def province_api(code="2.999001", name="Hỗ trợ tiền điện cho hộ nghèo trên địa bàn tỉnh"):
    """A province's own procedure in the portal API format (a real record with its code and name changed)."""
    obj = copy.deepcopy(API["1.001699"])
    obj["code"] = obj["codeNotation"] = code
    obj["name"] = name
    obj["departmentPromulgateName"] = "UBND tỉnh Lào Cai"
    return obj


def province_bqp(code="2.999002"):
    obj = copy.deepcopy(BQP["1.013133"])
    obj["thu_tuc_id"] = obj["metadata"]["mã_thủ_tục"] = code
    obj["metadata"]["tên_thủ_tục"] = "Thủ tục đăng ký tham gia dân quân tự vệ tại thôn bản vùng cao"
    return obj


def province_page(code="2.999003"):
    obj = copy.deepcopy(PAGE["1.001193"])
    obj["ma_thu_tuc"] = code
    obj["ten_thu_tuc"] = "Thủ tục hỗ trợ sinh con thứ hai tại xã đảo"
    return obj


def write(path: Path, obj) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def good_folder(tmp_path):
    folder = tmp_path / "tinh"
    write(folder / "a.json", province_api())
    write(folder / "sub" / "b.json", province_bqp())
    write(folder / "c.json", [province_page()])  # a file may hold a list
    return folder


def test_good_folder_added_in_every_format(tmp_path, good_folder):
    local = tmp_path / "var" / "local.jsonl"
    code, text = run([good_folder], local_file=local)
    assert code == 0, text
    records = {r["code"]: r for r in read_local(local)}
    assert set(records) == {"2.999001", "2.999002", "2.999003"}
    assert {c: r["source"] for c, r in records.items()} == {
        "2.999001": "local:portal_api",
        "2.999002": "local:bqp_word",
        "2.999003": "local:portal_page",
    }
    assert records["2.999001"]["ministry"] == "UBND tỉnh Lào Cai"
    assert records["2.999002"]["ministry"] == "Bộ Quốc phòng"  # from "…/QĐ-BQP"
    assert "3 thủ tục mới, 0 thủ tục thay thế, từ 3 tệp." in text and str(local) in text
    assert [json.loads(line)["code"] for line in local.read_text(encoding="utf-8").splitlines()] == sorted(records)


def test_added_records_are_searchable_after_merge(tmp_path, good_folder):
    local = tmp_path / "local.jsonl"
    assert run([good_folder], local_file=local)[0] == 0
    cat = Catalog(merge(read_records(DEFAULT_PATH), read_local(local)))
    assert len(cat) == 2894 + 3
    assert cat.search("hỗ trợ tiền điện cho hộ nghèo trên địa bàn tỉnh", limit=3)[0].code == "2.999001"
    assert "2.999001" in [h.code for h in cat.search("hỗ trợ tiền điện cho hộ nghèo", limit=3)]
    assert cat.search("thu tuc ho tro sinh con thu hai tai xa dao", limit=1)[0].code == "2.999003"
    assert cat.get("2.999003")["channels"]  # answered from the record like any other


def test_broken_file_among_good_ones_adds_nothing_and_names_each_error(tmp_path, good_folder):
    local = tmp_path / "local.jsonl"
    write_local([dict(read_records(DEFAULT_PATH)[0], code="2.888888")], local)
    before = local.read_bytes()
    (good_folder / "bad.json").write_text('{"code": "2.1", "name": ', encoding="utf-8")
    write(good_folder / "unknown.json", {"title": "not a procedure"})
    no_code = province_api()
    no_code["code"] = no_code["codeNotation"] = ""
    write(good_folder / "nocode.json", no_code)
    no_name = province_bqp("2.999010")
    no_name["metadata"]["tên_thủ_tục"] = " "
    write(good_folder / "noname.json", no_name)
    write(good_folder / "exists.json", province_api(code="1.001193"))  # a shipped code, no --replace
    code, text = run([good_folder], local_file=local)
    assert code == 1
    assert local.read_bytes() == before  # nothing added
    lines = text.splitlines()
    assert any("bad.json" in ln and "không phải JSON hợp lệ" in ln for ln in lines), text
    assert any("unknown.json" in ln and "không nhận ra định dạng" in ln for ln in lines), text
    assert any("nocode.json" in ln and "thiếu mã thủ tục" in ln for ln in lines), text
    assert any("noname.json" in ln and "thiếu tên thủ tục (mã 2.999010)" in ln for ln in lines), text
    assert any("exists.json" in ln and "mã 1.001193 đã có trong danh mục quốc gia" in ln for ln in lines), text
    assert lines[-1] == "Không thêm thủ tục nào: sửa 5 lỗi trên rồi chạy lại."
    assert not [p for p in local.parent.iterdir() if p.name.endswith(".tmp")]


def test_duplicate_code_without_and_with_replace(tmp_path):
    local = tmp_path / "local.jsonl"
    newer = province_api(code="1.014163", name="Hưởng trợ cấp ốm đau (quy trình của tỉnh)")
    path = write(tmp_path / "in" / "om_dau.json", newer)
    code, text = run([path], local_file=local)
    assert code == 1 and "mã 1.014163 đã có trong danh mục quốc gia; thêm --replace" in text
    assert not local.exists()
    code, text = run([path], replace=True, local_file=local)
    assert code == 0 and "~ thay" in text and "0 thủ tục mới, 1 thủ tục thay thế" in text
    merged = {r["code"]: r for r in merge(read_records(DEFAULT_PATH), read_local(local))}
    assert merged["1.014163"]["name"] == "Hưởng trợ cấp ốm đau (quy trình của tỉnh)"
    assert len(merged) == 2894
    # Now it is a local record: adding it again needs --replace too, and says where it is.
    code, text = run([path], local_file=local)
    assert code == 1 and "danh mục bổ sung của địa phương" in text
    assert run([path], replace=True, local_file=local)[0] == 0 and len(read_local(local)) == 1


def test_same_code_twice_in_the_input(tmp_path):
    folder = tmp_path / "in"
    write(folder / "a.json", province_api())
    write(folder / "b.json", province_api())
    code, text = run([folder], replace=True, local_file=tmp_path / "local.jsonl")
    assert code == 1 and "mã 2.999001 xuất hiện hai lần" in text and "b.json" in text


def test_dry_run_writes_nothing(tmp_path, good_folder):
    local = tmp_path / "local.jsonl"
    code, text = run([good_folder], dry_run=True, local_file=local)
    assert code == 0 and not local.exists()
    assert (
        "+ thêm  2.999001  Hỗ trợ tiền điện cho hộ nghèo trên địa bàn tỉnh  [UBND tỉnh Lào Cai; local:portal_api]"
        in text
    )
    assert text.splitlines()[-1] == "Chạy thử (--dry-run): chưa ghi gì."


def test_missing_path(tmp_path):
    code, text = run([tmp_path / "nowhere"], local_file=tmp_path / "local.jsonl")
    assert code == 1 and "không có tệp hay thư mục này" in text


def test_write_is_atomic(tmp_path, monkeypatch):
    local = tmp_path / "local.jsonl"
    write_local([dict(read_records(DEFAULT_PATH)[0], code="2.888888")], local)
    before = local.read_bytes()

    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_local([dict(read_records(DEFAULT_PATH)[0], code="2.777777")], local)
    assert local.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["local.jsonl"]


def test_cli(tmp_path, good_folder):
    env = {**os.environ, "CATALOG_LOCAL_PATH": str(tmp_path / "local.jsonl")}
    out = subprocess.run(
        [sys.executable, "-m", "bot.catalog", "add", str(good_folder), "--dry-run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and "3 thủ tục mới" in out.stdout
    (good_folder / "bad.json").write_text("[", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot.catalog", "add", str(good_folder)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and "bad.json" in out.stderr and not (tmp_path / "local.jsonl").exists()
