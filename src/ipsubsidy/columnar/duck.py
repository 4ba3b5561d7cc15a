"""Running the compiled plan on DuckDB, embedded: over Arrow tables in memory or a folder of Parquet files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ipsubsidy.columnar.compile import compile_plan
from ipsubsidy.columnar.dialect import DUCKDB, sql_text
from ipsubsidy.columnar.tables import COLLECTIONS, company_from_rows, enum_values, schema_of, unit_model
from ipsubsidy.policy.loader import shipped_policies
from ipsubsidy.policy.model import PolicySet
from ipsubsidy.profile import Company
from ipsubsidy.result import Result

__all__ = ["Registry", "screen_parquet", "screen_tables"]

Tables = Mapping[str, pa.Table]


class Registry:
    """A registry opened in DuckDB: ``companies`` and every collection, from Arrow tables or Parquet files.

    A collection missing from the input is an empty table (every company's list is then known only where
    ``C_known`` says so). ``companies_rows`` is ``companies`` with ``_row``, each company's 1-based position in
    companies.parquet (in key order for tables in memory): read with the file, not joined on afterwards.
    """

    def __init__(self, source: Tables | str | Path, policies: PolicySet | None = None,
                 threads: int | None = None) -> None:
        self.policies = shipped_policies() if policies is None else policies
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        if threads is not None:
            self.con.execute(f"SET threads = {int(threads)}")
        self.files: dict[str, Path] = {}
        for name in ("companies", *COLLECTIONS):
            if isinstance(source, Mapping):
                table = source.get(name)
                self.con.register(f"raw_{name}", table if table is not None else schema_of(name).empty_table())
            else:
                path = Path(source) / f"{name}.parquet"
                if path.exists():
                    self.files[name] = path
                    self.con.execute(f"CREATE VIEW raw_{name} AS SELECT * FROM read_parquet({sql_text(path)})")
                else:
                    self.con.register(f"raw_{name}", schema_of(name).empty_table())
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM raw_{name}")
        if "companies" in self.files:
            self.con.execute("CREATE VIEW raw_companies_rows AS SELECT *, file_row_number + 1 AS _row FROM "
                             f"read_parquet({sql_text(self.files['companies'])}, file_row_number = true)")
        else:
            self.con.execute("CREATE VIEW raw_companies_rows AS SELECT *, row_number() OVER (ORDER BY key) AS _row "
                             "FROM raw_companies")
        self.con.execute("CREATE VIEW companies_rows AS SELECT * FROM raw_companies_rows")

    def clean(self) -> list[tuple[str, str, int | None, str, str, str]]:
        """Cells of an enumeration holding a value the profile does not know, made unknown (NULL) in the views the
        plan reads, as intake leaves a bad cell unknown: (table, key, idx, column, value, what was expected)."""
        bad: list[tuple[str, str, int | None, str, str, str]] = []
        for name in ("companies", *COLLECTIONS):
            model = Company if name == "companies" else unit_model(name)
            checks = {}
            for field in schema_of(name):
                allowed = enum_values(model, field.name)
                if allowed is None:
                    continue
                values = ", ".join(map(sql_text, allowed))
                checks[field.name] = (f'"{field.name}" IS NOT NULL AND "{field.name}" NOT IN ({values})',
                                      "one of " + ", ".join(allowed))
            if not checks:
                continue
            idx = "NULL" if name == "companies" else "idx"
            for column, (test, expected) in checks.items():
                rows = self.con.sql(f'SELECT key, {idx}, CAST("{column}" AS VARCHAR) FROM raw_{name} WHERE {test} '
                                    "ORDER BY key LIMIT 100000").fetchall()
                bad += [(name, key, index, column, value, expected) for key, index, value in rows]
            replace = ", ".join(f'CASE WHEN {test} THEN NULL ELSE "{column}" END AS "{column}"'
                                for column, (test, _) in checks.items())
            for view in (name, "companies_rows") if name == "companies" else (name,):
                self.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * REPLACE ({replace}) FROM raw_{view}")
        return bad

    def plan(self, as_of: dt.date, carry: tuple[str, ...] = (), companies: str = "companies") -> str:
        """The one statement giving every (company, applicable item) row (``carry``: columns of ``companies``, a
        relation over the companies view, copied onto each row)."""
        present = frozenset(c for c in COLLECTIONS if self.con.sql(f"SELECT 1 FROM {c} LIMIT 1").fetchall())
        cities = {city for (city,) in self.con.sql("SELECT DISTINCT city FROM companies").fetchall()}
        parts = [c for c in (*dict.fromkeys(d.city for d in self.policies.documents), None) if c in cities]
        return compile_plan(self.policies, as_of, DUCKDB, present=present, cities=parts, carry=carry,
                            tables={"companies": companies}).sql

    def results(self, as_of: dt.date) -> pa.Table:
        """One row per (company, applicable item): key, item, claimable, status, quantity, subtotal, missing."""
        return self.con.sql(f"{self.plan(as_of)} ORDER BY key, item").to_arrow_table()

    def totals(self, results: pa.Table) -> pa.Table:
        """Per company: the sum of eligible claimable subtotals (0 when none)."""
        self.con.register("_results", results)
        return self.con.sql(
            "SELECT c.key, CAST(coalesce(sum(r.subtotal), 0) AS DECIMAL(18,2)) AS total FROM companies c "
            "LEFT JOIN _results r ON r.key = c.key AND r.claimable GROUP BY c.key ORDER BY c.key").to_arrow_table()

    def write(self, as_of: dt.date, out: str | Path, totals: str | Path | None = None) -> None:
        """Stream the results (and the per-company totals) to Parquet without holding them in memory.

        Rows are written as they come (not in key order): ordering a registry's results would hold them all.
        """
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(f"COPY ({self.plan(as_of)}) TO {sql_text(out)} (FORMAT parquet)")
        if totals is not None:
            self.con.execute(
                "COPY (SELECT c.key, CAST(coalesce(r.total, 0) AS DECIMAL(18,2)) AS total FROM companies c "
                "LEFT JOIN (SELECT key, sum(subtotal) AS total FROM "
                f"read_parquet({sql_text(out)}) WHERE claimable AND subtotal IS NOT NULL GROUP BY key) r "
                f"ON r.key = c.key) TO {sql_text(totals)} (FORMAT parquet)")

    def company(self, key: str) -> Company:
        """One company's profile rebuilt from the tables."""
        rows = self._rows("SELECT * FROM companies WHERE key = ?", key)
        if not rows:
            raise KeyError(f"no company with key {key!r} in the registry")
        units: dict[str, list[dict[str, Any]]] = {}
        for collection in COLLECTIONS:
            units[collection] = self._rows(f"SELECT * FROM {collection} WHERE key = ? ORDER BY idx", key)
        return company_from_rows(rows[0], units)

    def _rows(self, query: str, key: str) -> list[dict[str, Any]]:
        cursor = self.con.execute(query, [key])
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def drill(self, key: str, as_of: dt.date) -> Result:
        """The full explanation for one company: its profile rebuilt and evaluated by ``evaluate()``."""
        from ipsubsidy.evaluate import evaluate

        return evaluate(self.company(key), as_of, policies=self.policies, backend="python")

    def close(self) -> None:
        self.con.close()


def screen_tables(tables: Tables, as_of: dt.date, policies: PolicySet | None = None) -> tuple[pa.Table, pa.Table]:
    """Every company of in-memory registry tables against every item: (results, totals) as Arrow tables."""
    registry = Registry(tables, policies)
    try:
        results = registry.results(as_of)
        return results, registry.totals(results)
    finally:
        registry.close()


def screen_parquet(folder: str | Path, as_of: dt.date, out: str | Path, totals: str | Path | None = None,
                   policies: PolicySet | None = None, threads: int | None = None) -> None:
    """A registry folder of Parquet files (``companies.parquet``, ``patents.parquet``, …) screened to Parquet."""
    registry = Registry(folder, policies, threads)
    try:
        registry.write(as_of, out, totals)
    finally:
        registry.close()
