"""Instructions per call, counted by callgrind: a figure the machine's other load does not move.

    python benchmarks/count_instructions.py [CALL ...] [--backend python|durable-rules] [--n 650]
    PYTHONPATH=<another checkout>/src python benchmarks/count_instructions.py ...   # the same calls on other code

Each CALL runs on the Jinzhong benchmark profiles of bench_side_by_side.py (policies/jinzhong-2020.yaml, as of
2022-06-30) under ``valgrind --tool=callgrind`` twice, after the same warm-up: once with ``--n`` calls and once
with none; the difference over ``--n`` is the instructions one call costs (start-up, imports and policy
loading cancel out). ``PYTHONHASHSEED=0`` keeps dict layouts the same between runs. The two runs go in
parallel. Needs valgrind (Debian's ``valgrind``); about a minute per call.

CALLs: parse, decide (the backend's decisions of the applicable items, with their trace), evaluate-company,
evaluate-data, json-data (``evaluate(...).model_dump_json()``), outcome-company, outcome-data (where the code
has ``Evaluator.outcome``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
CALLS = ["parse", "decide", "evaluate-company", "evaluate-data", "json-data", "outcome-company", "outcome-data"]


def _calls(backend: str) -> dict[str, tuple[Callable[[Any], Any], list[Any]]]:
    sys.path.insert(0, str(ROOT))
    from bench_side_by_side import POLICY, profiles

    from ipsubsidy import Evaluator, load_policies, parse_profile

    as_of = dt.date(2022, 6, 30)
    data = profiles()
    companies = [parse_profile(d) for d in data]
    policies = load_policies([POLICY])
    evaluator = Evaluator(policies, backend)  # type: ignore[arg-type]
    engine = evaluator._state[1]
    applies = importlib.import_module("ipsubsidy.evaluate")._applies
    items = {id(c): [i for i in policies.items_in(c.city) if applies(i, c) is not False] for c in companies}
    calls: dict[str, tuple[Callable[[Any], Any], list[Any]]] = {
        "parse": (parse_profile, data),
        "decide": (lambda c: engine.decide(c, items[id(c)]), companies),
        "evaluate-company": (lambda c: evaluator.evaluate(c, as_of), companies),
        "evaluate-data": (lambda d: evaluator.evaluate(d, as_of), data),
        "json-data": (lambda d: evaluator.evaluate(d, as_of).model_dump_json(), data),
    }
    if hasattr(evaluator, "outcome"):
        calls["outcome-company"] = (lambda c: evaluator.outcome(c, as_of), companies)
        calls["outcome-data"] = (lambda d: evaluator.outcome(d, as_of), data)
    return calls


def _run(call: str, backend: str, n: int) -> None:
    """The measured process: warm up, then ``n`` calls."""
    fn, inputs = _calls(backend)[call]
    for value in inputs * 3:
        fn(value)
    for i in range(n):
        fn(inputs[i % len(inputs)])


def _count(call: str, backend: str, n: int) -> int | None:
    """Instructions per call, or None where the code has no such call."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for calls in (0, n):
            command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out.{calls}", sys.executable,
                       __file__, "--run", call, "--backend", backend, "--n", str(calls)]
            runs[calls] = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                           text=True)
        totals = {}
        for calls, process in runs.items():
            _, err = process.communicate()
            found = re.search(r"Collected : (\d+)", err)
            if process.returncode or not found:
                return None
            totals[calls] = int(found.group(1))
    return (totals[n] - totals[0]) // n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls", nargs="*", metavar="CALL", help=f"one or more of {', '.join(CALLS)} (default: all)")
    parser.add_argument("--backend", default="python", choices=["python", "durable-rules"])
    parser.add_argument("--n", type=int, default=650)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        _run(args.run, args.backend, args.n)
        return 0
    unknown = [call for call in args.calls if call not in CALLS]
    if unknown:
        parser.error(f"unknown call {unknown[0]!r}; one of {', '.join(CALLS)}")
    import ipsubsidy

    print(f"{ipsubsidy.__file__}, backend {args.backend}, {args.n} calls, instructions per call:\n")
    print("| call | instructions |\n|---|---:|")
    for call in args.calls or CALLS:
        count = _count(call, args.backend, args.n)
        print(f"| {call} | {'—' if count is None else f'{count:,}'} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
