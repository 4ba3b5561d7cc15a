"""Profile → durable-rules facts, with values normalised so the matcher compares them exactly.

- money: integer fen; dates: yyyymmdd integers; booleans: 1/0; enums: their string value;
- a ratio a/b used by a condition: ``a__per__b_ok`` (1, or 0 when b is 0), and floor and ceiling of
  a/b in parts per million (``_lo``, ``_hi``) from exact Fraction arithmetic;
- a list's size as ``name__n``;
- an unknown value (None) is left out: the library decides "unknown", never a silent non-match.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from ipsubsidy.policy.conditions import leaves
from ipsubsidy.policy.model import Item
from ipsubsidy.profile import Company

__all__ = ["FactEncoder", "ratio_field"]


def ratio_field(numerator: str, denominator: str) -> str:
    return f"{numerator}__per__{denominator}"


class FactEncoder:
    """Encodes a company and the entries of every counted list as flat facts."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.collections = sorted({item.collection for item in items if item.collection})
        ratios: dict[str, set[tuple[str, str]]] = {}
        for item in items:
            scopes = [("company", item.qualifies)]
            if item.collection:
                scopes.append((item.collection, item.unit_condition))
            for scope, cond in scopes:
                for leaf in leaves(cond):
                    if leaf.ratio_to:
                        ratios.setdefault(scope, set()).add((leaf.fact, leaf.ratio_to))
        self._ratios = {scope: sorted(pairs) for scope, pairs in ratios.items()}

    @staticmethod
    def value(value: Any) -> Any:
        """One value as the matcher sees it."""
        if isinstance(value, bool):
            return 1 if value else 0
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, Decimal):
            fen = value * 100
            if fen != fen.to_integral_value():
                raise ValueError(f"{value} yuan is not a whole number of fen")
            return int(fen)
        if isinstance(value, dt.date):
            return value.year * 10000 + value.month * 100 + value.day
        return value

    def _fact(self, model: BaseModel, scope: str, fact_id: str, sid: str) -> dict[str, Any]:
        fact: dict[str, Any] = {"id": fact_id, "sid": sid, "t": scope}
        for name in type(model).model_fields:
            raw = getattr(model, name)
            if raw is None:
                continue
            if isinstance(raw, list):
                fact[f"{name}__n"] = len(raw)
            else:
                fact[name] = self.value(raw)
        for num, den in self._ratios.get(scope, ()):
            a, b = getattr(model, num), getattr(model, den)
            if a is None or b is None:
                continue
            key = ratio_field(num, den)
            if b == 0:
                fact[f"{key}_ok"] = 0
                continue
            ppm = Fraction(a) / Fraction(b) * 1_000_000
            fact.update({f"{key}_ok": 1, f"{key}_lo": math.floor(ppm), f"{key}_hi": math.ceil(ppm)})
        return fact

    def facts(self, company: Company, sid: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """The facts for one evaluation, and the number of entries of each counted list."""
        out = [self._fact(company, "company", "c", sid)]
        sizes: dict[str, int] = {}
        for collection in self.collections:
            entries = getattr(company, collection) or []
            sizes[collection] = len(entries)
            out.extend(self._fact(e, collection, f"{collection}#{i}", sid) for i, e in enumerate(entries))
        out.append({"id": "sentinel", "sid": sid, "t": "sentinel"})
        return out, sizes
