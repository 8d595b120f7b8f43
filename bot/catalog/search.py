"""In-memory search index over procedure names (accent-insensitive, typo-tolerant, alias-aware).

Design (see the catalog README section): every name is folded with bot.vntext.fold (đ -> d, no tones);
terms are word unigrams (minus stop words) and all word bigrams. A query's informative terms are weighted
by IDF; a record scores by how much of the query's weight its name covers (q_cov) and how much of its
own name the query explains (d_cov), so the plain "đăng ký khai sinh" beats longer variants when nothing
else is said. Curated aliases rewrite what people say (sổ đỏ, hộ khẩu, passport ...) before matching.
Unknown query words are corrected to a vocabulary word at edit distance 1.
Question words are compared accent-aware (căn ≠ cần, tử ≠ từ) and bigrams span them, so a content word
that folds like a question word still counts inside its phrase ("khai tu", "ban sao", "con nuoi").
Terms found only inside a name's (...) qualifier earn half their weight; qualifiers naming the default case
(ở trong nước, cho người từ đủ 14 tuổi trở lên) are treated as such. Small talk ("chào bạn") returns [].
Citizen vocabulary: data/slang.tsv (chat abbreviations: dk, mst, gks ...) is expanded first, then
data/aliases.tsv (several hundred everyday names: giấy chứng tử, sang tên sổ đỏ, cà vẹt, mai táng phí ...) in two
passes; alias and question-word matching are accent-aware, and a word typed with diacritics only matches the same
accented word in a name ("sốt" ≠ "sót") and is not typo-corrected. data/offtopic.txt phrases (giá vàng, thời
tiết, kể chuyện cười ...) make search return [].
Chatty questions: data/filler.txt words the person typed about their situation (ông nội, gia đình, ở phường ...),
a number with a unit ("3 tháng", "3 tầng"), an age the names do not use ("bé 5 tuổi" -> under) and "mất" meaning
died next to khai tử/qua đời count as question words, so coverage is computed over the words that can name a
procedure. A question naming the default case itself ("đủ 14 tuổi") earns it in full, and a "có yếu tố nước
ngoài" variant the question does not ask for loses VARIANT_PENALTY.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.vntext import fold, normalize, strip_diacritics

DATA_DIR = Path(__file__).with_name("data")
MIN_SCORE = 0.45  # below this a hit is not plausible: search returns []
AMBIGUITY_MARGIN = 0.06  # hits within this of the best are "close alternatives"
_LEVEL_BONUS = {"Cấp xã": 0.02, "Cấp tỉnh": 0.015}  # a citizen files at the commune/province
_AUX_WEIGHT = 0.35
ALIAS_BOOST = 0.1  # an everyday phrase that names one procedure (aliases.tsv third column)
# A word this rare (in at most two names: "apostille", "karaoke") names a procedure on its own, as a phrase does.
RARE_WORD_IDF = 7.0
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_WORD_RE = re.compile(r"\w+")
Tok = tuple[str, str]  # (folded form, accented form); equal when the word carries no diacritics
GAP: Tok = ("", "")  # where a stop phrase was removed
# Level phrases in names: they tell the level, not the procedure, so they do not count against d_cov.
_LEVEL_PHRASE_RE = re.compile(
    r"\(?\s*(?:thực hiện\s*)?(?:tại|ở)?\s*cấp\s+(?:tỉnh|tinh|xã|huyện|trung ương|bộ)\s*\)?|\(\s*cấp\s+\w+\s*\)", re.I
)
_LEVEL_WORDS = {"tinh", "xa", "trung", "uong", "huyen"}
# Verbs every name starts with; people say "làm" for all of them.
_GENERIC_WORDS = {"cap", "dang", "ky", "giai", "quyet", "thu", "tuc", "thanh", "lap"}
_GENERIC_WEIGHT = 0.3
# Words that turn a procedure into a different one (re-issue, change, cancel ...): a name carrying one the
# query does not say is a variant the citizen did not ask for, so they weigh more in the name mass.
_MODIFIER_WORDS = {
    "lai",
    "doi",
    "han",
    "xoa",
    "thu",
    "hoi",
    "cham",
    "dut",
    "dung",
    "mat",
    "dieu",
    "chinh",
    "ngung",
    "huy",
    "bo",
    "sung",
    "luu",
    "dong",
    "ngoai",
    "trinh",
}
_MODIFIER_WEIGHT = 3.0
_PAREN_WEIGHT = 0.3  # words inside (...) qualify the procedure, they do not name it
_PAREN_MATCH = 0.5  # share of a query term's weight earned when the name has it only inside (...)
# Qualifiers that name the default case (an adult citizen, in Vietnam): nobody says them, so a variant
# carrying one must not lose to a special case ("dưới 14 tuổi") when the question says neither.
_DEFAULT_CASE_RE = re.compile(r"\b(?:ở trong nước|cho người từ đủ 14 tuổi trở lên|cho công dân Việt Nam)\b", re.I)
# Terms by which a question names the default case itself ("từ đủ 14 tuổi", "trở lên", "trong nước").
_DEFAULT_CASE_MARKERS = {"du_14", "tu_du", "tro_len", "trong_nuoc"}
_OBSOLETE_LEVEL_PENALTY = 0.01  # "cấp huyện" variants: districts were abolished on 1 July 2025
# A name for a case with a foreign element ("có yếu tố nước ngoài") when the question says nothing foreign: the
# domestic procedure is what was asked ("giấy khai sinh ghi sai tên đệm" is not the foreign variant).
# Phrase in names (outside (...)) -> the folded word a question must contain to ask for that variant.
_VARIANT_PHRASES = {"nước ngoài": "ngoai"}
_VARIANT_PHRASE_RE = re.compile(r"\b(?:" + "|".join(_VARIANT_PHRASES) + r")\b", re.I)
VARIANT_PENALTY = 0.03
# "N tháng", "N tầng": how long or how big, said about the case, not the procedure's name.
_MEASURE_UNITS = {"thang", "nam", "ngay", "tuan", "tang", "m2", "met", "gio", "lan"}
# With one of these the question is about a death, so "mất" means died, not lost ...
_DEATH_RE = re.compile(r"\b(?:khai tu|chung tu|bao tu|qua doi|chet|tu tran|tu vong|mai tang|dam tang|dam ma|tang le)\b")
# ... unless a document follows it ("mất giấy chứng tử": lost).
_LOST_OBJECTS = {
    "giay",
    "so",
    "the",
    "bang",
    "trich",
    "ban",
    "ho",
    "can",
    "cmnd",
    "cccd",
    "chung",
    "hop",
    "ma",
    "tai",
    "bien",
    "dang",
}


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    score: float

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "score": round(self.score, 4)}


def is_generic(word: str) -> bool:
    """A folded word every kind of procedure uses (cấp, đăng ký, lại, đổi …): it names no procedure alone."""
    return word in _GENERIC_WORDS or word in _MODIFIER_WORDS


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(fold(text))


def word_pairs(text: str) -> list[Tok]:
    """(folded, accented) per word, so "tử" (death) and "từ" (from) stay apart when the writer used accents."""
    out: list[Tok] = []
    for m in _WORD_RE.finditer(normalize(text)):
        word = m.group(0)
        subs = _TOKEN_RE.findall(strip_diacritics(word).lower())
        out.extend([(subs[0], word)] if len(subs) == 1 else [(t, t) for t in subs])
    return out


def _read_lines(name: str) -> list[str]:
    path = DATA_DIR / name
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lines.append(line)
    return lines


def tok_match(tok: Tok, ref: Tok) -> bool:
    """An accented word matches only the same accented word; a word typed without accents matches by folding."""
    f, a = tok
    return a == ref[1] if a != f else f == ref[0]


def phrase_at(toks: list[Tok], i: int, phrase: list[Tok]) -> bool:
    """The phrase's words stand in the message from word i on (accent-aware, tok_match)."""
    return len(toks) - i >= len(phrase) and all(tok_match(t, r) for t, r in zip(toks[i : i + len(phrase)], phrase))


