"""Policy packages: a folder of policy files, sources and scenarios, added with ``--policies`` beside the
shipped documents; stacking rules between documents (不重复享受, caps, tiers, supersedes) are data, checked and
explained. The test package ``tests/packages/demo-district`` is a fictional district document of Jinzhong."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import ipsubsidy
from ipsubsidy.cli import main
from ipsubsidy.errors import PolicyError
from ipsubsidy.policy.check import check_policies
from ipsubsidy.policy.loader import load_policies
from ipsubsidy.result import Status

PACKAGE = Path(__file__).parent / "packages" / "demo-district"
POLICY = PACKAGE / "policies" / "demo-district-2021.yaml"
PROFILE = {
    "city": "晋中", "district": "示例区", "entity_type": "enterprise",
    "patents": [{"number": "ZL201811564288.X", "grant_date": "2021-03-02"},
                {"number": "ZL201510958772.0", "grant_date": "2021-06-15"}],
}


def _copy(tmp_path: Path, change: dict[str, object] | None = None, item: int = 0) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(PACKAGE, target)
    if change:
        path = target / "policies" / POLICY.name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["items"][item].update(change)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def test_the_package_passes_the_checker_and_its_own_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_policies([PACKAGE]).ok
    assert main(["policies", "check", str(PACKAGE)]) == 0
    assert main(["test", str(PACKAGE), "--backend", "python"]) == 0
    out = capsys.readouterr().out
    assert "11 passed, 0 failed" in out


def test_a_failing_scenario_fails_ipsubsidy_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = _copy(tmp_path)
    scenario = pkg / "tests" / "demo-district-2021.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8").replace('total: "10000"', 'total: "15000"', 1),
                        encoding="utf-8")
    assert main(["test", str(pkg), "--backend", "python"]) == 1
    assert "total: expected 15000, got 10000" in capsys.readouterr().out


def test_evaluate_with_the_package_shows_the_exclusion_and_the_cap(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    assert main(["evaluate", str(profile), "--as-of", "2021-12-31", "--policies", str(PACKAGE),
                 "--format", "json", "--backend", "python"]) == 0
    result = json.loads(capsys.readouterr().out)
    items = {i["id"]: i for i in result["items"]}
    district = items["demo-district-2021.invention-patent"]
    assert district["status"] == "not_eligible"
    assert district["amount"]["cap"] == "10000"
    assert any("不重复享受，按较高者计入该项" in r["zh"] for r in district["reasons"])
    assert items["jinzhong-2020.invention-patent-domestic"]["amount"]["subtotal"] == "10000"
    assert result["total"] == "10000"
    # without the package the district items are simply not there
    assert main(["evaluate", str(profile), "--as-of", "2021-12-31", "--format", "json"]) == 0
    assert "demo-district-2021.invention-patent" not in capsys.readouterr().out


def test_keep_this_pays_the_declaring_item_even_when_smaller(tmp_path: Path) -> None:
    pkg = _copy(tmp_path, {"stacking": {"excludes": ["jinzhong-2020.invention-patent-domestic"], "keep": "this"}})
    result = ipsubsidy.evaluate(PROFILE, dt.date(2021, 12, 31), policies=load_policies(packages=[pkg]),
                                backend="python")
    assert result.item("demo-district-2021.invention-patent").amount.subtotal == "6000"
    assert result.item("jinzhong-2020.invention-patent-domestic").status == Status.not_eligible
    assert result.total == "6000"


def test_without_the_exclusion_both_would_pay(tmp_path: Path) -> None:
    """The control: it is the 不重复享受 rule, not something else, that keeps the patents from paying twice."""
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["items"][0]["stacking"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = ipsubsidy.evaluate(PROFILE, dt.date(2021, 12, 31), policies=load_policies(packages=[pkg]),
                                backend="python")
    assert result.total == "16000"  # 2 × 5000 + 2 × 3000


@pytest.mark.parametrize(("change", "field", "says"), [
    ({"stacking": {"excludes": ["jinzhong-2020.invention-patent-domestc"]}}, "stacking.excludes",
     "did you mean 'jinzhong-2020.invention-patent-domestic'"),
    ({"cap": {"amount": 20000, "per": "year"}}, "cap.amount", "states 20000 yuan but its quote states"),
])
def test_the_checker_refuses_a_broken_rule(tmp_path: Path, change: dict[str, object], field: str, says: str) -> None:
    report = check_policies([_copy(tmp_path, change)])
    errors = [e for e in report.errors if e.field == field]
    assert errors and says in str(errors[0]), [str(e) for e in report.errors]


def test_a_tier_amount_must_be_in_the_quote(tmp_path: Path) -> None:
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    path.write_text(path.read_text(encoding="utf-8").replace("amount: 50000,", "amount: 60000,"), encoding="utf-8")
    report = check_policies([pkg])
    assert [e.field for e in report.errors] == ["benefit.amount.tiers[1].amount"]


def test_a_newer_document_supersedes_an_older_one_from_its_date(tmp_path: Path) -> None:
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["document"]["supersedes"] = [{"document": "jinzhong-2020", "from": "2021-07-01"}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    policies = load_policies(packages=[pkg])
    before = ipsubsidy.evaluate(PROFILE, dt.date(2021, 6, 30), policies=policies, backend="python")
    after = ipsubsidy.evaluate(PROFILE, dt.date(2021, 7, 1), policies=policies, backend="python")
    domestic = "jinzhong-2020.invention-patent-domestic"
    assert before.item(domestic).status == Status.eligible
    assert after.item(domestic).status == Status.expired
    assert after.item("demo-district-2021.invention-patent").amount.subtotal == "6000"
    # the shipped set itself is untouched
    assert ipsubsidy.shipped_policies().item(domestic).claim_until == dt.date(2022, 12, 31)


def test_an_unknown_package_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "--policies", "no-such-package"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ipsubsidy: no-such-package: no such policy package") and err.count("\n") == 1


def test_a_city_without_shipped_documents_comes_from_the_gazetteer(tmp_path: Path) -> None:
    """太原 has no shipped document: alone it is no error but a notice; with a package for 太原市 its items apply."""
    alone = ipsubsidy.evaluate({"city": "太原", "entity_type": "enterprise"}, dt.date(2022, 6, 30))
    assert alone.items == [] and "尚未收录太原市" in alone.notices[0].zh
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["document"]["city"] = "太原市"
    del data["document"]["district"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    profile = {**PROFILE, "city": "山西省太原市"}
    del profile["district"]
    result = ipsubsidy.evaluate(profile, dt.date(2021, 12, 31), policies=load_policies(packages=[pkg]),
                                backend="python")
    assert result.item("demo-district-2021.invention-patent").amount.subtotal == "6000"
    assert result.notices == []


def test_screen_finds_a_city_only_a_package_encodes(tmp_path: Path) -> None:
    """A 太原 client of a workbook is screened by a package's 太原市 document, not reported as uncovered."""
    pytest.importorskip("openpyxl")
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["document"]["city"] = "太原市"
    del data["document"]["district"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    clients = tmp_path / "clients.csv"
    clients.write_text("企业名称,所在地,主体类型\n太原示例有限公司,山西省太原市小店区,企业\n", encoding="utf-8")
    patents = tmp_path / "patents.csv"
    patents.write_text("企业名称,申请号,授权公告日,专利类型\n太原示例有限公司,ZL201811564288.X,2021-03-02,发明\n",
                       encoding="utf-8")
    out = tmp_path / "out"
    argv = ["screen", str(clients), "--patents", str(patents), "--out", str(out), "--as-of", "2021-12-31",
            "--format", "csv", "--policies", str(pkg)]
    assert main(argv) == 0
    rows = list(csv.DictReader((out / "results.csv").open(encoding="utf-8-sig")))
    got = {r["item"]: r for r in rows}
    assert got["demo-district-2021.invention-patent"]["status"] == "eligible"
    assert main([*argv[:-2], "--out", str(tmp_path / "alone")]) == 0  # without the package: uncovered
    alone = list(csv.DictReader((tmp_path / "alone" / "results.csv").open(encoding="utf-8-sig")))
    assert [r["status"] for r in alone] == ["no_encoded_policy"]


@pytest.mark.parametrize(("city", "says"), [
    ("taiyaun", "did you mean 'taiyuan' (太原市)?"),
    ("fuzhou", "ambiguous: it reads as fuzhou-fujian (福州市), fuzhou-jiangxi (抚州市)"),
])
def test_a_document_city_must_be_real_and_unambiguous(tmp_path: Path, city: str, says: str) -> None:
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    path.write_text(path.read_text(encoding="utf-8").replace("city: jinzhong", f"city: {city}"), encoding="utf-8")
    report = check_policies([pkg])
    assert [e.field for e in report.errors] == ["document.city"]
    assert says in str(report.errors[0])


@pytest.mark.parametrize("city", ["晋中市", "Jinzhong", "山西省晋中市"])
def test_a_document_names_its_city_as_a_profile_does(tmp_path: Path, city: str) -> None:
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    path.write_text(path.read_text(encoding="utf-8").replace("city: jinzhong", f"city: {city}"), encoding="utf-8")
    policies = load_policies(packages=[pkg])
    assert policies.document("demo-district-2021").city == "jinzhong"
    result = ipsubsidy.evaluate(PROFILE, dt.date(2021, 12, 31), policies=policies, backend="python")
    assert result.item("demo-district-2021.invention-patent").status == Status.not_eligible  # stacked, as before



# --- a cap over several items (caps:) ----------------------------------------------------------------------------

AWARDS = {**PROFILE, "patents": [{"number": "ZL201811564288.X", "grant_date": "2023-01-05"},
                                 {"number": "ZL201510958772.0", "grant_date": "2023-03-15"}],
          "listings": [{"kind": "ip_demonstration_enterprise", "level": "national", "date": "2023-02-01"},
                       {"kind": "ip_demonstration_enterprise", "level": "provincial", "date": "2023-09-01"}]}
PATENT, AWARD = "demo-district-2021.invention-patent", "demo-district-2021.demonstration-enterprise"


def _with_caps(tmp_path: Path, caps: list[dict[str, object]] | None) -> Path:
    pkg = _copy(tmp_path)
    path = pkg / "policies" / POLICY.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if caps is None:
        del data["caps"]
    else:
        data["caps"] = caps
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return pkg


def _cap(**change: object) -> dict[str, object]:
    return {"items": [PATENT, AWARD], "amount": 120000, "per": "year", "section": "第四条",
            "quote": "单个企业同一年度获得第二条、第三条资助和奖励合计最高不超过12万元。", **change}


@pytest.mark.parametrize("backend", ["python", "durable-rules"])
def test_the_cap_over_two_items_reduces_the_item_listed_last(backend: str) -> None:
    if backend == "durable-rules":
        pytest.importorskip("durable_rules_engine")
    result = ipsubsidy.evaluate(AWARDS, dt.date(2023, 12, 31), policies=load_policies(packages=[PACKAGE]),
                                backend=backend)  # type: ignore[arg-type]
    assert result.item(PATENT).amount.subtotal == "6000"
    award = result.item(AWARD)
    assert (award.status, award.amount.quantity, award.amount.subtotal) == (Status.eligible, 2, "114000")
    assert [u.amount for u in award.units] == ["100000", "50000"]  # the units keep their tiers
    reason = award.reasons[-1]
    assert (reason.value, reason.threshold) == ("150000", "120000")
    assert "together with “Funding per domestic invention patent” (第四条): 2023: this item counted at 114000" \
        in reason.en
    assert result.total == "120000"


def test_the_rules_a_columnar_backend_would_miss_are_named() -> None:
    from ipsubsidy.caps import rules_beyond_conditions

    assert rules_beyond_conditions(ipsubsidy.shipped_policies()) == []  # the shipped set compiles whole
    assert rules_beyond_conditions(load_policies(packages=[PACKAGE])) == [
        f"{PATENT}: cap", f"{PATENT}: stacking", f"{AWARD}: tiers",
        f"demo-district-2021: caps[0] over {PATENT}, {AWARD}"]


def test_without_the_cap_both_pay_in_full(tmp_path: Path) -> None:
    """The control: it is the caps entry that holds the total at 120000 (and the checker then misses 第四条)."""
    pkg = _with_caps(tmp_path, None)
    result = ipsubsidy.evaluate(AWARDS, dt.date(2023, 12, 31), policies=load_policies(packages=[pkg]),
                                backend="python")
    assert result.total == "156000"
    assert [e.field for e in check_policies([pkg]).errors] == ["coverage"]


def test_listed_first_is_paid_first_and_a_spent_allowance_pays_nothing(tmp_path: Path) -> None:
    pkg = _with_caps(tmp_path, [_cap(items=[AWARD, PATENT], per="claimant")])
    assert check_policies([pkg]).ok
    result = ipsubsidy.evaluate(AWARDS, dt.date(2023, 12, 31), policies=load_policies(packages=[pkg]),
                                backend="python")
    assert result.item(AWARD).amount.subtotal == "120000"
    patent = result.item(PATENT)
    assert patent.status == Status.not_eligible and patent.amount.subtotal is None
    assert "额度已由前列项目用完，本项不予计入(未封顶为6000元)" in patent.reasons[-1].zh
    assert "单个企业最高不超过120000元" in patent.reasons[-1].zh  # per claimant: no 年度
    assert result.total == "120000"


@pytest.mark.parametrize(("cap", "field", "says"), [
    (_cap(amount=150000), "caps[0].amount", "caps at 150000 yuan but its quote states 120000元"),
    (_cap(items=[PATENT, "demo-district-2021.demonstration-enterprse"]), "caps[0].items",
     "did you mean 'demo-district-2021.demonstration-enterprise'"),
    (_cap(items=[PATENT, "jinzhong-2020.ip-pledge-insurance"]), "caps[0].items", "not claimable"),
    (_cap(quote="单个企业同一年度获得资助和奖励合计最高不超过12万元。"), "caps[0].quote", "not found verbatim"),
    (_cap(section="第三条"), "caps[0].section", "the quote is under '第四条'"),
    (_cap(items=[PATENT, PATENT]), "caps[0].items", "an item is listed twice"),
])
def test_the_checker_refuses_a_broken_cap(tmp_path: Path, cap: dict[str, object], field: str, says: str) -> None:
    report = check_policies([_with_caps(tmp_path, [cap])])
    errors = [e for e in report.errors if e.field == field]
    assert errors and says in str(errors[0]), [str(e) for e in report.errors]


def test_a_yearly_cap_refuses_an_item_whose_year_is_unknown(tmp_path: Path) -> None:
    pkg = _with_caps(tmp_path, [_cap()])
    path = pkg / "policies" / POLICY.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["items"][1]["counts"]["date"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    errors = [e for e in check_policies([pkg]).errors if e.field == "caps[0].items"]
    assert errors and "a yearly cap needs each item paid per dated unit" in str(errors[0])

# --- an installed package: the ipsubsidy.policies entry point ----------------------------------------------------

_PROFILE_2021 = json.dumps({**PROFILE}, ensure_ascii=False)


def _run_with(site: Path, tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``ipsubsidy ARGV`` in a fresh interpreter that sees ``site`` as installed packages (and nothing named)."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("IPSUBSIDY_POLICY_DIR", None)
    code = "import sys; from ipsubsidy.cli import main; raise SystemExit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300, check=False)


def _install_by_hand(site: Path) -> None:
    """What an installer leaves in site-packages: the module's folder and a dist-info naming the entry point.
    The module raises on import: a policy package is located, never run."""
    module = site / "demo_district_policies"
    shutil.copytree(PACKAGE, module)
    (module / "__init__.py").write_text('raise RuntimeError("a policy package is never imported")\n')
    info = site / "demo_district_policies-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-district-policies\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ipsubsidy.policies]\ndemo-district = demo_district_policies\n")


def _install_with_pip(site: Path, tmp_path: Path) -> None:
    """``pip install --target`` of a real distribution built offline by hatchling (the project's own backend)."""
    src = tmp_path / "dist-src"
    shutil.copytree(PACKAGE, src / "demo_district_policies")
    (src / "demo_district_policies" / "__init__.py").write_text('"""Demo district policies (fictional)."""\n')
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "demo-district-policies"\nversion = "0.1"\n\n'
        '[project.entry-points."ipsubsidy.policies"]\ndemo-district = "demo_district_policies"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["demo_district_policies"]\n', encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-build-isolation", "--no-deps",
                    "--target", str(site), str(src)], check=True, capture_output=True, timeout=300)


