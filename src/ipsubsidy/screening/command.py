"""``ipsubsidy screen``: a client table (+ related tables) → results, summary, errors and one report per client.

    ipsubsidy screen CLIENTS [--patents FILE] [--related NAME=FILE ...] [--map FILE] --out DIR
                     [--as-of YYYY-MM-DD] [--lang zh|en] [--format xlsx|csv|parquet|jsonl] [--no-pdf] [--png]

An .xlsx file may name a sheet: ``clients.xlsx#专利``. Every row read is counted: screened, or in errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from ipsubsidy.errors import IpSubsidyError

__all__ = ["add_screen_parser", "run_screen"]


class ScreenArgumentError(IpSubsidyError):
    """A ``screen`` argument that cannot be used."""


def add_screen_parser(sub: Any, date_type: Any) -> None:
    sc = sub.add_parser("screen", help="screen a client table (xlsx/csv/jsonl/parquet) and write reports")
    sc.add_argument("clients", help="the client table; FILE.xlsx#SHEET names a sheet")
    sc.add_argument("--patents", help="a patent table (CNIPA / 企查查 export style), joined on 统一社会信用代码")
    sc.add_argument("--related", action="append", default=[], metavar="NAME=FILE",
                    help="another table of a profile list field, e.g. madrid_registrations=madrid.csv (repeatable)")
    sc.add_argument("--map", dest="header_map", help="YAML/JSON mapping of your column headers to field names")
    sc.add_argument("--out", required=True, help="output folder")
    sc.add_argument("--as-of", type=date_type, default=None, help="evaluation date YYYY-MM-DD (default: today)")
    sc.add_argument("--lang", choices=["zh", "en"], default="zh")
    sc.add_argument("--format", choices=["xlsx", "csv", "parquet", "jsonl"], default="xlsx",
                    help="format of the results and errors tables (default xlsx)")
    sc.add_argument("--no-pdf", action="store_true", help="write HTML reports only")
    sc.add_argument("--no-reports", action="store_true", help="write the tables only")
    sc.add_argument("--png", action="store_true",
                    help="also write a PNG preview of each PDF report (one file per page, 96 dpi)")


def _table(spec: str) -> Any:
    from ipsubsidy.intake import read_table

    path, _, sheet = spec.partition("#")
    return read_table(path, sheet or None)


def _slug(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text)[:60]


def run_screen(args: argparse.Namespace) -> int:
    from ipsubsidy.evaluate import Evaluator
    from ipsubsidy.intake import build_profiles, load_header_map
    from ipsubsidy.screening.report import (
        NoCjkFontError,
        find_cjk_font,
        report_context,
        write_html,
        write_pdf,
        write_png,
    )
    from ipsubsidy.screening.run import screen
    from ipsubsidy.screening.tables import error_rows, result_rows, summary_rows, write_table

    if args.png and (args.no_pdf or args.no_reports):
        raise ScreenArgumentError("--png previews the PDF reports: it cannot be combined with "
                                  f"{'--no-pdf' if args.no_pdf else '--no-reports'}")
    related = {}
    if args.patents:
        related["patents"] = _table(args.patents)
    for spec in args.related:
        name, eq, path = spec.partition("=")
        if not eq or not name.isidentifier():
            raise ScreenArgumentError(f"--related {spec!r}: expected NAME=FILE, e.g. madrid_registrations=m.csv")
        related[name] = _table(path)
    header_map = load_header_map(args.header_map) if args.header_map else None
    intake = build_profiles(_table(args.clients), related, header_map)
    as_of = args.as_of or dt.date.today()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from ipsubsidy.policy.loader import load_policies

    packages = getattr(args, "policies", None) or []
    with Evaluator(load_policies(packages=packages) if packages else None) as evaluator:
        result = screen(intake, as_of, evaluator)
        deadlines = {item.id: str(item.claim_until or "—") for item in evaluator.policies.items}
    ext = args.format
    write_table(result_rows(result, args.lang), out / f"results.{ext}")
    write_table(summary_rows(result, args.lang), out / "summary.xlsx", sheet="summary")
    write_table(error_rows(result), out / f"errors.{ext}", sheet="errors")
    reports = previews = 0
    if not args.no_reports:
        font = None
        if not args.no_pdf:
            try:
                font = find_cjk_font()
            except NoCjkFontError as exc:
                print(f"ipsubsidy: {exc}; writing HTML only", file=sys.stderr)
        folder = out / "reports"
        folder.mkdir(exist_ok=True)
        for c in result.clients:
            ctx = report_context(c, str(as_of), args.lang, deadlines)
            stem = folder / f"{c.client.row:05d}-{_slug(ctx['name'])}"
            write_html(ctx, stem.with_suffix(".html"))
            if font is not None:
                write_pdf(ctx, stem.with_suffix(".pdf"), font)
                if args.png:
                    previews += len(write_png(stem.with_suffix(".pdf")))
            reports += 1
    read = sum(result.rows_read.values())
    errors = sum(1 for e in result.errors if e.severity == "error")
    warnings = len(result.errors) - errors
    rejected = sum(1 for e in result.errors if e.column == "(row)")
    print(f"read {read} rows ({', '.join(f'{Path(k).name}: {v}' for k, v in result.rows_read.items())}); "
          f"screened {len(result.clients)} clients, {rejected} client rows rejected; "
          f"{errors} bad cells, {warnings} warnings (errors.{ext}); {reports} reports"
          f"{f', {previews} PNG pages' if args.png else ''}; written to {out}")
    return 0
