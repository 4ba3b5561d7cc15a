"""Explanations: which condition failed, with the value seen and the threshold, and which facts are missing.

Built from the plain-Python trace of the item's conditions, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from ipsubsidy.engine.python import LeafTrace
from ipsubsidy.policy.conditions import NEGATED, SYMBOL, Compare
from ipsubsidy.profile.kinds import value_label
from ipsubsidy.result import Reason, yuan
from ipsubsidy.shortfall import shortfall

__all__ = ["field_label", "leaf_reason", "percent", "unit_label"]


def field_label(model: type[BaseModel], name: str, lang: str) -> str:
    info = model.model_fields.get(name)
    extra = info.json_schema_extra if info is not None else None
    if isinstance(extra, dict) and isinstance(extra.get(lang), str):
        return str(extra[lang])
    return name


def percent(value: Fraction) -> str:
    """A ratio as a percentage truncated to 4 places, never rounded up onto a threshold: 4.99%, 5%."""
    truncated = Fraction(int(value * 1_000_000), 10_000)  # percent with 4 decimals, toward zero
    text = f"{Decimal(truncated.numerator) / Decimal(truncated.denominator):.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _show(value: Any, leaf: Compare, lang: str = "zh") -> str:
    """A value as read out: percentages, yuan, ISO dates, yes/no, and Chinese names of enumerated values."""
    if leaf.ratio_to is not None and isinstance(value, Fraction):
        return percent(value)
    if isinstance(value, tuple):
        return "{" + ", ".join(_show(v, leaf, lang) for v in value) + "}"
    if isinstance(value, Decimal):
        return f"{yuan(value)}元" if lang == "zh" else f"{yuan(value)} yuan"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, str) and leaf.type.kind == "enum":
        return value_label(value, lang)
    return str(value)


def _name(leaf: Compare, model: type[BaseModel], lang: str) -> str:
    label = field_label(model, leaf.fact, lang)
    if leaf.ratio_to is not None:
        other = field_label(model, leaf.ratio_to, lang)
        return f"{label}占{other}比" if lang == "zh" else f"{label} / {other}"
    if leaf.count:
        return f"{label}数量" if lang == "zh" else f"number of {label}"
    return label


def leaf_reason(trace: LeafTrace, model: type[BaseModel], prefix: str = "", path: str = "",
                obj: BaseModel | None = None) -> Reason:
    """A failed comparison as a reason: '研发投入占销售收入比 4.99% < 5%'; with ``obj`` (the profile or
    unit compared) a numeric threshold also gets its shortfall, the smallest change that would pass."""
    leaf = trace.leaf
    threshold = _show(leaf.value, leaf)
    field = f"{path}{leaf.fact}"
    if trace.zero_denominator:
        assert leaf.ratio_to is not None
        zh = f"{prefix}{_name(leaf, model, 'zh')}无法计算：{field_label(model, leaf.ratio_to, 'zh')}为0"
        en = f"{prefix}{_name(leaf, model, 'en')} is undefined: {field_label(model, leaf.ratio_to, 'en')} is 0"
        return Reason(zh=zh, en=en, field=field, value="0", threshold=threshold)
    shown = _show(trace.value, leaf)
    symbol = SYMBOL[NEGATED[leaf.op]]
    zh = f"{prefix}{_name(leaf, model, 'zh')} {shown} {symbol} {threshold}"
    en = f"{prefix}{_name(leaf, model, 'en')} {_show(trace.value, leaf, 'en')} {symbol} {_show(leaf.value, leaf, 'en')}"
    gap = None if obj is None else shortfall(trace, obj, model, prefix, path)
    return Reason(zh=zh, en=en, field=field, value=shown, threshold=threshold, shortfall=gap)


def unit_label(entry: BaseModel, index: int) -> str:
    """How a unit is named to a person: its number, name or year, else its position."""
    for name in ("number", "name", "year"):
        value = getattr(entry, name, None)
        if value is not None:
            return str(value)
    kind = getattr(entry, "kind", None) or getattr(entry, "plan", None) or getattr(entry, "level", None)
    date = getattr(entry, "date", None)
    parts = [value_label(str(getattr(kind, "value", kind)), "zh")] if kind is not None else []
    if date is not None:
        parts.append(str(date))
    return " ".join(parts) if parts else f"#{index + 1}"
