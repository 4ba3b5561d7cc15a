"""How things read to a person: field labels, values (yuan, percentages, dates, yes/no, enum names), units,
and the one bilingual base every zh/en text of a result shares (``Bilingual``)."""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from pydantic import BaseModel

from ipsubsidy.policy.conditions import Compare
from ipsubsidy.profile.kinds import value_label

__all__ = ["Bilingual", "field_label", "leaf_name", "missing_label", "percent", "show", "unit_label", "yuan"]


class _Texts(Protocol):
    @property
    def zh(self) -> str: ...

    @property
    def en(self) -> str: ...


class Bilingual:
    """A text in Chinese and English; calling it with a language (zh or en) gives that one."""

    __slots__ = ()

    def __call__(self: _Texts, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def yuan(amount: Decimal) -> str:
    """Exact yuan as text: '35000', '1234.50'."""
    text = f"{amount.quantize(Decimal('0.01')):f}"
    return text.removesuffix(".00")


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


def show(value: Any, leaf: Compare, lang: str = "zh") -> str:
    """A value as read out: percentages, yuan, ISO dates, yes/no, and Chinese names of enumerated values."""
    if leaf.ratio_to is not None and isinstance(value, Fraction):
        return percent(value)
    if isinstance(value, tuple):
        return "{" + ", ".join(show(v, leaf, lang) for v in value) + "}"
    if isinstance(value, Decimal):
        return f"{yuan(value)}元" if lang == "zh" else f"{yuan(value)} yuan"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, str) and leaf.type.kind == "enum":
        return value_label(value, lang)
    return str(value)


def leaf_name(leaf: Compare, model: type[BaseModel], lang: str) -> str:
    """What a comparison compares, as read: 研发投入占销售收入比, number of patents."""
    label = field_label(model, leaf.fact, lang)
    if leaf.ratio_to is not None:
        other = field_label(model, leaf.ratio_to, lang)
        return f"{label}占{other}比" if lang == "zh" else f"{label} / {other}"
    if leaf.count:
        return f"{label}数量" if lang == "zh" else f"number of {label}"
    return label


_NAMING = ("number", "name", "year", "kind", "plan", "level", "date")
_naming: dict[type[BaseModel], frozenset[str]] = {}


def unit_label(entry: BaseModel, index: int) -> str:
    """How a unit is named to a person: its number, name or year, else its position."""
    has = _naming.get(type(entry))
    if has is None:  # which naming fields the unit's model has: no failed attribute look-up per call
        has = _naming[type(entry)] = frozenset(n for n in _NAMING if n in type(entry).model_fields)
    for name in ("number", "name", "year"):
        value = getattr(entry, name) if name in has else None
        if value is not None:
            return str(value)
    kind = next((v for n in ("kind", "plan", "level") if n in has and (v := getattr(entry, n))), None)
    date = getattr(entry, "date", None) if "date" in has else None
    parts = [value_label(str(getattr(kind, "value", kind)), "zh")] if kind is not None else []
    if date is not None:
        parts.append(str(date))
    return " ".join(parts) if parts else f"#{index + 1}"


_PATH = re.compile(r"^(?P<collection>\w+)\[(?:(?P<index>\d+)\]\.(?P<field>\w+)|(?P<key>\w+)=(?P<value>[^\]]+)\])$")


def _entry_model(owner: type[BaseModel], collection: str) -> type[BaseModel] | None:
    info = owner.model_fields.get(collection)
    for arg in typing.get_args(info.annotation if info is not None else None):
        inner = typing.get_args(arg)
        if inner and isinstance(inner[0], type) and issubclass(inner[0], BaseModel):
            return inner[0]
    return None


def missing_label(path: str, owner: type[BaseModel], lang: str) -> str:
    """A missing fact's path (``result.missing``) as a person reads it.

    ``madrid_registrations`` → 马德里商标国际注册, ``finances[year=2020]`` → 年度财务数据(2020年度),
    ``patents[1].grant_date`` → 专利第2项的授权日."""
    match = _PATH.match(path)
    if match is None:
        return field_label(owner, path, lang)
    collection = field_label(owner, match["collection"], lang)
    if match["index"] is not None:
        model = _entry_model(owner, match["collection"])
        name = field_label(model, match["field"], lang) if model is not None else match["field"]
        number = int(match["index"]) + 1
        return f"{collection}第{number}项的{name}" if lang == "zh" else f"{collection} #{number}: {name}"
    if match["key"] == "year":
        return f"{collection}({match['value']}年度)" if lang == "zh" else f"{collection} ({match['value']})"
    return f"{collection}({match['key']}={match['value']})"
