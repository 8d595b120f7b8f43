"""The report over a month of conversations generated through the real stack (bot/ops/simulate.py, seeded):
every chart present, each figure equal to a direct SQL count on the tracker store and the operations tables,
a complaint's <script> shown as text and never run (headless Chromium), a screenshot kept in results/.
Run: .venv/bin/python -m pytest tests/ops/test_report_e2e.py -q -m rasa
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from html import unescape

import pytest
import sqlalchemy as sa

from bot.catalog import read_records
from bot.ops.db import engine
from bot.ops.figures import AGE_BUCKETS, window
from bot.ops.simulate import simulate
from bot.settings import REPO_ROOT
from tests.web.conftest import driver  # noqa: F401  (the headless Chromium fixture)

pytestmark = pytest.mark.rasa
CHARTS = (
    "conversations_per_day",
    "top_procedures",
    "top_topics",
    "outcomes",
    "unanswered_groups",
    "satisfaction_channel",
    "satisfaction_procedure",
    "guide_funnel",
    "online_levels",
    "dossier_agencies",
    "complaints_category",
    "complaints_status",
    "complaints_age",
)
NF = "('utter_procedure_not_found', 'utter_procedure_not_in_catalog', 'utter_guide_not_found')"
ANSWER_TYPES = "('procedure_answer', 'dossier_status', 'online_guide', 'complaint_receipt', 'complaint_status')"
TURN_BOT_EVENTS = """
    SELECT e.sender_id, e.data FROM events e JOIN events u ON u.id = (
      SELECT max(v.id) FROM events v WHERE v.sender_id = e.sender_id AND v.type_name = 'user' AND v.id < e.id)
    WHERE e.type_name = 'bot' AND e.timestamp < :hi AND u.timestamp >= :lo AND u.timestamp < :hi
      AND coalesce(u.intent_name, '') NOT LIKE 'EXTERNAL_%'"""


def marks(page: str) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {}
    for chart_id, body in re.findall(r'<figure class="chart" id="([^"]+)">(.*?)</figure>', page, re.S):
        found[chart_id] = {
            unescape(k): float(v) for k, v in re.findall(r'data-key="([^"]*)" data-value="([^"]*)"', body)
        }
    return found


def sql(connection, query: str, **params) -> list:
    return connection.execute(sa.text(query), params).fetchall()


@pytest.fixture(scope="module")
def month(rasa_server, tmp_path_factory):
    var = rasa_server.settings.var_dir
    tracker, ops = engine(str(var / "tracker.db")), engine(str(var / "ops.sqlite"))
    summary = simulate(rasa_server.url, tracker, ops, days=30, per_day=2, seed=12)
    out = REPO_ROOT / "results" / "report.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.report",
            "--days",
            "30",
            "--out",
            str(out),
            "--tracker-db",
            str(var / "tracker.db"),
            "--db",
            str(var / "ops.sqlite"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    return summary, tracker, ops, out, out.read_text(encoding="utf-8")


def test_every_chart_is_there_and_offline(month):
    summary, _, _, _, page = month
    assert summary.conversations == 60
    found = marks(page)
    assert set(CHARTS) <= set(found), set(CHARTS) - set(found)
    assert not re.search(r"<script", page, re.I)  # no script at all; the complaint's one is escaped
    assert not re.search(r"""(src|href|url)\s*[=(]""", page, re.I)  # nothing loaded from anywhere
    assert "default-src 'none'" in page


def test_each_figure_equals_a_direct_sql_count(month):
    _, tracker, ops, out, page = month
    found = marks(page)
    start, end, days = window(30)
    # Up to when the report was written: later tests talk to the same stack and add events of their own.
    lo, hi = start.timestamp(), min(end.timestamp() + 1, out.stat().st_mtime)
    with tracker.connect() as c:
        per_day = sql(
            c,
            "SELECT date(timestamp + 7 * 3600, 'unixepoch'), CASE WHEN instr(sender_id, ':') > 0 THEN "
            "substr(sender_id, 1, instr(sender_id, ':') - 1) ELSE 'rest' END,"
            " count(DISTINCT sender_id) FROM events WHERE type_name = 'user' AND intent_name NOT LIKE "
            "'EXTERNAL_%' AND timestamp >= :lo AND timestamp < :hi GROUP BY 1, 2",
            lo=lo,
            hi=hi,
        )
        expected = {f"{d}|{ch}": n for d, ch, n in per_day}
        assert {k: v for k, v in found["conversations_per_day"].items() if v} == expected
        assert len({d for d, _, _ in per_day}) >= 28  # a month, not one day

        # The bot events of the person's turns in the window: those after a user event of the window that is not
        # a notification (EXTERNAL_*: a dossier status change told to a subscriber is not a lookup), as the report
        # counts them (bot/ops/events.py).
        bot = f"FROM ({TURN_BOT_EVENTS}) WHERE json_extract(data, '$.data.custom.type') = "
        procedures = dict(
            sql(
                c,
                f"SELECT json_extract(data, '$.data.custom.procedure_code'), count(*) {bot}"
                "'procedure_answer' GROUP BY 1",
                lo=lo,
                hi=hi,
            )
        )
        # The ten most answered; among equal counts at the cut either one may be listed.
        top = found["top_procedures"]
        assert len(top) == min(10, len(procedures)) and all(procedures.get(k) == v for k, v in top.items())
        assert min(top.values(), default=0) >= max([v for k, v in procedures.items() if k not in top], default=0)
        topics = dict(
            sql(
                c,
                f"SELECT json_extract(data, '$.data.custom.topic'), count(*) {bot}'procedure_answer' GROUP BY 1",
                lo=lo,
                hi=hi,
            )
        )
        assert found["top_topics"] == topics

        # How each question turn went: the bot events of a turn are those after its user event.
        turns = sql(
            c,
            f"""
            WITH b AS (SELECT e.sender_id, e.data,
                         (SELECT max(u.id) FROM events u WHERE u.sender_id = e.sender_id AND u.type_name = 'user'
                          AND u.id < e.id) AS turn FROM events e WHERE e.type_name = 'bot')
            SELECT u.id, u.intent_name,
              max(json_extract(b.data, '$.metadata.utter_action') IN {NF}),
              max(json_extract(b.data, '$.data.custom.type') IN {ANSWER_TYPES}
                  OR json_extract(b.data, '$.metadata.utter_action') LIKE 'utter_faq_%'),
              max(json_extract(b.data, '$.data.custom.type') = 'procedure_choices'),
              max(json_extract(b.data, '$.metadata.utter_action') = 'utter_default')
            FROM events u LEFT JOIN b ON b.turn = u.id
            WHERE u.type_name = 'user' AND u.intent_name NOT LIKE 'EXTERNAL_%' AND u.timestamp >= :lo
              AND u.timestamp < :hi GROUP BY u.id, u.intent_name""",
            lo=lo,
            hi=hi,
        )
        outcomes = Counter()
        for _, _intent, nf, answered, choices, default in turns:
            outcomes[
                "not_found"
                if nf
                else "answered"
                if answered
                else "choices"
                if choices
                else "fallback"
                if default
                else "other"
            ] += 1
        assert found["outcomes"] == {k: outcomes[k] for k in ("answered", "choices", "not_found", "fallback")}
        assert min(outcomes[k] for k in ("answered", "choices", "not_found", "fallback")) > 0

        guide = dict(
            sql(
                c,
                f"SELECT 'started', count(DISTINCT sender_id) {bot}'online_guide' UNION ALL "
                f"SELECT 'checklist', count(DISTINCT sender_id) {bot}'online_guide' AND "
                "json_extract(data, '$.data.custom.step') = 'checklist'",
                lo=lo,
                hi=hi,
            )
        )
        assert found["guide_funnel"] == guide and guide["started"] >= guide["checklist"] > 0
        levels = {r["code"]: r["online"]["level"] for r in read_records()}
        asked = Counter(levels[code] for code in procedures)
        assert found["online_levels"] == {k: asked.get(k, 0) for k in ("full", "partial", "none")}
        agencies = sql(
            c,
            f"SELECT json_extract(data, '$.data.custom.agency'), count(*), "
            f"sum(json_extract(data, '$.data.custom.overdue')) {bot}'dossier_status' GROUP BY 1",
            lo=lo,
            hi=hi,
        )
        assert found["dossier_agencies"] == {
            f"{a}|{k}": v for a, n, o in agencies for k, v in (("lookups", n), ("overdue", o))
        }
        assert any(o for _, _, o in agencies)

    since = start.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    with ops.connect() as c:
        by_channel = sql(c, "SELECT channel, count(*), sum(satisfied) FROM feedback WHERE at >= :s GROUP BY 1", s=since)
        assert found["satisfaction_channel"] == {ch: round(100 * ok / n, 1) for ch, n, ok in by_channel}
        by_code = sql(
            c,
            "SELECT procedure_code, count(*), sum(satisfied) FROM feedback WHERE at >= :s AND "
            "procedure_code IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
            s=since,
        )
        assert found["satisfaction_procedure"] == {code: round(100 * ok / n, 1) for code, n, ok in by_code}
        categories = dict(
            sql(c, "SELECT category, count(*) FROM complaints WHERE created_at >= :s GROUP BY 1", s=since)
        )
        assert {k: v for k, v in found["complaints_category"].items() if v} == categories
        statuses = dict(sql(c, "SELECT status, count(*) FROM complaints WHERE created_at >= :s GROUP BY 1", s=since))
        assert {k: v for k, v in found["complaints_status"].items() if v} == statuses
        ages = Counter()
        for (created,) in sql(
            c, "SELECT created_at FROM complaints WHERE status = 'open' AND created_at >= :s", s=since
        ):
            waited = (dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(created)).days
            ages[next(i for i, (_, high) in enumerate(AGE_BUCKETS) if high is None or waited < high)] += 1
        assert sum(found["complaints_age"].values()) == sum(ages.values()) == statuses.get("open", 0)
        unanswered = sql(c, "SELECT count(*) FROM unanswered WHERE status = 'new' AND at >= :s", s=since)[0][0]
        assert 0 < sum(found["unanswered_groups"].values()) <= unanswered


def test_the_page_in_chromium_runs_no_script_and_is_kept_as_a_screenshot(month, driver):  # noqa: F811
    _, _, _, out, page = month
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 1200, "height": 4200, "deviceScaleFactor": 1, "mobile": False}
    )
    driver.get(out.as_uri())
    assert driver.title == "Báo cáo vận hành Trợ lý Dịch vụ công"  # the complaint's script did not run
    body = driver.find_element("tag name", "body").text
    assert "<script>document.title='pwned'</script>" in body  # shown as text
    charts = driver.find_elements("css selector", "figure.chart svg")
    assert len(charts) == len(CHARTS) and all(c.size["width"] > 0 and c.size["height"] > 0 for c in charts)
    shot = REPO_ROOT / "results" / "report.png"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
