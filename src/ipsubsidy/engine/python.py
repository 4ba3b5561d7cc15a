"""The plain-Python backend: evaluates condition trees on the profile's own exact values.

It is the reference the durable-rules backend is proved against, the fallback where durable-rules
cannot be installed, and the source of every explanation (each leaf with the value it saw).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from ipsubsidy.engine.logic import TV, ItemDecision, all3, any3, not3
from ipsubsidy.policy.conditions import All, Any_, Compare, Condition, Not
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company

__all__ = ["LeafTrace", "PythonBackend", "compile_condition", "decide", "evaluate_condition", "trace_condition"]


@dataclass(frozen=True)
class LeafTrace:
    """One comparison as evaluated: the value seen (None when unknown) and its outcome."""

    leaf: Compare
    value: Any
    outcome: TV
    missing: tuple[str, ...] = ()
    zero_denominator: bool = False


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _compare(value: Any, op: str, threshold: Any) -> bool:
    if op == "eq":
        return bool(value == threshold)
    if op == "ne":
        return bool(value != threshold)
    if op == "in":
        return value in threshold
    if op == "not_in":
        return value not in threshold
    if op == "ge":
        return bool(value >= threshold)
    if op == "gt":
        return bool(value > threshold)
    if op == "le":
        return bool(value <= threshold)
    return bool(value < threshold)


def _leaf(leaf: Compare, obj: BaseModel) -> LeafTrace:
    raw = getattr(obj, leaf.fact)
    if leaf.count:
        if raw is None:
            return LeafTrace(leaf, None, None, (leaf.fact,))
        return LeafTrace(leaf, len(raw), _compare(len(raw), leaf.op, leaf.value))
    if leaf.ratio_to is not None:
        den = getattr(obj, leaf.ratio_to)
        missing = tuple(name for name, v in ((leaf.fact, raw), (leaf.ratio_to, den)) if v is None)
        if missing:
            return LeafTrace(leaf, None, None, missing)
        if den == 0:
            return LeafTrace(leaf, None, False, zero_denominator=True)
        ratio = Fraction(raw) / Fraction(den)
        return LeafTrace(leaf, ratio, _compare(ratio, leaf.op, leaf.value))
    if raw is None:
        return LeafTrace(leaf, None, None, (leaf.fact,))
    value = _plain(raw)
    return LeafTrace(leaf, value, _compare(value, leaf.op, leaf.value))


def trace_condition(cond: Condition, obj: BaseModel, out: list[LeafTrace]) -> TV:
    """Evaluate ``cond`` on ``obj``; append every leaf's trace to ``out`` (no short cut, for explanations)."""
    if isinstance(cond, Compare):
        trace = _leaf(cond, obj)
        out.append(trace)
        return trace.outcome
    if isinstance(cond, Not):
        return not3(trace_condition(cond.child, obj, out))
    values = [trace_condition(child, obj, out) for child in cond.children]
    return all3(values) if isinstance(cond, All) else any3(values)


def evaluate_condition(cond: Condition, obj: BaseModel) -> TV:
    """Evaluate ``cond`` on ``obj`` with short cuts (Kleene logic)."""
    if isinstance(cond, Compare):
        return _leaf(cond, obj).outcome
    if isinstance(cond, Not):
        return not3(evaluate_condition(cond.child, obj))
    if isinstance(cond, All):
        return all3(evaluate_condition(child, obj) for child in cond.children)
    assert isinstance(cond, Any_)
    return any3(evaluate_condition(child, obj) for child in cond.children)


Check = Callable[[BaseModel], TV]
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "ge": operator.ge, "gt": operator.gt, "le": operator.le,
    "lt": operator.lt, "in": lambda v, t: v in t, "not_in": lambda v, t: v not in t,
}


def _compile_leaf(leaf: Compare) -> Check:
    name, threshold, compare = leaf.fact, leaf.value, _OPERATORS[leaf.op]
    if leaf.count:
        def count(obj: BaseModel) -> TV:
            raw = getattr(obj, name)
            return None if raw is None else compare(len(raw), threshold)
        return count
    if leaf.ratio_to is not None:
        other = leaf.ratio_to

        def ratio(obj: BaseModel) -> TV:
            num, den = getattr(obj, name), getattr(obj, other)
            if num is None or den is None:
                return None
            return False if den == 0 else compare(Fraction(num) / Fraction(den), threshold)
        return ratio

    def plain(obj: BaseModel) -> TV:
        raw = getattr(obj, name)
        return None if raw is None else compare(_plain(raw), threshold)
    return plain


def compile_condition(cond: Condition) -> Check:
    """A closure with the semantics of ``evaluate_condition``, built once so evaluation does no dispatch."""
    if isinstance(cond, Compare):
        return _compile_leaf(cond)
    if isinstance(cond, Not):
        child = compile_condition(cond.child)
        return lambda obj: not3(child(obj))
    children = tuple(compile_condition(c) for c in cond.children)
    if not children:
        empty: TV = isinstance(cond, All)  # all() of nothing holds, any() of nothing does not
        return lambda obj: empty
    combine = all3 if isinstance(cond, All) else any3
    if len(children) == 1:
        return children[0]
    return lambda obj: combine(child(obj) for child in children)


def decide(item: Item, company: Company) -> ItemDecision:
    """One item, interpreted from its tree: the reference the compiled and durable-rules forms are tested on."""
    profile = evaluate_condition(item.qualifies, company)
    if item.collection is None:
        return ItemDecision(profile)
    entries = getattr(company, item.collection) or ()
    return ItemDecision(profile, tuple(evaluate_condition(item.unit_condition, e) for e in entries))


class PythonBackend:
    """Evaluates every item of a policy set in plain Python, from closures compiled once. Thread-safe."""

    name = "python"

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies
        self._compiled = {item.id: (compile_condition(item.qualifies), item.collection,
                                    compile_condition(item.unit_condition)) for item in policies.items}

    def decide(self, company: Company, items: list[Item]) -> dict[str, ItemDecision]:
        out: dict[str, ItemDecision] = {}
        for item in items:
            qualifies, collection, unit = self._compiled[item.id]
            if collection is None:
                out[item.id] = ItemDecision(qualifies(company))
            else:
                entries = getattr(company, collection) or ()
                out[item.id] = ItemDecision(qualifies(company), tuple(unit(e) for e in entries))
        return out

    def close(self) -> None:
        """Nothing to release."""
