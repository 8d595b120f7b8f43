"""The dossier CLI through subprocess, on a SQLite file in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(db, *args):
    return subprocess.run(
        [sys.executable, "-m", "bot.dossier.cli", "--db", str(db), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_add_update_show_list(tmp_path):
    db = tmp_path / "cli.sqlite"
    added = cli(
        db,
        "add",
        "00.12.h29 - 261120 - 0042",
        "--procedure-code",
        "1.001193",
        "--procedure-name",
        "Thủ tục đăng ký khai sinh",
        "--agency",
        "UBND phường Bến Thành",
        "--due",
        "2026-11-25T17:00:00+07:00",
        "--received",
        "2026-11-20T09:15",
        "--phone-last4",
        "1234",
    )
    assert added.returncode == 0, added.stderr
    body = json.loads(added.stdout)
    assert body["code"] == "000.00.12.H29-261120-0042" and body["received_at"] == "2026-11-20T09:15:00+07:00"
    updated = cli(
        db,
        "update",
        "000.00.12.H29-261120-0042",
        "--status",
        "supplement_required",
        "--note",
        "Bổ sung giấy chứng sinh",
    )
    assert updated.returncode == 0, updated.stderr
    shown = json.loads(cli(db, "show", "000.00.12.h29-261120-0042").stdout)
    assert shown["status"] == "SUPPLEMENT_REQUIRED"
    assert [h["status"] for h in shown["history"]] == ["RECEIVED", "SUPPLEMENT_REQUIRED"]
    listed = json.loads(cli(db, "list", "--status", "SUPPLEMENT_REQUIRED").stdout)
    assert [d["code"] for d in listed] == ["000.00.12.H29-261120-0042"]


def test_errors(tmp_path):
    db = tmp_path / "cli.sqlite"
    bad = cli(db, "show", "000.00.12.H29-261120-01")
    assert bad.returncode == 2 and "sequence_too_short" in bad.stderr
    missing = cli(db, "show", "000.00.12.H29-261120-0001")
    assert missing.returncode == 1 and "not found" in missing.stderr
    wrong_status = cli(db, "update", "000.00.12.H29-261120-0001", "--status", "DONE")
    assert wrong_status.returncode == 2


def test_init_seeds_demo_data(tmp_path):
    db = tmp_path / "cli.sqlite"
    assert json.loads(cli(db, "init").stdout)["dossiers"] == 11
    statuses = {d["status"] for d in json.loads(cli(db, "list").stdout)}
    assert len(statuses) == 7
