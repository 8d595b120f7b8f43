"""Command line for the procedure catalog.

python -m bot.catalog import [--raw DIR] [--supplements DIR] [--out FILE]
                                      rebuild data/catalog.jsonl.gz from every source, print the quality report
python -m bot.catalog add PATH… [--replace] [--dry-run] [--ministry NAME]
                                      add a province's procedures (any supported format) to the local additions
python -m bot.catalog report [--catalog FILE | --with-local]   quality report per source and ministry (markdown)
python -m bot.catalog search "câu hỏi" [--limit 3] [--json]  best matches (no query: one query per stdin line)
python -m bot.catalog show CODE                              print a record with Vietnamese labels
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

LABELS_FILE = Path(__file__).with_name("data") / "labels.yml"


def _cmd_import(args: argparse.Namespace) -> int:
    from bot.catalog.importer import run

    print(run(args.raw, args.out, args.supplements))
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    from bot.catalog.add import run

    code, text = run(
        args.paths, replace=args.replace, dry_run=args.dry_run, ministry=args.ministry, local_file=args.local
    )
    print(text, file=sys.stderr if code else sys.stdout)
    return code


def _cmd_report(args: argparse.Namespace) -> int:
    from bot.catalog import DEFAULT_PATH, load_catalog
    from bot.catalog.quality import report_markdown

    catalog = load_catalog() if args.with_local else load_catalog(args.catalog or DEFAULT_PATH)
    print(report_markdown(list(catalog)), end="")
    return 0


def _print_hits(hits, as_json: bool) -> None:
    if as_json:
        print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False), flush=True)
    else:
        for h in hits:
            print(f"{h.score:.3f}  {h.code}  {h.name}")
        print(flush=True)


def _cmd_search(args: argparse.Namespace) -> int:
    from bot.catalog import load_catalog

    cat = load_catalog(args.catalog)
    if args.query:
        _print_hits(cat.search(" ".join(args.query), limit=args.limit), args.json)
        return 0
    for line in sys.stdin:
        if line.strip():
            _print_hits(cat.search(line.strip(), limit=args.limit), args.json)
        elif args.json:
            print("[]", flush=True)
    return 0


def format_record(record: dict, labels: dict) -> str:
    out = []
    for key in (
        "code",
        "name",
        "ministry",
        "field",
        "levels",
        "kind",
        "agency",
        "deciding_agency",
        "receiving_address",
        "applicants",
        "conditions",
        "url",
        "decision",
        "source",
        "overlaps",
    ):
        value = record.get(key)
        if isinstance(value, list):
            value = ", ".join(value)
        if value:
            out.append(f"{labels[key]}: {value}")
    online = record.get("online") or {}
    out.append(f"{labels['online']}: {labels['online_levels'].get(online.get('level'), '')} ({online.get('rule', '')})")
    if record.get("channels"):
        out.append(f"\n{labels['channels']}:")
        for ch in record["channels"]:
            parts = [labels["channel_names"].get(ch["channel"], ch["channel"])]
            if ch.get("time"):
                parts.append(f"{labels['time']}: {ch['time']['text']}")
            if ch.get("fee"):
                parts.append(f"{labels['fee']}: {ch['fee']['text']}")
            out.append("  - " + "; ".join(parts))
    if record.get("documents"):
        out.append(f"\n{labels['documents']}:")
        for case in record["documents"]:
            if case.get("case"):
                out.append(f"  {case['case']}")
            for item in case["items"]:
                line = f"    - {item['name']}"
                if item.get("template"):
                    line += f" [{labels['template']}: {item['template']}]"
                if item.get("quantity_text"):
                    line += f" ({item['quantity_text']})"
                out.append(line)
    for key in ("steps", "results"):
        if record.get(key):
            out.append(f"\n{labels[key]}:")
            out.extend(f"  {i}. {s}" for i, s in enumerate(record[key], 1))
    if record.get("legal_basis"):
        out.append(f"\n{labels['legal_basis']}:")
        from bot.catalog.legal import line

        out.extend(f"  - {line(lb, None)}" for lb in record["legal_basis"])
    for field, text in (record.get("raw") or {}).items():
        out.append(f"\n{labels['raw']} ({field}):\n{text}")
    return "\n".join(out)


def _cmd_show(args: argparse.Namespace) -> int:
    from bot.catalog import load_catalog

    labels = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    record = load_catalog(args.catalog).get(args.code)
    if record is None:
        print(f"{labels['not_found']} {args.code}", file=sys.stderr)
        return 1
    print(format_record(record, labels))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.catalog", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("import", help="rebuild the catalog from the raw records")
    p.add_argument("--raw", type=Path, default=None, help="raw directory (default $CATALOG_RAW_DIR or ../shared/...)")
    p.add_argument(
        "--supplements",
        type=Path,
        default=None,
        help="supplements directory (default $CATALOG_SUPPLEMENTS_DIR or the raw directory's sibling)",
    )
    p.add_argument("--out", type=Path, default=None, help="output file (default bot/catalog/data/catalog.jsonl.gz)")
    p.set_defaults(func=_cmd_import)
    p = sub.add_parser("add", help="add procedures (files or folders, any supported format) to the local additions")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--replace", action="store_true", help="replace procedures whose code already exists")
    p.add_argument("--dry-run", action="store_true", help="check and show what would be added, write nothing")
    p.add_argument("--ministry", default=None, help="publisher shown for records that do not say (e.g. UBND tỉnh …)")
    p.add_argument(
        "--local",
        type=Path,
        default=None,
        help="local additions file (default $CATALOG_LOCAL_PATH or $VAR_DIR/catalog/local.jsonl)",
    )
    p.set_defaults(func=_cmd_add)
    p = sub.add_parser("report", help="quality report per source and per ministry (shipped catalog by default)")
    p.add_argument("--catalog", type=Path, default=None)
    p.add_argument("--with-local", action="store_true", help="the shipped catalog plus the local additions")
    p.set_defaults(func=_cmd_report)
    p = sub.add_parser("search", help="search procedures")
    p.add_argument("query", nargs="*")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument("--catalog", type=Path, default=None)
    p.set_defaults(func=_cmd_search)
    p = sub.add_parser("show", help="print one procedure")
    p.add_argument("code")
    p.add_argument("--catalog", type=Path, default=None)
    p.set_defaults(func=_cmd_show)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
