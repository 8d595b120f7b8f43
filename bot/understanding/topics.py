"""What a message asks about a procedure: topic cues (data/topic_cues.yml) found in the message.

Cues are matched accent-aware on whole words (bot.catalog.search.word_pairs / tok_match), longest first, so
"mất bao lâu" is one cue and "căn cứ" never matches "căn cước". Procedure words are not topic evidence: a cue
lying inside the name of the procedure the message names is dropped by the caller (see Cue.folded).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.catalog.search import Tok, phrase_at, word_pairs

CUES_FILE = Path(__file__).with_name("data") / "topic_cues.yml"
OFFICE_FILE = Path(__file__).with_name("data") / "office_questions.yml"
GUIDE_WORDS_FILE = Path(__file__).with_name("data") / "guide_words.txt"
ALL_WORDS_FILE = Path(__file__).with_name("data") / "all_words.txt"
TOPICS = (
    "overview",
    "documents",
    "fee",
    "processing_time",
    "agency",
    "steps",
    "conditions",
    "result",
    "legal_basis",
    "online",
    "deadline",
)


# The cue file's list of conditions cues that only ask yes or no (see topics_from_cues).
YES_NO_CONDITIONS = "yes_no_conditions"
# Time words that say no more than "a time limit": with a deadline cue they are part of it.
_PLAIN_TIME = {"thoi han", "thoi gian"}


@dataclass(frozen=True)
class Cue:
    topic: str
    strong: bool
    start: int  # word positions in the message (word_pairs of the text)
    end: int
    folded: str  # the cue's words, folded and space-joined


@functools.lru_cache(maxsize=1)
def _cue_file() -> dict:
    return yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _lexicon() -> list[tuple[list[Tok], str, bool]]:
    """(cue words, topic, strong), longest cue first."""
    entries = []
    for topic, kinds in _cue_file().items():
        if topic == YES_NO_CONDITIONS:
            continue
        if topic not in TOPICS:
            raise ValueError(f"{CUES_FILE.name}: unknown topic {topic!r}")
        for kind in ("strong", "weak"):
            for phrase in kinds.get(kind) or []:
                entries.append((word_pairs(str(phrase)), topic, kind == "strong"))
    entries.sort(key=lambda e: (-len(e[0]), not e[2]))
    return entries


@functools.lru_cache(maxsize=1)
def _by_first_word() -> dict[str, list[tuple[list[Tok], str, bool]]]:
    """The lexicon by the folded first word of each cue (longest first), so a word tries only its own cues."""
    index: dict[str, list[tuple[list[Tok], str, bool]]] = {}
    for entry in _lexicon():
        if entry[0]:
            index.setdefault(entry[0][0][0], []).append(entry)
    return index


@functools.lru_cache(maxsize=1)
def _office() -> dict[str, list[list[Tok]]]:
    data = yaml.safe_load(OFFICE_FILE.read_text(encoding="utf-8"))
    return {key: sorted((word_pairs(str(p)) for p in data[key]), key=len, reverse=True) for key in data}


def _phrase_at(toks: list[Tok], i: int, phrases: list[list[Tok]]) -> int:
    """Length of the first phrase (longest, when they are sorted so) starting at word i (0: none)."""
    return next((len(words) for words in phrases if words and phrase_at(toks, i, words)), 0)


def _office_question(toks: list[Tok]) -> tuple[int, int] | None:
    """The words of a yes/no question about a place ("ở công an xã được không"): data/office_questions.yml."""
    office = _office()
    for start in range(len(toks)):
        i = start + _phrase_at(toks, start, office["leads"])
        if i == start:
            continue
        place = False
        while i < len(toks):
            tail = _phrase_at(toks, i, office["tails"]) if place else 0
            if tail:
                return start, i + tail
            n = _phrase_at(toks, i, office["places"])
            place = place or bool(n)
            n = n or _phrase_at(toks, i, office["between"])
            if not n:
                break
            i += n
    return None


def find_cues(text: str | None) -> list[Cue]:
    """Every cue in the message, left to right, without overlaps (the longest cue wins at each word); a yes/no
    question about a place is one strong agency cue."""
    toks = word_pairs(text or "")
    cues: list[Cue] = []
    office = _office_question(toks)
    i = 0
    while i < len(toks):
        if office and i == office[0]:
            cues.append(Cue("agency", True, i, office[1], " ".join(t[0] for t in toks[i : office[1]])))
            i = office[1]
            continue
        for words, topic, strong in _by_first_word().get(toks[i][0], ()):
            if words and phrase_at(toks, i, words):
                cues.append(Cue(topic, strong, i, i + len(words), " ".join(w[0] for w in words)))
                i += len(words)
                break
        else:
            i += 1
    return cues


def topics_from_cues(cues: list[Cue]) -> list[str]:
    """Topics asked, in the order they are asked: strong cues if any, else weak ones (the overview's last), else
    overview."""
    # "sắp hết thời hạn tạm trú, gia hạn trước bao nhiêu ngày": with a deadline cue, a plain "thời hạn" is its own.
    deadline = any(c.topic == "deadline" for c in cues)
    strong = [c.topic for c in cues if c.strong and not (deadline and c.folded in _PLAIN_TIME)]
    chosen = strong or [c.topic for c in cues if c.topic != "overview"]  # "thế nào" gives way to any other cue
    if set(chosen) == {"conditions"} and any(c.topic == "overview" for c in cues):
        if all(c.folded in _yes_no() for c in cues if c.topic == "conditions"):
            return ["overview", "conditions"]  # how to get it done first; whether one can, after
    return list(dict.fromkeys(chosen)) or ["overview"]


@functools.lru_cache(maxsize=1)
def _yes_no() -> frozenset[str]:
    """The folded conditions cues that only ask yes or no (the cue file's yes_no_conditions, not a topic)."""
    return frozenset(" ".join(w[0] for w in word_pairs(str(p))) for p in _cue_file().get(YES_NO_CONDITIONS) or [])


def cue_words() -> set[str]:
    """Folded words of every cue: words that ask, never name (used to tell what a name leaves unexplained)."""
    return {w[0] for words, _, _ in _lexicon() for w in words}


@functools.lru_cache(maxsize=None)
def _phrases(path: Path) -> list[list[Tok]]:
    """The phrases of a word file (one per line, # comments), longest first."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and ln[0] != "#"]
    return sorted((word_pairs(ln) for ln in lines), key=len, reverse=True)


def _guide_phrases() -> list[list[Tok]]:
    return _phrases(GUIDE_WORDS_FILE)


def asks_for_all(text: str | None) -> bool:
    """The message asks for the rest of a cut list ("liệt kê hết", "xem thêm", "còn mục nào nữa"):
    data/all_words.txt."""
    toks = word_pairs(text or "")
    return any(_phrase_at(toks, i, _phrases(ALL_WORDS_FILE)) for i in range(len(toks)))


def asks_what_about(text: str | None) -> bool:
    """ "… thì sao": the question asked before, about what the message names ("thế còn bản sao giấy kết hôn thì
    sao" after "bản sao giấy khai sinh làm ở đâu")."""
    folded = [f for f, _ in word_pairs(text or "")]
    return any(a == "thi" and b == "sao" for a, b in zip(folded, folded[1:]))


def after_guide_words(text: str | None) -> str:
    """What follows the first words asking to be guided ("anh ấy mới có con, nhờ hướng dẫn đăng ký khai sinh
    online": "đăng ký khai sinh online"), where the procedure of a guide request is named; "" without them."""
    toks = word_pairs(text or "")
    for i in range(len(toks)):
        n = _phrase_at(toks, i, _guide_phrases())
        if n:
            return without_guide_words(" ".join(a for _, a in toks[i + n :]))
    return ""


def without_guide_words(text: str | None) -> str:
    """The message less the words that ask to be guided (data/guide_words.txt): what is left names the procedure."""
    toks = word_pairs(text or "")
    kept: list[str] = []
    i = 0
    while i < len(toks):
        n = _phrase_at(toks, i, _guide_phrases())
        if not n:
            kept.append(toks[i][1])
        i += n or 1
    return " ".join(kept)
