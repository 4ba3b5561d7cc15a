"""Readers of tables by file extension: .xlsx (openpyxl), .csv (encoding detected), .jsonl, .parquet (pyarrow)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsubsidy.errors import IpSubsidyError

__all__ = ["InputFileError", "Table", "decode_text", "read_table"]


class InputFileError(IpSubsidyError):
    """A table that cannot be read at all (unknown extension, not a table, undecodable)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


@dataclass
class Table:
    """Rows of one table as read: header names as in the file, ``row`` numbers as a spreadsheet shows them."""

    source: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def decode_text(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM) first; otherwise the encoding charset-normalizer finds (GBK, GB18030 …)."""
    if b"\x00" in data[:4096]:
        raise InputFileError(path, "is a binary file, not a text table; give .xlsx, .csv, .jsonl or .parquet")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputFileError(path, "is not text in a known encoding (expected UTF-8, GBK or GB18030)")
    encoding = best.encoding
    if encoding.lower().replace("-", "").replace("_", "") in {"gb2312", "gbk", "cp936"}:
        encoding = "gb18030"  # the superset: decodes every GBK file
    return data.decode(encoding)


def _xlsx(path: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise InputFileError(str(path), f"is not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputFileError(str(path), f"has no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        headers = ["" if h is None else str(h).strip() for h in header_row or ()]
        table = Table(f"{path}:{ws.title}", headers)
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            table.rows.append((number, {h: v for h, v in zip(headers, values, strict=False) if h}))
        return table
    finally:
        book.close()


def _csv(path: Path) -> Table:
    text = decode_text(path.read_bytes(), str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = [h.strip() for h in next(reader, [])]
    table = Table(str(path), headers)
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        table.rows.append((number, {h: (v if v.strip() else None) for h, v in zip(headers, values, strict=False) if h}))
    return table


def _jsonl(path: Path) -> Table:
    text = decode_text(path.read_bytes(), str(path))
    table = Table(str(path), [])
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_float=str)  # money stays exact: coerced later as Decimal
        except json.JSONDecodeError as exc:
            raise InputFileError(str(path), f"line {number} is not JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise InputFileError(str(path), f"line {number} is not a JSON object")
        for key in record:
            if key not in table.headers:
                table.headers.append(key)
        table.rows.append((number, record))
    return table


def _parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    try:
        data = pq.read_table(path)
    except Exception as exc:  # pyarrow's ArrowInvalid and friends
        raise InputFileError(str(path), f"is not a readable Parquet file ({type(exc).__name__})") from None
    table = Table(str(path), list(data.column_names))
    for number, record in enumerate(data.to_pylist(), start=1):
        table.rows.append((number, record))
    return table


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """One table from a file, chosen by extension; ``sheet`` names an .xlsx sheet (default: the first)."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(str(p), "no such file")
    suffix = p.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx(p, sheet)
    if suffix in {".csv", ".txt"}:
        return _csv(p)
    if suffix in {".jsonl", ".ndjson"}:
        return _jsonl(p)
    if suffix == ".parquet":
        return _parquet(p)
    raise InputFileError(str(p), f"unknown table format {suffix or '(none)'}; give .xlsx, .csv, .jsonl or .parquet")
