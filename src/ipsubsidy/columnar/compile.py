"""Each item's condition tree compiled into SQL over the registry tables, with evaluate()'s statuses.

Companies are taken city by city (and those of unknown city apart): each part reads only its city's companies and
their list entries, and decides only its city's items. A part is one pipeline: ``wide`` (one row per company: its
scalar facts and, per item counting a collection, how many entries qualify, are unknown, and which facts of theirs
are missing), then per item its applicability, truth, quantity and missing facts as columns, then those columns
turned into one row per applicable item. Nothing is materialised, so the parts stream. Truth is SQL's
three-valued logic, which is Kleene's: NULL is unknown. Money stays DECIMAL; a ratio a/b ≥ p/q is decided as
a·q ≥ p·b in whole fen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from ipsubsidy.caps import rules_beyond_conditions
from ipsubsidy.columnar.dialect import Dialect, sql_text
from ipsubsidy.columnar.tables import COLLECTIONS, unit_model
from ipsubsidy.errors import IpSubsidyError
from ipsubsidy.policy.conditions import All, Any_, Compare, Condition, Not, field_type, leaves
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company
from ipsubsidy.result import HOLDS, BenefitClass, Status
from ipsubsidy.size_readings import READINGS

__all__ = ["Part", "Plan", "UnsupportedPolicyError", "compile_plan"]

class UnsupportedPolicyError(IpSubsidyError):
    """A policy the columnar backend cannot decide exactly as evaluate() does."""


_SQL_OP = {"eq": "=", "ne": "<>", "ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


@dataclass(frozen=True)
class Part:
    """The statement deciding one city's items for that city's companies (``city`` None: companies of unknown city,
    every item)."""

    city: str | None
    sql: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """The SQL of one policy set at one date: one statement per part; ``sql`` is all of them at once."""

    parts: tuple[Part, ...]
    items: tuple[str, ...]

    @property
    def sql(self) -> str:
        """Every (company, applicable item) row: key, item, claimable, status, quantity, subtotal, missing, units."""
        return " UNION ALL ".join(f"({p.sql})" for p in self.parts)


def _no_rows(dialect: Dialect, carry: Sequence[str]) -> Part:
    text = dialect.text
    carried = "".join(f"CAST(NULL AS {text}) AS {dialect.ident(c)}, " for c in carry)
    return Part(None, f"SELECT CAST(NULL AS {text}) AS key, {carried}CAST(NULL AS {text}) AS item, FALSE AS claimable, "
                f"CAST(NULL AS {text}) AS status, CAST(NULL AS BIGINT) AS quantity, "
                f"CAST(NULL AS DECIMAL(18,2)) AS subtotal, CAST(NULL AS {text}) AS missing, CAST(0 AS BIGINT) AS units "
                "WHERE FALSE", ())


def _literal(value: Any, kind: str) -> str:
    if kind == "money":
        return f"CAST({sql_text(str(Decimal(value)))} AS DECIMAL(18,2))"
    if kind == "date":
        assert isinstance(value, dt.date)
        return f"DATE '{value.isoformat()}'"
    if kind == "bool":
        return "TRUE" if value else "FALSE"
    if kind == "int":
        return str(int(value))
    return sql_text(str(value))


def _is_true(expr: str) -> str:
    return f"coalesce({expr}, FALSE)"


def _is_false(expr: str) -> str:
    return f"NOT coalesce({expr}, TRUE)"


class _Scope:
    """How facts of one model are read: company facts in ``wide``, or a unit's in its collection table."""

    def __init__(self, model: type[BaseModel], dialect: Dialect) -> None:
        self.model = model
        self.dialect = dialect

    def column(self, name: str) -> str:
        return self.dialect.ident(name)

    def size(self, name: str) -> str:
        if self.model is Company:
            return f"n__{name}"
        return self.dialect.length.format(self.column(name))

    def unknown(self, name: str) -> str:
        ftype = field_type(self.model, name)
        listed = ftype is not None and ftype.kind == "list"
        return f"{self.size(name) if listed else self.column(name)} IS NULL"


