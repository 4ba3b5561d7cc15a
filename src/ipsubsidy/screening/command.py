"""``ipsubsidy screen``: a client table (+ related tables) → results, summary, errors and one report per client.

    ipsubsidy screen CLIENTS [--patents FILE] [--related NAME=FILE ...] [--map FILE] --out DIR
                     [--as-of YYYY-MM-DD] [--lang zh|en] [--format xlsx|csv|parquet|jsonl] [--no-pdf] [--png]
    ipsubsidy screen REGISTRY_DIR --out DIR [--engine auto|python|columnar] [--columnar-above N] [--drill KEY ...]

An .xlsx file may name a sheet: ``clients.xlsx#专利``. Every row read is counted: screened, or in errors.
A folder holding ``companies.parquet`` is a registry in the columnar layout: from ``--columnar-above`` companies
on (default 10,000) it is screened by the columnar backend (see ``screening.registry``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from pathlib import Path
from typing import Any

from ipsubsidy.errors import IpSubsidyError

__all__ = ["add_screen_parser", "run_screen"]


class ScreenArgumentError(IpSubsidyError):
    """A ``screen`` argument that cannot be used."""


COLUMNAR_ABOVE = 10_000
"""From this many companies a registry is screened by the columnar backend. Below it a report per company is
still worth writing (about 0.6 s each, so ~1.5 hours at 10,000) and evaluate() (450–1,400 companies a second
here) takes seconds; above it the columnar backend (30,000–130,000 a second after ~1 s of planning) writes the
tables and reports are written for the companies named with --drill."""


def add_screen_parser(sub: Any, date_type: Any) -> None:
    sc = sub.add_parser("screen", help="screen a client table (xlsx/csv/jsonl/parquet) and write reports")
    sc.add_argument("clients", help="the client table (FILE.xlsx#SHEET names a sheet), or a registry folder "
                                    "(companies.parquet and one Parquet file per list)")
    sc.add_argument("--patents", help="a patent table (CNIPA / 企查查 export style), joined on 统一社会信用代码")
    sc.add_argument("--related", action="append", default=[], metavar="NAME=FILE",
                    help="another table of a profile list field, e.g. madrid_registrations=madrid.csv (repeatable)")
    sc.add_argument("--map", dest="header_map", help="YAML/JSON mapping of your column headers to field names")
    sc.add_argument("--out", required=True, help="output folder")
    sc.add_argument("--as-of", type=date_type, default=None, help="evaluation date YYYY-MM-DD (default: today)")
    sc.add_argument("--lang", choices=["zh", "en"], default="zh")
    sc.add_argument("--format", choices=["xlsx", "csv", "parquet", "jsonl"], default=None,
                    help="format of the results and errors tables (default xlsx; parquet on the columnar engine)")
    sc.add_argument("--no-pdf", action="store_true", help="write HTML reports only")
    sc.add_argument("--no-reports", action="store_true", help="write the tables only")
    sc.add_argument("--png", action="store_true",
                    help="also write a PNG preview of each PDF report (one file per page, 96 dpi)")
    sc.add_argument("--engine", choices=["auto", "python", "columnar"], default="auto",
                    help="for a registry folder: evaluate() per company, or the columnar backend (default: auto, "
                         "columnar from --columnar-above companies on)")
    sc.add_argument("--columnar-above", type=int, default=COLUMNAR_ABOVE, metavar="N",
                    help=f"registry size from which auto uses the columnar backend (default {COLUMNAR_ABOVE:,})")
    sc.add_argument("--drill", action="append", default=[], metavar="KEY",
                    help="on the columnar engine, write the report of this company (key or credit code; repeatable)")


def _table(spec: str) -> Any:
    from ipsubsidy.intake import read_table

    path, _, sheet = spec.partition("#")
    return read_table(path, sheet or None)


def _slug(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text)[:60]


def _reports(clients: list[Any], out: Path, args: argparse.Namespace, as_of: dt.date,
             deadlines: dict[str, str]) -> tuple[int, int]:
    """HTML (and PDF, and PNG pages) reports of these client results; (reports, PNG pages) written."""
    from ipsubsidy.screening.report import (
        NoCjkFontError,
        find_cjk_font,
        report_context,
        write_html,
        write_pdf,
        write_png,
    )

    font = None
    if not args.no_pdf:
        try:
            font = find_cjk_font()
        except NoCjkFontError as exc:
            print(f"ipsubsidy: {exc}; writing HTML only", file=sys.stderr)
    folder = out / "reports"
    folder.mkdir(exist_ok=True)
    reports = previews = 0
    for c in clients:
        ctx = report_context(c, str(as_of), args.lang, deadlines)
        stem = folder / f"{c.client.row:05d}-{_slug(ctx['name'])}"
        write_html(ctx, stem.with_suffix(".html"))
        if font is not None:
            write_pdf(ctx, stem.with_suffix(".pdf"), font)
            if args.png:
                previews += len(write_png(stem.with_suffix(".pdf")))
        reports += 1
    return reports, previews


def _policies(args: argparse.Namespace) -> Any:
    from ipsubsidy.policy.loader import load_policies, shipped_policies

    packages = getattr(args, "policies", None) or []
    return load_policies(packages=packages) if packages else shipped_policies()


def _registry(args: argparse.Namespace, folder: Path, out: Path, as_of: dt.date) -> int | None:
    """A registry folder screened by the columnar backend; None when it goes to evaluate() (below the size)."""
    try:
        from ipsubsidy.columnar.duck import Registry
    except ImportError as exc:
        raise ScreenArgumentError(f"a registry folder needs the columnar extra ({exc.name} is missing): "
                                  "pip install 'ipsubsidy[columnar]'") from None
    from ipsubsidy.screening.registry import COLUMNAR_FORMATS, registry_intake, write_columnar

    registry = Registry(folder, _policies(args))
    try:
        size = registry.con.sql("SELECT count(*) FROM companies").fetchall()[0][0]
        if args.engine == "python" or (args.engine == "auto" and size < args.columnar_above):
            args.intake = registry_intake(registry)
            return None
        fmt = args.format or "parquet"
        if fmt not in COLUMNAR_FORMATS:
            raise ScreenArgumentError(f"--format {fmt}: the columnar engine writes {', '.join(COLUMNAR_FORMATS)} "
                                      "(a registry's results outgrow a worksheet's 1,048,576 rows)")
        start = time.perf_counter()
        counts = write_columnar(registry, as_of, out, fmt, args.lang)
        seconds = time.perf_counter() - start
        drilled = [_drilled(registry, key, as_of) for key in args.drill]
        reports, previews = (0, 0) if args.no_reports else _reports(drilled, out, args, as_of, _deadlines(registry))
    finally:
        registry.close()
    print(f"read {counts['clients']} rows ({folder.name}/companies.parquet); screened {counts['clients']} clients "
          f"by the columnar engine in {seconds:.1f} s, {counts['rows']} result rows; {counts['errors']} bad cells "
          f"(errors.{fmt}); {reports} reports (--drill KEY for more){f', {previews} PNG pages' if args.png else ''}"
          f"; written to {out}")
    return 0


def _deadlines(registry: Any) -> dict[str, str]:
    return {item.id: str(item.claim_until or "—") for item in registry.policies.items}


def _drilled(registry: Any, key: str, as_of: dt.date) -> Any:
    from ipsubsidy.intake.build import Client
    from ipsubsidy.screening.registry import client_row
    from ipsubsidy.screening.run import ClientResult

    found = registry.con.execute("SELECT key FROM companies WHERE key = ? OR credit_code = ? LIMIT 1",
                                 [key, key]).fetchall()
    if not found:
        raise ScreenArgumentError(f"--drill {key!r}: no company with this key or credit code in the registry")
    company_key = found[0][0]
    client = Client(row=client_row(registry, company_key), key=company_key, profile=registry.company(company_key))
    return ClientResult(client, registry.drill(company_key, as_of))


def run_screen(args: argparse.Namespace) -> int:
    from ipsubsidy.evaluate import Evaluator
    from ipsubsidy.intake import build_profiles, load_header_map
    from ipsubsidy.screening.run import screen
    from ipsubsidy.screening.tables import error_rows, result_rows, summary_rows, write_table

    if args.png and (args.no_pdf or args.no_reports):
        raise ScreenArgumentError("--png previews the PDF reports: it cannot be combined with "
                                  f"{'--no-pdf' if args.no_pdf else '--no-reports'}")
    as_of = args.as_of or dt.date.today()
    out = Path(args.out)
    source = Path(args.clients)
    args.intake = None
    if source.is_dir():
        if not (source / "companies.parquet").is_file():
            raise ScreenArgumentError(f"{source}: a folder is a registry and needs companies.parquet in it")
        if args.patents or args.related or args.header_map:
            raise ScreenArgumentError("a registry folder holds its lists itself: --patents, --related and --map "
                                      "are for client tables")
        out.mkdir(parents=True, exist_ok=True)
        done = _registry(args, source, out, as_of)
        if done is not None:
            return done
    elif args.engine == "columnar" or args.drill:
        raise ScreenArgumentError("--engine columnar and --drill take a registry folder (companies.parquet and "
                                  "one Parquet file per list); a client table is screened by evaluate()")
    intake = args.intake
    if intake is None:
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
    out.mkdir(parents=True, exist_ok=True)
    policies = _policies(args)
    with Evaluator(policies) as evaluator:
        result = screen(intake, as_of, evaluator)
        deadlines = {item.id: str(item.claim_until or "—") for item in evaluator.policies.items}
    ext = args.format or "xlsx"
    write_table(result_rows(result, args.lang), out / f"results.{ext}")
    write_table(summary_rows(result, args.lang), out / "summary.xlsx", sheet="summary")
    write_table(error_rows(result), out / f"errors.{ext}", sheet="errors")
    reports, previews = (0, 0) if args.no_reports else _reports(result.clients, out, args, as_of, deadlines)
    read = sum(result.rows_read.values())
    errors = sum(1 for e in result.errors if e.severity == "error")
    warnings = len(result.errors) - errors
    rejected = sum(1 for e in result.errors if e.column == "(row)")
    print(f"read {read} rows ({', '.join(f'{Path(k).name}: {v}' for k, v in result.rows_read.items())}); "
          f"screened {len(result.clients)} clients, {rejected} client rows rejected; "
          f"{errors} bad cells, {warnings} warnings (errors.{ext}); {reports} reports"
          f"{f', {previews} PNG pages' if args.png else ''}; written to {out}")
    return 0
