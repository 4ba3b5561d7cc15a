"""Shortfalls: for a failed numeric comparison, the smallest change of one fact that would satisfy it.

Exact throughout (Decimal and Fraction, never floats):

    ratio a / b ≥ r     a must rise to ceil_to_fen(r·b)          (> r: the next fen above r·b)
    ratio a / b ≤ r     a must fall to floor_to_fen(r·b)         (< r: the next fen below r·b)
    money v ≥ t         v must rise by t − v                     (> t: to t + 0.01)
    int / count v ≥ t   v must rise by t − v                     (> t: to t + 1)
    date d ≥ t          d must be t or later: by (t − d) days    (> t: t + 1 day)

(and the mirror images for ≤ and <). Only the ratio's numerator is moved: "R&D must rise by 10,000 yuan to
reach 5% of sales" is the change a claimant can make. Equalities, set membership and booleans have no
shortfall (no amount of change qualifies by degrees); a zero denominator has none either.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from ipsubsidy.engine.trace import LeafTrace
from ipsubsidy.labels import field_label, percent, yuan
from ipsubsidy.policy.conditions import Compare
from ipsubsidy.result import Shortfall, trusted

__all__ = ["ceil_to_fen", "count_shortfall", "floor_to_fen", "shortfall"]

FEN = Decimal("0.01")


def ceil_to_fen(value: Fraction) -> Decimal:
    """The least whole number of fen ≥ value, in yuan."""
    return Decimal(math.ceil(value * 100)) / 100


def floor_to_fen(value: Fraction) -> Decimal:
    """The greatest whole number of fen ≤ value, in yuan."""
    return Decimal(math.floor(value * 100)) / 100


def _target(op: str, threshold: Any, step: Any) -> Any:
    """The nearest value satisfying ``value OP threshold``, one ``step`` past a strict bound."""
    if op == "gt":
        return threshold + step
    if op == "lt":
        return threshold - step
    return threshold


def _ratio_target(op: str, product: Fraction) -> Decimal:
    if op == "ge":
        return ceil_to_fen(product)
    if op == "gt":
        return floor_to_fen(product) + FEN
    if op == "le":
        return floor_to_fen(product)
    return ceil_to_fen(product) - FEN  # lt


def _money_text(amount: Decimal) -> tuple[str, str]:
    return f"{yuan(amount)}元", f"{yuan(amount)} yuan"


def shortfall(trace: LeafTrace, obj: BaseModel, model: type[BaseModel], prefix: str = "",
              path: str = "") -> Shortfall | None:
    """What would turn this failed comparison true, or None when no numeric change does."""
    leaf: Compare = trace.leaf
    if trace.outcome is not False or trace.zero_denominator or leaf.op not in ("ge", "gt", "le", "lt"):
        return None
    rising = leaf.op in ("ge", "gt")
    word_zh, word_en = ("增加", "rise") if rising else ("减少", "fall")
    direction = "increase" if rising else "decrease"
    field = f"{path}{leaf.fact}"
    zh_name, en_name = field_label(model, leaf.fact, "zh"), field_label(model, leaf.fact, "en")
    if leaf.ratio_to is not None:
        numerator, denominator = getattr(obj, leaf.fact), getattr(obj, leaf.ratio_to)
        if numerator is None or denominator is None or denominator == 0:
            return None
        target = _ratio_target(leaf.op, Fraction(leaf.value) * Fraction(denominator))
        if target < 0:
            return None
        change = abs(target - numerator)
        pct = percent(leaf.value)
        other_zh, other_en = field_label(model, leaf.ratio_to, "zh"), field_label(model, leaf.ratio_to, "en")
        czh, cen = _money_text(change)
        tzh, ten = _money_text(target)
        return trusted(Shortfall,
            zh=f"{prefix}{zh_name}须{word_zh}{czh}(至{tzh})，占{other_zh}比方能达到{pct}",
            en=f"{prefix}{en_name} must {word_en} by {cen} (to {ten}) to reach {pct} of {other_en}",
            field=field, direction=direction, change=yuan(change), unit="yuan",
            target=yuan(target))
    value = len(getattr(obj, leaf.fact) or ()) if leaf.count else trace.value
    if isinstance(value, Decimal):
        target = _target(leaf.op, leaf.value, FEN)
        czh, cen = _money_text(abs(target - value))
        tzh, ten = _money_text(target)
        return trusted(Shortfall, zh=f"{prefix}{zh_name}须{word_zh}{czh}(至{tzh})",
                         en=f"{prefix}{en_name} must {word_en} by {cen} (to {ten})",
                         field=field, direction=direction,
                         change=yuan(abs(target - value)), unit="yuan", target=yuan(target))
    if isinstance(value, dt.date):
        target_day: dt.date = _target(leaf.op, leaf.value, dt.timedelta(days=1))
        days = abs((target_day - value).days)
        when_zh = "不早于" if rising else "不晚于"
        when_en = "on or after" if rising else "on or before"
        return trusted(Shortfall, zh=f"{prefix}{zh_name}须{when_zh}{target_day}(相差{days}天)",
                         en=f"{prefix}{en_name} must be {when_en} {target_day} ({days} days)",
                         field=field, direction=direction, change=str(days),
                         unit="days", target=target_day.isoformat())
    if isinstance(value, int) and not isinstance(value, bool):
        target_n: int = _target(leaf.op, leaf.value, 1)
        change_n = abs(target_n - value)
        if leaf.count:
            zh_name, en_name = f"{zh_name}数量", f"number of {en_name}"
        return trusted(Shortfall, zh=f"{prefix}{zh_name}须{word_zh}{change_n}(至{target_n})",
                         en=f"{prefix}{en_name} must {word_en} by {change_n} (to {target_n})",
                         field=field, direction=direction, change=str(change_n),
                         unit="count", target=str(target_n))
    return None


def count_shortfall(collection: str, label_zh: str, label_en: str, have: int, need: int) -> Shortfall:
    """Fewer qualifying units than an item counts: how many more would qualify."""
    more = need - have
    return trusted(Shortfall, zh=f"还需{more}项符合条件的{label_zh}(至少{need}项)",
                     en=f"{more} more qualifying {label_en} needed (at least {need})",
                     field=collection, direction="increase", change=str(more), unit="count", target=str(need))
