"""The unanswered-question loop end to end: a question the real stack does not answer → kept without personal
data → grouped by `python -m bot.review` → attached to a procedure and topic → written to throw-away copies of the
data files → the catalog search and the reading (what the actions use) answer it; the training examples written
pass `rasa data validate`. Plus grouping and out-of-scope on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from bot.catalog import Catalog, read_records, search
from bot.ops.db import engine
from bot.ops.review import add_alias, add_examples
from bot.ops.unanswered import UnansweredStore, clean, groups
from bot.settings import REPO_ROOT
from bot.understanding import read
from bot.understanding.reading import ANSWER

QUESTION = "giấy cho bé mới đẻ cần gì"


def review(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bot.review", "--json", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_clean_masks_codes_and_identifiers():
    text = clean("hồ sơ 000.00.12.H29-261102-0008 của tôi, sđt 0912 345 678, phản ánh PA-7K3QX9")
    assert "0008" not in text and "0912" not in text and "7K3QX9" not in text
    assert "[MÃ HỒ SƠ]" in text and "[SĐT]" in text and "[MÃ PHẢN ÁNH]" in text


@pytest.mark.rasa
def test_not_answered_then_reviewed_then_answered(rasa_server, tmp_path, monkeypatch):
    sender = rasa_server.new_sender()
    for text in (QUESTION, f"sđt 0912 345 678, {QUESTION} ạ", "giấy cho bé mới đẻ cần những gì"):
        answer = rasa_server.rest(sender, text)
        assert not [m for m in answer if (m.get("custom") or {}).get("type") == "procedure_answer"], answer
    data_dir, nlu_dir = tmp_path / "catalog_data", tmp_path / "nlu_data"
    shutil.copytree(REPO_ROOT / "bot" / "catalog" / "data", data_dir, ignore=shutil.ignore_patterns("*.gz"))
    shutil.copytree(REPO_ROOT / "nlu_data", nlu_dir)
    files = [
        "--db",
        str(tmp_path / "ops.sqlite"),
        "--tracker-db",
        str(rasa_server.settings.var_dir / "tracker.db"),
        "--aliases",
        str(data_dir / "aliases.tsv"),
        "--nlu-dir",
        str(nlu_dir / "nlu"),
    ]

    listed = review(*files, "list")
    [group] = [g for g in listed["groups"] if any("bé mới đẻ" in t for t in g["texts"])]
    # (other tests' conversations in the same stack may have asked it too)
    assert group["count"] >= 3 and set(group["kinds"]) <= {"not_found", "not_in_catalog"}
    assert not any("0912" in t for t in group["texts"]) and any("[SĐT]" in t for t in group["texts"])
    assert review(*files, "list")["added"] == 0  # each turn is kept once

    done = review(
        *files,
        "attach",
        str(group["group"]),
        "--procedure",
        "1.001193",
        "--topic",
        "documents",
        "--alias",
        "giấy cho bé mới đẻ",
    )
    assert done["alias"] is True and done["intent"] == "ask_documents" and len(done["examples"]) >= 3
    assert "giấy cho bé mới đẻ\t" in (data_dir / "aliases.tsv").read_text(encoding="utf-8")
    assert not [g for g in review(*files, "list")["groups"] if any("bé mới đẻ" in t for t in g["texts"])]

    # The written training examples are valid Rasa data next to the rest.
    validate = subprocess.run(
        [
            str(REPO_ROOT / ".venv" / "bin" / "rasa"),
            "data",
            "validate",
            "--data",
            str(nlu_dir),
            "--domain",
            str(REPO_ROOT / "domain.yml"),
            "--config",
            str(REPO_ROOT / "config.yml"),
            "--fail-on-warnings",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]

    # The catalog search and the reading answer it with the new alias (what the actions do at the next start).
    monkeypatch.setattr(search, "DATA_DIR", data_dir)
    reading = read(Catalog(read_records()), QUESTION)
    assert (reading.verdict, reading.code, reading.topics) == (ANSWER, "1.001193", ["documents"])


def test_groups_and_out_of_scope(ops_url, tmp_path):
    store = UnansweredStore(engine(ops_url))
    rows = [
        ("giá vàng hôm nay bao nhiêu", "fallback"),
        ("giá vàng hôm nay thế nào", "fallback"),
        ("làm thẻ vàng cho cháu", "not_found"),
    ]
    with store.engine.begin() as connection:
        from bot.ops.unanswered import unanswered, words_of

        for i, (text, kind) in enumerate(rows):
            connection.execute(
                unanswered.insert().values(
                    turn_key=f"k{i}",
                    at="2026-11-30T00:00:00+00:00",
                    channel="web",
                    kind=kind,
                    text=text,
                    words=words_of(text),
                    status="new",
                )
            )
    found = groups(store.rows())
    assert [(g.count, g.kinds) for g in found] == [(2, {"fallback": 2}), (1, {"not_found": 1})]
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    (nlu / "basics.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - xin chào\n')
    assert add_examples("out_of_scope", found[0].texts + ["xin chào"], nlu) == found[0].texts  # no duplicate
    assert add_examples("out_of_scope", found[0].texts, nlu) == []
    store.decide(found[0].ids, "out_of_scope")
    assert [r["text"] for r in store.rows()] == ["làm thẻ vàng cho cháu"]
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("# header\nsổ đỏ\tgiấy chứng nhận quyền sử dụng đất\n", encoding="utf-8")
    assert add_alias("So Do", "x", "1.0", aliases) is False  # already there, accents and case aside
    assert add_alias("thẻ vàng", "Cấp thẻ bảo hiểm y tế", "1.1", aliases) is True
