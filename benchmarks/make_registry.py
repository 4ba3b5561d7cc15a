"""Write an examples-style registry of N companies to a folder of Parquet files (the columnar layout).

    python benchmarks/make_registry.py OUT_DIR [--n 1000000] [--seed 1]

Each company: a city (six in ten 晋中, the rest Xiamen, Hefei, Harbin and Cangzhou), mostly enterprises,
a size, a few yes/no facts (some unknown), the first invention grant derived as validation derives it,
three patents (CN inventions and utility models with valid numbers, one in five granted abroad; grant
dates 2018-2024), one fiscal year with R&D, sales and commercialisation figures (some on the 5% bound,
some unknown); listings, Madrid registrations and brand-plan selections for a few companies; every
other list unknown. Deterministic for a seed.
Written by DuckDB straight to Parquet; a million companies take a few seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ipsubsidy.columnar.tables import COLLECTIONS, schema_of
from ipsubsidy.identifiers import patent_check_digit

POOL = 997  # valid CN numbers to draw from (a prime, so a company's three are distinct)


def _pool() -> pa.Table:
    rows = []
    for j in range(POOL):
        type_digit = 1 if j % 3 else 2
        digits = f"{2015 + j % 8}{type_digit}{j * 7919 % 10_000_000:07d}"
        rows.append({"j": j, "number": f"{digits}.{patent_check_digit(digits)}",
                     "kind": "invention" if type_digit == 1 else "utility_model"})
    return pa.Table.from_pylist(rows)


def _h(expr: str, salt: int) -> str:
    """A deterministic pseudo-random integer 0..9999 from an expression."""
    return f"(hash({expr}, {salt}) % 10000)"


def make(out: Path, n: int, seed: int) -> dict[str, float]:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.register("pool", _pool())
    s = seed * 100
    timings: dict[str, float] = {}
    start = time.perf_counter()
    companies = f"""
      SELECT 'c' || lpad(CAST(i AS VARCHAR), 9, '0') AS key, NULL::VARCHAR AS name, NULL::VARCHAR AS credit_code,
        CASE WHEN {_h('i', s + 1)} < 6000 THEN 'jinzhong' WHEN {_h('i', s + 1)} < 7000 THEN 'xiamen'
             WHEN {_h('i', s + 1)} < 8000 THEN 'hefei' WHEN {_h('i', s + 1)} < 9000 THEN 'harbin'
             WHEN {_h('i', s + 1)} < 9900 THEN 'cangzhou' END AS city,
        NULL::VARCHAR AS district,
        CASE WHEN {_h('i', s + 2)} < 9000 THEN 'enterprise' WHEN {_h('i', s + 2)} < 9500 THEN 'university' END
          AS entity_type,
        CASE {_h('i', s + 3)} % 5 WHEN 0 THEN 'large' WHEN 1 THEN 'medium' WHEN 2 THEN 'small' WHEN 3 THEN 'micro'
          END AS size,
        NULL::VARCHAR AS industry,
        {', '.join(f"CASE WHEN {_h('i', s + 10 + k)} < 3000 THEN NULL ELSE {_h('i', s + 20 + k)} < 3000 END AS {name}"
                   for k, name in enumerate(("ip_professional", "startup", "has_own_ip", "leading_enterprise",
                                             "enterprise_head", "outstanding_innovation",
                                             "ip_work_contribution")))},
        fip.first AS first_invention_patent_date,
        {', '.join(f"{known} AS {c}_known" for c, known in _known().items())}
      FROM range({n}) t(i) LEFT JOIN (
        -- as the profile's validation derives it: the earliest invention grant, when every invention is dated
        SELECT key, CASE WHEN count(*) FILTER (WHERE kind = 'invention' AND grant_date IS NULL) = 0
                    THEN min(grant_date) FILTER (WHERE kind = 'invention') END AS first
        FROM read_parquet('{out / "patents.parquet"}') GROUP BY key
      ) fip ON fip.key = 'c' || lpad(CAST(i AS VARCHAR), 9, '0')"""
    patents = f"""
      SELECT 'c' || lpad(CAST(i AS VARCHAR), 9, '0') AS key, CAST(k AS INTEGER) AS idx,
        CASE WHEN foreign_ THEN 'US' || CAST(10000000 + (i * 3 + k) % 89999999 AS VARCHAR) || 'B2'
             ELSE p.number END AS number,
        CASE WHEN foreign_ THEN 'US' ELSE 'CN' END AS office,
        CASE WHEN foreign_ THEN 'invention' ELSE p.kind END AS kind,
        NULL::BOOLEAN AS via_pct, NULL::DATE AS filing_date,
        CASE WHEN {_h('i * 3 + k', s + 4)} < 500 THEN NULL
             ELSE DATE '2018-01-01' + CAST({_h('i * 3 + k', s + 5)} % 2557 AS INTEGER) END AS grant_date,
        NULL::VARCHAR AS title, NULL::BOOLEAN AS major, NULL::BOOLEAN AS implemented
      FROM (SELECT i, k, {_h('i * 3 + k', s + 6)} < 2000 AS foreign_ FROM range({n}) t(i), range(3) u(k)) x
      JOIN pool p ON p.j = (i * 3 + k) % {POOL}"""
    _copy(con, patents, out / "patents.parquet", "patents")
    _copy(con, companies, out / "companies.parquet", "companies")
    finances = f"""
      SELECT 'c' || lpad(CAST(i AS VARCHAR), 9, '0') AS key, 0 AS idx, 2020 + CAST(i % 3 AS BIGINT) AS year,
        CASE WHEN {_h('i', s + 7)} < 1000 THEN NULL ELSE sales END AS sales_revenue,
        main AS main_business_revenue,
        CASE WHEN {_h('i', s + 8)} < 3000 THEN sales * 5 / 100 - 0.01 * ({_h('i', s + 9)} % 3)
             ELSE CAST({_h('i', s + 11)} AS DECIMAL(18,2)) * 100 END AS rd_expense,
        main * 3 / 10 AS commercialised_revenue
      FROM (SELECT i, CAST(1000000 + {_h('i', s + 12)} * 1000 AS DECIMAL(18,2)) AS sales,
                   CAST(500000 + {_h('i', s + 13)} * 100 AS DECIMAL(18,2)) AS main FROM range({n}) t(i)) x"""
    _copy(con, finances, out / "finances.parquet", "finances")
    sparse = {
        "listings": f"""SELECT 'c' || lpad(CAST(i AS VARCHAR), 9, '0') AS key, 0 AS idx,
            'ip_demonstration_enterprise' AS kind, CASE i % 3 WHEN 0 THEN 'national' WHEN 1 THEN 'provincial'
            ELSE 'municipal' END AS level, DATE '2019-06-01' + CAST(i % 1500 AS INTEGER) AS date
            FROM range({n}) t(i) WHERE {_h('i', s + 14)} < 500""",
        "madrid_registrations": f"""SELECT 'c' || lpad(CAST(i AS VARCHAR), 9, '0') AS key, 0 AS idx,
            CAST(1000000 + i AS VARCHAR) AS number, DATE '2019-06-01' + CAST(i % 1500 AS INTEGER) AS filing_date,
            ['US', 'JP'] AS designated_countries FROM range({n}) t(i) WHERE {_h('i', s + 15)} < 300""",
        "brand_plan_selections": f"""SELECT 'c' || lpad(CAST(i AS VARCHAR), 9, '0') AS key, 0 AS idx,
            CASE WHEN i % 2 = 0 THEN 'fenghuang' ELSE 'kongque' END AS plan,
            DATE '2019-06-01' + CAST(i % 1500 AS INTEGER) AS date FROM range({n}) t(i) WHERE {_h('i', s + 16)} < 200""",
    }
    for name, query in sparse.items():
        _copy(con, query, out / f"{name}.parquet", name)
    timings["seconds"] = time.perf_counter() - start
    con.close()
    return timings


def _known() -> dict[str, str]:
    """Which lists each company gives: patents and finances always; the sparse ones for half; others unknown."""
    out = dict.fromkeys(COLLECTIONS, "NULL::BOOLEAN")
    out |= {"patents": "TRUE", "finances": "TRUE"}
    out |= dict.fromkeys(("listings", "madrid_registrations", "brand_plan_selections"), "i % 2 = 0")
    return out


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path, table: str) -> None:
    """Write ``query`` cast to the registry schema of ``table``, so every reader sees the same types."""
    schema = schema_of(table)
    given = set(con.sql(query).columns)  # a profile field the generator does not fill is unknown (NULL)
    cells = {f.name: f'q."{f.name}"' if f.name in given else "NULL" for f in schema}
    casts = ", ".join(f'CAST({cells[f.name]} AS {_duck_type(f.type)}) AS "{f.name}"' for f in schema)
    known = "WHERE " + ("TRUE" if table in ("companies", "patents", "finances") else "q.key IN "
                        f"(SELECT key FROM read_parquet('{path.parent / 'companies.parquet'}') WHERE {table}_known)")
    con.execute(f"COPY (SELECT {casts} FROM ({query}) q {known}) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)")


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    if pa.types.is_list(t):
        return "VARCHAR[]"
    return {pa.string(): "VARCHAR", pa.date32(): "DATE", pa.bool_(): "BOOLEAN", pa.int64(): "BIGINT",
            pa.int32(): "INTEGER"}[t]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    timings = make(args.out, args.n, args.seed)
    print(f"{args.n:,} companies written to {args.out} in {timings['seconds']:.1f} s")


if __name__ == "__main__":
    main()
