"""The columnar backend on a generated registry: wall time and peak RSS, sameness on a sample, Spark, ratios.

    python benchmarks/bench_columnar.py [--n 1000000] [--as-of 2022-06-30] [--sample 200]
                                        [--spark-n 10000] [--side-n 2000]

1. ``make_registry.py`` writes N companies (3 patents and a fiscal year each) to Parquet in a temporary folder.
2. ``ipsubsidy registry`` semantics in a child process: every item of every shipped policy, full statuses,
   quantities, subtotals and missing facts, streamed to Parquet, plus per-company totals; wall time and the
   child's peak RSS.
3. Sameness: ``--sample`` random companies drilled (profile rebuilt from the tables, ``evaluate()``), each of
   their rows compared with the columnar row (status, quantity, subtotal, missing as a set).
4. Spark local[2] on a registry of ``--spark-n`` companies (skipped when pyspark or Java is missing).
5. Side by side on ``--side-n`` Jinzhong companies and the Jinzhong items only: evaluate() (python backend),
   the columnar backend and zen-engine's batch API (``zen_jdm.py``: the same trees as one JDM expression node,
   two-valued, no missing facts, so it does less), as ratios of companies per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_registry import make  # noqa: E402


def _child_screen(folder: Path, as_of: str, out: Path) -> tuple[float, float]:
    code = ("import datetime as dt, time, sys\n"
            "from ipsubsidy.columnar import screen_parquet\n"
            "t = time.perf_counter()\n"
            f"screen_parquet({str(folder)!r}, dt.date.fromisoformat({as_of!r}), {str(out / 'results.parquet')!r},"
            f" {str(out / 'totals.parquet')!r})\n"
            "print(time.perf_counter() - t)\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  (child CPU {usage.ru_utime + usage.ru_stime:.1f} s user+sys; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    return float(done.stdout.strip().splitlines()[-1]), max(usage.ru_maxrss, before) / 1024


def _sameness(folder: Path, out: Path, as_of: dt.date, sample: int) -> tuple[int, int]:
    import duckdb

    from ipsubsidy.columnar import Registry

    registry = Registry(folder)
    keys = [k for (k,) in registry.con.sql("SELECT key FROM companies").fetchall()]
    rows = 0
    mismatches = 0
    for key in random.Random(1).sample(keys, min(sample, len(keys))):
        result = registry.drill(key, as_of)
        got = {r[0]: r[1:] for r in duckdb.execute(
            f"SELECT item, status, quantity, subtotal, missing FROM read_parquet('{out / 'results.parquet'}') "
            "WHERE key = ?", [key]).fetchall()}
        for item in result.all_items():
            rows += 1
            status, quantity, subtotal, missing = got.pop(item.id, (None, None, None, ""))
            want = (item.status.value, item.amount.quantity,
                    None if item.amount.subtotal is None else Decimal(item.amount.subtotal), sorted(set(item.missing)))
            if (status, quantity, subtotal, sorted(missing.split(",")) if missing else []) != want:
                mismatches += 1
        mismatches += len(got)
    registry.close()
    return rows, mismatches


def _spark(n: int, as_of: dt.date, work: Path) -> str:
    if shutil.which("java") is None:
        return "skipped (no Java)"
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return "skipped (no pyspark)"
    from ipsubsidy.columnar.spark import screen_spark

    folder = work / f"spark-{n}"
    make(folder, n, 2)
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
    start = time.perf_counter()
    screen_spark(spark, str(folder), as_of, str(work / "spark-results"), str(work / "spark-totals"))
    seconds = time.perf_counter() - start
    spark.stop()
    return f"{n:,} companies in {seconds:.1f} s ({n / seconds:,.0f}/s), session start excluded"


def _zen_rate(profiles: list[Any], items: list[Any]) -> tuple[float, float]:
    """zen-engine's batch API on the same profiles: (companies/s deciding, companies/s turning profiles to JSON)."""
    import json

    import zen
    from zen_jdm import context, jdm

    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"jinzhong": json.loads(jdm(items))}}})
    start = time.perf_counter()
    requests = [{"key": "jinzhong", "context": context(p)} for p in profiles]
    to_json = len(profiles) / (time.perf_counter() - start)
    start = time.perf_counter()
    answers = engine.evaluate_batch(requests)
    rate = len(profiles) / (time.perf_counter() - start)
    assert all(a.get("success") for a in answers), next(a for a in answers if not a.get("success"))
    return rate, to_json


