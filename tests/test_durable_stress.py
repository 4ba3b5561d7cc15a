"""A small stress test of the durable-rules backend: one Evaluator shared by 4 threads, 500 evaluations each,
mixed profiles (including ones that match no rule), compared with the Python backend's sequential answers.
Then a second batch: peak RSS must not grow by more than a generous bound (the numbers are printed; there is no
timing assertion)."""

from __future__ import annotations

import datetime as dt
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import ipsubsidy
from ipsubsidy import Evaluator
from ipsubsidy.engine import durable

pytestmark = [
    pytest.mark.durable,
    pytest.mark.slow,
    pytest.mark.skipif(not durable.available(), reason="durable-rules cannot be imported on this Python"),
]

THREADS = 4
PER_THREAD = 500
RSS_BOUND_MB = 64  # peak RSS growth allowed over the second batch; a leak of a ruleset per call would exceed it

PROFILES: list[dict[str, Any]] = [
    {},  # matches nothing: every fact unknown
    {"city": "厦门", "entity_type": "enterprise", "patents": []},  # another city: no Jinzhong rule applies
    {"city": "晋中", "entity_type": "enterprise",
     "patents": [{"number": "ZL201811564288.X", "grant_date": "2021-03-02"},
                 {"number": "ZL201510958772.0", "grant_date": "2021-06-15"},
                 {"number": "ZL202010566088.9", "grant_date": "2021-11-30"},
                 {"number": "US11000000B2", "kind": "invention", "grant_date": "2021-08-10"}]},
    {"city": "晋中", "entity_type": "enterprise",
     "finances": [{"year": 2020, "sales_revenue": "24691340.60", "rd_expense": "1234567.03",
                   "main_business_revenue": "100", "commercialised_revenue": "30"},
                  {"year": 2021, "sales_revenue": "0", "rd_expense": "1",
                   "main_business_revenue": "0", "commercialised_revenue": "0"}],
     "madrid_registrations": [{"number": "1", "filing_date": "2020-01-01", "designated_countries": ["US", "DE"]},
                              {"number": "2", "filing_date": "2022-12-31", "designated_countries": ["JP"]}],
     "brand_plan_selections": [{"plan": "fengming", "date": "2021-01-01"}]},
    {"city": "晋中", "entity_type": "school",
     "listings": [{"kind": "ip_education_demonstration_school", "level": "national", "date": "2020-09-01"}]},
    {"city": "晋中", "entity_type": "individual", "ip_professional": True},
    {"city": "晋中", "geographical_indications": [{"name": "太谷饼", "approval_date": "2020-06-01"}]},
    {"entity_type": "enterprise", "rights_protection_centres": [{"level": "municipal", "date": "2021-01-01"}]},
]
DATES = [dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2022, 6, 30), dt.date(2023, 1, 1)]
JOBS = [(p, d) for p in range(len(PROFILES)) for d in range(len(DATES))]


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def _batch(evaluator: Evaluator, expected: dict[tuple[int, int], dict[str, Any]]) -> tuple[list[str], float]:
    failures: list[str] = []
    lock = threading.Lock()

    def work(thread: int) -> None:
        for n in range(PER_THREAD):
            p, d = JOBS[(thread * 7 + n) % len(JOBS)]
            try:
                got = evaluator.evaluate(PROFILES[p], DATES[d]).model_dump(exclude={"backend"})
            except Exception as exc:  # a failure in a thread must reach the test, not vanish
                got = {"error": repr(exc)}
            if got != expected[(p, d)]:
                with lock:
                    failures.append(f"thread {thread}, call {n}: profile {p} as of {DATES[d]}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return failures, time.perf_counter() - start


def test_threads_agree_with_the_python_backend_and_memory_is_flat() -> None:
    policies = ipsubsidy.load_policies()
    reference = Evaluator(policies, backend="python")
    expected = {(p, d): reference.evaluate(PROFILES[p], DATES[d]).model_dump(exclude={"backend"})
                for p, d in JOBS}
    evaluator = Evaluator(policies, backend="durable-rules")
    try:
        first, seconds_1 = _batch(evaluator, expected)
        rss_1 = _peak_rss_mb()
        second, seconds_2 = _batch(evaluator, expected)
        rss_2 = _peak_rss_mb()
    finally:
        evaluator.close()
    calls = THREADS * PER_THREAD
    print(f"\ndurable-rules stress: {THREADS} threads × {PER_THREAD} evaluations per batch; "
          f"batch 1 {seconds_1:.2f} s ({calls / seconds_1:.0f}/s), batch 2 {seconds_2:.2f} s "
          f"({calls / seconds_2:.0f}/s); peak RSS {rss_1:.1f} MB after batch 1, {rss_2:.1f} MB after batch 2 "
          f"(+{rss_2 - rss_1:.1f} MB)")
    assert not first, f"{len(first)} answers differ from the Python backend in batch 1, e.g. {first[:3]}"
    assert not second, f"{len(second)} answers differ from the Python backend in batch 2, e.g. {second[:3]}"
    assert rss_2 - rss_1 < RSS_BOUND_MB


def test_many_evaluators_release_their_rulesets() -> None:
    """Building and closing rulesets repeatedly (as reload does) does not crash or grow without bound."""
    policies = ipsubsidy.load_policies()
    profile, as_of = PROFILES[2], DATES[2]
    want = Evaluator(policies, backend="python").evaluate(profile, as_of).total
    before = _peak_rss_mb()
    for _ in range(50):
        evaluator = Evaluator(policies, backend="durable-rules")
        assert evaluator.evaluate(profile, as_of).total == want
        evaluator.close()
    after = _peak_rss_mb()
    print(f"\n50 durable-rules evaluators built and closed: peak RSS {before:.1f} → {after:.1f} MB")
    assert after - before < RSS_BOUND_MB


def _sessions(evaluator: Evaluator) -> list[Any]:
    backend = evaluator._state[1]
    return [backend._all, *backend._by_city.values()]  # type: ignore[attr-defined]


def test_every_session_is_empty_after_each_evaluation() -> None:
    """The session is kept between evaluations and emptied by retracting its facts: none is left behind."""
    import json

    import durable_rules_engine as dre

    evaluator = Evaluator(ipsubsidy.load_policies(), backend="durable-rules")
    try:
        for p, d in JOBS:
            evaluator.evaluate(PROFILES[p], DATES[d])
            for ruleset in _sessions(evaluator):
                if ruleset._acted:  # a session exists only once facts were asserted in it
                    assert json.loads(dre.get_facts(ruleset._handle, "1")) == []
    finally:
        evaluator.close()


def test_a_failure_part_way_drops_the_session_and_the_next_evaluation_is_right(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An action message that cannot be read fails the evaluation; the half-used session is deleted and the
    evaluations after it answer as the Python backend does."""
    policies = ipsubsidy.load_policies()
    reference = Evaluator(policies, backend="python")
    evaluator = Evaluator(policies, backend="durable-rules")
    profile, as_of = PROFILES[2], DATES[2]
    try:
        evaluator.evaluate(profile, as_of)
        real = durable._fired

        def broken(message: str, fired: dict[str, set[str]]) -> None:
            raise ValueError("unreadable action message")

        monkeypatch.setattr(durable, "_fired", broken)
        with pytest.raises(ValueError, match="unreadable"):
            evaluator.evaluate(profile, as_of)
        monkeypatch.setattr(durable, "_fired", real)
        for p, d in JOBS:
            got = evaluator.evaluate(PROFILES[p], DATES[d]).model_dump(exclude={"backend"})
            assert got == reference.evaluate(PROFILES[p], DATES[d]).model_dump(exclude={"backend"})
    finally:
        evaluator.close()


def test_items_beyond_the_city_ruleset_are_decided_on_the_whole_set() -> None:
    """A Jinzhong profile asked about Xiamen's items too: the city's ruleset does not hold them, so the ruleset
    over every item decides, as the Python backend does; an item of no loaded policy is refused by name."""
    from ipsubsidy.engine.backend import make_backend
    from ipsubsidy.errors import UnknownItemError

    policies = ipsubsidy.load_policies()
    company = ipsubsidy.parse_profile(PROFILES[2])
    items = [*policies.items_in("jinzhong"), *policies.items_in("xiamen")]
    python, rete = make_backend(policies, "python"), make_backend(policies, "durable-rules")
    try:
        assert rete.decide(company, items) == python.decide(company, items)
        other = ipsubsidy.load_policies(packages=[str(Path(__file__).parent / "packages" / "demo-district")])
        with pytest.raises(UnknownItemError, match="unknown item"):
            rete.decide(company, [*items[:2], *(i for i in other.items if i.id.startswith("demo-district"))])
    finally:
        rete.close()
