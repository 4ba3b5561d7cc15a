"""`screen` over a registry folder (the columnar layout): the columnar backend above a size, evaluate() below.

Both ways write the same tables: ``results`` (one row per client and applicable item, the columns of
``tables.RESULT_COLUMNS``), ``summary`` (one row per client) and ``errors`` (cells the profile cannot hold, left
unknown). ``row`` is the company's 1-based position in ``companies.parquet``. Above the size the reports are
written only for the clients named with ``--drill``: each is evaluated by evaluate() for its reasons and questions.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from ipsubsidy.columnar.dialect import sql_text
from ipsubsidy.intake.build import CellError, Client, Intake
from ipsubsidy.policy.model import PolicySet
from ipsubsidy.result import STATUS_LABELS, Status, label

__all__ = ["COLUMNAR_FORMATS", "client_row", "registry_intake", "write_columnar"]

COLUMNAR_FORMATS = ("parquet", "csv", "jsonl")
"""What the columnar path writes (DuckDB streams them; .xlsx holds at most 1,048,576 rows)."""


def _errors(bad: list[tuple[str, str, int | None, str, str, str]], rows: dict[str, int]) -> list[CellError]:
    return [CellError(f"{table}.parquet", rows.get(key, 0), column if idx is None else f"{column}[{idx}]", value,
                      expected) for table, key, idx, column, value, expected in bad]


def _rows(registry: Any, keys: list[str] | None = None) -> dict[str, int]:
    """Key → 1-based position in companies.parquet (in key order for in-memory tables): every company's, or
    those of ``keys``."""
    if keys is None:
        return dict(registry.con.sql("SELECT key, _row FROM raw_companies_rows").fetchall())
    return dict(registry.con.execute("SELECT key, _row FROM raw_companies_rows WHERE list_contains(?, key)",
                                     [keys]).fetchall())


def client_row(registry: Any, key: str) -> int:
    """One company's ``row`` (as in the tables)."""
    return _rows(registry, [key]).get(key, 0)


def registry_intake(registry: Any) -> Intake:
    """Every company of a (cleaned) registry as a client, for evaluate(): the path below the size."""
    rows = _rows(registry)
    intake = Intake(errors=_errors(registry.clean(), rows))
    for key, row in sorted(rows.items(), key=lambda kv: kv[1]):
        intake.clients.append(Client(row=row, key=key, profile=registry.company(key)))
    intake.rows_read = intake.rows_used = {str(registry.files.get("companies", "companies")): len(rows)}
    return intake


def _items(policies: PolicySet, lang: str) -> list[dict[str, Any]]:
    from ipsubsidy.result import yuan

    out = []
    for item in policies.items:
        stated = item.stated_amount
        citation = f"{item.document.meta.title.zh} {item.spec.citation.section}：{item.spec.citation.quote}"
        out.append({"id": item.id, "title": item.title.en if lang == "en" else item.title.zh,
                    "class": str(item.spec.benefit.class_), "class_label": label(item.spec.benefit.class_, lang),
                    "per_unit": None if stated is None else yuan(stated), "citation": citation})
    return out


def _notices(policies: PolicySet, cities: list[str], as_of: dt.date, lang: str) -> list[dict[str, Any]]:
    """What evaluate() says before any item, per city (it depends on the city and the date only)."""
    from ipsubsidy.evaluate import evaluate
    from ipsubsidy.profile import Company

    out = []
    for city in cities:
        result = evaluate(Company(city=city), as_of, policies=policies, backend="python")
        out.append({"city": city, "notice": "；".join(n(lang) for n in result.notices)})
    return out


def _reader(path: Path) -> str:
    fmt = path.suffix.lstrip(".")
    if fmt == "parquet":
        return f"read_parquet({sql_text(path)})"
    if fmt == "jsonl":
        return f"read_json({sql_text(path)}, format = 'newline_delimited')"
    return f"read_csv({sql_text(path)}, header = true, all_varchar = true)"