def phrase_spans(toks: list[Tok], by_first: dict[str, list[list[Tok]]]) -> list[tuple[int, int]]:
    """(start, end) of each phrase found, left to right; at each word the first phrase listed under its folded
    form wins (lists sorted longest first: the longest)."""
    spans = []
    i = 0
    while i < len(toks):
        n = next((len(p) for p in by_first.get(toks[i][0], ()) if phrase_at(toks, i, p)), 0)
        if n:
            spans.append((i, i + n))
        i += n or 1
    return spans


class StopWords:
    """Question words (stopwords.txt), compared accent-aware: "căn" (căn cước) is not "cần" (need)."""

    def __init__(self, lines: list[str]):
        entries = [word_pairs(line) for line in lines]
        self.phrases = sorted((e for e in entries if len(e) > 1), key=lambda e: -len(e))
        # The phrases by their first word, folded, in the same order: a word is only compared with the phrases
        # that can start at it (loading the catalog runs this over every name and record text).
        self._by_first: dict[str, list[list[Tok]]] = {}
        for phrase in self.phrases:
            self._by_first.setdefault(phrase[0][0], []).append(phrase)
        self.single_folded = {e[0][0] for e in entries if len(e) == 1}
        self.single_accented = {e[0][1] for e in entries if len(e) == 1}

    def is_stop(self, tok: Tok) -> bool:
        f, a = tok
        return a in self.single_accented if a != f else f in self.single_folded

    def phrase_spans(self, toks: list[Tok]) -> list[tuple[int, int]]:
        """(start, end) of each multi-word phrase found, left to right, longest first at each word."""
        return phrase_spans(toks, self._by_first)

    def drop_phrases(self, toks: list[Tok], keep: set[int] | None = None) -> tuple[list[Tok], list[bool]]:
        """Remove multi-word stop phrases ("giấy tờ", "đối với"); single stop words stay for bigrams.
        A removed phrase leaves a GAP so no bigram joins the words on either side of it. Also returns, per
        output word, whether its position is in `keep` (query filler, see SearchIndex.filler_positions)."""
        keep = keep or set()
        out: list[Tok] = []
        flags: list[bool] = []
        last = 0
        for start, end in self.phrase_spans(toks) + [(len(toks), len(toks))]:
            out.extend(toks[last:start])
            flags.extend(i in keep for i in range(last, start))
            if end > start:
                out.append(GAP)
                flags.append(False)
            last = end
        return out, flags

    def terms(self, toks: list[Tok], filler: set[int] | None = None) -> tuple[set[str], set[str]]:
        """(unigrams and bigrams, stop-word unigrams). Bigrams span stop words ("khai tu", "ban sao", "con nuoi")
        so a content word that folds like a question word still counts inside its phrase. Words at `filler`
        positions count as stop words."""
        seq, flags = self.drop_phrases(toks, filler)
        stop = [t is GAP or f or self.is_stop(t) for t, f in zip(seq, flags)]
        terms = {t[0] for t, s in zip(seq, stop) if not s}
        soft = {t[0] for t, s, f in zip(seq, stop, flags) if s and not f and t is not GAP} - terms
        terms.update(
            f"{a[0]}_{b[0]}"
            for a, b, sa, sb in zip(seq, seq[1:], stop, stop[1:])
            if not (sa and sb) and a is not GAP and b is not GAP
        )
        return terms, soft