def _leaf(leaf: Compare, scope: _Scope) -> str:
    if leaf.count:
        return f"({scope.size(leaf.fact)} {_SQL_OP[leaf.op]} {int(leaf.value)})" if leaf.op in _SQL_OP else \
            _membership(scope.size(leaf.fact), leaf.op, [str(int(v)) for v in leaf.value])
    if leaf.ratio_to is not None:
        ratio = Fraction(leaf.value)
        a, b = scope.column(leaf.fact), scope.column(leaf.ratio_to)
        num = f"CAST({a} * 100 AS DECIMAL(20,0))"
        den = f"CAST({b} * 100 AS DECIMAL(20,0))"
        cross = (f"{num} * CAST({ratio.denominator} AS DECIMAL(12,0)) {_SQL_OP[leaf.op]} "
                 f"{den} * CAST({ratio.numerator} AS DECIMAL(12,0))")
        return f"(CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL WHEN {b} = 0 THEN FALSE ELSE {cross} END)"
    column = scope.column(leaf.fact)
    if leaf.op in ("in", "not_in"):
        sql = _membership(column, leaf.op, [_literal(v, leaf.type.kind) for v in leaf.value])
    else:
        sql = f"({column} {_SQL_OP[leaf.op]} {_literal(leaf.value, leaf.type.kind)})"
    readings = _readings(leaf, scope)
    if not readings:
        return sql
    cases = " ".join(f"WHEN {column} = {sql_text(value)} THEN {_TRUTH[truth]}" for value, truth in readings.items())
    return f"(CASE {cases} ELSE {sql} END)"


_TRUTH = {True: "TRUE", False: "FALSE", None: "CAST(NULL AS BOOLEAN)"}


def _readings(leaf: Compare, scope: _Scope) -> dict[str, bool | None]:
    """For a company fact with uncertain values (size 小微: small or micro), the leaf's truth for each: true or
    false when every exact reading agrees, unknown when they differ — as evaluate() merges the readings."""
    if scope.model is not Company or leaf.fact != "size" or leaf.count or leaf.ratio_to is not None:
        return {}
    if leaf.op not in ("eq", "ne", "in", "not_in"):
        raise UnsupportedPolicyError(f"size is compared with {leaf.op!r}: only eq, ne, in and not_in are compiled")
    out: dict[str, bool | None] = {}
    for uncertain, exact in READINGS.items():
        seen = {_holds(leaf, reading.value) for reading in exact}
        out[uncertain.value] = seen.pop() if len(seen) == 1 else None
    return out


def _holds(leaf: Compare, value: str) -> bool:
    threshold = leaf.value
    if leaf.op in ("in", "not_in"):
        inside = value in {getattr(v, "value", v) for v in threshold}
        return inside if leaf.op == "in" else not inside
    same = value == getattr(threshold, "value", threshold)
    return same if leaf.op == "eq" else not same


def _membership(column: str, op: str, values: list[str]) -> str:
    # the values are never NULL, so SQL's IN is Kleene's: NULL only when the column is NULL
    return f"({column} {'IN' if op == 'in' else 'NOT IN'} ({', '.join(values)}))"


def condition_sql(cond: Condition, scope: _Scope) -> str:
    """A boolean SQL expression, NULL when unknown, meaning exactly what evaluate_condition means."""
    if isinstance(cond, Compare):
        return _leaf(cond, scope)
    if isinstance(cond, Not):
        return f"(NOT {condition_sql(cond.child, scope)})"
    if not cond.children:
        return "TRUE" if isinstance(cond, All) else "FALSE"
    joiner = " AND " if isinstance(cond, All) else " OR "
    assert isinstance(cond, All | Any_)
    return "(" + joiner.join(condition_sql(c, scope) for c in cond.children) + ")"


def _facts(cond: Condition) -> list[str]:
    return list(dict.fromkeys(name for leaf in leaves(cond) for name in leaf.facts))


def _join(parts: list[str]) -> str:
    """Texts joined by commas, NULL and empty parts left out (concat_ws skips NULLs in both dialects)."""
    if not parts:
        return "''"
    return f"concat_ws(',', {', '.join(f'NULLIF({p}, {EMPTY})' for p in parts)})"


EMPTY = "''"


def _missing_text(cond: Condition, scope: _Scope, path: str | None = None, skip: tuple[str, ...] = ()) -> str:
    """The names (or ``C[idx].name`` paths) of the condition's facts that are unknown, comma-separated."""
    entries = []
    for name in _facts(cond):
        if name in skip:
            continue
        label = sql_text(name) if path is None else f"concat({path}, {sql_text('].' + name)})"
        unknown = scope.unknown(name)
        open_values = sorted({value for leaf in leaves(cond) if leaf.fact == name
                              for value, truth in _readings(leaf, scope).items() if truth is None})
        if open_values:
            unknown = f"({unknown} OR {scope.column(name)} IN ({', '.join(map(sql_text, open_values))}))"
        entries.append(f"CASE WHEN {unknown} THEN {label} END")
    return f"concat_ws(',', {', '.join(entries)})" if entries else EMPTY