def _copy(con: Any, query: str, path: Path) -> Path:
    """``query`` streamed to ``path``; a CSV goes to a plain file first (see ``_bom``). The file written."""
    fmt = path.suffix.lstrip(".")
    if fmt == "csv":
        path = path.with_suffix(".plain.csv")
    options = {"parquet": "FORMAT parquet", "jsonl": "FORMAT json", "csv": "FORMAT csv, HEADER"}[fmt]
    con.execute(f"COPY ({query}) TO {sql_text(path)} ({options})")
    return path


def _bom(plain: Path) -> None:
    """A plain CSV file made UTF-8 with a BOM, as the other path writes it, so Excel reads the Chinese."""
    if not plain.name.endswith(".plain.csv"):
        return
    final = plain.with_name(plain.name.removesuffix(".plain.csv") + ".csv")
    with final.open("wb") as out, plain.open("rb") as src:
        out.write("\ufeff".encode())
        shutil.copyfileobj(src, out, 1 << 20)
    plain.unlink()


def _enum(con: Any, kind: str, values: list[Any]) -> str:
    """An ENUM type ``kind`` of ``values`` and the empty text (what a missing value is written as); its name."""
    con.execute(f"DROP TYPE IF EXISTS {kind}")
    listed = ", ".join(sql_text(v) for v in dict.fromkeys(["", *map(str, values)]))
    con.execute(f"CREATE TYPE {kind} AS ENUM ({listed})")
    return kind


