"""In-memory search index over procedure names (accent-insensitive, typo-tolerant, alias-aware).

Design (see the catalog README section): every name is folded with bot.vntext.fold (đ -> d, no tones);
terms are word unigrams (minus stop words) and all word bigrams. A query's informative terms are weighted
by IDF; a record scores by how much of the query's weight its name covers (q_cov) and how much of its
own name the query explains (d_cov), so the plain "đăng ký khai sinh" beats longer variants when nothing
else is said. Curated aliases rewrite what people say (sổ đỏ, hộ khẩu, passport ...) before matching.
Unknown query words are corrected to a vocabulary word at edit distance 1.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.vntext import fold

DATA_DIR = Path(__file__).with_name("data")
MIN_SCORE = 0.45      # below this a hit is not plausible: search returns []
AMBIGUITY_MARGIN = 0.06  # hits within this of the best are "close alternatives"
_LEVEL_BONUS = {"Cấp xã": 0.02, "Cấp tỉnh": 0.015}  # a citizen files at the commune/province
_AUX_WEIGHT = 0.35
_TOKEN_RE = re.compile(r"[a-z0-9]+")
# Level phrases in names: they tell the level, not the procedure, so they do not count against d_cov.
_LEVEL_PHRASE_RE = re.compile(
    r"\(?\s*(?:thực hiện\s*)?(?:tại|ở)?\s*cấp\s+(?:tỉnh|tinh|xã|huyện|trung ương|bộ)\s*\)?|\(\s*cấp\s+\w+\s*\)",
    re.I)
_LEVEL_WORDS = {"tinh", "xa", "trung", "uong", "huyen"}
# Verbs every name starts with; people say "làm" for all of them.
_GENERIC_WORDS = {"cap", "dang", "ky", "giai", "quyet", "thu", "tuc", "thanh", "lap"}
_GENERIC_WEIGHT = 0.3
# Words that turn a procedure into a different one (re-issue, change, cancel ...): a name carrying one the
# query does not say is a variant the citizen did not ask for, so they weigh more in the name mass.
_MODIFIER_WORDS = {"lai", "doi", "han", "xoa", "thu", "hoi", "cham", "dut", "dung", "mat", "dieu", "chinh",
                   "ngung", "huy", "bo", "sung", "luu", "dong", "ngoai", "trinh"}
_MODIFIER_WEIGHT = 3.0
_PAREN_WEIGHT = 0.3  # words inside (...) qualify the procedure, they do not name it
_OBSOLETE_LEVEL_PENALTY = 0.01  # "cấp huyện" variants: districts were abolished on 1 July 2025


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    score: float

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "score": round(self.score, 4)}


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(fold(text))


def _read_lines(name: str) -> list[str]:
    path = DATA_DIR / name
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lines.append(line)
    return lines


def load_stopwords() -> list[list[str]]:
    """Stop phrases (folded tokens), longest first."""
    phrases = [tokens(line) for line in _read_lines("stopwords.txt")]
    return sorted((p for p in phrases if p), key=lambda p: -len(p))


def drop_phrases(toks: list[str], phrases: list[list[str]]) -> list[str]:
    out = []
    i = 0
    while i < len(toks):
        for phrase in phrases:
            if toks[i:i + len(phrase)] == phrase:
                i += len(phrase)
                break
        else:
            out.append(toks[i])
            i += 1
    return out


def load_aliases() -> list[tuple[list[str], str, list[str]]]:
    """(folded alias tokens, rewrite text, codes) from aliases.tsv, longest alias first."""
    aliases = []
    for line in _read_lines("aliases.tsv"):
        cols = line.split("\t")
        alias, target = cols[0].strip(), (cols[1].strip() if len(cols) > 1 else "")
        codes = [c.strip() for c in (cols[2].split(",") if len(cols) > 2 else []) if c.strip()]
        aliases.append((tokens(alias), target, codes))
    aliases.sort(key=lambda a: -len(a[0]))
    return aliases


def _terms(toks: list[str]) -> set[str]:
    """Unigrams and adjacent bigrams of already stop-filtered tokens."""
    terms = set(toks)
    terms.update(f"{a}_{b}" for a, b in zip(toks, toks[1:]))
    return terms


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class SearchIndex:
    def __init__(self, records: list[dict]):
        self.stop_phrases = load_stopwords()
        self.stop = {p[0] for p in self.stop_phrases if len(p) == 1}
        self.aliases = load_aliases()
        self.codes = [r["code"] for r in records]
        self.names = [r["name"] for r in records]
        self.code_index = {c: i for i, c in enumerate(self.codes)}
        self.base_names: list[str] = []
        name_terms: list[set[str]] = []
        name_tokens: list[list[str]] = []
        paren_tokens: list[set[str]] = []
        aux_terms: list[set[str]] = []
        self.level_bonus = np.zeros(len(records))
        for i, r in enumerate(records):
            base = _LEVEL_PHRASE_RE.sub(" ", r["name"])
            base = re.sub(r"\bở trong nước\b", "(ở trong nước)", base)  # the default, not a qualifier asked for
            base = re.sub(r"^\s*thủ tục\s+", "", base, flags=re.I)
            base_toks = tokens(base)
            self.base_names.append(" ".join(base_toks))
            name_terms.append(_terms(drop_phrases(base_toks, self.stop_phrases)))
            name_tokens.append(base_toks)
            paren_tokens.append(set(tokens(" ".join(re.findall(r"\(([^)]*)\)", base)))))
            if re.search(r"cấp huyện", r["name"], re.I):
                self.level_bonus[i] -= _OBSOLETE_LEVEL_PENALTY
            aux = " ".join(filter(None, [r.get("keywords"), " ".join(r.get("results") or [])[:300], r.get("field")]))
            aux_terms.append(_terms(drop_phrases(tokens(aux), self.stop_phrases)) | _terms(tokens(r["name"])))
            self.level_bonus[i] += max((_LEVEL_BONUS.get(lv, 0.0) for lv in r.get("levels") or []), default=0.0)
        n = len(records)
        df: dict[str, int] = {}
        for terms in name_terms:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        for terms in aux_terms:
            for t in terms:
                df.setdefault(t, 1)
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
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
        self.post_aux = {t: np.array(v, dtype=np.int32) for t, v in post_aux.items()}
        # How much name weight each record has: every distinct name word (stop words too, so extra
        # qualifiers count against a variant), generic verbs at a lower weight, level words excluded.
        default_idf = math.log(1 + n)
        self.name_mass = np.array([self._mass(toks, paren, default_idf) or 1.0
                                   for toks, paren in zip(name_tokens, paren_tokens)])
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
    def _correct(self, word: str) -> str:
        """Nearest vocabulary word at edit distance 1 (insert/delete/substitute/transpose-ish)."""
        if word in self.vocab or word in self.stop or len(word) < 4 or word.isdigit():
            return word
        candidates = set(self.delete_map.get(word, []))          # a letter was left out
        for d in _deletes(word):
            if d in self.vocab:
                candidates.add(d)                                 # a letter too many
            candidates.update(self.delete_map.get(d, []))         # a wrong letter
        if not candidates:
            return word
        return max(candidates, key=lambda w: (len(self.post_name[w]), w))

    def rewrite(self, query: str) -> tuple[list[str], list[str], bool]:
        """Query tokens after aliases and typo correction, alias codes, and whether the query names a level."""
        toks = tokens(query)
        codes: list[str] = []
        out: list[str] = []
        i = 0
        while i < len(toks):
            for alias, target, alias_codes in self.aliases:
                if alias and toks[i:i + len(alias)] == alias:
                    out.extend(tokens(target))
                    codes.extend(alias_codes)
                    i += len(alias)
                    break
            else:
                out.append(self._correct(toks[i]))
                i += 1
        names_level = bool(re.search(r"\bcap (tinh|xa|huyen|trung uong|bo)\b|\btrung uong\b", " ".join(out)))
        return out, codes, names_level

    def search(self, query: str, limit: int = 5, min_score: float = MIN_SCORE) -> list[Hit]:
        toks, alias_codes, names_level = self.rewrite(query)
        terms = _terms(drop_phrases(toks, self.stop_phrases))
        weights = {t: self.idf[t] * (0.6 if "_" in t else 1.0) for t in terms if t in self.idf}
        # Unknown words still count in the query mass (so "thời tiết" does not match on one common word),
        # at a typical weight.
        unknown = [t for t in terms if t not in self.idf and "_" not in t]
        total = sum(weights.values()) + 3.0 * len(unknown)
        if total <= 0:
            return []
        n = len(self.codes)
        matched = np.zeros(n)
        uni_matched = np.zeros(n)
        evidence = np.zeros(n)  # distinct query unigrams found + 2 per bigram found in the name
        for t, w in weights.items():
            ids = self.post_name.get(t)
            if ids is not None:
                matched[ids] += w
                evidence[ids] += 2 if "_" in t else 1
                if "_" not in t and t not in _LEVEL_WORDS:
                    uni_matched[ids] += w * self._word_factor(t)
            ids = self.post_aux.get(t)
            if ids is not None:
                matched[ids] += w * _AUX_WEIGHT
        q_cov = np.minimum(matched / total, 1.0)
        d_cov = np.minimum(uni_matched / self.name_mass, 1.0)
        score = 0.7 * q_cov + 0.3 * d_cov
        if not names_level:
            score = score + self.level_bonus * (q_cov > 0)
        for code in alias_codes:
            i = self.code_index.get(code)
            if i is not None:
                score[i] = max(score[i], 0.0) + 0.25
        # One shared word is not a plausible match ("thời tiết" vs "chi tiết"): need two words or a phrase,
        # unless the whole query is that one word.
        content = len([t for t in terms if "_" not in t])
        score = np.where((evidence >= 2) | (evidence >= content), score, 0.0)
        top = np.argsort(-score, kind="stable")[: max(limit, 1) * 3]
        hits = [Hit(self.codes[i], self.names[i], float(score[i])) for i in top if score[i] >= min_score]
        return hits[:limit]

    def base_name(self, code: str) -> str:
        i = self.code_index.get(code)
        return self.base_names[i] if i is not None else ""


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
