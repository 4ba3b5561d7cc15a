"""Embedding ipsubsidy in a busy host: threads, reloads under load, a host's own durable-rules rulesets, memory.

The full-size memory run (1,000,000 evaluations) is ``benchmarks/stress.py``; its figures are in
docs/performance.md. Here a smaller version runs on every test run.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from backends import BACKENDS, needs_durable
from ipsubsidy import Evaluator, PolicySet, Result, load_policies

POLICIES = Path(__file__).parent.parent / "policies"
AS_OF = dt.date(2022, 6, 30)


def profiles(n: int) -> list[dict[str, Any]]:
    """``n`` different profiles: full, partial, other cities and types, and ones that match nothing."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            out.append({})
        elif kind == 1:
            out.append({"city": "厦门", "entity_type": "individual"})  # no Jinzhong item applies
        elif kind == 2:
            out.append({"city": "晋中", "entity_type": "enterprise", "size": "small"})
        elif kind == 3:
            out.append({"city": "晋中", "entity_type": "enterprise", "patents": [
                {"number": f"US1122334{i % 10}B2", "kind": "invention", "grant_date": f"202{i % 3}-03-01"},
                {"number": "ZL202010566088.9", "grant_date": "2021-03-01" if i % 2 else None}]})
        elif kind == 4:
            out.append({"city": "晋中", "entity_type": "enterprise", "finances": [
                {"year": 2021, "sales_revenue": str(1_000_000 + i), "rd_expense": str(40_000 + 20 * i),
                 "main_business_revenue": "1000", "commercialised_revenue": str(250 + i % 100)}]})
        else:
            out.append({"city": "晋中", "entity_type": ["school", "individual", "enterprise"][i % 3],
                        "ip_professional": bool(i % 2), "brand_plan_selections": [
                            {"plan": "fengming" if i % 2 else "kongque", "date": "2021-06-01"}],
                        "listings": [{"kind": "ip_education_demonstration_school", "level": "national",
                                      "date": "2021-01-01"}]})
    return out


@pytest.fixture(scope="module")
def policy_a() -> PolicySet:
    return load_policies([POLICIES / "jinzhong-2020.yaml"])


@pytest.fixture(scope="module")
def policy_b(tmp_path_factory: pytest.TempPathFactory) -> PolicySet:
    """The Jinzhong document with fewer items (no brand plans, no Longmen) and one amount changed."""
    folder = tmp_path_factory.mktemp("policies-b")
    (folder / "sources").symlink_to((POLICIES / "sources").resolve())
    data = yaml.safe_load((POLICIES / "jinzhong-2020.yaml").read_text(encoding="utf-8"))
    drop = {"jinzhong-2020.fenghuang", "jinzhong-2020.kongque", "jinzhong-2020.longmen"}
    data["items"] = [item for item in data["items"] if item["id"] not in drop]
    for item in data["items"]:
        if item["id"] == "jinzhong-2020.invention-patent-domestic":
            item["benefit"]["amount"]["per_unit"] = 6000
    (folder / "jinzhong-2020.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_policies([folder / "jinzhong-2020.yaml"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_sixteen_threads_get_the_sequential_answers(policy_a: PolicySet, backend: str) -> None:
    evaluator = Evaluator(policy_a, backend)
    batch = profiles(192)
    sequential = [evaluator.evaluate(p, AS_OF) for p in batch]
    assert len({r.model_dump_json() for r in sequential}) > 20  # the profiles really differ
    with ThreadPoolExecutor(16) as pool:
        for _round in range(2):
            parallel = list(pool.map(lambda p: evaluator.evaluate(p, AS_OF), batch))
            assert parallel == sequential
    evaluator.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_reload_under_load_never_mixes_rule_sets(policy_a: PolicySet, policy_b: PolicySet, backend: str) -> None:
    batch = profiles(60)
    answers: dict[str, list[Result]] = {}
    for name, policies in (("a", policy_a), ("b", policy_b)):
        ev = Evaluator(policies, backend)
        answers[name] = [ev.evaluate(p, AS_OF) for p in batch]
        ev.close()
    differ = sum(a != b for a, b in zip(answers["a"], answers["b"], strict=True))
    assert differ > len(batch) // 2, "the two policy sets must give different answers"
    evaluator = Evaluator(policy_a, backend)
    stop = threading.Event()
    seen = {"a": 0, "b": 0}
    errors: list[str] = []

    def work(offset: int) -> None:
        i = offset
        while not stop.is_set():
            k = i % len(batch)
            result = evaluator.evaluate(batch[k], AS_OF)
            if result == answers["a"][k]:
                seen["a"] += 1
            elif result == answers["b"][k]:
                seen["b"] += 1
            else:
                errors.append(f"profile {k}: a result that is neither policy set's answer")
            i += 1

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(8)]
    for t in threads:
        t.start()
    try:
        for n in range(40):
            evaluator.reload(policy_b if n % 2 == 0 else policy_a)
            threading.Event().wait(0.005)
    finally:
        stop.set()
        for t in threads:
            t.join()
    evaluator.close()
    assert not errors, errors[:3]
    assert seen["a"] > 0 and seen["b"] > 0


