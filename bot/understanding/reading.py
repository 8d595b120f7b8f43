"""One reading of a message about procedures: topics asked, procedure named, candidates and a verdict.

    reading = read(catalog, "đăng ký khai sinh cần giấy tờ gì và mất mấy ngày", current_code=None)
    reading.verdict   # ANSWER, CHOOSE, NOT_IN_CATALOG, NO_PROCEDURE or FOLLOW_UP
    reading.topics    # ["documents", "processing_time"]
    reading.code      # the procedure to answer (ANSWER, FOLLOW_UP)
    reading.choices   # CHOOSE: the alternatives; NOT_IN_CATALOG: the closest records ("Có phải bạn hỏi…")

Actions act on the verdict; they never match words themselves. Word lists live in data files: topic cues in
bot/understanding/data/, question words, filler, slang and aliases in bot/catalog/data/ (read by the search).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.catalog import render, situations
from bot.catalog.search import Hit, is_generic, word_pairs
from bot.understanding import ages, formal, honesty
from bot.understanding.general_words import is_general
from bot.understanding.memory import OUTSIDE, recall
from bot.understanding.topics import Cue, find_cues, topics_from_cues
from bot.vntext import fold

ANSWER, CHOOSE, NOT_IN_CATALOG, NO_PROCEDURE, FOLLOW_UP = (
    "answer",
    "choose",
    "not_in_catalog",
    "no_procedure",
    "follow_up",
)
MAX_CHOICES = 5
SEARCH_DEPTH = 10
# With a procedure under discussion, another one replaces it only on a clear hit at least this good; choices
# are offered only when the alternatives are this strong. Weaker matches are follow-ups about the current one.
SWITCH_SCORE = 0.75
# A name word at least this rare (IDF over names) tells one procedure from another ("tạm" trú vs thường trú);
# "giấy", "chứng nhận", "đăng ký" are in too many names to.
NAMING_IDF = 2.5
CHOOSE_SCORE = 0.9
# A message naming nothing the search finds, with at most this many words that could name a procedure, is a
# follow-up about the procedure under discussion ("ở phường nơi vợ hay nơi chồng cũng được hả").
FOLLOW_UP_WORDS = 8
# Below this calibrated confidence the best records are offered ("Có phải bạn hỏi…"), never answered outright.
# With the calibration refitted on three blind sets' development halves, 0.7 keeps confident answers on their
# out-of-catalog questions where 0.6 was with the previous fit (3 of 50 and 2 of 38); 0.6 would double them.
DOUBT = 0.7
# Asked to file online, records scoring this close to the best one may be its variants.
VARIANT_MARGIN = 0.15
# Longer messages are read clause by clause (advisors describe the case before asking), unless the whole
# message already names a record with at least this confidence.
LONG_MESSAGE_WORDS = 25
SURE = 0.8
# The records' own texts (bot/catalog/situations.py) decide a question the names leave open only with a clear
# winner: its BM25 score at least this high, the runner-up at most this share of it. Chosen on the spent blind
# sets (2,327 questions, 327 outside the catalog): 0.85 / 80 answered about 110 more rightly, for 4 more outside
# the catalog answered; 0.9 / 60 answered more of both.
SITUATION_SCORE = 80.0
SITUATION_RATIO = 0.85
# In a message of more than STORY_WORDS words, a record answered whose texts score under this share of the texts'
# best says little of the case described: on the spent blind sets such answers were wrong 31 times out of 34, and
# the 3 right ones were all to short questions (which are left to the names).
UNSUPPORTED_SHARE = 0.5
STORY_WORDS = 20
# While choices are on screen, a message whose texts' best record scores at least this, with the records shown
# under UNSUPPORTED_SHARE of it, describes another record ("phụ huynh hỏi tuyển sinh lớp 6" under transport
# licences); weaker evidence ("phí thẩm định bao nhiêu") is a question about those shown.
ELSEWHERE_SCORE = 30.0
# Where neither the names nor a clear winner of the texts place a question, the texts' first three are offered as
# the nearest records when the first scores at least this (several rare words in common; chat such as "thời tiết
# hôm nay thế nào" scores about 12).
OFFER_SCORE = 30.0
# What earlier askers meant (memory.py) decides where the reading leaves a question open: a record the closest
# questions vote for with at least RECALL_CHOOSE is answered instead of offering choices, with RECALL_UNKNOWN where
# nothing was found; when they vote at least RECALL_OUTSIDE for "not in the catalog", an answer or choice becomes
# that. Chosen leaving one blind set out at a time (8,170 questions in the catalog, 1,160 outside it): +1,354 right
# answers, +45 wrong, +7 outside the catalog answered; the veto turned 61 of 146 confident answers outside the
# catalog honest and no right answer into one. Lower thresholds answered more outside the catalog. A record the
# reading found but judged a look-alike ("hành nghề y" vs "hành nghề thú y") needs RECALL_DOUBTED: at 2.0 those
# answers were 155 right, 4 wrong and 2 outside the catalog; at 2.5, 85, 2 and 0; at 3.0, 37, 0 and 0 (and the
# look-alike of the issue, "chứng chỉ hành nghề y lệ phí bao nhiêu", votes 2.7); so does a record only the texts
# offered (31 right at 1.8, 7 at 3.0, none wrong, but a gym card answered with a sports club's recognition was a
# question away). With choices on screen the memory is not consulted: a short question ("phí thẩm định bao nhiêu")
# is about them, and earlier askers of such words meant whatever they were discussing. With a procedure under
# discussion, a message the reading takes as naming another one is settled only among the records the names found
# (on the spent conversation sets, the turn before taken as the current procedure: 11 more right, none wrong;
# without that limit 4 more right and 3 wrong). All of it, read() leaving one set out at a time: right answers
# 61.7 → 73.4 %, wrong ones 427 → 460, confident answers outside the catalog 146 → 90.
RECALL_CHOOSE = 1.8
RECALL_UNKNOWN = 2.0
RECALL_DOUBTED = 3.0
RECALL_OUTSIDE = 1.5
# During a conversation a message of fewer words leans on it ("bản sao" after "giấy khai sinh" is the birth
# record's copy), which earlier askers, asking on their own, never had.
RECALL_CONTEXT_WORDS = 3
_CLAUSE_RE = re.compile(r"[.?!;,:\n]+")
_SENTENCE_RE = re.compile(r"[.?!\n]+")
# National procedure codes typed in a message ("thủ tục 1.004873").
_CODE_RE = re.compile(r"(?<![\d.])([1-3]\.\d{6})(?![\d.])")


@dataclass
class Candidate:
    code: str
    name: str
    score: float
    confidence: float = 0.0


@dataclass
class Reading:
    verdict: str
    topics: list[str] = field(default_factory=lambda: ["overview"])
    topic_confidence: float = 0.5
    span: str = ""  # the words that name a procedure (topic cues left out)
    candidates: list[Candidate] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)  # key words the best candidate does not explain
    code: str | None = None
    choices: list[Candidate] = field(default_factory=list)
    doubtful: bool = False  # CHOOSE because no candidate is likely enough, not because several tie

    @property
    def topic(self) -> str:
        return self.topics[0]


def is_payload(text: str | None) -> bool:
    """A button payload such as `/ask_fee` or `/choose_procedure{...}` carries no procedure mention."""
    return bool(text) and text.lstrip().startswith("/")


def _candidates(hits: list[Hit]) -> list[Candidate]:
    return [Candidate(h.code, h.name, h.score) for h in hits]


def _span(text: str, cues: list[Cue], index: Any = None) -> str:
    """The message without the words that ask (the cues), except where an everyday name holds them ("hồ sơ" of
    "di chuyển hồ sơ người có công" names, it does not ask)."""
    words = word_pairs(text)
    names = index.alias_spans(words) if index is not None else []

    def named(c: Cue) -> bool:  # inside a name that says at least two more words ("vneid" alone still asks)
        return any(a <= c.start and c.end <= b and (b - a) - (c.end - c.start) >= 2 for a, b in names)

    covered = {i for c in cues if not named(c) for i in range(c.start, c.end)}
    return " ".join(w[1] for i, w in enumerate(words) if i not in covered)


def _topic_evidence(cues: list[Cue], name_words: list[str], text: str) -> list[Cue]:
    """Cues that ask, once the words of the procedure's own name are taken out ("đủ điều kiện kinh doanh",
    "phí nông nghiệp"): a cue is spent when the message says it as the name does, with the name's word before
    it (or after it, when the name or the message starts with it), so "điều kiện phòng hát là gì" still asks for
    the conditions of "… đủ điều kiện kinh doanh dịch vụ karaoke". Each place in the name spends one cue."""
    said = [f for f, _ in word_pairs(text)]
    left: list[Cue] = []
    used: set[int] = set()
    for cue in cues:
        words = cue.folded.split()
        n = len(words)
        before = said[cue.start - 1] if cue.start > 0 else None
        after = said[cue.end] if cue.end < len(said) else None
        places = range(len(name_words) - n + 1)
        spot = next((p for p in places if p not in used and _said_as_named(name_words, p, words, before, after)), None)
        if spot is None:
            left.append(cue)
        else:
            used.add(spot)
    return left


def _said_as_named(name_words: list[str], p: int, words: list[str], before: str | None, after: str | None) -> bool:
    """Whether the cue `words`, found at place `p` of the name, is said as the name says it: the message has the
    name's word before it, or, when the name or the message starts with it, the name's word after it."""
    n = len(words)
    if name_words[p : p + n] != words:
        return False
    if p > 0 and name_words[p - 1] == before:
        return True
    return (p == 0 or before is None) and p + n < len(name_words) and name_words[p + n] == after


def _about(index: Any, code: str, naming: list[str], whole: bool = False) -> bool:
    """Whether the message can be about the procedure: at least half its specific naming words are words of
    the procedure's name (generic ones such as "cấp lại" qualify whatever is under discussion); with `whole`,
    every naming word is ("lệ phí đổi thẻ" while on "cấp đổi thẻ căn cước")."""
    name = index.name_terms[index.code_index[code]]
    if whole:
        return all(t in name for t in naming)
    specific = [t for t in naming if not is_generic(t)]
    return 2 * sum(t in name for t in specific) >= len(specific)


# The channel fact whose words a follow-up may quote, by the topic that asks for it.
_TOPIC_FACTS = {"fee": "fee", "processing_time": "time"}


def _said_of_current(catalog: Any, code: str, naming: list[str], topics: list[str]) -> bool:
    """Every naming word is a word the record says of its agency ("Ban chỉ huy quân sự xã làm trong bao lâu?" while
    on a military-service registration the commune's military command handles) or, asked of its fee or time, of
    those ("phí thẩm định bao nhiêu" while on the karaoke licence, whose fee is a "phí thẩm định"): the message
    asks about the current procedure, it does not name the record that sets up that command or charges that fee."""
    record = catalog.get(code) or {}
    texts = [record.get("agency") or ""]
    facts = [_TOPIC_FACTS[t] for t in topics if t in _TOPIC_FACTS]
    for channel in record.get("channels") or []:
        texts += [(channel.get(fact) or {}).get("text") or "" for fact in facts]
    said = set(situations.terms(" ".join(texts)))
    return bool(naming) and all(t in said for t in naming)


def _names_unsaid(catalog: Any, current: str, best: str, naming: list[str]) -> bool:
    """Whether the message says a word (`naming`: its specific ones, ordinary language left out) of the best
    record's name that nothing the current record says contains and that names no office ("ủy ban", "phường"),
    and is not mostly about the current one's name."""
    index, texts = catalog.index, catalog.texts
    other = index.name_terms[index.code_index[best]]
    rare = [
        t
        for t in naming
        if t in other
        and t not in texts.agency_words
        and not texts.says(current, t)
        and index.idf.get(t, 0) >= NAMING_IDF
    ]
    return bool(rare) and not _about(index, current, naming)


def _names_another(index: Any, current: str, best: str, naming: list[str]) -> bool:
    """Whether the message says a specific word of the best record's name that the current one lacks ("tạm" of
    tạm trú while on thường trú, "khai" of khai tử; not a word most names share, such as "giấy", "chứng nhận"):
    it names that record, not the one under discussion."""
    now, other = index.name_terms[index.code_index[current]], index.name_terms[index.code_index[best]]
    return any(t in other and t not in now and index.idf.get(t, 0) >= NAMING_IDF for t in naming if not is_generic(t))


def read(
    catalog: Any, text: str | None, current_code: str | None = None, online: bool = False, alone: bool = True
) -> Reading:
    """What the message asks and about which procedure, given the one under discussion (may be None).
    `online`: the person wants to file online (the guide), as when the message asks "làm online được không".
    `alone`: no choices are on screen (with them earlier askers' questions are not consulted; with a procedure
    under discussion, only to settle another procedure the names found)."""
    text = (text or "").strip()
    coded = bool(_CODE_RE.search(text))  # a typed code is read as that record: no clauses, memory or age
    if len(text.split()) > LONG_MESSAGE_WORDS and not coded:
        # A long message's clauses are read each with the second opinion (_read), then the whole one.
        reading = _second_opinion(catalog, _read_long(catalog, text, current_code), text)
    else:
        reading = _read(catalog, text, current_code)
    recalling = alone and not coded
    if recalling and not current_code:
        reading = _recall(catalog, reading, text)
    elif recalling and reading.code != current_code and len(text.split()) >= RECALL_CONTEXT_WORDS:
        # Another procedure named during a conversation: earlier askers settle it only among the records the names
        # found ("phí thẩm định bao nhiêu" on a building permit is not the karaoke licence others asked about).
        reading = _recall(catalog, reading, text, found_only=True)
    age = ages.stated_age(text) if not coded else None
    if age is not None:
        _for_age(catalog, reading, age)
    online = online or "online" in reading.topics
    if online:
        _prefer_online_variant(catalog, reading, text)
    if reading.verdict == CHOOSE and current_code and catalog.get(current_code):
        reading.choices = _closest_first(catalog.index, reading.choices, current_code)
    elif reading.verdict == CHOOSE:
        reading.choices = _texts_choices(catalog, reading.choices, text, add=not online)
    return reading


def _recall(catalog: Any, reading: Reading, text: str, found_only: bool = False) -> Reading:
    """The reading, settled by what earlier askers of the closest questions meant where it left them open
    (`found_only`: only for a record the reading found)."""
    if reading.verdict not in (ANSWER, CHOOSE, NOT_IN_CATALOG):
        return reading
    votes = recall(text)
    if not votes:
        return reading
    code, score = votes[0]
    if code == OUTSIDE:
        if reading.verdict != NOT_IN_CATALOG and score >= RECALL_OUTSIDE:
            near = reading.choices or reading.candidates[:3]  # still offered as the nearest, never answered
            return Reading(
                NOT_IN_CATALOG,
                reading.topics,
                reading.topic_confidence,
                reading.span,
                reading.candidates,
                reading.unexplained,
                choices=near[:MAX_CHOICES],
            )
        return reading
    need = {CHOOSE: RECALL_CHOOSE, NOT_IN_CATALOG: RECALL_UNKNOWN}.get(reading.verdict)
    if reading.verdict == NOT_IN_CATALOG and reading.candidates and reading.candidates[0].code == code:
        need = RECALL_DOUBTED
    if reading.verdict == CHOOSE and not reading.candidates:
        need = RECALL_DOUBTED  # only the texts offer it: "thẻ hội viên câu lạc bộ" is no sports club's recognition
    if need is None or score < need or catalog.get(code) is None:
        return reading
    if found_only and code not in {c.code for c in reading.candidates + reading.choices}:
        return reading
    if _overlaps(catalog, code):  # never one ministry's record without the other's
        best = Candidate(code, catalog.get(code)["name"], 0.0, DOUBT)
        reading.verdict, reading.code = CHOOSE, None
        reading.choices = _with_overlaps(catalog, [best])[:MAX_CHOICES]
        return reading
    return _answer_situation(catalog, reading, code, text)


def _for_age(catalog: Any, reading: Reading, age: int) -> None:
    """A stated age picks among records that differ only by the age their names set (ages.py): the answer moves to
    the sibling that admits it ("thế còn thằng anh 16t thì sao" on the under-14 căn cước is another record), and
    choices that exclude it go."""
    if reading.verdict in (ANSWER, FOLLOW_UP) and reading.code:
        code = ages.for_age(catalog, reading.code, age)
        if code != reading.code:
            reading.verdict, reading.code = ANSWER, code
    elif reading.verdict == CHOOSE:
        kept = [c for c in reading.choices if ages.admits(catalog, c.code, age)]
        if len(kept) == 1 and not reading.doubtful:
            reading.verdict, reading.code, reading.choices = ANSWER, kept[0].code, []
        elif kept:
            reading.choices = kept


def _texts_choices(catalog: Any, choices: list[Candidate], text: str, add: bool) -> list[Candidate]:
    """Choices the names found, ordered by the records' texts for the question (a question that picks none is
    answered about the first shown), and with `add` (not when the online variants were picked out) the texts' own
    first record added last when the names missed it."""
    ranked = _text_ranking(catalog, text)
    scores = dict(ranked)
    ordered = sorted(choices, key=lambda c: -scores.get(c.code, 0.0))
    shown = {c.code for c in ordered}
    if add and ranked and ranked[0][1] >= OFFER_SCORE and ranked[0][0] not in shown and len(ordered) < MAX_CHOICES:
        code = ranked[0][0]
        if not set(_overlaps(catalog, code)) - shown:  # never one ministry's record without the other's
            ordered.append(Candidate(code, catalog.get(code)["name"], 0.0, 0.0))
    return ordered


def _closest_first(index: Any, choices: list[Candidate], current: str) -> list[Candidate]:
    """Choices offered during a conversation, those sharing most name words with the current record first
    ("sinh ở nước ngoài thì sao" on khai sinh: khai sinh có yếu tố nước ngoài before khai tử…): a question
    that picks none is answered about the first shown."""
    now = index.name_terms[index.code_index[current]]
    return sorted(choices, key=lambda c: -len(index.name_terms[index.code_index[c.code]] & now))


_LEVEL_RANK = {render.NONE: 0, render.PARTIAL: 1, render.FULL: 2}


def _prefer_online_variant(catalog: Any, reading: Reading, text: str) -> None:
    """Asked whether a procedure can be done online, answer about its online variant when the catalog has one
    ("đăng ký xe lần đầu … một phần hoặc trực tiếp" vs "… trực tuyến toàn trình đối với xe sản xuất trong nước"):
    a variant is a candidate whose name holds every word by which the message matched the best one, or one
    scoring almost as well that shares a specific one of them (a record that only shares the channel and generic
    words, "đăng ký xe … dịch vụ công trực tuyến" for "đăng ký thường trú trên dịch vụ công", is another
    procedure).
    One variant is answered, several are offered; when the reading was unsure ("Có phải bạn hỏi…"), the online
    variants are what is offered, never answered outright."""
    unsure = reading.verdict == CHOOSE and reading.doubtful and bool(reading.candidates)
    if reading.verdict == CHOOSE and not unsure:
        near, current = [c for c in reading.choices if catalog.get(c.code)], None
    elif unsure or reading.verdict == ANSWER and reading.candidates and reading.candidates[0].code == reading.code:
        index = catalog.index
        current = reading.code or reading.candidates[0].code
        words = lambda code: set(index.name_words[index.code_index[code]])  # noqa: E731
        matched = {f for f, _ in word_pairs(text)} & words(current)  # as typed, not as aliases expand it
        specific = {w for w in matched if not is_generic(w)}
        # Scored on the whole message: its channel words ("online", "toàn trình") are what favours a variant.
        pool = _candidates(honesty.prefer_asked_actions(index, text, catalog.search(text, limit=SEARCH_DEPTH)))
        top = next((c.score for c in pool if c.code == current), None)
        if top is None:
            pool, top = reading.candidates, reading.candidates[0].score
        near = [
            c
            for c in pool
            if catalog.get(c.code)
            and (matched <= words(c.code) or (c.score >= top - VARIANT_MARGIN and specific & words(c.code)))
        ]
    else:
        return
    # A variant states its channel in its name ("… bằng dịch vụ công trực tuyến toàn trình"); a record that only
    # contains the same words ("khai báo … chưa đủ điều kiện đăng ký tạm trú") is another procedure.
    near = [c for c in near if c.code == current or render.named_level(catalog.get(c.code))]
    if not near:
        return
    rank = {c.code: _LEVEL_RANK[render.availability(catalog.get(c.code))] for c in near}
    best = max(rank.values())
    if best <= rank.get(current, min(rank.values())):
        return
    variants = [c for c in near if rank[c.code] == best]
    if unsure:
        reading.choices = variants[:MAX_CHOICES]
    elif len(variants) == 1:
        reading.verdict, reading.code, reading.choices = ANSWER, variants[0].code, []
    else:
        reading.verdict, reading.code, reading.choices = CHOOSE, None, variants[:MAX_CHOICES]


def _question(text: str) -> str:
    """The last sentence of a long message (of three words or more): where an advisor asks, after the case."""
    sentences = [p.strip() for p in _SENTENCE_RE.split(text) if len(p.split()) >= 3]
    return sentences[-1] if sentences else ""


def _clauses(text: str) -> list[str]:
    parts = [p.strip() for p in _CLAUSE_RE.split(text)]
    return [p for p in parts if len(p.split()) >= 2]


def _read_long(catalog: Any, text: str, current_code: str | None) -> Reading:
    """A long message (an advisor describing a case): the procedure from its last sentence when that names one
    clearly, else from the clause that names one best; the topics from the question itself (the last clause with
    a cue), never from the story around it."""
    whole = _read(catalog, text, current_code)
    if whole.verdict == ANSWER and whole.candidates and whole.candidates[0].confidence >= SURE:
        return whole  # the whole message names one record clearly: a clause ("cải chính") would say less
    rank = {ANSWER: 3, CHOOSE: 2, FOLLOW_UP: 1}
    best = whole
    question = _question(text)
    asked = _read(catalog, question, current_code) if question else None
    if asked and asked.verdict == ANSWER and asked.candidates[0].confidence >= DOUBT:
        best = asked  # the question itself names a record: the story before it may mention others
    for clause in [] if best is asked else _clauses(text):
        r = _read(catalog, clause, current_code)
        if rank.get(r.verdict, 0) > rank.get(best.verdict, 0) or (
            r.verdict == best.verdict == ANSWER and r.candidates[0].confidence > best.candidates[0].confidence
        ):
            best = r
    if best is whole:
        return whole
    index = catalog.index
    for clause in reversed(_clauses(text)):
        cues = find_cues(clause)
        if best.code:
            cues = _topic_evidence(cues, index.name_words[index.code_index[best.code]], clause)
        if cues:
            best.topics = topics_from_cues(cues)
            break
    best.span = text
    return best


def _second_opinion(catalog: Any, reading: Reading, text: str) -> Reading:
    """The records' texts decide where the names leave the question open: they answer a record the names also
    found, and only offer one the names did not ("làm thẻ thành viên câu lạc bộ bóng đá" is not the recognition
    of a sports club, whose texts speak of members and football). (Also offering both where the names answer
    and the texts clearly point elsewhere was tried: on the spent sets it turned 10 right answers into choices
    for 4 wrong ones.)"""
    if reading.verdict in (CHOOSE, NOT_IN_CATALOG):
        ranked = _text_ranking(catalog, text)
        code = _fits_situation(catalog, ranked, reading.candidates)
        if code and not reading.candidates:
            reading.verdict, reading.doubtful = CHOOSE, True
            reading.choices = [Candidate(code, catalog.get(code)["name"], 0.0, DOUBT)]
            return reading
        if reading.verdict == NOT_IN_CATALOG and not reading.candidates and ranked and ranked[0][1] >= OFFER_SCORE:
            # No name fits and no record clearly does: the catalog's nearest records by what they say, offered
            # under "không có đúng thủ tục bạn hỏi" (a button, never an answer), rather than nothing to press.
            near = [Candidate(c, catalog.get(c)["name"], 0.0, 0.0) for c, _ in ranked[:3]]
            reading.choices = _with_overlaps(catalog, near)[:MAX_CHOICES]
            return reading
        if code:
            return _answer_situation(catalog, reading, code, text)
    elif reading.verdict == ANSWER and reading.code and len(text.split()) > STORY_WORDS and not _CODE_RE.search(text):
        ranked = _text_ranking(catalog, text)
        said = dict(ranked[: SEARCH_DEPTH * 5]).get(reading.code, 0.0)  # 0 outside the texts' first fifty
        if (
            ranked
            and ranked[0][0] != reading.code
            and said < UNSUPPORTED_SHARE * ranked[0][1]
            and not _asks_about(catalog, text, reading.code)
        ):
            # The record answered says little of what the message describes (a clause named it, the story is
            # about another): the texts' clear winner is answered, else both are offered.
            winner = _clear_winner(ranked)
            if winner and not _overlaps(catalog, winner):
                return _answer_situation(catalog, reading, winner, text)
            top = Candidate(ranked[0][0], catalog.get(ranked[0][0])["name"], 0.0, DOUBT)
            reading.verdict, reading.doubtful, reading.code = CHOOSE, True, None
            reading.choices = _with_overlaps(catalog, [top, reading.candidates[0]])
    return reading


@functools.lru_cache(maxsize=16)
def _text_ranking(catalog: Any, text: str) -> tuple[tuple[str, float], ...]:
    """Every record the records' texts score for the message's naming terms, best first (() for a catalog
    without texts). Cached: several steps of one reading rank the same text (the whole of a long message in
    _read_long and again at the top, a choice's second opinion and then its order)."""
    texts = getattr(catalog, "texts", None)
    return tuple(texts.rank(catalog.index.query_terms(text)[1], limit=len(catalog))) if texts is not None else ()


def names_elsewhere(catalog: Any, text: str, shown: list[str]) -> bool:
    """Does a message read while `shown` are on screen clearly describe another record? `text`: the words that
    can name one (Reading.span: "làm online trên VNeID được không" asks, it names no VNeID record)."""
    ranked = _text_ranking(catalog, text)
    if not ranked or ranked[0][1] < ELSEWHERE_SCORE or ranked[0][0] in shown:
        return False
    scores = dict(ranked)
    return max(scores.get(code, 0.0) for code in shown) < UNSUPPORTED_SHARE * ranked[0][1]


# Right after a lookup, a follow-up asking these is about the dossier ("bao giờ có kết quả", "dân cần làm gì
# tiếp", "ai xử lý"); a fee, documents or legal basis asked without words of the dossier is its procedure's fact.
_DOSSIER_TOPICS = ("overview", "processing_time", "deadline", "result", "steps", "agency", "conditions")
DOSSIER_WORDS_FILE = Path(__file__).with_name("data") / "dossier_words.txt"


@functools.lru_cache(maxsize=1)
def _dossier_words() -> re.Pattern:
    lines = DOSSIER_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    phrases = [fold(ln.strip()) for ln in lines if ln.strip() and not ln.startswith("#")]
    return re.compile(r"\b(" + "|".join(map(re.escape, phrases)) + r")\b")


def speaks_of_the_dossier(text: str) -> bool:
    """Words of a dossier, not of a procedure ("hồ sơ này cần bổ sung gì", "rút hồ sơ"; "thủ tục" says the
    procedure): data/dossier_words.txt."""
    folded = fold(text)
    return "thu tuc" not in folded and bool(_dossier_words().search(folded))


def about_the_dossier(catalog: Any, text: str, current_code: str | None) -> bool:
    """Asked right after a dossier's status: a question naming nothing and asking no fact of the procedure ("quá hẹn
    mấy hôm rồi, giờ e phải làm gì"), or one in words of the dossier that names no other procedure ("hồ sơ này cần
    bổ sung gì"), is about that dossier; "thủ tục này cần giấy tờ gì" is about its procedure."""
    folded = fold(text)
    if is_payload(text) or "thu tuc" in folded:
        return False
    reading = read(catalog, text, current_code, alone=False)
    if _dossier_words().search(folded):  # speaks_of_the_dossier, "thủ tục" already ruled out
        return reading.verdict != ANSWER or reading.code == current_code
    return reading.verdict in (FOLLOW_UP, NO_PROCEDURE) and all(t in _DOSSIER_TOPICS for t in reading.topics)


def naming_confidence(catalog: Any, text: str) -> float:
    """How surely the message names one record (its answer's confidence; 0 when it answers none): "trợ giúp pháp
    lý" is legal aid, "tam vang nvqs" the military service's absence notice. An intent guessed without conviction
    ("what can you help with", "yes") yields to a sure name (actions/procedures.misrouted)."""
    if is_payload(text):
        return 0.0
    reading = read(catalog, text)
    best = reading.candidates[0] if reading.candidates else None
    return best.confidence if reading.verdict == ANSWER and best is not None and best.code == reading.code else 0.0


def asks_a_procedure(catalog: Any, text: str) -> bool:
    """A question about a procedure on its own ("tiền polyme bị cháy một góc thì đổi ở đâu"): it names one and asks
    one of its facts. Typed while a form waits for a dossier code, it is a new question, not a wrong code."""
    if is_payload(text):
        return False
    reading = read(catalog, text, alone=False)
    return reading.verdict in (ANSWER, CHOOSE) and any(c.strong for c in find_cues(text))


# Words every complaint says, to the city or to the police and army alike; what else the message says of a
# grievance record's name ("quân khu", "lần hai", "công an"; not "cán bộ", said of any office) tells which it is.
_GRIEVANCE_WORDS = {"khieu", "nai", "to", "cao", "giai", "quyet", "dinh", "hanh", "chinh", "vi", "don", "thu", "tuc"}
_GRIEVANCE_NAMES = re.compile(r"\b(khieu nai|to cao)\b")


def names_a_grievance_procedure(catalog: Any, text: str) -> bool:
    """ "khiếu nại lần hai lên quân khu" names the procedure that settles such a complaint (the army's, the
    police's); "tôi muốn khiếu nại thái độ cán bộ một cửa" is a complaint to the city (actions/complaints.py)."""
    reading = read(catalog, text)
    codes = [reading.code] if reading.verdict == ANSWER else [c.code for c in reading.choices]
    if not codes or not all(_GRIEVANCE_NAMES.search(fold(catalog.get(code)["name"])) for code in codes):
        return False
    index = catalog.index
    name = index.name_terms[index.code_index[codes[0]]]
    said = [t for t in index.query_terms(text)[1] if t in name and not set(t.split("_")) & _GRIEVANCE_WORDS]
    pairs = [t for t in said if "_" in t and t != "can_bo"]  # "công an", "quân khu", "lần hai"; any one of them
    rare = [t for t in said if "_" not in t and index.idf.get(t, 0) >= NAMING_IDF]
    return bool(pairs) or len(rare) >= 2


def _asks_about(catalog: Any, text: str, code: str) -> bool:
    """The message's last sentence, read alone, names `code` ("… Cụ muốn làm lại thẻ căn cước thì cần gì?")."""
    question = _question(text)
    if not question or question == text:
        return False
    asked = _read_names(catalog, question, None)
    return asked.verdict == ANSWER and asked.code == code


def _clear_winner(ranked: tuple[tuple[str, float], ...]) -> str | None:
    """The record the records' texts rank first by a clear margin, or None."""
    if not ranked or ranked[0][1] < SITUATION_SCORE:
        return None
    if len(ranked) > 1 and ranked[1][1] > SITUATION_RATIO * ranked[0][1]:
        return None
    return ranked[0][0]


def _fits_situation(catalog: Any, ranked: tuple[tuple[str, float], ...], candidates: list[Candidate]) -> str | None:
    """The record a described situation clearly fits, when the names left it open: the texts' clear winner,
    if the name search found nothing or has it among its first three (never one another ministry also
    publishes: both are offered)."""
    code = _clear_winner(ranked)
    if code is None or (candidates and code not in [c.code for c in candidates[:3]]):
        return None
    return None if _overlaps(catalog, code) else code


def _topics_for(index: Any, cues: list[Cue], code: str | None, text: str) -> tuple[list[str], float]:
    """The topics asked about `code` (cues spent on its name left out) and how sure that is."""
    evidence = cues if code is None else _topic_evidence(cues, index.name_words[index.code_index[code]], text)
    if not evidence:
        return ["overview"], 0.5
    return topics_from_cues(evidence), 1.0 if any(c.strong for c in evidence) else 0.6


def _answer_situation(catalog: Any, reading: Reading, code: str, text: str) -> Reading:
    topics, conf = _topics_for(catalog.index, find_cues(text), code, text)
    found = [c for c in reading.candidates if c.code == code]
    best = found[0] if found else Candidate(code, catalog.get(code)["name"], 0.0, DOUBT)
    best.confidence = max(best.confidence, DOUBT)
    others = [c for c in reading.candidates if c.code != code]
    return Reading(ANSWER, topics, conf, reading.span, [best] + others, [], code=code)


def _read(catalog: Any, text: str, current_code: str | None) -> Reading:
    return _second_opinion(catalog, _read_names(catalog, text, current_code), text)


def _read_names(catalog: Any, text: str, current_code: str | None) -> Reading:
    if current_code and not catalog.get(current_code):
        current_code = None
    cues = find_cues(text)
    if is_payload(text):  # a button payload: the intent carries the topic, the procedure is the current one
        return Reading(FOLLOW_UP if current_code else NO_PROCEDURE, code=current_code)
    index = catalog.index

    def topics_for(code: str | None) -> tuple[list[str], float]:
        return _topics_for(index, cues, code, text)

    codes = [c for c in _CODE_RE.findall(text) if catalog.get(c)]
    if codes:  # "thủ tục 1.004873 cần gì"; "còn 1.001612 thì sao" asks nothing new (see respond: same topic)
        topics, conf = topics_for(codes[0])
        name = catalog.get(codes[0])["name"]
        return Reading(ANSWER, topics, conf, codes[0], [Candidate(codes[0], name, 1.0, 1.0)], code=codes[0])
    toks, terms = index.query_terms(text)
    # Cues are looked for in the message as typed and as the search rewrote it ("onl" -> "trực tuyến").
    rewritten = find_cues(" ".join(t[1] for t in toks))
    cue_words = {w for c in cues + rewritten for w in c.folded.split()}
    naming = [t for t in terms if "_" not in t and t not in cue_words and not t.isdigit()]
    # How many of them the person typed: an alias may expand two words into eight ("sang tên" names every way
    # of transferring), which says nothing about how much the message tells beyond a follow-up.
    typed = {f for f, _ in word_pairs(text)}
    said = len([t for t in naming if t in typed])
    asked = honesty.as_resumed(index, text)  # "bị tạm dừng …, giờ muốn hưởng tiếp": the resuming is asked
    span = _span(asked, cues if asked == text else find_cues(asked), index)
    # The search is over the words that can name a procedure: "cần giấy tờ gì", "trên VNeID" ask, they do not
    # name ("đăng ký khai sinh online trên VNeID" is not a VNeID account procedure). Which online variant was
    # asked for is decided on the whole message (_prefer_online_variant).
    hits = catalog.search(span, limit=SEARCH_DEPTH) if naming and span.strip() else []
    hits, quoted = formal.rerank(catalog, text, honesty.prefer_asked_actions(index, text, hits), set(naming))
    acting = _acting_otherwise(catalog, text, span, current_code) if current_code else []
    if acting:  # "còn cấp đổi thì sao" while on cấp lại thẻ căn cước: cấp đổi thẻ căn cước
        hits, quoted, current_code = acting, False, None
    elif current_code and hits and hits[0].code != current_code:
        hits = _with_carried_action(catalog, text, span, current_code, hits)
    if not naming:
        topics, conf = topics_for(current_code)
        return Reading(FOLLOW_UP if current_code else NO_PROCEDURE, topics, conf, span, code=current_code)
    candidates = _candidates(hits)
    if not hits:
        topics, conf = topics_for(current_code)
        if current_code and said <= FOLLOW_UP_WORDS:
            return Reading(FOLLOW_UP, topics, conf, span, code=current_code)
        return Reading(NOT_IN_CATALOG, topics, conf, span)
    group = [hits[0]] if quoted else honesty.alternatives(catalog, hits, text)
    best = group[0]
    unexplained = honesty.unexplained(index, asked, best.code, cue_words)
    unexplained += honesty.missing_actions(index, text, best.code)
    unexplained += _apart(catalog, toks, best.code)
    for i, c in enumerate(candidates):
        following = candidates[i + 1].score if i + 1 < len(candidates) else 0.0
        c.confidence = honesty.confidence(c.score, following, unexplained if c.code == best.code else [])
    topics, conf = topics_for(best.code)
    result = Reading(ANSWER, topics, conf, span, candidates, unexplained)
    if current_code:
        current_topics, current_conf = topics_for(current_code)
        if _said_of_current(catalog, current_code, naming, current_topics):
            return Reading(FOLLOW_UP, current_topics, current_conf, span, candidates, unexplained, code=current_code)
    if current_code and best.score >= SWITCH_SCORE and not _about(index, current_code, naming):
        current_code = None  # the message names another procedure outright ("thôi, đăng ký tạm trú thì sao")
    elif current_code and best.code != current_code and _names_another(index, current_code, best.code, naming):
        sure = candidates[0].code == best.code and candidates[0].confidence >= SURE + 0.05
        if sure and len(group) == 1 and not unexplained and best.score >= SWITCH_SCORE - 0.1 and said >= 2:
            current_code = None  # said among chat ("có người khác gọi hỏi đăng ký tạm trú") while on thường trú
    if current_code:
        if current_code in [h.code for h in group] or _about(index, current_code, naming, whole=True):
            topics, conf = topics_for(current_code)
            return Reading(FOLLOW_UP, topics, conf, span, candidates, unexplained, code=current_code)
        if unexplained and best.score < SWITCH_SCORE + 0.1 and said <= FOLLOW_UP_WORDS:
            topics, conf = topics_for(current_code)
            return Reading(FOLLOW_UP, topics, conf, span, candidates, unexplained, code=current_code)
    if unexplained:
        result.verdict = NOT_IN_CATALOG
        result.choices = candidates[:3]
        return result
    if candidates[0].confidence < DOUBT and not current_code and not quoted:
        result.verdict, result.doubtful = CHOOSE, True  # "Có phải bạn hỏi…": offered, never answered outright
        result.choices = _with_overlaps(catalog, candidates[:3])
        return result
    if current_code:
        if len(group) == 1 and best.score >= SWITCH_SCORE and not _overlaps(catalog, best.code):
            result.code = best.code
            return result
        if len(group) == 1 and best.score >= SWITCH_SCORE:
            result.verdict, result.choices = CHOOSE, _with_overlaps(catalog, candidates[:1])
            return result
        if len(group) > 1 and best.score >= CHOOSE_SCORE:
            result.verdict, result.choices = CHOOSE, [c for c in candidates if c.code in {h.code for h in group}]
            return result
        # Typed (not what an alias added), not ordinary language, and not action words: those are
        # _acting_otherwise's to weigh ("tạm dừng hướng dẫn" pauses the guide).
        specific = [
            t
            for t, accented in toks
            if t in naming and t in typed and t not in honesty.ACTION_WORDS and not is_general(t, accented)
        ]
        if _names_unsaid(catalog, current_code, best.code, specific):
            # A rare word of other records that the current one lacks ("mai táng" while on a disability
            # certificate), named too weakly to switch outright: those records are offered, not the old answered.
            result.verdict, result.doubtful = CHOOSE, True
            result.choices = _with_overlaps(catalog, candidates[:3])
            return result
        topics, conf = topics_for(current_code)
        return Reading(FOLLOW_UP, topics, conf, span, candidates, unexplained, code=current_code)
    if len(group) == 1 and not _overlaps(catalog, best.code):
        result.code = best.code
        return result
    result.verdict = CHOOSE
    chosen = {h.code for h in group}
    result.choices = _with_overlaps(catalog, [c for c in candidates if c.code in chosen])
    return result


def _apart(catalog: Any, toks: list, code: str) -> list[str]:
    """Two words typed side by side without diacritics (`toks`: the message's words as the search reads them) that
    the record's name holds only apart, while the records' texts hold them together: "phong hat" is the karaoke
    licence's "phòng hát", not "phóng xạ … hạt nhân"."""
    index = catalog.index
    name = index.name_terms[index.code_index[code]]
    pairs = [(a[0], b[0]) for a, b in zip(toks, toks[1:]) if a[0] in name and b[0] in name]
    if not pairs or any(f"{a}_{b}" in name for a, b in pairs):
        return []
    plain = {t[0] for t in toks if t[0] == t[1]}  # typed without diacritics
    return [f"~{a}_{b}" for a, b in pairs if {a, b} <= plain and f"{a}_{b}" in catalog.texts.vocab][:1]


def _acting_otherwise(catalog: Any, text: str, span: str, current: str) -> list[Hit]:
    """A message saying an action the current record lacks ("tạm ngừng", "cấp đổi", "cấp lại") asks about the
    same thing done otherwise: the records doing that to what the current one acts on, best first."""
    index = catalog.index
    new = honesty.another_action(index, text, current)
    if not new:
        return []
    thing = honesty.without_actions(index, current)
    # What the current record acts on, by its rarer words ("tử" of khai tử, "căn cước"): the other record must act
    # on it too ("tạm dừng hướng dẫn" pauses the guide, it does not stop a tax registration).
    rare = {w for w in thing.split() if index.idf_accented.get(w, 0.0) >= NAMING_IDF}
    hits = honesty.prefer_asked_actions(index, text, catalog.search(f"{span} {thing}", limit=SEARCH_DEPTH))
    return [
        h
        for h in hits
        if h.code != current
        and honesty.does(index, h.code, new)
        and rare & {w.lower() for w in index.name_accented[index.code_index[h.code]]}
    ]


def _with_carried_action(catalog: Any, text: str, span: str, current: str, hits: list[Hit]) -> list[Hit]:
    """Another thing named with no action of its own takes the current record's action ("thế còn bằng lái thì
    sao" after "cấp lại thẻ căn cước" is cấp lại giấy phép lái xe): the record doing that to what the best hit acts
    on goes first, when the catalog has one."""
    index = catalog.index
    carried = honesty.carried_actions(index, text, current)
    if not carried or honesty.does(index, hits[0].code, carried):
        return hits

    def thing(code: str) -> set[str]:  # what it acts on ("cấp giấy phép lái xe" issues the same thing)
        return set(honesty.without_actions(index, code).split()) - {"cấp"}

    found = catalog.search(f"{span} {' '.join(sorted(carried))}", limit=SEARCH_DEPTH)
    same = [
        h
        for h in found
        if h.code != current and honesty.does(index, h.code, carried) and thing(h.code) == thing(hits[0].code)
    ]
    if not same:
        return hits
    # The same thing done otherwise ("cấp giấy phép lái xe") is what the carried action rules out.
    others = [h for h in hits if thing(h.code) != thing(same[0].code)]
    return [Hit(same[0].code, same[0].name, max(hits[0].score, same[0].score))] + others


def _overlaps(catalog: Any, code: str) -> list[str]:
    return list(getattr(catalog, "overlaps", lambda _: [])(code))


def _with_overlaps(catalog: Any, choices: list[Candidate]) -> list[Candidate]:
    """The choices, each followed by the same procedure as another ministry publishes it (social insurance under
    Bộ Tài chính and Bộ Nội vụ): both are offered with the ministry shown, never one picked silently."""
    out: list[Candidate] = []
    for c in choices:
        for code in [c.code] + _overlaps(catalog, c.code):
            if code not in [o.code for o in out]:
                out.append(c if code == c.code else Candidate(code, catalog.get(code)["name"], c.score, c.confidence))
    return out[:MAX_CHOICES]
