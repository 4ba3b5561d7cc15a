"""Side by side, on the same Jinzhong profiles in one run: ipsubsidy (both backends), GoRules zen-engine and a
hand-written Python function, deciding the same 11 claimable items of jinzhong-2020.

    python benchmarks/bench_side_by_side.py [--n 20000]

The decision: for each claimable item of policies/jinzhong-2020.yaml, the three-valued truth (True, False,
unknown) of its unit condition for every entry of its counted list, as ipsubsidy's backends decide it.

- zen-engine (PyPI ``zen-engine``): one JDM decision with one expression node, generated from the same
  condition trees (a condition is true when its "proved true" expression holds, false when its "proved false"
  one does, else null, as the durable-rules backend compiles them), evaluated per profile with
  ``ZenDecision.evaluate``. Its input is the profile already encoded as the durable-rules facts are (integer
  fen, yyyymmdd dates, ratios in ppm); encoding is not counted: its best case.
- a hand-written function: the 12 items' conditions written out in Python over a parsed Company.
- ipsubsidy: ``Evaluator.evaluate`` from plain data (the full result: statuses, amounts, reasons with
  shortfalls, questions), from a parsed Company, with ``explain=False`` (statuses, amounts, totals, missing
  facts; no reasons or questions), and the backend's decisions with their trace alone.

Before timing, every implementation's decisions are checked against the Python backend's on every profile;
a mismatch stops the run. Each rate is the best of 5 rounds of ``--n`` calls cycling through the profiles
(``time.process_time``: CPU time of this process, so other load on the machine counts less). Prints a
Markdown table with each rate as a ratio to zen-engine's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from ipsubsidy import Company, Evaluator, load_policies, parse_profile
from ipsubsidy.engine import durable

try:
    from ipsubsidy.engine.backend import make_backend
except ImportError:  # the tree before issue 11, for before/after figures
    from ipsubsidy.evaluate import make_backend  # type: ignore[attr-defined,no-redef]
from ipsubsidy.engine.facts import FactEncoder, ratio_field
from ipsubsidy.policy.conditions import All, Compare, Condition, Not
from ipsubsidy.policy.model import Item

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "jinzhong-2020.yaml"
AS_OF = dt.date(2022, 6, 30)
TV = bool | None


# --- the profiles ---------------------------------------------------------------------------------------------

def profiles() -> list[dict[str, Any]]:
    """Every Jinzhong scenario case's profile and the Jinzhong examples, as plain data."""
    out = [case["profile"] for case in
           yaml.safe_load((ROOT / "tests" / "scenarios" / "jinzhong-2020.yaml").read_text(encoding="utf-8"))["cases"]]
    out += [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("jinzhong-*.yaml"))]
    valid = []
    for data in out:
        try:
            parse_profile(data)
        except Exception:  # a scenario of bad input is no benchmark profile
            continue
        valid.append(data)
    return valid


# --- zen-engine: the same conditions as ZEN expressions ------------------------------------------------------

def _zen_value(value: Any, enc: FactEncoder) -> str:
    return json.dumps(enc.value(value), ensure_ascii=False)


def _zen_leaf(leaf: Compare, positive: bool, enc: FactEncoder, var: str) -> str:
    if leaf.ratio_to is not None:
        name = f"{var}{ratio_field(leaf.fact, leaf.ratio_to)}"
        ppm = int(leaf.value * 1_000_000)
        ops = {"ge": (">=", "_lo"), "lt": ("<", "_lo"), "gt": (">", "_hi"), "le": ("<=", "_hi")}
        op, bound = ops[leaf.op]
        test = f"({name}_ok == 1 and {name}{bound} {op} {ppm})"
        return test if positive else f"({name}_ok == 0 or ({name}_ok == 1 and not {test}))"
    field = f"{var}{leaf.fact}__n" if leaf.count else f"{var}{leaf.fact}"
    if leaf.op in ("in", "not_in"):
        values = "[" + ", ".join(_zen_value(v, enc) for v in leaf.value) + "]"
        test = f"{field} in {values}" if leaf.op == "in" else f"not ({field} in {values})"
    else:
        symbol = {"eq": "==", "ne": "!=", "ge": ">=", "gt": ">", "le": "<=", "lt": "<"}[leaf.op]
        value = leaf.value if leaf.count else enc.value(leaf.value)
        test = f"{field} {symbol} {json.dumps(value, ensure_ascii=False)}"
    return f"({field} != null and {'' if positive else 'not '}({test}))"


def _zen(cond: Condition, positive: bool, enc: FactEncoder, var: str) -> str:
    if isinstance(cond, Compare):
        return _zen_leaf(cond, positive, enc, var)
    if isinstance(cond, Not):
        return _zen(cond.child, not positive, enc, var)
    if not cond.children:
        return "true" if isinstance(cond, All) == positive else "false"
    joiner = " and " if isinstance(cond, All) == positive else " or "
    return "(" + joiner.join(_zen(c, positive, enc, var) for c in cond.children) + ")"


