"""The ``ipsubsidy`` command.

    ipsubsidy evaluate PROFILE.(json|yaml) [--as-of YYYY-MM-DD] [--format table|json] [--lang zh|en]
    ipsubsidy policies [--format table|json]
    ipsubsidy policies check [PATH ...]
    ipsubsidy test PACKAGE|SCENARIO.yaml ...       run a package's scenario files, like `openfisca test`
    ipsubsidy schema
    ipsubsidy screen CLIENTS [--patents FILE] --out DIR     (tables in, results + a report per client out)

``--policies DIR`` (repeatable) adds a policy package — a folder with ``policies/`` (and ``tests/``), or an
installed package advertising the ``ipsubsidy.policies`` entry point — to the shipped documents.
    ipsubsidy serve [--host 127.0.0.1] [--port 8000]     (needs: pip install 'ipsubsidy[service]')

Only the library's own errors (and unreadable input) are caught: one line naming the problem, exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ipsubsidy.errors import IpSubsidyError, PolicyError, ProfileError
from ipsubsidy.jsonio import JsonInputError, load_json
from ipsubsidy.render import policies_json, policies_table, result_table
from ipsubsidy.textfile import TextFileError, read_text_file
from ipsubsidy.yamlio import DuplicateKeyError, load_yaml

__all__ = ["main"]

EXIT_BAD_INPUT = 2


def _read_profile(path: str) -> Any:
    name = "<stdin>" if path == "-" else path
    if Path(path).suffix.lower() in {".xlsx", ".xls", ".csv", ".parquet", ".jsonl"}:
        raise ProfileError([("(file)", "is a table, not a profile: screen tables with "
                             f"`ipsubsidy screen {path} --out DIR`")], path)
    try:
        text = read_text_file(path)
    except TextFileError as exc:
        raise ProfileError([("(file)", str(exc))], name) from None
    if name.endswith(".json"):
        try:
            return load_json(text)  # money stays exact; duplicate keys refused as in YAML
        except JsonInputError as exc:
            raise ProfileError([(exc.field or "(file)", str(exc))], name) from None
    try:
        return load_yaml(text, exact_numbers=True)
    except DuplicateKeyError as exc:
        raise ProfileError([(str(exc.key), f"is given twice (again on line {exc.line}); give each field once")],
                           name) from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split()) if str(exc) else type(exc).__name__
        raise ProfileError([("(file)", f"not valid YAML: {detail[:300]}")], name) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, got {text[:20]!r}")
    return int(text)


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"expected 1 to 64 worker processes, got {text[:20]!r}")
    return int(text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits 2 already; keep its one line, no usage dump
        self.exit(EXIT_BAD_INPUT, f"ipsubsidy: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ipsubsidy", description="IP incentive policies of Chinese cities, as rules.")
    parser.add_argument("--version", action="version", version=f"ipsubsidy {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ev = sub.add_parser("evaluate", help="which awards a profile can claim")
    ev.add_argument("profile", help="a profile file, .json or .yaml (- for standard input, YAML or JSON)")
    ev.add_argument("--as-of", type=_date, default=None, help="evaluation date YYYY-MM-DD (default: today)")
    ev.add_argument("--format", choices=["table", "json"], default="table")
    ev.add_argument("--lang", choices=["zh", "en"], default="zh")
    ev.add_argument("--backend", choices=["auto", "python", "durable-rules"], default="auto")
    _packages(ev)
    pol = sub.add_parser("policies", help="list documents and items, or check policy files")
    pol.add_argument("action", nargs="?", choices=["check", "new"],
                     help="check: check policy files (default: shipped); new: draft a policy file from a source text")
    pol.add_argument("paths", nargs="*", help="policy files, folders or packages to check; for new, the source text")
    pol.add_argument("--city", help="new: the city id of the document (e.g. jinzhong)")
    pol.add_argument("--issued", type=_date, help="new: the date the document was issued, YYYY-MM-DD")
    pol.add_argument("--id", dest="doc_id", help="new: the document id (default CITY-YEAR)")
    pol.add_argument("--out", help="new: write the draft here (and copy the source into sources/ beside it)")
    pol.add_argument("--body-start", help="new: the text the document's body begins with (default: the first line)")
    pol.add_argument("--body-end", help="new: the text the document's body ends with (default: the last line)")
    pol.add_argument("--format", choices=["table", "json"], default="table")
    pol.add_argument("--lang", choices=["zh", "en"], default="zh")
    _packages(pol)
    tst = sub.add_parser("test", help="run scenario files of policy packages (like `openfisca test`)")
    tst.add_argument("paths", nargs="+", help="package folders (their tests/*.yaml) or scenario files")
    tst.add_argument("--backend", choices=["python", "durable-rules", "all"], default="all",
                     help="backends to run every case on (default: every one that imports here)")
    _packages(tst)
    sub.add_parser("schema", help="print the profile's JSON Schema")
    from ipsubsidy.screening.command import add_screen_parser

    add_screen_parser(sub, _date)
    _packages(sub.choices["screen"])
    srv = sub.add_parser("serve", help="run the HTTP service (pip install 'ipsubsidy[service]')")
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    srv.add_argument("--port", type=_port, default=8000, help="TCP port 1-65535 (default: 8000)")
    srv.add_argument("--backend", choices=["auto", "python", "durable-rules"], default="auto")
    srv.add_argument("--workers", type=_workers, default=1, help="worker processes (default: 1)")
    _packages(srv)
    from ipsubsidy.columnar import command as registry

    registry.add_command(sub, _date)
    srv.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                     help="allow browser calls from this origin (repeatable; * for any)")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ipsubsidy")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


def _packages(command: argparse.ArgumentParser) -> None:
    command.add_argument("--policies", action="append", default=[], metavar="DIR",
                         help="a policy package to load beside the shipped documents (repeatable)")


def _test(args: argparse.Namespace) -> int:
    from ipsubsidy.engine import durable
    from ipsubsidy.policy.loader import load_policies, package_dir
    from ipsubsidy.scenarios import run_scenarios

    # an installed package named by its entry point is tested from its folder; a package folder named as a
    # path to test is loaded too: its scenarios test its own documents
    args.paths = [p if Path(p).exists() else str(package_dir(p).parent) for p in args.paths]
    packages = [*args.policies, *(p for p in args.paths if Path(p, "policies").is_dir())]
    policies = load_policies(packages=list(dict.fromkeys(packages)))
    backends = ["python", "durable-rules"] if args.backend == "all" else [args.backend]
    if args.backend == "all" and not durable.available():
        backends = ["python"]
    report = run_scenarios(args.paths, policies, backends)
    print(report.text())
    return 0 if report.ok else 1


def _new(args: argparse.Namespace) -> int:
    import shutil

    from ipsubsidy.policy.draft import draft_policy, dump

    if len(args.paths) != 1 or not args.city or not args.issued:
        raise PolicyError("policies new takes one SOURCE.txt and --city and --issued", file="(arguments)")
    source = Path(args.paths[0])
    try:
        text = dump(draft_policy(source, args.city, args.issued, args.doc_id, args.body_start, args.body_end))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PolicyError(f"cannot draft from it: {exc}", file=str(source)) from None
    if not args.out:
        print(text, end="")
        return 0
    from ipsubsidy.policy.loader import shipped_policies

    drafted = yaml.safe_load(text)["document"]["id"]
    if drafted in {doc.id for doc in shipped_policies().documents}:
        print(f"ipsubsidy: note: {drafted!r} is the id of a document already loaded; give yours its own with --id "
              "before adding the package beside it", file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    sources = out.parent / "sources"
    sources.mkdir(exist_ok=True)
    if not (sources / source.name).exists():
        shutil.copyfile(source, sources / source.name)
    print(f"wrote {out}; the source is in {sources / source.name}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from ipsubsidy.evaluate import evaluate
    from ipsubsidy.policy.loader import load_policies, shipped_policies
    from ipsubsidy.profile import Company, parse_profile

    if args.command == "serve":
        try:
            from ipsubsidy.service import run
        except ImportError as exc:
            print(f"ipsubsidy: serve needs the service extra ({exc.name} is missing): "
                  "pip install 'ipsubsidy[service]'", file=sys.stderr)
            return EXIT_BAD_INPUT
        if args.policies:
            load_policies(packages=args.policies)  # a bad package is one line and exit 2, before serving
        run(args.host, args.port, args.backend, args.workers, args.policies, tuple(args.cors_origin))
        return 0
    if args.command == "schema":
        print(json.dumps(Company.model_json_schema(), ensure_ascii=False, indent=2))
        return 0
    if args.command == "test":
        return _test(args)
    if args.command == "screen":
        from ipsubsidy.screening.command import run_screen

        return run_screen(args)
    if args.command == "registry":
        from ipsubsidy.columnar import command as registry

        return registry.run(args)
    if args.command == "policies":
        if args.action == "new":
            return _new(args)
        if args.action == "check":
            from ipsubsidy.policy.check import check_policies

            report = check_policies(args.paths or None, packages=args.policies)
            print(report.text())
            return 0 if report.ok else 1
        if not args.paths and not args.policies:
            policies = shipped_policies()
        else:
            policies = load_policies(args.paths or None, packages=args.policies)
        out = policies_json(policies) if args.format == "json" else policies_table(policies, args.lang)
        print(out)
        return 0
    profile = parse_profile(_read_profile(args.profile), args.profile)
    backend = None if args.backend == "auto" else args.backend
    extra = load_policies(packages=args.policies) if args.policies else None
    result = evaluate(profile, args.as_of, backend=backend, policies=extra)
    if args.format == "json":
        print(result.model_dump_json(indent=2))
    else:
        print(result_table(result, args.lang))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except IpSubsidyError as exc:
        print(f"ipsubsidy: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `ipsubsidy policies | head`
        return 0
    except OSError as exc:  # a full or closed output device (> /dev/full), a port already taken ...
        _quiet_stdout()
        print(f"ipsubsidy: {exc.strerror or exc}{f' ({exc.filename})' if exc.filename else ''}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _quiet_stdout() -> None:
    """Drop what could not be written, so that the interpreter's final flush does not fail a second time."""
    with contextlib.suppress(OSError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


if __name__ == "__main__":
    raise SystemExit(main())
