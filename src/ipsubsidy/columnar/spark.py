"""Running the same compiled plan on Apache Spark: Spark SQL over the registry's Parquet files.

Locally (``local[2]``) or on a cluster through ``spark-submit``; the plan is the one DuckDB runs, in Spark's
dialect. The package must be installed on the driver and the executors (it holds the policies).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ipsubsidy.columnar.compile import compile_plan
from ipsubsidy.columnar.dialect import SPARK
from ipsubsidy.columnar.tables import COLLECTIONS, schema_of
from ipsubsidy.policy.loader import shipped_policies
from ipsubsidy.policy.model import PolicySet

__all__ = ["screen_spark", "spark_results"]


def _register(spark: Any, folder: str) -> None:
    """Each registry table as a temporary view; a missing file is an empty table of the same schema."""
    for name in ("companies", *COLLECTIONS):
        path = f"{folder.rstrip('/')}/{name}.parquet"
        try:
            frame = spark.read.parquet(path)
        except Exception:
            frame = spark.createDataFrame([], _spark_schema(name))
        frame.createOrReplaceTempView(name)


def _spark_schema(name: str) -> Any:
    import pyarrow as pa
    from pyspark.sql import types as T

    def convert(t: pa.DataType) -> Any:
        if pa.types.is_decimal(t):
            return T.DecimalType(t.precision, t.scale)
        if pa.types.is_list(t):
            return T.ArrayType(T.StringType())
        return {pa.string(): T.StringType(), pa.date32(): T.DateType(), pa.bool_(): T.BooleanType(),
                pa.int64(): T.LongType(), pa.int32(): T.IntegerType()}[t]

    return T.StructType([T.StructField(f.name, convert(f.type), f.nullable) for f in schema_of(name)])


def spark_results(spark: Any, folder: str, as_of: dt.date, policies: PolicySet | None = None) -> Any:
    """The results DataFrame (key, item, claimable, status, quantity, subtotal, missing) of a Parquet registry."""
    _register(spark, folder)
    plan = compile_plan(shipped_policies() if policies is None else policies, as_of, SPARK)
    return spark.sql(plan.sql)


def screen_spark(spark: Any, folder: str, as_of: dt.date, out: str, totals: str | None = None,
                 policies: PolicySet | None = None) -> None:
    """Screen a Parquet registry on Spark, writing results (and per-company totals) as Parquet folders."""
    results = spark_results(spark, folder, as_of, policies)
    results.write.mode("overwrite").parquet(out)
    if totals is not None:
        spark.read.parquet(out).createOrReplaceTempView("results")
        spark.sql("SELECT c.key, CAST(coalesce(sum(r.subtotal), 0) AS DECIMAL(18,2)) AS total FROM companies c "
                  "LEFT JOIN results r ON r.key = c.key AND r.claimable GROUP BY c.key"
                  ).write.mode("overwrite").parquet(totals)


def main(argv: list[str] | None = None) -> None:
    """``spark-submit -m``-style entry: FOLDER AS_OF OUT [TOTALS]."""
    import sys

    from pyspark.sql import SparkSession

    args = sys.argv[1:] if argv is None else argv
    spark = SparkSession.builder.appName("ipsubsidy-registry").getOrCreate()
    try:
        screen_spark(spark, args[0], dt.date.fromisoformat(args[1]), args[2], args[3] if len(args) > 3 else None)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