def zen_decision(items: list[Item], enc: FactEncoder) -> Any:
    import zen

    expressions = []
    for n, item in enumerate(items):
        yes, no = _zen(item.unit_condition, True, enc, "#."), _zen(item.unit_condition, False, enc, "#.")
        expressions.append({"id": f"e{n}", "key": f"i{n}",
                            "value": f"map({item.collection} ?? [], {yes} ? true : ({no} ? false : null))"})
    content = {"nodes": [{"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
                         {"id": "ex", "type": "expressionNode", "name": "ex", "position": {"x": 0, "y": 0},
                          "content": {"expressions": expressions}},
                         {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 0, "y": 0}}],
               "edges": [{"id": "a", "sourceId": "in", "targetId": "ex", "type": "edge"},
                         {"id": "b", "sourceId": "ex", "targetId": "out", "type": "edge"}]}
    return zen.ZenEngine().create_decision(json.dumps(content, ensure_ascii=False))


def zen_input(company: Company, enc: FactEncoder) -> dict[str, Any]:
    facts, _ = enc.facts(company, "1")
    out: dict[str, Any] = {}
    for fact in facts:
        scope = fact["t"]
        if scope == "company":
            out.update(fact)
        elif scope != "sentinel":
            out.setdefault(scope, []).append(fact)
    for collection in enc.collections:  # an unknown list is null, an empty one []
        if getattr(company, collection) is None:
            out[collection] = None
        else:
            out.setdefault(collection, [])
    return out


# --- the hand-written function -------------------------------------------------------------------------------

START, END = dt.date(2020, 1, 1), dt.date(2022, 12, 31)


def _and(*values: TV) -> TV:
    if False in values:
        return False
    return None if None in values else True


def _between(day: dt.date | None) -> TV:
    return None if day is None else START <= day <= END


def _is(value: Any, *choices: str) -> TV:
    return None if value is None else getattr(value, "value", value) in choices


def _ratio(num: Decimal | None, den: Decimal | None, at_least: Fraction) -> TV:
    if num is None or den is None:
        return None
    return False if den == 0 else Fraction(num) / Fraction(den) >= at_least


FOREIGN_EXCLUDED = ("CN", "HK", "MO", "TW", "WO", "IB", "EM")


def hand_written(c: Company) -> list[list[TV]]:
    """The 11 claimable Jinzhong items' unit truths, in the policy file's order."""
    patents = c.patents or []
    listings = c.listings or []
    brands = c.brand_plan_selections or []
    return [
        [_and(_between(m.filing_date), None if m.designated_countries is None else len(m.designated_countries) >= 2)
         for m in c.madrid_registrations or []],
        [_between(g.approval_date) for g in c.geographical_indications or []],
        [_and(_between(p.grant_date), _is(p.kind, "invention"), _is(p.office, "CN")) for p in patents],
        [_and(_between(p.grant_date), _is(p.kind, "invention"),
              None if p.office is None else p.office not in FOREIGN_EXCLUDED) for p in patents],
        [_and(_between(x.date), _is(x.kind, "ip_demonstration_enterprise", "ip_advantage_enterprise"),
              _is(x.level, "national", "provincial")) for x in listings],
        [_between(x.date) for x in c.certifications or []],
        [_and(_between(x.date), _is(x.level, "national", "provincial", "municipal"))
         for x in c.rights_protection_centres or []],
        [_and(_between(x.date), _is(x.kind, "ip_education_demonstration_school"),
              _is(x.level, "national", "provincial")) for x in listings],
        [_and(_between(x.date), _is(x.plan, "fenghuang")) for x in brands],
        [_and(_between(x.date), _is(x.plan, "kongque")) for x in brands],
        [_and(None if y.year is None else 2020 <= y.year <= 2022,
              _ratio(y.rd_expense, y.sales_revenue, Fraction(1, 20)),
              _ratio(y.commercialised_revenue, y.main_business_revenue, Fraction(3, 10))) for y in c.finances or []],
    ]


# --- timing --------------------------------------------------------------------------------------------------

def rate(call: Callable[[Any], Any], inputs: list[Any], n: int, rounds: int = 5) -> tuple[float, float, float]:
    """(calls per CPU second, best of ``rounds``; p50 and p99 µs of single calls in the best round)."""
    best, cuts = 0.0, (0.0, 0.0)
    clock = time.process_time_ns
    k = len(inputs)
    for _ in range(rounds):
        times = []
        start = clock()
        for i in range(n):
            t0 = time.perf_counter_ns()
            call(inputs[i % k])
            times.append(time.perf_counter_ns() - t0)
        per_second = n / ((clock() - start) / 1e9)
        if per_second > best:
            q = statistics.quantiles(times, n=100, method="inclusive")
            best, cuts = per_second, (q[49] / 1e3, q[98] / 1e3)
    return best, *cuts