def _unit_truth(item: Item, scope: _Scope, as_of: dt.date) -> str:
    """A unit's decision with units dated after ``as_of`` not counted (evaluate._not_after)."""
    truth = condition_sql(item.unit_condition, scope)
    counts = item.spec.counts
    assert counts is not None and item.unit_model is not None
    if counts.date is None:
        return truth
    ftype = field_type(item.unit_model, counts.date)
    assert ftype is not None
    column = scope.column(counts.date)
    late = f"{column} > {as_of.year}" if ftype.kind == "int" else f"{column} > DATE '{as_of.isoformat()}'"
    return f"(CASE WHEN NOT coalesce({truth} = FALSE, FALSE) AND coalesce({late}, FALSE) THEN FALSE ELSE {truth} END)"


def _per_year(item: Item) -> bool:
    counts = item.spec.counts
    return bool(counts and counts.per_year and counts.date and item.window_start and item.window_end)


def _aggregate(collection: str, items: list[tuple[int, Item]], dialect: Dialect, as_of: dt.date) -> str:
    scope = _Scope(unit_model(collection), dialect)
    cols = ["key", "count(*) AS n"]
    for i, item in items:
        u = _unit_truth(item, scope, as_of)
        cols.append(f"sum(CASE WHEN {_is_true(u)} THEN 1 ELSE 0 END) AS y{i}")
        cols.append(f"sum(CASE WHEN {u} IS NULL THEN 1 ELSE 0 END) AS m{i}")
        path = f"concat({sql_text(collection + '[')}, CAST(idx AS {dialect.text}))"
        unknown = _missing_text(item.unit_condition, scope, path)
        cols.append(f"{dialect.collect.format(f'CASE WHEN {u} IS NULL THEN NULLIF({unknown}, {EMPTY}) END')} AS um{i}")
        if _per_year(item):
            assert item.window_start is not None and item.window_end is not None and item.spec.counts is not None
            assert item.spec.counts.date is not None
            year = scope.column(item.spec.counts.date)
            cols.append(f"sum(CASE WHEN {_is_false(u)} AND {year} BETWEEN {item.window_start.year} AND "
                        f"{item.window_end.year} THEN 1 ELSE 0 END) AS f{i}")
            cols.append(f"{dialect.gather.format(year)} AS yr{i}")
    return f"SELECT {', '.join(cols)} FROM {collection} GROUP BY key"


def _wide(items: Sequence[Item], dialect: Dialect, as_of: dt.date, tables: dict[str, str],
          present: frozenset[str] | None) -> str:
    by_collection: dict[str, list[tuple[int, Item]]] = {}
    for i, item in enumerate(items):
        if item.collection is not None:
            by_collection.setdefault(item.collection, []).append((i, item))
    used = set(by_collection) | {leaf.fact for item in items for leaf in leaves(item.qualifies) if leaf.count}
    ctes, joins, cols = [], [], ["c.*"]
    for collection in COLLECTIONS:
        if collection not in used:
            continue
        known = f"coalesce(c.{collection}_known, FALSE)"
        counted = by_collection.get(collection, [])
        if present is not None and collection not in present:  # no rows: every given list is empty
            cols.append(f"CASE WHEN {known} THEN 0 END AS n__{collection}")
            for i, item in counted:
                cols += [f"0 AS y{i}", f"0 AS m{i}", f"CASE WHEN {known} THEN CAST(NULL AS {dialect.text}) "
                         f"ELSE {sql_text(collection)} END AS um{i}"]
                if _per_year(item):
                    cols += [f"0 AS f{i}", f"CAST(NULL AS ARRAY<BIGINT>) AS yr{i}" if dialect.name == "spark"
                             else f"CAST(NULL AS BIGINT[]) AS yr{i}"]
            continue
        alias = f"a_{collection}"
        agg = _aggregate(collection, counted, dialect, as_of)
        ctes.append(f"{alias} AS ({agg.replace(f'FROM {collection} ', f'FROM {tables[collection]} ')})")
        joins.append(f"LEFT JOIN {alias} ON {alias}.key = c.key")
        cols.append(f"CASE WHEN {known} THEN coalesce({alias}.n, 0) END AS n__{collection}")
        for i, item in counted:
            cols.append(f"CASE WHEN {known} THEN coalesce({alias}.y{i}, 0) ELSE 0 END AS y{i}")
            cols.append(f"CASE WHEN {known} THEN coalesce({alias}.m{i}, 0) ELSE 0 END AS m{i}")
            cols.append(f"CASE WHEN {known} THEN {alias}.um{i} ELSE {sql_text(collection)} END AS um{i}")
            if _per_year(item):
                cols.append(f"coalesce({alias}.f{i}, 0) AS f{i}")
                cols.append(f"{alias}.yr{i} AS yr{i}")
    head = f"WITH {', '.join(ctes)} " if ctes else ""
    return f"{head}SELECT {', '.join(cols)} FROM {tables['companies']} c {' '.join(joins)}"


