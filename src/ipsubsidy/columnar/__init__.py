"""The columnar backend: every item's conditions compiled to SQL over registry tables (DuckDB; Spark).

Names are imported on first use, so ``ipsubsidy`` (and its CLI) works without the columnar extra.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["COLLECTIONS", "Plan", "Registry", "company_from_rows", "compile_plan", "schema_of", "screen_parquet",
           "screen_tables", "tables_from_profiles"]

_HOME = {"Plan": "compile", "compile_plan": "compile", "Registry": "duck", "screen_parquet": "duck",
         "screen_tables": "duck", "COLLECTIONS": "tables", "company_from_rows": "tables", "schema_of": "tables",
         "tables_from_profiles": "tables"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'ipsubsidy.columnar' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ipsubsidy.columnar.{_HOME[name]}"), name)