def _read(result: Any) -> list[Any]:
    """What a caller listing the items reads: each one's status, amount and units (its reasons wait)."""
    return [(item.status, item.amount.subtotal, item.units) for item in result.all_items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipsubsidy, zen-engine and a hand-written function, side by side.")
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args(argv)
    policies = load_policies([POLICY])
    items = [i for i in policies.items if i.benefit_class.value == "claimable"]
    assert all(i.collection for i in items)
    data = profiles()
    companies = [parse_profile(d) for d in data]
    enc = FactEncoder(items)
    decision = zen_decision(items, enc)
    zen_inputs = [zen_input(c, enc) for c in companies]
    every_item = list(policies.items)
    backends = ["python", *(["durable-rules"] if durable.available() else [])]

    # every implementation decides what the Python backend decides
    reference = make_backend(policies, "python")
    for company, zin in zip(companies, zen_inputs, strict=True):
        want = [list(reference.decide(company, [item])[item.id].units) for item in items]
        zen_out = decision.evaluate(zin)["result"]
        got_zen = [list(zen_out[f"i{n}"]) for n in range(len(items))]
        if got_zen != want:
            raise SystemExit(f"zen-engine disagrees on {company.model_dump(exclude_none=True)}: {got_zen} vs {want}")
        got_hand = hand_written(company)
        if got_hand != want:
            raise SystemExit(f"hand-written disagrees on {company.model_dump(exclude_none=True)}: {got_hand}")

    rows: list[tuple[str, tuple[float, float, float]]] = []
    rows.append(("zen-engine 2.x `ZenDecision.evaluate` (input pre-encoded)",
                 rate(decision.evaluate, zen_inputs, args.n)))
    rows.append(("hand-written Python function (parsed Company)", rate(hand_written, companies, args.n)))
    for name in backends:
        evaluator = Evaluator(policies, name)  # type: ignore[arg-type]
        engine = make_backend(policies, name)  # type: ignore[arg-type]
        rows.append((f"ipsubsidy {name}: `evaluate` from plain data (full result)",
                     rate(lambda d, e=evaluator: e.evaluate(d, AS_OF), data, args.n)))
        rows.append((f"ipsubsidy {name}: `evaluate` from plain data, then every item's status, amount and units read",
                     rate(lambda d, e=evaluator: _read(e.evaluate(d, AS_OF)), data, args.n)))
        rows.append((f"ipsubsidy {name}: `evaluate` from a parsed Company",
                     rate(lambda c, e=evaluator: e.evaluate(c, AS_OF), companies, args.n)))
        if "explain" in inspect.signature(evaluator.evaluate).parameters:
            rows.append((f"ipsubsidy {name}: `evaluate(..., explain=False)` from plain data (statuses, totals)",
                         rate(lambda d, e=evaluator: e.evaluate(d, AS_OF, explain=False), data, args.n)))
            rows.append((f"ipsubsidy {name}: `evaluate(..., explain=False)` from a parsed Company",
                         rate(lambda c, e=evaluator: e.evaluate(c, AS_OF, explain=False), companies, args.n)))
        if hasattr(evaluator, "outcome"):
            rows.append((f"ipsubsidy {name}: `Evaluator.outcome` from plain data (statuses, subtotals, total)",
                         rate(lambda d, e=evaluator: e.outcome(d, AS_OF), data, args.n)))
            rows.append((f"ipsubsidy {name}: `Evaluator.outcome` from a parsed Company",
                         rate(lambda c, e=evaluator: e.outcome(c, AS_OF), companies, args.n)))
        rows.append((f"ipsubsidy {name}: `evaluate(...).model_dump_json()` from plain data",
                     rate(lambda d, e=evaluator: e.evaluate(d, AS_OF).model_dump_json(), data, args.n)))
        rows.append((f"ipsubsidy {name}: decisions (with trace since issue 11), 22 items (`backend.decide`)",
                     rate(lambda c, b=engine: b.decide(c, every_item), companies, args.n)))
        rows.append((f"ipsubsidy {name}: decisions (with trace since issue 11), the 11 claimable items",
                     rate(lambda c, b=engine: b.decide(c, items), companies, args.n)))
        if "trace" in inspect.signature(engine.decide).parameters:
            rows.append((f"ipsubsidy {name}: decisions without trace, 22 items (`backend.decide(..., trace=False)`)",
                         rate(lambda c, b=engine: b.decide(c, every_item, False), companies, args.n)))
        evaluator.close()
        engine.close()
    reference.close()

    zen_rate = rows[0][1][0]
    print(f"Python {platform.python_version()}, {len(data)} Jinzhong profiles (scenario cases and examples), "
          f"as of {AS_OF}, {args.n} calls per round, best of 5 rounds, CPU time")
    print()
    print("| implementation | calls/s | p50 µs | p99 µs | × zen-engine |")
    print("|---|---:|---:|---:|---:|")
    for name, (per_second, p50, p99) in rows:
        print(f"| {name} | {per_second:,.0f} | {p50:.0f} | {p99:.0f} | {per_second / zen_rate:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
