"""Comparing the columnar backend's rows with evaluate(), item by item: shared by the property tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from ipsubsidy import Company, evaluate
from ipsubsidy.policy.model import PolicySet

__all__ = ["expected_rows", "observed_rows"]

Row = tuple[str, int | None, Decimal | None, tuple[str, ...], int]


def expected_rows(profiles: dict[str, Company], as_of: dt.date,
                  policies: PolicySet) -> tuple[dict[tuple[str, str], Row], dict[str, Decimal]]:
    """What evaluate() says of each (company, item): status, quantity, subtotal, missing (a sorted set), units."""
    rows: dict[tuple[str, str], Row] = {}
    totals: dict[str, Decimal] = {}
    for key, company in profiles.items():
        result = evaluate(company, as_of, policies=policies, backend="python")
        for item in result.all_items():
            rows[key, item.id] = (item.status.value, item.amount.quantity,
                                  None if item.amount.subtotal is None else Decimal(item.amount.subtotal),
                                  tuple(sorted(set(item.missing))), len(item.units))
        totals[key] = Decimal(result.total)
    return rows, totals


def observed_rows(results: pa.Table, totals: pa.Table) -> tuple[dict[tuple[str, str], Row], dict[str, Decimal]]:
    rows = {(r["key"], r["item"]): (r["status"], r["quantity"], r["subtotal"],
                                    tuple(sorted(r["missing"].split(","))) if r["missing"] else (), r["units"])
            for r in results.to_pylist()}
    return rows, {r["key"]: Decimal(r["total"]) for r in totals.to_pylist()}