def load_stopwords() -> StopWords:
    return StopWords(_read_lines("stopwords.txt"))


def load_filler() -> StopWords:
    """Query-only words about the asker's situation (data/filler.txt): relatives, time, place, amounts."""
    return StopWords(_read_lines("filler.txt"))


def load_abbreviations() -> dict[str, list[Tok]]:
    """Folded abbreviation -> expansion words (data/abbreviations.tsv), applied to names and queries alike."""
    table = {}
    for line in _read_lines("abbreviations.tsv"):
        short, _, full = line.partition("\t")
        table[strip_diacritics(short.strip().lower())] = word_pairs(full)
    return table


def expand(toks: list[Tok], table: dict[str, list[Tok]]) -> list[Tok]:
    out: list[Tok] = []
    for t in toks:
        out.extend(table.get(t[0], [t]))
    return out


def load_aliases() -> list[tuple[list[Tok], str, list[str]]]:
    """(alias words, rewrite text, codes) from aliases.tsv, longest alias first. Matched accent-aware like stop
    words: "cười" (laugh) typed with accents is not "cưới" (wed); "cuoi" typed without accents matches either."""
    aliases = []
    for line in _read_lines("aliases.tsv"):
        cols = line.split("\t")
        alias, target = cols[0].strip(), (cols[1].strip() if len(cols) > 1 else "")
        codes = [c.strip() for c in (cols[2].split(",") if len(cols) > 2 else []) if c.strip()]
        aliases.append((word_pairs(alias), target, codes))
    aliases.sort(key=lambda a: -len(a[0]))
    return aliases


def load_slang() -> dict[str, list[Tok]]:
    """Chat abbreviations citizens type (data/slang.tsv): expanded in queries only, before aliases.
    Keyed by the word as written (accented key) or its plain form, see expand_slang()."""
    table = {}
    for line in _read_lines("slang.tsv"):
        short, _, full = line.partition("\t")
        if full.strip():
            table[normalize(short.strip())] = word_pairs(full)
    return table


def expand_slang(toks: list[Tok], table: dict[str, list[Tok]]) -> list[Tok]:
    """Accent-aware: "đk" and "dk" both match their entries, but "hồng" never matches a plain key "hong"."""
    out: list[Tok] = []
    for t in toks:
        out.extend(table.get(t[1], [t]))
    return out


