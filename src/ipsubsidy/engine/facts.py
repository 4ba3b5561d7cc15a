"""Profile → durable-rules facts, with values normalised so the matcher compares them exactly.

- money: integer fen; dates: yyyymmdd integers; booleans: 1/0; enums: their string value;
- a ratio a/b used by a condition: ``a__per__b_ok`` (1, or 0 when b is 0), and floor and ceiling of
  a/b in parts per million (``_lo``, ``_hi``), exact (integer arithmetic);
- a list's size as ``name__n``;
- an unknown value (None) is left out: the library decides "unknown", never a silent non-match;
- only the fields some condition reads are sent: free text (names, titles) never reaches the matcher;
- fact ids are short and distinct under durable-rules' 32-bit FNV-1a lookup hash (``fact_ids``), so no two
  facts of one evaluation can be taken for one another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from ipsubsidy.engine.compiled import exact_ratio
from ipsubsidy.policy.conditions import field_type, leaves
from ipsubsidy.policy.model import Item
from ipsubsidy.profile import Company

__all__ = ["FactEncoder", "fact_ids", "fnv1a_32", "ratio_field"]

_ids: tuple[str, ...] = ()  # grown, never mutated: a reader sees an old or a new tuple, never half of one


def fnv1a_32(text: str) -> int:
    """The 32-bit FNV-1a hash durable-rules looks fact ids and session ids up by."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def fact_ids(count: int) -> tuple[str, ...]:
    """``count`` ids whose FNV-1a hashes are pairwise distinct: decimal numbers, skipping any that collide."""
    global _ids
    ids = _ids
    if len(ids) < count:
        seen = {fnv1a_32(i) for i in ids}
        grown, n = list(ids), int(ids[-1]) + 1 if ids else 0
        while len(grown) < max(count, 2 * len(ids)):
            candidate = str(n)
            n += 1
            if (h := fnv1a_32(candidate)) not in seen:
                seen.add(h)
                grown.append(candidate)
        _ids = ids = tuple(grown)
    return ids[:count]


def ratio_field(numerator: str, denominator: str) -> str:
    return f"{numerator}__per__{denominator}"


def _fen(value: Decimal) -> int:
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{value} yuan is not a whole number of fen")
    return int(fen)


def _day(value: dt.date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


#: how a field of each comparison kind is sent (None: as it is; an enum, a StrEnum, as its text)
_SEND: dict[str, Callable[[Any], Any] | None] = {
    "money": _fen, "date": _day, "bool": int, "int": None, "str": None, "enum": str, "list": len}


_NO_IDS: list[str] = []


def _ppm(num: Decimal, den: Decimal) -> tuple[int, int]:
    """Floor and ceiling of num/den in parts per million (``den`` not 0), exactly, in integers: what
    ``math.floor``/``math.ceil`` of ``Fraction(num) / Fraction(den) * 10**6`` give."""
    top, bottom = exact_ratio(num, den)
    top *= 1_000_000
    return top // bottom, -(-top // bottom)


class FactEncoder:
    """Encodes a company and the entries of every counted list as flat facts."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.collections = sorted({item.collection for item in items if item.collection})
        ratios: dict[str, set[tuple[str, str]]] = {}
        read: dict[str, set[str]] = {}
        for item in items:
            scopes = [("company", item.qualifies)]
            if item.collection:
                scopes.append((item.collection, item.unit_condition))
            for scope, cond in scopes:
                for leaf in leaves(cond):
                    read.setdefault(scope, set()).add(leaf.fact)
                    if leaf.ratio_to:
                        ratios.setdefault(scope, set()).add((leaf.fact, leaf.ratio_to))
        self._ratios = {scope: tuple((num, den, ratio_field(num, den)) for num, den in sorted(pairs))
                        for scope, pairs in ratios.items()}
        self._read = read
        self._plans: dict[tuple[type[BaseModel], str], tuple[tuple[str, str, Callable[[Any], Any] | None], ...]] = {}

    def _plan(self, model: type[BaseModel], scope: str) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
        """(field, key sent, conversion) for each field of ``model`` some condition of ``scope`` reads, in the
        model's order (computed once per model and scope)."""
        found = self._plans.get((model, scope))
        if found is None:
            read = self._read.get(scope, set())
            plan = []
            for name in model.model_fields:
                if name in read:
                    ftype = field_type(model, name)
                    assert ftype is not None
                    plan.append((name, f"{name}__n" if ftype.kind == "list" else name, _SEND[ftype.kind]))
            found = self._plans[model, scope] = tuple(plan)
        return found

    @staticmethod
    def value(value: Any) -> Any:
        """One value as the matcher sees it."""
        if isinstance(value, bool):
            return 1 if value else 0
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, Decimal):
            return _fen(value)
        if isinstance(value, dt.date):
            return _day(value)
        return value

    def _fact(self, model: BaseModel, scope: str, fact_id: str, sid: str) -> dict[str, Any]:
        fact: dict[str, Any] = {"id": fact_id, "sid": sid, "t": scope}  # "id" first: durable.py reads it there
        for name, key, send in self._plan(type(model), scope):
            raw = getattr(model, name)
            if raw is not None:
                fact[key] = raw if send is None else send(raw)
        for num, den, key in self._ratios.get(scope, ()):
            a, b = getattr(model, num), getattr(model, den)
            if a is None or b is None:
                continue
            if b == 0:
                fact[f"{key}_ok"] = 0
                continue
            low, high = _ppm(a, b)
            fact.update({f"{key}_ok": 1, f"{key}_lo": low, f"{key}_hi": high})
        return fact

    def facts(self, company: Company, sid: str) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
        """The facts for one evaluation, and the fact ids of the company (``company``) and of each list's entries."""
        lists = []
        count = 2  # the company and the sentinel
        for collection in self.collections:
            entries = getattr(company, collection)
            if entries:
                lists.append((collection, entries))
                count += len(entries)
        ids = fact_ids(count)
        by_scope: dict[str, list[str]] = dict.fromkeys(self.collections, _NO_IDS)  # read, never changed
        by_scope["company"] = [ids[0]]
        out = [self._fact(company, "company", ids[0], sid)]
        n = 1
        for collection, entries in lists:
            mine = by_scope[collection] = list(ids[n:n + len(entries)])
            n += len(entries)
            out += [self._fact(e, collection, i, sid) for i, e in zip(mine, entries, strict=True)]
        out.append({"id": ids[n], "sid": sid, "t": "sentinel"})
        return out, by_scope
