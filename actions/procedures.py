"""Rasa custom actions answering questions about administrative procedures from the shipped catalog.

- action_answer_procedure: intents ask_<topic>. Reads the message once (bot.understanding.read: topics asked,
  procedure named, verdict) and acts on the verdict: answer every topic asked, offer choices, say honestly that
  the catalog has no such procedure, or ask which procedure is meant.
- action_choose_procedure: intent choose_procedure (button payload or typed "cái thứ 2" / a name); answers
  the question that was pending when the choices were offered.

Run with the action server: `python -m actions`. Every text of a record comes from bot/catalog/render.py (buttons:
actions/procedure_format.py); how a message is read in bot/understanding (tested without Rasa).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import procedure_format as fmt
from actions.procedure_settings import hotline, portal_url
from bot.catalog import render
from bot.dossier.codes import find_code
from bot.ops import complaints
from bot.understanding import ANSWER, CHOOSE, FOLLOW_UP, NO_PROCEDURE, NOT_IN_CATALOG, read
from bot.understanding.choices import parse_choice
from bot.understanding.reading import (
    about_the_dossier,
    is_payload,
    names_elsewhere,
    naming_confidence,
    speaks_of_the_dossier,
)
from bot.understanding.topics import asks_for_all, asks_what_about, find_cues

SLOT_CODE = "procedure_code"
SLOT_TOPIC = "pending_topic"
SLOT_OFFERED = "offered_procedures"
SLOT_OFFERED_UNKNOWN = "offered_not_in_catalog"
SLOT_LAST_TOPIC = "last_topic"
SLOT_LAST_DOSSIER = "dossier_last_code"
INTENT_ALL = "ask_all"


def _catalog() -> Any:
    from bot.catalog import load_catalog  # imported lazily: loading is cached and done on first use

    return load_catalog()


def _answer(dispatcher: CollectingDispatcher, record: Dict[Text, Any], topics: List[Text]) -> List[Dict[Text, Any]]:
    """Answer each asked topic about the record (one procedure_answer payload per topic)."""
    for topic in topics:  # a record without a page of its own links to the portal with its code (render.record_url)
        for part in render.answer(record, topic):
            dispatcher.utter_message(response=part.response, **part.variables)
        _answered(dispatcher, record, topic)
    return _follow_ups(dispatcher, record, topics[-1])


def _answered(dispatcher: CollectingDispatcher, record: Dict[Text, Any], topic: Text) -> None:
    """The procedure_answer payload: which record and topic the texts just sent answered."""
    payload = {"type": "procedure_answer", "procedure_code": record["code"], "topic": topic}
    dispatcher.utter_message(json_message=payload)


def _follow_ups(dispatcher: CollectingDispatcher, record: Dict[Text, Any], topic: Text) -> List[Dict[Text, Any]]:
    """The buttons for the record's other topics after an answer about `topic`; the slots that answer leaves."""
    dispatcher.utter_message(response="utter_procedure_more", buttons=fmt.follow_up_buttons(topic))
    return [
        SlotSet(SLOT_CODE, record["code"]),
        SlotSet(SLOT_TOPIC, None),
        SlotSet(SLOT_OFFERED, None),
        SlotSet(SLOT_OFFERED_UNKNOWN, None),
        SlotSet(SLOT_LAST_TOPIC, topic),
    ]


ONE_CHOICE_WORDING = "utter_procedure_did_you_mean_one"
_PLURAL_CHOICE_WORDINGS = ("utter_procedure_choices", "utter_procedure_did_you_mean")


def offer_choices(
    dispatcher: CollectingDispatcher,
    catalog: Any,
    codes: List[Text],
    response: Text = "utter_procedure_choices",
    **variables: Any,
) -> List[Text]:
    """Ask which procedure is meant (buttons + the procedure_choices payload); returns the codes offered."""
    hits = _choices(catalog, codes)
    if len(hits) == 1 and response in _PLURAL_CHOICE_WORDINGS:
        response = ONE_CHOICE_WORDING  # "Có phải bạn hỏi về thủ tục này?", not "1 thủ tục gần giống nhau"
    dispatcher.utter_message(response=response, buttons=fmt.choice_buttons(hits), count=str(len(hits)), **variables)
    dispatcher.utter_message(json_message={"type": "procedure_choices", "procedure_codes": [h.code for h in hits]})
    return [h.code for h in hits]


