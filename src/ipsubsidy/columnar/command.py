"""``ipsubsidy registry FOLDER --out results.parquet``: a Parquet registry screened by the columnar backend."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from ipsubsidy.errors import BackendUnavailableError, IpSubsidyError

__all__ = ["add_command", "run"]


class RegistryError(IpSubsidyError):
    """A registry folder that cannot be screened."""


def add_command(sub: Any, date: Any) -> None:
    """Register ``registry`` on the CLI's subparsers (``date`` parses YYYY-MM-DD)."""
    reg: argparse.ArgumentParser = sub.add_parser(
        "registry", help="screen a registry of companies in Parquet (pip install 'ipsubsidy[columnar]')")
    reg.add_argument("folder", help="a folder with companies.parquet and one file per list (patents.parquet, ...)")
    reg.add_argument("--out", required=True, help="results: one row per company and applicable item (Parquet)")
    reg.add_argument("--totals", help="per-company totals of eligible claimable amounts (Parquet)")
    reg.add_argument("--as-of", type=date, default=None, help="evaluation date YYYY-MM-DD (default: today)")
    reg.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: every core)")


def run(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not (folder / "companies.parquet").is_file():
        raise RegistryError(f"registry folder {folder}: expected companies.parquet in it")
    try:
        from ipsubsidy.columnar.duck import screen_parquet
    except ImportError as exc:
        raise BackendUnavailableError(f"registry needs the columnar extra ({exc.name} is missing): "
                                      "pip install 'ipsubsidy[columnar]'") from None
    start = time.perf_counter()
    try:
        screen_parquet(folder, args.as_of or dt.date.today(), args.out, args.totals, threads=args.threads)
    except Exception as exc:
        if type(exc).__module__.startswith(("duckdb", "_duckdb")):
            raise RegistryError(f"registry folder {folder}: {str(exc).splitlines()[0]}") from None
        raise
    print(f"screened {folder} in {time.perf_counter() - start:.1f} s; results in {args.out}", file=sys.stderr)
    return 0
