"""The conversation evaluation's verdicts."""

from bot.tools.conversation_eval import judge, report


def _answer(code, topic):
    return {"custom": {"type": "procedure_answer", "procedure_code": code, "topic": topic}}


def test_verdicts():
    expect = {"topic": "fee", "codes": ["1.001193", "2.000528"]}
    assert judge(expect, [{"text": "…"}, _answer("2.000528", "fee")]) == "ok"
    assert judge(expect, [_answer("2.000528", "documents")]).startswith("wrong topic")
    assert judge(expect, [_answer("1.000894", "fee")]).startswith("wrong procedure")
    assert (
        judge(expect, [{"custom": {"type": "procedure_choices", "procedure_codes": ["9.9", "1.001193"]}}]) == "choice"
    )
    assert (
        judge(expect, [{"custom": {"type": "procedure_choices", "procedure_codes": ["9.9"]}}]) == "choices without it"
    )
    assert judge(expect, [{"text": "xin chào"}]) == "no procedure answer"
    assert judge({"none": True}, [{"text": "xin chào"}]) == "ok"
    assert judge({"none": True}, [_answer("1.001193", "overview")]).startswith("answered")


def test_report_counts_choices_apart():
    rows = [
        {"user": "phí?", "expect": {"topic": "fee", "codes": ["1"]}, "verdict": "ok"},
        {"user": "lệ phí", "expect": {"topic": "fee", "codes": ["1"]}, "verdict": "choice"},
        {"user": "chao", "expect": {"none": True}, "verdict": "ok"},
    ]
    table = report(rows)
    assert "| all | 3 | 66.7% | 100.0% |" in table
    assert "| not about a procedure | 1 | 100.0% | 100.0% |" in table
