"""Condition trees compiled once to closures: tracers that decide and record every leaf in one pass, and deciders.

A tracer (``compile_tracer``) returns the condition's truth and appends every leaf's trace (engine/trace.py) to
a list: the value it saw, the outcome and the missing facts, with no short cut, so a decision and its
explanation come from the same evaluation. ``trace_condition`` is the same semantics interpreted from the tree,
kept as the reference the compiled form is tested against. A decider (``compile_decider``) is the same truth
with no trace, short-cutting, for a caller that explains nothing (``Evaluator.outcome``). ``all`` inside ``all``
and ``any`` inside ``any`` are merged first (``_flat``): the same truth and the same leaves in the same order.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, TypeGuard

from pydantic import BaseModel

from ipsubsidy.engine.logic import TV, all3, any3, not3
from ipsubsidy.engine.trace import LeafTrace, Tracer
from ipsubsidy.policy.conditions import All, Any_, Compare, Condition, Not

__all__ = ["Decider", "compile_decider", "compile_tracer", "exact_ratio", "trace_condition", "tracer"]

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "ge": operator.ge, "gt": operator.gt, "le": operator.le,
    "lt": operator.lt, "in": lambda v, t: v in t, "not_in": lambda v, t: v not in t,
}


def _leaf(leaf: Compare, obj: BaseModel) -> LeafTrace:
    compare = _OPERATORS[leaf.op]
    raw = getattr(obj, leaf.fact)
    if leaf.count:
        if raw is None:
            return LeafTrace(leaf, None, None, (leaf.fact,))
        return LeafTrace(leaf, len(raw), bool(compare(len(raw), leaf.value)))
    if leaf.ratio_to is not None:
        den = getattr(obj, leaf.ratio_to)
        missing = tuple(name for name, v in ((leaf.fact, raw), (leaf.ratio_to, den)) if v is None)
        if missing:
            return LeafTrace(leaf, None, None, missing)
        if den == 0:
            return LeafTrace(leaf, None, False, zero_denominator=True)
        ratio = Fraction(raw) / Fraction(den)
        return LeafTrace(leaf, ratio, bool(compare(ratio, leaf.value)))
    if raw is None:
        return LeafTrace(leaf, None, None, (leaf.fact,))
    value = raw.value if isinstance(raw, Enum) else raw
    return LeafTrace(leaf, value, bool(compare(value, leaf.value)))


def trace_condition(cond: Condition, obj: BaseModel, out: list[LeafTrace]) -> TV:
    """Evaluate ``cond`` on ``obj`` from its tree; append every leaf's trace to ``out`` (the reference form)."""
    if isinstance(cond, Compare):
        trace = _leaf(cond, obj)
        out.append(trace)
        return trace.outcome
    if isinstance(cond, Not):
        return not3(trace_condition(cond.child, obj, out))
    values = [trace_condition(child, obj, out) for child in cond.children]
    return all3(values) if isinstance(cond, All) else any3(values)


def _flat(cond: All | Any_) -> tuple[Condition, ...]:
    """The children of ``cond`` with every child of its own kind merged in (``all`` inside ``all``, ``any``
    inside ``any``; an empty one, neutral there, goes): the same truth, and the same leaves in the same
    depth-first order."""
    out: list[Condition] = []
    for child in cond.children:
        if type(child) is type(cond):
            out += _flat(child)
        else:
            out.append(child)
    return tuple(out)


def _is_plain(cond: Condition) -> TypeGuard[Compare]:
    """A comparison of one field's value (not a count, not a ratio)."""
    return isinstance(cond, Compare) and not cond.count and cond.ratio_to is None


def _compile_leaf(leaf: Compare) -> Tracer:
    name, threshold, compare = leaf.fact, leaf.value, _OPERATORS[leaf.op]
    unknown = LeafTrace(leaf, None, None, (name,))  # immutable: one record serves every evaluation
    new, kind = tuple.__new__, LeafTrace  # a LeafTrace made by tuple's C constructor: no Python frame per leaf
    if leaf.count:
        def count(obj: BaseModel, out: list[LeafTrace]) -> TV:
            raw = getattr(obj, name)
            if raw is None:
                out.append(unknown)
                return None
            n = len(raw)
            outcome = bool(compare(n, threshold))
            out.append(new(kind, (leaf, n, outcome, (), False)))
            return outcome
        return count
    if leaf.ratio_to is not None:
        other = leaf.ratio_to
        undefined = LeafTrace(leaf, None, False, zero_denominator=True)
        missing = {(True, False): LeafTrace(leaf, None, None, (name,)),
                   (False, True): LeafTrace(leaf, None, None, (other,)),
                   (True, True): LeafTrace(leaf, None, None, (name, other))}

        def ratio(obj: BaseModel, out: list[LeafTrace]) -> TV:
            num, den = getattr(obj, name), getattr(obj, other)
            if num is None or den is None:
                out.append(missing[num is None, den is None])
                return None
            if den == 0:
                out.append(undefined)
                return False
            value = Fraction(num) / Fraction(den)
            outcome = bool(compare(value, threshold))
            out.append(new(kind, (leaf, value, outcome, (), False)))
            return outcome
        return ratio
    return _compile_plain((leaf,), True)