HOST_NAMES = ["test", "rules", "ruleset", "sentinel", "ipsubsidy", "1", "company", "default"]


def _host_ruleset(name: str) -> int:
    import durable_rules_engine as dre

    return int(dre.create_ruleset(name, json.dumps({"sentinel": {"all": [{"m": {"t": "company"}}]},
                                                    "host": {"all": [{"m": {"t": "host"}}]}})))


def _host_fires(handle: int) -> list[str]:
    """Assert a host fact in the host's own ruleset (session "1", as the library uses) and read its actions."""
    import durable_rules_engine as dre

    result = dre.assert_facts(handle, json.dumps([{"id": "c", "sid": "1", "t": "host"}]))
    state = result[1] if isinstance(result, tuple) else result
    fired: list[str] = []
    action = dre.start_action_for_state(handle, state)
    message = action[1] if action else None
    while message:
        fired.extend(json.loads(message))
        message = dre.complete_and_start_action(handle, state)
    dre.delete_state(handle, "1")
    return fired


@needs_durable
@pytest.mark.durable
def test_host_rulesets_with_common_names_do_not_collide(policy_a: PolicySet) -> None:
    import durable_rules_engine as dre

    batch = profiles(30)
    reference = Evaluator(policy_a, "python")
    expected = [reference.evaluate(p, AS_OF).model_dump(exclude={"backend"}) for p in batch]
    # Before: the host's rulesets, including the very name the library would build next in this process.
    guess = f"ipsubsidy.{os.getpid()}.{next(iter([0])) + 1}.{policy_a.fingerprint}"
    before = [_host_ruleset(name) for name in [*HOST_NAMES, guess]]
    evaluator = Evaluator(policy_a, "durable-rules")
    assert evaluator.backend == "durable-rules"
    after = [_host_ruleset(name) for name in [*HOST_NAMES, evaluator._state[1].ruleset_name]]  # type: ignore[attr-defined]
    try:
        got = [evaluator.evaluate(p, AS_OF).model_dump(exclude={"backend"}) for p in batch]
        assert got == expected
        for handle in before + after:
            assert _host_fires(handle) == ["host"]  # the host's rules still run, and see no library facts
        for handle in before:  # the host deletes its rulesets: the library keeps working
            dre.delete_ruleset(handle)
        before = []
        assert [evaluator.evaluate(p, AS_OF).model_dump(exclude={"backend"}) for p in batch] == expected
    finally:
        for handle in before + after:
            dre.delete_ruleset(handle)
        evaluator.close()


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="RSS is read from /proc")
@pytest.mark.parametrize("backend", BACKENDS)
def test_memory_is_flat_over_many_evaluations(policy_a: PolicySet, backend: str) -> None:
    """A small version of benchmarks/stress.py: 12,000 evaluations, a third of which match nothing."""
    from ipsubsidy import parse_profile

    evaluator = Evaluator(policy_a, backend)
    batch = [parse_profile(p) for p in profiles(60)]
    for p in batch * 20:  # warm up caches and allocator pools
        evaluator.evaluate(p, AS_OF)
    gc.collect()
    start = _rss_kib()
    samples = []
    for _round in range(10):
        for p in batch * 20:
            evaluator.evaluate(p, AS_OF)
        gc.collect()
        samples.append(_rss_kib())
    evaluator.close()
    growth = samples[-1] - start
    assert growth < 4096, f"RSS grew {growth} KiB over 12,000 evaluations: {samples}"
    assert samples[-1] - samples[len(samples) // 2] < 2048, samples