@pytest.mark.parametrize("install", ["by_hand", "pip"])
def test_an_installed_package_is_loaded_without_policies_option(tmp_path: Path, install: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    if install == "pip":
        pytest.importorskip("hatchling", reason="building the demo distribution offline needs hatchling")
        _install_with_pip(site, tmp_path)
        assert (site / "demo_district_policies" / "policies" / "sources" / "demo-district-2021.txt").is_file()
    else:
        _install_by_hand(site)
    listed = _run_with(site, tmp_path, "policies", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert "demo-district-2021" in {doc["id"] for doc in json.loads(listed.stdout)["documents"]}
    (tmp_path / "p.json").write_text(_PROFILE_2021, encoding="utf-8")
    evaluated = _run_with(site, tmp_path, "evaluate", "p.json", "--as-of", "2021-12-31", "--format", "json",
                          "--backend", "python")
    assert evaluated.returncode == 0, evaluated.stderr
    items = {i["id"]: i for i in json.loads(evaluated.stdout)["items"]}
    assert any("不重复享受" in r["zh"] for r in items["demo-district-2021.invention-patent"]["reasons"])
    checked = _run_with(site, tmp_path, "policies", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok   demo-district-2021.yaml" in checked.stdout
    tested = _run_with(site, tmp_path, "test", "demo-district", "--backend", "python")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert " passed, 0 failed" in tested.stdout
    # the same interpreter without the package: the district document is not there
    bare = _run_with(tmp_path / "nothing", tmp_path, "policies", "--format", "json")
    assert "demo-district-2021" not in {doc["id"] for doc in json.loads(bare.stdout)["documents"]}


def test_a_broken_entry_point_is_one_line_naming_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "gone-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: gone\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ipsubsidy.policies]\ngone = no_such_module_here\n")
    run = _run_with(site, tmp_path, "policies")
    assert run.returncode == 2
    assert "'gone' names module 'no_such_module_here', which is not importable" in run.stderr
    assert run.stderr.count("\n") == 1


def test_two_packages_with_a_file_of_the_same_name_are_two_documents_and_clash(tmp_path: Path) -> None:
    """A file named like another package's (or a shipped one) is no replacement: its ids must be its own."""
    first = _copy(tmp_path)
    second = tmp_path / "again"
    shutil.copytree(PACKAGE, second)
    with pytest.raises(PolicyError) as caught:
        load_policies(packages=[first, second])
    assert caught.value.field == "document.id"
    assert f"is also used by {(first / 'policies' / POLICY.name).resolve()}" in str(caught.value)
    assert load_policies(packages=[first, first]).document("demo-district-2021")  # one package named twice: once