def _offer_choices(
    dispatcher: CollectingDispatcher,
    catalog: Any,
    codes: List[Text],
    topics: List[Text],
    response: Text = "utter_procedure_choices",
) -> List[Dict[Text, Any]]:
    offered = offer_choices(dispatcher, catalog, codes, response=response, hotline=hotline())
    return [SlotSet(SLOT_TOPIC, topics[0]), SlotSet(SLOT_OFFERED, offered), SlotSet(SLOT_OFFERED_UNKNOWN, None)]


def _choices(catalog: Any, codes: List[Text]) -> List["_Choice"]:
    """The buttons for these codes (known records, at most MAX_CHOICES), titled so that each is told apart."""
    hits = [_Choice(code, catalog.get(code)) for code in codes]
    hits = [h for h in hits if h.record][: fmt.MAX_CHOICES]
    _disambiguate_titles(hits)
    return hits


class _Choice:
    """A candidate shown as a button: code, name, and what sets it apart from the other candidates."""

    def __init__(self, code: Text, record: Dict[Text, Any] | None) -> None:
        self.code = code
        self.record = record
        self.name = (record or {}).get("name") or code


def _disambiguate_titles(choices: List[_Choice]) -> None:
    """Near-identical names get the level (and, when that is not enough, the qualifier) on the button; choices
    from several ministries (the same procedure published twice) name the ministry."""
    titles = render.distinct_titles([(c.name, c.record.get("levels") or []) for c in choices])
    for choice, title in zip(choices, titles):
        choice.name = title
    ministries = {c.record.get("ministry") for c in choices}
    if len(ministries) > 1:
        for choice in choices:
            if choice.record.get("ministry"):
                choice.name = f"{render.shorten(choice.name, 90)} ({choice.record['ministry']})"


def _offered(tracker: Tracker, catalog: Any) -> List[Dict[Text, Text]]:
    offered = []
    for code in tracker.get_slot(SLOT_OFFERED) or []:
        record = catalog.get(code)
        if record:
            offered.append({"code": code, "name": record.get("name") or code})
    return offered


def _one_procedure(catalog: Any, codes: List[Text]) -> bool:
    """One record, or one record and the same procedure under other ministries."""
    return bool(codes) and set(codes[1:]) <= set(catalog.overlaps(codes[0]))


def _not_in_catalog(
    dispatcher: CollectingDispatcher, catalog: Any, codes: List[Text], topics: List[Text]
) -> List[Dict[Text, Any]]:
    """Say plainly the catalog has no record of it; offer the closest records as "Có phải bạn hỏi…"."""
    if not codes:
        dispatcher.utter_message(response="utter_procedure_not_found", hotline=hotline(), portal_url=portal_url())
        return [SlotSet(SLOT_TOPIC, topics[0]), SlotSet(SLOT_OFFERED, None)]
    offered = offer_choices(
        dispatcher,
        catalog,
        codes,
        response="utter_procedure_not_in_catalog",
        hotline=hotline(),
        portal_url=portal_url(),
    )
    return [SlotSet(SLOT_TOPIC, topics[0]), SlotSet(SLOT_OFFERED, offered), SlotSet(SLOT_OFFERED_UNKNOWN, True)]


def _answer_all(dispatcher: CollectingDispatcher, tracker: Tracker, reading: Any) -> List[Dict[Text, Any]]:
    """ "liệt kê hết", "xem thêm": the whole list the last answer cut, about the procedure named or under
    discussion; the list asked for, else the last one answered, else the documents."""
    code = reading.code if reading.verdict in (ANSWER, FOLLOW_UP) else tracker.get_slot(SLOT_CODE)
    record = _catalog().get(code) if code else None
    if not record:
        dispatcher.utter_message(response="utter_procedure_ask_which")
        return [SlotSet(SLOT_TOPIC, "documents")]
    last = tracker.get_slot(SLOT_LAST_TOPIC)
    asked = [t for t in reading.topics if t in render.LIST_TOPICS]
    topic = asked[0] if asked else last if last in render.LIST_TOPICS else "documents"
    pieces = render.rest(record, topic)
    if not pieces:  # the answer was not cut: answer the topic again, whole as it is
        return _answer(dispatcher, record, [topic])
    common = render.common_variables(record)
    dispatcher.utter_message(response="utter_procedure_full_list", topic_label=render.topic_label(topic), **common)
    for piece in pieces:
        dispatcher.utter_message(text=piece)
    _answered(dispatcher, record, topic)
    return _follow_ups(dispatcher, record, topic)


