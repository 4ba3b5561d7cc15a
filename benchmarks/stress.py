"""Memory under load: N evaluations (default 1,000,000) mixing profiles, RSS sampled every 100,000.

    python benchmarks/stress.py [--n 1000000] [--every 100000] [--backend durable-rules|python]
                                [--policies PATH ...]

The mix cycles through full, partial and empty profiles, other cities and claimant types — a third of them
match no rule at all (the case that crashed durable-rules sessions when no action ran). Profiles are
parsed once; the loop measures the evaluator. Prints one table row per sample; exits 1 when RSS grows more
than --max-growth-mib (default 16) between the first sample and the last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from typing import Any

from ipsubsidy import Company, Evaluator, load_policies, parse_profile, shipped_policies

AS_OF = dt.date(2022, 6, 30)


def mix() -> list[Company]:
    """Twelve kinds of profile, several variants each."""
    raw: list[dict[str, Any]] = []
    for i in range(8):
        raw += [
            {},                                                            # matches nothing but asks
            {"city": "厦门", "entity_type": "individual"},
            {"city": "合肥", "entity_type": "enterprise", "patents": []},
            {"city": "晋中", "entity_type": "individual", "patents": []},    # no rule fires for it
            {"city": "晋中", "entity_type": "enterprise", "size": "small"},
            {"city": "晋中", "entity_type": "enterprise", "patents": [
                {"number": f"US1122334{i}B2", "kind": "invention", "grant_date": "2021-09-01"},
                {"number": "ZL202010566088.9", "grant_date": "2021-03-01"}]},
            {"city": "晋中", "entity_type": "enterprise", "finances": [
                {"year": 2021, "sales_revenue": str(1_000_000 + i), "rd_expense": "40000",
                 "main_business_revenue": "1000", "commercialised_revenue": "300"}]},
            {"city": "晋中", "entity_type": "enterprise", "madrid_registrations": [
                {"filing_date": "2021-01-01", "designated_countries": ["US", "DE"]}] * 1 + [
                {"filing_date": "2021-02-01", "designated_countries": ["JP", "KR"]}]},
            {"city": "晋中", "entity_type": "school", "listings": [
                {"kind": "ip_education_demonstration_school", "level": "national", "date": "2021-01-01"}]},
            {"city": "晋中", "entity_type": "enterprise", "brand_plan_selections": [
                {"plan": "fengming", "date": "2021-06-01"}], "geographical_indications": [
                {"name": f"示例{i}", "approval_date": "2021-05-01"}]},
            {"city": "哈尔滨", "entity_type": "enterprise"},
            {"city": "厦门", "entity_type": "university", "patents": [{"number": "ZL201811564288.X"}]},
        ]
    return [parse_profile(p) for p in raw]


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=100_000)
    parser.add_argument("--backend", choices=["durable-rules", "python", "auto"], default="durable-rules")
    parser.add_argument("--policies", nargs="*", help="policy files or folders (default: the shipped ones)")
    parser.add_argument("--max-growth-mib", type=float, default=16.0)
    args = parser.parse_args(argv)
    policies = load_policies(args.policies) if args.policies else shipped_policies()
    evaluator = Evaluator(policies, args.backend)
    profiles = mix()
    matched_nothing = sum(1 for p in profiles if not any(
        i.status.value in ("eligible", "expired", "not_yet_in_force") for i in evaluator.evaluate(p, AS_OF).items))
    print(f"backend {evaluator.backend}, {len(policies)} items, {len(profiles)} profiles "
          f"({matched_nothing} with nothing claimable), Python {sys.version.split()[0]}")
    print(f"{'evaluations':>12} {'RSS MiB':>9} {'Δ MiB':>7} {'seconds':>8} {'evals/s':>8}")
    gc.collect()
    first = rss_kib()
    start = time.perf_counter()
    print(f"{0:>12,} {first / 1024:>9.1f} {0:>7.1f} {0:>8.1f} {'':>8}", flush=True)
    done = 0
    last = first
    while done < args.n:
        chunk = min(args.every, args.n - done)
        for k in range(chunk):
            evaluator.evaluate(profiles[(done + k) % len(profiles)], AS_OF)
        done += chunk
        gc.collect()
        last = rss_kib()
        elapsed = time.perf_counter() - start
        print(f"{done:>12,} {last / 1024:>9.1f} {(last - first) / 1024:>7.1f} {elapsed:>8.1f} "
              f"{done / elapsed:>8,.0f}", flush=True)
    evaluator.close()
    growth = (last - first) / 1024
    print(f"RSS growth over {done:,} evaluations: {growth:.1f} MiB")
    return 0 if growth <= args.max_growth_mib else 1


if __name__ == "__main__":
    raise SystemExit(main())