def _count_truth(i: int, item: Item) -> str:
    counts = item.spec.counts
    assert counts is not None and item.collection is not None
    known = f"coalesce({item.collection}_known, FALSE)"
    parts = [f"WHEN y{i} >= {counts.at_least} THEN TRUE", f"WHEN NOT {known} THEN NULL"]
    if _per_year(item):
        assert item.window_start is not None and item.window_end is not None
        years = item.window_end.year - item.window_start.year + 1
        parts.append(f"WHEN f{i} = {years} THEN FALSE ELSE NULL")
    else:
        parts.append(f"WHEN y{i} + m{i} < {counts.at_least} THEN FALSE ELSE NULL")
    return f"(CASE {' '.join(parts)} END)"


def _late_profile(item: Item, as_of: dt.date, dialect: Dialect) -> str | None:
    """True when a company date the condition tests lies after ``as_of`` (evaluate._late_facts)."""
    dates = [n for n in _facts(item.qualifies) if (t := field_type(Company, n)) is not None and t.kind == "date"]
    if not dates:
        return None
    return " OR ".join(f"coalesce({dialect.ident(n)} > DATE '{as_of.isoformat()}', FALSE)" for n in dates)


def _item_columns(i: int, item: Item, dialect: Dialect, as_of: dt.date) -> tuple[list[str], list[str]]:
    """Item ``i``'s columns over ``wide`` (applies, truth, quantity, missing) and over those (the output fields)."""
    scope = _Scope(Company, dialect)
    kinds = ", ".join(sql_text(str(getattr(b, "value", b))) for b in item.spec.beneficiaries)
    applies = f"(city = {sql_text(item.document.city)} AND entity_type IN ({kinds}))"
    q = condition_sql(item.qualifies, scope)
    late = _late_profile(item, as_of, dialect)
    q_late = f"(CASE WHEN {_is_true(q)} AND ({late}) THEN FALSE ELSE {q} END)" if late else q
    truth_parts = [applies, q_late]
    # city and entity_type are named by the first part whenever unknown (the item applies only then as unknown),
    # so the condition's part leaves them out: every name appears once, no de-duplication needed
    missing = ["CASE WHEN city IS NULL THEN 'city' END", "CASE WHEN entity_type IS NULL THEN 'entity_type' END",
               f"CASE WHEN NOT {_is_true(q)} THEN "
               f"{_missing_text(item.qualifies, scope, skip=('city', 'entity_type'))} END"]
    qualifying = "0"
    if item.collection is not None:
        count = _count_truth(i, item)
        truth_parts.append(count)
        missing.append(f"um{i}")
        qualifying = f"y{i}"
        if _per_year(item):
            assert item.window_start is not None and item.window_end is not None and item.spec.counts is not None
            name = f"{item.collection}[{item.spec.counts.date}="
            years = [f"CASE WHEN yr{i} IS NULL OR NOT {dialect.contains.format(f'yr{i}', y)} "
                     f"THEN {sql_text(f'{name}{y}]')} END"
                     for y in range(item.window_start.year, item.window_end.year + 1)]
            known = f"coalesce({item.collection}_known, FALSE)"
            missing.append(f"CASE WHEN {known} AND {count} IS NULL THEN concat_ws(',', {', '.join(years)}) END")
    truth = "(" + " AND ".join(truth_parts) + ")"
    quantity = qualifying if item.per_unit is not None else "1"
    first = [f"((city IS NULL OR city = {sql_text(item.document.city)}) AND coalesce({applies}, TRUE)) AS a{i}",
             f"{truth} AS t{i}", f"{quantity} AS q{i}", f"{_join(missing)} AS w{i}", f"{qualifying} AS u{i}"]
    t = f"t{i}"
    holds = HOLDS[item.benefit_class]
    until = item.claim_until
    closed = until is not None and as_of > until
    if as_of < item.opens:
        when_open = f"'{Status.not_yet_in_force.value}'"
    elif closed:
        when_open = f"'{Status.expired.value}'"
    else:
        when_open = f"CASE WHEN {t} IS NULL THEN '{Status.needs_info.value}' ELSE '{holds.value}' END"
    status = f"CASE WHEN NOT a{i} THEN NULL WHEN {_is_false(t)} THEN '{Status.not_eligible.value}' ELSE {when_open} END"
    stated = item.stated_amount
    pays = holds == Status.eligible and stated is not None and item.open_at(as_of)
    subtotal = (f"CASE WHEN a{i} AND {_is_true(t)} THEN CAST({_literal(stated, 'money')} * q{i} AS DECIMAL(18,2)) END"
                if pays else "CAST(NULL AS DECIMAL(18,2))")
    expires = closed and not as_of < item.opens  # nothing is worth asking about a closed document
    missing_out = f"CASE WHEN {_is_false(t)} THEN w{i} ELSE {EMPTY} END" if expires else f"w{i}"
    second = [f"{status} AS s{i}", f"CASE WHEN a{i} AND {_is_true(t)} THEN CAST(q{i} AS BIGINT) END AS n{i}",
              f"{subtotal} AS v{i}", f"CASE WHEN a{i} THEN {missing_out} END AS x{i}",
              # the units listed with the item (ItemResult.units): the qualifying ones, once it holds
              f"CASE WHEN a{i} AND {_is_true(t)} THEN CAST(u{i} AS BIGINT) ELSE 0 END AS k{i}"]
    return first, second


