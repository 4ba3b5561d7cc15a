"""The screen's tables: results (one row per client and item), errors, and the per-client summary workbook."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ipsubsidy.result import ItemResult, label
from ipsubsidy.screening.run import ClientResult, Screening, claimable_total

__all__ = ["error_rows", "result_rows", "summary_rows", "write_table"]

RESULT_COLUMNS = ["row", "credit_code", "name", "city", "item", "title", "status", "status_label", "class",
                  "class_label", "amount", "units", "citation", "missing", "notice"]


def _client_cells(c: ClientResult) -> dict[str, Any]:
    p = c.client.profile
    return {"row": c.client.row, "credit_code": p.credit_code or "", "name": p.name or "",
            "city": c.client.city_zh or p.city or ""}


def _amount(item: ItemResult) -> str:
    a = item.amount
    return a.subtotal or a.per_unit or ""


def _citation(item: ItemResult) -> str:
    return f"{item.citation.document} {item.citation.section}：{item.citation.quote}"


def result_rows(screening: Screening, lang: str = "zh") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for c in screening.clients:
        base = _client_cells(c)
        if c.result is None:
            rows.append({**dict.fromkeys(RESULT_COLUMNS, ""), **base, "status": "no_encoded_policy",
                         "notice": c.notice or ""})
            continue
        notice = "；".join(n(lang) for n in c.result.notices)
        for item in c.result.all_items():
            rows.append({**base, "item": item.id, "title": item.title(lang), "status": str(item.status),
                         "status_label": label(item.status, lang), "class": str(item.benefit_class),
                         "class_label": label(item.benefit_class, lang), "amount": _amount(item),
                         "units": len(item.units), "citation": _citation(item), "missing": "; ".join(item.missing),
                         "notice": notice})
    return rows


def summary_rows(screening: Screening, lang: str = "zh") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for c in screening.clients:
        base = _client_cells(c)
        if c.result is None:
            rows.append({**base, "claimable_total": "0.00", "first_question": "", "notice": c.notice or ""})
            continue
        counts = Counter(str(i.status) for i in c.result.all_items())
        question = c.result.questions[0](lang) if c.result.questions else ""
        rows.append({**base, "claimable_total": f"{claimable_total(c.result):.2f}",
                     **{f"items_{s}": n for s, n in sorted(counts.items())}, "first_question": question,
                     "notice": "；".join(n(lang) for n in c.result.notices)})
    return rows


def error_rows(screening: Screening) -> list[dict[str, Any]]:
    return [asdict(e) for e in screening.errors]


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    return cols


def write_table(rows: list[dict[str, Any]], path: Path, sheet: str = "results") -> None:
    """Rows to .xlsx, .csv (UTF-8 with BOM, so Excel reads the Chinese), .parquet or .jsonl, by extension."""
    cols = _columns(rows) or ["row"]
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, cols)
            writer.writeheader()
            writer.writerows(rows)
    elif suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist([{c: _str(r.get(c)) for c in cols} for r in rows]), path)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet)
        ws.append(cols)
        for row in rows:
            ws.append([row.get(c) for c in cols])
        book.save(path)
    else:
        raise ValueError(f"unknown table format {suffix!r}: use .xlsx, .csv, .parquet or .jsonl")


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
