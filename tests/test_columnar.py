"""The columnar backend (DuckDB) gives exactly what evaluate() gives, per company and item, on random registries."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from columnar_check import expected_rows, observed_rows
from ipsubsidy import Company
from ipsubsidy.columnar import Registry, screen_tables, tables_from_profiles
from ipsubsidy.policy.loader import shipped_policies
from strategies import as_of_dates, profile_data

POLICIES = shipped_policies()
# rd / sales exactly 5% (62355167.07 × 20 = 1247103341.40), and one fen either side
BOUNDARY = [{"year": 2021, "rd_expense": rd, "sales_revenue": "1247103341.40", "commercialised_revenue": "30",
             "main_business_revenue": "100"} for rd in ("62355167.07", "62355167.06", "62355167.08")]


def _sometimes_small_or_micro(data: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A profile as drawn, or the same one whose size is 小微 (small or micro, never guessed)."""
    return st.sampled_from([data, {**data, "size": "small_or_micro"}])


def registries() -> st.SearchStrategy[dict[str, Company]]:
    return st.lists(profile_data().flatmap(_sometimes_small_or_micro), min_size=1, max_size=6).map(
        lambda data: {f"c{i}": Company.model_validate(d) for i, d in enumerate(data)})


def _check(profiles: dict[str, Company], as_of: dt.date) -> None:
    results, totals = screen_tables(tables_from_profiles(profiles), as_of, POLICIES)
    got_rows, got_totals = observed_rows(results, totals)
    want_rows, want_totals = expected_rows(profiles, as_of, POLICIES)
    assert got_rows.keys() == want_rows.keys()
    for key, want in want_rows.items():
        assert got_rows[key] == want, key
    assert got_totals == want_totals


def _boundary_registry() -> dict[str, Company]:
    base: dict[str, Any] = {"city": "晋中", "entity_type": "enterprise"}
    return {f"b{i}": Company.model_validate({**base, "finances": [row]}) for i, row in enumerate(BOUNDARY)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries(), as_of_dates())
@example(_boundary_registry(), dt.date(2022, 6, 30))
@example(_boundary_registry(), dt.date(2020, 12, 31))
def test_columnar_equals_evaluate(profiles: dict[str, Company], as_of: dt.date) -> None:
    _check(profiles, as_of)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("IPSUBSIDY_LONG"), reason="the long run: set IPSUBSIDY_LONG=1")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries(), as_of_dates())
def test_columnar_equals_evaluate_long(profiles: dict[str, Company], as_of: dt.date) -> None:
    _check(profiles, as_of)


def test_boundary_ratio_is_exact() -> None:
    """5% exactly qualifies (以上 includes the bound); one fen less does not; the unknown year stays open."""
    results, _ = screen_tables(tables_from_profiles(_boundary_registry()), dt.date(2022, 6, 30), POLICIES)
    status = {r["key"]: r["status"] for r in results.to_pylist() if r["item"] == "jinzhong-2020.longmen"}
    assert status == {"b0": "eligible", "b1": "needs_info", "b2": "eligible"}


def test_drill_rebuilds_the_profile() -> None:
    profiles = _boundary_registry() | {"p": Company.model_validate({"city": "晋中", "patents": []})}
    registry = Registry(tables_from_profiles(profiles), POLICIES)
    try:
        for key, company in profiles.items():
            assert registry.company(key) == company
        result = registry.drill("b0", dt.date(2022, 6, 30))
        assert result.item("jinzhong-2020.longmen").status == "eligible"
        assert Decimal(result.total) > 0
    finally:
        registry.close()


def test_registry_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI screens a Parquet folder; a folder without companies.parquet is one line and exit 2."""
    import pyarrow.parquet as pq

    from ipsubsidy.cli import main

    for name, table in tables_from_profiles(_boundary_registry()).items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
    out, totals = tmp_path / "results.parquet", tmp_path / "totals.parquet"
    assert main(["registry", str(tmp_path), "--out", str(out), "--totals", str(totals), "--as-of", "2022-06-30"]) == 0
    got = {r["key"]: r["total"] for r in pq.read_table(totals).to_pylist()}
    assert got["b1"] == 0 < got["b0"] == got["b2"]  # 5% exactly and above qualify, a fen below does not
    assert main(["registry", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("ipsubsidy: registry folder")


def test_stacking_rules_are_refused_not_guessed() -> None:
    """不重复享受 re-derives items from each other: the columnar backend refuses such policies in one line."""
    from ipsubsidy.columnar.compile import UnsupportedPolicyError, compile_plan
    from ipsubsidy.columnar.dialect import DUCKDB
    from ipsubsidy.policy.loader import load_policies

    package = Path(__file__).parent / "packages" / "demo-district"
    policies = load_policies(packages=[package])
    assert any(item.spec.stacking for item in policies.items)
    with pytest.raises(UnsupportedPolicyError, match="不重复享受"):
        compile_plan(policies, dt.date(2021, 12, 31), DUCKDB)
    compile_plan(POLICIES, dt.date(2021, 12, 31), DUCKDB)  # the shipped documents have none


def test_small_or_micro_is_read_as_both_sizes_not_guessed() -> None:
    """小微 settles 'small or micro' (Cangzhou's first invention patent) as evaluate() does."""
    profile = Company.model_validate({"city": "沧州", "entity_type": "enterprise", "size": "small_or_micro",
                                      "first_invention_patent_date": "2018-05-20"})
    as_of = dt.date(2018, 12, 31)
    results, _ = screen_tables(tables_from_profiles({"c0": profile}), as_of, POLICIES)
    rows = {row["item"]: row for row in results.to_pylist()}
    assert rows["cangzhou-2016.small-micro-first-invention-patent"]["status"] == "eligible"
    _check({"c0": profile}, as_of)
