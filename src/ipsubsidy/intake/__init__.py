"""Tabular input: client and related tables from .xlsx, .csv, JSON Lines or Parquet, read into profiles."""

from __future__ import annotations

from ipsubsidy.intake.build import CellError, Intake, build_profiles
from ipsubsidy.intake.headers import HEADERS, load_header_map
from ipsubsidy.intake.readers import Table, read_table

__all__ = ["HEADERS", "CellError", "Intake", "Table", "build_profiles", "load_header_map", "read_table"]
