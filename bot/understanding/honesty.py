"""Is the best record really what was asked? Unexplained key words, opposite actions, close alternatives.

A citizen who brings the documents of the wrong procedure loses a trip to the ward, so a record is answered
with confidence only when its name explains the words of the question that name a procedure: "hành nghề y"
is not "hành nghề thú y" (the name adds a rare word between two asked ones), "trợ cấp mai táng" is not any
"trợ cấp" record (the question's rare words are in no part of the name).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import yaml

from bot.catalog.search import Hit, SearchIndex, word_pairs
from bot.understanding.general_words import is_general
from bot.vntext import fold, normalize

CHAT_WORDS_FILE = Path(__file__).with_name("data") / "chat_words.txt"
CALIBRATION_FILE = Path(__file__).with_name("data") / "calibration.yml"

# Rarity (IDF over names) from which a word names something specific: an unexplained word this rare means
# another procedure. Common words (làm, giấy, cho, người …) never decide.
KEY_IDF = 4.0
# Name words that make a procedure its opposite (stop, cancel, revoke, dissolve …) or another variant of it
# (again, exchange, extend, adjust …), written as in names. A record that carries one the question does not
# say, or lacks one the question says, is a different procedure from the one asked.
OPPOSITES = (
    "tạm ngừng",
    "ngừng",
    "tạm dừng",
    "dừng",
    "xóa",
    "giải thể",
    "chấm dứt",
    "thu hồi",
    "hủy bỏ",
    "hủy",
    "đóng cửa",
    "tạm hoãn",
)
VARIANTS = (
    "cấp lại",
    "đăng ký lại",
    "cấp đổi",
    "đổi",
    "gia hạn",
    "điều chỉnh",
    "sửa chữa",
    "bổ sung",
    "thay đổi",
    "chuyển đổi",
    "tiếp tục",
    "chuyển nơi",
)
# How people say an action that the names word otherwise: a lost licence is asked back ("xin lại", "làm lại"),
# which is its "cấp lại".
SAID_AS = {"xin lại": "cấp lại", "làm lại": "cấp lại"}
_SAID_PHRASES = OPPOSITES + VARIANTS + tuple(SAID_AS)
# The words of those phrases, folded: what they name is an action, not the thing acted on.
ACTION_WORDS = frozenset(w for p in OPPOSITES + VARIANTS for w in fold(p).split())
# Names this many words apart or fewer are near-identical: the words that differ are what the message must say
# to pick one without asking. On the spent blind sets (memory off), told apart this way: 61 choices answered right
# for 7 answered wrong; with names up to 4 words apart 71 for 12, with any names 178 for 41.
NEAR_IDENTICAL = 3
# Only hits this close to the best are weighed against each other by those words.
VARIANT_WINDOW = 0.15


def _phrases_in(words: list[str], phrases: tuple[str, ...]) -> set[str]:
    """Which of the phrases occur in a word sequence (longest first, each word used once)."""
    text = " " + " ".join(words) + " "
    found = set()
    for phrase in sorted(phrases, key=len, reverse=True):
        if " " + phrase + " " in text:
            found.add(phrase)
            text = text.replace(" " + phrase + " ", " | ")
    return found


def _action_words(index: SearchIndex, code: str) -> set[str]:
    i = index.code_index[code]
    return _phrases_in([w.lower() for w in index.name_accented[i]], OPPOSITES + VARIANTS)


def _said_actions(index: SearchIndex, text: str) -> set[str]:
    """Action phrases the question says, accent-aware (typed without accents, "dung" may be "dừng")."""
    return _said(index, as_resumed(index, text))


def _said(index: SearchIndex, text: str) -> set[str]:
    toks, _ = index.query_terms(text)
    folded = " " + " ".join(t[0] for t in toks) + " "
    accented = " " + " ".join(t[1] for t in toks) + " "
    unaccented = " " + " ".join(t[1] for t in toks if t[0] == t[1]) + " "
    said = set()
    for phrase in _SAID_PHRASES:
        plain = fold(phrase)
        if " " + phrase + " " in accented or (" " + plain + " " in folded and " " + plain + " " in unaccented):
            said.add(SAID_AS.get(phrase, phrase))
    return said


# A stop the person underwent ("bị tạm dừng"), then getting back what was stopped: their "tiếp tục".
_UNDERGONE = sorted((["bi"] + fold(p).split() for p in OPPOSITES), key=len, reverse=True)
_RESUMING = {("huong", "tiep"): "tiếp tục hưởng", ("nhan", "tiep"): "tiếp tục hưởng"}


def as_resumed(index: SearchIndex, text: str) -> str:
    """The message as asked when it tells of a stop the person underwent and asks to resume: without the stop,
    the resuming said as the names say it ("bị tạm dừng trợ cấp thất nghiệp, giờ muốn hưởng tiếp" → "trợ cấp
    thất nghiệp, giờ muốn tiếp tục hưởng"). Otherwise the message unchanged."""
    words = text.split()
    folded = [fold(w).strip(".,?!;:") for w in words]
    out, i, stopped, resumed = [], 0, False, False
    while i < len(words):
        n = next((len(p) for p in _UNDERGONE if folded[i : i + len(p)] == p), 0)
        if n:
            stopped, i = True, i + n
            continue
        said = _RESUMING.get(tuple(folded[i : i + 2]))
        if said:
            resumed, i = True, i + 2
            out.append(said)
            continue
        out.append(words[i])
        i += 1
    if not stopped or not (resumed or "tiếp tục" in _said(index, text)):
        return text
    return " ".join(out)


# Opposite actions said in two words, which typed without accents still mean only that ("cham dut", "giai the").
STRONG_OPPOSITES = ("tạm ngừng", "tạm dừng", "tạm hoãn", "giải thể", "chấm dứt", "thu hồi", "hủy bỏ", "đóng cửa")


def missing_actions(index: SearchIndex, text: str, code: str) -> list[str]:
    """Opposite actions the question says that the record's name lacks: "chấm dứt hưởng trợ cấp thất nghiệp" is
    not "hưởng trợ cấp thất nghiệp", "tạm hoãn nghĩa vụ quân sự" is not registering for it."""
    return sorted(another_action(index, text, code) & set(STRONG_OPPOSITES))


def another_action(index: SearchIndex, text: str, current: str) -> set[str]:
    """Actions the message says that the current record's name lacks ("cấp đổi" while on "cấp lại")."""
    return {p for p in _said_actions(index, text) if not does(index, current, {p})}


def carried_actions(index: SearchIndex, text: str, current: str) -> set[str]:
    """The current record's actions, when the message names something else and says no action of its own ("thế
    còn bằng lái thì sao" after "cấp lại thẻ căn cước": cấp lại)."""
    return set() if _said_actions(index, text) else _action_words(index, current) & set(VARIANTS)


def does(index: SearchIndex, code: str, actions: set[str]) -> bool:
    """The record's name says every one of these actions ("đổi" is said by "cấp đổi")."""
    has = _action_words(index, code)
    return all(any(phrase in h for h in has) for phrase in actions)


def without_actions(index: SearchIndex, code: str) -> str:
    """The record's name with its action words left out: what it acts on ("thẻ căn cước")."""
    words = " " + " ".join(w.lower() for w in index.name_accented[index.code_index[code]]) + " "
    for phrase in sorted(OPPOSITES + VARIANTS, key=len, reverse=True):
        words = words.replace(" " + phrase + " ", " ")
    return words.strip()


def prefer_asked_actions(index: SearchIndex, text: str, hits: list[Hit]) -> list[Hit]:
    """Among the hits close to the best, keep those whose action words match the question's (fewest extra or
    missing), so "đăng ký hộ kinh doanh" never offers stopping one and "cấp lại" does not offer "cấp đổi"."""
    if len(hits) < 2:
        return hits
    said = _said_actions(index, text)
    close = [h for h in hits if hits[0].score - h.score <= VARIANT_WINDOW]

    def mismatch(h: Hit) -> int:
        has = _action_words(index, h.code)
        return len(has - said) + len(said - has) + 2 * len(has & set(OPPOSITES) - said)

    best = min(mismatch(h) for h in close)
    kept = [h for h in close if mismatch(h) == best]
    return kept + [h for h in hits if h not in close and mismatch(h) == best]


@functools.lru_cache(maxsize=1)
def chat_words() -> frozenset[str]:
    """Words people say around a procedure's name that never name one (data/chat_words.txt), as typed and folded."""
    words = set()
    for line in CHAT_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            for w in line.split():
                words.update({normalize(w), fold(w)})
    return frozenset(words)


def unexplained(index: SearchIndex, text: str, code: str, asking: set[str] = frozenset()) -> list[str]:
    """Rare words of the question that the record's name does not explain, and rare words its name adds
    inside a phrase of the question ("nghề y" → "nghề thú y"). Empty when the record fits."""
    i = index.code_index[code]
    name = index.name_terms[i]
    aux = index.aux_terms[i]
    toks, terms = index.query_terms(text)
    # Only words the person typed can be unexplained (not what an alias rewrote them to), and never the words
    # that ask (`asking`: the topic cues' words).
    typed = {f for f, _ in word_pairs(text)} - set(asking)
    matched = {p for p, t in enumerate(toks) if t[0] in name and t[0] in terms}
    terms = {t for t in terms if all(w in typed for w in t.split("_"))}
    out = []
    # Only a word right next to a word of the name can name another procedure ("xác nhận khuyết tật", "kinh
    # doanh karaoke"); words about the asker's case (chat_words.txt) never do.
    chat = chat_words()
    for p, tok in enumerate(toks):
        t = tok[0]
        if p in matched or not ({p - 1, p + 1} & matched) or t not in terms or t in out:
            continue
        if (
            t in name
            or t in aux
            or any(ch.isdigit() for ch in t)
            or t in chat
            or tok[1] in chat
            or is_general(t, tok[1])
        ):
            continue
        if index.idf.get(t, KEY_IDF + 1) >= KEY_IDF:
            out.append(t)
    # Two common words can make a rare phrase the name lacks ("hộ chiếu ngoại giao", "quảng cáo thực phẩm").
    for p, (a, b) in enumerate(zip(toks, toks[1:])):
        pair = f"{a[0]}_{b[0]}"
        if (
            p in matched
            or p + 1 in matched
            or not ({p - 1, p + 2} & matched)
            or pair not in terms
            or a[0] not in terms
            or b[0] not in terms
        ):
            continue
        if (
            {a[0], b[0]} & (name | aux)
            or {a[0], a[1], b[0], b[1]} & chat
            or pair in name
            or is_general(pair, f"{a[1]}_{b[1]}")
        ):
            continue
        if index.idf.get(pair, 0) >= KEY_IDF and pair not in out:
            out.append(pair)
    words = index.name_words[i]
    positions: dict[str, list[int]] = {}
    for p, w in enumerate(words):
        positions.setdefault(w, []).append(p)
    for a, b in zip(toks, toks[1:]):
        pair = f"{a[0]}_{b[0]}"
        if pair not in terms or pair in name or a[0] not in positions or b[0] not in positions:
            continue
        for pa in positions[a[0]]:
            following = [pb for pb in positions[b[0]] if pa < pb <= pa + 3]
            if not following:
                continue
            inserted = range(pa + 1, following[0])
            rare = [
                words[p]
                for p in inserted
                if index.idf_accented.get(index.name_accented[i][p], 0) >= KEY_IDF and words[p] not in terms
            ]
            if rare and _binds_to_next(index, words, pa, following[0]):
                out.append("+" + "_".join(rare))
            break
    return out


def _binds_to_next(index: SearchIndex, words: list[str], first: int, last: int) -> bool:
    """The words a name inserts between two asked ones make a phrase with the second ("nghề [thú] y": "thú y"
    is a thing of its own) rather than spell out the first ("tàu [thuyền] nhập cảnh", "cai nghiện [ma túy] tự
    nguyện": the same thing said in full). Judged by which pair the names use more often."""
    after = index.idf.get(f"{words[last - 1]}_{words[last]}", KEY_IDF * 2)
    before = index.idf.get(f"{words[first]}_{words[first + 1]}", KEY_IDF * 2)
    return after < before


@functools.lru_cache(maxsize=1)
def _calibration() -> dict[str, float]:
    return yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8"))


def confidence(score: float, next_score: float, missing: list[str]) -> float:
    """Calibrated probability that a candidate is the procedure asked (data/calibration.yml)."""
    c = _calibration()
    x = c["score"] * score + c["margin"] * (score - next_score) + c["unexplained"] * len(missing) + c["bias"]
    return round(1.0 / (1.0 + math.exp(-x)), 3)


def alternatives(catalog: Any, hits: list[Hit], text: str = "") -> list[Hit]:
    """The best hit and the close alternatives worth asking about (one element: a clear winner). Of close
    alternatives, one that the message tells apart from another is left out (see _told_apart)."""
    group = list(catalog.ambiguous(list(hits))) or [hits[0]]
    if len(group) < 2 or not text:
        return group
    index = catalog.index
    typed = f" {' '.join(f for f, _ in word_pairs(text))} "
    names = {h.code: index.name_terms[index.code_index[h.code]] for h in group}
    kept = [h for h in group if not any(_told_apart(names[o.code], names[h.code], typed) for o in group if o is not h)]
    return kept or group


def _says(typed: str, pairs: set[str], other: set[str]) -> bool:
    """Whether the message says one of the name word pairs with a word the other name lacks."""
    return any(f" {p.replace('_', ' ')} " in typed for p in pairs if set(p.split("_")) - other)


def _told_apart(other: set[str], this: set[str], typed: str) -> bool:
    """Whether two near-identical names (at most NEAR_IDENTICAL words apart) are told apart by the message: it
    says, as typed, a word pair of the other's name with a word this one lacks, and no such pair of this one's
    ("lần đầu" against "lần hai", "xuất cảnh" against "nhập cảnh")."""
    if len(_words(other) ^ _words(this)) > NEAR_IDENTICAL:
        return False
    return _says(typed, _pairs(other) - this, this) and not _says(typed, _pairs(this) - other, other)


def _words(name_terms: set[str]) -> set[str]:
    return {t for t in name_terms if "_" not in t}


def _pairs(name_terms: set[str]) -> set[str]:
    return {t for t in name_terms if "_" in t}
