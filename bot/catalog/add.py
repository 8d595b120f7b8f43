"""`python -m bot.catalog add PATH… [--replace] [--dry-run] [--ministry NAME]`: add a province's procedures.

PATH: files or folders (every *.json below a folder); each file holds one procedure or a list of procedures in any
format bot.catalog.sources knows. Everything is checked first (JSON, format, code, name, codes already in the
shipped catalog or the local additions, codes twice in the input); if anything is wrong each error is printed
with its file and nothing is written. Otherwise the records are written to the local additions file
(bot/catalog/local.py) in one atomic replace. --dry-run prints what would be added and writes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.catalog import DEFAULT_PATH, read_records, sources
from bot.catalog.local import local_path, read_local, write_local

LABELS_FILE = Path(__file__).with_name("data") / "labels.yml"
_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")


@dataclass
class Problem:
    file: Path
    kind: str  # key of labels.yml add.errors
    values: dict = field(default_factory=dict)


@dataclass
class Plan:
    records: list[tuple[Path, dict]]  # (file, cleaned record) to write
    replaced: set[str]
    problems: list[Problem]
    files: int


def _files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                problems.append(Problem(path, "no_files"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(path, "not_found"))
    return files, problems


def _objects(path: Path) -> tuple[list, Problem | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], Problem(path, "bad_json", {"detail": str(exc)})
    return (data if isinstance(data, list) else [data]), None


def plan(
    paths: list[Path],
    replace: bool = False,
    ministry: str | None = None,
    shipped_path: Path = DEFAULT_PATH,
    local_file: Path | None = None,
) -> Plan:
    """Read and check everything; nothing is written here."""
    files, problems = _files(paths)
    shipped = {r["code"] for r in read_records(shipped_path)}
    local = {r["code"] for r in read_local(local_file or local_path())}
    seen: dict[str, Path] = {}
    records: list[tuple[Path, dict]] = []
    for path in files:
        objects, problem = _objects(path)
        if problem:
            problems.append(problem)
            continue
        for obj in objects:
            fmt = sources.detect(obj)
            if fmt is None:
                problems.append(Problem(path, "unknown_format"))
                continue
            code, name = sources.code_and_name(obj, fmt)
            if not code:
                problems.append(Problem(path, "missing_code"))
                continue
            if not _CODE_RE.match(code):
                problems.append(Problem(path, "bad_code", {"code": code}))
                continue
            if not name:
                problems.append(Problem(path, "missing_name", {"code": code}))
                continue
            if code in seen:
                problems.append(Problem(path, "duplicate", {"code": code, "other": str(seen[code])}))
                continue
            seen[code] = path
            if not replace and (code in shipped or code in local):
                where = "local" if code in local else "shipped"
                problems.append(Problem(path, "exists", {"code": code, "where": where}))
                continue
            try:
                record, _ = sources.parse(obj, fmt, ministry)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                problems.append(Problem(path, "unreadable", {"code": code, "detail": repr(exc)}))
                continue
            record["source"] = f"local:{fmt}"
            record["ministry"] = record["ministry"] or ministry
            records.append((path, record))
    replaced = {r["code"] for _, r in records} & (shipped | local)
    return Plan(records, replaced, problems, len(files))


def apply(p: Plan, local_file: Path | None = None) -> Path:
    """Write the planned records into the local additions (replacing same codes), atomically."""
    target = local_file or local_path()
    new = {r["code"]: r for _, r in p.records}
    kept = [r for r in read_local(target) if r["code"] not in new]
    return write_local(kept + list(new.values()), target)


def _labels() -> dict:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))["add"]


def report(p: Plan, dry_run: bool, written: Path | None = None) -> str:
    t = _labels()
    lines = []
    if p.problems:
        for pr in p.problems:
            values = dict(pr.values)
            if "where" in values:
                values["where"] = t["where"][values["where"]]
            lines.append(t["error_line"].format(file=pr.file, message=t["errors"][pr.kind].format(**values)))
        lines.append(t["nothing_written"].format(n=len(p.problems)))
        return "\n".join(lines)
    for _, r in sorted(p.records, key=lambda x: x[1]["code"]):
        action = t["actions"]["replace" if r["code"] in p.replaced else "add"]
        lines.append(
            t["record_line"].format(
                action=action,
                code=r["code"],
                name=r["name"],
                ministry=r["ministry"] or t["no_ministry"],
                source=r["source"],
            )
        )
    lines.append(t["summary"].format(added=len(p.records) - len(p.replaced), replaced=len(p.replaced), files=p.files))
    lines.append(t["dry_run"] if dry_run else t["written"].format(path=written))
    return "\n".join(lines)


def run(
    paths: list[Path],
    replace: bool = False,
    dry_run: bool = False,
    ministry: str | None = None,
    local_file: Path | None = None,
    shipped_path: Path = DEFAULT_PATH,
) -> tuple[int, str]:
    """Exit code (0 ok, 1 errors: nothing written) and the text to print."""
    p = plan(paths, replace, ministry, shipped_path, local_file)
    if p.problems:
        return 1, report(p, dry_run)
    written = None if dry_run else apply(p, local_file)
    return 0, report(p, dry_run, written)