def respond(dispatcher: CollectingDispatcher, tracker: Tracker, intent_topic: Text) -> List[Dict[Text, Any]]:
    """Answer what the latest message asks about the procedure it names (or the one under discussion)."""
    catalog = _catalog()
    text = tracker.latest_message.get("text") or ""
    if not is_payload(text) and find_code(text).ok:
        # A dossier's code in the question ("… Mã hồ sơ chị đọc: 000.00.31.H48-251008-0475. Nhờ tra tình trạng"):
        # it asks about that dossier, whatever procedure words the note holds.
        return [FollowupAction("action_check_dossier_status")]
    offered = _offered(tracker, catalog)
    current = tracker.get_slot(SLOT_CODE)
    pending = tracker.get_slot(SLOT_TOPIC)
    if _about_the_dossier_shown(tracker, text):
        return [FollowupAction("action_dossier_detail")]
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if not offered and not is_payload(text) and (intent == INTENT_ALL or asks_for_all(text)):
        return _answer_all(dispatcher, tracker, read(catalog, text, current))
    unknown = bool(offered) and bool(tracker.get_slot(SLOT_OFFERED_UNKNOWN))
    fresh = read(catalog, text, alone=False) if unknown else None  # what the message says apart from the records shown
    names_missing = bool(fresh) and fresh.verdict == NOT_IN_CATALOG and bool(fresh.candidates)
    if offered and not is_payload(text) and not (unknown and names_missing):
        chosen = parse_choice(text, offered)
        if chosen:
            # Picked with a question of its own ("1.012783 có làm trực tuyến được không"): that question.
            asked = read(catalog, text, chosen).topics  # cues in the typed name are spent on it
            topics = asked if asked != ["overview"] else [pending if pending in fmt.TOPICS else intent_topic]
            return _answer(dispatcher, catalog.get(chosen), topics)
    # One record on screen ("Có phải bạn hỏi…?"), or one procedure as two ministries publish it (both shown with
    # the ministry), is the one under discussion: asking on about it without pressing a button is a follow-up
    # about it, answered from the first shown (asking the same again would strand the person).
    # After "the catalog has no record of what you asked; is it this one?", only a question naming nothing
    # ("lệ phí bao nhiêu") is about the record shown, and it is answered under a caveat saying which record it is;
    # a message naming something is read afresh (a look-alike's facts must not answer the procedure asked).
    shown = [o["code"] for o in offered]
    one = _one_procedure(catalog, shown) and not (unknown and names_missing)
    context = current if not shown else shown[0] if one else None
    reading = fresh if fresh is not None and context is None else read(catalog, text, context, alone=not offered)
    topics = [intent_topic] if is_payload(text) else reading.topics
    if topics == ["overview"] and pending in fmt.TOPICS and not is_payload(text):
        topics = [pending]  # a bare name answering "which procedure?" answers the question asked before
    naming = reading.verdict in (CHOOSE, NOT_IN_CATALOG) and bool(reading.candidates)
    if offered and naming and names_elsewhere(catalog, reading.span or text, shown):
        offered = []  # describes another record clearly ("phụ huynh hỏi tuyển sinh lớp 6"): a new question
    named = [c.code for c in reading.choices] if reading.verdict == CHOOSE and not reading.doubtful else []
    if offered and one and named and not set(named) & set(shown) and _one_procedure(catalog, named):
        # The one procedure shown is the one under discussion, and the reading, weighing it as such, switched
        # outright to another single procedure ("thế còn ốm đau thì sao" after thai sản as two ministries publish
        # it): a new question. Several records found ("phí thẩm định bao nhiêu") is a question about the one shown.
        offered = []
    if offered and reading.verdict not in (ANSWER, FOLLOW_UP):
        # A new question while choices are on screen is about one of them. After "the catalog lacks it; is it
        # one of these?" they are offered again. Near-identical records: the question ("con phi?", "phí thẩm định
        # bao nhiêu") is answered about the first shown, saying so, with all of them still on the buttons:
        # offering the same buttons again would strand whoever does not see or press them.
        if unknown and reading.verdict == NO_PROCEDURE:
            # Several look-alikes shown, and a question naming nothing ("mất bao lâu"): the nearest answers under
            # the caveat, as one shown record would; the others stay on the buttons.
            nearest = "utter_procedure_nearest_record"
            events = _answer_first_shown(
                dispatcher, catalog, shown, topics, nearest, hotline=hotline(), portal_url=portal_url()
            )
            return events + [SlotSet(SLOT_OFFERED_UNKNOWN, True)]
        if unknown:
            return _not_in_catalog(dispatcher, catalog, shown, topics)
        return _answer_first_shown(dispatcher, catalog, shown, topics)
    if reading.verdict in (ANSWER, FOLLOW_UP):
        last = tracker.get_slot(SLOT_LAST_TOPIC)
        if (
            current
            and (reading.code != current or asks_what_about(text))
            and reading.topics == ["overview"]
            and reading.topic_confidence < 1
            and last in fmt.TOPICS
            and not is_payload(text)
        ):
            topics = [last]  # switched procedure without asking anything new: the same question about the new one
        record = catalog.get(reading.code)
        if unknown and one and reading.code == shown[0]:
            dispatcher.utter_message(
                response="utter_procedure_nearest_record",
                name=render.display_name(record),
                hotline=hotline(),
                portal_url=portal_url(),
            )
        return _answer(dispatcher, record, topics)
    if reading.verdict == CHOOSE:
        codes = [c.code for c in reading.choices]
        if len(codes) > 1 and not reading.doubtful and _one_procedure(catalog, codes):
            # One procedure as several ministries publish it: a citizen cannot tell which ministry's record is
            # meant, so the question is answered from the first, the others named on the buttons.
            return _answer_first_shown(dispatcher, catalog, codes, topics, "utter_procedure_first_ministry")
        return _offer_choices(
            dispatcher,
            catalog,
            [c.code for c in reading.choices],
            topics,
            "utter_procedure_did_you_mean" if reading.doubtful else "utter_procedure_choices",
        )
    if reading.verdict == NOT_IN_CATALOG:
        return _not_in_catalog(dispatcher, catalog, [c.code for c in reading.choices], topics)
    dispatcher.utter_message(response="utter_procedure_ask_which")
    return [SlotSet(SLOT_TOPIC, topics[0])]


