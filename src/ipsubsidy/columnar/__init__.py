"""The columnar backend: every item's conditions compiled to SQL over registry tables (DuckDB; Spark)."""

from ipsubsidy.columnar.compile import Plan, compile_plan
from ipsubsidy.columnar.duck import Registry, screen_parquet, screen_tables
from ipsubsidy.columnar.tables import COLLECTIONS, company_from_rows, schema_of, tables_from_profiles

__all__ = ["COLLECTIONS", "Plan", "Registry", "company_from_rows", "compile_plan", "schema_of", "screen_parquet",
           "screen_tables", "tables_from_profiles"]
