"""Reasons from a trace: a failed comparison with the value seen and the threshold, in Chinese and English.

A leaf of the evaluation's trace (engine/trace.py) becomes a ``Reason``; a failed numeric threshold also
gets its shortfall (shortfall.py). Nothing here evaluates a condition: the trace already holds each value.
"""

from __future__ import annotations

from pydantic import BaseModel

from ipsubsidy.engine.trace import LeafTrace
from ipsubsidy.labels import field_label, leaf_name, percent, show, unit_label
from ipsubsidy.policy.conditions import NEGATED, SYMBOL
from ipsubsidy.result import Reason, trusted
from ipsubsidy.shortfall import shortfall

__all__ = ["field_label", "leaf_reason", "percent", "unit_label"]


def leaf_reason(trace: LeafTrace, model: type[BaseModel], prefix: str = "", path: str = "",
                obj: BaseModel | None = None) -> Reason:
    """A failed comparison as a reason: '研发投入占销售收入比 4.99% < 5%'; with ``obj`` (the profile or
    unit compared) a numeric threshold also gets its shortfall, the smallest change that would pass."""
    leaf = trace.leaf
    threshold = show(leaf.value, leaf)
    field = f"{path}{leaf.fact}"
    if trace.zero_denominator:
        assert leaf.ratio_to is not None
        zh = f"{prefix}{leaf_name(leaf, model, 'zh')}无法计算：{field_label(model, leaf.ratio_to, 'zh')}为0"
        en = f"{prefix}{leaf_name(leaf, model, 'en')} is undefined: {field_label(model, leaf.ratio_to, 'en')} is 0"
        return trusted(Reason, zh=zh, en=en, field=field, value="0", threshold=threshold, shortfall=None)
    shown = show(trace.value, leaf)
    symbol = SYMBOL[NEGATED[leaf.op]]
    zh = f"{prefix}{leaf_name(leaf, model, 'zh')} {shown} {symbol} {threshold}"
    en = (f"{prefix}{leaf_name(leaf, model, 'en')} {show(trace.value, leaf, 'en')} {symbol} "
          f"{show(leaf.value, leaf, 'en')}")
    gap = None if obj is None else shortfall(trace, obj, model, prefix, path)
    return trusted(Reason, zh=zh, en=en, field=field, value=shown, threshold=threshold, shortfall=gap)
