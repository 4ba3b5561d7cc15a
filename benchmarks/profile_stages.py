"""Where an evaluation's time goes: µs per evaluation, by stage, on the profiles of bench_evaluate.py.

    python benchmarks/profile_stages.py [--n 5000] [--backend python|durable-rules]

Two tables. The first times whole calls without a profiler (CPU time, best of 3 rounds): validating plain
data, the backend's decisions, ``evaluate`` from a Company, from plain data, and a full rendering
(``model_dump_json`` + ``summary``).
"Stages" runs the same evaluations under cProfile and reports, for the ipsubsidy functions that make up
each stage, the cumulative µs per evaluation (cProfile slows every call, so these add up to more than the
wall figures; read them as shares). A function absent from the code (renamed by a refactoring) shows "—".
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench_evaluate import NO_MATCH  # noqa: E402

from ipsubsidy import Evaluator, load_policies, parse_profile  # noqa: E402
from ipsubsidy.engine import durable  # noqa: E402

AS_OF = dt.date(2022, 6, 30)

#: stage → (module suffix, function name) whose cumulative time is the stage
STAGES: dict[str, list[tuple[str, str]]] = {
    "profile validation": [("profile/parsing.py", "parse_profile")],
    "deciding (backend)": [("engine/python.py", "decide"), ("engine/durable.py", "decide"),
                           ("engine/python.py", "run")],
    "assessing (assess: status, count, amount)": [("assess.py", "assess")],
    "item assembly (item_result)": [("evaluate.py", "_item_result"), ("assemble.py", "item_result")],
    "re-tracing conditions": [("engine/python.py", "trace_condition")],
    "reason text (leaf_reason)": [("explain.py", "leaf_reason")],
    "shortfalls": [("shortfall.py", "shortfall"), ("shortfall.py", "count_shortfall")],
    "unit explanations": [("evaluate.py", "_unit_explanations"), ("assemble.py", "_unit_explanations")],
    "amounts (pay)": [("amounts.py", "pay")],
    "questions (ask)": [("questions.py", "ask")],
    "stacking": [("evaluate.py", "_stacked")],
}


def _data() -> list[dict[str, Any]]:
    out = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT.parent / "examples").glob("*.yaml"))]
    return [*out, NO_MATCH]


def _per_call(fn: Any, args: list[Any], n: int, rounds: int = 3) -> float:
    """Mean CPU µs per call (process time: other load on the machine counts less), best of ``rounds``."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time_ns()
        for i in range(n):
            fn(args[i % len(args)])
        best = min(best, (time.process_time_ns() - start) / n / 1_000)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5_000)
    parser.add_argument("--backend", choices=["python", "durable-rules"], action="append")
    args = parser.parse_args(argv)
    backends = args.backend or ["python", *(["durable-rules"] if durable.available() else [])]
    policies = load_policies()
    data = _data()
    companies = [parse_profile(d) for d in data]
    for backend in backends:
        ev = Evaluator(policies, backend)  # type: ignore[arg-type]
        engine = ev._state[1]
        items = {c.city: list(policies.items_in(c.city)) for c in companies}
        for c in companies * 50:
            ev.evaluate(c, AS_OF)
        wall = {
            "profile validation (parse_profile)": _per_call(parse_profile, data, args.n),
            "deciding (backend.decide, the city's items)": _per_call(
                lambda c, b=engine, i=items: b.decide(c, i[c.city]), companies, args.n),
            "evaluate(Company)": _per_call(lambda c, e=ev: e.evaluate(c, AS_OF), companies, args.n),
            "evaluate(plain data)": _per_call(lambda d, e=ev: e.evaluate(d, AS_OF), data, args.n),
            "evaluate(Company) + model_dump_json + summary": _per_call(
                lambda c, e=ev: (r := e.evaluate(c, AS_OF)).model_dump_json() + r.summary("zh"), companies, args.n),
        }
        print(f"\n## {backend}: wall µs per call (n = {args.n})\n")
        print("| call | µs |\n|---|---:|")
        for name, us in wall.items():
            print(f"| {name} | {us:.0f} |")
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(args.n):
            ev.evaluate(data[i % len(data)], AS_OF)
        profiler.disable()
        stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        total = sum(v[3] for k, v in stats.items() if k[2] == "_evaluate") / args.n * 1e6
        print(f"\n## {backend}: cProfile cumulative µs per evaluation from plain data (whole: {total:.0f})\n")
        print("| stage | µs (profiled) |\n|---|---:|")
        for stage, funcs in STAGES.items():
            # per file the outermost matching function only (durable-rules' decide calls its ruleset's decide)
            per_file: dict[str, float] = {}
            for (file, _, name), v in stats.items():
                if any(file.endswith(suffix) and name == fn for suffix, fn in funcs):
                    per_file[f"{file}:{name}"] = max(per_file.get(f"{file}:{name}", 0.0), v[3])
            shown = f"{sum(per_file.values()) / args.n * 1e6:.0f}" if per_file else "—"
            print(f"| {stage} | {shown} |")
        ev.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
