"""Every rendering of every scenario case and of a few hundred drawn profiles, as JSON lines, for a before/after diff.

    python tools/snapshot_results.py OUT.jsonl [--profiles N] [--drawn FILE]

For each scenario case (tests/scenarios, tests/packages/*/tests) and each profile drawn from
tests/strategies.py (fixed seed, derandomised; the drawn profiles are kept in ``--drawn`` so a later run
uses exactly the same ones), on every available backend: ``model_dump_json()``, ``summary('zh')``,
``summary('en')``, ``summary('zh', short=True)``, the table in zh and en, the questions, the result with
``explain=False`` and with ``trace=True``, and whether it is equal after a pickle round trip. A refactoring
that must not change results reproduces the file byte for byte (``cmp before.jsonl after.jsonl``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ipsubsidy import Evaluator, PolicySet, load_policies, shipped_policies  # noqa: E402
from ipsubsidy.engine import durable  # noqa: E402
from ipsubsidy.render import result_table  # noqa: E402


def _cases() -> list[tuple[str, str, dt.date, dict[str, Any]]]:
    """(policy set key, case name, as_of, profile) for every scenario case."""
    out = []
    for path in sorted((ROOT / "tests" / "scenarios").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            out.append(("shipped", f"{path.stem}: {case['name']}", case["as_of"], case["profile"]))
    for package in sorted((ROOT / "tests" / "packages").iterdir()):
        for path in sorted((package / "tests").glob("*.yaml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
                out.append((str(package), f"{package.name}/{path.stem}: {case['name']}", case["as_of"],
                            case["profile"]))
    return out


def _drawn(n: int, keep: Path) -> list[tuple[dict[str, Any], dt.date]]:
    if keep.exists():
        drawn: list[tuple[dict[str, Any], dt.date]] = pickle.loads(keep.read_bytes())
        return drawn
    from hypothesis import HealthCheck, given, seed, settings
    from tests.strategies import as_of_dates, profile_data

    out: list[tuple[dict[str, Any], dt.date]] = []

    @seed(20261204)
    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(profile_data(), as_of_dates())
    def collect(data: dict[str, Any], as_of: dt.date) -> None:
        out.append((data, as_of))

    collect()
    keep.write_bytes(pickle.dumps(out))
    return out


def _lines(evaluator: Evaluator, profile: Any, as_of: Any) -> dict[str, Any]:
    result = evaluator.evaluate(profile, as_of)
    return {"json": result.model_dump_json(),
            "brief": evaluator.evaluate(profile, as_of, explain=False).model_dump_json(),
            "traced": evaluator.evaluate(profile, as_of, trace=True).model_dump_json(),
            "pickled_equal": pickle.loads(pickle.dumps(result)) == result,
            "summary_zh": result.summary("zh"), "summary_en": result.summary("en"),
            "short_zh": result.summary("zh", short=True), "table_zh": result_table(result, "zh"),
            "table_en": result_table(result, "en"),
            "questions": [q.model_dump(mode="json") for q in result.questions]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--drawn", type=Path, default=None, help="pickle of the drawn profiles (made if absent)")
    args = parser.parse_args(argv)
    drawn = _drawn(args.profiles, args.drawn or args.out.with_suffix(".profiles.pickle"))
    backends = ["python", *(["durable-rules"] if durable.available() else [])]
    sets: dict[str, PolicySet] = {"shipped": shipped_policies()}
    with args.out.open("w", encoding="utf-8") as out:
        for backend in backends:
            evaluators: dict[str, Evaluator] = {}

            def evaluator(key: str, backend: str = backend, evaluators: dict[str, Evaluator] = evaluators) -> Evaluator:
                if key not in evaluators:
                    if key not in sets:
                        sets[key] = load_policies(packages=[key])
                    evaluators[key] = Evaluator(sets[key], backend)  # type: ignore[arg-type]
                return evaluators[key]

            for key, name, as_of, profile in _cases():
                try:
                    row: dict[str, Any] = _lines(evaluator(key), profile, as_of)
                except Exception as exc:  # a scenario of bad input: its error is part of the snapshot
                    row = {"error": f"{type(exc).__name__}: {exc}"}
                out.write(json.dumps({"backend": backend, "case": name, **row}, ensure_ascii=False) + "\n")
            for n, (data, as_of) in enumerate(drawn):
                try:
                    row = _lines(evaluator("shipped"), data, as_of)
                except Exception as exc:
                    row = {"error": f"{type(exc).__name__}: {exc}"}
                out.write(json.dumps({"backend": backend, "case": f"drawn {n}", **row}, ensure_ascii=False) + "\n")
            for e in evaluators.values():
                e.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
