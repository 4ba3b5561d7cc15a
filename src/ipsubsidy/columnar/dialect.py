"""The few places DuckDB's and Spark's SQL differ: lists (arrays), their aggregation and a few casts."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DUCKDB", "SPARK", "Dialect", "sql_text"]


def sql_text(value: object) -> str:
    """``value`` as a SQL text literal (quotes doubled), the same in both dialects."""
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Dialect:
    name: str
    text: str            # the text type in CAST
    list_of: str         # a list literal: format with the comma-separated elements
    empty_text_list: str  # an empty list of text
    collect: str         # aggregate texts into one comma-separated text, NULLs left out
    length: str          # length of a list column
    contains: str        # list contains value
    tidy: str            # a list of text without NULLs and duplicates, sorted
    gather: str          # aggregate values into a list

    def ident(self, name: str) -> str:
        """A quoted column name (``right`` and ``date`` are keywords in one dialect or the other)."""
        return f"`{name}`" if self.name == "spark" else f'"{name}"'

    def array(self, elements: list[str]) -> str:
        return self.list_of.format(", ".join(elements)) if elements else self.empty_text_list

    def unpivot(self, items: list[str], claimable: list[str], count: int) -> str:
        """Select-list text turning item columns ``s{i} n{i} v{i} x{i}`` (status, quantity, subtotal, missing)
        into rows: item, claimable, status, quantity, subtotal, missing, units (``k{i}``)."""
        if self.name == "duckdb":  # parallel unnests, zipped by position
            lists = {"item": items, "claimable": claimable, "status": [f"s{i}" for i in range(count)],
                     "quantity": [f"n{i}" for i in range(count)], "subtotal": [f"v{i}" for i in range(count)],
                     "missing": [f"x{i}" for i in range(count)], "units": [f"k{i}" for i in range(count)]}
            return ", ".join(f"unnest([{', '.join(v)}]) AS {k}" for k, v in lists.items())
        structs = [f"named_struct('item', {items[i]}, 'claimable', {claimable[i]}, 'status', CAST(s{i} AS STRING), "
                   f"'quantity', CAST(n{i} AS BIGINT), 'subtotal', CAST(v{i} AS DECIMAL(18,2)), "
                   f"'missing', CAST(x{i} AS STRING), 'units', CAST(k{i} AS BIGINT))" for i in range(count)]
        return (f"inline(array({', '.join(structs)})) AS (item, claimable, status, quantity, subtotal, missing, "
                "units)")

    def concat(self, lists: list[str]) -> str:
        if not lists:
            return self.empty_text_list
        if len(lists) == 1:
            return lists[0]
        if self.name == "duckdb":
            return f"list_concat({', '.join(lists)})"
        return f"concat({', '.join(lists)})"


DUCKDB = Dialect(
    name="duckdb", text="VARCHAR", list_of="[{}]", empty_text_list="CAST([] AS VARCHAR[])",
    collect="string_agg({}, ',')", length="len({})", contains="list_contains({}, {})",
    tidy="list_sort(list_distinct({}))", gather="list({})")
SPARK = Dialect(
    name="spark", text="STRING", list_of="array({})", empty_text_list="CAST(array() AS ARRAY<STRING>)",
    collect="concat_ws(',', collect_list({}))", length="CASE WHEN {0} IS NOT NULL THEN size({0}) END",
    contains="array_contains({}, {})",
    tidy="array_sort(array_distinct(filter({}, x -> x IS NOT NULL)))", gather="collect_list({})")
