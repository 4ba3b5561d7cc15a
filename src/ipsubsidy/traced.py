"""``evaluate(..., trace=True)``: the result with the trace it was decided on, for tools that show why.

Per item: the truth of its condition and every comparison behind it (field path, operator, threshold, the
value seen, outcome, missing facts), each counted unit's outcome with its comparisons, and the count. Values
are JSON values: money as a string of yuan, a ratio as a percentage string, dates as ISO strings. A plain
``evaluate`` never builds any of this; ``TracedResult`` is a ``Result`` with one field more, ``trace``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from pydantic import Field

from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.logic import TV
from ipsubsidy.engine.trace import Leaves
from ipsubsidy.labels import percent, yuan
from ipsubsidy.policy.model import Item
from ipsubsidy.result import Result, _Out, trusted

__all__ = ["CountOut", "ItemTraceOut", "LeafOut", "TracedResult", "UnitTraceOut", "traced"]


class LeafOut(_Out):
    """One comparison as evaluated."""

    field: str = Field(description="the field path compared (patents[0].grant_date)")
    ratio_to: str | None = Field(default=None, description="the denominator's path, for a ratio")
    count: bool = Field(default=False, description="the comparison counts the list's entries")
    op: str = Field(description="eq ne in not_in ge gt le lt")
    threshold: Any = Field(description="the value compared against")
    value: Any = Field(description="the value seen; null when unknown or undefined")
    outcome: bool | None = Field(description="true, false, or null for unknown")
    missing: list[str] = Field(default_factory=list, description="field paths whose values were unknown")
    zero_denominator: bool = False


class UnitTraceOut(_Out):
    index: int
    outcome: bool | None
    leaves: list[LeafOut]


class CountOut(_Out):
    at_least: int = Field(description="how many qualifying units the item needs")
    qualifying: int = Field(description="units whose condition holds")
    undecided: int = Field(description="units whose condition is unknown")


class ItemTraceOut(_Out):
    id: str
    condition: bool | None = Field(description="the truth of the item's condition on the profile")
    leaves: list[LeafOut]
    units: list[UnitTraceOut] = Field(default_factory=list)
    count: CountOut | None = None


class TracedResult(Result):
    trace: list[ItemTraceOut] = Field(description="per applicable item, the comparisons it was decided on")


def _json(value: Any) -> Any:
    if isinstance(value, Fraction):
        return percent(value)
    if isinstance(value, Decimal):
        return yuan(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


def _leaves(trace: Leaves, path: str = "") -> list[LeafOut]:
    return [trusted(LeafOut, field=f"{path}{t.leaf.fact}",
                    ratio_to=None if t.leaf.ratio_to is None else f"{path}{t.leaf.ratio_to}",
                    count=t.leaf.count, op=t.leaf.op, threshold=_json(t.leaf.value), value=_json(t.value),
                    outcome=t.outcome, missing=[f"{path}{m}" for m in t.missing],
                    zero_denominator=t.zero_denominator) for t in trace]


def _item(item: Item, decision: ItemDecision) -> ItemTraceOut:
    trace = decision.trace
    assert trace is not None, "a backend decides with a trace"
    units: list[UnitTraceOut] = []
    count = None
    if item.collection is not None and item.spec.counts is not None:
        path = item.collection
        units = [trusted(UnitTraceOut, index=i, outcome=truth, leaves=_leaves(trace.unit(i), f"{path}[{i}]."))
                 for i, truth in enumerate(decision.units)]
        count = trusted(CountOut, at_least=item.spec.counts.at_least,
                        qualifying=sum(1 for v in decision.units if v is True),
                        undecided=sum(1 for v in decision.units if v is None))
    return trusted(ItemTraceOut, id=item.id, condition=decision.profile, leaves=_leaves(trace.profile()),
                   units=units, count=count)


def traced(result: Result, items: Sequence[tuple[Item, TV]], decisions: dict[str, ItemDecision]) -> TracedResult:
    """``result`` with the trace of every applicable item, in policy order."""
    return trusted(TracedResult, **result.__dict__,
                   trace=[_item(item, decisions[item.id]) for item, _ in items])