def _side_by_side(n: int, as_of: dt.date, work: Path) -> str:
    from ipsubsidy.columnar import Registry
    from ipsubsidy.evaluate import Evaluator
    from ipsubsidy.policy.loader import shipped_policies
    from ipsubsidy.policy.model import PolicySet

    folder = work / f"side-{n}"
    make(folder, n * 2, 3)
    jinzhong = PolicySet([d for d in shipped_policies().documents if d.city == "jinzhong"])
    registry = Registry(folder, jinzhong)
    registry.con.execute(f"CREATE TABLE jz AS SELECT * FROM companies WHERE city = 'jinzhong' LIMIT {n}")
    registry.con.execute("CREATE OR REPLACE VIEW companies AS SELECT * FROM jz")  # the Jinzhong companies only
    keys = [k for (k,) in registry.con.sql("SELECT key FROM companies").fetchall()]
    profiles = [registry.company(k) for k in keys]
    evaluator = Evaluator(jinzhong, backend="python")
    start = time.perf_counter()
    for profile in profiles:
        evaluator.evaluate(profile, as_of)
    python_rate = len(profiles) / (time.perf_counter() - start)
    registry.results(as_of)  # DuckDB's first run pays for the planning; the second is the measured one
    start = time.perf_counter()
    registry.results(as_of)
    columnar_rate = len(keys) / (time.perf_counter() - start)
    registry.close()
    try:
        zen_rate, to_json = _zen_rate(profiles, list(jinzhong.items))
        zen = (f"zen-engine evaluate_batch {zen_rate:,.0f}/s (profiles to JSON: {to_json:,.0f}/s, not counted); "
               f"ratios to evaluate(): columnar {columnar_rate / python_rate:,.1f}x, "
               f"zen {zen_rate / python_rate:,.1f}x")
    except ImportError:
        zen = f"zen-engine: not installed; columnar {columnar_rate / python_rate:,.1f}x evaluate()"
    return (f"{len(keys):,} companies, {len(jinzhong.items)} items: evaluate() {python_rate:,.0f}/s; "
            f"columnar {columnar_rate:,.0f}/s (in memory); {zen}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--as-of", default="2022-06-30")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--spark-n", type=int, default=0, help="0: skip Spark")
    parser.add_argument("--side-n", type=int, default=2000, help="0: skip the side-by-side")
    parser.add_argument("--keep", type=Path, help="write the registry and results here instead of a temp folder")
    parser.add_argument("--registry", type=Path, help="screen this registry folder (from make_registry.py) instead")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        folder = args.registry or work / "registry"
        if args.registry is None:
            made = make(folder, args.n, 1)
            print(f"registry: {args.n:,} companies, {3 * args.n:,} patents, written in {made['seconds']:.1f} s")
        seconds, peak = _child_screen(folder, args.as_of, work)
        print(f"duckdb: all items, statuses, missing facts, streamed to Parquet: {seconds:.1f} s "
              f"({args.n / seconds:,.0f} companies/s), peak RSS {peak:,.0f} MiB")
        if args.sample:
            rows, bad = _sameness(folder, work, as_of, args.sample)
            print(f"sameness: {args.sample} companies drilled, {rows} item rows, {bad} mismatches")
        if args.spark_n:
            print(f"spark local[2]: {_spark(args.spark_n, as_of, work)}")
        if args.side_n:
            print(f"jinzhong only: {_side_by_side(args.side_n, as_of, work)}")


if __name__ == "__main__":
    main()
