"""The compiled plan on Spark (local mode) gives the rows DuckDB gives on the same Parquet registry."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Each case costs about a minute and a half of Spark planning on 2 cores: opt-in (CI sets IPSUBSIDY_SPARK=1).
pytestmark = [pytest.mark.spark, pytest.mark.skipif(shutil.which("java") is None, reason="no Java for Spark"),
              pytest.mark.skipif(not os.environ.get("IPSUBSIDY_SPARK"), reason="Spark runs: set IPSUBSIDY_SPARK=1")]
pyspark = pytest.importorskip("pyspark")
pytest.importorskip("duckdb")

import pyarrow.parquet as pq  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ipsubsidy import Company  # noqa: E402
from ipsubsidy.columnar import Registry, tables_from_profiles  # noqa: E402
from ipsubsidy.columnar.spark import spark_results  # noqa: E402
from strategies import as_of_dates, profile_data  # noqa: E402


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("ipsubsidy-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "4g").getOrCreate())
    session.sparkContext.setLogLevel("OFF")
    yield session
    session.stop()


def _rows(frame_rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(r["key"], r["item"], r["status"], r["quantity"], r["subtotal"],
             tuple(sorted(r["missing"].split(","))) if r["missing"] else ()) for r in frame_rows}


def _same(spark: Any, folder: Path, as_of: dt.date) -> None:
    registry = Registry(folder)
    try:
        duck = _rows(registry.results(as_of).to_pylist())
    finally:
        registry.close()
    on_spark = _rows([row.asDict() for row in spark_results(spark, str(folder), as_of).collect()])
    assert on_spark == duck
    assert duck  # a registry of applicable companies gives rows


def _write(profiles: dict[str, Company], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables_from_profiles(profiles).items():
        pq.write_table(table, folder / f"{name}.parquet")


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(st.lists(profile_data(), min_size=5, max_size=12), as_of_dates())
def test_spark_equals_duckdb(spark: Any, tmp_path_factory: pytest.TempPathFactory,
                             data: list[dict[str, Any]], as_of: dt.date) -> None:
    folder = tmp_path_factory.mktemp("registry")
    _write({f"c{i}": Company.model_validate(d) for i, d in enumerate(data)}, folder)
    _same(spark, folder, as_of)