def _as_enums(con: Any, table: str, columns: tuple[str, ...]) -> None:
    """``table`` rebuilt with ``columns`` of an ENUM type each (NULLs kept)."""
    casts = []
    for column in columns:
        values = [v for (v,) in con.sql(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()]
        kind = _enum(con, f"_{table.strip('_')}_{column}", values)
        casts.append(f"CAST({column} AS {kind}) AS {column}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_e AS SELECT * REPLACE ({', '.join(casts)}) FROM {table}")
    con.unregister(table)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {table}_e")


def _clients_view(con: Any, notices: list[dict[str, Any]]) -> str:
    """``_clients``: the companies with the columns each of their rows of results repeats (credit code, name, city
    and the city's notice), made once per company instead of once per row, the texts as enumerations."""
    city = _enum(con, "_city_enum", [n["city"] for n in notices])
    notice = _enum(con, "_notice_enum", [n["notice"] for n in notices])
    by_city = " ".join(f"WHEN {sql_text(n['city'])} THEN CAST({sql_text(n['notice'])} AS {notice})" for n in notices)
    chosen = f"CASE c.city {by_city} ELSE CAST('' AS {notice}) END" if by_city else f"CAST('' AS {notice})"
    return ("CREATE OR REPLACE TEMP VIEW _clients AS SELECT c.*, coalesce(c.credit_code, '') AS _credit_code, "
            f"coalesce(c.name, '') AS _name, CAST(coalesce(c.city, '') AS {city}) AS _city, {chosen} AS _notice "
            "FROM companies_rows c")


# an item's amount as the other path writes it: the subtotal in whole yuan where it is whole, else the amount per
# unit the document states, else nothing
_AMOUNT = ("CASE WHEN d.subtotal IS NULL THEN coalesce(i.per_unit, '') WHEN d.subtotal = trunc(d.subtotal) "
           "THEN CAST(CAST(d.subtotal AS BIGINT) AS VARCHAR) ELSE CAST(d.subtotal AS VARCHAR) END")


def write_columnar(registry: Any, as_of: dt.date, out: Path, fmt: str, lang: str) -> dict[str, int]:
    """Results, summary and errors of every company, computed and streamed by DuckDB; counts for the last line.

    The plan runs once, straight into the results table; the summary is read back from that table.
    """
    import pyarrow as pa

    policies: PolicySet = registry.policies
    con = registry.con
    bad = registry.clean()
    errors = _errors(bad, _rows(registry, list({b[1] for b in bad})) if bad else {})
    con.register("_items", pa.Table.from_pylist(_items(policies, lang)))
    con.register("_labels", pa.Table.from_pylist([{"status": s.value, "status_label": label(s, lang)}
                                                  for s in STATUS_LABELS]))
    cities = [c for (c,) in con.sql("SELECT DISTINCT city FROM companies WHERE city IS NOT NULL").fetchall()]
    con.execute("SET preserve_insertion_order = false")
    # the texts repeated on every row as enumerations: the Parquet writer then takes their dictionary as it is
    # instead of hashing 18 million titles and citations
    _as_enums(con, "_items", ("id", "title", "class", "class_label", "per_unit", "citation"))
    _as_enums(con, "_labels", ("status", "status_label"))
    con.execute(_clients_view(con, _notices(policies, cities, as_of, lang)))
    # the company's columns ride along in the plan (its row number read with the file): a join of the plan's rows
    # with the companies would make DuckDB hash the larger side
    plan = registry.plan(as_of, carry=("_row", "_credit_code", "_name", "_city", "_notice"), companies="_clients")
    results = (
        "SELECT d._row AS row, d._credit_code AS credit_code, d._name AS name, d._city AS city, i.id AS item, "
        f"i.title, l.status, l.status_label, i.class, i.class_label, {_AMOUNT} AS amount, d.units, i.citation, "
        "replace(d.missing, ',', '; ') AS missing, d._notice AS notice "
        f"FROM ({plan}) d JOIN _items i ON i.id = d.item JOIN _labels l ON l.status = d.status")
    written = _copy(con, results, out / f"results.{fmt}")
    counts = ", ".join(f"nullif(count(*) FILTER (WHERE status = '{s.value}'), 0) AS items_{s.value}"
                       for s in sorted(STATUS_LABELS, key=lambda s: s.value))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _per_client AS SELECT CAST(row AS BIGINT) AS row, count(*) AS n, "
        "sum(CAST(nullif(amount, '') AS DECIMAL(18,2))) FILTER "
        f"(WHERE status = '{Status.eligible.value}' AND class = 'claimable') AS total, {counts} "
        f"FROM {_reader(written)} GROUP BY row")
    seen = con.sql("SELECT * FROM _per_client LIMIT 0").columns
    present = [c for c in seen if c.startswith("items_")
               and con.sql(f"SELECT 1 FROM _per_client WHERE {c} IS NOT NULL LIMIT 1").fetchall()]
    summary = (
        "SELECT c.row, c.credit_code, c.name, c.city, CAST(CAST(coalesce(p.total, 0) AS DECIMAL(18,2)) AS VARCHAR) "
        f"AS claimable_total, {''.join(f'p.{c}, ' for c in present)}'' AS first_question, c.notice "
        "FROM (SELECT _row AS row, _credit_code AS credit_code, _name AS name, _city AS city, _notice AS notice "
        "FROM _clients) c LEFT JOIN _per_client p ON p.row = c.row")
    _bom(_copy(con, summary, out / f"summary.{fmt}"))
    decided, clients_n = con.sql("SELECT coalesce(sum(n), 0), (SELECT count(*) FROM companies) FROM _per_client"
                                 ).fetchall()[0]
    _bom(written)
    con.register("_errors", pa.Table.from_pylist(
        [{"table": e.table, "row": e.row, "column": e.column, "value": e.value, "expected": e.expected,
          "severity": e.severity} for e in errors],
        schema=pa.schema([(n, pa.int64() if n == "row" else pa.string())
                          for n in ("table", "row", "column", "value", "expected", "severity")])))
    _bom(_copy(con, "SELECT * FROM _errors", out / f"errors.{fmt}"))
    return {"clients": int(clients_n), "rows": int(decided), "errors": len(errors)}
