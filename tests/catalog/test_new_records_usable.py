"""Every supplement record (207 Word-export, 45 portal API) answers every topic and walks through the guide like the
portal-page records: real records, the real renderer (bot.catalog.render) and step builder (bot.guide)."""

import pytest

from bot.catalog import load_catalog, render
from bot.guide import steps
from bot.guide.settings import guide_settings
from bot.understanding.topics import TOPICS

CAT = load_catalog()
NEW = [r for r in CAT if r["source"] in ("bqp_word", "portal_api")]


def test_there_are_252():
    assert len(NEW) == 252


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_answers_from_the_record(topic):
    answered = 0
    for record in NEW:
        answers = render.answer(record, topic)
        assert answers and all(a.response.startswith("utter_procedure_") for a in answers)
        answered += answers[0].response != "utter_procedure_missing"
        for value in answers[0].variables.values():
            assert isinstance(value, str)
    assert answered >= 0.5 * len(NEW), (topic, answered)  # most records have each fact (see the quality report)


def test_fees_per_channel_read_as_the_record_says():
    text = render.per_channel(CAT.get("1.013133"), "fee")  # free in person, nothing said online
    assert text == "Miễn phí"
    text = render.per_channel(CAT.get("1.001308"), "fee")
    assert "30.000 Đồng (Chứng nhận lãnh sự)" in text


def test_guide_builds_every_step_of_every_new_record():
    settings = guide_settings({})
    walked = 0
    for record in NEW:
        keys = steps.plan(record)
        if not keys:
            assert render.availability(record) == render.NONE
            assert steps.in_person_only(record, settings).response == "utter_guide_in_person_only"
            continue
        walked += 1
        for key in keys:
            message = steps.build_step(record, key, settings)
            assert message.response.startswith("utter_guide_")
        assert steps.checklist(record, settings).response.startswith("utter_guide_")
    assert walked >= 100