def _compile_plain(leaves: tuple[Compare, ...], conjunctive: bool) -> Tracer:
    """The tracer of ``all`` (``conjunctive``) or ``any`` of plain comparisons, in one loop: each leaf records
    its value (an enum's text: a StrEnum member's ``str``) and outcome, with no short cut."""
    specs = tuple((leaf, leaf.fact, _OPERATORS[leaf.op], leaf.value, LeafTrace(leaf, None, None, (leaf.fact,)),
                   leaf.type.kind == "enum") for leaf in leaves)
    new, kind = tuple.__new__, LeafTrace  # a LeafTrace made by tuple's C constructor: no Python frame per leaf
    settles = not conjunctive  # the outcome that decides the node: a false in ``all``, a true in ``any``

    def plain(obj: BaseModel, out: list[LeafTrace]) -> TV:
        unknown = settled = False
        for leaf, name, compare, threshold, missing, enum in specs:
            raw = getattr(obj, name)
            if raw is None:
                out.append(missing)
                unknown = True
                continue
            value = str(raw) if enum else raw
            outcome = compare(value, threshold)
            out.append(new(kind, (leaf, value, outcome, (), False)))
            if outcome is settles:
                settled = True
        if settled:
            return settles
        return None if unknown else conjunctive
    return plain


def compile_tracer(cond: Condition) -> Tracer:
    """A closure with the semantics of ``trace_condition``, built once so evaluation does no dispatch."""
    if isinstance(cond, Compare):
        return _compile_leaf(cond)
    if isinstance(cond, Not):
        child = compile_tracer(cond.child)
        return lambda obj, out: not3(child(obj, out))
    flat = _flat(cond)
    conjunctive = isinstance(cond, All)
    if not flat:
        return lambda obj, out: conjunctive  # all() of nothing holds, any() of nothing does not
    if len(flat) == 1:
        return compile_tracer(flat[0])
    plain = [c for c in flat if _is_plain(c)]
    if len(plain) == len(flat):
        return _compile_plain(tuple(plain), conjunctive)
    children = tuple(compile_tracer(c) for c in flat)
    settles = not conjunctive

    def node(obj: BaseModel, out: list[LeafTrace]) -> TV:  # every child traced: no short cut
        unknown = settled = False
        for child in children:
            value = child(obj, out)
            if value is None:
                unknown = True
            elif value is settles:
                settled = True
        if settled:
            return settles
        return None if unknown else conjunctive
    return node


#: a compiled condition that returns its truth and records nothing
Decider = Callable[[BaseModel], TV]


def exact_ratio(num: Decimal, den: Decimal) -> tuple[int, int]:
    """``num / den`` as integers ``top / bottom`` with ``bottom`` > 0 (``den`` not 0), exactly: what
    ``Fraction(num) / Fraction(den)`` holds, without building Fractions (not reduced)."""
    a, b = num.as_integer_ratio()
    c, d = den.as_integer_ratio()
    top, bottom = a * d, b * c
    return (-top, -bottom) if bottom < 0 else (top, bottom)


def _ratio_holds(compare: Callable[[Any, Any], bool], num: Decimal, den: Decimal, threshold: Fraction) -> bool:
    """``num / den OP threshold``, exactly, in integers (``den`` not 0)."""
    top, bottom = exact_ratio(num, den)
    return compare(top * threshold.denominator, threshold.numerator * bottom)


def _decide_leaf(leaf: Compare) -> Decider:
    # Values are of the field's type (conditions.py checks them at load), so a comparison gives a bool; an enum
    # is a StrEnum, equal to its text.
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
            if den == 0:
                return False
            return _ratio_holds(compare, num, den, threshold)
        return ratio

    def plain(obj: BaseModel) -> TV:
        raw = getattr(obj, name)
        return None if raw is None else compare(raw, threshold)
    return plain


def compile_decider(cond: Condition) -> Decider:
    """The truth ``compile_tracer`` gives, with no trace: All stops at the first false child, Any at the first
    true one (three-valued: an unknown child leaves the result unknown unless another child settles it)."""
    if isinstance(cond, Compare):
        return _decide_leaf(cond)
    if isinstance(cond, Not):
        child = compile_decider(cond.child)
        return lambda obj: not3(child(obj))
    flat = _flat(cond)
    if not flat:
        empty: TV = isinstance(cond, All)
        return lambda obj: empty
    if len(flat) == 1:
        return compile_decider(flat[0])
    # the plain comparisons among the children are read in one loop, not one closure call each (order does not
    # matter here: nothing is recorded)
    plain = tuple((c.fact, _OPERATORS[c.op], c.value) for c in flat if _is_plain(c))
    children = tuple(compile_decider(c) for c in flat if not _is_plain(c))
    if isinstance(cond, All):  # false at the first false child; else unknown if one is; else true
        def combined(obj: BaseModel) -> TV:
            unknown = False
            for name, compare, threshold in plain:
                raw = getattr(obj, name)
                if raw is None:
                    unknown = True
                elif not compare(raw, threshold):
                    return False
            for child in children:
                value = child(obj)
                if value is False:
                    return False
                if value is None:
                    unknown = True
            return None if unknown else True
        return combined

    def combined_any(obj: BaseModel) -> TV:  # true at the first true child; else unknown if one is; else false
        unknown = False
        for name, compare, threshold in plain:
            raw = getattr(obj, name)
            if raw is None:
                unknown = True
            elif compare(raw, threshold):
                return True
        for child in children:
            value = child(obj)
            if value is True:
                return True
            if value is None:
                unknown = True
        return None if unknown else False
    return combined_any


_tracers: dict[int, tuple[Condition, Tracer]] = {}
_tracers_lock = threading.Lock()


def tracer(cond: Condition) -> Tracer:
    """The compiled tracer of a condition of a loaded policy (compiled on first use, then kept)."""
    found = _tracers.get(id(cond))
    if found is not None and found[0] is cond:
        return found[1]
    compiled = compile_tracer(cond)
    with _tracers_lock:  # the condition is kept with its closure, so its id cannot be reused while cached
        if len(_tracers) > 50_000:  # policy sets reloaded many times: drop the old ones' entries (a backend
            _tracers.clear()        # keeps the tracers it was built with)
        _tracers[id(cond)] = (cond, compiled)
    return compiled


