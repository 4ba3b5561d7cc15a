"""The condition language of policy files: a small declarative tree, parsed and type-checked once.

A condition is one of::

    {all: [COND, ...]}          every child holds (an empty list holds)
    {any: [COND, ...]}          some child holds
    {not: COND}                 the child does not hold
    {fact: F, OP: V}            a field of the profile (or of the unit being counted) compared with V
    {fact: F, ratio_to: G, OP: "5%"}   the exact ratio F / G compared with a percentage
    {count: F, OP: N}           the number of entries of the list field F

with OP one of ``eq ne in not_in ge gt le lt``. Values are checked against the field's type when the
policy loads: enum members must exist, dates must be dates, money is exact. Nothing is ever executed.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
from typing import Any, Literal, Union

from pydantic import BaseModel

__all__ = [
    "All",
    "Any_",
    "Compare",
    "Condition",
    "ConditionError",
    "FieldType",
    "Not",
    "field_type",
    "leaves",
    "parse_condition",
]

Op = Literal["eq", "ne", "in", "not_in", "ge", "gt", "le", "lt"]
OPS: tuple[Op, ...] = ("eq", "ne", "in", "not_in", "ge", "gt", "le", "lt")
ORDERED_OPS = frozenset({"ge", "gt", "le", "lt"})
SYMBOL = {"eq": "=", "ne": "≠", "in": "∈", "not_in": "∉", "ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
NEGATED: dict[Op, Op] = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in",
                         "ge": "lt", "lt": "ge", "gt": "le", "le": "gt"}


class ConditionError(ValueError):
    """A condition that does not parse or type-check; ``field`` is the path inside the condition."""

    def __init__(self, message: str, field: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class FieldType:
    """What a field holds, as far as comparisons care."""

    kind: Literal["money", "date", "bool", "int", "enum", "str", "list"]
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compare:
    """A leaf: ``fact OP value``; ``ratio_to`` makes it ``fact / ratio_to OP value``; ``count`` counts a list."""

    fact: str
    op: Op
    value: Any  # typed: Decimal (money), date, bool, int, str, Fraction (ratio), tuple (in / not_in)
    type: FieldType
    ratio_to: str | None = None
    count: bool = False

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact, self.ratio_to) if self.ratio_to else (self.fact,)


@dataclass(frozen=True)
class All:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class Any_:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    child: Condition


Condition = Union[All, Any_, Not, Compare]  # noqa: UP007  (a runtime alias for isinstance-free matching)
TRUE = All(())


def leaves(cond: Condition) -> Iterator[Compare]:
    """Every comparison in a tree, depth first."""
    if isinstance(cond, Compare):
        yield cond
    elif isinstance(cond, Not):
        yield from leaves(cond.child)
    else:
        for child in cond.children:
            yield from leaves(child)


def field_type(model: type[BaseModel], name: str) -> FieldType | None:
    """The comparison type of ``model.name``, or None when the model has no such field."""
    info = model.model_fields.get(name)
    if info is None:
        return None
    ann: Any = info.annotation
    if typing.get_origin(ann) in (Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        ann = args[0] if len(args) == 1 else ann
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        ann = typing.get_args(ann)[0]
    if typing.get_origin(ann) is list:
        return FieldType("list")
    if isinstance(ann, type):
        if issubclass(ann, Enum):
            if not issubclass(ann, str):  # a StrEnum member equals its text, which is what a condition names
                raise TypeError(f"{model.__name__}.{name}: conditions compare an enum by its text; "
                                f"{ann.__name__} must be a StrEnum")
            return FieldType("enum", tuple(str(m.value) for m in ann))
        for py, kind in ((bool, "bool"), (int, "int"), (Decimal, "money"), (dt.date, "date"), (str, "str")):
            if issubclass(ann, py):
                return FieldType(kind)  # type: ignore[arg-type]
    raise TypeError(f"{model.__name__}.{name} has a type conditions cannot compare: {ann!r}")


def _scalar(value: Any, ftype: FieldType, where: str) -> Any:
    kind = ftype.kind
    if kind == "enum":
        if str(value) not in ftype.choices:
            raise ConditionError(f"{value!r} is not one of {', '.join(ftype.choices)}", where)
        return str(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConditionError(f"expected true or false, got {value!r}", where)
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConditionError(f"expected a whole number, got {value!r}", where)
        return value
    if kind == "money":
        if isinstance(value, float | bool):
            raise ConditionError(f"write money as a string or integer yuan (e.g. '5000'), got {value!r}", where)
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ConditionError(f"expected an amount in yuan, got {value!r}", where) from None
        if amount != amount.quantize(Decimal("0.01")):
            raise ConditionError(f"amounts are exact to the fen (0.01 yuan), got {value!r}", where)
        return amount
    if kind == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ConditionError(f"expected a date YYYY-MM-DD, got {value!r}", where) from None
    if not isinstance(value, str):
        raise ConditionError(f"expected text, got {value!r}", where)
    return value


def _ratio(value: Any, where: str) -> Fraction:
    text = str(value).strip()
    if not text.endswith("%") or isinstance(value, float):
        raise ConditionError(f"write a ratio threshold as a percentage string like '5%', got {value!r}", where)
    try:
        ratio = Fraction(Decimal(text[:-1])) / 100
    except (InvalidOperation, ValueError):
        raise ConditionError(f"expected a percentage like '5%', got {value!r}", where) from None
    if (ratio * 1_000_000).denominator != 1:
        raise ConditionError(f"ratio thresholds are whole parts per million at most, got {value!r}", where)
    return ratio


def _leaf(node: Mapping[str, Any], scope: type[BaseModel], where: str) -> Compare:
    ops = [op for op in OPS if op in node]
    allowed = {"fact", "count", "ratio_to", *OPS}
    unknown = sorted(set(node) - allowed)
    if unknown:
        raise ConditionError(f"unknown key {unknown[0]!r}; a comparison has fact (or count), "
                             f"ratio_to and one of {', '.join(OPS)}", where)
    if len(ops) != 1:
        raise ConditionError(f"a comparison needs exactly one operator of {', '.join(OPS)}", where)
    op: Op = ops[0]
    is_count = "count" in node
    if is_count == ("fact" in node):
        raise ConditionError("a comparison names either fact or count", where)
    name = str(node["count"] if is_count else node["fact"])
    ftype = field_type(scope, name)
    if ftype is None:
        from ipsubsidy.errors import suggest

        hint = suggest(name, scope.model_fields)
        message = f"{scope.__name__} has no field {name!r}" + (f"; did you mean {hint!r}?" if hint else "")
        raise ConditionError(message, f"{where}.{'count' if is_count else 'fact'}")
    raw = node[op]
    at = f"{where}.{op}"
    if is_count:
        if ftype.kind != "list":
            raise ConditionError(f"count needs a list field; {name!r} is {ftype.kind}", where)
        return Compare(name, op, _scalar(raw, FieldType("int"), at), FieldType("int"), count=True)
    if ftype.kind == "list":
        raise ConditionError(f"{name!r} is a list: compare its size with count", where)
    if "ratio_to" in node:
        other = str(node["ratio_to"])
        if ftype.kind != "money" or (field_type(scope, other) or FieldType("str")).kind != "money":
            raise ConditionError(f"ratio_to needs two money fields of {scope.__name__}", f"{where}.ratio_to")
        if op not in ORDERED_OPS:
            raise ConditionError("a ratio is compared with ge, gt, le or lt", where)
        return Compare(name, op, _ratio(raw, at), FieldType("money"), ratio_to=other)
    if op in ("in", "not_in"):
        if not isinstance(raw, list) or not raw:
            raise ConditionError(f"{op} takes a non-empty list", at)
        return Compare(name, op, tuple(_scalar(v, ftype, at) for v in raw), ftype)
    if op in ORDERED_OPS and ftype.kind not in ("money", "date", "int"):
        raise ConditionError(f"{op} orders numbers, money and dates; {name!r} is {ftype.kind}", at)
    return Compare(name, op, _scalar(raw, ftype, at), ftype)


def parse_condition(node: Any, scope: type[BaseModel], where: str = "condition") -> Condition:
    """Parse and type-check a condition tree against the fields of ``scope``."""
    if not isinstance(node, Mapping):
        raise ConditionError(f"a condition is a mapping, got {type(node).__name__}", where)
    for combinator in ("all", "any"):
        if combinator in node:
            if len(node) != 1:
                raise ConditionError(f"{combinator} stands alone in its mapping", where)
            kids = node[combinator]
            if not isinstance(kids, list):
                raise ConditionError(f"{combinator} takes a list of conditions", f"{where}.{combinator}")
            parsed = tuple(parse_condition(k, scope, f"{where}.{combinator}[{i}]") for i, k in enumerate(kids))
            return All(parsed) if combinator == "all" else Any_(parsed)
    if "not" in node:
        if len(node) != 1:
            raise ConditionError("not stands alone in its mapping", where)
        return Not(parse_condition(node["not"], scope, f"{where}.not"))
    return _leaf(node, scope, where)