def _part(city: str | None, items: Sequence[Item], dialect: Dialect, as_of: dt.date, tables: dict[str, str],
          present: frozenset[str] | None, carry: Sequence[str] = ()) -> Part:
    """One city's companies (or those of unknown city) against ``items``: one streaming statement."""
    chosen = "city IS NULL" if city is None else f"city = {sql_text(city)}"
    companies = tables["companies"]
    local = {"companies": f"(SELECT * FROM {companies} WHERE {chosen})"}
    for collection in COLLECTIONS:
        local[collection] = (f"(SELECT * FROM {tables[collection]} WHERE key IN "
                             f"(SELECT key FROM {companies} WHERE {chosen})) AS t_{collection}")
    wide = _wide(items, dialect, as_of, local, present)
    first: list[str] = []
    second: list[str] = []
    for i, item in enumerate(items):
        a, b = _item_columns(i, item, dialect, as_of)
        first += a
        second += b
    claimable = ["TRUE" if item.benefit_class == BenefitClass.claimable else "FALSE" for item in items]
    rows = dialect.unpivot([sql_text(item.id) for item in items], claimable, len(items))
    head = ", ".join(["key", *(dialect.ident(c) for c in carry)])
    sql = (f"SELECT * FROM (SELECT {head}, {rows} FROM (SELECT {head}, {', '.join(second)} FROM "
           f"(SELECT {head}, {', '.join(first)} FROM ({wide}) wide) decided) unpivoted) out WHERE status IS NOT NULL")
    return Part(city, sql, tuple(item.id for item in items))


def compile_plan(policies: PolicySet, as_of: dt.date, dialect: Dialect,
                 tables: dict[str, str] | None = None, present: frozenset[str] | None = None,
                 cities: Sequence[str | None] | None = None, carry: Sequence[str] = ()) -> Plan:
    """The SQL deciding every item of ``policies`` for every company of the registry, as of ``as_of``.

    ``tables`` maps ``companies`` and each collection to the relation to read (default: the same name);
    ``present``, when given, names the collections that have rows: the others are not read or joined.
    ``cities`` chooses the parts (default: every city with a document, then the companies of unknown city);
    companies of a city without a document have no applicable item, so no rows. ``carry`` names columns of
    ``companies`` copied onto each of the company's rows, after ``key`` (so no join with the companies is needed).
    """
    beyond = rules_beyond_conditions(policies)
    if beyond:  # caps, tiers, 不重复享受 and caps over several items are not compiled (yet): refused, not guessed
        raise UnsupportedPolicyError(
            "the columnar backend does not apply caps, tiers or 不重复享受 (stacking) rules, which "
            f"{'; '.join(beyond[:3])}{' …' if len(beyond) > 3 else ''} have: screen these policies with evaluate()")
    names = {name: name for name in ("companies", *COLLECTIONS)} | (tables or {})
    chosen = [*dict.fromkeys(d.city for d in policies.documents), None] if cities is None else list(cities)
    parts = []
    for city in chosen:
        items = policies.items_in(city)
        if items:
            parts.append(_part(city, items, dialect, as_of, names, present, carry))
    return Plan(parts=tuple(parts) or (_no_rows(dialect, carry),), items=tuple(item.id for item in policies.items))
