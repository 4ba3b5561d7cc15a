"""The registry layout: a companies table and one table per profile list, joined on the company key.

``companies`` has one row per company: ``key`` (text), every scalar field of ``Company`` and, per list
field ``C``, a boolean ``C_known`` (false or null: the list is unknown; true: given, possibly empty).
Each list ``C`` has a table ``C`` with ``key``, ``idx`` (the entry's position in the profile's list) and
the unit's fields. Money is DECIMAL(18,2), dates DATE, enumerations text; never floating point.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from ipsubsidy.policy.conditions import field_type
from ipsubsidy.profile import Company

__all__ = ["COLLECTIONS", "SCALARS", "company_from_rows", "enum_values", "schema_of", "tables_from_profiles",
           "unit_model"]

MONEY = pa.decimal128(18, 2)
_ARROW = {"money": MONEY, "date": pa.date32(), "bool": pa.bool_(), "int": pa.int64(), "enum": pa.string(),
          "str": pa.string(), "list": pa.list_(pa.string())}


def unit_model(collection: str) -> type[BaseModel]:
    """The model of one entry of a profile list (Patent for ``patents``)."""
    import typing

    ann: Any = Company.model_fields[collection].annotation
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    inner = typing.get_args(args[0])[0]
    assert isinstance(inner, type) and issubclass(inner, BaseModel)
    return inner


COLLECTIONS: tuple[str, ...] = tuple(
    name for name in Company.model_fields if (t := field_type(Company, name)) is not None and t.kind == "list")
SCALARS: tuple[str, ...] = tuple(name for name in Company.model_fields if name not in COLLECTIONS)


def schema_of(table: str) -> pa.Schema:
    """The Arrow schema of ``companies`` or of one collection table."""
    if table == "companies":
        fields = [pa.field("key", pa.string(), nullable=False)]
        fields += [pa.field(n, _ARROW[_kind(Company, n)]) for n in SCALARS]
        fields += [pa.field(f"{c}_known", pa.bool_()) for c in COLLECTIONS]
        return pa.schema(fields)
    model = unit_model(table)
    return pa.schema([pa.field("key", pa.string(), nullable=False), pa.field("idx", pa.int32(), nullable=False),
                      *(pa.field(n, _ARROW[_kind(model, n)]) for n in model.model_fields)])


def enum_values(model: type[BaseModel], name: str) -> tuple[str, ...] | None:
    """The values an enumeration field accepts (None for a field of another kind)."""
    import typing

    ftype = field_type(model, name)
    if ftype is None or ftype.kind != "enum":
        return None
    ann: Any = model.model_fields[name].annotation
    for arg in (ann, *typing.get_args(ann)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return tuple(str(m.value) for m in arg)
    return None


def _kind(model: type[BaseModel], name: str) -> str:
    ftype = field_type(model, name)
    assert ftype is not None
    return ftype.kind


def _cell(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_cell(v) for v in value]
    return value


def tables_from_profiles(profiles: Mapping[str, Company] | Iterable[tuple[str, Company]]) -> dict[str, pa.Table]:
    """The registry tables holding these profiles (key → Company): ``companies`` and every collection."""
    pairs = profiles.items() if isinstance(profiles, Mapping) else profiles
    companies: list[dict[str, Any]] = []
    units: dict[str, list[dict[str, Any]]] = {c: [] for c in COLLECTIONS}
    for key, company in pairs:
        row: dict[str, Any] = {"key": key, **{n: _cell(getattr(company, n)) for n in SCALARS}}
        for collection in COLLECTIONS:
            entries = getattr(company, collection)
            row[f"{collection}_known"] = entries is not None
            for idx, entry in enumerate(entries or ()):
                units[collection].append({"key": key, "idx": idx,
                                          **{n: _cell(getattr(entry, n)) for n in type(entry).model_fields}})
        companies.append(row)
    out = {"companies": pa.Table.from_pylist(companies, schema=schema_of("companies"))}
    for collection, rows in units.items():
        out[collection] = pa.Table.from_pylist(rows, schema=schema_of(collection))
    return out


def company_from_rows(company: Mapping[str, Any], units: Mapping[str, list[dict[str, Any]]]) -> Company:
    """One profile rebuilt from its ``companies`` row and its collection rows (each list in ``idx`` order)."""
    data: dict[str, Any] = {n: company.get(n) for n in SCALARS if company.get(n) is not None}
    for collection in COLLECTIONS:
        if company.get(f"{collection}_known"):
            rows = sorted(units.get(collection, []), key=lambda r: int(r["idx"]))
            data[collection] = [{k: v for k, v in r.items() if k not in ("key", "idx") and v is not None}
                                for r in rows]
    return Company.model_validate(data)