def _accented_terms(toks: list[Tok]) -> set[str]:
    """Accented words and adjacent word pairs, for telling "sốt" from "sót" when a question has accents."""
    out = {a for _, a in toks}
    out.update(f"{x[1]}_{y[1]}" for x, y in zip(toks, toks[1:]))
    return out


def _accent_keys(toks: list[Tok]) -> dict[str, str]:
    """Folded term -> accented term, for query words (and pairs of words) all typed with diacritics."""
    keys = {f: a for f, a in toks if a != f}
    for x, y in zip(toks, toks[1:]):
        if x[1] != x[0] and y[1] != y[0]:
            keys[f"{x[0]}_{y[0]}"] = f"{x[1]}_{y[1]}"
    return keys


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SearchIndex:
    def __init__(self, records: list[dict]):
        self._rewrites: dict[str, tuple] = {}
        self.stop = load_stopwords()
        self.abbrev = load_abbreviations()
        self.aliases = load_aliases()
        self.slang = load_slang()
        # Aliases by first word, longest first, so a query only tries the aliases that can start at each word.
        self.alias_by_first: dict[str, list[tuple[list[str], str, list[str]]]] = {}
        for alias in self.aliases:
            if alias[0]:
                self.alias_by_first.setdefault(alias[0][0][0], []).append(alias)
        self.alias_words_by_first = {f: [a[0] for a in group] for f, group in self.alias_by_first.items()}
        self.greetings = {f for line in _read_lines("greetings.txt") for f in tokens(line)}
        self.offtopic = StopWords(_read_lines("offtopic.txt"))  # multi-word phrases only (StopWords.phrases)
        self.filler = load_filler()
        self.codes = [r["code"] for r in records]
        self.names = [r["name"] for r in records]
        self.code_index = {c: i for i, c in enumerate(self.codes)}
        self.base_names: list[str] = []
        self.name_words: list[list[str]] = []  # folded words of each name, level phrase removed (in order)
        self.name_accented: list[list[str]] = []  # the same words as written
        name_terms: list[set[str]] = []
        name_tokens: list[list[str]] = []
        paren_tokens: list[set[str]] = []
        paren_only: list[set[str]] = []  # name terms found only inside (...)
        default_terms: list[set[str]] = []  # of those, the ones in a default-case qualifier (see _DEFAULT_CASE_RE)
        aux_terms: list[set[str]] = []
        acc_terms: list[set[str]] = []  # accented words and word pairs of each name
        self.level_bonus = np.zeros(len(records))
        self.variant_keys: list[set[str]] = []  # variant words a question must say (_VARIANT_PHRASES)
        self.name_ages = {int(a) for r in records for a in re.findall(r"(\d+) tuổi", r["name"])}
        for i, r in enumerate(records):
            base = _LEVEL_PHRASE_RE.sub(" ", r["name"])
            said_base = base  # the default case stays part of the name when a question does say it ("đủ 14 tuổi")
            base = _DEFAULT_CASE_RE.sub(r"(\g<0>)", base)  # the default case, not a qualifier anyone asks for
            base = re.sub(r"^\s*thủ tục\s+", "", base, flags=re.I)
            base_pairs = expand(word_pairs(base), self.abbrev)
            base_toks = [t[0] for t in base_pairs]
            self.base_names.append(" ".join(tokens(base)))
            name_terms.append(self.stop.terms(base_pairs)[0])
            acc_terms.append(_accented_terms(base_pairs))
            name_tokens.append(base_toks)
            self.name_words.append(base_toks)
            self.name_accented.append([t[1] for t in base_pairs])
            paren = expand(word_pairs(" ".join(re.findall(r"\(([^)]*)\)", base))), self.abbrev)
            paren_tokens.append({t[0] for t in paren})
            head = expand(word_pairs(re.sub(r"\([^)]*\)", " ", base)), self.abbrev)
            paren_only.append(name_terms[-1] - self.stop.terms(head)[0])
            said_head = expand(word_pairs(re.sub(r"\([^)]*\)", " ", said_base)), self.abbrev)
            default_terms.append(paren_only[-1] & self.stop.terms(said_head)[0])
            keys = set(_VARIANT_PHRASES[m.lower()] for m in _VARIANT_PHRASE_RE.findall(re.sub(r"\([^)]*\)", " ", base)))
            self.variant_keys.append(keys)
            if re.search(r"cấp huyện", r["name"], re.I):
                self.level_bonus[i] -= _OBSOLETE_LEVEL_PENALTY
            aux = " ".join(filter(None, [r.get("keywords"), " ".join(r.get("results") or [])[:300], r.get("field")]))
            aux_terms.append(
                self.stop.terms(expand(word_pairs(aux), self.abbrev))[0]
                | self.stop.terms(expand(word_pairs(r["name"]), self.abbrev))[0]
            )
            self.level_bonus[i] += max((_LEVEL_BONUS.get(lv, 0.0) for lv in r.get("levels") or []), default=0.0)
        self.variant_records = [i for i, keys in enumerate(self.variant_keys) if keys]
        n = len(records)
        df: dict[str, int] = {}
        for terms in name_terms:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        for terms in aux_terms:
            for t in terms:
                df.setdefault(t, 1)
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.name_terms = name_terms  # unigrams and bigrams of each name: what a name explains of a question
        self.aux_terms = aux_terms
        # Posting arrays per term: doc ids for name and aux fields.
        post_name: dict[str, list[int]] = {}
        post_aux: dict[str, list[int]] = {}
        for i, terms in enumerate(name_terms):
            for t in terms:
                post_name.setdefault(t, []).append(i)
        for i, terms in enumerate(aux_terms):
            for t in terms - name_terms[i]:
                post_aux.setdefault(t, []).append(i)
        self.post_name = {t: np.array(v, dtype=np.int32) for t, v in post_name.items()}
        post_paren: dict[str, list[int]] = {}
        for i, terms in enumerate(paren_only):
            for t in terms:
                post_paren.setdefault(t, []).append(i)
        self.post_paren = {t: np.array(v, dtype=np.int32) for t, v in post_paren.items()}
        post_default: dict[str, list[int]] = {}
        for i, terms in enumerate(default_terms):
            for t in terms:
                post_default.setdefault(t, []).append(i)
        self.post_default = {t: np.array(v, dtype=np.int32) for t, v in post_default.items()}
        self.post_aux = {t: np.array(v, dtype=np.int32) for t, v in post_aux.items()}
        post_acc: dict[str, list[int]] = {}
        for i, terms in enumerate(acc_terms):
            for t in terms:
                post_acc.setdefault(t, []).append(i)
        self.post_acc = {t: np.array(v, dtype=np.int32) for t, v in post_acc.items()}
        self.idf_accented = {t: math.log(1 + n / len(v)) for t, v in post_acc.items() if "_" not in t}
        # How much name weight each record has: every distinct name word (stop words too, so extra
        # qualifiers count against a variant), generic verbs at a lower weight, level words excluded.
        default_idf = math.log(1 + n)
        self.name_mass = np.array(
            [self._mass(toks, paren, default_idf) or 1.0 for toks, paren in zip(name_tokens, paren_tokens)]
        )
        self.vocab = {t for t in self.post_name if "_" not in t}
        self.delete_map: dict[str, list[str]] = {}
        for word in self.vocab:
            if len(word) >= 4:
                for d in _deletes(word):
                    self.delete_map.setdefault(d, []).append(word)

    def _mass(self, toks: list[str], paren: set[str], default_idf: float) -> float:
        mass = 0.0
        for t in set(toks):
            if t in _LEVEL_WORDS:
                continue
            w = self.idf.get(t, default_idf) * self._word_factor(t)
            mass += w * (_PAREN_WEIGHT if t in paren else 1.0)
        return mass

    @staticmethod
    def _word_factor(t: str) -> float:
        if t in _GENERIC_WORDS:
            return _GENERIC_WEIGHT
        if t in _MODIFIER_WORDS:
            return _MODIFIER_WEIGHT
        return 1.0

    # ------------------------------------------------------------------ query side
    def _correct(self, tok: Tok) -> Tok:
        """Nearest vocabulary word at edit distance 1 (insert/delete/substitute/transpose-ish)."""
        word = tok[0]
        if word in self.vocab or self.stop.is_stop(tok) or len(word) < 4 or word.isdigit() or tok[1] != word:
            return tok  # a word typed with diacritics is a real word ("giàu" is not a typo for "giao")
        candidates = set(self.delete_map.get(word, []))  # a letter was left out
        for d in _deletes(word):
            if d in self.vocab:
                candidates.add(d)  # a letter too many
            candidates.update(self.delete_map.get(d, []))  # a wrong letter
        if not candidates:
            return tok
        best = max(candidates, key=lambda w: (len(self.post_name[w]), w))
        return (best, best)

    def rewrite(self, query: str) -> tuple[list[Tok], list[str], bool]:
        """Query words after abbreviations, aliases and typo correction, alias codes, and whether a level is named.

        Aliases run twice, so one everyday phrase can complete another ("đăng ký xe máy mới": xe máy -> xe, then
        "đăng ký xe mới" -> first registration)."""
        toks, codes, names_level, _ = self._rewrite(query)
        return toks, codes, names_level

    def _rewrite(self, query: str) -> tuple[list[Tok], list[str], bool, set[int]]:
        """rewrite() plus the positions of filler words the person typed (alias output is never filler).
        Cached per query text: one reading of a message asks for it several times (callers never mutate it)."""
        cached = self._rewrites.get(query)
        if cached is None:
            if len(self._rewrites) >= 512:
                self._rewrites.clear()
            cached = self._rewrites[query] = self._rewrite_uncached(query)
        return cached

    def _rewrite_uncached(self, query: str) -> tuple[list[Tok], list[str], bool, set[int]]:
        toks = self._ages(expand(expand_slang(word_pairs(query), self.slang), self.abbrev))
        filler = self.filler_positions(toks)
        flags = [i in filler for i in range(len(toks))]
        codes: list[str] = []
        toks, origin, flags = self._apply_aliases(toks, codes, correct=True, flags=flags)
        if any(o >= 0 for o in origin):
            toks, _, flags = self._apply_aliases(toks, codes, correct=False, origin=origin, flags=flags)
        text = " ".join(t[0] for t in toks)
        names_level = bool(re.search(r"\bcap (tinh|xa|huyen|trung uong|bo)\b|\btrung uong\b", text))
        return toks, list(dict.fromkeys(codes)), names_level, {i for i, f in enumerate(flags) if f}

    def alias_spans(self, toks: list[Tok]) -> list[tuple[int, int]]:
        """Where aliases match the words as typed (start, end), longest first at each word, left to right."""
        return phrase_spans(toks, self.alias_words_by_first)

    def _apply_aliases(
        self,
        toks: list[Tok],
        codes: list[str],
        correct: bool,
        origin: list[int] | None = None,
        flags: list[bool] | None = None,
    ) -> tuple[list[Tok], list[int], list[bool]]:
        """One left-to-right pass of alias rewriting. `origin` tells, per word, which earlier rewrite produced it
        (-1: the person typed it); a match lying wholly inside one earlier rewrite is skipped, so an official
        phrase an alias produced ("giấy chứng nhận đăng ký kinh doanh") is not rewritten again. `flags` (filler
        words) follow the words kept; an alias match wins over filler ("con mới sinh")."""
        folded = [t[0] for t in toks]
        origin = origin or [-1] * len(toks)
        flags = flags or [False] * len(toks)
        out: list[Tok] = []
        out_origin: list[int] = []
        out_flags: list[bool] = []
        i = 0
        while i < len(toks):
            for alias, target, alias_codes in self.alias_by_first.get(folded[i], ()):
                n = len(alias)
                if phrase_at(toks, i, alias) and not _inside_one_rewrite(origin, i, n):
                    if self._longer_alias_within(toks, i, n, origin):
                        continue  # "công nhận bằng | bằng đại học nước ngoài": the longer, later one names it
                    repl = expand(word_pairs(target), self.abbrev)
                    if out and repl and out[-1][0] == repl[0][0]:
                        repl = repl[1:]  # "đất thổ cư" -> "đất đất ở": the typed word already says it
                    out.extend(repl)
                    out_origin.extend([i] * len(repl))
                    same = [t[0] for t in repl] == [t[0] for t in toks[i : i + n]]
                    # An alias that keeps its words only shields them ("điều kiện" from "kiện"): filler stays so.
                    out_flags.extend(flags[i : i + n] if same else [False] * len(repl))
                    codes.extend(alias_codes)
                    i += n
                    break
            else:
                out.append(self._correct(toks[i]) if correct and not flags[i] else toks[i])
                out_origin.append(origin[i])
                out_flags.append(flags[i])
                i += 1
        return out, out_origin, out_flags

    def _longer_alias_within(self, toks: list[Tok], i: int, n: int, origin: list[int]) -> bool:
        """Whether an alias longer than the n words matched at i starts inside them and ends after them: the more
        specific phrase wins ("làm giấy khai sinh | khai sinh có tên bố")."""
        for j in range(i + 1, i + n):
            for alias, _, _ in self.alias_by_first.get(toks[j][0], ()):
                if len(alias) > n and j + len(alias) > i + n and phrase_at(toks, j, alias):
                    return not _inside_one_rewrite(origin, j, len(alias))
        return False

    def _ages(self, toks: list[Tok]) -> list[Tok]:
        """An age the names do not use, below one they do, says "under" ("bé 5 tuổi" -> "dưới tuổi"), since names
        say "dưới 14 tuổi", "dưới 6 tuổi", "từ đủ 14 tuổi trở lên"; an age above them all is only filler."""
        out: list[Tok] = []
        i = 0
        while i < len(toks):
            f = toks[i][0]
            if (
                f.isdigit()
                and i + 1 < len(toks)
                and toks[i + 1][0] == "tuoi"
                and int(f) not in self.name_ages
                and any(int(f) < a for a in self.name_ages)
            ):
                out.extend([("duoi", "dưới"), ("tuoi", "tuổi")])  # which bracket is left to the other words
                i += 2
            else:
                out.append(toks[i])
                i += 1
        return out

    def filler_positions(self, toks: list[Tok]) -> set[int]:
        """Positions of words that tell the asker's situation, not the procedure: data/filler.txt phrases
        ("ông nội", "gia đình", "mới", "ở phường"), a number with a unit of time or size ("3 tháng", "3 tầng"),
        and "mất" meaning died when the question is about a death ("bố em mất, làm khai tử")."""
        pos: set[int] = set()
        for start, end in self.filler.phrase_spans(toks):
            pos.update(range(start, end))
        # A lone syllable typed without accents is too ambiguous to drop ("dang": đang/đăng, "tinh": tính/tỉnh).
        singles = [i for i, (f, a) in enumerate(toks) if a != f and a in self.filler.single_accented]
        pos.update(singles)
        for i, (f, _) in enumerate(toks[:-1]):
            if f.isdigit() and (
                toks[i + 1][0] in _MEASURE_UNITS or toks[i + 1][0] == "tuoi" and int(f) not in self.name_ages
            ):
                pos.update((i, i + 1))
        folded = [t[0] for t in toks]
        text = " ".join(folded)
        if _DEATH_RE.search(text):
            for i, t in enumerate(toks):
                nxt = folded[i + 1] if i + 1 < len(folded) else ""
                if tok_match(t, ("mat", "mất")) and nxt not in _LOST_OBJECTS:
                    pos.add(i)
        return pos

    def query_terms(self, query: str) -> tuple[list[Tok], set[str]]:
        """The question's words after slang, aliases and typo correction, and its terms that can name a
        procedure (unigrams and bigrams; question words and the asker's situation left out)."""
        toks, _, _, filler = self._rewrite(query)
        return toks, self.stop.terms(toks, filler)[0]

    def search(self, query: str, limit: int = 5, min_score: float = MIN_SCORE) -> list[Hit]:
        score = self._score(query)
        if score is None:
            return []
        top = np.argsort(-score, kind="stable")[: max(limit, 1) * 3]
        hits = [Hit(self.codes[i], self.names[i], float(score[i])) for i in top if score[i] >= min_score]
        return hits[:limit]

    def explain(self, query: str, code: str) -> dict:
        """Score parts of one record for a query (for tuning: load_catalog().index.explain("câu hỏi", CODE))."""
        parts: dict = {}
        score = self._score(query, parts)
        i = self.code_index[code]
        out = {k: round(float(v[i]), 4) for k, v in parts.items() if isinstance(v, np.ndarray)}
        out.update({k: v for k, v in parts.items() if not isinstance(v, np.ndarray)})
        out["score"] = round(float(score[i]), 4) if score is not None else None
        return out

    def is_offtopic(self, query: str) -> bool:
        """The question contains a phrase of data/offtopic.txt (food, weather, gold price, jokes ...)."""
        return bool(self.offtopic.phrase_spans(word_pairs(query)))

    def _score(self, query: str, parts: dict | None = None) -> np.ndarray | None:
        if set(tokens(query)) <= self.greetings or self.is_offtopic(query):
            return None  # small talk ("chào bạn", "giá vàng hôm nay") or nothing at all
        toks, alias_codes, names_level, filler = self._rewrite(query)
        terms, soft = self.stop.terms(toks, filler)
        weights = {t: self.idf[t] * (0.6 if "_" in t else 1.0) for t in terms if t in self.idf}
        # Unknown words still count in the query mass (so "thời tiết" does not match on one common word),
        # at a typical weight.
        unknown = [t for t in terms if t not in self.idf and "_" not in t]
        total = sum(weights.values()) + 3.0 * len(unknown)
        if total <= 0:
            return None
        n = len(self.codes)
        matched = np.zeros(n)
        uni_matched = np.zeros(n)
        evidence = np.zeros(n)  # distinct query unigrams found + 2 per bigram found in the name
        accent = _accent_keys(toks)
        says_default = bool(terms & _DEFAULT_CASE_MARKERS)
        empty = np.zeros(0, dtype=np.int32)
        for t, w in weights.items():
            ids = self.post_name.get(t)
            if ids is not None and t in accent:
                # Typed with diacritics: only names with the same accented word count ("sốt" is not "sót").
                ids = np.intersect1d(ids, self.post_acc.get(accent[t], empty), assume_unique=True)
            if ids is not None:
                matched[ids] += w
                evidence[ids] += 2 if "_" in t or w >= RARE_WORD_IDF else 1
                if "_" not in t and t not in _LEVEL_WORDS:
                    uni_matched[ids] += w * self._word_factor(t)
            ids = self.post_paren.get(t)
            if ids is not None and t in accent:
                ids = np.intersect1d(ids, self.post_acc.get(accent[t], empty), assume_unique=True)
            if ids is not None:  # found only in the name's (...) qualifier: it qualifies, it does not name
                matched[ids] -= w * (1 - _PAREN_MATCH)
                if "_" not in t and t not in _LEVEL_WORDS:
                    uni_matched[ids] -= w * self._word_factor(t) * (1 - _PAREN_WEIGHT)
            ids = self.post_default.get(t) if says_default else None
            if ids is not None:  # the question names the default case itself ("đủ 14 tuổi"): full weight
                matched[ids] += w * (1 - _PAREN_MATCH)
            ids = self.post_aux.get(t)
            if ids is not None:
                matched[ids] += w * _AUX_WEIGHT
        # A word typed without accents that folds like a question word ("tu": từ/tử) does not weigh in the
        # query, but when the name has it (khai tử) it still explains that part of the name.
        for t in soft:
            ids = self.post_name.get(t)
            if ids is not None and t not in _LEVEL_WORDS:
                uni_matched[ids] += self.idf[t] * self._word_factor(t)
                ids = self.post_paren.get(t)
                if ids is not None:
                    uni_matched[ids] -= self.idf[t] * self._word_factor(t) * (1 - _PAREN_WEIGHT)
        q_cov = np.minimum(matched / total, 1.0)
        d_cov = np.minimum(uni_matched / self.name_mass, 1.0)
        score = 0.7 * q_cov + 0.3 * d_cov
        if not names_level:
            score = score + self.level_bonus * (q_cov > 0)
        said = {t[0] for t in toks} | set(tokens(query))
        unasked = np.zeros(n)
        for i in self.variant_records:  # the few names with variant words; the rest never lose VARIANT_PENALTY
            unasked[i] = len(self.variant_keys[i] - said)
        score = score - VARIANT_PENALTY * np.minimum(unasked, 1) * (q_cov > 0)
        for code in alias_codes:
            i = self.code_index.get(code)
            if i is not None:
                score[i] = max(score[i], 0.0) + ALIAS_BOOST
        # One shared common word is not a plausible match ("thời tiết" vs "chi tiết", "bác" vs "… bác ruột nhận
        # cháu làm con nuôi"), even when it is the whole query: two words, a phrase or a rare word are needed.
        score = np.where(evidence >= 2, score, 0.0)
        if parts is not None:
            parts.update(
                q_cov=q_cov,
                d_cov=d_cov,
                name_mass=self.name_mass,
                level_bonus=self.level_bonus,
                terms=sorted(weights),
                soft=sorted(soft),
                unknown=unknown,
            )
        return score

    def base_name(self, code: str) -> str:
        i = self.code_index.get(code)
        return self.base_names[i] if i is not None else ""


def _inside_one_rewrite(origin: list[int], i: int, n: int) -> bool:
    """Whether the n words at i all come from one earlier alias rewrite (origin: -1 for a word as typed)."""
    return origin[i] >= 0 and len(set(origin[i : i + n])) == 1


def ambiguous(hits: list[Hit], index: SearchIndex | None = None, margin: float = AMBIGUITY_MARGIN) -> list[Hit]:
    """The hits that are close alternatives to the best one (best first); [] or one hit means a clear winner.

    Rule: hits scoring within `margin` of the best are alternatives, except level variants of the same
    procedure (same name once the level phrase is removed), which the level preference already decided.
    """
    if len(hits) < 2:
        return []
    best = hits[0]
    close = [h for h in hits if best.score - h.score <= margin]
    if index is not None:
        seen = {index.base_name(best.code)}
        unique = [best]
        for h in close[1:]:
            key = index.base_name(h.code)
            if key not in seen:
                seen.add(key)
                unique.append(h)
        close = unique
    return close if len(close) > 1 else []
