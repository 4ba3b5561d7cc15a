"""Throughput, latency and memory of one evaluation against every loaded policy, per backend.

    python benchmarks/bench_evaluate.py [--n 100000] [--backend python|durable-rules] [--as-of 2022-06-30]

For each backend (python; durable-rules where it imports): one Evaluator over ``load_policies()``, a
warm-up, then ``--n`` evaluations cycling through a mix of profiles (``examples/*.yaml`` and a profile
that matches nothing). Every evaluation is timed alone (perf_counter_ns); throughput is evaluations over
the wall time of the whole loop. Profiles are parsed once beforehand (parsing is timed separately).
Memory is the process's resident set (VmRSS) before and after the loop. "decide only" is the mean time of
the backend's decisions for every item, without statuses, amounts or explanations. Prints a Markdown table.

With the default n = 100 000 a backend takes n ÷ (evaluations/s) seconds, about 20-60 s each on the
2-core machine of docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import resource
import statistics
import sys
import time
from array import array
from pathlib import Path
from typing import Any

import yaml

from ipsubsidy import Company, Evaluator, load_policies, parse_profile
from ipsubsidy.engine import durable
from ipsubsidy.engine.backend import make_backend
from ipsubsidy.policy.model import PolicySet

ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 1_000

# An individual in 晋中 who is not a recruited IP professional and holds nothing: every Jinzhong item
# is either for another entity type or not_eligible; other cities' items do not apply.
NO_MATCH: dict[str, Any] = {
    "name": "张某",
    "city": "晋中",
    "entity_type": "individual",
    "ip_professional": False,
    "patents": [],
    "madrid_registrations": [],
    "geographical_indications": [],
}


def rss_kib() -> int:
    """Resident set size now, in KiB (VmRSS; ru_maxrss, the peak, where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def load_profiles() -> list[tuple[str, Company]]:
    profiles = [(p.stem, parse_profile(yaml.safe_load(p.read_text(encoding="utf-8")), p.name))
                for p in sorted((ROOT / "examples").glob("*.yaml"))]
    profiles.append(("no-match", parse_profile(NO_MATCH)))
    return profiles


def parse_cost_us(repeat: int = 2_000) -> float:
    """Mean microseconds to validate one example profile from plain data (pydantic)."""
    data = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    data.append(NO_MATCH)
    start = time.perf_counter_ns()
    for i in range(repeat):
        parse_profile(data[i % len(data)])
    return (time.perf_counter_ns() - start) / repeat / 1_000


def run(backend: str, policies: PolicySet, profiles: list[tuple[str, Company]], n: int,
        as_of: dt.date) -> dict[str, Any]:
    evaluator = Evaluator(policies, backend)  # type: ignore[arg-type]
    companies = [c for _, c in profiles]
    k = len(companies)
    for i in range(WARM_UP):
        evaluator.evaluate(companies[i % k], as_of)
    latencies = array("q", bytes(8 * n))  # allocated before the first RSS reading
    gc.collect()
    before = rss_kib()
    clock = time.perf_counter_ns
    start = clock()
    for i in range(n):
        t0 = clock()
        evaluator.evaluate(companies[i % k], as_of)
        latencies[i] = clock() - t0
    wall = (clock() - start) / 1e9
    gc.collect()
    after = rss_kib()
    evaluator.close()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"backend": evaluator.backend, "n": n, "wall": wall, "rate": n / wall,
            "p50": cuts[49] / 1_000, "p99": cuts[98] / 1_000, "before": before, "after": after,
            "decide": decide_cost_us(backend, policies, companies)}


def decide_cost_us(backend: str, policies: PolicySet, companies: list[Company], repeat: int = 5_000) -> float:
    """Mean microseconds of the backend's decisions alone (every item, no statuses or explanations)."""
    engine = make_backend(policies, backend)  # type: ignore[arg-type]
    items = list(policies.items)
    start = time.perf_counter_ns()
    for i in range(repeat):
        engine.decide(companies[i % len(companies)], items)
    engine.close()
    return (time.perf_counter_ns() - start) / repeat / 1_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Throughput, latency and memory of ipsubsidy evaluations.")
    parser.add_argument("--n", type=int, default=100_000, help="evaluations per backend (default 100000)")
    parser.add_argument("--backend", choices=["python", "durable-rules"], action="append",
                        help="only this backend (repeatable; default: every available one)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2022, 6, 30))
    args = parser.parse_args(argv)
    backends = args.backend or ["python", *(["durable-rules"] if durable.available() else [])]

    policies = load_policies()
    profiles = load_profiles()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
          f"durable-rules {'imports' if durable.available() else 'does not import'}")
    print(f"policies: {len(policies.documents)} documents ({', '.join(d.id for d in policies.documents)}), "
          f"{len(policies.items)} items, fingerprint {policies.fingerprint}")
    print(f"profiles: {', '.join(name for name, _ in profiles)}; as of {args.as_of}; "
          f"profile parsing (not in the figures below): {parse_cost_us():.0f} µs each")
    print()
    print("| backend | evaluations | wall s | evaluations/s | p50 µs | p99 µs | RSS before MiB | RSS after MiB "
          "| decide only, mean µs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in backends:
        r = run(name, policies, profiles, args.n, args.as_of)
        print(f"| {r['backend']} | {r['n']:,} | {r['wall']:.1f} | {r['rate']:,.0f} | {r['p50']:.0f} | "
              f"{r['p99']:.0f} | {r['before'] / 1024:.1f} | {r['after'] / 1024:.1f} | {r['decide']:.0f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
