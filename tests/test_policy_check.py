"""`ipsubsidy policies check`: every shipped file passes, and deleting any one item makes it fail.

The second property is what makes coverage worth having: a forgotten measure is caught before a client
finds it. Each item must own some clause of support language that nothing else quotes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ipsubsidy.errors import CoverageError, PolicyError
from ipsubsidy.policy.check import check_policies
from ipsubsidy.policy.loader import default_policy_dir, load_policies, load_policy_file

POLICY_DIR = default_policy_dir()
FILES = sorted(POLICY_DIR.glob("*.yaml"))


def _items(path: Path) -> list[str]:
    return [item["id"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]]


def test_every_shipped_policy_passes_with_full_coverage() -> None:
    report = check_policies()
    assert [str(e) for e in report.errors] == []
    assert sorted(doc.file.name for doc in report.documents) == [f.name for f in FILES]


def test_the_five_documents_are_shipped() -> None:
    assert [f.stem for f in FILES] == ["cangzhou-2016", "harbin-2007", "hefei-2022", "jinzhong-2020", "xiamen-2013"]


@pytest.mark.parametrize(("path", "item_id"), [(f, i) for f in FILES for i in _items(f)],
                         ids=lambda v: v if isinstance(v, str) else v.stem)
def test_deleting_any_item_fails_coverage_naming_the_paragraph(tmp_path: Path, path: Path, item_id: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"] = [item for item in data["items"] if item["id"] != item_id]
    (tmp_path / "sources").symlink_to(POLICY_DIR / "sources")
    broken = tmp_path / path.name
    broken.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    quote = next(i for i in yaml.safe_load(path.read_text(encoding="utf-8"))["items"] if i["id"] == item_id)
    paragraphs = load_policy_file(path).source.paragraphs_quoting(quote["citation"]["quote"])

    report = check_policies([broken])

    coverage = [str(e) for e in report.errors if isinstance(e, CoverageError) and e.file == path.name]
    named = [f"paragraph {p.number} (line {p.line}, section {p.section or 'preamble'})" for p in paragraphs]
    assert any(name in message for name in named for message in coverage), (named, coverage)


def test_an_id_used_in_two_files_is_named_by_both_loader_and_checker(tmp_path: Path) -> None:
    (tmp_path / "sources").symlink_to(POLICY_DIR / "sources")
    original = POLICY_DIR / "jinzhong-2020.yaml"
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(original.read_text(encoding="utf-8"), encoding="utf-8")

    report = check_policies([tmp_path])
    with pytest.raises(PolicyError) as caught:
        load_policies([tmp_path])

    duplicates = [e for e in report.errors if e.field == "id"]
    assert {e.file for e in duplicates} == {"b.yaml"}
    assert "jinzhong-2020.madrid" in {e.item for e in duplicates}
    assert [e.file for e in report.errors if e.field == "document.id"] == ["b.yaml"]
    assert "document id 'jinzhong-2020' is also used by a.yaml" in str(caught.value)  # the first problem
    assert caught.value.file == "b.yaml"


def _with_amount(tmp_path: Path, item_id: str, amount: dict[str, object]) -> Path:
    path = POLICY_DIR / "jinzhong-2020.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(i for i in data["items"] if i["id"] == item_id)["benefit"]["amount"] = amount
    (tmp_path / "sources").symlink_to(POLICY_DIR / "sources")
    broken = tmp_path / path.name
    broken.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return broken


@pytest.mark.parametrize(("item_id", "amount", "said"), [
    ("jinzhong-2020.invention-patent-foreign", {"per_unit": 2000}, "2000 yuan but its quote states 20000元"),
    ("jinzhong-2020.invention-patent-domestic", {"per_unit": 50000}, "50000 yuan but its quote states 5000元"),
    ("jinzhong-2020.fenghuang", {"fixed": 3000000}, "3000000 yuan but its quote states 300000元"),
])
def test_a_stated_amount_must_be_the_figure_of_its_quote(tmp_path: Path, item_id: str, amount: dict[str, object],
                                                         said: str) -> None:
    report = check_policies([_with_amount(tmp_path, item_id, amount)])
    mismatches = [e for e in report.errors if e.field == "benefit.amount" and e.item == item_id]
    assert len(mismatches) == 1 and said in str(mismatches[0]), [str(e) for e in report.errors]


@pytest.mark.parametrize(("quote", "expected"), [
    ("国外授权(PCT)发明专利2万元", ["20000"]),
    ("给予三十万元奖励", ["300000"]),
    ("补助两万元，另奖5000元", ["20000", "5000"]),
    ("每件1.5万元", ["15000"]),
    ("给予相应的资金资助", []),
])
def test_figures_are_read_exactly_in_either_numeral_system(quote: str, expected: list[str]) -> None:
    from decimal import Decimal

    from ipsubsidy.policy.check import quoted_amounts

    assert quoted_amounts(quote) == [Decimal(e) for e in expected]