# After a lookup these ask about the dossier (its due date, what to do), the others about its procedure.
_LOOKUPS = ("action_check_dossier_status", "action_dossier_detail")


def _about_the_dossier_shown(tracker: Tracker, text: Text) -> bool:
    """Right after a dossier's status, is the message about that dossier rather than its procedure?"""
    if not tracker.get_slot(SLOT_LAST_DOSSIER):
        return False
    if speaks_of_the_dossier(text):  # "dân muốn rút hồ sơ về", any time after the lookup
        return about_the_dossier(_catalog(), text, tracker.get_slot(SLOT_CODE))
    if complaints.about_delay(text):  # "trễ hẹn rồi thì e phản ánh ở đâu", likewise
        return read(_catalog(), text, tracker.get_slot(SLOT_CODE), alone=False).verdict in (FOLLOW_UP, NO_PROCEDURE)
    return _last_action(tracker) in _LOOKUPS and about_the_dossier(_catalog(), text, tracker.get_slot(SLOT_CODE))


def _last_action(tracker: Tracker) -> Text | None:
    """The assistant's last action, not counting listening or an action that undid itself (the privacy notice)."""
    undone = 0
    for event in reversed(tracker.events):
        if event.get("event") == "undo":
            undone += 1
        elif event.get("event") == "action" and event.get("name") != "action_listen":
            if not undone:
                return event.get("name")
            undone -= 1
    return None


def _answer_first_shown(
    dispatcher: CollectingDispatcher,
    catalog: Any,
    shown: List[Text],
    topics: List[Text],
    response: Text = "utter_procedure_first_choice",
    **variables: Any,
) -> List[Dict[Text, Any]]:
    records = _choices(catalog, shown)
    buttons = fmt.choice_buttons(records)
    dispatcher.utter_message(response=response, name=records[0].name, buttons=buttons, **variables)
    events = _answer(dispatcher, records[0].record, topics)
    # Still pending: "số 2" or a button picks another one, for the question asked.
    return events + [SlotSet(SLOT_OFFERED, [r.code for r in records]), SlotSet(SLOT_TOPIC, topics[0])]


def _intent_topic(tracker: Tracker) -> Text:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return fmt.topic_for_intent(intent) or "overview"


class ActionAnswerProcedure(Action):
    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return respond(dispatcher, tracker, _intent_topic(tracker))


class ActionChooseProcedure(Action):
    def name(self) -> Text:
        return "action_choose_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        catalog = _catalog()
        pending = tracker.get_slot(SLOT_TOPIC)
        topic = pending if pending in fmt.TOPICS else "overview"
        offered = _offered(tracker, catalog)
        code = next(tracker.get_latest_entity_values(SLOT_CODE), None)
        if not code:
            code = parse_choice(tracker.latest_message.get("text"), offered)
        if code and catalog.get(code):
            return _answer(dispatcher, catalog.get(code), [topic])
        if offered:
            # Not one of the offered ones: show the same choices again.
            return _offer_choices(dispatcher, catalog, [o["code"] for o in offered], [topic])
        return respond(dispatcher, tracker, topic)


