"""The items' condition trees as one zen-engine (GoRules JDM) decision, for the side-by-side benchmark only.

One expression node gives, per item, whether the company qualifies: its city and kind, its condition tree, and for
an item counting a list, ``count(list, unit condition) >= at_least``. ZEN's numbers are decimals, so money and the
cross-multiplied ratios stay exact. What the graph does not do (so it is a lower bound on the work evaluate() and
the columnar backend do): three-valued logic (an unknown fact compares false, nothing is ``needs_info``), missing
facts, per-year windows, dates after ``as_of``, amounts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ipsubsidy.policy.conditions import All, Any_, Compare, Condition, Not
from ipsubsidy.policy.model import Item

__all__ = ["context", "jdm"]

_OP = {"eq": "==", "ne": "!=", "ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _literal(value: Any, kind: str) -> str:
    if kind == "money":
        return str(Decimal(value))
    if kind == "date":
        assert isinstance(value, dt.date)
        return f"date('{value.isoformat()}')"
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int":
        return str(int(value))
    return json.dumps(str(value), ensure_ascii=False).replace('"', "'")


def _expr(cond: Condition, prefix: str) -> str:
    if isinstance(cond, Compare):
        fact = f"{prefix}{cond.fact}"
        if cond.count:
            size = f"len({fact} ?? [])"
            if cond.op in _OP:
                return f"({size} {_OP[cond.op]} {int(cond.value)})"
            listed = ", ".join(str(int(v)) for v in cond.value)
            return f"({size} in [{listed}])" if cond.op == "in" else f"not ({size} in [{listed}])"
        if cond.ratio_to is not None:
            ratio = Fraction(cond.value)
            other = f"{prefix}{cond.ratio_to}"
            return (f"({other} != null and {fact} != null and {other} > 0 and "
                    f"{fact} * {ratio.denominator} {_OP[cond.op]} {other} * {ratio.numerator})")
        if cond.op in ("in", "not_in"):
            listed = ", ".join(_literal(v, cond.type.kind) for v in cond.value)
            inside = f"{fact} in [{listed}]"
            return f"({fact} != null and {inside})" if cond.op == "in" else f"({fact} != null and not ({inside}))"
        side = f"date({fact})" if cond.type.kind == "date" else fact
        return f"({fact} != null and {side} {_OP[cond.op]} {_literal(cond.value, cond.type.kind)})"
    if isinstance(cond, Not):
        return f"not {_expr(cond.child, prefix)}"
    if not cond.children:
        return "true" if isinstance(cond, All) else "false"
    assert isinstance(cond, All | Any_)
    joiner = " and " if isinstance(cond, All) else " or "
    return "(" + joiner.join(_expr(c, prefix) for c in cond.children) + ")"


def _item(item: Item) -> str:
    kinds = ", ".join(f"'{getattr(b, 'value', b)}'" for b in item.spec.beneficiaries)
    parts = [f"city == '{item.document.city}'", f"entity_type in [{kinds}]", _expr(item.qualifies, "")]
    counts = item.spec.counts
    if item.collection is not None and counts is not None:
        parts.append(f"count({item.collection} ?? [], {_expr(item.unit_condition, '#.')}) >= {counts.at_least}")
    return " and ".join(f"({p})" for p in parts)


def jdm(items: list[Item]) -> str:
    """A JDM decision graph: input → one expression node (``i0``, ``i1``, … true when qualifying) → output."""
    expressions = [{"id": f"e{n}", "key": f"i{n}", "value": _item(item)} for n, item in enumerate(items)]
    return json.dumps({
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "company", "position": {"x": 0, "y": 0}},
            {"id": "items", "type": "expressionNode", "name": "items", "position": {"x": 200, "y": 0},
             "content": {"expressions": expressions}},
            {"id": "out", "type": "outputNode", "name": "result", "position": {"x": 400, "y": 0}},
        ],
        "edges": [{"id": "a", "sourceId": "in", "targetId": "items", "type": "edge"},
                  {"id": "b", "sourceId": "items", "targetId": "out", "type": "edge"}],
    }, ensure_ascii=False)


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"__decimal__{value}__"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_marked(v) for v in value]
    return getattr(value, "value", value)


def context(profile: Any) -> str:
    """A profile as zen's input, JSON text: dates as ISO text, money as JSON numbers written digit for digit
    (ZEN reads numbers as decimals, so nothing passes through a float)."""
    text = json.dumps(_marked(profile.model_dump()), ensure_ascii=False)
    return re.sub(r'"__decimal__(-?[0-9.]+)__"', r"\1", text)
