"""Client and related tables → profiles, with every bad cell in an errors list and every row accounted for.

A bad cell never rejects its row: the cell is recorded (row, column, value, what was expected) and left
unknown, so the client is still screened and the unknown fact turns into a question. A field no rule uses
(e.g. a credit code with a wrong check digit) is a warning, not a rejection.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ipsubsidy.errors import field_path
from ipsubsidy.intake import values
from ipsubsidy.intake.headers import field_for
from ipsubsidy.intake.places import city_of
from ipsubsidy.intake.readers import Table
from ipsubsidy.profile import Company

__all__ = ["CellError", "Client", "Intake", "build_profiles"]


@dataclass(frozen=True)
class CellError:
    """One bad cell (or row): where, what it held, what was expected; ``severity`` error or warning."""

    table: str
    row: int
    column: str
    value: str
    expected: str
    severity: str = "error"


@dataclass
class Client:
    """One client row made into a profile (小微 stays ``size: small_or_micro``: evaluate() reads it as both)."""

    row: int
    key: str
    profile: Company
    city_zh: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Intake:
    clients: list[Client] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_used: dict[str, int] = field(default_factory=dict)


_MONEY_FIELDS = {"rd_expense", "sales_revenue", "main_business_revenue", "commercialised_revenue"}
_BOOL_FIELDS = {"ip_professional", "startup", "has_own_ip", "leading_enterprise", "key_industry", "enterprise_head",
                "outstanding_innovation", "ip_work_contribution", "ic_enterprise", "specialised_sme",
                "sci_tech_listing", "first_of_kind_product", "industry_body", "high_end_talent", "via_pct", "major",
                "implemented", "overseas", "foreign_related"}
_DATE_FIELDS = {"grant_date", "filing_date", "approval_date", "date", "registration_date",
                "first_invention_patent_date"}
_COERCE: dict[str, Callable[[Any], Any]] = {
    "entity_type": values.to_entity_type, "size": values.to_size, "kind": values.to_patent_kind,
    "year": values.to_year, "level": values.to_level,
    **dict.fromkeys(_BOOL_FIELDS, values.to_bool), **dict.fromkeys(_DATE_FIELDS, values.to_date),
}
# A date is a day: 2021年3月 would have to be guessed to a day, and a wrong day can move a grant across a
# policy window, so a month alone is read only where a month is enough (the fiscal year above).
_UNIT = re.compile(r"[(（]\s*(万元|亿元|元)\s*[)）]")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _coerce_row(table: Table, row: int, record: dict[str, Any], header_map: dict[str, str] | None,
                errors: list[CellError]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for header, raw in record.items():
        if _blank(raw):
            continue
        name = field_for(header, header_map)
        unit = _UNIT.search(header)
        try:
            if name in _MONEY_FIELDS:
                out[name] = values.to_yuan(raw, unit[1] if unit else None)
            elif name in _COERCE:
                out[name] = _COERCE[name](raw)
            elif name == "publication":
                out[name] = values.to_publication(raw)
            else:
                out[name] = raw.strip() if isinstance(raw, str) else raw
        except ValueError as exc:
            errors.append(CellError(table.source, row, header, str(raw), str(exc)))
    return out


def _validated(table: str, row: int, data: dict[str, Any], columns: dict[str, str],
               errors: list[CellError], warn_only: set[str],
               entry_rows: dict[str, tuple[str, list[int]]],
               entry_columns: dict[str, dict[str, str]]) -> Company | None:
    """Company from data; each field pydantic refuses is recorded and dropped, and validation retried."""
    for _ in range(len(data) + 1):
        try:
            return Company.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                path = field_path(err["loc"])
                top = path.split(".")[0].split("[")[0]
                message = str(err["msg"]).removeprefix("Value error, ")
                column = columns.get(top, top)
                if err["type"] == "extra_forbidden":
                    message = "is not a profile field; the column is ignored"
                severity = "warning" if top in warn_only or err["type"] == "extra_forbidden" else "error"
                bad = data.get(top)
                if top in data and top not in {"patents", "finances"}:
                    errors.append(CellError(table, row, column, str(bad), message, severity))
                    del data[top]
                elif top in data:  # a bad entry of a list: drop that entry only
                    index = int(path.split("[")[1].split("]")[0]) if "[" in path else 0
                    entry = data[top][index] if index < len(data[top]) else None
                    source, rows = entry_rows.get(top, (table, []))
                    origin = rows.pop(index) if index < len(rows) else row
                    sub = message.split(": ", 1)[0] if ": " in message else ""
                    rest = path.split(".", 1)[1] if "." in path else sub
                    column = entry_columns.get(top, {}).get(rest, rest or path)
                    value = entry.get(rest, entry) if isinstance(entry, dict) else entry
                    errors.append(CellError(source, origin, column, str(value), message.removeprefix(f"{sub}: ")))
                    data[top] = [e for i, e in enumerate(data[top]) if i != index]
                else:
                    return None
    return None


_KEY = re.compile(r"\s+")


def _join_key(record: dict[str, Any]) -> str | None:
    code = record.get("credit_code")
    if isinstance(code, str) and code.strip():
        return "code:" + code.strip().upper()
    name = record.get("name")
    if isinstance(name, str) and name.strip():
        return "name:" + _KEY.sub("", name)
    return None


def _patent(table: Table, row: int, rec: dict[str, Any], errors: list[CellError]) -> dict[str, Any] | None:
    pub: values.Publication | None = rec.get("publication")
    if pub is not None and not pub.granted:
        errors.append(CellError(table.source, row, "公开(公告)号", pub.number,
                                "an application publication (kind A) is not a grant; the row is not counted as a "
                                "patent", "warning"))
        return None
    number = rec.get("number")
    if number is None:
        errors.append(CellError(table.source, row, "申请号", "", "expected the application (patent) number, e.g. "
                                "ZL202110123456.7; a publication number alone does not identify the patent"))
        return None
    patent: dict[str, Any] = {"number": str(number)}
    for name in ("kind", "filing_date", "grant_date", "title", "via_pct", "major", "implemented"):
        if name in rec:
            patent[name] = rec[name]
    if pub is not None:
        if "kind" in patent and patent["kind"] != pub.kind:
            errors.append(CellError(table.source, row, "专利类型", str(patent["kind"]),
                                    f"{pub.number} is a {pub.kind} publication; the kind code is kept", "warning"))
        patent["kind"] = pub.kind
    return patent


_RELATED: dict[str, str] = {"patents": "patents"}


def build_profiles(clients: Table, related: dict[str, Table] | None = None,
                   header_map: dict[str, str] | None = None) -> Intake:
    """Profiles from a client table and related tables (``patents``, ``finances``, or any list field of the
    profile), joined on the credit code, or on the name where the code is absent."""
    intake = Intake()
    intake.rows_read[clients.source] = len(clients.rows)
    children: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = {}
    for name, table in (related or {}).items():
        intake.rows_read[table.source] = len(table.rows)
        for row, record in table.rows:
            rec = _coerce_row(table, row, record, header_map, intake.errors)
            key = _join_key(rec)
            if key is None:
                intake.errors.append(CellError(table.source, row, "统一社会信用代码", "",
                                               "expected the client's credit code or name to join on"))
                continue
            children.setdefault(name, {}).setdefault(key, []).append((row, rec))
    joined: set[tuple[str, str]] = set()
    related_columns = {name: {field_for(h, header_map): h for h in table.headers}
                       for name, table in (related or {}).items()}
    for row, record in clients.rows:
        rec = _coerce_row(clients, row, record, header_map, intake.errors)
        columns = {field_for(h, header_map): h for h in record}
        key = _join_key(rec) or f"row:{row}"
        name_key = "name:" + _KEY.sub("", rec["name"]) if isinstance(rec.get("name"), str) else None
        address = rec.pop("address", None)
        city_text = rec.get("city")
        found = city_of(str(city_text) if city_text else None, str(address) if address else None,
                        str(rec.get("credit_code") or ""))
        rec.pop("city", None)
        notes: list[str] = []
        if found.known_id is not None:
            rec["city"] = found.known_id
        elif found.name is None and (city_text or address):
            intake.errors.append(CellError(clients.source, row, columns.get("address", columns.get("city", "city")),
                                           str(city_text or address), "expected a Chinese city (or an address "
                                           "naming one)", "warning"))
        finance: dict[str, Any] = {k: rec.pop(k) for k in ("year", *sorted(_MONEY_FIELDS)) if k in rec}
        if finance:
            if "year" in finance:
                rec["finances"] = [finance]
            else:
                intake.errors.append(CellError(clients.source, row, "年度", "", "expected the fiscal year of the "
                                               "figures (a 年度 column); the figures are not used", "warning"))
        rec.pop("publication", None)
        entry_rows: dict[str, tuple[str, list[int]]] = {}
        for name, groups in children.items():
            keys = [k for k in dict.fromkeys((key, name_key)) if k is not None and k in groups]
            entries = [entry for k in keys for entry in groups[k]]
            if not entries:
                continue
            joined.update((name, k) for k in keys)
            source = related_table(related, name)
            if name == "patents":
                kept = [(r, p) for r, e in entries if (p := _patent(source, r, e, intake.errors)) is not None]
                rec["patents"] = [p for _, p in kept]
                entry_rows["patents"] = (source.source, [r for r, _ in kept])
            else:
                rec[name] = [{k: v for k, v in e.items() if k not in {"credit_code", "name"}} for _, e in entries]
                entry_rows[name] = (source.source, [r for r, _ in entries])
        profile = _validated(clients.source, row, rec, columns, intake.errors, {"credit_code"}, entry_rows,
                             related_columns)
        if profile is None:
            intake.errors.append(CellError(clients.source, row, "(row)", "", "the row could not be read"))
            continue
        intake.clients.append(Client(row, key, profile, found.name, notes))
    intake.rows_used[clients.source] = len(intake.clients)
    for name, groups in children.items():
        table = related_table(related, name)
        for key, entries in groups.items():
            if (name, key) not in joined:
                for row, _ in entries:
                    intake.errors.append(CellError(table.source, row, "统一社会信用代码", key.split(":", 1)[1],
                                                   "matches no client in the client table"))
    return intake


def related_table(related: dict[str, Table] | None, name: str) -> Table:
    assert related is not None
    return related[name]

