"""Writing a reviewer's decisions back into the data files, so the next training (and the catalog search at the
next action-server start) answers the questions that were not answered.

- attach a procedure + topic → an alias line in bot/catalog/data/aliases.tsv (the everyday phrase → the
  procedure's name, boosted to its code), and the questions as training examples of `ask_<topic>` in
  nlu_data/nlu/reviewed.yml;
- out of scope → the questions as training examples of `out_of_scope` in the same file.
reviewed.yml belongs to this tool (rewritten whole, sorted); an example already in any NLU file is not added
twice (Rasa refuses the same example under two intents).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

import yaml

from bot.settings import REPO_ROOT
from bot.understanding.topics import TOPICS
from bot.vntext import fold

ALIASES = REPO_ROOT / "bot" / "catalog" / "data" / "aliases.tsv"
NLU_DIR = REPO_ROOT / "nlu_data" / "nlu"
REVIEWED = "reviewed.yml"
ALIAS_SECTION = "# ---------------------------------------------------------------- reviewed (python -m bot.review)"
HEADER = (
    "# Written by `python -m bot.review` from questions the assistant did not answer; reviewed by a person.\n"
    "# Edit with the tool (or by hand, keeping the format).\n"
)


def intent_for(topic: Optional[str]) -> str:
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}")
    return f"ask_{topic}"


def existing_aliases(path: Path = ALIASES) -> set[str]:
    return {
        fold(line.split("\t")[0])
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }


def add_alias(alias: str, procedure_name: str, procedure_code: str, path: Path = ALIASES) -> bool:
    """Append `alias → name (code)` under the reviewed section; False when the alias is already there."""
    alias = " ".join(alias.split())
    if not alias or "\t" in alias or fold(alias) in existing_aliases(path):
        return False
    text = path.read_text(encoding="utf-8")
    if ALIAS_SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + ALIAS_SECTION + "\n"
    text += f"{alias}\t{' '.join(procedure_name.split())}\t{procedure_code}\n"
    path.write_text(text, encoding="utf-8")
    return True


def _examples_in(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        if "intent" in block:
            lines = [line[2:].strip() for line in (block.get("examples") or "").splitlines() if line.startswith("- ")]
            found.setdefault(block["intent"], []).extend(lines)
    return found


def add_examples(intent: str, texts: Iterable[str], nlu_dir: Path = NLU_DIR) -> list[str]:
    """Add the texts as examples of `intent` to reviewed.yml; returns those added."""
    known = {t for path in nlu_dir.glob("*.yml") for ts in _examples_in(path).values() for t in ts}
    target = nlu_dir / REVIEWED
    current = _examples_in(target) if target.exists() else {}
    added = []
    for text in texts:
        text = " ".join(text.split())
        if text and text not in known and not text.startswith(("/", "[", "-", "#")) and ":" not in text[:1]:
            current.setdefault(intent, []).append(text)
            known.add(text)
            added.append(text)
    lines = [HEADER + 'version: "3.1"', "nlu:"]
    for name in sorted(current):
        lines += [f"- intent: {name}", "  examples: |"]
        lines += [f"    - {example}" for example in current[name]]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added