FAQ_INTENTS = (
    "faq_service_levels",
    "faq_vneid_login",
    "faq_online_payment",
    "faq_result_by_post",
    "faq_dossier_code",
    "faq_forgot_password",
    "faq_scan_upload",
    "faq_hours_hotline",
)
# FAQ answers that retell one catalog record (the source cited beside the response in domain.yml).
FAQ_PROCEDURES = {"faq_vneid_login": "3.000228"}


# (intent confidence below, name confidence at least): an intent other than a procedure question yields to a
# procedure the message names. "trợ giúp pháp lý" got "what can you help with" (0.59), "mã số vùng trồng" the
# dossier-code FAQ (0.49), "tam vang nvqs" a yes (0.45), names the reading is sure of (0.97-0.99); a story naming
# its record less surely ("sân bay … tạm dừng hoạt động để sửa đường băng", 0.71) got "stop the guide" at 0.55.
# The FAQs' own phrasings score 0.9 or more.
MISROUTED = ((0.7, 0.95), (0.6, 0.7))


def misrouted(tracker: Tracker) -> bool:
    """Whether the latest message, given an intent without conviction, names a procedure: answer that."""
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
    if confidence >= max(below for below, _ in MISROUTED):
        return False  # the reading is not asked for: most messages stop here
    named = naming_confidence(_catalog(), tracker.latest_message.get("text") or "")
    return any(confidence < below and named >= sure for below, sure in MISROUTED)


class ActionCapabilities(Action):
    """What the assistant can do, unless the message names a procedure ("trợ giúp pháp lý")."""

    def name(self) -> Text:
        return "action_capabilities"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if misrouted(tracker):
            return respond(dispatcher, tracker, "overview")
        dispatcher.utter_message(response="utter_capabilities")
        return []


class ActionAnswerFaq(Action):
    """Utters utter_<faq intent>; an action (not a plain response) so {hotline} comes from the settings."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in FAQ_INTENTS:
            return []
        if misrouted(tracker):  # "mã số vùng trồng" is no dossier code
            return respond(dispatcher, tracker, "overview")
        dispatcher.utter_message(response=f"utter_{intent}", hotline=hotline())
        code = FAQ_PROCEDURES.get(intent)
        # The answer retells a procedure of the catalog: "có mất phí không" next is asked about it.
        return [SlotSet(SLOT_CODE, code)] if code and _catalog().get(code) else []


def fallback_topic(intent_ranking: List[Dict[Text, Any]], top: int = 3) -> Text:
    """The procedure topic among the classifier's best guesses, or overview when none of them is one."""
    for guess in [g for g in intent_ranking if g.get("name") != "nlu_fallback"][:top]:
        topic = fmt.topic_for_intent(guess.get("name"))
        if topic:
            return topic
    return "overview"


class ActionNluFallback(Action):
    """Low intent confidence: if the message clearly names a procedure, or asks a topic of the one in hand (a button
    title typed: "Thời hạn"), answer it anyway (the catalog knows more names than the classifier has seen);
    otherwise say what the assistant can help with."""

    def name(self) -> Text:
        return "action_nlu_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        current = tracker.get_slot(SLOT_CODE)
        reading = read(_catalog(), text, current) if not is_payload(text) else None
        # It names a procedure, or asks a topic ("Thời hạn", typed like the button) of the one in hand.
        # Or it asks about something the catalog has no record of: say so (with the portal and the hotline)
        # rather than "chưa hiểu ý bạn".
        cues = find_cues(text)
        asks = any(c.strong for c in cues)  # "ở đâu", "giấy tờ gì", not a bare "thế nào"
        named = reading and (
            reading.candidates
            or (reading.verdict == NOT_IN_CATALOG and asks)
            or (reading.verdict == ANSWER and reading.code != current)  # "còn đứa lớn 15 tuổi thì sao"
        )
        offered = bool(tracker.get_slot(SLOT_OFFERED))  # choices on screen: "nộp ở đâu, mất bao lâu" is about them
        if reading and _about_the_dossier_shown(tracker, text):
            return [FollowupAction("action_dossier_detail")]  # "cả hai cùng trễ à, lý do?" after a lookup
        if named or (reading and (current or offered) and cues) or asks_for_all(text):
            return respond(dispatcher, tracker, fallback_topic(tracker.latest_message.get("intent_ranking") or []))
        dispatcher.utter_message(response="utter_default")
        return []
